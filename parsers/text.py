"""Small text helpers shared by the extraction modules."""

from __future__ import annotations


def lower_in_place(text: str) -> str:
    """``text`` in lower case with every character at its original index.

    The keyword patterns are written in lower case and compiled without
    ``re.IGNORECASE`` (three to eight times faster); matching them against this
    keeps match positions valid in the original text. A character whose lower
    case is longer (``"İ"``) is kept as it is.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
