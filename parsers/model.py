"""The facts a parsed message yields: frozen dataclasses, and their ``escalated parse`` JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Attachment:
    """One attachment: its name as sent, its MIME type and its decoded size in bytes."""

    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMessage:
    """Everything escalated reads out of one inbound message.

    Addresses are lower case; ``message_id``, ``in_reply_to`` and ``references``
    keep their angle brackets (``<abc@host>``) so they compare with what we send.
    ``statement`` is the sender's new text only (no quotes, forwarded-header blocks
    of earlier replies, signatures or disclaimers). ``problems`` lists what the
    parser had to work around (unknown charset, broken boundary...), and
    ``body_reason`` says why there is no text body when there is none
    (``"attachment-only"``, ``"encrypted"``, ``"delivery-report"``...).

    ``reason_category`` is one of ``"first_response_sla_missed"``,
    ``"operations_halted"``, ``"impact_increased"``, ``"not_progressing"`` or None;
    ``missing`` lists what the process asks for and the mail lacks, as keys among
    ``"business_impact"``, ``"steps_taken"``, ``"contact"``, ``"availability"``,
    ``"logs"`` (the acknowledgement turns them into a request).

    ``forwarded_from`` is set when the statement carries a forwarded message as
    content (a CSM forwarding the customer's mail): the address it came from.
    """

    message_id: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str | None = None
    subject: str = ""
    date: datetime | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    body_text: str = ""
    statement: str = ""
    case_number: str | None = None
    case_numbers: tuple[str, ...] = ()
    is_escalation: bool = False
    business_impact: str | None = None
    auto_reply: bool = False
    auto_reply_reason: str | None = None
    attachments: tuple[Attachment, ...] = ()
    reason_category: str | None = None
    steps_taken: str | None = None
    contact_phone: str | None = None
    availability: str | None = None
    missing: tuple[str, ...] = ()
    body_reason: str | None = None
    problems: tuple[str, ...] = ()
    forwarded_from: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``escalated parse`` object: the contract of PRODUCT.md section 4, plus extras."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.from_address,
            "subject": self.subject,
            "case_number": self.case_number,
            "case_numbers": list(self.case_numbers),
            "is_escalation": self.is_escalation,
            "statement": self.statement,
            "business_impact": self.business_impact,
            "auto_reply": self.auto_reply,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in self.attachments
            ],
            "from_name": self.from_name,
            "to": list(self.to),
            "cc": list(self.cc),
            "date": self.date.isoformat() if self.date else None,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "auto_reply_reason": self.auto_reply_reason,
            "reason_category": self.reason_category,
            "steps_taken": self.steps_taken,
            "contact_phone": self.contact_phone,
            "availability": self.availability,
            "missing": list(self.missing),
            "body_reason": self.body_reason,
            "problems": list(self.problems),
            "forwarded_from": self.forwarded_from,
        }
        data.update(self.extra)
        return data
