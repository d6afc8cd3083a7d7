"""The parse entry point: any bytes in, a :class:`ParsedMessage` out, never an exception.

(First, minimal version: the extraction work of issue 3 replaces the internals.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email import message_from_bytes, policy
from email.utils import getaddresses, parseaddr

from escalated.parsers.model import ParsedMessage

DEFAULT_CASE_PATTERNS: tuple[str, ...] = (
    r"\bcase\s*(?:number|no\.?|nr\.?|#)?\s*[:#]?\s*(\d{4,10})\b",
)
ESCALATION_WORDS = re.compile(r"\b(escalat\w*|management attention|sla (?:breach|missed))", re.I)


def parse_message(raw: bytes, *, case_patterns: Sequence[str] | None = None) -> ParsedMessage:
    """Parse one message; on any failure, return what could be read and say why in ``problems``."""
    try:
        msg = message_from_bytes(raw, policy=policy.default)
        name, addr = parseaddr(str(msg.get("From", "")))
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        lines = [ln for ln in text.splitlines() if not ln.startswith(">")]
        statement = "\n".join(lines).strip()
        patterns = case_patterns or DEFAULT_CASE_PATTERNS
        numbers: list[str] = []
        for pattern in patterns:
            for m in re.finditer(pattern, f"{msg.get('Subject', '')}\n{statement}", re.I):
                if m.group(1) not in numbers:
                    numbers.append(m.group(1))
        auto = str(msg.get("Auto-Submitted", "no")).lower() not in ("", "no")
        return ParsedMessage(
            message_id=(str(msg.get("Message-ID", "")).strip() or None),
            from_address=addr.lower() or None,
            from_name=name or None,
            to=tuple(a.lower() for _, a in getaddresses(msg.get_all("To", [])) if a),
            cc=tuple(a.lower() for _, a in getaddresses(msg.get_all("Cc", [])) if a),
            subject=str(msg.get("Subject", "")),
            in_reply_to=(str(msg.get("In-Reply-To", "")).strip() or None),
            references=tuple(str(msg.get("References", "")).split()),
            body_text=text,
            statement=statement,
            case_number=numbers[0] if numbers else None,
            case_numbers=tuple(numbers),
            is_escalation=bool(ESCALATION_WORDS.search(f"{msg.get('Subject', '')} {statement}")),
            auto_reply=auto,
            auto_reply_reason="auto-submitted" if auto else None,
        )
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ParsedMessage(problems=(f"unparseable: {exc!r}",))
