"""Every regular expression in ``parsers/`` runs in linear time on long runs of one thing.

A guard for future patterns: adjacent or nested quantifiers over overlapping
classes, ``\\s`` spanning newlines under ``re.M`` and unbounded ``[^x]*`` before
an optional piece all show up here as a search that takes seconds.
"""

from __future__ import annotations

import importlib
import re
import signal
import threading
import time

import pytest

MODULES = ("auto_reply", "body", "case_numbers", "charset", "escalation", "headers", "html_text",
           "message", "quotes")


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for module_name in MODULES:
        module = importlib.import_module(f"escalated.parsers.{module_name}")
        stack = [(f"{module_name}.{name}", value) for name, value in vars(module).items()]
        while stack:
            name, value = stack.pop()
            if isinstance(value, re.Pattern):
                found.setdefault(id(value), (name, value))
            elif isinstance(value, tuple | list):
                stack.extend((f"{name}[{i}]", item) for i, item in enumerate(value))
    return sorted(found.values(), key=lambda item: item[0])


PATTERNS = _patterns()
LIMIT_SECONDS = 0.5


class _TooSlow(Exception):
    pass


def _timed_search(pattern: re.Pattern[str], subject: str) -> float:
    """Seconds one search takes; a search still running past the limit is interrupted
    (the regular expression engine checks signals), so a bad pattern fails fast."""
    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if use_alarm:
        def interrupt(*_):
            raise _TooSlow

        previous = signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, LIMIT_SECONDS * 2)
    started = time.perf_counter()
    try:
        pattern.search(subject)
    except _TooSlow:
        pass
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - started
RUNS = (" ", "\t", "\n", " \n", "a", "0", "-", ":", "<", ">", "a ", "0 ", "\xa0")
PREFIXES = ("", "x", "case", "phone", "<div class=x ", "x wrote", "impact", "<!--", "<script>", "<br")


def test_the_patterns_are_collected():
    names = {name for name, _ in PATTERNS}
    assert len(PATTERNS) > 40
    assert {"case_numbers._DEFAULT_COMPILED[0]", "quotes._DISCLAIMER", "html_text._QUOTE_START"} <= names


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_every_pattern_searches_long_runs_quickly(name, pattern):
    slow = []
    for prefix in PREFIXES:
        for run in RUNS:
            for subject in (prefix + run * 20000 + "x", (prefix + run) * (20000 // len(prefix + run)) + "x"):
                elapsed = _timed_search(pattern, subject)
                if elapsed > LIMIT_SECONDS:
                    slow.append((prefix, run, round(elapsed, 2)))
                    break
    assert not slow, f"{name} backtracks: {slow[:5]}"


def test_tag_stripping_fallback_is_linear_and_still_drops_blocks():
    from escalated.parsers.html_text import strip_tags

    for markup in ("<!--" * 20000, "<script>" * 20000, "<br" * 20000, "<style x>" * 20000):
        started = time.perf_counter()
        strip_tags(markup)
        assert time.perf_counter() - started < LIMIT_SECONDS
    markup = (
        "<html><head><title>t</title><style>p {}</style></head><body><!-- note --><p>Please escalate"
        "</p><script>var x = '<p>';</script><p>case 0123456</p><!-- unclosed <p>tail</p></body></html>"
    )
    text = strip_tags(markup)
    assert "Please escalate" in text and "case 0123456" in text
    assert "var x" not in text and "note" not in text and "p {}" not in text and "t\n" not in text
