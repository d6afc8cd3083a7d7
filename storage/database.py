"""The database: engine set-up (SQLite in WAL mode, or PostgreSQL) and the named queries.

Decision (docs/decisions.md): sessions are synchronous and short. The daemon runs
each message's whole decision (parse, rules, state change, outbox rows, commit) in
one worker thread via ``asyncio.to_thread`` so neither parsing nor a commit ever
blocks the event loop that drives IMAP IDLE and SMTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from escalated.daemon.errors import TemporaryError
from escalated.storage.models import (
    ACTIVE_STAGES,
    Case,
    CaseStatus,
    Escalation,
    InboundMessage,
    OutboxEmail,
    OutboxStatus,
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """Owns the engine; ``session()`` gives one short transaction that commits or rolls back."""

    def __init__(self, url: str) -> None:
        self.url = url
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def create_schema(self) -> None:
        """Create missing tables (idempotent)."""
        SQLModel.metadata.create_all(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends normally, rolled back on any exception.

        A database that is locked or unreachable raises :class:`TemporaryError`.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except (OperationalError, InterfaceError) as exc:
                # Locked, unreachable, disk full: the database's trouble, not the message's.
                session.rollback()
                raise TemporaryError(f"database: {exc.orig or exc}") from exc
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


# --- named queries ---------------------------------------------------------------


def open_case(session: Session, number: str) -> Case | None:
    """The open case with this number as written (leading zeros matter), or None."""
    return session.exec(select(Case).where(Case.number == number, Case.status == CaseStatus.OPEN)).first()


def case_by_number(session: Session, number: str) -> Case | None:
    return session.exec(select(Case).where(Case.number == number)).first()


def active_escalation_for_case(session: Session, case_number: str) -> Escalation | None:
    """The escalation of this case that is not closed or rejected, if any."""
    return session.exec(
        select(Escalation)
        .where(Escalation.case_number == case_number, Escalation.stage.in_(ACTIVE_STAGES))
        .order_by(Escalation.id.desc())
    ).first()


def escalation_by_id(session: Session, escalation_id: int) -> Escalation | None:
    return session.get(Escalation, escalation_id)


def escalation_for_thread(session: Session, message_ids: Iterable[str]) -> Escalation | None:
    """The escalation that a reply belongs to, by the Message-IDs it refers to.

    Matches our own outbound mail (acknowledgement, notification...) and the
    customer's original message. ``message_ids`` come most recent first
    (In-Reply-To, then References from the end); the first that matches wins.
    """
    ids = list(dict.fromkeys(m for m in message_ids if m))
    if not ids:
        return None
    by_outbound = dict(session.exec(
        select(OutboxEmail.message_id, OutboxEmail.escalation_id)
        .where(OutboxEmail.message_id.in_(ids), OutboxEmail.escalation_id.is_not(None))
    ).all())
    by_origin = dict(session.exec(
        select(Escalation.origin_message_id, Escalation.id).where(Escalation.origin_message_id.in_(ids))
    ).all())
    for message_id in ids:
        escalation_id = by_outbound.get(message_id) or by_origin.get(message_id)
        if escalation_id is not None:
            return session.get(Escalation, escalation_id)
    return None


def case_known_to(session: Session, address: str, colleague_domain: str | None) -> bool:
    """True when ``address`` is some case's contact or CSM, or a colleague (same domain) of a contact."""
    condition = (Case.contact_email == address) | (Case.csm_email == address)
    if colleague_domain:
        # autoescape: a sender's domain like "%" or "_cme.example" is text, not a LIKE wildcard
        condition = condition | Case.contact_email.endswith("@" + colleague_domain, autoescape=True)
    return session.exec(select(Case.id).where(condition).limit(1)).first() is not None


def is_our_message_id(session: Session, message_id: str | None) -> bool:
    """True when this Message-ID is one we sent (a copy of our own mail came back)."""
    if not message_id:
        return False
    return session.exec(select(OutboxEmail.id).where(OutboxEmail.message_id == message_id)).first() is not None


def inbound_at(session: Session, mailbox: str, uidvalidity: int, uid: int) -> InboundMessage | None:
    """The stored message at this place in this mailbox (seen before a crash or a failed move)."""
    return session.exec(
        select(InboundMessage).where(
            InboundMessage.mailbox == mailbox, InboundMessage.uidvalidity == uidvalidity, InboundMessage.uid == uid
        )
    ).first()


def earlier_copy(session: Session, inbound: InboundMessage) -> InboundMessage | None:
    """An earlier, decided message that is the same message: same Message-ID, else same content hash."""
    query = select(InboundMessage).where(InboundMessage.id != inbound.id, InboundMessage.outcome.is_not(None))
    if inbound.message_id:
        query = query.where(InboundMessage.message_id == inbound.message_id)
    else:
        query = query.where(InboundMessage.content_hash == inbound.content_hash)
    return session.exec(query.order_by(InboundMessage.id)).first()


def due_outbox(session: Session, now: datetime, limit: int = 50) -> list[OutboxEmail]:
    """Pending emails whose next attempt is due, oldest first."""
    return list(
        session.exec(
            select(OutboxEmail)
            .where(OutboxEmail.status == OutboxStatus.PENDING)
            .where((OutboxEmail.next_attempt_at.is_(None)) | (OutboxEmail.next_attempt_at <= now))
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    )


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all()
    return {status: count for status, count in rows}


def escalation_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(Escalation.stage, func.count()).group_by(Escalation.stage)).all()
    return {stage: count for stage, count in rows}


def outcome_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(InboundMessage.outcome, func.count()).group_by(InboundMessage.outcome)).all()
    return {str(outcome): count for outcome, count in rows}


def quarantined(session: Session) -> list[InboundMessage]:
    return list(
        session.exec(select(InboundMessage).where(InboundMessage.outcome == "quarantined").order_by(InboundMessage.id))
    )


def overdue_acknowledgements(session: Session, now: datetime) -> list[Escalation]:
    return list(
        session.exec(
            select(Escalation).where(Escalation.acknowledged_at.is_(None), Escalation.acknowledge_due_at <= now,
                                     Escalation.stage.in_(ACTIVE_STAGES))
        )
    )
