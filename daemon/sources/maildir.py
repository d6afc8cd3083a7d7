"""A local Maildir as a mailbox source: ``new/`` and ``cur/`` are the inbox.

Processed and quarantined messages move to Maildir++ sub-folders
(``.Processed``, ``.Quarantine``), the layout Dovecot and Courier use, so the
same tree can later be served over IMAP. Maildir has no UIDs; a message's file
key (unique and stable by the Maildir rules) stands for one.
"""

from __future__ import annotations

import asyncio
import hashlib
import mailbox
from collections.abc import AsyncIterator
from pathlib import Path

from escalated.daemon.errors import TemporaryError
from escalated.daemon.sources.base import Disposition, FetchedMessage


def key_uid(key: str) -> int:
    """A stable 62-bit number for a Maildir key (the stored "UID")."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") >> 2


class MaildirSource:
    """Reads a Maildir; ``finish()`` moves a message into a Maildir++ sub-folder."""

    def __init__(self, path: Path, *, processed_folder: str = "Processed",
                 quarantine_folder: str = "Quarantine") -> None:
        self.path = Path(path)
        self.name = f"maildir://{self.path}"
        self.folders = {Disposition.PROCESSED: processed_folder, Disposition.QUARANTINED: quarantine_folder}
        self._box: mailbox.Maildir | None = None

    async def open(self) -> None:
        try:
            self._box = mailbox.Maildir(self.path, create=True)
            for folder in self.folders.values():
                if folder not in self._box.list_folders():
                    self._box.add_folder(folder)
        except OSError as exc:
            raise TemporaryError(f"cannot open Maildir {self.path}: {exc}") from exc

    async def close(self) -> None:
        self._box = None

    async def fetch(self) -> AsyncIterator[FetchedMessage]:
        box = self._require()
        box._refresh()  # noqa: SLF001 - pick up files delivered since the last look
        keys = sorted(box.keys(), key=lambda k: (self._mtime(k), k))
        for key in keys:
            try:
                raw = box.get_bytes(key)
            except (KeyError, FileNotFoundError):
                continue  # taken away by someone else meanwhile: nothing to lose here
            yield FetchedMessage(mailbox=self.name, uidvalidity=0, uid=key_uid(key), raw=raw, key=key)

    async def finish(self, message: FetchedMessage, disposition: Disposition) -> None:
        box = self._require()
        target = box.get_folder(self.folders[disposition])
        try:
            src = self.path / box._lookup(message.key)  # noqa: SLF001 - the file itself, moved atomically
        except KeyError:
            return  # already moved (a retry after a crash)
        dest = Path(target._path) / "cur" / (message.key + ":2,S")  # noqa: SLF001
        src.rename(dest)  # same file system: atomic, never a half-written copy
        box._refresh()  # noqa: SLF001

    async def wait_for_mail(self, timeout_s: float) -> None:
        """No push notifications for a Maildir: poll ``new/`` about every half second."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        new_dir = self.path / "new"
        while asyncio.get_running_loop().time() < deadline:
            if any(new_dir.iterdir()):
                return
            await asyncio.sleep(min(0.5, max(0.0, deadline - asyncio.get_running_loop().time())))

    def _mtime(self, key: str) -> float:
        try:
            return (self.path / self._require()._lookup(key)).stat().st_mtime  # noqa: SLF001
        except (KeyError, OSError):
            return 0.0

    def _require(self) -> mailbox.Maildir:
        if self._box is None:
            raise TemporaryError("Maildir source is not open")
        return self._box
