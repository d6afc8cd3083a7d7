"""Configuration: the example loads, and every error names its key."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from escalated.daemon.config import load_settings, parse_duration, settings_from_dict
from escalated.daemon.errors import ConfigError

EXAMPLE = Path(__file__).parents[1] / "config.example.toml"


def example() -> dict:
    return tomllib.loads(EXAMPLE.read_text())


def test_example_config_loads_and_documents_defaults(monkeypatch):
    monkeypatch.setenv("ESCALATED_IMAP_PASSWORD", "s3cret")
    settings = load_settings(EXAMPLE)
    assert settings.mailbox.scheme == "imaps" and settings.mailbox.port == 993
    assert settings.mailbox.username == "escalations" and settings.mailbox.folder == "INBOX"
    assert settings.smtp.scheme == "smtp+starttls" and settings.smtp.port == 587
    assert settings.smtp.from_address == "supportescalations@example.com"
    assert settings.escalations.acknowledge_within == timedelta(minutes=30)
    assert settings.escalations.managers == ("support-managers@example.com",)
    assert "s3cret" not in repr(settings)
    assert settings.mailbox.password.reveal() == "s3cret"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d["mailbox"].pop("url"), "mailbox.url"),
        (lambda d: d["mailbox"].update(url="pop3://x@y/INBOX"), "mailbox.url"),
        (lambda d: d["mailbox"].update(url="imaps://u:pw@host/INBOX"), "mailbox.url"),
        (lambda d: d["mailbox"].update(pollinterval="5s"), "mailbox.pollinterval"),
        (lambda d: d["mailbox"].update(poll_interval="60"), "mailbox.poll_interval"),
        (lambda d: d["mailbox"].update(fetch_batch_size=0), "mailbox.fetch_batch_size"),
        (lambda d: d["mailbox"].update(fetch_batch_size=1000), "mailbox.fetch_batch_size"),
        (lambda d: d["mailbox"].update(idle="yes"), "mailbox.idle"),
        (lambda d: d["smtp"].update(url="http://x"), "smtp.url"),
        (lambda d: d["smtp"].update({"from": "nobody"}), "smtp.from"),
        (lambda d: d["escalations"].update(managers=[]), "escalations.managers"),
        (lambda d: d["escalations"].update(managers=["not an address"]), "escalations.managers"),
        (lambda d: d["escalations"].update(case_patterns=[r"case (\d+"]), "escalations.case_patterns"),
        (lambda d: d["escalations"].update(case_patterns=[r"case \d+"]), "escalations.case_patterns"),
        (lambda d: d["escalations"].update(timezone="Mars/Base"), "escalations.timezone"),
        (lambda d: d["database"].update(url="mysql://x"), "database.url"),
        (lambda d: d.update(extra={}), "extra"),
        (lambda d: d.pop("smtp"), "smtp"),
        (lambda d: d["logging"].update(level="LOUD"), "logging.level"),
        (lambda d: d["processing"].update(parse_timeout="fast"), "processing.parse_timeout"),
        (lambda d: d["mailbox"].update(password_env="ESCALATED_NOT_SET_ANYWHERE"), "mailbox.password_env"),
    ],
)
def test_errors_name_the_key(monkeypatch, change, key):
    monkeypatch.setenv("ESCALATED_IMAP_PASSWORD", "x")
    data = example()
    change(data)
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data)
    assert info.value.key == key
    assert str(info.value).startswith(key + ":")


def test_password_from_file(tmp_path):
    secret = tmp_path / "imap.secret"
    secret.write_text("from-a-file\n")
    data = example()
    data["mailbox"].pop("password_env")
    data["mailbox"]["password_file"] = str(secret)
    assert settings_from_dict(data).mailbox.password.reveal() == "from-a-file"


def test_maildir_needs_no_password(tmp_path):
    data = example()
    data["mailbox"] = {"url": f"maildir://{tmp_path}/inbox"}
    settings = settings_from_dict(data)
    assert settings.mailbox.path == tmp_path / "inbox" and settings.mailbox.password is None


def test_durations_need_units():
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("1.5h") == timedelta(minutes=90)
    with pytest.raises(ConfigError):
        parse_duration("30")


def test_cli_reports_config_error_naming_the_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ESCALATED_IMAP_PASSWORD", "x")
    from escalated.daemon.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('managers = ["support-managers@example.com"]', "managers = []"))
    assert main(["run", "--config", str(bad), "--once"]) == 78
    err = capsys.readouterr().err
    assert err.startswith("configuration error: escalations.managers:")
