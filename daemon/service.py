"""The daemon's lifecycle and its loops: intake (mailbox -> decisions) and outgoing (outbox -> SMTP).

One place opens every resource (an ``AsyncExitStack``), tells systemd
``READY=1`` once everything runs, and on SIGTERM/SIGINT cancels the loops and
closes cleanly. Each loop owns its error handling: a failing server is retried
with backoff and logged once; one bad message never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket

from escalated.daemon.clock import Clock, SystemClock
from escalated.daemon.config import MailboxSettings, Settings, is_loopback
from escalated.daemon.emails import Mailer
from escalated.daemon.errors import ConfigError, TemporaryError
from escalated.daemon.intake import Intake
from escalated.daemon.outbox import OutboxSender
from escalated.daemon.parsing import GuardedParser
from escalated.daemon.render import Renderer
from escalated.daemon.sources.base import MailboxSource
from escalated.daemon.sources.maildir import MaildirSource
from escalated.storage.database import Database
from escalated.storage.models import InboundMessage

log = logging.getLogger(__name__)

OUTBOX_POLL_S = 5.0
MAX_BACKOFF_S = 300.0


def make_source(settings: MailboxSettings) -> MailboxSource:
    """The mailbox source the URL names (``imap://``, ``imaps://`` or ``maildir://``)."""
    if settings.scheme == "maildir":
        return MaildirSource(settings.path, processed_folder=settings.processed_folder,
                             quarantine_folder=settings.quarantine_folder)
    from escalated.daemon.sources.imap import ImapSource

    return ImapSource(  # it logs a warning when tls_verify is off
        host=settings.host, port=settings.port, username=settings.username,
        password=settings.password.reveal() if settings.password else "", folder=settings.folder,
        tls=settings.scheme == "imaps", tls_verify=settings.tls_verify,
        processed_folder=settings.processed_folder, quarantine_folder=settings.quarantine_folder,
        batch_size=settings.fetch_batch_size, command_timeout_s=settings.command_timeout_s, use_idle=settings.idle,
    )


def notify_systemd(state: str) -> None:
    """Send ``state`` (``READY=1``, ``STOPPING=1``) to systemd when run as a Type=notify service."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract socket namespace
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        sock.sendall(state.encode())


class Daemon:
    """Wires the stages together; ``run_once()`` for ``--once``, ``run_forever()`` for the service."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None, source: MailboxSource | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = Database(settings.database_url)
        self.db.create_schema()
        self.renderer = Renderer(settings.templates_directory)
        self.parser = GuardedParser(settings.parse_timeout_s)
        self.intake = Intake(self.db, settings, Mailer(settings, self.renderer), self.clock, parse=self.parser)
        self.sender = OutboxSender(self.db, settings.smtp, self.clock)
        self.source = source or make_source(settings.mailbox)
        self.outbox_wakeup = asyncio.Event()
        self.unmoved = 0
        if not settings.smtp.tls_verify:
            log.warning("smtp.tls_verify is off: the SMTP server's certificate is NOT checked")
        if settings.smtp.scheme == "smtp" and not is_loopback(settings.smtp.host):
            log.warning("smtp.url %s is not encrypted; use smtps:// or smtp+starttls:// beyond loopback",
                        settings.smtp.url)

    async def intake_round(self) -> int:
        """Fetch and handle every waiting message; returns how many were handled.

        Sets ``unmoved`` to how many are decided but could not be moved yet.
        """
        handled = 0
        self.unmoved = 0
        async for fetched in self.source.fetch():
            inbound, disposition = await asyncio.to_thread(self.intake.handle, fetched)
            self.outbox_wakeup.set()
            handled += 1
            try:
                await self.source.finish(fetched, disposition)  # only after the outcome is committed
            except (asyncio.CancelledError, ConfigError):
                raise
            except Exception as exc:  # noqa: BLE001
                # The outcome is safe in the database; the message stays in the inbox and is
                # recognised (not acted on again) and moved on a later round. If the
                # connection is gone, the next fetch step raises and the loop reconnects.
                log.warning("message #%s (%s) not moved to %s yet: %s", inbound.id, inbound.outcome,
                            disposition.value, exc)
                self.unmoved += 1
                continue
            await asyncio.to_thread(self._mark_moved, inbound.id)
        return handled

    def _mark_moved(self, inbound_id: int) -> None:
        with self.db.session() as session:
            row = session.get(InboundMessage, inbound_id)
            row.moved = True
            session.add(row)

    def close(self) -> None:
        """Release the database and the parser's worker process."""
        self.parser.close()
        self.db.dispose()

    async def run_once(self) -> bool:
        """Process everything waiting, send what is due; True when all of it is done.

        False when some message could not be moved or some email is still due
        because a server failed on the way. Failures before that raise TemporaryError.
        """
        await self.source.open()
        try:
            await self.intake_round()
        finally:
            await self.source.close()
        await self.sender.send_due()
        return self.unmoved == 0 and not self.sender.unfinished

    async def run_forever(self) -> None:
        """Run the loops until cancelled (SIGTERM/SIGINT)."""
        ready = asyncio.Event()
        await asyncio.to_thread(self.parser.start)
        tasks = [
            asyncio.create_task(self._intake_loop(ready), name="intake"),
            asyncio.create_task(self._outbox_loop(), name="outgoing"),
        ]
        try:
            # Ready, or a loop ended early (a refused login): then its error ends the daemon.
            waiting = asyncio.create_task(ready.wait())
            await asyncio.wait({waiting, *tasks}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            for task in tasks:
                if task.done():
                    task.result()
            notify_systemd("READY=1")
            log.info("escalated is running: mailbox %s, %d manager address(es)",
                     self.source.name, len(self.settings.escalations.managers))
            await asyncio.gather(*tasks)
        finally:
            notify_systemd("STOPPING=1")
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.source.close()
            self.close()

    async def _intake_loop(self, ready: asyncio.Event) -> None:
        backoff = 1.0
        connected = False
        while True:
            try:
                if not connected:
                    await self.source.open()
                    connected = True
                    if backoff > 1.0:
                        log.warning("intake from %s works again", self.source.name)
                    backoff = 1.0
                ready.set()
                await self.intake_round()
                await self.source.wait_for_mail(self.settings.mailbox.poll_interval_s)
            except (asyncio.CancelledError, ConfigError):
                raise  # a refused login is the configuration's fault: stop and say which key
            except Exception as exc:  # noqa: BLE001 - a server or database outage: retry, never die
                if backoff == 1.0:
                    log.warning("intake from %s failing (mailbox or database), will retry with backoff: %s",
                                self.source.name, exc)
                ready.set()  # the daemon is up even while a server is down; it recovers by itself
                connected = False
                with contextlib.suppress(Exception):
                    await self.source.close()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _outbox_loop(self) -> None:
        failing = False
        while True:
            try:
                await self.sender.send_due()
                if failing:
                    log.warning("outgoing rounds work again")
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. the database is locked: try again next round
                if not failing:  # an outage is logged once, not every round
                    log.warning("outgoing round failed, retrying every %.0f s: %s", OUTBOX_POLL_S, exc,
                                exc_info=not isinstance(exc, TemporaryError))
                failing = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.outbox_wakeup.wait(), OUTBOX_POLL_S)
            self.outbox_wakeup.clear()


async def run(settings: Settings, *, once: bool, clock: Clock | None = None) -> int:
    """``escalated run``: returns the exit code."""
    daemon = Daemon(settings, clock=clock)
    if once:
        try:
            if not await daemon.run_once():
                log.warning("not all done (see above); the next run picks up the rest")
                return 75
        except TemporaryError as exc:
            log.error("could not finish: %s", exc)
            return 75  # EX_TEMPFAIL: try again later
        finally:
            daemon.close()
        return 0
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, main.cancel)
    try:
        await daemon.run_forever()
    except asyncio.CancelledError:
        log.info("stopped")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0
