"""Finding support case numbers in a subject and body, ranked, with leading zeros kept.

A case number is only taken where a label says it is one ("Case 01234567",
"case #", "Case Number:", "Fallnummer", "numéro de dossier"...), so phone
numbers, dates and order or invoice numbers are never taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_NUMBER = r"((?-i:[A-Z]{1,4}-?)?\d{4,12})(?![\d/.:-]\d|\d)"
DEFAULT_CASE_PATTERNS: tuple[str, ...] = (
    # English: Case 01234567, case #0123456, case no. 123456, Case Number: 0123, [Case 0123]
    r"\b(?:support\s+)?case\s*(?:number|num|no|nr|id|ref(?:erence)?)?\s*\.?\s*(?:[:#=]|is)?\s*#?\s*"
    + _NUMBER,
    # German, Dutch: Fall 0123, Fallnummer: 0123, Ticketnummer, Vorgang, zaaknummer, casenummer
    r"\b(?:fall|fallnummer|vorgang|vorgangsnummer|ticket|ticketnummer|ticket-nr|zaak|zaaknummer|"
    r"casenummer|case-nummer|dossiernummer|meldingnummer|melding)\s*\.?\s*(?:nr|nummer|no)?\.?\s*"
    r"[:#]?\s*" + _NUMBER,
    # French, Spanish: cas n° 0123, numéro de dossier : 0123, caso #0123, número de caso: 0123
    r"\b(?:cas|dossier|caso|expediente|incidencia)\s*(?:n°|no|nº|núm\.?|num\.?|número|numéro)?\s*"
    r"\.?\s*[:#]?\s*" + _NUMBER,
    r"\b(?:numéro|número|n°|nº)\s*(?:de|du)?\s*(?:cas|dossier|caso|ticket|incidencia)\s*[:#]?\s*"
    + _NUMBER,
)
"""The built-in patterns: one capture group each, matched case-insensitively."""


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


def find_case_numbers(
    texts: Sequence[str], patterns: Sequence[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Distinct case numbers in ``texts``, best first; return ``(numbers, problems)``.

    ``texts`` are given in rank order (subject, new text, then quoted text): every
    number found in an earlier text ranks before those only found in later ones;
    within one text, more mentions rank higher, then earlier position. Each
    pattern's first capture group is the number as written (group 0 if it has none).
    """
    compiled, problems = compile_patterns(tuple(patterns or DEFAULT_CASE_PATTERNS))
    ranked: list[str] = []
    for text in texts:
        if not text:
            continue
        text = text[:500_000]
        hits: dict[str, list[int]] = {}
        for regex in compiled:
            for match in regex.finditer(text):
                value = match.group(1) if regex.groups >= 1 else match.group(0)
                if value:
                    hits.setdefault(value.strip(), []).append(match.start())
        order = sorted(hits, key=lambda v: (-len(hits[v]), min(hits[v])))
        for value in order:
            if value not in ranked:
                ranked.append(value)
    return tuple(ranked), problems
