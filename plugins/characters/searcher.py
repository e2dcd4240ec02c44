"""The ``characters`` searcher: the shots where a character is on screen, or a face like a
photo's.

It answers only requests that name it (``algos: ["characters"]``): a ``text`` query is a
character's name, as given with ``reelsearch characters name``, or its id (named or not); an
``image`` query is a photo of a person, whose largest face is matched against every face
track.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from reelsearch.plugins.characters.book import CLUSTER_ID, CharacterBook, UnknownCharacterError
from reelsearch.plugins.characters.encoder import face_crop
from reelsearch.plugins.characters.faces import FacesAlgo
from reelsearch.plugins.characters.names import FACE, name_key
from reelsearch.sdk import (
    Capability,
    Hit,
    Image,
    MetadataValue,
    Point,
    PointFilter,
    RequestError,
    ScoredPoint,
    SearchContext,
    Searcher,
    SearchRequest,
)

MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_BYTES = 50 * 1024 * 1024


class NoFaceError(RequestError):
    """A photo given to search by face shows no face."""


def load_photo(path: str | Path) -> Image:
    """The photo at ``path`` as RGB, refusing what is not an image or is too large.

    Raises:
        RequestError: Naming the file and the problem.
    """
    import warnings

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    name = Path(path).name
    try:
        if Path(path).stat().st_size > MAX_IMAGE_BYTES:
            raise RequestError(f"{name}: larger than {MAX_IMAGE_BYTES // 2**20} MiB")
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as photo:
                if photo.width * photo.height > MAX_IMAGE_PIXELS:
                    raise RequestError(
                        f"{name}: {photo.width}x{photo.height} is more than "
                        f"{MAX_IMAGE_PIXELS // 1_000_000} million pixels"
                    )
                return np.asarray(photo.convert("RGB"))
    except FileNotFoundError:
        raise RequestError(f"image {name} does not exist") from None
    except (
        OSError,
        UnidentifiedImageError,
        ValueError,
        PILImage.DecompressionBombError,
        PILImage.DecompressionBombWarning,
    ) as exc:
        raise RequestError(f"{name} is not a readable image: {exc}") from None


class CharactersSearcher(Searcher):
    """Face tracks by character name or by a photo's face, from the ``face_tracks``
    collection; each hit is a track: the time a face is on screen in one shot."""

    name = "characters"
    algo = "faces"
    description = "Shots where a named character, or the person in a photo, is on screen."
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VECTOR, Capability.FILTERS}
    )
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text", "image"})

    def accepts(self, request: SearchRequest) -> bool:
        named = self.name in request.algos
        return named and request.query_kind in self.query_kinds

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        collection = ctx.collection(self.algo)
        wanted = request.offset + request.limit
        scope = request.filter.model_dump()
        if request.image is not None:
            vector = self.face_vector(request.image, ctx)
            if collection not in ctx.store.collections():
                return []
            found = ctx.store.search(
                collection, vector, using=FACE, filter=PointFilter(**scope), limit=wanted
            )
            return [self._hit(p) for p in found]
        if collection not in ctx.store.collections():
            return []
        named = PointFilter(**scope, fields=self._who(request.text or "", ctx))
        tracks = sorted(
            ctx.store.points(collection, filter=named),
            key=lambda p: (p.payload["title"], p.payload["asset_id"], p.payload["start"], p.id),
        )
        return [self._hit(ScoredPoint(**p.model_dump(), score=1.0)) for p in tracks[:wanted]]

    def _who(self, text: str, ctx: SearchContext) -> dict[str, MetadataValue]:
        """The face-track condition for ``text``: a character's id (``c`` + 8 hex digits, as
        listed) names its tracks, named or not; anything else is a name."""
        if CLUSTER_ID.match(text.strip()):
            try:
                return {"track": CharacterBook(ctx.store).character(text.strip()).tracks}
            except UnknownCharacterError:
                pass
        return {"character_key": name_key(text)}

    def face_vector(self, image: str, ctx: SearchContext) -> list[float]:
        """The unit descriptor of the largest face in the photo at ``image``.

        Raises:
            NoFaceError: The face detector finds none.
        """
        faces = self.component(FacesAlgo, self.algo)
        photo = load_photo(image)
        boxes = faces.detector().warmed().detect_faces([photo])[0]
        if not boxes:
            raise NoFaceError(f"no face found in {Path(image).name}; give a photo of a face")
        largest = max(boxes, key=lambda b: b.size)
        vector = faces.encoder().warmed().encode_images([face_crop(photo, largest)])[0]
        return [float(x) for x in vector / (np.linalg.norm(vector) or 1.0)]

    def _hit(self, point: ScoredPoint | Point) -> Hit:
        assert isinstance(point, ScoredPoint)
        return Hit.from_point(
            point,
            algo=self.algo,
            extra={"character": point.payload.get("character"), "track": point.payload["track"]},
        )
