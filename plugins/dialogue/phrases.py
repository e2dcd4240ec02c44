"""Where in a transcribed line a phrase is spoken, from its word timings.

Words are compared the way the store's full-text index compares them: case-folded runs of
letters and digits (``Don't!`` is ``don`` ``t``), so a line the index matched is found here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
