"""The extension points: what a plugin subclasses to add an encoder, algo, searcher or
post-processor.

Components are registered as classes and built by the runtime with their validated config.
``__init__`` stays light; anything heavy (model weights) loads in :meth:`Encoder.warm_up`,
inside the executor, never at import or registration.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.core.models import Asset, Hit, SearchRequest, SearchResponse

if TYPE_CHECKING:
    from reelsearch.core.store.base import CollectionSpec, Point, VectorStore

RecordT = TypeVar("RecordT", bound=BaseModel)

ComponentKind = str
"""One of ``"algo"``, ``"encoder"``, ``"detector"``, ``"searcher"``, ``"postprocessor"``,
``"translator"``."""


class NoConfig(BaseModel):
    """The config of a component that takes none."""

    model_config = ConfigDict(extra="forbid")


class Resources(BaseModel):
    """What one instance of a component asks the executor for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpus: float = Field(default=1.0, ge=0)
    gpus: float = Field(default=0.0, ge=0)


class Component(ABC):
    """What every registered component has: a unique name, a description and a config model.

    Attributes:
        name: Unique among components of its kind; used in config files, requests and the CLI.
        description: One line shown by ``reelsearch plugins``.
        Config: Pydantic model of the component's options; must set ``extra="forbid"`` so that a
            misspelled option is an error rather than silently ignored.
    """

    kind: ClassVar[ComponentKind]
    name: ClassVar[str]
    description: ClassVar[str] = ""
    Config: ClassVar[type[BaseModel]] = NoConfig

    def __init__(self, config: BaseModel | None = None) -> None:
        self.config = config if config is not None else self.Config()
        self._resolve: Callable[[ComponentKind, str], Component] | None = None

    def bind(self, resolve: Callable[[ComponentKind, str], Component]) -> None:
        """Called by the runtime right after construction: how to reach other components."""
        self._resolve = resolve

    def component(self, kind: ComponentKind, name: str) -> Component:
        """Another registered component, configured (encoders warmed up on first use).

        For example a sink asks its encoder for the vector size:
        ``self.component("encoder", "clip")``.
        """
        if self._resolve is None:
            raise RuntimeError(f"{self.kind} {self.name!r} is not bound to a runtime")
        return self._resolve(kind, name)


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


class Encoder(Component):
    """Turns text, images, frames or audio into vectors in one embedding space.

    Attributes:
        modalities: What :meth:`encode_text` / :meth:`encode_images` accept.
        resources: What one encoder instance needs from the executor.
    """

    kind = "encoder"
    modalities: ClassVar[frozenset[Modality]]
    resources: ClassVar[Resources] = Resources()

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of the vectors this encoder returns."""

    def warm_up(self) -> None:
        """Load weights; called once, lazily, where the encoder runs (not at import)."""

    def encode_text(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` as rows of a ``(len(texts), dimension)`` array."""
        raise NotImplementedError(f"encoder {self.name!r} does not embed text")

    def encode_images(self, images: Sequence[Image]) -> Vectors:
        """Embed RGB ``images`` as rows of a ``(len(images), dimension)`` array."""
        raise NotImplementedError(f"encoder {self.name!r} does not embed images")


FrameBatch = NDArray[np.uint8]
"""``(n, height, width, 3)`` RGB frames, consecutive in decode order."""


class ShotDetector(Component):
    """Finds the frames where a new shot starts, from one sequential pass over small frames.

    Attributes:
        frame_size: ``(width, height)`` of the frames :meth:`detect` wants; the decoder scales
            to it in the same pass.
    """

    kind = "detector"
    frame_size: ClassVar[tuple[int, int]] = (48, 27)

    @abstractmethod
    def detect(self, batches: Iterable[FrameBatch], fps: float) -> list[int]:
        """Frame numbers where a new shot starts, ascending, excluding 0.

        Args:
            batches: All frames of the video in order, in batches.
            fps: The video's frame rate (for time-based settings such as minimum shot length).
        """


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
        inputs: Records of each algo named in ``depends_on``, by algo name.
        media_dir: A folder of this asset and algo under the data home, for files such as
            thumbnails; created on first use.
        progress: Report progress of long work; shown as a progress bar.
    """

    def __init__(
        self,
        asset: Asset,
        inputs: Mapping[str, Sequence[BaseModel]],
        media_dir: Path,
        components: Callable[[ComponentKind, str], Component],
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

    def encoder(self, name: str) -> Encoder:
        """The named encoder, configured and warmed up."""
        return _typed(self._components("encoder", name), Encoder)

    def detector(self, name: str) -> ShotDetector:
        """The named shot detector, configured."""
        return _typed(self._components("detector", name), ShotDetector)

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


class Algo(Component, Generic[RecordT]):
    """A media-understanding algorithm: one asset in, typed records out.

    Attributes:
        version: Bump it when outputs change; memoised outputs of other versions are not reused.
        depends_on: Names of algos whose records :meth:`run` reads (``ctx.inputs``).
        Record: Pydantic model of one output record (the algo's schema).
        resources: CPU / GPU the executor reserves for one run.
        stateful: It loads something costly (a model) that its runs should share: on Ray it
            runs on a pool of long-lived actors (``ray_actors`` of them, default as many as
            the cluster fits with ``resources``) that keep it loaded from asset to asset,
            instead of one task per asset.
        schema_version: Bump it when the stored payload layout changes; each schema version has
            its own store collection.
    """

    kind = "algo"
    version: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()
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
        components: Callable[[ComponentKind, str], Component],
        collection_of: Callable[[str], str],
    ) -> None:
        self.store = store
        self._components = components
        self._collection_of = collection_of

    def encoder(self, name: str) -> Encoder:
        """The named encoder, configured and warmed up."""
        return _typed(self._components("encoder", name), Encoder)

    def collection(self, algo: str) -> str:
        """The store collection holding ``algo``'s records."""
        return self._collection_of(algo)


class Searcher(Component):
    """Answers search requests over one algo's records.

    Attributes:
        algo: The algo whose collection this searcher reads.
        capabilities: Vector kNN, full text, filters.
        query_kinds: Which request kinds it answers: ``text``, ``image``, ``like``, ``clip``.
    """

    kind = "searcher"
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


class PostProcessor(Component):
    """Rewrites the merged hit list: fuse scores, group, sort, merge, threshold, paginate.

    Post-processors run in the order the request or config names them, never in plugin load
    order. Per-request options arrive in ``request.options[self.name]``.
    """

    kind = "postprocessor"

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


class Translator(Component):
    """Translates query text into the language the searchable text is in.

    The gateway calls the configured translator (``translator`` setting) when a request's
    ``language`` differs from the ``search_language`` setting; with none configured, queries
    are searched as given.
    """

    kind = "translator"

    @abstractmethod
    def translate(self, text: str, source_language: str, target_language: str) -> str:
        """``text`` in ``target_language``; languages are codes such as ``"fr"``, ``"en"``."""


T = TypeVar("T", bound=Component)


def _typed(component: Component, expected: type[T]) -> T:
    if not isinstance(component, expected):
        raise TypeError(f"{component.name!r} is a {component.kind}, not a {expected.kind}")
    return component


def options_for(component: Component, request: SearchRequest) -> dict[str, Any]:
    """The per-request options addressed to ``component`` (``request.options[name]``)."""
    value = request.options.get(component.name, {})
    return value if isinstance(value, dict) else {}


COMPONENT_BASES: dict[ComponentKind, type[Component]] = {
    "algo": Algo,
    "encoder": Encoder,
    "detector": ShotDetector,
    "searcher": Searcher,
    "postprocessor": PostProcessor,
    "translator": Translator,
}
