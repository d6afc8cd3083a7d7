"""Shared fixtures: the real servers (Dovecot IMAP, aiosmtpd SMTP) live in ``tests/fixtures``."""

pytest_plugins = ["tests.fixtures.dovecot", "tests.fixtures.smtp"]
