"""One base error, split by what the caller should do about it (pymap's habit).

The daemon loop needs one ``except`` per kind, not per cause.
"""

from __future__ import annotations


class EscalatedError(Exception):
    """Base of every error escalated raises on purpose."""


class ConfigError(EscalatedError):
    """The configuration is wrong; the message names the key. Start-up stops."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


class BadInputError(EscalatedError):
    """A message (or CSV row) cannot be processed as it is: quarantine it, keep going."""


class TemporaryError(EscalatedError):
    """A server or resource failed in a way that may pass: retry with backoff."""


class PermanentError(EscalatedError):
    """A server refused for good (for example SMTP 5xx): do not retry."""
