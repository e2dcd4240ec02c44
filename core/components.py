"""The extension points: what a plugin subclasses to add an encoder, algo, searcher or
post-processor.

Components are registered as classes and built by the runtime with their validated config.
``__init__`` stays light; anything heavy (model weights) loads in :meth:`Encoder.warm_up`,
inside the executor, never at import or registration.
"""

from __future__ import annotations

import functools
import importlib.metadata
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Protocol,
    Self,
    cast,
    get_args,
    get_origin,
    overload,
)

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from typing_extensions import TypeVar

from reelsearch.core.errors import RequestError, validation_problems
from reelsearch.core.models import Asset, Hit, SearchRequest, SearchResponse

if TYPE_CHECKING:
    from reelsearch.core.store.base import CollectionSpec, Point, VectorStore


class ComponentKind(StrEnum):
    """The kinds of component a plugin can register: the one list of them.

    Each kind has a base class (:data:`COMPONENT_BASES`), a registration hook
    (:attr:`hook`, e.g. ``register_algos``) and a config section (:attr:`section`, e.g.
    ``[algos.shots]``). Being a ``str``, a kind compares equal to its value: ``"algo"``.
    """

    ALGO = "algo"
    ENCODER = "encoder"
    DETECTOR = "detector"
    FACE_DETECTOR = "face_detector"
    SEARCHER = "searcher"
    POSTPROCESSOR = "postprocessor"
    TRANSLATOR = "translator"

    @property
    def section(self) -> str:
        """The settings table holding this kind's options by name: ``algos``, ``encoders``..."""
        return f"{self.value}s"

    @property
    def label(self) -> str:
        """How messages name the kind: ``post-processor``, ``algo``..."""
        if self is ComponentKind.POSTPROCESSOR:
            return "post-processor"
        return self.value.replace("_", " ")

    @property
    def hook(self) -> str:
        """The hook that registers components of this kind: ``register_algos``..."""
        return f"register_{self.section}"


class NoConfig(BaseModel):
    """The config of a component that takes none."""

    model_config = ConfigDict(extra="forbid")


RecordT = TypeVar("RecordT", bound=BaseModel, default=BaseModel)
"""An algo's record model."""
ConfigT = TypeVar("ConfigT", bound=BaseModel, default=NoConfig)
"""A component's config model; ``self.config`` has this type."""


class Resources(BaseModel):
    """What one instance of a component asks the executor for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpus: float = Field(default=1.0, ge=0)
    gpus: float = Field(default=0.0, ge=0)


class Component(ABC, Generic[ConfigT]):
    """What every registered component has: a unique name, a description and a config model.

    A component is generic over its config: ``class Mine(Searcher[MineConfig])`` makes
    ``self.config`` a ``MineConfig`` for type checkers, and sets ``Config = MineConfig``
    unless the class sets ``Config`` itself.

    The runtime builds components cold (``__init__`` stays light) and calls :meth:`warm_up`
    once, where the component is used: on the executor for algos and the encoders and
    detectors they ask for, in the search context for searchers and their encoders.

    Attributes:
        name: Unique among components of its kind; used in config files, requests and the CLI.
        description: One line shown by ``reelsearch plugins``.
        Config: Pydantic model of the component's options (``[<kind>s.<name>]`` in
            ``reelsearch.toml``, e.g. ``[algos.shots]``); must set ``extra="forbid"`` so that
            a misspelled option is an error rather than silently ignored.
    """

    kind: ClassVar[ComponentKind]
    name: ClassVar[str]
    description: ClassVar[str] = ""
    Config: ClassVar[type[BaseModel]] = NoConfig

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _adopt_type_arguments(cls)

    def __init__(self, config: ConfigT | None = None) -> None:
        self.config: ConfigT = config if config is not None else self._default_config()
        self._resolve: Resolver | None = None
        self._warm = False
        self._warming = threading.Lock()

    def _default_config(self) -> ConfigT:
        return cast("ConfigT", self.Config())

    def bind(self, resolve: Resolver) -> None:
        """Called by the runtime right after construction: how to reach other components."""
        self._resolve = resolve

    @overload
    def component(self, kind: type[C], name: str) -> C: ...

    @overload
    def component(self, kind: ComponentKind | str, name: str) -> Component[Any]: ...

    def component(self, kind: type[C] | ComponentKind | str, name: str) -> Component[Any]:
        """Another registered component, configured but not warmed up.

        ``kind`` is a base class (typed result) or a kind name. For example a sink asks its
        encoder for the vector size, which needs no weights:
        ``self.component(Encoder, "clip").dimension``.
        """
        if self._resolve is None:
            raise RuntimeError(f"{self.kind} {self.name!r} is not bound to a runtime")
        return self._resolve(kind, name)

    def warm_up(self) -> None:
        """Load what is heavy (model weights). Called once per process by :meth:`warmed`,
        where the component is used, never at import, registration or lookup."""

    def warmed(self) -> Self:
        """This component with :meth:`warm_up` done: the first call runs it (thread-safe),
        later calls return at once."""
        if not self._warm:
            with self._warming:
                if not self._warm:
                    self.warm_up()
                    self._warm = True
        return self


C = TypeVar("C", bound=Component[Any])


class Resolver(Protocol):
    """Looks up a registered component: ``resolve(Encoder, "clip")`` (typed) or
    ``resolve("encoder", "clip")``. Components come configured, cold (not warmed up)."""

    @overload
    def __call__(self, kind: type[C], name: str, /) -> C: ...

    @overload
    def __call__(self, kind: ComponentKind | str, name: str, /) -> Component[Any]: ...


def _adopt_type_arguments(cls: type[Component[Any]]) -> None:
    """Set ``Config`` (and an algo's ``Record``) from the class's type arguments, where the
    class does not set them itself: ``class A(Algo[MyRecord, MyConfig])``."""
    for base in cls.__dict__.get("__orig_bases__", ()):
        origin = get_origin(base)
        if not (isinstance(origin, type) and issubclass(origin, Component)):
            continue
        arguments = dict(zip(getattr(origin, "__parameters__", ()), get_args(base), strict=False))
        for variable, attribute in ((ConfigT, "Config"), (RecordT, "Record")):
            model = arguments.get(variable)
            if (
                attribute not in cls.__dict__
                and isinstance(model, type)
                and issubclass(model, BaseModel)
                and model not in (NoConfig, BaseModel)  # defaults: keep what the class inherits
            ):
                setattr(cls, attribute, model)


class Modality(StrEnum):
    """What an encoder can embed."""

    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


Vectors = NDArray[np.float32]
"""A ``(n, dimension)`` float32 array, one L2-normalised row per input."""

Image = NDArray[np.uint8]
"""An ``(height, width, 3)`` RGB image."""


class Encoder(Component[ConfigT]):
    """Turns text, images, frames or audio into vectors in one embedding space.

    Attributes:
        modalities: What :meth:`encode_text` / :meth:`encode_images` accept.
        resources: What one encoder instance needs from the executor.
    """

    kind = ComponentKind.ENCODER
    modalities: ClassVar[frozenset[Modality]]
    resources: ClassVar[Resources] = Resources()
    packages: ClassVar[tuple[str, ...]] = ()
    """Distributions whose code computes the vectors (``"sentence-transformers"``): their
    installed versions are part of :meth:`identity`."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of the vectors this encoder returns; known without loading weights where
        the config says it, since sinks ask for it when they declare their collection."""

    def weight_files(self) -> Sequence[Path]:
        """The files the weights load from, found without loading or importing the model;
        empty where the options and :attr:`packages` already pin the weights."""
        return ()

    def identity(self) -> str:
        """What this encoder's vectors depend on besides their inputs, known without loading or
        importing the model: its name and options, the versions of :attr:`packages`, and the
        path, size and modification time of each of :meth:`weight_files`.

        Algos that store vectors put it in their :meth:`Algo.fingerprint`: another model, a
        new version of its package or new weights written at the same path compute the
        vectors again, and a re-ingest with none of these changed loads nothing.
        """
        parts = [f"{self.name}:{self.config.model_dump_json()}"]
        parts += [f"{package}=={_version(package)}" for package in self.packages]
        parts += [_file_identity(Path(path)) for path in self.weight_files()]
        return "|".join(parts)

    def encode_text(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` as rows of a ``(len(texts), dimension)`` array."""
        raise NotImplementedError(f"encoder {self.name!r} does not embed text")

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed search queries; by default as :meth:`encode_text`. Encoders whose model embeds
        queries and the texts they search differently (E5's ``query:`` and ``passage:``
        prefixes) override it."""
        return self.encode_text(texts)

    def encode_images(self, images: Sequence[Image]) -> Vectors:
        """Embed RGB ``images`` as rows of a ``(len(images), dimension)`` array."""
        raise NotImplementedError(f"encoder {self.name!r} does not embed images")


@functools.cache
def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _file_identity(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{status.st_size}:{status.st_mtime_ns}"


FrameBatch = NDArray[np.uint8]
"""``(n, height, width, 3)`` RGB frames, consecutive in decode order."""


class ShotDetector(Component[ConfigT]):
    """Finds the frames where a new shot starts, from one sequential pass over small frames.

    Attributes:
        frame_size: ``(width, height)`` of the frames :meth:`detect` wants; the decoder scales
            to it in the same pass.
    """

    kind = ComponentKind.DETECTOR
    frame_size: ClassVar[tuple[int, int]] = (48, 27)

    @abstractmethod
    def detect(self, batches: Iterable[FrameBatch], fps: float) -> list[int]:
        """Frame numbers where a new shot starts, ascending, excluding 0.

        Args:
            batches: All frames of the video in order, in batches.
            fps: The video's frame rate (for time-based settings such as minimum shot length).
        """


class FaceBox(BaseModel):
    """A face found in an image: its box in pixels (right and bottom exclusive) and how sure
    the detector is (``1.0`` for detectors that give no score)."""

    model_config = ConfigDict(frozen=True)

    left: int
    top: int
    right: int
    bottom: int
    score: float = 1.0

    @property
    def size(self) -> int:
        """The box's shorter side, in pixels."""
        return min(self.right - self.left, self.bottom - self.top)


class FaceDetector(Component[ConfigT]):
    """Finds the faces in RGB images (video frames, stills).

    Attributes:
        resources: What one detector instance needs from the executor.
    """

    kind = ComponentKind.FACE_DETECTOR
    resources: ClassVar[Resources] = Resources()

    @abstractmethod
    def detect_faces(self, images: Sequence[Image]) -> list[list[FaceBox]]:
        """The faces of each image, one list per image (empty where it shows none)."""


class Sink(ABC, Generic[RecordT]):
    """Turns an algo's records into store points under the algo's collection.

    The runtime drives the lifecycle: :meth:`on_write_start`, then the points from
    :meth:`points` are upserted in batches, then :meth:`on_write_complete` or, if anything
    failed, :meth:`on_write_failed` (the runtime has already removed what it wrote).
    """

    @abstractmethod
    def collection(self) -> CollectionSpec:
        """The collection the points go to: its name, vectors and indexed payload fields."""

    @abstractmethod
    def points(self, asset: Asset, records: Sequence[RecordT]) -> Iterable[Point]:
        """The points for ``records`` of ``asset``; ids must be deterministic
        (see :func:`reelsearch.core.models.point_id`)."""

    def on_write_start(self, asset: Asset, store: VectorStore) -> None:
        """Called before the first point of ``asset`` is written."""

    def on_write_complete(self, asset: Asset, written: int) -> None:
        """Called after all ``written`` points of ``asset`` are stored."""

    def on_write_failed(self, asset: Asset, error: BaseException) -> None:
        """Called when writing ``asset`` failed; nothing of this attempt remains stored."""


ProgressCallback = Callable[[int, int | None], None]
"""``progress(done, total)``: how far a long step has come; ``total`` may be unknown."""


class AlgoContext:
    """What an algo's :meth:`Algo.run` gets: the asset, its dependencies' outputs and services.

    Attributes:
        asset: The asset being processed.
        inputs: Records of each algo named in ``depends_on``, by algo name, and of each algo
            named in ``uses`` that ran (absent where it could not run or is not configured).
        media_dir: A folder of this asset and algo under the data home, for files such as
            thumbnails; created on first use.
        progress: Report progress of long work; shown as a progress bar.
    """

    def __init__(
        self,
        asset: Asset,
        inputs: Mapping[str, Sequence[BaseModel]],
        media_dir: Path,
        components: Resolver,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.asset = asset
        self.inputs = inputs
        self._media_dir = media_dir
        self._components = components
        self.progress: ProgressCallback = progress or (lambda done, total: None)

    @property
    def media_dir(self) -> Path:
        self._media_dir.mkdir(parents=True, exist_ok=True)
        return self._media_dir

    def encoder(self, name: str) -> Encoder[Any]:
        """The named encoder, configured and warmed up (here, on the executor)."""
        return typed(self._components(ComponentKind.ENCODER, name), Encoder).warmed()

    def detector(self, name: str) -> ShotDetector[Any]:
        """The named shot detector, configured and warmed up."""
        return typed(self._components(ComponentKind.DETECTOR, name), ShotDetector).warmed()

    def has(self, algo: str) -> bool:
        """Whether the records of ``algo`` are here: always for a ``depends_on`` algo; for one
        of ``uses``, only if it ran in this ingest."""
        return algo in self.inputs

    def records(self, algo: str, schema: type[RecordT]) -> list[RecordT]:
        """The records of dependency ``algo`` as ``schema`` (which may be the dependency's own
        record class or any model with a compatible subset of its fields)."""
        if algo not in self.inputs:
            raise KeyError(
                f"{algo!r} is not among this algo's dependencies ({sorted(self.inputs)})"
            )
        return [
            r if isinstance(r, schema) else schema.model_validate(r.model_dump())
            for r in self.inputs[algo]
        ]


class Algo(Component[ConfigT], Generic[RecordT, ConfigT]):
    """A media-understanding algorithm: one asset in, typed records out.

    Generic over its record and config: ``class Mine(Algo[MyRecord, MyConfig])`` sets
    ``Record`` and ``Config`` and types ``self.config``; ``Algo[MyRecord]`` takes no config.
    Its :meth:`warm_up` runs on the executor, before its first :meth:`run` in each process.

    Attributes:
        version: Bump it when outputs change; memoised outputs of other versions are not reused.
        depends_on: Names of algos whose records :meth:`run` reads (``ctx.inputs``).
        uses: Names of algos whose records :meth:`run` reads when they exist: where such an
            algo is registered and among the configured ``algos``, every run of this algo
            includes it (computed or reused), it runs first and its records are in
            ``ctx.inputs`` (and its memoisation key in this algo's); where it is not
            registered, left out of ``algos`` or cannot run here (a model is unavailable), this
            algo runs without it (``ctx.has(name)`` is false).
        Record: Pydantic model of one output record (the algo's schema).
        resources: CPU / GPU the executor reserves for one run.
        stateful: It loads something costly (a model) that its runs should share: on Ray it
            runs on a pool of long-lived actors (``ray_actors`` of them, default as many as
            the cluster fits with ``resources``) that keep it loaded from asset to asset,
            instead of one task per asset.
        schema_version: Bump it when the stored payload layout changes; each schema version has
            its own store collection.
    """

    kind = ComponentKind.ALGO
    version: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[frozenset[str]] = frozenset()
    Record: ClassVar[type[BaseModel]]
    resources: ClassVar[Resources] = Resources()
    stateful: ClassVar[bool] = False
    schema_version: ClassVar[int] = 1

    @abstractmethod
    def run(self, ctx: AlgoContext) -> Sequence[RecordT]:
        """Compute this algo's records for ``ctx.asset``."""

    def fingerprint(self, asset: Asset) -> str:
        """Inputs besides the asset's bytes and this algo's config that its output depends on
        (e.g. a hash of a sidecar subtitle file); part of the memoisation key. Empty if none."""
        return ""

    def sink(self) -> Sink[RecordT] | None:
        """Where records go in the store; ``None`` keeps them in the feature store only."""
        return None


class Capability(StrEnum):
    """What a searcher can do, so the router knows where to send a request."""

    VECTOR = "vector"
    FULL_TEXT = "full_text"
    FILTERS = "filters"


class SearchContext:
    """What a searcher gets at query time: the store and the encoders, warmed up."""

    def __init__(
        self,
        store: VectorStore,
        components: Resolver,
        collection_of: Callable[[str], str],
    ) -> None:
        self.store = store
        self._components = components
        self._collection_of = collection_of

    def encoder(self, name: str) -> Encoder[Any]:
        """The named encoder, configured and warmed up (in this search process)."""
        return typed(self._components(ComponentKind.ENCODER, name), Encoder).warmed()

    def collection(self, algo: str) -> str:
        """The store collection holding ``algo``'s records."""
        return self._collection_of(algo)


class Searcher(Component[ConfigT]):
    """Answers search requests over one algo's records.

    Attributes:
        algo: The algo whose collection this searcher reads.
        capabilities: Vector kNN, full text, filters.
        query_kinds: Which request kinds it answers: ``text``, ``image``, ``like``, ``clip``.
    """

    kind = ComponentKind.SEARCHER
    algo: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text"})

    def accepts(self, request: SearchRequest) -> bool:
        """Whether this searcher should receive ``request``."""
        if request.algos and self.name not in request.algos and self.algo not in request.algos:
            return False
        return request.query_kind in self.query_kinds

    @abstractmethod
    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        """The hits for ``request``, best first, at most ``request.offset + request.limit``.

        The first ``n`` hits must not depend on the limit (the gateway often asks for one
        page and one more hit). Return new :class:`Hit` objects, not shared or cached ones:
        the gateway sets each one's ``searcher`` in place.
        """

    def hints(self, request: SearchRequest, ctx: SearchContext) -> list[str]:
        """What in ``request`` may be a mistake for this searcher, one sentence each: a name
        in its options that nothing indexed carries, with the closest known names. Called by
        the application after a search; the default finds nothing."""
        return []


class PostProcessor(Component[ConfigT]):
    """Rewrites the merged hit list: fuse scores, group, sort, merge, threshold, paginate.

    Post-processors run in the order the request or config names them, never in plugin load
    order. Its options are its ``Config`` model, one typed way for all: the configured values
    (``[components.postprocessors.<name>]``), overridden by the request fields named in
    :attr:`request_fields`, overridden by ``request.options[<name>]``. The gateway validates
    them once per request, before any searcher runs (a :class:`RequestError` naming the
    post-processor and the field); :meth:`options` returns them.

    Attributes:
        request_fields: Request fields that set an option, ``{field: option}``; e.g. ``sort``
            maps ``{"sort": "by"}``, so ``request.sort`` is its ``by`` option.
    """

    kind = ComponentKind.POSTPROCESSOR
    request_fields: ClassVar[Mapping[str, str]] = {}

    def options(self, request: SearchRequest) -> ConfigT:
        """This step's options for ``request`` (validated once, by the gateway).

        Raises:
            RequestError: They are not valid, naming this post-processor and the field.
        """
        fields = {
            option: getattr(request, field)
            for field, option in self.request_fields.items()
            if field in request.model_fields_set
        }
        return request_options(self, request, type(self.config), self.config.model_dump() | fields)

    @abstractmethod
    def process(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        """Return the processed hits."""

    def needs_candidates(self, request: SearchRequest, searchers: int) -> bool:
        """Whether this step, for ``request`` answered by ``searchers`` searchers, may need
        hits from beyond the requested page (to fuse, group, re-sort or merge them).

        When no step of the chain does, the gateway asks each searcher for the page and one
        more hit (a sign that a next page exists) instead of ``search_candidates`` hits,
        which costs far less on a large catalog. The default, ``True``, is always safe.
        """
        return True

    def process_response(self, request: SearchRequest, response: SearchResponse) -> SearchResponse:
        """What the gateway calls: the response after this step.

        By default :meth:`process` rewrites the hits; override it to set fields of the whole
        response as well, such as ``total`` or ``groups``.
        """
        return response.model_copy(update={"hits": self.process(request, response.hits)})

    def process_with_context(
        self, request: SearchRequest, response: SearchResponse, ctx: SearchContext
    ) -> SearchResponse:
        """What the gateway calls: :meth:`process_response`, by default.

        Override it in a step that reads the store to do its work (``ctx`` is what searchers
        get: ``ctx.store``, ``ctx.collection(algo)``); e.g. ``dedupe`` reads the
        near-duplicate groups of the hits' assets.
        """
        return self.process_response(request, response)


class Translator(Component[ConfigT]):
    """Translates query text into the language the searchable text is in.

    The gateway calls the configured translator (``translator`` setting) when a request's
    ``language`` differs from the ``search_language`` setting; with none configured, queries
    are searched as given.
    """

    kind = ComponentKind.TRANSLATOR

    @abstractmethod
    def translate(self, text: str, source_language: str, target_language: str) -> str:
        """``text`` in ``target_language``; languages are codes such as ``"fr"``, ``"en"``."""


def typed(component: Component[Any], expected: type[C]) -> C:
    """``component`` as an ``expected``; a :class:`TypeError` naming both if it is not one."""
    if not isinstance(component, expected):
        raise TypeError(
            f"{component.kind} {component.name!r} is a {type(component).__name__}, "
            f"not a {expected.__name__}"
        )
    return component


M = TypeVar("M", bound=BaseModel)


def options_for(component: Component[Any], request: SearchRequest) -> dict[str, Any]:
    """The per-request options addressed to ``component`` (``request.options[name]``), as
    given; :func:`request_options` validates them.

    Raises:
        RequestError: They are not an object of fields.
    """
    given = request.options.get(component.name, {})
    if isinstance(given, BaseModel):
        return given.model_dump()
    if not isinstance(given, dict):
        raise RequestError(
            f"options of {component.kind.label} {component.name!r} must be an object of "
            f"fields, not {type(given).__name__}"
        )
    return given


def request_options(
    component: Component[Any],
    request: SearchRequest,
    model: type[M],
    defaults: Mapping[str, Any] | None = None,
) -> M:
    """``request.options[component.name]`` validated as ``model``, on top of ``defaults``.

    Raises:
        RequestError: They are not valid ``model`` fields, naming the component and the field.
    """
    given = request.options.get(component.name)
    if isinstance(given, model):
        return given
    try:
        return model.model_validate({**(defaults or {}), **options_for(component, request)})
    except ValidationError as exc:
        problems = validation_problems(exc, "options")
        raise RequestError(
            f"invalid options for {component.kind.label} {component.name!r}: {problems}"
        ) from None


COMPONENT_BASES: dict[ComponentKind, type[Component[Any]]] = {
    base.kind: base
    for base in (Algo, Encoder, ShotDetector, FaceDetector, Searcher, PostProcessor, Translator)
}
"""The base class of each kind of component."""
assert set(COMPONENT_BASES) == set(ComponentKind), "every kind has one base class"
