"""Finding support case numbers in a subject and body, ranked, with leading zeros kept.

A case number is only taken where a label says it is one ("Case 01234567",
"case #", "Case Number:", "Fallnummer", "numéro de dossier"...), so phone
numbers, dates and order or invoice numbers are never taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from escalated.parsers.text import lower_in_place

# 5 to 12 digits, or 4 with a leading zero ("0123"): a bare 4-digit number after
# "case" is far more often a year or a count ("in case 2024", "case 1500 users").
# Not followed by more digit groups written like a phone number ("case 0049 89 123456").
_NUMBER = r"((?:[a-z]{1,4}-?)?(?:0\d{3,11}|[1-9]\d{4,11}))(?![\d/.:-]\d|\d|[ \t]\d{1,4}[ \t/-]\d)"
DEFAULT_CASE_PATTERNS: tuple[str, ...] = (
    # English: Case 01234567, case #0123456, case no. 123456, Case Number: 0123, [Case 0123],
    # Case-ID: 0123. Separators are spaces and tabs only (a number on a later line is not
    # joined to a "Case" ending the line above) and possessive ("*+"): a long run of spaces
    # is scanned once, never re-split between the optional pieces.
    r"(?<!\bin )\b(?:support[ \t]++)?case[ \t]*+(?:[-_]?(?:number|num|no|nr|id|ref(?:erence)?)\b)?"
    r"[ \t]*+\.?[ \t]*+(?:[:#=]|is\b)?[ \t]*+#?[ \t]*+\(?" + _NUMBER,
    # German, Dutch: Fall 0123, Fall-Nr. 0123, Fallnummer: 0123, Ticketnummer, Vorgang, zaaknummer
    r"\b(?:fall|fallnummer|vorgang|vorgangsnummer|ticket|ticketnummer|ticket-nr|zaak|zaaknummer|"
    r"casenummer|case-nummer|dossiernummer|meldingnummer|melding)[ \t]*+\.?[ \t]*+"
    r"(?:-?(?:nr|nummer|no)\b)?\.?[ \t]*+[:#]?[ \t]*+" + _NUMBER,
    # French, Spanish: cas n° 0123, numéro de dossier : 0123, caso #0123, número de caso: 0123
    r"\b(?:cas|dossier|caso|expediente|incidencia)[ \t]*+(?:n°|no|nº|núm\.?|num\.?|número|numéro)?"
    r"[ \t]*+\.?[ \t]*+[:#]?[ \t]*+" + _NUMBER,
    r"\b(?:numéro|número|n°|nº)[ \t]*+(?:(?:de|du)[ \t]++)?(?:cas|dossier|caso|ticket|incidencia)"
    r"[ \t]*+[:#]?[ \t]*+" + _NUMBER,
)
"""The built-in patterns: one capture group each, matched case-insensitively.

(Written in lower case: internally they run without ``re.IGNORECASE`` on a
lower-cased copy of the text, which is several times faster, and the number is
then cut from the original text; a letter prefix is kept only when it was
written in capitals, as in ``CS0012345``.)
"""
_DEFAULT_COMPILED = tuple(re.compile(p, re.M) for p in DEFAULT_CASE_PATTERNS)
_LIST_CONTINUATION = re.compile(
    r"\)?(?<![ \t])[ \t]*+(?:,|;|/|&|\band\b|\bund\b|\bet\b|\by\b|\ben\b|\bor\b|\boder\b|\bou\b)"
    r"(?:[ \t]*+(?:and|und|et|y|en)\b)?[ \t]*+#?\(?" + _NUMBER
)
_LIST_GOES_ON = re.compile(
    r"\)?[ \t]*+(?:[,;/&.!?)]|\band\b|\bund\b|\bet\b|\by\b|\ben\b|\bor\b|\boder\b|\bou\b|\n|$)"
)
"""After a listed number: the list goes on, or the sentence ends."""
"""With the default patterns, numbers listed after a labelled one ("Case 0123456,
0123457 and 0123458") are case numbers too."""


def _keep_capital_prefix(value: str) -> str:
    if not value or value[0].isdigit():
        return value
    digits_at = next((i for i, c in enumerate(value) if c.isdigit()), len(value))
    prefix = value[:digits_at]
    if prefix and not prefix.rstrip("-").isupper():
        return value[digits_at:]
    return value


@lru_cache(maxsize=64)
def compile_patterns(patterns: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...]]:
    """Compile ``patterns`` (case-insensitive, multi-line); return ``(compiled, problems)``.

    An invalid regular expression is skipped and reported, never raised.
    """
    compiled = []
    problems = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.I | re.M))
        except (re.error, TypeError) as exc:
            problems.append(f"case pattern {pattern!r} is invalid: {exc}")
    return tuple(compiled), tuple(problems)


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _add_listed(text: str, searched: str, position: int, width: int, hits: dict[str, list[int]],
                leading_zero: bool = False) -> None:
    """Add the numbers listed right after a labelled one ending at ``position``; only those
    with its ``width`` in digits (case numbers have one width: "Case 0123456, 12345 users" lists none)."""
    for _ in range(20):
        listed = _LIST_CONTINUATION.match(searched, position)
        if not listed:
            return
        value = _keep_capital_prefix(text[listed.start(1) : listed.end(1)])
        if _digit_count(value) != width or (leading_zero and not value.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ-")
                                              .startswith("0")):
            return
        # "0123457 users", "0123457 is our hotline": a count or another number, not a case -- unless
        # it is the last of a list ("..., 0012346 and 0012347 are stuck") written with the same leading zero.
        by_conjunction = any(c.isalpha() for c in searched[position : listed.start(1)])
        if not _LIST_GOES_ON.match(searched, listed.end(1)) and not (by_conjunction and leading_zero):
            return
        if value:
            hits.setdefault(value.strip(), []).append(listed.start(1))
        position = listed.end(1)


def find_case_numbers(
    texts: Sequence[str], patterns: Sequence[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Distinct case numbers in ``texts``, best first; return ``(numbers, problems)``.

    ``texts`` are given in rank order (subject, new text, then quoted text): every
    number found in an earlier text ranks before those only found in later ones;
    within one text, more mentions rank higher, then earlier position. Each
    pattern's first capture group is the number as written (group 0 if it has none).
    """
    default = patterns is None
    if default:
        compiled, problems = _DEFAULT_COMPILED, ()
    else:
        compiled, problems = compile_patterns(tuple(patterns or ()))
    ranked: list[str] = []
    for text in texts:
        if not text:
            continue
        text = text[:500_000]
        searched = lower_in_place(text) if default else text
        hits: dict[str, list[int]] = {}
        for regex in compiled:
            for match in regex.finditer(searched):
                group = 1 if regex.groups >= 1 else 0
                value = text[match.start(group) : match.end(group)] if match.group(group) else ""
                if default:
                    value = _keep_capital_prefix(value)
                if value:
                    hits.setdefault(value.strip(), []).append(match.start())
                if default and value:
                    _add_listed(text, searched, match.end(group), _digit_count(value), hits,
                                leading_zero=value.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ-").startswith("0"))
        order = sorted(hits, key=lambda v: (-len(hits[v]), min(hits[v])))
        for value in order:
            if value not in ranked:
                ranked.append(value)
    return tuple(ranked), problems
