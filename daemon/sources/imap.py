"""An IMAP mailbox as a mailbox source: UID-based fetching, IDLE, and moves by UID.

Built on aioimaplib 2.0.3, whose response parser recurses once per line and so
breaks on responses of ~1000+ lines (upstream issue #118): every response this
module asks for is kept to a few lines, and every command runs under an outer
timeout. See ``docs/imap.md`` for the design and the measurements behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import aioimaplib

from escalated.daemon.config import is_loopback
from escalated.daemon.errors import ConfigError, PermanentError, TemporaryError
from escalated.daemon.sources.base import Disposition, FetchedMessage

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PORTS = {"imap": 143, "imaps": 993}
# A chunk's size FETCH answers one line per UID, and aioimaplib recurses once per
# line (issue #118): 500 lines pass, 1000 hang (measured on Dovecot). Stay below.
MAX_BATCH_SIZE = 300
# Servers may end an IDLE after 30 minutes (RFC 2177): re-issue it well before.
IDLE_RENEW_S = 28 * 60.0
# Untagged responses that mean "new mail may be here".
NEW_MAIL_RE = re.compile(rb"^\d+ (EXISTS|RECENT)\b")
UIDVALIDITY_RE = re.compile(rb"\[UIDVALIDITY (\d+)\]")
FETCH_BODY_RE = re.compile(rb"\bBODY\[\] \{(\d+)\}$")
FETCH_UID_RE = re.compile(rb"\bUID (\d+)\b")
FETCH_SIZE_RE = re.compile(rb"^\d+ FETCH \(.*?\bUID (\d+)\b.*?\bRFC822\.SIZE (\d+)\b|"
                           rb"^\d+ FETCH \(.*?\bRFC822\.SIZE (\d+)\b.*?\bUID (\d+)\b")


class _RedactLogin(logging.Filter):
    """Blank aioimaplib's debug line for LOGIN.

    aioimaplib scrubs the raw password, but it sends the password quoted: one
    holding a quote or a backslash would appear escaped, and unscrubbed.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and " LOGIN " in record.msg:
            record.msg = "Sending : LOGIN (credentials redacted)"
            record.args = ()
        return True


logging.getLogger(aioimaplib.aioimaplib.__name__).addFilter(_RedactLogin())


def quote_mailbox(name: str) -> str:
    """``name`` as an IMAP quoted string (RFC 3501 section 9); ASCII names only."""
    return aioimaplib.quoted(name)


class ImapSource:
    """Reads one folder of an IMAP mailbox over a single connection.

    Promises: ``fetch()`` yields every undeleted message in the folder, oldest
    (lowest UID) first, reading at most ``batch_size`` UIDs per chunk and one
    message per FETCH command, without setting ``\\Seen``; ``finish()`` moves a
    message by UID (``UID MOVE``, else COPY + ``\\Deleted`` + expunge) to the
    processed or quarantine folder, both created when missing; ``wait_for_mail()``
    uses IDLE when the server offers it. Every command is bounded by
    ``command_timeout_s``; a timeout, a lost connection or a protocol failure
    raises :class:`TemporaryError` and drops the connection, so the next
    ``open()`` (or the next call) reconnects. The password is never logged.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        password: str,
        folder: str = "INBOX",
        tls: bool = False,
        tls_verify: bool = True,
        processed_folder: str = "Processed",
        quarantine_folder: str = "Quarantine",
        batch_size: int = 200,
        command_timeout_s: float = 60.0,
        use_idle: bool = True,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ConfigError("mailbox.fetch_batch_size",
                              f"must be between 1 and {MAX_BATCH_SIZE}, not {batch_size}")
        if command_timeout_s <= 0:
            raise ConfigError("mailbox.command_timeout_s", "must be positive")
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.folder = folder
        self.tls = tls
        self.tls_verify = tls_verify
        self.folders = {Disposition.PROCESSED: processed_folder,
                        Disposition.QUARANTINED: quarantine_folder}
        self.batch_size = batch_size
        self.command_timeout_s = command_timeout_s
        self.use_idle = use_idle
        # The identity stored with each message: stable across port and TLS changes.
        self.name = f"imap://{username}@{host}/{folder}"
        self._client: aioimaplib.IMAP4 | None = None
        self._lost: asyncio.Future[None] | None = None
        self._uidvalidity: int | None = None

    @classmethod
    def from_url(cls, url: str, password: str, **kw: Any) -> ImapSource:
        """Build a source from ``imap://user@host:143/INBOX`` or ``imaps://…:993/…``.

        The user may be percent-encoded (``escalations%40example.com``); the port
        defaults to 143 (imap) or 993 (imaps); the folder to INBOX. A password in
        the URL is refused: it belongs in ``password_env`` or ``password_file``.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise ConfigError("mailbox.url", f"scheme must be imap:// or imaps://, not {scheme!r}")
        if parts.password is not None:
            raise ConfigError("mailbox.url", "holds a password; use password_env or password_file")
        if not parts.username:
            raise ConfigError("mailbox.url", "names no user (imap://user@host/INBOX)")
        if not parts.hostname:
            raise ConfigError("mailbox.url", "names no host")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError as exc:
            raise ConfigError("mailbox.url", f"bad port: {exc}") from exc
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        if "tls" in kw:
            raise TypeError("from_url takes TLS from the scheme (imaps://), not from tls=")
        return cls(host=parts.hostname, port=port, username=unquote(parts.username),
                   password=password, folder=folder, tls=scheme == "imaps", **kw)

    def __repr__(self) -> str:
        return f"<ImapSource {self.name} port={self.port} tls={self.tls}>"

    # -- lifecycle -------------------------------------------------------------

    async def open(self) -> None:
        """Connect, log in, create the processed/quarantine folders, select the folder.

        Does nothing when already connected. Raises :class:`ConfigError` when the
        server refuses the login or a folder, :class:`TemporaryError` otherwise.
        """
        if self._client is not None:
            return
        loop = asyncio.get_running_loop()
        self._lost = loop.create_future()
        lost = self._lost

        def connection_lost(exc: Exception | None) -> None:
            if not lost.done():
                lost.set_result(None)

        ssl_context = self._ssl_context() if self.tls else None
        if not self.tls and not is_loopback(self.host):
            log.warning("IMAP to %s:%d is not encrypted; use imaps:// beyond loopback",
                        self.host, self.port)
        try:
            self._client = aioimaplib.IMAP4(host=self.host, port=self.port,
                                            timeout=self.command_timeout_s,
                                            conn_lost_cb=connection_lost, ssl_context=ssl_context)
            await self._run("connect", self._client.wait_hello_from_server())
            response = await self._run("LOGIN", self._client.login(
                aioimaplib.quoted(self.username), self._password))
            if response.result != "OK":
                text = _text(response)
                if "UNAVAILABLE" in text:  # RFC 5530: the auth backend is down, not us
                    raise TemporaryError(f"IMAP login to {self.host} unavailable: {text}")
                raise ConfigError("mailbox.password",
                                  f"IMAP server {self.host} refused the login of "
                                  f"{self.username!r}: {text}")
            for folder in self.folders.values():
                await self._ensure_folder(folder)
            await self._select()
            log.debug("IMAP %s open, UIDVALIDITY %s, capabilities %s", self.name,
                      self._uidvalidity, sorted(self._client.protocol.capabilities))
        except BaseException:
            self._drop()
            raise

    async def close(self) -> None:
        """Log out (best effort, bounded by the timeout) and drop the connection."""
        client = self._client
        if client is None:
            return
        try:
            if client.has_pending_idle():
                client.idle_done()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.logout(), min(self.command_timeout_s, 5.0))
        finally:
            self._drop()

    # -- the MailboxSource operations ---------------------------------------

    async def fetch(self) -> AsyncIterator[FetchedMessage]:
        """Yield every undeleted message in the folder, oldest first.

        UIDs are listed with one ``UID SEARCH``, then read in chunks of at most
        ``batch_size``: one ``UID FETCH (UID RFC822.SIZE)`` per chunk (a response
        of one line per message), then one ``UID FETCH (BODY.PEEK[])`` per
        message, so no response grows beyond a handful of lines whatever the
        message size (aioimaplib issue #118).
        """
        await self.open()
        await self._select()  # a fresh view and UIDVALIDITY for each round
        client = self._require()
        response = await self._run("UID SEARCH", client.uid_search("UNDELETED", charset=None))
        _check(response, "UID SEARCH")
        uids = sorted(uid for line in response.lines[:-1] for uid in _search_uids(line))
        uidvalidity = self._uidvalidity
        assert uidvalidity is not None
        for start in range(0, len(uids), self.batch_size):
            chunk = uids[start:start + self.batch_size]
            sizes = await self._sizes(chunk)
            for uid in chunk:
                if uid not in sizes:
                    continue  # expunged by another client since the search: nothing to read
                raw = await self._fetch_one(uid)
                if raw is None:
                    continue
                if len(raw) != sizes[uid]:
                    # Some servers (Exchange) report sizes loosely; the literal is authoritative.
                    log.warning("IMAP %s UID %d: RFC822.SIZE %d but %d bytes fetched",
                                self.name, uid, sizes[uid], len(raw))
                yield FetchedMessage(mailbox=self.name, uidvalidity=uidvalidity, uid=uid, raw=raw)

    async def finish(self, message: FetchedMessage, disposition: Disposition) -> None:
        """Move ``message`` by UID to the processed or quarantine folder.

        Idempotent: moving a UID that is already gone does nothing. Raises
        :class:`PermanentError` when the message is from another mailbox or its
        UIDVALIDITY no longer matches (its UID then names nothing reliably; the
        message is fetched again under its new UID and recognised as a duplicate).
        """
        if message.mailbox != self.name:
            raise PermanentError(f"message from {message.mailbox} cannot be moved by {self.name}")
        await self.open()
        if message.uidvalidity != self._uidvalidity:
            await self._select()  # the view may be stale; trust only a fresh SELECT
        if message.uidvalidity != self._uidvalidity:
            raise PermanentError(
                f"{self.name} UIDVALIDITY is {self._uidvalidity}, message has "
                f"{message.uidvalidity}: UID {message.uid} not moved")
        client = self._require()
        target = quote_mailbox(self.folders[disposition])
        uid = str(message.uid)
        if client.has_capability("MOVE"):
            _check(await self._run("UID MOVE", client.uid("MOVE", uid, target)), "UID MOVE")
            return
        _check(await self._run("UID COPY", client.uid("COPY", uid, target)), "UID COPY")
        _check(await self._run("UID STORE", client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")),
               "UID STORE")
        if client.has_capability("UIDPLUS"):
            _check(await self._run("UID EXPUNGE", client.uid("EXPUNGE", uid)), "UID EXPUNGE")
        else:
            # Without UIDPLUS, EXPUNGE also removes other \Deleted messages in the
            # folder; escalated deletes nothing else, so only its own moves go.
            _check(await self._run("EXPUNGE", client.expunge()), "EXPUNGE")

    async def wait_for_mail(self, timeout_s: float) -> None:
        """Return when new mail may have arrived or after ``timeout_s`` seconds.

        With IDLE: returns as soon as the server pushes EXISTS or RECENT (Dovecot
        batches notifications for ~0.5 s), re-issuing IDLE every 28 minutes. With
        no IDLE (or ``use_idle=False``) it simply sleeps: the caller polls.
        """
        if timeout_s <= 0:
            return
        if not self.use_idle:
            await asyncio.sleep(timeout_s)
            return
        await self.open()
        if not self._require().has_capability("IDLE"):
            await asyncio.sleep(timeout_s)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while (remaining := deadline - loop.time()) > 0:
            if await self._idle_once(min(remaining, IDLE_RENEW_S)):
                return

    # -- internals -------------------------------------------------------------

    async def _idle_once(self, duration_s: float) -> bool:
        """One IDLE of at most ``duration_s``; True when new mail was announced."""
        client = self._require()
        queue = client.protocol.idle_queue
        stale_news = False
        while not queue.empty():  # pushes left from an earlier IDLE
            stale_news |= _announces_mail(queue.get_nowait())
        if stale_news:
            return True
        loop = asyncio.get_running_loop()
        idle_deadline = loop.time() + duration_s
        idle_task = await self._run("IDLE", client.idle_start(timeout=duration_s + 60.0))
        finished = False
        try:
            while (left := idle_deadline - loop.time()) > 0:
                push = await self._run("IDLE wait", _next_push(client, left),
                                       timeout_s=left + self.command_timeout_s)
                if push is None or push == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    break
                if _announces_mail(push):
                    log.debug("IMAP %s: server says %r", self.name, push)
                    finished = True
                    break
            client.idle_done()
            response = await self._run("IDLE DONE", asyncio.shield(idle_task))
            _check(response, "IDLE")
            return finished
        except BaseException:
            # Cancelled (shutdown) or failed inside IDLE: the session state is
            # unknown, so never reuse it.
            idle_task.cancel()
            self._drop()
            raise

    async def _ensure_folder(self, folder: str) -> None:
        client = self._require()
        response = await self._run("LIST", client.list('""', quote_mailbox(folder)))
        _check(response, "LIST")
        if any(isinstance(line, bytes) and line.startswith(b"(") for line in response.lines[:-1]):
            return
        response = await self._run("CREATE", client.create(quote_mailbox(folder)))
        if response.result != "OK" and "ALREADYEXISTS" not in _text(response):
            raise ConfigError("mailbox.processed_folder" if folder == self.folders[
                Disposition.PROCESSED] else "mailbox.quarantine_folder",
                f"cannot create IMAP folder {folder!r}: {_text(response)}")
        log.info("IMAP %s: created folder %r", self.name, folder)

    async def _select(self) -> None:
        client = self._require()
        response = await self._run("SELECT", client.select(quote_mailbox(self.folder)))
        if response.result != "OK":
            text = _text(response)
            if any(code in text.upper() for code in ("UNAVAILABLE", "INUSE", "SERVERBUG", "LIMIT")):
                # RFC 5530 codes for a passing state of the server, not a wrong folder name
                self._drop()
                raise TemporaryError(f"IMAP {self.name}: SELECT {self.folder!r} refused for now: {text}")
            raise ConfigError("mailbox.url", f"cannot select IMAP folder {self.folder!r}: {text}")
        for line in response.lines:
            match = UIDVALIDITY_RE.search(bytes(line))
            if match:
                self._uidvalidity = int(match.group(1))
                return
        self._drop()
        raise TemporaryError(f"IMAP {self.name}: SELECT returned no UIDVALIDITY")

    async def _sizes(self, uids: list[int]) -> dict[int, int]:
        client = self._require()
        message_set = ",".join(str(uid) for uid in uids)
        response = await self._run("UID FETCH sizes",
                                   client.uid("FETCH", message_set, "(UID RFC822.SIZE)"))
        _check(response, "UID FETCH")
        sizes = {}
        for line in response.lines[:-1]:
            match = FETCH_SIZE_RE.match(bytes(line))
            if match:
                if match.group(1):
                    sizes[int(match.group(1))] = int(match.group(2))
                else:
                    sizes[int(match.group(4))] = int(match.group(3))
        return sizes

    async def _fetch_one(self, uid: int) -> bytes | None:
        """The raw bytes of message ``uid``, or None when it is gone."""
        client = self._require()
        response = await self._run("UID FETCH", client.uid("FETCH", str(uid), "(UID BODY.PEEK[])"))
        _check(response, "UID FETCH")
        lines = response.lines
        for index, line in enumerate(lines[:-1]):
            if not isinstance(line, bytes):
                continue
            match = FETCH_BODY_RE.search(line)
            if not match or index + 1 >= len(lines):
                continue
            if int(match.group(1)) == 0:
                return b""  # aioimaplib appends no line for an empty literal
            literal = lines[index + 1]
            # The UID is in the item list before the literal or, on some servers, after it.
            after = lines[index + 2] if index + 2 < len(lines) else b""
            uid_match = FETCH_UID_RE.search(line) or FETCH_UID_RE.search(bytes(after))
            if uid_match and int(uid_match.group(1)) != uid:
                continue  # an unsolicited FETCH for another message
            if len(literal) != int(match.group(1)):
                self._drop()
                raise TemporaryError(f"IMAP {self.name} UID {uid}: literal of {len(literal)} "
                                     f"bytes, {match.group(1).decode()} announced")
            return bytes(literal)
        return None

    async def _run(self, what: str, awaitable: Awaitable[T], timeout_s: float | None = None) -> T:
        """Await one IMAP step under the outer timeout; failures become TemporaryError.

        Also fails fast when the connection drops: aioimaplib would otherwise leave
        the command waiting forever (as after the RecursionError of issue #118).
        """
        lost = self._lost
        task = asyncio.ensure_future(awaitable)
        try:
            async with asyncio.timeout(timeout_s or self.command_timeout_s):
                if lost is None:
                    return await task
                done, _ = await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
                if task in done:
                    return task.result()
                raise ConnectionError("connection lost")
        except TimeoutError as exc:
            task.cancel()
            self._drop()
            raise TemporaryError(f"IMAP {what} on {self.host}:{self.port} timed out after "
                                 f"{timeout_s or self.command_timeout_s:g} s") from exc
        except (OSError, ssl.SSLError, aioimaplib.AioImapException, RecursionError) as exc:
            task.cancel()
            self._drop()
            raise TemporaryError(f"IMAP {what} on {self.host}:{self.port} failed: "
                                 f"{exc!r}") from exc
        except BaseException:
            task.cancel()
            raise

    def _drop(self) -> None:
        """Forget the connection (closing its socket); the next open() reconnects."""
        client, self._client = self._client, None
        self._uidvalidity = None
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)
        self._lost = None
        if client is None:
            return
        transport = client.protocol.transport if client.protocol else None
        if transport is not None:
            transport.close()
        client_task = getattr(client, "_client_task", None)
        if client_task is not None and not client_task.done():
            client_task.cancel()
        for task in list(client.tasks) + list(client.protocol.tasks):
            task.cancel()

    def _require(self) -> aioimaplib.IMAP4:
        if self._client is None:
            raise TemporaryError(f"IMAP {self.name} is not connected")
        return self._client

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.tls_verify:
            log.warning("IMAP %s: TLS certificate verification is OFF (tls_verify = false)",
                        self.name)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


async def _next_push(client: aioimaplib.IMAP4, timeout_s: float) -> list[bytes] | None:
    """The next batch of IDLE pushes, or None when ``timeout_s`` passes first."""
    try:
        return await client.wait_server_push(timeout=timeout_s)
    except TimeoutError:
        return None


def _announces_mail(push: list[bytes]) -> bool:
    return any(isinstance(line, bytes) and NEW_MAIL_RE.match(line) for line in push)


def _text(response: aioimaplib.Response) -> str:
    last = response.lines[-1] if response.lines else b""
    return bytes(last).decode("utf-8", "replace")


def _check(response: aioimaplib.Response, what: str) -> None:
    """Raise TemporaryError unless the server answered OK."""
    if response.result != "OK":
        raise TemporaryError(f"IMAP {what} answered {response.result}: {_text(response)}")


def _search_uids(line: object) -> list[int]:
    """The UIDs of one line of a UID SEARCH response, or [] for any other untagged line.

    aioimaplib hands the search result over as ``b"1 2 3"`` (it strips ``* SEARCH``),
    and an unsolicited ``* 5 EXISTS`` or ``* 3 EXPUNGE`` arriving during the command
    lands in the same list as ``b"5 EXISTS"``: its number is not a UID.
    """
    if not isinstance(line, bytes):
        return []
    tokens = line.split()
    if tokens and tokens[0].upper() == b"SEARCH":
        tokens = tokens[1:]
    return [int(t) for t in tokens] if all(t.isdigit() for t in tokens) else []
