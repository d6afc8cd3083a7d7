"""Parsing with a time limit, in a worker process.

The parsers are pure and tested against pathological input, but a regular
expression that backtracks on some new shape of mail would otherwise hold the
daemon (Python's ``re`` never lets go of the interpreter lock, so a thread
cannot be abandoned). Each message is parsed in one long-lived worker process;
if it takes longer than the limit, the worker is killed and replaced, and the
message is quarantined with that reason instead of stopping the mailbox.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from multiprocessing.pool import Pool

from escalated.daemon.errors import BadInputError
from escalated.parsers import ParsedMessage, parse_message


class ParseTimeout(BadInputError):
    """Parsing one message took longer than the configured limit."""


class GuardedParser:
    """Calls ``target(raw, case_patterns=...)`` in a worker process, at most ``timeout_s`` seconds."""

    def __init__(self, timeout_s: float, target: Callable[..., ParsedMessage] = parse_message) -> None:
        self.timeout_s = timeout_s
        self.target = target
        self._pool: Pool | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the worker now (and warm it up), so the first message does not wait for it."""
        with self._lock:
            self._ensure_pool().apply(self.target, (b"",))

    def __call__(self, raw: bytes, *, case_patterns: Sequence[str] | None = None) -> ParsedMessage:
        with self._lock:
            pending = self._ensure_pool().apply_async(self.target, (raw,), {"case_patterns": case_patterns})
            try:
                return pending.get(self.timeout_s)
            except multiprocessing.TimeoutError:
                self._terminate()
                raise ParseTimeout(f"parsing took longer than {self.timeout_s:g} s") from None

    def close(self) -> None:
        """Stop the worker process (a new one starts on the next call)."""
        with self._lock:
            self._terminate()

    def _ensure_pool(self) -> Pool:
        if self._pool is None:
            # "spawn": a fresh interpreter, safe beside the daemon's threads and event loop
            self._pool = multiprocessing.get_context("spawn").Pool(1)
        return self._pool

    def _terminate(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
