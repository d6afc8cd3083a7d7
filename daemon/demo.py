"""``escalated demo``: the main job on embedded defaults, with nothing to install or configure.

It makes a folder with a SQLite database, a Maildir inbox seeded with sample
emails (one or more per outcome) and a configuration file, starts an in-process
SMTP server (aiosmtpd) on loopback that keeps every email the daemon sends,
runs the daemon once over the inbox, and prints what happened.
"""

from __future__ import annotations

import asyncio
import mailbox
import os
import shutil
import socket
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import format_datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from escalated.daemon.cases import import_cases, read_cases_csv
from escalated.daemon.config import load_settings
from escalated.daemon.demo_samples import CASES_CSV, SAMPLES
from escalated.daemon.service import Daemon
from escalated.storage.models import InboundMessage, OutboxEmail

MARKER = ".escalated-demo"

CONFIG = """\
# The demo's configuration: the same keys as config.example.toml.
[mailbox]
url = "maildir://{inbox}"

[smtp]
url = "smtp://127.0.0.1:{smtp_port}"
from = "Support Escalations <supportescalations@example.com>"

[database]
url = "sqlite:///{db}"

[escalations]
managers = ["support-managers@example.com"]
admins = ["escalated-admin@example.com"]
support_portal_url = "https://support.example.com/cases/new"
support_address = "support@example.com"
"""


class SavingHandler:
    """aiosmtpd handler: writes each received email to ``sent/NNN.eml``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.count += 1
        (self.folder / f"{self.count:03d}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(folder: Path, smtp_port: int) -> Path:
    """Lay out the demo folder afresh; returns the configuration file's path."""
    if folder.exists():
        if not (folder / MARKER).exists():
            raise SystemExit(f"{folder} exists and is not a demo folder; choose another with --dir")
        shutil.rmtree(folder)
    (folder / "sent").mkdir(parents=True)
    (folder / MARKER).write_text("made by `escalated demo`; safe to delete\n")
    inbox = mailbox.Maildir(folder / "inbox", create=True)
    date = format_datetime(datetime.now(UTC))
    base = time.time() - len(SAMPLES)
    for index, (_name, text, _expected) in enumerate(SAMPLES):
        raw = text.format(date=date, sig_space=" ").replace("\n", "\r\n").encode()
        key = inbox.add(raw)
        path = folder / "inbox" / inbox._lookup(key)  # noqa: SLF001
        os.utime(path, (base + index, base + index))  # delivery order = sample order
    (folder / "cases.csv").write_text(CASES_CSV)
    config = folder / "escalated.toml"
    config.write_text(CONFIG.format(inbox=folder / "inbox", smtp_port=smtp_port, db=folder / "escalated.db"))
    return config


def run_demo(folder: Path | None = None) -> int:
    folder = (folder or Path.cwd() / "escalated-demo").resolve()
    port = _free_port()
    config_path = prepare(folder, port)
    handler = SavingHandler(folder / "sent")
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = load_settings(config_path)
        daemon = Daemon(settings)
        import_cases(daemon.db, read_cases_csv(folder / "cases.csv"), datetime.now(UTC))
        asyncio.run(daemon.run_once())
    finally:
        controller.stop()
    _print_summary(daemon, folder, config_path)
    return 0


def _print_summary(daemon: Daemon, folder: Path, config_path: Path) -> None:
    from sqlmodel import select

    with daemon.db.session() as session:
        inbound = list(session.exec(select(InboundMessage).order_by(InboundMessage.id)))
        outbox = list(session.exec(select(OutboxEmail).order_by(OutboxEmail.id)))
    names = {i: name for i, (name, _t, _e) in enumerate(SAMPLES, start=1)}
    print("escalated demo: the daemon read the sample inbox once.\n")
    print("Inbound messages, each with its one outcome:")
    for row in inbound:
        print(f"  #{row.id:<2} {names.get(row.id, ''):32} {row.from_address or '(no sender)':38} {row.outcome}")
        print(f"      why: {row.reason}")
    print("\nEmails sent (captured by the local SMTP server):")
    for row in outbox:
        print(f"  {row.status:7} to {row.recipients}")
        print(f"          {row.subject}")
    ack = next((r for r in outbox if r.kind == "customer/acknowledgement"), None)
    if ack is not None:
        body = message_from_bytes(ack.raw, policy=policy.default).get_body(("plain",)).get_content()
        print("\nThe first acknowledgement, as the customer reads it:\n")
        print("  " + "\n  ".join(body.rstrip().splitlines()))
    print(f"""
Files:
  configuration   {config_path}
  database        {folder / 'escalated.db'}
  inbox (Maildir) {folder / 'inbox'}  (handled mail moved to .Processed / .Quarantine)
  sent emails     {folder / 'sent'}/*.eml
Try: escalated status --config {config_path}
     escalated parse {folder / 'inbox' / '.Processed' / 'cur'}/*""")
