"""The command line contracts: parse, cases import, status, demo."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from escalated.daemon.cli import main

PARSE_KEYS = {"message_id", "from", "subject", "case_number", "case_numbers", "is_escalation", "statement",
              "business_impact", "auto_reply", "attachments"}


def test_parse_prints_one_json_object_per_file_even_for_garbage(tmp_path):
    good = tmp_path / "good.eml"
    good.write_bytes(b"From: Jane <JANE@Acme.example>\r\nSubject: Escalate case 00123456\r\n"
                     b"Message-ID: <a@b>\r\n\r\nPlease escalate case 00123456.\r\n")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    out = subprocess.run([sys.executable, "-m", "escalated", "parse", str(good), str(garbage), str(empty)],
                         capture_output=True, check=True)
    assert b"Traceback" not in out.stderr
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 3
    objects = [json.loads(line) for line in lines]
    for obj in objects:
        assert set(obj) >= PARSE_KEYS
    assert objects[0]["from"] == "jane@acme.example"
    assert objects[0]["case_number"] == "00123456" and objects[0]["is_escalation"] is True
    assert objects[0]["message_id"] == "<a@b>"


def write_config(tmp_path):
    config = tmp_path / "escalated.toml"
    config.write_text(f"""
[mailbox]
url = "maildir://{tmp_path}/inbox"
[smtp]
url = "smtp://127.0.0.1:2525"
from = "Escalations <esc@example.com>"
[database]
url = "sqlite:///{tmp_path}/db.sqlite"
[escalations]
managers = ["managers@example.com"]
""")
    return config


def test_cases_import_creates_then_updates(tmp_path, capsys):
    config = write_config(tmp_path)
    csv = tmp_path / "cases.csv"
    csv.write_text("case_number,status,contact_email,account\n00012345,open,a@x.example,X\n0099,closed,b@y.example,Y\n")
    assert main(["cases", "import", "--config", str(config), str(csv)]) == 0
    assert "2 case(s) created, 0 updated" in capsys.readouterr().out
    csv.write_text("case_number,status,contact_email\n00012345,closed,a@x.example\n")
    assert main(["cases", "import", "--config", str(config), str(csv)]) == 0
    assert "0 case(s) created, 1 updated" in capsys.readouterr().out

    from escalated.daemon.config import load_settings
    from escalated.storage.database import Database, case_by_number

    with Database(load_settings(config).database_url).session() as session:
        case = case_by_number(session, "00012345")
        assert case.status == "closed" and case.account == "X"  # a column left out keeps its value
        assert case_by_number(session, "12345") is None  # leading zeros are part of the number


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("case_number,contact_email\n1,a@b.example\n", "lacks column(s): status"),
        ("case_number,status,contact_email,colour\n1,open,a@b.example,red\n", "unknown column(s): colour"),
        ("case_number,status,contact_email\n1,pending,a@b.example\n", ":2: status 'pending'"),
    ],
)
def test_cases_import_rejects_bad_files_and_changes_nothing(tmp_path, capsys, content, message):
    config = write_config(tmp_path)
    csv = tmp_path / "cases.csv"
    csv.write_text(content)
    assert main(["cases", "import", "--config", str(config), str(csv)]) == 2
    assert message in capsys.readouterr().err


def test_status_reports_counts(tmp_path, capsys):
    config = write_config(tmp_path)
    assert main(["status", "--config", str(config), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"escalations_by_stage": {}, "overdue_acknowledgements": [], "outbox": {},
                      "inbound_by_outcome": {}, "quarantine": []}


def test_demo_runs_every_outcome(tmp_path):
    out = subprocess.run([sys.executable, "-m", "escalated", "demo", "--dir", str(tmp_path / "demo")],
                         capture_output=True, check=True, text=True, timeout=120)
    from escalated.daemon.demo_samples import SAMPLES

    for name, _text, expected in SAMPLES:
        line = next(line for line in out.stdout.splitlines() if name in line)
        assert line.rstrip().endswith(expected), line
    assert "Traceback" not in out.stderr
    assert len(list((tmp_path / "demo" / "sent").glob("*.eml"))) == 10
    assert "pending" not in out.stdout and "failed" not in out.stdout


def test_parse_command_prints_json_for_every_corpus_file():
    """The "Done when" of the extraction work: `escalated parse` on every corpus file, exit 0."""
    from tests.test_parse_corpus import require_corpus_files

    files = require_corpus_files()
    out = subprocess.run([sys.executable, "-m", "escalated", "parse", *map(str, files)],
                         capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert b"Traceback" not in out.stderr
    lines = out.stdout.decode().splitlines()
    assert len(lines) == len(files)
    for path, line in zip(files, lines, strict=True):
        obj = json.loads(line)
        assert obj["file"] == str(path) and set(obj) >= PARSE_KEYS


def test_parse_into_a_closed_pipe_is_quiet(tmp_path):
    eml = tmp_path / "a.eml"
    eml.write_bytes(b"From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n")
    shell = f"{sys.executable} -m escalated parse {' '.join(['a.eml'] * 1000)} | head -n 1"  # > a pipe's buffer
    out = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.stdout.count("\n") == 1 and "Traceback" not in out.stderr
