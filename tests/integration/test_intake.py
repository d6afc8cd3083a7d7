"""End to end on real servers: a mailbox (Dovecot IMAP or a Maildir) in, aiosmtpd out, a SQLite file.

Each outcome of PRODUCT.md section 2 has a test asserting exactly which emails
arrive, to whom, threaded on which Message-ID, and where the message ends up.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from escalated.daemon.service import Daemon, run
from escalated.storage.database import Database
from escalated.storage.models import Case, Escalation, InboundMessage, OutboxEmail
from tests.integration.helpers import (
    ADMIN,
    MANAGERS,
    OUR_ADDRESS,
    ImapTestMailbox,
    Mail,
    MaildirTestMailbox,
    load_with_cases,
    write_config,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["imap", "maildir"])
def box(request, tmp_path, monkeypatch):
    """The same tests over both sources."""
    if request.param == "imap":
        account = request.getfixturevalue("dovecot")
        monkeypatch.setenv("ESCALATED_TEST_IMAP_PASSWORD", account.password)
        mb = ImapTestMailbox(account)
        mb.password_env = "ESCALATED_TEST_IMAP_PASSWORD"
        return mb
    return MaildirTestMailbox(tmp_path / "maildir")


@pytest.fixture
def settings(tmp_path, box, smtp_sink):
    config = write_config(tmp_path, box.url, smtp_sink.url, password_env=box.password_env)
    return load_with_cases(config)


def run_once(settings) -> int:
    return asyncio.run(run(settings, once=True))


def inbound_rows(settings) -> list[InboundMessage]:
    db = Database(settings.database_url)
    with db.session() as session:
        rows = list(session.exec(select(InboundMessage).order_by(InboundMessage.id)))
    db.dispose()
    return rows


def assert_threaded_on(received, message_id: str) -> None:
    msg = received.message
    assert msg["In-Reply-To"] == message_id
    assert message_id in msg["References"].split()
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Message-ID"] and msg["Message-ID"] != message_id


def test_accepted_sends_acknowledgement_and_managers_notification(box, settings, smtp_sink):
    mail = Mail()
    raw = mail.bytes()
    box.deliver(raw)

    assert run_once(settings) == 0

    rows = inbound_rows(settings)
    assert [(r.outcome, r.case_number) for r in rows] == [("accepted", "01234567")]
    assert rows[0].raw == raw  # stored byte for byte
    emails = smtp_sink.wait_for(2)
    assert len(emails) == 2
    ack = smtp_sink.to("jane@acme.example")
    assert len(ack) == 1 and sorted(ack[0].rcpt_tos) == ["csm@example.com", "jane@acme.example"]
    assert ack[0].message["Cc"] == "csm@example.com"
    assert "[ESC-1]" in ack[0].message["Subject"] and "Case 01234567" in ack[0].message["Subject"]
    assert_threaded_on(ack[0], mail.message_id)
    assert "120 warehouse staff" in ack[0].text  # the impact, restated so a mistake can be corrected
    brief = smtp_sink.to(MANAGERS)
    assert len(brief) == 1 and brief[0].rcpt_tos == [MANAGERS]
    assert "[ESC-1]" in brief[0].message["Subject"] and "01234567" in brief[0].message["Subject"]
    assert_threaded_on(brief[0], mail.message_id)
    assert ack[0].message.get_body(("html",)) is not None
    # managers can open the message exactly as it arrived; the customer gets no attachment
    (attached,) = list(brief[0].message.iter_attachments())
    assert attached.get_filename() == "original.eml" and attached.get_content_type() == "message/rfc822"
    assert attached.get_payload()[0].as_bytes().replace(b"\r\n", b"\n").endswith(raw.split(b"\r\n\r\n", 1)[1]
                                                                                .replace(b"\r\n", b"\n"))
    assert list(ack[0].message.iter_attachments()) == []
    assert box.count("INBOX") == 0 and box.count("Processed") == 1


def test_running_once_twice_sends_nothing_new(box, settings, smtp_sink):
    box.deliver(Mail().bytes())
    run_once(settings)
    smtp_sink.wait_for(2)
    assert run_once(settings) == 0
    assert len(smtp_sink.received) == 2
    assert len(inbound_rows(settings)) == 1


def test_redelivered_message_id_gets_no_second_acknowledgement(box, settings, smtp_sink):
    raw = Mail().bytes()
    box.deliver(raw)
    run_once(settings)
    box.deliver(raw)  # the same message again (a resend, a second copy)
    run_once(settings)

    rows = inbound_rows(settings)
    assert [r.outcome for r in rows] == ["accepted", "ignored"]
    assert rows[1].reason == "duplicate of message #1 (same Message-ID)"
    assert len(smtp_sink.to("jane@acme.example")) == 1
    assert box.count("INBOX") == 0 and box.count("Processed") == 2


def test_follow_up_on_same_case_is_relayed_to_managers_without_second_ack(box, settings, smtp_sink):
    first = Mail()
    box.deliver(first.bytes())
    run_once(settings)
    brief = smtp_sink.wait_for(2) and smtp_sink.to(MANAGERS)[0]
    # a new mail (not a reply) about the same case: same escalation, not a new one
    second = Mail(subject="Case 01234567 escalation - now also Antwerp", body="Antwerp is down too.\n")
    box.deliver(second.bytes())
    run_once(settings)

    rows = inbound_rows(settings)
    assert [r.outcome for r in rows] == ["accepted", "follow-up"]
    assert rows[1].reason == "case 01234567 already has ESC-1" and rows[1].escalation_id == 1
    assert len(smtp_sink.to("jane@acme.example")) == 1
    relays = smtp_sink.to(MANAGERS)[1:]
    assert len(relays) == 1
    assert relays[0].message["In-Reply-To"] == brief.message["Message-ID"]
    assert "Antwerp is down too." in relays[0].text
    assert "[ESC-1]" in relays[0].message["Subject"]


def test_reply_on_the_acknowledgement_thread_is_a_follow_up(box, settings, smtp_sink):
    box.deliver(Mail().bytes())
    run_once(settings)
    ack = smtp_sink.wait_for(2) and smtp_sink.to("jane@acme.example")[0]
    reply = Mail(subject="Re: " + ack.message["Subject"], body="Correction: 150 staff.\n",
                 in_reply_to=ack.message["Message-ID"])
    box.deliver(reply.bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert rows[1].outcome == "follow-up" and rows[1].reason == "reply on the thread of ESC-1"


def test_rejected_no_case_number(box, settings, smtp_sink):
    mail = Mail(subject="URGENT escalation", body="Please escalate, everything is down!\n")
    box.deliver(mail.bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert rows[0].outcome == "rejected: no case number"
    (reply,) = smtp_sink.wait_for(1)
    assert reply.rcpt_tos == ["jane@acme.example"]
    assert_threaded_on(reply, mail.message_id)
    assert "case number" in reply.text.lower()
    assert box.count("INBOX") == 0 and box.count("Processed") == 1


@pytest.mark.parametrize(("sender", "number", "why"), [("bob@initech.example", "00001111", "is closed"),
                                                        ("jane@acme.example", "07777777", "is unknown")])
def test_rejected_no_open_case(box, settings, smtp_sink, sender, number, why):
    mail = Mail(sender=sender, subject=f"Escalation for case {number}", body=f"Please escalate case {number}.\n")
    box.deliver(mail.bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert (rows[0].outcome, rows[0].reason) == ("rejected: no open case", f"case {number} {why}")
    (reply,) = smtp_sink.wait_for(1)
    assert reply.rcpt_tos == [sender]
    assert_threaded_on(reply, mail.message_id)
    with Database(settings.database_url).session() as session:
        assert session.exec(select(Escalation)).first() is None


def test_rejected_not_allowed_reveals_nothing(box, settings, smtp_sink):
    mail = Mail(sender="Mallory <mallory@elsewhere.example>")
    box.deliver(mail.bytes())
    run_once(settings)
    assert inbound_rows(settings)[0].outcome == "rejected: not allowed"
    (reply,) = smtp_sink.wait_for(1)
    assert reply.rcpt_tos == ["mallory@elsewhere.example"]
    text = reply.text
    for secret in ("Acme", "jane@acme.example", "Warehouse scanners", "csm@example.com", "S1"):
        assert secret not in text


def test_not_an_escalation_gets_a_redirect(box, settings, smtp_sink):
    mail = Mail(subject="Question on case 00987654", sender="ops@northwind.example",
                body="Hi, which port does the export use? Thanks\n")
    box.deliver(mail.bytes())
    run_once(settings)
    assert inbound_rows(settings)[0].outcome == "not an escalation"
    (reply,) = smtp_sink.wait_for(1)
    assert reply.rcpt_tos == ["ops@northwind.example"]
    assert_threaded_on(reply, mail.message_id)


@pytest.mark.parametrize("header", ["Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes"])
def test_auto_reply_is_ignored_and_never_answered(box, settings, smtp_sink, header):
    box.deliver(Mail(subject="Automatic reply: escalation case 01234567", headers=header).bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert rows[0].outcome == "ignored" and rows[0].reason.startswith("automatic message")
    assert smtp_sink.received == []
    assert box.count("INBOX") == 0 and box.count("Processed") == 1


def test_our_own_mail_coming_back_is_ignored(box, settings, smtp_sink):
    box.deliver(Mail().bytes())
    run_once(settings)
    ack = smtp_sink.wait_for(2) and smtp_sink.to("jane@acme.example")[0]
    box.deliver(ack.raw)  # e.g. the mailbox is also in CC, or a forwarding loop
    run_once(settings)
    rows = inbound_rows(settings)
    assert (rows[1].outcome, rows[1].reason) == ("ignored", "our own message")
    assert len(smtp_sink.received) == 2


def test_unreadable_message_is_quarantined_and_admin_told(box, settings, smtp_sink):
    box.deliver(Mail(sender="").bytes())  # no From header at all
    run_once(settings)
    rows = inbound_rows(settings)
    assert (rows[0].outcome, rows[0].reason) == ("quarantined", "no sender address could be read")
    (notice,) = smtp_sink.wait_for(1)
    assert notice.rcpt_tos == [ADMIN]
    assert "escalated retry --config" in notice.text
    assert box.count("INBOX") == 0 and box.count("Quarantine") == 1


def test_a_crash_quarantines_one_message_and_the_others_go_on(box, settings, smtp_sink, monkeypatch):
    import escalated.daemon.intake as intake

    def boom(facts):
        if "boom" in facts.parsed.subject:
            raise RuntimeError("simulated bug")
        return None

    monkeypatch.setattr(intake, "RULES", (boom, *intake.RULES))
    box.deliver(Mail(subject="boom escalation case 01234567").bytes())
    box.deliver(Mail(sender="ops@northwind.example", subject="Escalate case 00987654").bytes())
    run_once(settings)

    rows = inbound_rows(settings)
    assert [r.outcome for r in rows] == ["quarantined", "accepted"]
    assert rows[0].failed_stage == "rules" and "simulated bug" in rows[0].reason
    assert box.count("INBOX") == 0 and box.count("Quarantine") == 1 and box.count("Processed") == 1
    smtp_sink.wait_for(3)
    assert len(smtp_sink.to(ADMIN)) == 1 and len(smtp_sink.to("ops@northwind.example")) == 1

    # the bug is fixed: the stored copy is decided again, and acknowledged once
    monkeypatch.setattr(intake, "RULES", intake.RULES[1:])
    daemon = Daemon(settings)
    assert daemon.intake.retry(rows[0].id).outcome == "accepted"
    asyncio.run(daemon.sender.send_due())
    assert len(smtp_sink.to("jane@acme.example")) == 1


def test_crash_between_commit_and_move_does_not_act_twice(box, settings, smtp_sink):
    """The outcome is committed but the move fails: the next run only moves it."""
    daemon = Daemon(settings)
    real_finish = daemon.source.finish

    async def failing_finish(message, disposition):
        raise ConnectionResetError("lost the server after the commit")

    daemon.source.finish = failing_finish
    box.deliver(Mail().bytes())
    box.deliver(Mail(sender="ops@northwind.example", subject="Escalate case 00987654").bytes())
    asyncio.run(daemon.run_once())  # one failed move does not stop the round
    assert box.count("INBOX") == 2
    assert [r.moved for r in inbound_rows(settings)] == [False, False]
    daemon.source.finish = real_finish
    asyncio.run(daemon.run_once())

    assert box.count("INBOX") == 0 and box.count("Processed") == 2
    assert [(r.outcome, r.moved) for r in inbound_rows(settings)] == [("accepted", True), ("accepted", True)]
    assert len(smtp_sink.to("jane@acme.example")) == 1 and len(smtp_sink.to("ops@northwind.example")) == 1


def test_smtp_temporary_failure_is_retried_and_delivered_once(box, settings, smtp_sink):
    smtp_sink.fail_next = 1  # the first delivery attempt gets 451
    box.deliver(Mail().bytes())
    run_once(settings)
    smtp_sink.wait_for(2)
    assert smtp_sink.refused == 1
    assert len(smtp_sink.to("jane@acme.example")) == 1
    with Database(settings.database_url).session() as session:
        assert {r.status for r in session.exec(select(OutboxEmail))} == {"sent"}


def test_outbound_mail_is_tagged_and_marked_automatic(box, settings, smtp_sink):
    box.deliver(Mail().bytes())
    run_once(settings)
    for received in smtp_sink.wait_for(2):
        msg = received.message
        assert msg["From"] == f"Support Escalations <{OUR_ADDRESS}>"
        assert msg["Auto-Submitted"] == "auto-replied"
        assert msg["X-Escalated"] == "ESC-1"
        has_original = received.rcpt_tos == [MANAGERS]
        assert msg.get_content_type() == ("multipart/mixed" if has_original else "multipart/alternative")
        assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
        assert b"\r\nSubject: " + msg["Subject"].encode() + b"\r\n" in received.raw  # one line, not folded


def test_mail_server_down_at_start_exits_with_tempfail(tmp_path, smtp_sink):
    config = write_config(tmp_path, "imap://nobody@127.0.0.1:1/INBOX", smtp_sink.url,
                          password_env="HOME")  # any set variable; the server is not there anyway
    settings = load_with_cases(config)
    assert run_once(settings) == 75


def test_inbox_is_empty_after_every_outcome(box, settings, smtp_sink):
    mails = [
        Mail(),
        Mail(subject="escalate now", body="no number here\n"),
        Mail(sender="bob@initech.example", subject="Escalate case 00001111", body="closed one\n"),
        Mail(subject="Automatic reply", headers="Auto-Submitted: auto-replied"),
        Mail(sender=""),
    ]
    for mail in mails:
        box.deliver(mail.bytes())
    run_once(settings)
    assert box.count("INBOX") == 0
    assert box.count("Processed") == 4 and box.count("Quarantine") == 1
    assert all(r.outcome for r in inbound_rows(settings))
    assert Path(settings.database_url.removeprefix("sqlite:///")).exists()


@pytest.mark.parametrize("sender", ["mallory@elsewhere.example", "mallory@%", "mallory@_cme.example",
                                    "lee@initech.example"])
@pytest.mark.parametrize("wording", ["Please escalate case {n}.", "A question about case {n}, please."])
def test_sender_not_allowed_learns_nothing_about_the_case(box, settings, smtp_sink, sender, wording):
    """Open, closed and unknown cases get the same answer from anyone who may not escalate them.

    (lee@initech.example is a colleague on another case, so known, but not Acme's.)
    """
    numbers = ("01234567", "00001111", "07777777") if "initech" not in sender else ("01234567", "00987654")
    for number in numbers:
        box.deliver(Mail(sender=sender, subject="Help", body=wording.format(n=number) + "\n").bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert {r.outcome for r in rows} == {"rejected: not allowed" if "escalate" in wording else "not an escalation"}
    received = smtp_sink.wait_for(len(numbers))
    texts = {r.text.replace(n, "N") for r, n in zip(received, numbers, strict=True)}
    subjects = {r.message["Subject"] for r in received}
    assert len(texts) == 1 and len(subjects) == 1


def test_a_colleague_at_the_contacts_domain_may_escalate_but_not_a_webmail_neighbour(box, settings, smtp_sink):
    with Database(settings.database_url).session() as session:
        session.add(Case(number="00222333", contact_email="pat@gmail.com", status="open"))
    box.deliver(Mail(sender="lee@acme.example").bytes())  # colleague of jane@acme.example
    box.deliver(Mail(sender="someone.else@gmail.com", subject="Escalate case 00222333").bytes())
    run_once(settings)
    assert [r.outcome for r in inbound_rows(settings)] == ["accepted", "rejected: not allowed"]


def test_subject_tag_alone_from_a_stranger_is_not_a_follow_up(box, settings, smtp_sink):
    box.deliver(Mail().bytes())
    run_once(settings)
    smtp_sink.wait_for(2)
    box.deliver(Mail(sender="mallory@elsewhere.example", subject="Re: [ESC-1] hello", body="spam\n").bytes())
    box.deliver(Mail(subject="Re: [ESC-1] more", body="The requester, typing the tag.\n").bytes())
    run_once(settings)
    assert [r.outcome for r in inbound_rows(settings)] == ["accepted", "not an escalation", "follow-up"]
    assert len(smtp_sink.to(MANAGERS)) == 2  # the brief and one relay, none for the stranger


def test_manager_reply_on_the_managers_thread_is_recorded_and_not_relayed(box, settings, smtp_sink):
    box.deliver(Mail().bytes())
    run_once(settings)
    brief = smtp_sink.wait_for(2) and smtp_sink.to(MANAGERS)[0]
    box.deliver(Mail(sender=f"Support Managers <{MANAGERS}>", subject="Re: " + brief.message["Subject"],
                     body="On it.\n", in_reply_to=brief.message["Message-ID"]).bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert (rows[1].outcome, rows[1].escalation_id) == ("manager reply", 1)
    assert len(smtp_sink.received) == 2


def test_duplicate_without_message_id_is_recognised_by_content(box, settings, smtp_sink):
    raw = b"".join(line + b"\r\n" for line in Mail().bytes().split(b"\r\n") if not line.startswith(b"Message-ID"))
    box.deliver(raw)
    box.deliver(raw)
    run_once(settings)
    rows = inbound_rows(settings)
    assert [r.outcome for r in rows] == ["accepted", "ignored"]
    assert rows[1].reason == "duplicate of message #1 (same content)"
    assert len(smtp_sink.to("jane@acme.example")) == 1


def test_bounce_is_ignored_and_never_answered(box, settings, smtp_sink):
    dsn = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\nTo: supportescalations@example.com\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.acme.example>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nescalation for case 01234567 could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.example\r\n\r\n"
        b"Final-Recipient: rfc822; jane@acme.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"
    )
    box.deliver(dsn)
    run_once(settings)
    rows = inbound_rows(settings)
    assert rows[0].outcome == "ignored" and rows[0].reason.startswith("automatic message")
    assert smtp_sink.received == []


def test_reply_limit_per_address_is_recorded_in_the_reason(box, settings, smtp_sink):
    for n in range(7):
        box.deliver(Mail(subject=f"escalate please {n}", body="no number\n").bytes())
    run_once(settings)
    rows = inbound_rows(settings)
    assert [r.outcome for r in rows] == ["rejected: no case number"] * 7
    assert [r.reason.endswith("not answered: reply limit for this address reached") for r in rows] == \
        [False] * 5 + [True] * 2
    assert len(smtp_sink.wait_for(5)) == 5


def test_locked_database_is_retried_not_quarantined(box, settings, smtp_sink):
    import sqlite3

    from escalated.daemon.errors import TemporaryError

    daemon = Daemon(settings)
    box.deliver(Mail().bytes())
    locker = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), timeout=0)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        from sqlalchemy import event

        # wait 0.1 s for the lock instead of the daemon's 10 s, to keep the test short
        daemon.db.engine.dispose()
        event.listen(daemon.db.engine, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=100"))
        with pytest.raises(TemporaryError):
            asyncio.run(daemon.run_once())
    finally:
        locker.rollback()
        locker.close()
    assert box.count("INBOX") == 1  # not moved, not quarantined
    asyncio.run(Daemon(settings).run_once())
    assert [r.outcome for r in inbound_rows(settings)] == ["accepted"]
    assert box.count("Quarantine") == 0 and box.count("Processed") == 1


def test_refused_recipients_are_permanent_failures_not_an_outage(box, settings, smtp_sink):
    smtp_sink.refuse_recipients = {MANAGERS, "csm@example.com"}
    box.deliver(Mail().bytes())
    run_once(settings)
    with Database(settings.database_url).session() as session:
        rows = {r.kind: (r.status, r.attempts) for r in session.exec(select(OutboxEmail))}
    # the acknowledgement reached the requester (the CSM was refused: logged, not resent to all);
    # the managers' notification was refused for good: failed at once, not retried for a day
    assert rows == {"customer/acknowledgement": ("sent", 1), "managers/notification": ("failed", 1)}
    assert [r.rcpt_tos for r in smtp_sink.received] == [["jane@acme.example"]]


def test_a_data_refusal_fails_that_email_and_the_rest_still_go(box, settings, smtp_sink):
    smtp_sink.fail_next = 1
    smtp_sink.fail_code = "554 5.6.0 Message rejected"
    box.deliver(Mail().bytes())
    run_once(settings)
    with Database(settings.database_url).session() as session:
        statuses = sorted(r.status for r in session.exec(select(OutboxEmail)))
    assert statuses == ["failed", "sent"]


def test_an_8bit_original_is_attached_byte_for_byte(box, settings, smtp_sink):
    raw = Mail(body="Bitte eskalieren: Case 01234567. Gesch\u00e4ftliche Auswirkung: 40 Filialen.\n").bytes()
    raw = raw.replace(b'charset="utf-8"', b'charset="utf-8"\r\nContent-Transfer-Encoding: 8bit')
    box.deliver(raw)
    run_once(settings)
    brief = smtp_sink.wait_for(2) and smtp_sink.to(MANAGERS)[0]
    (attached,) = list(brief.message.iter_attachments())
    assert attached.get_filename() == "original.eml"
    assert attached.get_content() == raw


def test_database_failure_during_the_decision_is_retried_not_quarantined(box, settings, smtp_sink, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    import escalated.daemon.intake as intake

    calls = []

    def locked_once(facts):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT ...", {}, sqlite3.OperationalError("database is locked"))
        return None

    monkeypatch.setattr(intake, "RULES", (locked_once, *intake.RULES))
    box.deliver(Mail().bytes())
    assert run_once(settings) == 75
    assert box.count("INBOX") == 1 and [r.outcome for r in inbound_rows(settings)] == [None]
    assert run_once(settings) == 0
    assert [r.outcome for r in inbound_rows(settings)] == ["accepted"]
    assert box.count("Quarantine") == 0 and len(smtp_sink.to("jane@acme.example")) == 1


def test_retry_only_queues_and_a_failed_retry_stays_quarantined(box, settings, smtp_sink, monkeypatch, capsys):
    import escalated.daemon.intake as intake
    from escalated.daemon.cli import main
    from escalated.daemon.errors import TemporaryError

    box.deliver(Mail(sender="").bytes())
    run_once(settings)
    smtp_sink.wait_for(1)  # the admin's notice
    config = str(settings.source_file)

    def db_down(facts):
        raise TemporaryError("database: locked")

    monkeypatch.setattr(intake, "RULES", (db_down, *intake.RULES))
    assert main(["retry", "--config", config, "1"]) == 75
    assert inbound_rows(settings)[0].outcome == "quarantined"  # never left undecided
    monkeypatch.setattr(intake, "RULES", intake.RULES[1:])
    assert main(["retry", "--config", config, "1"]) == 0
    assert "#1: quarantined (no sender address could be read)" in capsys.readouterr().out
    assert len(smtp_sink.received) == 1  # retry wrote a second notice to the outbox but sent nothing
    with Database(settings.database_url).session() as session:
        assert sorted(r.status for r in session.exec(select(OutboxEmail))) == ["pending", "sent"]


def test_an_email_sent_but_not_recorded_is_never_sent_again(box, settings, smtp_sink, monkeypatch):
    from escalated.daemon.errors import TemporaryError
    from escalated.daemon.outbox import OutboxSender

    daemon = Daemon(settings)
    box.deliver(Mail().bytes())
    real_record = OutboxSender._record
    failures = []

    def record_fails_once(self, row_id, *, status, error):
        if status == "sent" and not failures:
            failures.append(row_id)
            raise TemporaryError("database: locked")
        return real_record(self, row_id, status=status, error=error)

    monkeypatch.setattr(OutboxSender, "_record", record_fails_once)
    assert asyncio.run(daemon.run_once()) is False  # the round stopped with work left
    assert len(smtp_sink.received) == 1
    assert asyncio.run(daemon.run_once()) is True
    assert len(smtp_sink.received) == 2  # the notification; the acknowledgement was not sent again
    assert len(smtp_sink.to("jane@acme.example")) == 1
    with Database(settings.database_url).session() as session:
        assert {r.status for r in session.exec(select(OutboxEmail))} == {"sent"}


def test_once_with_smtp_down_exits_tempfail_and_sends_later(tmp_path, box, smtp_sink):
    from tests.fixtures.dovecot import free_loopback_port

    config = write_config(tmp_path, box.url, f"smtp://127.0.0.1:{free_loopback_port()}",
                          password_env=box.password_env)
    down = load_with_cases(config)
    box.deliver(Mail().bytes())
    assert run_once(down) == 75
    assert [r.outcome for r in inbound_rows(down)] == ["accepted"] and box.count("INBOX") == 0
    config.write_text(config.read_text().replace(down.smtp.url, smtp_sink.url))
    from escalated.daemon.config import load_settings

    up = load_settings(config)
    with Database(up.database_url).session() as session:  # not due yet: make it due now
        for row in session.exec(select(OutboxEmail)):
            row.next_attempt_at = row.created_at
            session.add(row)
    assert run_once(up) == 0
    assert len(smtp_sink.wait_for(2)) == 2


def test_non_ascii_subject_is_encoded_in_short_encoded_words(box, settings, smtp_sink):
    with Database(settings.database_url).session() as session:
        case = session.exec(select(Case).where(Case.number == "01234567")).one()
        case.title = "Nächtlicher Export schlägt fehl – Lager Köln und Düsseldorf betroffen"
        session.add(case)
    box.deliver(Mail().bytes())
    run_once(settings)
    ack = smtp_sink.wait_for(2) and smtp_sink.to("jane@acme.example")[0]
    import re

    words = re.findall(rb"=\?utf-8\?[qb]\?[^?]*\?=", ack.raw, re.I)
    assert words and max(len(w) for w in words) <= 75
    assert "Nächtlicher Export" in ack.message["Subject"]


def test_a_message_that_takes_too_long_to_parse_is_quarantined_and_the_rest_go_on(box, settings, smtp_sink):
    import time

    from tests.integration.helpers import slow_parse

    daemon = Daemon(settings)
    daemon.parser.target, daemon.parser.timeout_s = slow_parse, 2.0
    box.deliver(Mail(subject="SLOW-PARSE escalate case 01234567").bytes())
    box.deliver(Mail(sender="ops@northwind.example", subject="Escalate case 00987654").bytes())
    started = time.monotonic()
    try:
        asyncio.run(daemon.run_once())
    finally:
        daemon.close()
    assert time.monotonic() - started < 30
    rows = inbound_rows(settings)
    assert [r.outcome for r in rows] == ["quarantined", "accepted"]
    assert rows[0].reason == "failed in parse: ParseTimeout: parsing took longer than 2 s"
    assert box.count("Quarantine") == 1 and box.count("Processed") == 1
