"""The outgoing stage: the only code that talks SMTP. Delivers outbox rows, each once.

Temporary failures (connection refused or lost, timeouts, 4xx replies) are retried
in-call with tenacity (a few quick tries), then again later with a growing delay
recorded on the row, until ``smtp.retry_for`` has passed. Permanent failures (5xx)
mark the row failed at once. An outage is logged once when it starts and once
when it ends, not at every retry.
"""

from __future__ import annotations

import logging
import ssl
from datetime import timedelta

import aiosmtplib
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from escalated.daemon.clock import Clock
from escalated.daemon.config import SmtpSettings
from escalated.daemon.errors import PermanentError, TemporaryError
from escalated.storage import database as q
from escalated.storage.database import Database
from escalated.storage.models import OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)

MAX_DELAY = timedelta(hours=1)


class OutboxSender:
    """Sends due outbox rows through one SMTP server."""

    def __init__(self, db: Database, settings: SmtpSettings, clock: Clock, *, quick_tries: int = 3,
                 quick_wait_s: float = 1.0) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.quick_tries = quick_tries
        self.quick_wait_s = quick_wait_s
        self.in_outage = False
        #: Sent, but "sent" could not be written yet (database locked): never send these again.
        self._unrecorded: dict[int, str] = {}
        #: True when the last round stopped with emails still due (a server was failing).
        self.unfinished = False

    async def send_due(self) -> int:
        """Send every due row once (oldest first); returns how many were delivered.

        A temporary failure (SMTP or database) ends the round early, with
        ``unfinished`` set; the rest waits for the next round.
        """
        sent = 0
        self.unfinished = True
        if not self._record_unrecorded():
            return sent
        while True:
            with self.db.session() as session:
                rows = q.due_outbox(session, self.clock.now())
            if not rows:
                self.unfinished = False
                return sent
            for row in rows:
                if not await self._deliver(row):
                    return sent  # a server is failing: the rest waits for the next round
                sent += 1

    def _record_unrecorded(self) -> bool:
        for row_id, note in list(self._unrecorded.items()):
            try:
                self._record(row_id, status=OutboxStatus.SENT, error=note)
            except TemporaryError:
                return False
            del self._unrecorded[row_id]
        return True

    async def _deliver(self, row: OutboxEmail) -> bool:
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type(TemporaryError),
                stop=stop_after_attempt(self.quick_tries),
                wait=wait_exponential(multiplier=self.quick_wait_s, max=10),
                reraise=True,
            ):
                with attempt:
                    note = await self._send(row)
        except PermanentError as exc:
            log.error("email %s (%s) to %s refused for good: %s", row.id, row.kind, row.recipients, exc)
            self._record(row.id, status=OutboxStatus.FAILED, error=str(exc))
            return True
        except TemporaryError as exc:
            if not self.in_outage:
                log.warning("SMTP server %s:%s failing, will retry: %s", self.settings.host, self.settings.port, exc)
                self.in_outage = True
            self._record(row.id, status=None, error=str(exc))
            return False
        if self.in_outage:
            log.warning("SMTP server %s:%s is back", self.settings.host, self.settings.port)
            self.in_outage = False
        log.info("sent %s to %s: %s", row.kind, row.recipients, row.subject)
        try:
            self._record(row.id, status=OutboxStatus.SENT, error=note)
        except TemporaryError as exc:
            # The server has it: remember, so it is marked sent later and never sent again.
            log.warning("email %s was sent but the database could not record it yet: %s", row.id, exc)
            self._unrecorded[row.id] = note
            return False
        return True

    async def _send(self, row: OutboxEmail) -> str:
        """Hand the email to the SMTP server; returns a note on recipients it refused ("" when none)."""
        s = self.settings
        context = ssl.create_default_context()
        if not s.tls_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            refused, _reply = await aiosmtplib.send(
                row.raw,
                sender=s.from_address,
                recipients=row.recipients.split(","),
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password.reveal() if s.password else None,
                use_tls=s.scheme == "smtps",
                start_tls=s.scheme == "smtp+starttls",
                tls_context=context if s.scheme != "smtp" else None,
                timeout=s.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            # Every recipient refused: temporary only if some refusal was (4xx).
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
            if any(400 <= code < 500 for code in codes):
                raise TemporaryError(f"recipients refused: {detail}") from exc
            raise PermanentError(f"recipients refused: {detail}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise TemporaryError(f"{exc.code} {exc.message}") from exc
            raise PermanentError(f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryError(f"{type(exc).__name__}: {exc}") from exc
        if not refused:
            return ""
        # Delivered to the others; not retried (that would send it to all of them again).
        note = "some recipients refused: " + "; ".join(
            f"{address}: {code} {message}" for address, (code, message) in refused.items())
        log.error("email %s (%s): %s", row.id, row.kind, note)
        return note

    def _record(self, row_id: int, *, status: OutboxStatus | None, error: str) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(OutboxEmail, row_id)
            row.attempts += 1
            row.last_error = error[:1000]
            if status is OutboxStatus.SENT:
                row.status, row.sent_at = status, now
            elif status is OutboxStatus.FAILED:
                row.status = status
            elif now - row.created_at > timedelta(seconds=self.settings.retry_for_s):
                row.status = OutboxStatus.FAILED
                log.error("email %s to %s given up after %s attempts: %s", row.id, row.recipients, row.attempts,
                          error)
            else:
                row.next_attempt_at = now + min(timedelta(seconds=30 * 2 ** min(row.attempts, 10)), MAX_DELAY)
            session.add(row)
