"""Test helpers for the daemon's integration tests: one mailbox interface over Dovecot and a Maildir."""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from pathlib import Path

from escalated.daemon.cases import import_cases, read_cases_csv
from escalated.daemon.config import Settings, load_settings
from escalated.parsers import parse_message
from escalated.storage.database import Database

MANAGERS = "support-managers@example.com"
ADMIN = "escalated-admin@example.com"
OUR_ADDRESS = "supportescalations@example.com"

CASES = """\
case_number,status,contact_email,account,csm_email,severity,title
01234567,open,jane@acme.example,Acme,csm@example.com,S1,Warehouse scanners cannot sync orders since upgrade
00987654,open,ops@northwind.example,Northwind,,S2,Export fails
00001111,closed,bob@initech.example,Initech,,S3,Old problem
"""


class TestMailbox:
    """What a test needs from a mailbox, whatever serves it."""

    url: str
    password_env: str | None = None

    def deliver(self, raw: bytes) -> None: ...

    def count(self, folder: str = "INBOX") -> int: ...


class ImapTestMailbox(TestMailbox):
    def __init__(self, account) -> None:
        self.account = account
        self.url = account.url

    def deliver(self, raw: bytes) -> None:
        self.account.append(raw)

    def count(self, folder: str = "INBOX") -> int:
        return len(self.account.uids(folder))


class MaildirTestMailbox(TestMailbox):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.box = mailbox.Maildir(path, create=True)
        self.url = f"maildir://{path}"

    def deliver(self, raw: bytes) -> None:
        self.box.add(raw)

    def count(self, folder: str = "INBOX") -> int:
        box = self.box if folder == "INBOX" else self.box.get_folder(folder)
        box._refresh()  # noqa: SLF001
        return len(box.keys())


def write_config(tmp_path: Path, mailbox_url: str, smtp_url: str, *, extra: str = "",
                 password_env: str | None = None) -> Path:
    password_line = f'password_env = "{password_env}"\n' if password_env else ""
    config = tmp_path / "escalated.toml"
    config.write_text(f"""\
[mailbox]
url = "{mailbox_url}"
{password_line}poll_interval = "30s"

[smtp]
url = "{smtp_url}"
from = "Support Escalations <{OUR_ADDRESS}>"

[database]
url = "sqlite:///{tmp_path / 'escalated.db'}"

[escalations]
managers = ["{MANAGERS}"]
admins = ["{ADMIN}"]
support_portal_url = "https://support.example.com/new"
{extra}
""")
    return config


def load_with_cases(config: Path) -> Settings:
    settings = load_settings(config)
    db = Database(settings.database_url)
    db.create_schema()
    cases = config.parent / "cases.csv"
    cases.write_text(CASES)
    import_cases(db, read_cases_csv(cases), datetime.now(UTC))
    db.dispose()
    return settings


@dataclass
class Mail:
    """A test email, built as a mail client would."""

    sender: str = "Jane Doe <jane@acme.example>"
    subject: str = "Escalation request: Case 01234567"
    body: str = ("Please escalate case 01234567.\n\nBusiness impact: 120 warehouse staff cannot ship orders "
                 "since 06:00.\n\nJane\n")
    message_id: str | None = None
    headers: str = ""
    in_reply_to: str | None = None

    def __post_init__(self) -> None:
        if self.message_id is None:
            self.message_id = make_msgid(domain="acme.example")

    def bytes(self) -> bytes:
        lines = []
        if self.sender:
            lines.append(f"From: {self.sender}")
        lines += [
            f"To: {OUR_ADDRESS}",
            f"Subject: {self.subject}",
            f"Date: {format_datetime(datetime.now(UTC))}",
            f"Message-ID: {self.message_id}",
        ]
        if self.in_reply_to:
            lines += [f"In-Reply-To: {self.in_reply_to}", f"References: {self.in_reply_to}"]
        if self.headers:
            lines += self.headers.strip().splitlines()
        lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', ""]
        return ("\r\n".join(lines) + "\r\n" + self.body.replace("\n", "\r\n")).encode()


def slow_parse(raw: bytes, case_patterns=None):
    """A parser that hangs on messages saying SLOW-PARSE (runs in the daemon's worker process)."""
    import time

    if b"SLOW-PARSE" in raw:
        time.sleep(600)
    return parse_message(raw, case_patterns=case_patterns)
