"""Acknowledgement latency: from a message landing in the IMAP inbox to our acknowledgement reaching SMTP.

Runs the real daemon loops in-process against a real Dovecot (started here on a
free loopback port) and an aiosmtpd server, appends messages one at a time and
prints the latency of each acknowledgement: first with IMAP IDLE, then, as the
baseline in the same run, with IDLE off and a 5 s poll.

    PYTHONPATH=. .venv/bin/python bench/ack_latency.py [--messages 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escalated.daemon.service import Daemon  # noqa: E402
from tests.fixtures.dovecot import free_loopback_port, start_dovecot  # noqa: E402
from tests.fixtures.smtp import SmtpSink  # noqa: E402
from tests.integration.helpers import Mail, load_with_cases, write_config  # noqa: E402


async def measure(account, sink: SmtpSink, workdir: Path, *, idle: bool, messages: int) -> list[float]:
    os.environ["ESCALATED_BENCH_IMAP_PASSWORD"] = account.password
    config = write_config(workdir, account.url, sink.url, password_env="ESCALATED_BENCH_IMAP_PASSWORD")
    text = config.read_text().replace('poll_interval = "30s"', f'poll_interval = "{"30s" if idle else "5s"}"\n'
                                      f"idle = {'true' if idle else 'false'}")
    config.write_text(text)
    settings = load_with_cases(config)
    daemon = Daemon(settings)
    task = asyncio.create_task(daemon.run_forever())
    latencies = []
    try:
        await asyncio.sleep(1.0)  # let it connect and settle into IDLE / its poll wait (not a sync point)
        for n in range(messages):
            expected = len(sink.received) + 2  # acknowledgement + managers' notification
            started = time.monotonic()
            await asyncio.to_thread(account.append, Mail(subject=f"Escalate case 01234567 #{n}").bytes()
                                    if n == 0 else Mail(subject=f"Re: [ESC-1] more {n}", body="more\n").bytes())
            if n > 0:
                expected -= 1  # a follow-up: one relay to the managers
            await asyncio.to_thread(sink.wait_for, expected, 30.0)
            latencies.append(time.monotonic() - started)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return latencies


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{name:>14}: n={len(values)} median {statistics.median(values) * 1000:7.0f} ms"
            f"  p95 {p95 * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    server = start_dovecot()
    results = {}
    try:
        for idle in (True, False):
            sink = SmtpSink(port=free_loopback_port())
            controller = Controller(sink, hostname=sink.host, port=sink.port)
            controller.start()
            workdir = Path(tempfile.mkdtemp(prefix="escalated-bench-"))
            try:
                results[idle] = asyncio.run(measure(server.add_user(), sink, workdir, idle=idle,
                                                    messages=args.messages))
            finally:
                controller.stop()
                shutil.rmtree(workdir, ignore_errors=True)
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
    print("acknowledgement latency, message appended -> reply accepted by SMTP (Dovecot, loopback)")
    print(summary("IMAP IDLE", results[True]))
    print(summary("poll every 5s", results[False]))
    print(f"median ratio poll/IDLE: {statistics.median(results[False]) / statistics.median(results[True]):.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
