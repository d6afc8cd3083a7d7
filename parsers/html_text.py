"""HTML to readable plain text: paragraphs, lists and table cells kept apart.

Uses inscriptis (chosen over html2text by the corpus comparison in
``docs/parsing.md``: it keeps table cells as aligned columns and adds no
Markdown markup). A regular-expression tag stripper is the fallback when the
HTML cannot be parsed at all.
"""

from __future__ import annotations

import html
import re

MAX_HTML_CHARS = 2_000_000
"""Longer HTML is cut before conversion: an escalation never needs more, and time stays bounded."""

_DROP_OPEN = re.compile(r"<(script|style|head|title|xml)\b[^<>]{0,2000}>|<!--", re.I)
_DROP_CLOSE = {
    kind: re.compile(rf"</{kind}\s*+>", re.I) for kind in ("script", "style", "head", "title", "xml")
}
_BREAKS = re.compile(r"<\s*+(br|/p|/div|/tr|/li|/h\d|/table|/blockquote)\b[^<>]*+>", re.I)
_CELLS = re.compile(r"<\s*/t[dh]\s*>", re.I)
_TAGS = re.compile(r"<[^<>]*+>")
_BLANKS = re.compile(r"\n[ \t\xa0]*\n(?:[ \t\xa0]*\n)+")


def strip_tags(markup: str) -> str:
    """The crude fallback: drop tags, keep line and cell breaks, unescape entities."""
    text = _drop_blocks(markup)
    text = _BREAKS.sub("\n", text)
    text = _CELLS.sub("  ", text)
    text = _TAGS.sub("", text)
    return tidy(html.unescape(text))


def _drop_blocks(markup: str) -> str:
    """Replace ``<script>…</script>`` (style, head, title, xml) and ``<!-- … -->`` by a space.

    A search loop, not one lazy ``.*?`` pattern: that rescanned to the end of the
    document from every opening without a closing (20,000 ``<!--``: 6 s). An
    opening that is never closed is left in place, as the pattern did.
    """
    pieces = []
    kept_from = search_from = 0
    unclosed: set[str] = set()
    while opening := _DROP_OPEN.search(markup, search_from):
        kind = (opening.group(1) or "!--").lower()
        search_from = opening.end()
        if kind in unclosed:
            continue
        if kind == "!--":
            end = markup.find("-->", opening.end())
            end = -1 if end < 0 else end + 3
        else:
            closing = _DROP_CLOSE[kind].search(markup, opening.end())
            end = closing.end() if closing else -1
        if end < 0:
            unclosed.add(kind)  # no later opening of this kind can be closed either
            continue
        pieces.extend((markup[kept_from : opening.start()], " "))
        kept_from = search_from = end
    pieces.append(markup[kept_from:])
    return "".join(pieces)


def tidy(text: str) -> str:
    """Trim trailing spaces and collapse runs of blank lines to one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n")) + "\n"
    return _BLANKS.sub("\n\n", text).strip("\n")


QUOTE_MARK = "\u2063[quoted]\u2063"
"""A line put where an HTML quote (``<blockquote>``, Gmail's quote div) began.

:mod:`escalated.parsers.quotes` treats it as a quote boundary and removes it.
"""

_QUOTE_START = re.compile(
    r"<blockquote\b[^<>]{0,500}?(?:type=[\"']?cite|class=[\"']?[^\"'<>]{0,200}?quote|border-left)[^<>]{0,2000}>"
    r"|<div\b[^<>]{0,500}?class=[\"']?[^\"'<>]{0,200}?\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix)\b"
    r"[^<>]{0,2000}>",
    re.I,
)
"""Elements that start quoted history. A bare ``<blockquote>`` is not one: editors
use it for indentation of the sender's own text."""


_RULE = re.compile(r"<hr\b[^<>]{0,2000}>", re.I)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Convert HTML to text; return ``(text, problem)``; never raises.

    Where a quote element begins, the text carries a :data:`QUOTE_MARK` line.
    ``problem`` is None when inscriptis converted the document, else it says
    why the tag-stripping fallback was used.
    """
    markup = markup[:MAX_HTML_CHARS]
    markup = _QUOTE_START.sub(lambda m: f"<p>{QUOTE_MARK}</p>{m.group(0)}", markup, count=50)
    # A rule is a separator line (Outlook puts one above the quoted header block).
    markup = _RULE.sub("<div>______________________________</div>", markup)
    if not markup.strip():
        return "", None
    try:
        return tidy(_inscriptis(markup)), None
    except Exception as exc:  # noqa: BLE001 - deep nesting, lxml failures: fall back
        return strip_tags(markup), f"html converter failed ({type(exc).__name__}); tags stripped"


_CONFIG = None


def _inscriptis(markup: str) -> str:
    global _CONFIG
    from inscriptis import get_text
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    if _CONFIG is None:
        _CONFIG = ParserConfig(css=CSS_PROFILES["strict"].copy(), display_images=False)
    # lxml rejects str input that carries an XML encoding declaration
    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    return get_text(markup, _CONFIG)

