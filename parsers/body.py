"""Finding the readable text of a message, whatever its MIME shape, and its attachments.

The fallback chain, in order: the preferred body part (``text/plain`` over
``text/html`` inside ``multipart/alternative``), descending into
``message/rfc822``, digests, ``multipart/signed`` and ``multipart/report``;
then any ``text/*`` part; then the raw payload decoded with replacement
characters. Each step's trouble is recorded as a problem, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

from escalated.parsers.charset import decode_bytes
from escalated.parsers.headers import capped_params, decode_text, raw_header
from escalated.parsers.html_text import html_to_text
from escalated.parsers.model import Attachment

MAX_PARTS = 500
"""Parts beyond this many are not examined (MIME bombs)."""
SMALL_INLINE_IMAGE_BYTES = 20_000
"""Inline images below this size are taken for signature logos, not screenshots."""
MAX_DEPTH = 60
"""Nesting deeper than this is not walked (:func:`extract_body` then reports ``too_deep``)."""


@dataclass
class BodyResult:
    """What :func:`extract_body` found: text, attachments, why there is no text, problems."""

    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    body_reason: str | None = None
    problems: list[str] = field(default_factory=list)
    has_pasted_rfc822: bool = False
    evidence_attachments: int = 0
    """Attachments that can be logs or screenshots: all but small inline images (logos)."""
    too_deep: bool = False


def _content_type(part: Message) -> str:
    try:
        return capped_params(part).get_content_type()
    except Exception:  # noqa: BLE001
        return "text/plain"


def _filename(part: Message) -> str | None:
    try:
        name = capped_params(part).get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name is None:
        return None
    if isinstance(name, tuple):  # RFC 2231 value that compat32 could not decode
        name = name[2] if len(name) > 2 else str(name)
    return decode_text(str(name), limit=500) or None


def _is_attachment(part: Message) -> bool:
    disposition = (raw_header(part, "Content-Disposition") or "").strip().lower()
    if disposition.startswith("attachment"):
        return True
    ctype = _content_type(part)
    if ctype.startswith("text/") and ctype in ("text/plain", "text/html"):
        return _filename(part) is not None and not disposition.startswith("inline")
    return not ctype.startswith(("multipart/", "message/"))


def text_to_bytes(text: str) -> bytes:
    """Bytes back from a payload string (8-bit bytes arrive surrogate-escaped); never raises."""
    try:
        return text.encode("ascii", errors="surrogateescape")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", errors="surrogateescape")
        except UnicodeEncodeError:
            return text.encode("utf-8", errors="replace")


def _payload_bytes(part: Message, problems: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:  # noqa: BLE001 - broken base64 / qp
        problems.append(f"could not decode {_content_type(part)} payload: {exc!r}")
        data = None
    if data is None:
        raw = part.get_payload()
        data = text_to_bytes(raw) if isinstance(raw, str) else b""
    return data


_BASE64_ALPHABET = re.compile(r"[A-Za-z0-9+/=\s]*")


def _base64_size(part: Message) -> int | None:
    """Decoded size of a base64 payload computed from its length, without decoding it.

    Exact for well-formed base64 (the attachments of a 5 MB mail are not copied
    again just to be measured); None when the payload is not clean base64, so the
    caller decodes it instead.
    """
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    payload = part.get_payload()
    if encoding != "base64" or not isinstance(payload, str) or len(payload) < 4096:
        return None
    if not _BASE64_ALPHABET.fullmatch(payload[:2048]) or not _BASE64_ALPHABET.fullmatch(payload[-2048:]):
        return None
    whitespace = payload.count("\n") + payload.count("\r") + payload.count(" ") + payload.count("\t")
    characters = len(payload) - whitespace
    if characters % 4:
        return None
    tail = payload.rstrip()
    padding = len(tail) - len(tail.rstrip("="))
    return characters // 4 * 3 - padding


def part_text(part: Message, problems: list[str]) -> tuple[str, bool]:
    """Decoded text of one leaf part; ``(text, is_html)``. HTML is converted to text."""
    data = _payload_bytes(part, problems)
    try:
        charset = capped_params(part).get_param("charset")
    except Exception:  # noqa: BLE001
        charset = None
    if isinstance(charset, tuple):
        charset = charset[2] if len(charset) > 2 else None
    text, problem = decode_bytes(data, charset if isinstance(charset, str) else None)
    if problem:
        problems.append(problem)
    if _content_type(part) == "text/html" or _looks_like_html(text, part):
        converted, problem = html_to_text(text)
        if problem:
            problems.append(problem)
        return converted, True
    return text.replace("\r\n", "\n").replace("\r", "\n"), False


def _looks_like_html(text: str, part: Message) -> bool:
    # Mail with no Content-Type at all that is nevertheless an HTML document.
    if part.get("Content-Type") is not None:
        return False
    head = text[:500].lstrip().lower()
    return head.startswith(("<html", "<!doctype html"))


class _Walker:
    def __init__(self) -> None:
        self.result = BodyResult()
        self.parts_seen = 0

    def leaf_attachment(self, part: Message) -> None:
        size = _base64_size(part)
        if size is None:
            size = len(_payload_bytes(part, self.result.problems))
        ctype = _content_type(part)
        self.result.attachments.append(Attachment(filename=_filename(part), content_type=ctype, size=size))
        inline = part.get("Content-ID") is not None or (
            (raw_header(part, "Content-Disposition") or "").strip().lower().startswith("inline")
        )
        if not (ctype.startswith("image/") and inline and size < SMALL_INLINE_IMAGE_BYTES):
            self.result.evidence_attachments += 1

    def body(self, part: Message, depth: int = 0) -> list[tuple[str, bool]]:
        """Texts of ``part`` in reading order; attachments collected on the way."""
        self.parts_seen += 1
        if depth > MAX_DEPTH or self.parts_seen > MAX_PARTS:
            if self.parts_seen == MAX_PARTS + 1:
                self.result.problems.append(f"more than {MAX_PARTS} parts; rest not read")
            if depth > MAX_DEPTH and not self.result.too_deep:
                self.result.too_deep = True
                self.result.problems.append(f"MIME nested deeper than {MAX_DEPTH} levels")
            return []
        ctype = _content_type(part)
        if ctype.startswith("multipart/") and not part.is_multipart():
            # No boundary, or one that never occurs: the parts are unreadable as MIME.
            self.result.problems.append(f"{ctype} without readable parts; raw payload used")
            return [(raw_payload_text(part), False)]
        if ctype in ("message/delivery-status", "message/disposition-notification") and depth == 0:
            self.result.body_reason = "delivery-report"
            return []
        if part.is_multipart():
            children = part.get_payload()
            if not isinstance(children, list):
                return []
            if ctype == "multipart/alternative":
                return self.alternative(children, depth)
            if ctype == "multipart/related" and children:
                texts = self.body(children[0], depth + 1)
                for child in children[1:]:
                    self.collect_attachments(child, depth + 1)
                return texts
            if ctype == "multipart/encrypted":
                for child in children:
                    self.collect_attachments(child, depth + 1)
                self.result.body_reason = self.result.body_reason or "encrypted"
                return []
            texts = []
            for child in children:
                child_type = _content_type(child)
                if ctype == "multipart/signed" and child_type.startswith(
                    "application/pgp-signature"
                ) or child_type == "application/pkcs7-signature":
                    continue
                if child_type in ("message/delivery-status", "message/disposition-notification"):
                    continue
                if child_type == "message/rfc822" and (
                    (raw_header(child, "Content-Disposition") or "").lower().startswith("attach")
                    or ctype != "multipart/digest" and texts
                ):
                    # A mail attached to a mail: a CSM forwarding the customer's message.
                    texts.extend(self.enclosed(child, depth + 1))
                    continue
                texts.extend(self.body(child, depth + 1))
            return texts
        if ctype == "message/rfc822" or part.get_content_maintype() == "message":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return self.body(inner[0], depth + 1)
            return [(part_text(part, self.result.problems)[0], False)]
        if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"):
            self.leaf_attachment(part)
            self.result.body_reason = self.result.body_reason or "encrypted"
            return []
        readable = ctype.startswith("text/") and ctype != "text/calendar"
        if readable and not _is_attachment(part) or ctype == "application/plain" and not (
            raw_header(part, "Content-Disposition") or ""
        ).lower().startswith("attachment"):
            return [part_text(part, self.result.problems)]
        self.leaf_attachment(part)
        return []

    def enclosed(self, part: Message, depth: int) -> list[tuple[str, bool]]:
        inner = part.get_payload()
        if not isinstance(inner, list) or not inner:
            return []
        inner_msg = inner[0]
        self.result.has_pasted_rfc822 = True
        header = ["---------- Forwarded message ---------"]
        for name in ("From", "Date", "Subject", "To"):
            value = raw_header(inner_msg, name)
            if value:
                header.append(f"{name}: {decode_text(value)}")
        return [("\n".join(header) + "\n\n", False), *self.body(inner_msg, depth + 1)]

    def alternative(self, children: list[Message], depth: int) -> list[tuple[str, bool]]:
        by_type: dict[str, Message] = {}
        for child in children:
            by_type.setdefault(_content_type(child), child)
        for preferred in ("text/plain", "text/html"):
            child = by_type.get(preferred)
            if child is not None:
                texts = self.body(child, depth + 1)
                if any(text.strip() for text, _ in texts):
                    return texts
        for child in reversed(children):  # richest last, per RFC 2046
            texts = self.body(child, depth + 1)
            if any(text.strip() for text, _ in texts):
                return texts
        return []

    def collect_attachments(self, part: Message, depth: int) -> None:
        if depth > MAX_DEPTH or self.parts_seen > MAX_PARTS:
            return
        self.parts_seen += 1
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                for child in children:
                    self.collect_attachments(child, depth + 1)
        elif not _content_type(part).startswith(("multipart/", "message/")):
            self.leaf_attachment(part)


_MIME_HEADER_LINE = re.compile(r"content-[\w-]++:", re.I)


def _drop_mime_headers(text: str) -> str:
    """Remove blocks of ``Content-*:`` lines (with folded continuations) ended by a blank line.

    A line loop, not one ``re.M`` pattern: a regex retried at every line of a long
    block that never ends in a blank line was quadratic (20,000 lines: 18 s).
    """
    lines = text.split("\n")
    last = len(lines) - 1  # lines[last] has no newline after it
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < last and _MIME_HEADER_LINE.match(lines[j]):
            j += 1
            while j < last and lines[j][:1] in (" ", "\t"):
                j += 1
        if j > i and j < last and lines[j] == "":
            i = j + 1  # the block and its blank line go
            continue
        end = max(j, i + 1)  # a failed block fails from every line inside it too
        out.extend(lines[i:end])
        i = end
    return "\n".join(out)


def raw_payload_text(part: Message) -> str:
    """The undecoded payload of ``part`` as text, MIME part headers and boundary lines removed."""
    raw = part.get_payload()
    if not isinstance(raw, str) or not raw.strip():
        return ""
    text, _ = decode_bytes(text_to_bytes(raw), None)
    text = _drop_mime_headers(text.replace("\r\n", "\n"))
    text = re.sub(r"^--\S+[ \t]*$", "", text, flags=re.M)
    if "<html" in text[:2000].lower():
        text, _ = html_to_text(text)
    return text.strip()


def extract_body(msg: Message) -> BodyResult:
    """Text and attachments of ``msg`` via the fallback chain; never raises.

    ``body_reason`` is set when no text was found: ``"encrypted"``,
    ``"delivery-report"``, ``"attachment-only"`` or ``"empty"``.
    """
    walker = _Walker()
    result = walker.result
    try:
        texts = walker.body(msg)
    except Exception as exc:  # noqa: BLE001
        result.problems.append(f"MIME walk failed: {exc!r}")
        texts = []
    text = "\n\n".join(t.strip("\n") for t, _ in texts if t.strip())
    if not text.strip() and not result.attachments and result.body_reason != "encrypted":
        # Broken boundaries: the stdlib found no parts. Read the raw payload.
        fallback = raw_payload_text(msg)
        if fallback:
            text = fallback
            result.problems.append("no readable MIME part; raw payload used")
    result.text = text
    if not text.strip():
        ctype = _content_type(msg)
        report_type = ""
        if ctype == "multipart/report":
            report_type = str(capped_params(msg).get_param("report-type") or "").lower()
        if result.body_reason:
            pass
        elif ctype == "multipart/report" or report_type:
            result.body_reason = "delivery-report"
        elif result.attachments:
            result.body_reason = "attachment-only"
        else:
            result.body_reason = "empty"
    if "-----BEGIN PGP MESSAGE-----" in text and len(text) < 200_000 and not _outside_pgp_blocks(text).strip():
        result.body_reason = "encrypted"
    return result


_PGP_BEGIN = "-----BEGIN PGP MESSAGE-----"
_PGP_END = "-----END PGP MESSAGE-----"


def _outside_pgp_blocks(text: str) -> str:
    """``text`` without its ``BEGIN/END PGP MESSAGE`` blocks (an unclosed one is kept).

    A find loop, not a lazy ``.*?`` regex: that rescans to the end of the text
    from every BEGIN line that has no END (quadratic on thousands of them).
    """
    pieces = []
    position = 0
    while True:
        begin = text.find(_PGP_BEGIN, position)
        if begin < 0:
            break
        end = text.find(_PGP_END, begin + len(_PGP_BEGIN))
        if end < 0:
            break
        pieces.append(text[position:begin])
        position = end + len(_PGP_END)
    pieces.append(text[position:])
    return "".join(pieces)
