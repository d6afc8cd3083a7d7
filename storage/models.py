"""The tables: cases, escalations and their stage history, every inbound message, the outbox.

Times are timezone-aware UTC in code; :class:`UTCDateTime` stores them as UTC in
any database (SQLite has no time zones) and hands them back aware.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """A DateTime column that only accepts aware datetimes and always returns UTC-aware ones."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _time(nullable: bool = True):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Stage(enum.StrEnum):
    """The six stages of PRODUCT.md section 1."""

    INITIATED = "initiated"
    ACKNOWLEDGED = "acknowledged"
    ACTION_PLAN = "action_plan"
    INVESTIGATING = "investigating"
    DEESCALATED = "deescalated"
    CLOSED = "closed"
    REJECTED = "rejected"  # a manager rejected the escalation with a reason


ACTIVE_STAGES = (Stage.INITIATED, Stage.ACKNOWLEDGED, Stage.ACTION_PLAN, Stage.INVESTIGATING, Stage.DEESCALATED)


class Outcome(enum.StrEnum):
    """Every inbound message ends in exactly one of these (PRODUCT.md section 2)."""

    ACCEPTED = "accepted"
    FOLLOW_UP = "follow-up"
    MANAGER_REPLY = "manager reply"
    REJECTED_NO_CASE_NUMBER = "rejected: no case number"
    REJECTED_NO_OPEN_CASE = "rejected: no open case"
    REJECTED_NOT_ALLOWED = "rejected: not allowed"
    NOT_AN_ESCALATION = "not an escalation"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"


class Case(SQLModel, table=True):
    """A support case, as imported from the support system (``escalated cases import``)."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True)
    status: str = Field(default=CaseStatus.OPEN)
    contact_email: str | None = None
    account: str | None = None
    csm_email: str | None = None
    severity: str | None = None
    title: str | None = None
    updated_at: datetime | None = _time()


class Escalation(SQLModel, table=True):
    """One escalation of one case; its public name is ``ESC-<id>``."""

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(index=True)
    stage: str = Field(default=Stage.INITIATED, index=True)
    requester_email: str
    requester_name: str | None = None
    csm_email: str | None = None
    subject: str = ""
    statement: str = Field(default="", sa_type=Text)
    business_impact: str | None = Field(default=None, sa_type=Text)
    reason_category: str | None = None
    missing: str = ""  # comma-separated keys of what the request lacked
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id")
    origin_message_id: str | None = None  # the customer's Message-ID that opened it
    customer_thread_id: str | None = None  # Message-ID of our acknowledgement
    managers_thread_id: str | None = None  # Message-ID of the managers' notification
    initiated_at: datetime | None = _time(nullable=False)
    acknowledge_due_at: datetime | None = _time()
    acknowledged_at: datetime | None = _time()
    action_plan_at: datetime | None = _time()
    next_update_due_at: datetime | None = _time()
    deescalated_at: datetime | None = _time()
    closed_at: datetime | None = _time()

    @property
    def number(self) -> str:
        return f"ESC-{self.id}"


class StageChange(SQLModel, table=True):
    """The history of an escalation: each stage it entered, when and why."""

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    stage: str
    at: datetime | None = _time(nullable=False)
    note: str = ""


class InboundMessage(SQLModel, table=True):
    """Every message fetched, raw bytes first; ``outcome`` is None until it is decided."""

    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_mailbox_uid"),
        Index("ix_inbound_message_id", "message_id"),
        Index("ix_inbound_content_hash", "content_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str
    uidvalidity: int
    uid: int
    source_key: str = ""
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    content_hash: str
    message_id: str | None = None
    from_address: str | None = None
    subject: str | None = None
    received_at: datetime | None = _time(nullable=False)
    decided_at: datetime | None = _time()
    outcome: str | None = Field(default=None, index=True)
    reason: str = ""
    failed_stage: str | None = None  # where processing crashed, for quarantined messages
    case_number: str | None = None
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id")
    moved: bool = False  # moved out of the inbox on the server


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # permanently refused, or retried past smtp.retry_for


class OutboxEmail(SQLModel, table=True):
    """An email to send, written in the same transaction as the decision that calls for it."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    kind: str  # template name, e.g. customer/acknowledgement
    recipients: str  # comma-separated envelope recipients
    subject: str
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id")
    created_at: datetime | None = _time(nullable=False)
    status: str = Field(default=OutboxStatus.PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _time()
    last_error: str = ""
    sent_at: datetime | None = _time()
