"""The ``escalated`` command line: run, parse, cases import, status, retry, demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from escalated.daemon.errors import ConfigError

log = logging.getLogger("escalated")


def _setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=getattr(logging, level, logging.INFO), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aioimaplib").setLevel(logging.WARNING)
    logging.getLogger("mail-parser").setLevel(logging.ERROR)
    logging.getLogger("mailparser").setLevel(logging.ERROR)


def _load(path: str):
    from escalated.daemon.config import load_settings

    return load_settings(path)


def cmd_run(args: argparse.Namespace) -> int:
    from escalated.daemon.service import run

    settings = _load(args.config)
    _setup_logging(settings.log_level)
    return asyncio.run(run(settings, once=args.once))


def cmd_parse(args: argparse.Namespace) -> int:
    from escalated.parsers import parse_message

    patterns = None
    if args.config:
        patterns = _load(args.config).escalations.case_patterns
    status = 0
    for name in args.files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            print(json.dumps({"file": name, "error": f"cannot read: {exc.strerror}"}))
            status = 1
            continue
        data = {"file": name, **parse_message(raw, case_patterns=patterns).to_json()}
        print(json.dumps(data, ensure_ascii=False, default=str))
    return status


def cmd_cases_import(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from escalated.daemon.cases import import_cases, read_cases_csv
    from escalated.daemon.errors import BadInputError
    from escalated.storage.database import Database

    settings = _load(args.config)
    db = Database(settings.database_url)
    db.create_schema()
    try:
        rows = read_cases_csv(Path(args.csv))
    except BadInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    created, updated = import_cases(db, rows, datetime.now(UTC))
    print(f"{created} case(s) created, {updated} updated")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from escalated.storage import database as q

    settings = _load(args.config)
    db = q.Database(settings.database_url)
    db.create_schema()
    now = datetime.now(UTC)
    with db.session() as session:
        report = {
            "escalations_by_stage": q.escalation_counts(session),
            "overdue_acknowledgements": [e.number for e in q.overdue_acknowledgements(session, now)],
            "outbox": q.outbox_counts(session),
            "inbound_by_outcome": q.outcome_counts(session),
            "quarantine": [
                {"id": m.id, "from": m.from_address, "subject": m.subject, "reason": m.reason}
                for m in q.quarantined(session)
            ],
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    from sqlalchemy.engine import make_url

    print(f"database: {make_url(settings.database_url).render_as_string(hide_password=True)}")
    print("escalations by stage: " + (", ".join(f"{k} {v}" for k, v in report["escalations_by_stage"].items())
                                     or "none"))
    print("overdue acknowledgements: " + (", ".join(report["overdue_acknowledgements"]) or "none"))
    print("outbox: " + (", ".join(f"{k} {v}" for k, v in report["outbox"].items()) or "empty"))
    print("inbound messages: " + (", ".join(f"{k} {v}" for k, v in report["inbound_by_outcome"].items())
                                  or "none"))
    print(f"quarantine: {len(report['quarantine'])} message(s)")
    for item in report["quarantine"]:
        print(f"  #{item['id']} from {item['from'] or '(no sender)'}: {item['subject']!r}: {item['reason']}")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from escalated.daemon.errors import TemporaryError
    from escalated.daemon.service import Daemon

    settings = _load(args.config)
    _setup_logging(settings.log_level)
    daemon = Daemon(settings)
    status = 0
    for inbound_id in args.ids:
        try:
            row = daemon.intake.retry(inbound_id)
        except LookupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        except TemporaryError as exc:
            print(f"error: #{inbound_id} stays quarantined, try again later: {exc}", file=sys.stderr)
            return 75
        print(f"#{row.id}: {row.outcome} ({row.reason})")
    # Emails it calls for are in the outbox; only the daemon's sender delivers them (so a
    # retry beside a running daemon cannot send anything twice).
    print("Any emails are queued; the running daemon (or the next `escalated run --once`) sends them.")
    daemon.close()
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    from escalated.daemon.demo import run_demo

    _setup_logging("WARNING")
    return run_demo(Path(args.dir) if args.dir else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="escalated", description="Turns a support-escalations mailbox into an on-time escalation process.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run the daemon (until SIGTERM/SIGINT, or --once)")
    p.add_argument("--config", required=True, help="the TOML configuration file")
    p.add_argument("--once", action="store_true", help="process everything waiting, send what is due, exit")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("parse", help="print what escalated reads out of each message file, as JSON lines")
    p.add_argument("files", nargs="+", metavar="FILE", help="message files ('-' for standard input)")
    p.add_argument("--config", help="use the case-number patterns of this configuration")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("cases", help="manage the support cases escalated checks against")
    cases = p.add_subparsers(dest="cases_command", required=True)
    pi = cases.add_parser("import", help="create or update cases from a CSV file")
    pi.add_argument("--config", required=True)
    pi.add_argument("csv", metavar="CSV", help="header row: case_number,status,contact_email[,account,csm_email,"
                    "severity,title]")
    pi.set_defaults(func=cmd_cases_import)

    p = sub.add_parser("status", help="escalations by stage, overdue timers, outbox, quarantine")
    p.add_argument("--config", required=True)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("retry", help="decide quarantined messages again from their stored bytes")
    p.add_argument("--config", required=True)
    p.add_argument("ids", nargs="+", type=int, metavar="ID", help="inbound message id (see `escalated status`)")
    p.set_defaults(func=cmd_retry)

    p = sub.add_parser("demo", help="the main job on embedded defaults: sample cases and emails, a local SMTP sink")
    p.add_argument("--dir", help="where to put the demo's files (default: a new folder ./escalated-demo)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 78  # EX_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `escalated parse *.eml | head`: the reader left; say nothing more, no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
