"""ImapSource against a real Dovecot: fetch order and chunks, large messages, moves, IDLE, failures."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from email.message import EmailMessage

import pytest

from escalated.daemon.errors import ConfigError, PermanentError, TemporaryError
from escalated.daemon.sources.base import Disposition
from escalated.daemon.sources.imap import ImapSource
from tests.fixtures.dovecot import DovecotMailbox, free_loopback_port, start_dovecot

pytestmark = pytest.mark.integration


def message(number: int, body: str = "Please escalate case 01234567.\r\n") -> bytes:
    return (
        f"From: customer{number}@example.com\r\n"
        f"To: escalations@example.com\r\n"
        f"Subject: Escalation {number}\r\n"
        f"Message-ID: <m{number}@example.com>\r\n"
        f"\r\n{body}"
    ).encode()


def source_for(dovecot: DovecotMailbox, **kw) -> ImapSource:
    kw.setdefault("command_timeout_s", 10.0)
    return ImapSource.from_url(dovecot.url, dovecot.password, **kw)


async def fetch_all(source: ImapSource) -> list:
    return [fetched async for fetched in source.fetch()]


@pytest.mark.asyncio
async def test_fetch_yields_every_message_oldest_first_in_chunks(dovecot, monkeypatch):
    for number in range(5):
        dovecot.append(message(number))
    source = source_for(dovecot, batch_size=2)
    commands = []
    original_sizes = ImapSource._sizes

    async def recording_sizes(self, uids):
        commands.append(list(uids))
        return await original_sizes(self, uids)

    monkeypatch.setattr(ImapSource, "_sizes", recording_sizes)
    await source.open()
    try:
        fetched = await fetch_all(source)
    finally:
        await source.close()

    assert [m.raw for m in fetched] == [message(n) for n in range(5)]
    assert [m.uid for m in fetched] == dovecot.uids() == [1, 2, 3, 4, 5]
    assert commands == [[1, 2], [3, 4], [5]]
    assert {m.mailbox for m in fetched} == {f"imap://{dovecot.username}@127.0.0.1/INBOX"}
    assert len({m.uidvalidity for m in fetched}) == 1 and fetched[0].uidvalidity > 0
    # BODY.PEEK[]: fetching does not mark the messages seen.
    with dovecot.connect() as conn:
        conn.select("INBOX", readonly=True)
        typ, data = conn.uid("SEARCH", "UNSEEN")
        assert data[0].split() == [b"1", b"2", b"3", b"4", b"5"]


@pytest.mark.asyncio
async def test_empty_inbox_yields_nothing(dovecot):
    source = source_for(dovecot)
    await source.open()
    try:
        assert await fetch_all(source) == []
    finally:
        await source.close()


def many_lines_message(lines: int) -> bytes:
    # Unbalanced parentheses too: aioimaplib counts them to find a FETCH's end.
    body = "".join(f"log line {i}: retry (attempt {i % 7} failed :-(\r\n" for i in range(lines))
    return message(1, body)


def attachment_message(size_bytes: int) -> bytes:
    email = EmailMessage()
    email["From"] = "customer@example.com"
    email["To"] = "escalations@example.com"
    email["Subject"] = "Escalation with logs"
    email["Message-ID"] = "<logs@example.com>"
    email.set_content("Case 01234567: logs attached.")
    email.add_attachment(os.urandom(size_bytes), maintype="application",
                         subtype="octet-stream", filename="logs.bin")
    return email.as_bytes(policy=email.policy.clone(linesep="\r\n"))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "raw",
    [many_lines_message(5_000), many_lines_message(50_000), attachment_message(5 * 1024 * 1024)],
    ids=["5000-lines", "50000-lines", "5MB-attachment"],
)
async def test_large_message_is_fetched_intact(dovecot, raw):
    dovecot.append(message(0))
    dovecot.append(raw)
    dovecot.append(message(2))
    source = source_for(dovecot, batch_size=200)
    await source.open()
    try:
        started = time.monotonic()
        fetched = await asyncio.wait_for(fetch_all(source), 30)
        elapsed = time.monotonic() - started
    finally:
        await source.close()
    lines = raw.count(b"\n")
    print(f"\n{len(raw):,} bytes, {lines:,} lines fetched in {elapsed:.3f} s")
    assert [m.raw for m in fetched] == [message(0), raw, message(2)]


@pytest.mark.asyncio
async def test_a_chunk_of_many_small_messages(dovecot):
    # 300 messages in chunks of 300: one size FETCH of 300 lines, then one FETCH each
    # (a single BODY.PEEK[] FETCH of this many messages hangs aioimaplib 2.0.3).
    with dovecot.connect() as conn:
        for number in range(300):
            conn.append("INBOX", None, None, message(number))
    source = source_for(dovecot, batch_size=300)
    await source.open()
    try:
        started = time.monotonic()
        fetched = await fetch_all(source)
        print(f"\n300 messages fetched in {time.monotonic() - started:.3f} s")
    finally:
        await source.close()
    assert [m.raw for m in fetched] == [message(n) for n in range(300)]


@pytest.mark.asyncio
async def test_finish_moves_to_processed_and_quarantine(dovecot):
    for number in range(3):
        dovecot.append(message(number))
    source = source_for(dovecot)
    await source.open()
    try:
        first, second, third = await fetch_all(source)
        await source.finish(first, Disposition.PROCESSED)
        await source.finish(second, Disposition.QUARANTINED)
        await source.finish(third, Disposition.PROCESSED)
        await source.finish(third, Disposition.PROCESSED)  # a retry after a crash: no-op
        assert await fetch_all(source) == []
    finally:
        await source.close()
    assert dovecot.uids("INBOX") == []
    assert dovecot.fetch_all("INBOX") == []
    assert dovecot.fetch_all("Processed") == [message(0), message(2)]
    assert dovecot.fetch_all("Quarantine") == [message(1)]


@pytest.mark.asyncio
async def test_finish_without_move_capability_copies_and_expunges(dovecot, monkeypatch):
    for number in range(2):
        dovecot.append(message(number))
    source = source_for(dovecot)
    await source.open()
    try:
        capabilities = source._client.protocol.capabilities
        capabilities.discard("MOVE")
        first, second = await fetch_all(source)
        await source.finish(second, Disposition.PROCESSED)  # UID EXPUNGE (UIDPLUS)
        capabilities.discard("UIDPLUS")
        await source.finish(first, Disposition.QUARANTINED)  # plain EXPUNGE
    finally:
        await source.close()
    assert dovecot.uids("INBOX") == []
    assert dovecot.fetch_all("Processed") == [message(1)]
    assert dovecot.fetch_all("Quarantine") == [message(0)]


@pytest.mark.asyncio
async def test_finish_refuses_a_stale_uidvalidity(dovecot):
    dovecot.append(message(0))
    source = source_for(dovecot)
    await source.open()
    try:
        (fetched,) = await fetch_all(source)
        stale = type(fetched)(mailbox=fetched.mailbox, uidvalidity=fetched.uidvalidity + 1,
                              uid=fetched.uid, raw=fetched.raw)
        with pytest.raises(PermanentError, match="UIDVALIDITY"):
            await source.finish(stale, Disposition.PROCESSED)
    finally:
        await source.close()
    assert dovecot.uids("INBOX") == [1]


@pytest.mark.asyncio
async def test_open_creates_missing_folders(dovecot):
    assert dovecot.folders() == ["INBOX"]
    source = source_for(dovecot, quarantine_folder="Escalations Quarantine")
    await source.open()
    await source.close()
    assert sorted(dovecot.folders()) == ["Escalations Quarantine", "INBOX", "Processed"]
    # Opening again with the folders present is fine.
    await source.open()
    await source.close()


@pytest.mark.asyncio
async def test_fetch_of_a_custom_folder(dovecot):
    dovecot.create("Escalations")
    dovecot.append(message(7), folder="Escalations")
    dovecot.append(message(8))
    source = ImapSource.from_url(dovecot.url.replace("/INBOX", "/Escalations"), dovecot.password)
    await source.open()
    try:
        (fetched,) = await fetch_all(source)
        await source.finish(fetched, Disposition.PROCESSED)
    finally:
        await source.close()
    assert fetched.raw == message(7)
    assert dovecot.uids("Escalations") == []
    assert dovecot.uids("INBOX") == [1]


def append_later(
    dovecot: DovecotMailbox, started: threading.Event, raw: bytes
) -> tuple[threading.Thread, list[float]]:
    """In a thread: wait until IDLE is on, then append from another connection.

    Returns the thread and a list that receives the time of the append.
    """
    appended_at: list[float] = []

    def run() -> None:
        started.wait(10)
        appended_at.append(time.monotonic())
        dovecot.append(raw)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, appended_at


@pytest.mark.asyncio
async def test_wait_for_mail_returns_soon_after_an_append(dovecot):
    source = source_for(dovecot)
    await source.open()
    try:
        assert await fetch_all(source) == []
        idle_started = threading.Event()
        original_idle_start = source._client.idle_start

        async def idle_start(*args, **kw):
            task = await original_idle_start(*args, **kw)
            idle_started.set()  # the server has answered "+ idling"
            return task

        source._client.idle_start = idle_start
        thread, appended_at = append_later(dovecot, idle_started, message(1))
        await source.wait_for_mail(20.0)
        returned_at = time.monotonic()
        await asyncio.to_thread(thread.join, 10)
        latency = returned_at - appended_at[0]
        print(f"\nIDLE latency (append by another connection -> wait_for_mail returns): "
              f"{latency:.3f} s")
        assert latency < 3.0
        # The same connection is usable at once after IDLE.
        assert [m.raw for m in await fetch_all(source)] == [message(1)]
    finally:
        await source.close()


@pytest.mark.asyncio
async def test_wait_for_mail_returns_at_once_when_mail_came_before_idle(dovecot):
    source = source_for(dovecot)
    await source.open()
    try:
        assert await fetch_all(source) == []
        dovecot.append(message(1))  # after the last look, before IDLE
        started = time.monotonic()
        await source.wait_for_mail(10.0)
        assert time.monotonic() - started < 3.0
    finally:
        await source.close()


@pytest.mark.asyncio
async def test_wait_for_mail_returns_after_the_timeout_without_mail(dovecot):
    source = source_for(dovecot)
    await source.open()
    try:
        started = time.monotonic()
        await source.wait_for_mail(1.0)
        elapsed = time.monotonic() - started
        assert 0.9 <= elapsed < 2.5
        # IDLE was ended cleanly: the connection still works.
        assert await fetch_all(source) == []
    finally:
        await source.close()


@pytest.mark.asyncio
async def test_idle_is_renewed_and_still_sees_mail(dovecot, monkeypatch):
    # IDLE_RENEW_S is 28 minutes in production; 0.3 s here exercises the renewal.
    monkeypatch.setattr("escalated.daemon.sources.imap.IDLE_RENEW_S", 0.3)
    source = source_for(dovecot)
    await source.open()
    try:
        idles = []
        original_idle_start = source._client.idle_start

        async def counting_idle_start(*args, **kw):
            idles.append(time.monotonic())
            return await original_idle_start(*args, **kw)

        source._client.idle_start = counting_idle_start
        started = time.monotonic()
        await source.wait_for_mail(1.0)
        assert 0.9 <= time.monotonic() - started < 2.5
        assert len(idles) >= 3
        idles.clear()
        renewed = threading.Event()
        thread, appended_at = append_later(dovecot, renewed, message(1))

        async def signal_after_two(*args, **kw):
            task = await counting_idle_start(*args, **kw)
            if len(idles) == 2:
                renewed.set()
            return task

        source._client.idle_start = signal_after_two
        await source.wait_for_mail(20.0)
        await asyncio.to_thread(thread.join, 10)
        assert time.monotonic() - appended_at[0] < 3.0
        assert len(idles) >= 2
    finally:
        await source.close()


@pytest.mark.asyncio
async def test_wait_for_mail_polls_without_idle(dovecot):
    source = source_for(dovecot, use_idle=False)
    await source.open()
    try:
        started = time.monotonic()
        await source.wait_for_mail(0.5)
        assert 0.45 <= time.monotonic() - started < 2.0
    finally:
        await source.close()


@pytest.mark.asyncio
async def test_wrong_port_raises_temporary_error_quickly():
    source = ImapSource(host="127.0.0.1", port=free_loopback_port(), username="u",
                        password="p", command_timeout_s=2.0)
    started = time.monotonic()
    with pytest.raises(TemporaryError):
        await source.open()
    assert time.monotonic() - started < 2.5


@pytest.mark.asyncio
async def test_a_silent_server_raises_temporary_error_within_the_timeout():
    # Accepts the connection but never greets: only the outer timeout can end this.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        source = ImapSource(host="127.0.0.1", port=listener.getsockname()[1], username="u",
                            password="p", command_timeout_s=1.0)
        started = time.monotonic()
        with pytest.raises(TemporaryError, match="timed out"):
            await source.open()
        assert time.monotonic() - started < 2.0
    finally:
        listener.close()


@pytest.mark.asyncio
async def test_stopped_server_raises_temporary_error_then_reconnects():
    server = start_dovecot()
    try:
        mailbox = server.add_user()
        mailbox.append(message(1))
        source = ImapSource.from_url(mailbox.url, mailbox.password, command_timeout_s=3.0)
        await source.open()
        server.stop()
        started = time.monotonic()
        with pytest.raises(TemporaryError):
            await fetch_all(source)
        assert time.monotonic() - started < 3.5
        with pytest.raises(TemporaryError):
            await source.open()  # nothing listens any more
        # Same server config and mail on disk, started again: the next open() reconnects.
        server.start()
        await source.open()
        assert [m.raw for m in await fetch_all(source)] == [message(1)]
        await source.close()
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.mark.asyncio
async def test_server_stopping_during_idle_raises_temporary_error():
    server = start_dovecot()
    try:
        mailbox = server.add_user()
        source = ImapSource.from_url(mailbox.url, mailbox.password, command_timeout_s=3.0)
        await source.open()
        waiting = asyncio.create_task(source.wait_for_mail(30.0))
        deadline = time.monotonic() + 5
        while not (source._client and source._client.has_pending_idle()):
            assert time.monotonic() < deadline, "IDLE did not start"
            await asyncio.sleep(0.01)
        await asyncio.to_thread(server.stop)
        with pytest.raises(TemporaryError):
            await asyncio.wait_for(waiting, 5)
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.mark.asyncio
async def test_wrong_password_is_a_configuration_error(dovecot):
    source = ImapSource.from_url(dovecot.url, "not-the-password", command_timeout_s=5.0)
    with pytest.raises(ConfigError) as raised:
        await source.open()
    assert raised.value.key == "mailbox.password"
    assert "not-the-password" not in str(raised.value)


@pytest.mark.asyncio
async def test_the_password_is_never_logged(dovecot, caplog):
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="aioimaplib")  # the CLI's logging set-up may have raised it
    source = source_for(dovecot)
    await source.open()
    await fetch_all(source)
    await source.close()
    assert dovecot.password not in caplog.text
    assert dovecot.password not in repr(source)


@pytest.mark.asyncio
async def test_a_password_with_quotes_is_not_logged_either(dovecot, caplog):
    # aioimaplib scrubs the raw password, but sends it quoted (escaped).
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="aioimaplib")  # the CLI's logging set-up may have raised it
    source = ImapSource.from_url(dovecot.url, 'Zq7"x\\Kv9', command_timeout_s=5.0)
    with pytest.raises(ConfigError):
        await source.open()  # refused, but the LOGIN line was sent and logged
    assert "LOGIN (credentials redacted)" in caplog.text
    assert "Zq7" not in caplog.text and "Kv9" not in caplog.text


def test_from_url_parses_imap_and_imaps():
    plain = ImapSource.from_url("imap://escalations%40example.com@mail.example.com:1143/Support",
                                "secret", batch_size=50)
    assert (plain.host, plain.port, plain.username, plain.folder, plain.tls) == (
        "mail.example.com", 1143, "escalations@example.com", "Support", False)
    assert plain.batch_size == 50
    assert plain.name == "imap://escalations@example.com@mail.example.com/Support"

    secure = ImapSource.from_url("imaps://bob@mail.example.com", "secret")
    assert (secure.port, secure.folder, secure.tls, secure.tls_verify) == (993, "INBOX", True, True)
    assert ImapSource.from_url("imap://bob@localhost/", "x").port == 143
    assert ImapSource.from_url("imap://bob@localhost/Team%20Escalations", "x").folder == (
        "Team Escalations")
    assert ImapSource.from_url("imaps://bob@h/INBOX", "x", tls_verify=False).tls_verify is False


@pytest.mark.parametrize(
    "url",
    ["pop3://bob@h/INBOX", "imap://h/INBOX", "imap://bob:pw@h/INBOX", "imap://bob@:143/INBOX",
     "imap://bob@h:notaport/INBOX"],
)
def test_from_url_refuses_bad_urls(url):
    with pytest.raises(ConfigError) as raised:
        ImapSource.from_url(url, "secret")
    assert raised.value.key == "mailbox.url"


def test_search_result_ignores_unsolicited_untagged_lines():
    from escalated.daemon.sources.imap import _search_uids

    assert _search_uids(b"1 2 30") == [1, 2, 30]
    assert _search_uids(b"SEARCH 4 5") == [4, 5]
    assert _search_uids(b"5 EXISTS") == [] and _search_uids(b"3 EXPUNGE") == [] and _search_uids(b"") == []
