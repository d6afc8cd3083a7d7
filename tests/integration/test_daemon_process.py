"""The daemon as an admin runs it: ``escalated run --config FILE`` as a process, IDLE, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.integration.helpers import Mail, load_with_cases, write_config

pytestmark = pytest.mark.integration


def wait_until(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def test_daemon_acknowledges_mail_appended_while_it_runs_and_stops_on_sigterm(tmp_path, dovecot, smtp_sink,
                                                                            monkeypatch):
    monkeypatch.setenv("ESCALATED_TEST_IMAP_PASSWORD", dovecot.password)
    config = write_config(tmp_path, dovecot.url, smtp_sink.url, password_env="ESCALATED_TEST_IMAP_PASSWORD")
    load_with_cases(config)
    env = {**os.environ, "ESCALATED_TEST_IMAP_PASSWORD": dovecot.password, "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "daemon.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "escalated", "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_until(lambda: b"escalated is running" in log_path.read_bytes(), 30, "the daemon to start")
        # poll_interval is 30 s in this config: an acknowledgement within seconds proves IDLE
        latencies = []
        for n in range(3):
            started = time.monotonic()
            dovecot.append(Mail().bytes() if n == 0 else
                           Mail(sender="ops@northwind.example", subject="Escalate case 00987654").bytes()
                           if n == 1 else Mail(subject="escalate now", body="no number\n").bytes())
            smtp_sink.wait_for([2, 4, 5][n], timeout_s=10)
            latencies.append(time.monotonic() - started)
        print(f"\nacknowledgement latency with IDLE: {', '.join(f'{s * 1000:.0f} ms' for s in latencies)}")
        assert max(latencies) < 5.0
        assert dovecot.uids("INBOX") == []
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log_path.read_text()
    assert "Traceback" not in output, output
    assert "stopped" in output


def test_sigint_also_stops_cleanly(tmp_path, smtp_sink):
    maildir = tmp_path / "maildir"
    config = write_config(tmp_path, f"maildir://{maildir}", smtp_sink.url)
    load_with_cases(config)
    log_path = tmp_path / "daemon.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "escalated", "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: b"escalated is running" in log_path.read_bytes(), 30, "the daemon to start")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log_path.read_text()


def test_refused_login_stops_the_daemon_naming_the_key(tmp_path, dovecot, smtp_sink, monkeypatch):
    monkeypatch.setenv("ESCALATED_TEST_IMAP_PASSWORD", "wrong-password")
    config = write_config(tmp_path, dovecot.url, smtp_sink.url, password_env="ESCALATED_TEST_IMAP_PASSWORD")
    load_with_cases(config)
    result = subprocess.run([sys.executable, "-m", "escalated", "run", "--config", str(config)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 78
    assert "configuration error: mailbox.password:" in result.stderr
    assert "wrong-password" not in result.stderr
