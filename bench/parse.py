"""Parse speed: ``parse_message`` against the stdlib ``email`` parser (compat32), same messages, same run.

Usage: ``python bench/parse.py [--seconds 2]``

Three messages: a 3 KB plain-text escalation, a multipart/alternative
(text + Outlook-style HTML) reply with a quoted thread, and one with a 5 MB
attachment. For each: messages per second on one core for
``email.message_from_bytes(raw)`` (compat32, parse only) and for
``parse_message(raw)`` (parse + decode + extract everything), and the peak
memory of one parse measured with tracemalloc.
"""

from __future__ import annotations

import argparse
import email
import os
import sys
import time
import tracemalloc
from email.message import EmailMessage

from escalated.parsers import parse_message

PLAIN_BODY = (
    "Hello Support Management,\n\nI would like to escalate case 01234567. Our online checkout has "
    "been down since 07:40 this morning.\n\nBusiness impact: no customer can place an order; about "
    "2,000 orders and EUR 150k revenue per day are lost.\n\nSteps taken: we restarted the payment "
    "gateway and rolled back yesterday's change.\n\nI am available until 20:00, phone +44 20 7946 0321.\n"
)


def plain_message() -> bytes:
    """A ~3 KB plain-text escalation with a short quoted thread and a signature."""
    quoted = "".join(f"> line {i} of the earlier support reply about case 01234567 and logs\n" for i in range(35))
    body = PLAIN_BODY + "\nBest regards,\nJane Miller\n\nOn Mon, 3 Jun 2024 at 10:00, Support <s@example.com> wrote:\n"
    msg = EmailMessage()
    msg["From"] = "Jane Miller <jane.miller@contoso.example>"
    msg["To"] = "supportescalations@example.com"
    msg["Subject"] = "ESCALATION: Case 01234567 - checkout down"
    msg["Message-ID"] = "<bench-plain@contoso.example>"
    msg["Date"] = "Tue, 04 Jun 2024 09:30:00 +0000"
    msg.set_content(body + quoted)
    return msg.as_bytes()


def alternative_message() -> bytes:
    """text/plain + text/html alternative, the HTML with a table and an Outlook quote block."""
    msg = EmailMessage()
    msg["From"] = "Priya Shah <priya.shah@contoso.example>"
    msg["To"] = "supportescalations@example.com"
    msg["Subject"] = "RE: Case 00987654 escalation"
    msg["Message-ID"] = "<bench-alt@contoso.example>"
    msg.set_content(PLAIN_BODY)
    rows = "".join(f"<tr><td>Row {i}</td><td>value {i}</td></tr>" for i in range(20))
    html = (
        f"<html><body><p>{PLAIN_BODY.replace(chr(10), '<br>')}</p><table>{rows}</table>"
        "<div style='border-top:solid #E1E1E1 1.0pt'><p><b>From:</b> Support<br><b>Sent:</b> Monday"
        "<br><b>To:</b> Priya<br><b>Subject:</b> Case 00987654</p></div>"
        + "<p>Earlier message text.</p>" * 30
        + "</body></html>"
    )
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def attachment_message(size: int = 5 * 1024 * 1024) -> bytes:
    """The plain escalation with a 5 MB binary attachment (base64 on the wire)."""
    msg = EmailMessage()
    msg["From"] = "Jane Miller <jane.miller@contoso.example>"
    msg["To"] = "supportescalations@example.com"
    msg["Subject"] = "Escalation case 01234567 - logs attached"
    msg.set_content(PLAIN_BODY)
    msg.add_attachment(os.urandom(size), maintype="application", subtype="octet-stream", filename="dump.bin")
    return msg.as_bytes()


def rate(func, raw: bytes, seconds: float) -> float:
    """Calls per second of ``func(raw)`` over about ``seconds``."""
    func(raw)  # warm caches (compiled regexes, imports)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        func(raw)
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def peak_kib(func, raw: bytes) -> float:
    """Peak traced memory of one ``func(raw)`` call, in KiB (the input bytes not counted)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    func(raw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args(argv)

    messages = {
        "plain 3 KB": plain_message(),
        "multipart/alternative": alternative_message(),
        "5 MB attachment": attachment_message(),
    }
    contenders = {"stdlib compat32": email.message_from_bytes, "parse_message": parse_message}
    print(f"Python {sys.version.split()[0]}, one core, {args.seconds:g} s per measurement")
    print(f"{'message':<24}{'bytes':>10}  {'parser':<16}{'msgs/s':>10}{'vs stdlib':>10}{'peak KiB':>11}")
    for label, raw in messages.items():
        baseline = None
        for name, func in contenders.items():
            seconds = args.seconds if len(raw) < 1_000_000 else max(args.seconds, 3.0)
            speed = rate(func, raw, seconds)
            baseline = baseline or speed  # the stdlib parser, measured first in the same process
            print(
                f"{label:<24}{len(raw):>10}  {name:<16}{speed:>10.1f}{speed / baseline:>9.2f}x"
                f"{peak_kib(func, raw):>11.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
