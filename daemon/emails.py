"""What each decision sends: the template context, and the outbox row written with the decision.

"Send an email" here only means "insert an outbox row in the caller's
transaction"; :mod:`escalated.daemon.outbox` is the only code that talks SMTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from escalated.daemon.config import Settings
from escalated.daemon.outbound import (
    MAX_ATTACHED_ORIGINAL_BYTES,
    compose,
    new_message_id,
    thread_references,
    to_bytes,
)
from escalated.daemon.render import Renderer
from escalated.parsers import ParsedMessage
from escalated.storage.models import Case, Escalation, InboundMessage, OutboxEmail, OutboxStatus

MISSING_TEXT = {
    "business_impact": "the business impact: what is affected, how many users, and since when",
    "steps_taken": "the steps you have already taken",
    "contact": "a direct phone number we can reach you on",
    "availability": "when you are available to work with us",
    "logs": "any logs or screenshots that show the problem (attach them to your reply)",
}
REASON_TEXT = {
    "first_response_sla_missed": "the first response to the case was late (SLA missed)",
    "operations_halted": "operations are halted or the issue is critical",
    "impact_increased": "the impact or urgency has grown since the case was opened",
    "not_progressing": "the case is not progressing",
}


def format_time(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """A time a person reads at a glance: ``16:28 UTC, Fri 4 Dec 2026``."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {local.tzname()}, {local:%a} {local.day} {local:%b %Y}"


def format_duration(seconds: float) -> str:
    hours, rem = divmod(int(seconds), 3600)
    minutes = rem // 60
    if hours and not minutes:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if not hours:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{hours} h {minutes} min"


class Mailer:
    """Builds template contexts and writes outbox rows, in the caller's session."""

    def __init__(self, settings: Settings, renderer: Renderer) -> None:
        self.settings = settings
        self.renderer = renderer
        self.zone = settings.zone

    # --- contexts ---------------------------------------------------------------

    def base_context(self, now: datetime) -> dict[str, Any]:
        esc = self.settings.escalations
        return {
            "sender_name": self.settings.smtp.from_header.partition("<")[0].strip().strip('"')
            or "Support Escalations",
            "sender_address": self.settings.smtp.from_address,
            "support": {
                "portal_url": esc.support_portal_url,
                "address": esc.support_address,
                "hours": esc.support_hours,
            },
            "message": None,
            "case": None,
            "case_number_written": None,
            "escalation": None,
            "commands": [],
            "inbound": None,
            "now": format_time(now, self.zone),
            "config_path": str(self.settings.source_file) if self.settings.source_file else None,
            "original_attached": False,
        }

    def message_context(self, parsed: ParsedMessage) -> dict[str, Any]:
        return {
            "from_address": parsed.from_address or "",
            "from_name": parsed.from_name,
            "subject": parsed.subject or "(no subject)",
            "date": format_time(parsed.date, self.zone) if parsed.date else None,
            "message_id": parsed.message_id,
            "statement": parsed.statement,
            "business_impact": parsed.business_impact,
            "case_numbers": list(parsed.case_numbers),
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in parsed.attachments
            ],
        }

    @staticmethod
    def case_context(case: Case | None) -> dict[str, Any] | None:
        if case is None:
            return None
        return {
            "number": case.number,
            "title": case.title,
            "account": case.account,
            "severity": case.severity,
            "contact_email": case.contact_email,
            "csm_email": case.csm_email,
        }

    def escalation_context(self, escalation: Escalation) -> dict[str, Any]:
        esc = self.settings.escalations
        ack_due = escalation.acknowledge_due_at
        plan_due = ack_due + esc.action_plan_within if ack_due else None
        first_update = plan_due + esc.update_every if plan_due else None
        return {
            "number": escalation.number,
            "case_number": escalation.case_number,
            "requester": escalation.requester_email,
            "requester_name": escalation.requester_name,
            "statement": escalation.statement,
            "business_impact": escalation.business_impact,
            "reason": REASON_TEXT.get(escalation.reason_category or ""),
            "missing": [MISSING_TEXT[k] for k in escalation.missing.split(",") if k in MISSING_TEXT],
            "received_at": format_time(escalation.initiated_at, self.zone),
            "acknowledge_by": format_time(ack_due, self.zone),
            "action_plan_by": format_time(plan_due, self.zone),
            "update_every": format_duration(esc.update_every.total_seconds()),
            "acknowledge_within": format_duration(esc.acknowledge_within.total_seconds()),
            "action_plan_within": format_duration(esc.action_plan_within.total_seconds()),
            "first_update_by": format_time(first_update, self.zone),
        }

    # --- the outbox -----------------------------------------------------------------

    def enqueue(
        self,
        session: Session,
        *,
        kind: str,
        context: dict[str, Any],
        to: Sequence[str],
        cc: Sequence[str] = (),
        now: datetime,
        in_reply_to: str | None,
        references: Sequence[str] = (),
        escalation: Escalation | None = None,
        inbound: InboundMessage | None = None,
        attach_original: bool = False,
    ) -> OutboxEmail:
        """Render ``kind`` and add it to the outbox in ``session``; returns the row (its Message-ID is final).

        ``attach_original`` attaches the inbound message as it arrived (when not too large).
        """
        original = inbound.raw if attach_original and inbound is not None else None
        if original is not None and len(original) > MAX_ATTACHED_ORIGINAL_BYTES:
            original = None
        context = {**context, "original_attached": original is not None}
        rendered = self.renderer.render(kind, context)
        message_id = new_message_id(self.settings.smtp.from_address)
        recipients = list(dict.fromkeys(a.lower() for a in [*to, *cc] if a))
        msg = compose(
            rendered=rendered,
            from_header=self.settings.smtp.from_header,
            to=to,
            cc=[a for a in cc if a and a.lower() not in {t.lower() for t in to}],
            message_id=message_id,
            date=now,
            in_reply_to=in_reply_to,
            references=thread_references(in_reply_to, references),
            tag=escalation.number if escalation is not None else "",
            original=original,
        )
        row = OutboxEmail(
            message_id=message_id,
            kind=kind,
            recipients=",".join(recipients),
            subject=rendered.subject,
            raw=to_bytes(msg),
            escalation_id=escalation.id if escalation is not None else None,
            inbound_id=inbound.id if inbound is not None else None,
            created_at=now,
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
        )
        session.add(row)
        return row
