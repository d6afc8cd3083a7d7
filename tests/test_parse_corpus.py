"""Every file of the real-world corpus goes through ``parse_message`` without an exception.

The corpus folder is ``../shared/corpus`` next to the checkout, or the folder
named by ``ESCALATED_CORPUS`` (point it at your own mail export to run the same
check on your mail). When ``CI`` is set the corpus must exist.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from escalated.parsers import parse_message

MAX_SECONDS_PER_MESSAGE = 2.0


def corpus_dir() -> Path:
    configured = os.environ.get("ESCALATED_CORPUS")
    if configured:
        return Path(configured)
    return Path(__file__).parents[1].parent / "shared" / "corpus"


def corpus_files() -> list[Path]:
    root = corpus_dir()
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() != ".md" and not p.name.startswith(".")
    )


def _is_full_message(raw: bytes) -> bool:
    head = raw[:4000].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower()
    return head.startswith((b"from ", b"return-path:", b"received:", b"delivered-to:")) or (
        b"\nfrom:" in b"\n" + head and (b"\nsubject:" in b"\n" + head or b"\ndate:" in b"\n" + head)
    )


def require_corpus_files() -> list[Path]:
    """The corpus files; a missing corpus fails under CI and skips elsewhere."""
    files = corpus_files()
    if not files:
        message = f"mail corpus not found at {corpus_dir()} (set ESCALATED_CORPUS)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return files


def test_corpus_never_crashes_and_always_yields_text_or_reason():
    files = require_corpus_files()
    slow = []
    silent = []
    for path in files:
        raw = path.read_bytes()
        started = time.perf_counter()
        parsed = parse_message(raw)
        elapsed = time.perf_counter() - started
        if elapsed > MAX_SECONDS_PER_MESSAGE:
            slow.append(f"{path.relative_to(corpus_dir())}: {elapsed:.2f}s")
        assert not any(p.startswith("unparseable") for p in parsed.problems), (path, parsed.problems)
        if not parsed.body_text.strip() and parsed.body_reason is None and _is_full_message(raw):
            silent.append(str(path.relative_to(corpus_dir())))
        parsed.to_json()
    assert not slow, slow
    assert not silent, f"messages with neither text nor a body_reason: {silent}"
