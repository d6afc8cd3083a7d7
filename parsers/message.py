"""The parse entry point: any bytes in, a :class:`ParsedMessage` out, never an exception.

Parsing uses the stdlib ``email`` package with the ``compat32`` policy (it
never raises while parsing, and is the fastest); :mod:`headers`, :mod:`body`
and :mod:`charset` do the decoding ``policy.default`` would do, with a fallback
for each way real mail breaks. The extraction steps live in their own modules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.parser import BytesParser
from email.policy import compat32

from escalated.parsers.auto_reply import detect_auto_reply
from escalated.parsers.body import extract_body
from escalated.parsers.case_numbers import DEFAULT_CASE_PATTERNS, find_case_numbers
from escalated.parsers.escalation import (
    availability,
    business_impact,
    contact_phone,
    has_pasted_log,
    is_escalation_request,
    reason_category,
    steps_taken,
)
from escalated.parsers.headers import (
    decode_addresses,
    decode_text,
    message_ids,
    parse_date,
    raw_header,
    raw_headers,
)
from escalated.parsers.html_text import QUOTE_MARK
from escalated.parsers.model import ParsedMessage
from escalated.parsers.quotes import split_reply

__all__ = ["DEFAULT_CASE_PATTERNS", "parse_message"]

MAX_MESSAGE_BYTES = 50_000_000
"""Bytes beyond this are not parsed (a problem is recorded); the daemon still stores them all."""
MAX_TEXT_CHARS = 1_000_000
"""Body text beyond this is not searched for quotes or case numbers."""
MAX_STATEMENT_CHARS = 20_000
"""Only this much of the statement is read for impact, reason, steps and contact details."""

_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw|wg|tr|rv|enc|doorst|i|vs|vb)\s*:", re.I
)


def parse_message(raw: bytes, *, case_patterns: Sequence[str] | None = None) -> ParsedMessage:
    """Parse one message; never raises, whatever the bytes.

    ``case_patterns`` are regular expressions with one capture group (the case
    number as written); None means :data:`DEFAULT_CASE_PATTERNS`. When a step
    fails, the rest is still returned and the failure is listed in ``problems``.
    The function is pure: no I/O, clock, configuration or database.
    """
    try:
        parsed = _parse(raw, case_patterns)
        if parsed is not None:
            return parsed
        problem = "MIME nested too deep to walk"
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        problem = f"MIME parse failed: {exc!r}"
    try:
        # Pathological MIME (thousands of nested parts: RecursionError in the stdlib
        # parser, or too deep to walk): keep the headers, read the body as raw text.
        parsed = _parse(raw, case_patterns, headers_only=True, problem=problem)
    except Exception as exc:  # noqa: BLE001
        parsed = None
        problem = f"unparseable: {exc!r}"
    return parsed or ParsedMessage(problems=(problem,), body_reason="unparseable")


def _parse(
    raw: bytes, case_patterns: Sequence[str] | None, *, headers_only: bool = False, problem: str = ""
) -> ParsedMessage | None:
    """The parsed message, or None when its MIME is nested too deep to yield any text
    (the caller then parses the headers only and reads the body as raw text)."""
    problems: list[str] = [problem] if problem else []
    if not isinstance(raw, bytes | bytearray | memoryview):
        raw = str(raw).encode("utf-8", errors="replace")
    raw = bytes(raw)
    if len(raw) > MAX_MESSAGE_BYTES:
        problems.append(f"message larger than {MAX_MESSAGE_BYTES} bytes; the rest not parsed")
        raw = raw[:MAX_MESSAGE_BYTES]
    msg = BytesParser(policy=compat32).parsebytes(raw, headersonly=headers_only)
    for defect in getattr(msg, "defects", [])[:5]:
        problems.append(f"defect: {type(defect).__name__}")

    subject = decode_text(raw_header(msg, "Subject"))
    senders = decode_addresses(raw_headers(msg, "From"))
    from_name, from_address = senders[0] if senders else (None, None)
    if from_address is None:
        sender = decode_addresses(raw_headers(msg, "Sender"))
        if sender:
            from_name, from_address = sender[0]
    reply_to = decode_addresses(raw_headers(msg, "Reply-To"))

    body = extract_body(msg)
    if body.too_deep and not body.text.strip() and not headers_only:
        return None
    problems.extend(body.problems)
    text = body.text[:MAX_TEXT_CHARS]
    if len(body.text) > MAX_TEXT_CHARS:
        problems.append(f"body longer than {MAX_TEXT_CHARS} characters; the rest not searched")

    auto_reason = detect_auto_reply(msg, subject, from_address)
    in_reply_to = message_ids(raw_header(msg, "In-Reply-To"))
    references = message_ids(" ".join(raw_headers(msg, "References")))
    is_forward = bool(_FORWARD_SUBJECT.match(subject)) or body.has_pasted_rfc822
    reply = split_reply(text, keep_forwarded=is_forward, sender_name=from_name)
    if not reply.statement.strip() and text.strip() and not reply.quoted.strip():
        problems.append("statement empty after signature removal")

    # Escalation wording and the reason are read from the subject and the statement:
    # a signature ("Escalation Manager", "Production down hotline") or a disclaimer
    # ("...please escalate to compliance") says nothing about this mail.
    case_numbers, pattern_problems = find_case_numbers(
        (subject, reply.new_text, reply.quoted), case_patterns
    )
    problems.extend(pattern_problems)
    statement = reply.statement[:MAX_STATEMENT_CHARS]
    subject_and_statement = f"{subject}\n{statement}"
    impact = business_impact(statement)
    steps = steps_taken(statement)
    phone = contact_phone(reply.new_text[:MAX_STATEMENT_CHARS])
    available = availability(statement)
    log_present = body.evidence_attachments > 0 or has_pasted_log(reply.new_text)
    missing = tuple(
        key
        for key, present in (
            ("business_impact", impact),
            ("steps_taken", steps),
            ("contact", phone),
            ("availability", available),
            ("logs", log_present),
        )
        if not present
    )
    message_id = message_ids(raw_header(msg, "Message-ID"))
    return ParsedMessage(
        message_id=message_id[0] if message_id else None,
        from_address=from_address,
        from_name=from_name or None,
        to=tuple(address for _, address in decode_addresses(raw_headers(msg, "To"))),
        cc=tuple(address for _, address in decode_addresses(raw_headers(msg, "Cc"))),
        reply_to=reply_to[0][1] if reply_to else None,
        subject=subject,
        date=parse_date(raw_header(msg, "Date")),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=references,
        body_text=text.replace(QUOTE_MARK + "\n", "").replace(QUOTE_MARK, ""),
        statement=reply.statement,
        case_number=case_numbers[0] if case_numbers else None,
        case_numbers=case_numbers,
        is_escalation=is_escalation_request(subject_and_statement),
        business_impact=impact,
        auto_reply=auto_reason is not None,
        auto_reply_reason=auto_reason,
        attachments=tuple(body.attachments),
        reason_category=reason_category(subject_and_statement),
        steps_taken=steps,
        contact_phone=phone,
        availability=available,
        missing=missing,
        body_reason=body.body_reason,
        problems=tuple(dict.fromkeys(problems)),
        forwarded_from=reply.forwarded_from,
    )

