"""escalated: turns a support-escalations mailbox into an on-time escalation process.

The sub-packages are the architecture: ``escalated.parsers`` (pure functions),
``escalated.storage`` (tables and queries), ``escalated.daemon`` (the runtime)
and ``escalated.templates`` (the emails).
"""

__version__ = "0.1.0"
