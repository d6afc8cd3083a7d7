"""The one small interface every mailbox source implements (IMAP, Maildir)."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


class Disposition(enum.Enum):
    """Where a message goes on the server once its outcome is committed."""

    PROCESSED = "processed"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class FetchedMessage:
    """One message as fetched: its place in the mailbox and its raw bytes.

    ``mailbox`` names the source and folder (``imap://user@host/INBOX``);
    ``uidvalidity`` and ``uid`` identify the message there (a Maildir uses 0 and
    a stable number derived from its file key, and keeps the key in ``key``).
    """

    mailbox: str
    uidvalidity: int
    uid: int
    raw: bytes
    key: str = ""


class MailboxSource(Protocol):
    """A mailbox escalated reads from.

    Contract: ``fetch()`` yields every message waiting in the inbox (oldest first),
    in bounded chunks; ``finish()`` moves one message out of the inbox to the
    processed or quarantine folder and is called only after its outcome is
    committed; ``wait_for_mail()`` returns when new mail may have arrived or when
    ``timeout_s`` has passed (IMAP IDLE where offered, else a poll).
    Temporary failures raise :class:`escalated.daemon.errors.TemporaryError`.
    """

    name: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def fetch(self) -> AsyncIterator[FetchedMessage]: ...

    async def finish(self, message: FetchedMessage, disposition: Disposition) -> None: ...

    async def wait_for_mail(self, timeout_s: float) -> None: ...
