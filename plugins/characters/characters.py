"""The ``characters`` algo: a video's face tracks clustered into people."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.characters.book import CharacterBook
from reelsearch.plugins.characters.clustering import Method, Metric, cluster
from reelsearch.plugins.characters.records import Character, FaceTrack
from reelsearch.plugins.characters.sinks import CharactersSink
from reelsearch.plugins.characters.voices import relabel
from reelsearch.sdk import Algo, AlgoContext, VectorStore


class CharactersConfig(BaseModel):
    """Options of the ``characters`` algo (``[components.algos.characters]``)."""

    model_config = ConfigDict(extra="forbid")

    method: Method = Field(default="agglomerative", description="agglomerative or dbscan.")
    metric: Metric = Field(default="euclidean", description="Distance between descriptors.")
    threshold: float = Field(
        default=0.6,
        gt=0,
        description="Tracks nearer than this are one person (dlib's usual 0.6, Euclidean).",
    )


class CharactersAlgo(Algo[Character, CharactersConfig]):
    """Clusters a video's face tracks by their mean descriptors: one record per person.

    Names given to characters are not part of the records: they belong to the tracks
    (``reelsearch characters name``), so they hold when the clusters are computed again.
    """

    name = "characters"
    description = "Face tracks clustered into characters, per title."
    version = "1"
    depends_on = ("faces",)

    def run(self, ctx: AlgoContext) -> list[Character]:
        tracks = ctx.records("faces", FaceTrack)
        labels = cluster(
            [t.vector for t in tracks],  # type: ignore[arg-type]
            threshold=self.config.threshold,
            method=self.config.method,
            metric=self.config.metric,
        )
        groups: dict[int, list[FaceTrack]] = {}
        for label, track in zip(labels, tracks, strict=True):
            groups.setdefault(label, []).append(track)
        return [character_of(members) for members in groups.values()]

    def sink(self) -> CharactersSink:
        return CharactersSink(self.name, self.version)

    def book(self, store: VectorStore) -> CharacterBook:
        """The characters in ``store``, to list, name, merge and split (what the
        ``reelsearch characters`` command and the ``/api/characters`` routes use)."""
        return CharacterBook(store, relabel)


def character_of(tracks: list[FaceTrack]) -> Character:
    """The character of ``tracks`` (in their order): their shots, screen time and the crop
    of the largest face."""
    best = max(tracks, key=lambda t: (max(t.box_sizes, default=0), -t.start))
    return Character(
        key=tracks[0].key,
        tracks=[t.key for t in tracks],
        shots=sorted({t.shot_index for t in tracks}),
        start=min(t.start for t in tracks),
        end=max(t.end for t in tracks),
        screen_time=round(sum(t.end - t.start for t in tracks), 3),
        thumbnail=best.thumbnail,
    )
