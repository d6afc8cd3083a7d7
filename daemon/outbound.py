"""Building outbound emails: threaded, tagged, marked as automatic, with a stable Message-ID."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from escalated.daemon.render import RenderedEmail

#: Header on everything we send; a message carrying it is our own and is ignored.
OWN_MAIL_HEADER = "X-Escalated"


#: How outbound mail is written: CRLF line ends, and headers folded only past RFC 5322's hard
#: limit, so a subject a little over 78 characters stays on its own line instead of being
#: folded to an empty first line (which some clients show as a blank subject).
OUTBOUND_POLICY = policy.SMTP.clone(max_line_length=998)


def to_bytes(msg: EmailMessage) -> bytes:
    """The message as it is stored in the outbox and sent.

    Non-ASCII headers are written with the standard 78-character folding, so
    their RFC 2047 encoded-words stay within 75 characters.
    """
    ascii_headers = all(str(value).isascii() for value in msg.values())
    return msg.as_bytes(policy=OUTBOUND_POLICY if ascii_headers else policy.SMTP)


def new_message_id(from_address: str) -> str:
    """A fresh Message-ID in our own domain, like ``<...escalated@example.com>``."""
    domain = from_address.rpartition("@")[2] or "escalated.invalid"
    return make_msgid(idstring="escalated", domain=domain)


def thread_references(parent_message_id: str | None, parent_references: Sequence[str]) -> list[str]:
    """The References list of a reply: the parent's references, then the parent (RFC 5322 3.6.4)."""
    refs = [r for r in parent_references if r]
    if parent_message_id and parent_message_id not in refs:
        refs.append(parent_message_id)
    return refs[-20:]  # keep headers bounded on very long threads


def compose(
    *,
    rendered: RenderedEmail,
    from_header: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    message_id: str,
    date: datetime,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    tag: str = "",
    original: bytes | None = None,
) -> EmailMessage:
    """One multipart/alternative email (plain text first, then HTML), ready to send as bytes.

    ``original``, when given, is attached as ``original.eml`` so the reader can
    open the message exactly as it arrived (see :func:`attach_original`).
    """
    msg = EmailMessage()
    msg["From"] = from_header
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    # RFC 3834: we are an automatic responder; well-behaved ones will not answer us.
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office replies to this
    msg[OWN_MAIL_HEADER] = tag or "yes"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    if original is not None:
        attach_original(msg, original)
    return msg


#: Larger originals are not attached (the notification says where to find them).
MAX_ATTACHED_ORIGINAL_BYTES = 10 * 1024 * 1024


def attach_original(msg: EmailMessage, raw: bytes) -> None:
    """Attach a received message unchanged.

    As ``message/rfc822`` when it is plain 7-bit text with short lines (RFC 2046
    allows no base64 there), else base64 as ``application/octet-stream``: mail
    clients open an ``.eml`` attachment either way, and the bytes stay exact.
    """
    seven_bit = raw.isascii() and b"\0" not in raw and all(len(line) <= 998 for line in raw.split(b"\n"))
    if seven_bit:
        msg.add_attachment(raw, maintype="message", subtype="rfc822", cte="7bit", filename="original.eml")
    else:
        msg.add_attachment(raw, maintype="application", subtype="octet-stream", filename="original.eml")
