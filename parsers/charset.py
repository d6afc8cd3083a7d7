"""Turning bytes into text when the declared charset is missing, misspelt or wrong.

Mail in the wild declares charsets such as ``X-UNKNOWN``, ``fakescii`` or
``charset=us-ascii`` (a whole parameter pasted as the value), and sometimes
lies about them. The fallback chain here always returns text.
"""

from __future__ import annotations

import codecs
import re

# Names seen in real mail that Python does not know, mapped to what the sender meant.
_ALIASES = {
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "default": "",
    "ascii": "us-ascii",
    "us-askey": "",
    "iso-8859-8-i": "iso-8859-8",
    "x-sjis": "shift_jis",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",  # GB18030 is a superset; mislabelled GBK mail is common
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",  # Windows clients label CP1252 text as Latin-1
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",  # 8-bit bytes in "ASCII" mail are nearly always CP1252
    "utf8": "utf-8",
}
_CLEAN = re.compile(r"[^a-z0-9_.:+-]")


def normalize_charset(declared: str | None) -> str | None:
    """Return a codec name Python knows for ``declared``, or None when it names nothing usable.

    Strips quotes, a pasted ``charset=`` prefix and stray characters, and maps
    known aliases; never raises.
    """
    if not declared:
        return None
    name = str(declared).strip().strip("\"'").lower()
    if name.startswith("charset="):
        name = name[len("charset=") :].strip("\"'")
    name = _CLEAN.sub("", name)
    name = _ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        # "_iso-2022-jp$ESC" and similar: try the longest known prefix.
        match = re.search(r"(iso-?2022-?jp|iso-?8859-?\d+|utf-?8|windows-?125\d|koi8-?[ru])", name)
        if match:
            try:
                return codecs.lookup(match.group(1)).name
            except LookupError:
                return None
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Decode ``data`` to text; return ``(text, problem)``.

    Tries the declared charset strictly, then UTF-8, then CP1252 with
    replacement characters; ``problem`` describes the fallback used, or is None
    when the declared charset (or plain ASCII/UTF-8 without a declaration) worked.
    """
    codec = normalize_charset(declared)
    if codec is not None:
        try:
            return data.decode(codec), None
        except (UnicodeDecodeError, LookupError, ValueError):
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        used = "cp1252"
    else:
        used = "utf-8"
        if codec is None and not declared:
            return text, None
        if codec in ("ascii", "cp1252", "iso8859-1") and text.isascii():
            return text, None
    if declared:
        return text, f"charset {declared!r} did not decode; used {used}"
    return text, None if used == "utf-8" else f"undeclared 8-bit text; used {used}"
