"""Where in a transcribed line a phrase is spoken, from its word timings.

Words are compared the way the store's full-text index compares them: case-folded runs of
letters and digits (``Don't!`` is ``don`` ``t``), so a line the index matched is found here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reelsearch.plugins.dialogue.record import Word

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """The index's words of ``text``."""
    return [token.casefold() for token in _TOKEN.findall(text)]


def phrase_span(words: Sequence[Word], phrase: str) -> tuple[float, float] | None:
    """``(start, end)`` of the first place ``phrase`` is spoken among ``words``.

    Returns:
        The start of its first word and the end of its last, or ``None`` if it is not there.
    """
    wanted = tokens(phrase)
    spoken = [(token, word) for word in words for token in tokens(word.text)]
    for at in range(len(spoken) - len(wanted) + 1) if wanted else ():
        if [token for token, _ in spoken[at : at + len(wanted)]] == wanted:
            return spoken[at][1].start, spoken[at + len(wanted) - 1][1].end
    return None


def matched_words(text: str, query: str, *, consecutive: bool = False) -> list[dict[str, Any]]:
    """Where the query's words are in ``text``: ``{"text", "start", "end"}`` with character
    offsets, in order. With ``consecutive``, only the first run of them that spells the whole
    query (a phrase match); else every word of the text that the query holds."""
    wanted = tokens(query)
    found = [(m.group().casefold(), m) for m in _TOKEN.finditer(text)]
    if consecutive:
        for at in range(len(found) - len(wanted) + 1) if wanted else ():
            if [token for token, _ in found[at : at + len(wanted)]] == wanted:
                return [_word(m) for _, m in found[at : at + len(wanted)]]
        return []
    return [_word(m) for token, m in found if token in set(wanted)]


def _word(match: re.Match[str]) -> dict[str, Any]:
    return {"text": match.group(), "start": match.start(), "end": match.end()}
