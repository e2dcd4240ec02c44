"""Query processing: a request as sent, turned into what the router and post-processors run.

This stage finds where the requested page starts (offset, page or cursor), translates the
text when the request's language is not the search language and a translator is configured,
chooses the searchers and the post-processor chain, and works out how many hits to ask each
searcher for: ``search_candidates`` when a step of the chain works beyond the page (fusing
several searchers, grouping, sorting by time, merging, intersecting), else the page and one
more hit. A searcher's first ``n`` hits must therefore be the same whatever limit it gets.

Each searcher still encodes the query its own way (text, image or frames into its own
embedding space) when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reelsearch.core.components import PostProcessor, Searcher, Translator
from reelsearch.core.config import Settings
from reelsearch.core.cursor import first_hit
from reelsearch.core.errors import RequestError
from reelsearch.core.factory import ComponentFactory
from reelsearch.core.models import SearchRequest
from reelsearch.core.router import Router
from reelsearch.core.telemetry import span

PAGINATE = "paginate"
"""The post-processor that cuts the page; every chain ends with it unless it names it."""

FIELD_STEPS = {
    "min_score": "min_score",
    "sort": "sort",
    "group_by": "group",
    "intersect": "intersect",
}
"""Request fields and the post-processor that acts on each: a request that sets the field
needs that post-processor in its chain."""

_UNSET = {
    field: SearchRequest.model_fields[field].get_default(call_default_factory=True)
    for field in FIELD_STEPS
}
"""Each of those fields' default (worked out once: pydantic inspects the factory each time)."""


@dataclass(frozen=True)
class ProcessedQuery:
    """A request ready to run.

    Attributes:
        request: The request with its page start in ``offset`` (no page or cursor) and its
            text translated; what post-processors get.
        for_searchers: What searchers get: the same from offset 0, with ``limit`` the number
            of candidates to return.
        searchers: Where the router sends it.
        chain: The post-processors to run, in order.
        translated_text: The translated text, if the text was translated.
        one_page: No step of the chain needs hits beyond the page, so the searchers are asked
            for the page and one more hit only (not ``search_candidates``); how many hits
            there are in all is then unknown when there is a next page.
    """

    request: SearchRequest
    for_searchers: SearchRequest
    searchers: Sequence[Searcher]
    chain: Sequence[PostProcessor]
    translated_text: str | None = None
    one_page: bool = False


class QueryProcessor:
    """Turns requests into :class:`ProcessedQuery` objects (the ``gateway.process`` stage)."""

    def __init__(self, factory: ComponentFactory, settings: Settings, router: Router) -> None:
        self.factory = factory
        self.settings = settings
        self.router = router

    def process(self, request: SearchRequest) -> ProcessedQuery:
        """Check and prepare ``request``.

        Raises:
            RequestError: A bad cursor, options for no step, or a field whose post-processor
                the chain leaves out.
            UnknownComponentError: An unknown searcher, post-processor or translator.
        """
        start = first_hit(request, self.settings)
        chain = self.chain(request)
        translated = self.translate(request)
        ready = request.model_copy(
            update={"offset": start, "page": None, "cursor": None}
            | ({"text": translated} if translated is not None else {})
        )
        # Each step's options, validated once here (before any searcher runs) and kept in
        # the request, where the step's options() finds them.
        options = {post.name: post.options(ready) for post in chain}
        ready = ready.model_copy(update={"options": {**ready.options, **options}})
        searchers = self.router.searchers(ready)
        page_and_one = start + request.limit + 1  # the extra hit: is there a next page?
        wide = any(post.needs_candidates(ready, len(searchers)) for post in chain)
        candidates = max(self.settings.search_candidates, page_and_one) if wide else page_and_one
        return ProcessedQuery(
            request=ready,
            for_searchers=ready.model_copy(update={"offset": 0, "limit": candidates}),
            searchers=searchers,
            chain=chain,
            translated_text=translated,
            one_page=not wide,
        )

    def chain(self, request: SearchRequest) -> list[PostProcessor[Any]]:
        """The request's post-processors, else the configured chain, ending in ``paginate``."""
        names = list(request.postprocessors or self.settings.postprocessors)
        if PAGINATE not in names:
            names.append(PAGINATE)
        self._check_addressed(request, names)
        chain = []
        for name in names:
            chain.append(self.factory(PostProcessor, name).warmed())
        return chain

    def _check_addressed(self, request: SearchRequest, names: Sequence[str]) -> None:
        """Refuse fields and options that nothing in the chain (or no searcher) would read."""
        steps = f"this request's chain ({', '.join(names)})"
        for field, step in FIELD_STEPS.items():
            if getattr(request, field) != _UNSET[field] and step not in names:
                raise RequestError(
                    f"{field} needs the {step!r} post-processor, which {steps} leaves out"
                )
        registry = self.factory.registry
        addressed = set(names) | set(registry.names("searcher")) | set(registry.names("algo"))
        unknown = sorted(set(request.options) - addressed)
        if unknown:
            raise RequestError(
                f"options for {', '.join(map(repr, unknown))}, which is neither a searcher nor "
                f"a post-processor of {steps}"
            )

    def translate(self, request: SearchRequest) -> str | None:
        """The request's text in the search language, or ``None`` if it needs no translating
        (no text, no language given, already the search language, or no translator)."""
        name, target = self.settings.translator, self.settings.search_language
        if request.text is None or request.language is None or name is None:
            return None
        if _primary(request.language) == _primary(target):
            return None
        translator = self.factory(Translator, name).warmed()
        with span(
            self.settings,
            f"translator.{name}",
            source_language=request.language,
            target_language=target,
        ):
            text = translator.translate(request.text, request.language, target)
        if not text.strip():
            raise RequestError(f"translator {name!r} turned {request.text!r} into nothing")
        return text


def _primary(language: str) -> str:
    """``"en"`` for ``"en-GB"`` or ``"EN_us"``."""
    return language.replace("_", "-").split("-")[0].lower()
