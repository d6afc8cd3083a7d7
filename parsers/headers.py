"""Reading header values safely: RFC 2047 decoding, raw 8-bit headers, size caps, addresses.

The message is parsed with the ``compat32`` policy (fast, and it never raises
while parsing); these helpers do the decoding that ``policy.default`` would do
lazily, without its failure modes (CR/LF in decoded addresses, charsets it does
not know, seconds spent on a 130 KB Subject).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from weakref import WeakKeyDictionary

from escalated.parsers.charset import decode_bytes

MAX_HEADER_CHARS = 4000
"""Header values longer than this are cut before decoding (a real Subject is far shorter)."""

_WS = re.compile(r"\s+")
_ENCODED_WORD_GAP = re.compile(r"(\?=)\s+(=\?)")


def raw_header(msg: Message, name: str) -> str | None:
    """The first ``name`` header as sent (surrogate-escaped 8-bit kept), or None when absent."""
    values = raw_headers(msg, name)
    return values[0] if values else None


_INDEXES: WeakKeyDictionary[Message, tuple[int, dict[str, list[str]]]] = WeakKeyDictionary()


def raw_headers(msg: Message, name: str) -> list[str]:
    """All ``name`` headers as sent, in order; an empty list when absent.

    The headers are indexed by lower-case name once per message (a mail with a
    million headers was scanned whole for each of the twenty lookups); the index
    is rebuilt when the number of headers changes.
    """
    count = len(msg)
    cached = _INDEXES.get(msg)
    if cached is None or cached[0] != count:
        index: dict[str, list[str]] = {}
        for key, value in msg.raw_items():
            index.setdefault(key.lower(), []).append(value if isinstance(value, str) else str(value))
        cached = (count, index)
        _INDEXES[msg] = cached
    return list(cached[1].get(name.lower(), ()))


def capped_params(msg: Message) -> Message:
    """``msg``, or a stand-in carrying only its Content-Type and Content-Disposition cut
    to :data:`MAX_HEADER_CHARS`, for ``get_param``/``get_filename``/``get_content_type``.

    The stdlib parameter parser is quadratic in the header's length (a 500 KB
    parameter list took 2.5 s); no real parameter list is longer than this cap.
    """
    ctype = raw_header(msg, "Content-Type")
    disposition = raw_header(msg, "Content-Disposition")
    if len(ctype or "") <= MAX_HEADER_CHARS and len(disposition or "") <= MAX_HEADER_CHARS:
        return msg
    stand_in = Message()
    if ctype is not None:
        stand_in["Content-Type"] = ctype[:MAX_HEADER_CHARS]
    if disposition is not None:
        stand_in["Content-Disposition"] = disposition[:MAX_HEADER_CHARS]
    return stand_in


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes arrive surrogate-escaped; decode them as UTF-8 or CP1252."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="surrogateescape")
        return decode_bytes(data, None)[0]


def decode_text(value: str | None, *, limit: int = MAX_HEADER_CHARS) -> str:
    """Decode an unstructured header value (RFC 2047 words, raw 8-bit) to one unfolded line.

    Values are cut at ``limit`` characters first; never raises.
    """
    if not value:
        return ""
    value = value[:limit]
    try:
        if "=?" in value:
            value = _ENCODED_WORD_GAP.sub(r"\1\2", value)
            pieces = []
            for chunk, charset in decode_header(value):
                if isinstance(chunk, bytes):
                    if charset is None:
                        pieces.append(_undo_surrogates(chunk.decode("ascii", "surrogateescape")))
                    else:
                        pieces.append(decode_bytes(chunk, charset)[0])
                else:
                    pieces.append(_undo_surrogates(chunk))
            # decode_header drops the spaces between an encoded word and plain text
            text = "".join(pieces) if len(pieces) > 1 else pieces[0] if pieces else ""
        else:
            text = _undo_surrogates(value)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the raw text
        text = _undo_surrogates(value)
    return _WS.sub(" ", text).strip()


def decode_addresses(values: list[str]) -> list[tuple[str, str]]:
    """Parse address headers into ``(display name, lower-case address)`` pairs.

    Addresses are split before display names are decoded, so an encoded comma in
    a name cannot split one address into two. Entries without an address are dropped.
    """
    out: list[tuple[str, str]] = []
    joined = [v[:MAX_HEADER_CHARS] for v in values if v]
    if not joined:
        return out
    try:
        pairs = getaddresses(joined)
    except Exception:  # noqa: BLE001
        pairs = []
    for name, address in pairs:
        address = _undo_surrogates(address).strip().strip("<>").lower()
        if not address or "@" not in address and address not in ("mailer-daemon", "postmaster"):
            continue
        out.append((decode_text(name), address))
    return out


def message_ids(value: str | None) -> tuple[str, ...]:
    """The ``<id>`` tokens of a Message-ID, In-Reply-To or References value, in order."""
    if not value:
        return ()
    value = value[: MAX_HEADER_CHARS * 4]
    found = re.findall(r"<[^<>\s]+>", value)
    if not found:
        found = [f"<{token.strip('<>')}>" for token in value.split() if "@" in token]
    return tuple(dict.fromkeys(found))


def parse_date(value: str | None) -> datetime | None:
    """The Date header as an aware datetime (UTC assumed when no zone is given), or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(decode_text(value))
    except Exception:  # noqa: BLE001
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
