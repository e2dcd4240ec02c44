"""The ``dialogue`` searcher: exact phrases, words and paraphrases of lines, by speaker.

Modes (``request.options["dialogue"]["mode"]``):

- ``phrase``: lines holding the query's words consecutively, in order (full-text index);
- ``words``: lines holding all the query's words, in any order;
- ``semantic``: lines nearest the query's sentence embedding (paraphrases, other wordings);
- ``auto`` (default): exact phrases first, then semantic hits for the rest of the page.

Exact hits score ``1 + (1 + cosine) / 2`` (1 to 2), above every semantic hit (its cosine,
at most 1), and are ranked among themselves by similarity. A phrase hit on a transcribed line
spans just the words of the phrase, and names the shot where they start.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from reelsearch.plugins.algos.dialogue.algo import DialogueConfig
from reelsearch.plugins.algos.dialogue.phrases import phrase_span, tokens
from reelsearch.plugins.algos.dialogue.record import Word
from reelsearch.plugins.algos.dialogue.sink import SPEAKER_KEY, TEXT, collection_name, speaker_key
from reelsearch.sdk import (
    Capability,
    Hit,
    MetadataValue,
    PointFilter,
    RequestError,
    ScoredPoint,
    SearchContext,
    Searcher,
    SearchRequest,
    options_for,
    validation_problems,
)

EXACT = 1.0
"""The lowest score of an exact (phrase or words) hit."""


class DialogueOptions(BaseModel):
    """Per-request options, ``request.options["dialogue"]``."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["auto", "phrase", "words", "semantic"] = "auto"
    speaker: str | list[str] | None = None
    """Only lines of this speaker or character (any of a list), matched ignoring case."""
    language: str | list[str] | None = None
    """Only lines in this language (any of a list), as the subtitles or Whisper name it."""

    def fields(self) -> dict[str, MetadataValue]:
        """The payload conditions these options ask for."""
        found: dict[str, MetadataValue] = {}
        if self.speaker is not None:
            names = [self.speaker] if isinstance(self.speaker, str) else self.speaker
            found[SPEAKER_KEY] = [speaker_key(name) for name in names]
        if self.language is not None:
            found["language"] = self.language
        return found


class DialogueSearcher(Searcher):
    """Finds lines of dialogue by exact phrase, words or meaning.

    It shares ``[components.dialogue]`` with the algo (components are configured by name), so
    queries are embedded by the encoder that embedded the lines.
    """

    name = "dialogue"
    algo = "dialogue"
    description = "Lines of dialogue by exact phrase or paraphrase, filtered by speaker."
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VECTOR, Capability.FULL_TEXT, Capability.FILTERS}
    )
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text"})
    Config = DialogueConfig

    @property
    def settings(self) -> DialogueConfig:
        assert isinstance(self.config, DialogueConfig)
        return self.config

    def options(self, request: SearchRequest) -> DialogueOptions:
        """This request's dialogue options; a :class:`RequestError` if they are invalid."""
        try:
            return DialogueOptions.model_validate(options_for(self, request))
        except ValidationError as exc:
            problems = validation_problems(exc, "options")
            raise RequestError(f"invalid dialogue options: {problems}") from None

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        options = self.options(request)
        collection = collection_name(self.settings.encoder)
        if collection not in ctx.store.collections():
            return []  # nothing ingested with this encoder yet: no need to load it
        query = request.text or ""
        vector = ctx.encoder(self.settings.encoder).encode_text([query])[0].tolist()
        scope = PointFilter(**request.filter.model_dump(), fields=options.fields())
        wanted = request.offset + request.limit
        hits: list[Hit] = []
        if options.mode != "semantic" and tokens(query):
            kind = "words" if options.mode == "words" else "phrases"
            exact = scope.model_copy(update={kind: {TEXT: query}})
            found = ctx.store.search(collection, vector, using=TEXT, filter=exact, limit=wanted)
            phrase = query if kind == "phrases" else None
            hits = [self._hit(p, EXACT + (1.0 + p.score) / 2, phrase) for p in found]
        if options.mode in ("auto", "semantic") and len(hits) < wanted:
            excluded = [*scope.exclude_ids, *(hit.id for hit in hits)]
            rest = scope.model_copy(update={"exclude_ids": excluded})
            found = ctx.store.search(
                collection, vector, using=TEXT, filter=rest, limit=wanted - len(hits)
            )
            hits.extend(self._hit(p, p.score) for p in found)
        return hits

    def _hit(self, point: ScoredPoint, score: float, phrase: str | None = None) -> Hit:
        payload = point.payload
        place = spoken_at(payload, phrase) if phrase else None
        start, end, shot = place or (payload["start"], payload["end"], _shot_of(payload))
        return Hit(
            id=point.id,
            asset_id=payload["asset_id"],
            title=payload["title"],
            algo=self.algo,
            score=score,
            start=start,
            end=end,
            fps=payload.get("fps"),
            **shot,
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
