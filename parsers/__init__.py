"""Parsers: pure functions from message bytes to facts. No I/O, no clock, no config object.

The one entry point the daemon and ``escalated parse`` use is :func:`parse_message`.
"""

from escalated.parsers.message import DEFAULT_CASE_PATTERNS, parse_message
from escalated.parsers.model import Attachment, ParsedMessage

__all__ = ["DEFAULT_CASE_PATTERNS", "Attachment", "ParsedMessage", "parse_message"]
