"""The intake stage: store each inbound message raw, decide its one outcome, act on it.

``Intake.handle()`` is what the daemon loop calls per fetched message (in a
worker thread). It is three short transactions:

1. store the raw bytes (or recognise a message stored before a crash);
2. decide: run the rules in order, the first that speaks wins; the outcome, its
   reason, any state change and the outbox rows commit together;
3. only if step 2 raised: record the message as quarantined, with the stage
   and error, and tell the admins; it can be replayed with ``escalated retry``.

The caller moves the message on the server only after this returns.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from escalated.daemon.clock import Clock
from escalated.daemon.config import Settings
from escalated.daemon.emails import Mailer
from escalated.daemon.errors import TemporaryError
from escalated.daemon.outbound import OWN_MAIL_HEADER
from escalated.daemon.sources.base import Disposition, FetchedMessage
from escalated.parsers import ParsedMessage, parse_message
from escalated.storage import database as q
from escalated.storage.database import Database
from escalated.storage.models import (
    Case,
    Escalation,
    InboundMessage,
    OutboxEmail,
    Outcome,
    Stage,
    StageChange,
)

log = logging.getLogger(__name__)

_TAG = re.compile(r"\[ESC-(\d+)\]", re.I)
#: At most this many automatic answers (rejections, redirects) to one address per hour:
#: a last guard against loops with robots that ignore Auto-Submitted.
REPLIES_PER_ADDRESS_PER_HOUR = 5


@dataclass(frozen=True)
class Verdict:
    """A rule's decision: the outcome and why, in words an admin reads later."""

    outcome: Outcome
    reason: str
    case: Case | None = None
    escalation: Escalation | None = None
    case_number_written: str | None = None


@dataclass
class Facts:
    """What the rules look at for one message."""

    session: Session
    inbound: InboundMessage
    parsed: ParsedMessage
    settings: Settings
    now: datetime


Rule = Callable[[Facts], Verdict | None]


# --- the rules, in order ------------------------------------------------------------


def own_mail(f: Facts) -> Verdict | None:
    """Mail we sent that came back (a copy, a loop): never answered."""
    has_header = f"\n{OWN_MAIL_HEADER.lower()}:" in _header_block(f.inbound.raw)
    if has_header or f.parsed.from_address == f.settings.smtp.from_address or q.is_our_message_id(
        f.session, f.parsed.message_id
    ):
        return Verdict(Outcome.IGNORED, "our own message")
    return None


def auto_reply(f: Facts) -> Verdict | None:
    """Out-of-office, bounces, list traffic: recorded, never answered."""
    if f.parsed.auto_reply:
        return Verdict(Outcome.IGNORED, f"automatic message ({f.parsed.auto_reply_reason or 'auto-reply'})")
    return None


def duplicate(f: Facts) -> Verdict | None:
    """The same message seen before: same Message-ID, or same bytes when it has none."""
    earlier = q.earlier_copy(f.session, f.inbound)
    if earlier is not None:
        how = "Message-ID" if f.inbound.message_id else "content"
        return Verdict(Outcome.IGNORED, f"duplicate of message #{earlier.id} (same {how})")
    return None


def unreadable(f: Facts) -> Verdict | None:
    """Nothing to answer or check without a sender address: kept for a person to look at."""
    if not f.parsed.from_address:
        return Verdict(Outcome.QUARANTINED, "no sender address could be read")
    return None


def reply_on_thread(f: Facts) -> Verdict | None:
    """A reply to one of our emails, or one that carries an [ESC-n] tag.

    A reply that refers to our mail by Message-ID is on the thread, whoever
    sends it (the recipient forwarded or CC'd it). A subject tag alone is easy
    to type, so it counts only from someone allowed to escalate that case.
    """
    refs = [f.parsed.in_reply_to or "", *reversed(f.parsed.references)]
    escalation = q.escalation_for_thread(f.session, refs)
    if escalation is None and (m := _TAG.search(f.parsed.subject or "")):
        tagged = q.escalation_by_id(f.session, int(m.group(1)))
        sender = f.parsed.from_address or ""
        if tagged is not None and (sender == tagged.requester_email or _sender_allowed(
                sender, q.case_by_number(f.session, tagged.case_number), f.settings)):
            escalation = tagged
    if escalation is None:
        return None
    if f.parsed.from_address in _staff(f.settings):
        return Verdict(Outcome.MANAGER_REPLY, f"reply from {f.parsed.from_address} on {escalation.number}",
                       escalation=escalation)
    return Verdict(Outcome.FOLLOW_UP, f"reply on the thread of {escalation.number}", escalation=escalation)


def case_checks(f: Facts) -> Verdict | None:
    """Case number present, sender allowed, case open, no escalation already running, escalation wording.

    What a sender who may not escalate a case is told never depends on that
    case's state: an escalation request gets "not allowed", anything else the
    redirect to normal support. Only the contacts, colleagues and CSM of some
    case (and staff) can tell an unknown number from one that exists.
    """
    parsed = f.parsed
    sender = parsed.from_address or ""
    if not parsed.case_numbers:
        if not parsed.is_escalation:
            return Verdict(Outcome.NOT_AN_ESCALATION, "no escalation wording and no case number")
        return Verdict(Outcome.REJECTED_NO_CASE_NUMBER, "escalation wording but no case number found")
    written = parsed.case_numbers[0]

    def refused(why: str) -> Verdict:
        if parsed.is_escalation:
            return Verdict(Outcome.REJECTED_NOT_ALLOWED, why, case_number_written=written)
        return Verdict(Outcome.NOT_AN_ESCALATION, f"no escalation wording; {why}")

    if not _known_sender(f.session, sender, f.settings, parsed.case_numbers):
        return refused(f"{sender} is not staff, nor a contact, colleague or CSM of any case")
    case = next((c for n in parsed.case_numbers if (c := q.open_case(f.session, n)) is not None), None)
    if case is None:
        closed = q.case_by_number(f.session, written)
        if closed is not None and not _sender_allowed(sender, closed, f.settings):
            return refused(f"{sender} is not a contact, colleague or CSM of case {written} (closed)")
        why = f"case {written} is closed" if closed else f"case {written} is unknown"
        if not parsed.is_escalation:
            return Verdict(Outcome.NOT_AN_ESCALATION, f"no escalation wording ({why})", case_number_written=written)
        return Verdict(Outcome.REJECTED_NO_OPEN_CASE, why, case_number_written=written)
    if not _sender_allowed(sender, case, f.settings):
        return refused(f"{sender} is not a contact, colleague or CSM of case {case.number}")
    running = q.active_escalation_for_case(f.session, case.number)
    if running is not None:
        return Verdict(Outcome.FOLLOW_UP, f"case {case.number} already has {running.number}", case=case,
                       escalation=running)
    if not parsed.is_escalation:
        return Verdict(Outcome.NOT_AN_ESCALATION, f"case {case.number} is open, but no escalation wording", case=case)
    return Verdict(Outcome.ACCEPTED, f"case {case.number} is open", case=case)


RULES: tuple[Rule, ...] = (own_mail, auto_reply, duplicate, unreadable, reply_on_thread, case_checks)


def _staff(settings: Settings) -> set[str]:
    return set(settings.escalations.managers) | set(settings.escalations.admins)


def _domain(address: str | None) -> str:
    return (address or "").rpartition("@")[2].lower()


#: Domains shared by unrelated people: an address there speaks only for itself.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "proton.me", "protonmail.com",
    "mail.com", "yandex.com", "yandex.ru", "mail.ru", "qq.com", "163.com", "zoho.com", "fastmail.com",
})


def _colleague_domain(address: str | None) -> str | None:
    """The domain that makes two addresses colleagues, or None for a public mail domain."""
    domain = _domain(address)
    return domain if domain and domain not in PUBLIC_MAIL_DOMAINS else None


def _sender_allowed(sender: str, case: Case | None, settings: Settings) -> bool:
    """The case's contact or a colleague at its domain, its CSM, staff, or anyone at our own domain."""
    if case is None:
        return False
    if not case.contact_email:
        return True  # nothing to check against: the case import did not say who may escalate
    allowed = {case.contact_email.lower(), (case.csm_email or "").lower(), *_staff(settings)}
    domains = {_colleague_domain(case.contact_email), _colleague_domain(settings.smtp.from_address)} - {None}
    return sender in allowed or _domain(sender) in domains


def _known_sender(session: Session, sender: str, settings: Settings, case_numbers: tuple[str, ...]) -> bool:
    """Staff, our own domain, or the contact, a colleague or the CSM of some case (any case)."""
    our_domain = _colleague_domain(settings.smtp.from_address)
    if sender in _staff(settings) or (our_domain is not None and _domain(sender) == our_domain):
        return True
    if q.case_known_to(session, sender, _colleague_domain(sender)):
        return True
    # An open case imported without a contact cannot be checked against anyone.
    return any((c := q.open_case(session, n)) is not None and not c.contact_email for n in case_numbers)


def _header_block(raw: bytes) -> str:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return "\n" + raw[: end if end >= 0 else 65536].decode("latin-1").replace("\r\n", "\n").lower()


class Intake:
    """Stores, decides and acts on inbound messages. Thread-safe as long as each call is its own."""

    def __init__(self, db: Database, settings: Settings, mailer: Mailer, clock: Clock,
                 parse: Callable[..., ParsedMessage] = parse_message) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer
        self.clock = clock
        self.parse = parse  # the daemon passes a GuardedParser (a time limit, in a worker process)

    # --- the one entry point for the loop --------------------------------------------

    def handle(self, fetched: FetchedMessage) -> tuple[InboundMessage, Disposition]:
        """Store, decide and act; returns the stored row and where the message goes on the server.

        Never raises for a problem with the message itself (that is quarantined);
        raises only when the database itself fails, so the loop can retry later.
        """
        inbound = self.store(fetched)
        if inbound.outcome is None:
            inbound = self.decide(inbound.id)
        quarantined = inbound.outcome == Outcome.QUARANTINED
        return inbound, Disposition.QUARANTINED if quarantined else Disposition.PROCESSED

    def store(self, fetched: FetchedMessage) -> InboundMessage:
        """Step 1: the raw bytes, committed before anything is acted on."""
        content_hash = _hash(fetched.raw)
        with self.db.session() as session:
            existing = q.inbound_at(session, fetched.mailbox, fetched.uidvalidity, fetched.uid)
            if existing is not None and existing.content_hash == content_hash:
                return existing  # stored before a crash or a failed move: not a new message
            if existing is not None:
                # Same place, other bytes: the server reused a UID (UIDVALIDITY should have
                # changed); keep the old row's place free by renumbering it, keep both.
                existing.uid = -existing.id
                session.add(existing)
                session.flush()
            inbound = InboundMessage(
                mailbox=fetched.mailbox,
                uidvalidity=fetched.uidvalidity,
                uid=fetched.uid,
                source_key=fetched.key,
                raw=fetched.raw,
                size=len(fetched.raw),
                content_hash=content_hash,
                message_id=_quick_message_id(fetched.raw),
                received_at=self.clock.now(),
            )
            session.add(inbound)
        return inbound

    def decide(self, inbound_id: int) -> InboundMessage:
        """Steps 2 and 3: one outcome, committed with everything it calls for."""
        stage = "parse"
        try:
            with self.db.session() as session:
                raw = session.get(InboundMessage, inbound_id).raw
            # outside any transaction: parsing may take a while, the database need not wait
            parsed = self.parse(raw, case_patterns=self.settings.escalations.case_patterns)
            stage = "decide"
            with self.db.session() as session:
                inbound = session.get(InboundMessage, inbound_id)
                inbound.message_id = (parsed.message_id or inbound.message_id or "")[:998] or None
                inbound.from_address = parsed.from_address
                inbound.subject = (parsed.subject or "")[:500]
                now = self.clock.now()
                facts = Facts(session, inbound, parsed, self.settings, now)
                stage = "rules"
                verdict = next(v for rule in RULES if (v := rule(facts)) is not None)
                stage = f"act on {verdict.outcome.value}"
                reason = self._act(facts, verdict)
                inbound.outcome = verdict.outcome.value
                inbound.reason = reason
                inbound.failed_stage = None
                inbound.decided_at = now
                session.add(inbound)
            log.info("message #%s from %s: %s (%s)", inbound.id, inbound.from_address, inbound.outcome,
                     inbound.reason)
            return inbound
        except TemporaryError:
            raise  # the database's trouble, not the message's: the loop retries later
        except Exception as exc:  # the daemon never dies on a message: quarantine and go on
            log.exception("message #%s could not be processed in stage %r", inbound_id, stage)
            return self.quarantine(inbound_id, stage, f"{type(exc).__name__}: {exc}")

    def quarantine(self, inbound_id: int, stage: str, reason: str) -> InboundMessage:
        with self.db.session() as session:
            inbound = session.get(InboundMessage, inbound_id)
            inbound.outcome = Outcome.QUARANTINED.value
            inbound.reason = f"failed in {stage}: {reason}"[:2000]
            inbound.failed_stage = stage
            inbound.decided_at = self.clock.now()
            session.add(inbound)
            try:
                self._tell_admins(session, inbound, self.clock.now())
            except Exception:  # noqa: BLE001 - the notice is a courtesy; the quarantine must commit
                log.exception("could not write the quarantine notice for message #%s", inbound_id)
        return inbound

    def retry(self, inbound_id: int) -> InboundMessage:
        """Decide a quarantined message again from its stored bytes (``escalated retry``).

        The message stays quarantined until its new outcome commits: a failure
        on the way (the database is locked) leaves it as it was, never undecided.
        """
        with self.db.session() as session:
            inbound = session.get(InboundMessage, inbound_id)
            if inbound is None:
                raise LookupError(f"no inbound message #{inbound_id}")
            if inbound.outcome != Outcome.QUARANTINED.value:
                raise LookupError(f"message #{inbound_id} is {inbound.outcome!r}, not quarantined")
        return self.decide(inbound_id)

    # --- acting on a verdict -----------------------------------------------------------

    def _act(self, f: Facts, v: Verdict) -> str:
        """Write what the verdict calls for (escalation, outbox rows); returns the reason to record."""
        session, parsed, now, inbound = f.session, f.parsed, f.now, f.inbound
        inbound.case_number = (v.case.number if v.case else None) or v.case_number_written or (
            v.escalation.case_number if v.escalation else None)
        if v.escalation is not None:
            inbound.escalation_id = v.escalation.id
        ctx = self.mailer.base_context(now)
        ctx["message"] = self.mailer.message_context(parsed)
        ctx["case"] = self.mailer.case_context(v.case)
        ctx["case_number_written"] = v.case_number_written
        reply = dict(now=now, inbound=inbound, in_reply_to=parsed.message_id, references=parsed.references)
        sender = [parsed.from_address]

        if v.outcome is Outcome.ACCEPTED:
            escalation = self._open_escalation(session, f, v.case)
            inbound.escalation_id = escalation.id
            ctx["escalation"] = self.mailer.escalation_context(escalation)
            cc = [v.case.csm_email] if v.case.csm_email else []
            ack = self.mailer.enqueue(session, kind="customer/acknowledgement", context=ctx, to=sender, cc=cc,
                                      escalation=escalation, **reply)
            brief = self.mailer.enqueue(session, kind="managers/notification", context=ctx,
                                        to=list(self.settings.escalations.managers), escalation=escalation,
                                        attach_original=True, **reply)
            escalation.customer_thread_id = ack.message_id
            escalation.managers_thread_id = brief.message_id
            session.add(escalation)
        elif v.outcome is Outcome.FOLLOW_UP:
            escalation = v.escalation
            ctx["escalation"] = self.mailer.escalation_context(escalation)
            ctx["case"] = ctx["case"] or self.mailer.case_context(q.case_by_number(session, escalation.case_number))
            self.mailer.enqueue(session, kind="managers/follow-up", context=ctx,
                                to=list(self.settings.escalations.managers), now=now, inbound=inbound,
                                in_reply_to=escalation.managers_thread_id, references=[], escalation=escalation,
                                attach_original=True)
        elif v.outcome in _CUSTOMER_REPLIES:
            if self._replies_this_hour(session, parsed.from_address or "", now) >= REPLIES_PER_ADDRESS_PER_HOUR:
                # Recorded as what it is, but not answered: a loop guard, said in the reason.
                return v.reason + "; not answered: reply limit for this address reached"
            self.mailer.enqueue(session, kind=_CUSTOMER_REPLIES[v.outcome], context=ctx, to=sender, **reply)
        elif v.outcome is Outcome.QUARANTINED:
            self._tell_admins(session, inbound, now, reason=v.reason, parsed=parsed)
        # IGNORED and MANAGER_REPLY: recorded, nothing sent (manager commands come with a later version).
        return v.reason

    def _open_escalation(self, session: Session, f: Facts, case: Case) -> Escalation:
        parsed, now = f.parsed, f.now
        escalation = Escalation(
            case_number=case.number,
            stage=Stage.INITIATED,
            requester_email=parsed.from_address,
            requester_name=parsed.from_name,
            csm_email=case.csm_email,
            subject=(parsed.subject or "")[:500],
            statement=parsed.statement,
            business_impact=parsed.business_impact,
            reason_category=parsed.reason_category,
            missing=",".join(parsed.missing),
            inbound_id=f.inbound.id,
            origin_message_id=parsed.message_id,
            initiated_at=now,
            acknowledge_due_at=now + self.settings.escalations.acknowledge_within,
        )
        session.add(escalation)
        session.flush()  # gives the escalation its number
        session.add(StageChange(escalation_id=escalation.id, stage=Stage.INITIATED, at=now,
                                note=f"from message #{f.inbound.id}"))
        return escalation

    def _replies_this_hour(self, session: Session, address: str, now: datetime) -> int:
        """Automatic answers (rejections, redirects) to messages from ``address`` in the last hour."""
        return session.exec(
            select(func.count()).select_from(OutboxEmail)
            .join(InboundMessage, OutboxEmail.inbound_id == InboundMessage.id)
            .where(
                InboundMessage.from_address == address,
                OutboxEmail.kind.in_(list(_CUSTOMER_REPLIES.values())),
                OutboxEmail.created_at >= now - timedelta(hours=1),
            )
        ).one()

    def _tell_admins(self, session: Session, inbound: InboundMessage, now: datetime, reason: str = "",
                     parsed: ParsedMessage | None = None) -> None:
        if not self.settings.escalations.admins:
            return
        ctx = self.mailer.base_context(now)
        ctx["message"] = self.mailer.message_context(parsed) if parsed is not None else None
        ctx["inbound"] = {
            "id": inbound.id,
            "reason": reason or inbound.reason,
            "moved_to": self.settings.mailbox.quarantine_folder,
            "received_at": ctx["now"],
            "from_address": inbound.from_address,
            "subject": inbound.subject,
        }
        self.mailer.enqueue(session, kind="admin/quarantine-notice", context=ctx,
                            to=list(self.settings.escalations.admins), now=now, in_reply_to=None, inbound=inbound)


_CUSTOMER_REPLIES = {
    Outcome.REJECTED_NO_CASE_NUMBER: "customer/rejection-no-case-number",
    Outcome.REJECTED_NO_OPEN_CASE: "customer/rejection-no-open-case",
    Outcome.REJECTED_NOT_ALLOWED: "customer/rejection-not-allowed",
    Outcome.NOT_AN_ESCALATION: "customer/not-an-escalation",
}


def _hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_MID = re.compile(rb"^message-id:[ \t]*(<[^>\r\n]*>)", re.I | re.M)


def _quick_message_id(raw: bytes) -> str | None:
    """The Message-ID read straight from the header block, before any parsing can fail."""
    head = raw[:65536]
    cut = head.find(b"\n\n")
    m = _MID.search(head[: cut if cut >= 0 else None])
    return m.group(1).decode("ascii", "replace")[:998] if m else None
