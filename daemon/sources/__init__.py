"""Mailbox sources: where inbound messages come from (IMAP or a local Maildir)."""
