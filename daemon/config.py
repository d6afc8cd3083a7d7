"""Configuration: one TOML file validated at start-up into typed, frozen settings.

Every error names the key (``mailbox.url: ...``); unknown keys are errors too, so
a typo never silently falls back to a default. Secrets come from an environment
variable or a file named in the TOML, never from the TOML itself, and are never
logged (they are held as :class:`Secret`, whose ``repr`` hides the value).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from escalated.daemon.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback ranges (127.0.0.0/8, ::1): where plain connections are fine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_duration(text: str, key: str = "") -> timedelta:
    """``"30m"`` -> 30 minutes. Units: ms, s, m, h, d. The unit is required."""
    m = _DURATION.match(str(text))
    if not m:
        raise ConfigError(key, f"{text!r} is not a duration; write it with its unit, like '30m' or '24h'")
    return timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2)])


class Secret:
    """A password held in memory; prints as ``Secret('***')`` so it never reaches a log."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class MailboxSettings:
    url: str
    scheme: str  # imap, imaps or maildir
    host: str
    port: int
    username: str
    folder: str
    path: Path | None  # for maildir://
    password: Secret | None
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    poll_interval_s: float = 60.0
    idle: bool = True
    fetch_batch_size: int = 200
    command_timeout_s: float = 60.0
    tls_verify: bool = True


@dataclass(frozen=True)
class SmtpSettings:
    url: str
    scheme: str  # smtp, smtps or smtp+starttls
    host: str
    port: int
    username: str | None
    password: Secret | None
    from_header: str
    from_address: str
    timeout_s: float = 30.0
    tls_verify: bool = True
    retry_for_s: float = 86400.0


@dataclass(frozen=True)
class EscalationSettings:
    managers: tuple[str, ...]
    admins: tuple[str, ...] = ()
    case_patterns: tuple[str, ...] | None = None
    timezone: str = "UTC"
    acknowledge_within: timedelta = timedelta(minutes=30)
    action_plan_within: timedelta = timedelta(minutes=60)
    update_every: timedelta = timedelta(hours=24)
    support_portal_url: str | None = None
    support_address: str | None = None
    support_hours: str | None = None


@dataclass(frozen=True)
class Settings:
    """The whole validated configuration."""

    mailbox: MailboxSettings
    smtp: SmtpSettings
    database_url: str
    escalations: EscalationSettings
    templates_directory: Path | None = None
    log_level: str = "INFO"
    parse_timeout_s: float = 30.0
    source_file: Path | None = field(default=None, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.escalations.timezone)


# --- reading -----------------------------------------------------------------

_SCHEMA: dict[str, set[str]] = {
    "mailbox": {
        "url", "password_env", "password_file", "processed_folder", "quarantine_folder",
        "poll_interval", "idle", "fetch_batch_size", "command_timeout", "tls_verify",
    },
    "smtp": {
        "url", "from", "username", "password_env", "password_file", "timeout", "tls_verify",
        "retry_for",
    },
    "database": {"url"},
    "escalations": {
        "managers", "admins", "case_patterns", "timezone", "acknowledge_within",
        "action_plan_within", "update_every", "support_portal_url", "support_address",
        "support_hours",
    },
    "templates": {"directory"},
    "logging": {"level"},
    "processing": {"parse_timeout"},
}
_REQUIRED_SECTIONS = ("mailbox", "smtp", "database", "escalations")


class _Section:
    """Typed access to one TOML table, with errors that name ``section.key``."""

    def __init__(self, name: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(name, "must be a table, like [" + name + "]")
        unknown = sorted(set(data) - _SCHEMA[name])
        if unknown:
            others = f" (and unknown {', '.join(f'{name}.{k}' for k in unknown[1:])})" if unknown[1:] else ""
            raise ConfigError(f"{name}.{unknown[0]}",
                              f"unknown key{others}; known keys: {', '.join(sorted(_SCHEMA[name]))}")
        self.name = name
        self.data = data

    def key(self, k: str) -> str:
        return f"{self.name}.{k}"

    def _get(self, k: str, kind: type | tuple[type, ...], default: Any, required: bool) -> Any:
        if k not in self.data:
            if required:
                raise ConfigError(self.key(k), "is required")
            return default
        value = self.data[k]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(t.__name__ for t in kind)
            raise ConfigError(self.key(k), f"must be a {names}, not {value!r}")
        return value

    def str(self, k: str, default: str | None = None, *, required: bool = False) -> Any:
        value = self._get(k, str, default, required)
        if required and isinstance(value, str) and not value.strip():
            raise ConfigError(self.key(k), "must not be empty")
        return value

    def bool(self, k: str, default: bool) -> bool:
        return self._get(k, bool, default, False)

    def int(self, k: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
        value = self._get(k, int, default, False)
        if value < minimum:
            raise ConfigError(self.key(k), f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ConfigError(self.key(k), f"must be at most {maximum}")
        return value

    def duration(self, k: str, default: str) -> timedelta:
        value = self._get(k, str, default, False)
        delta = parse_duration(value, self.key(k))
        if delta <= timedelta(0):
            raise ConfigError(self.key(k), "must be longer than zero")
        return delta

    def addresses(self, k: str, *, required: bool = False) -> tuple[str, ...]:
        value = self._get(k, list, [], required)
        for item in value:
            if not isinstance(item, str) or not _ADDRESS.match(item.strip()):
                raise ConfigError(self.key(k), f"{item!r} is not an email address")
        if required and not value:
            raise ConfigError(self.key(k), "must list at least one address")
        return tuple(item.strip().lower() for item in value)

    def secret(self, required: bool) -> Secret | None:
        env_name = self.str("password_env")
        file_name = self.str("password_file")
        if env_name and file_name:
            raise ConfigError(self.key("password_env"), "give password_env or password_file, not both")
        if env_name:
            if env_name not in os.environ:
                raise ConfigError(self.key("password_env"), f"environment variable {env_name} is not set")
            return Secret(os.environ[env_name])
        if file_name:
            try:
                return Secret(Path(file_name).read_text(encoding="utf-8").strip())
            except OSError as exc:
                raise ConfigError(self.key("password_file"), f"cannot read {file_name}: {exc.strerror}") from exc
        if required:
            raise ConfigError(self.key("password_env"), "a password is needed: set password_env or password_file")
        return None


def _mailbox(section: _Section, base_dir: Path) -> MailboxSettings:
    url = section.str("url", required=True)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    common = dict(
        processed_folder=section.str("processed_folder", "Processed"),
        quarantine_folder=section.str("quarantine_folder", "Quarantine"),
        poll_interval_s=section.duration("poll_interval", "60s").total_seconds(),
        idle=section.bool("idle", True),
        # aioimaplib hangs on responses of ~1000+ lines (issue #118): docs/imap.md
        fetch_batch_size=section.int("fetch_batch_size", 200, maximum=300),
        command_timeout_s=section.duration("command_timeout", "60s").total_seconds(),
        tls_verify=section.bool("tls_verify", True),
    )
    if scheme == "maildir":
        raw_path = unquote(parts.netloc + parts.path)
        if not raw_path:
            raise ConfigError(section.key("url"), "a maildir URL needs a path, like maildir:///var/mail/escalations")
        path = Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return MailboxSettings(url=url, scheme=scheme, host="", port=0, username="", folder="",
                               path=path, password=None, **common)
    if scheme not in ("imap", "imaps"):
        raise ConfigError(section.key("url"), f"scheme {scheme or '(none)'!r} is not imap://, imaps:// or maildir://")
    if not parts.hostname:
        raise ConfigError(section.key("url"), "needs a host, like imaps://user@mail.example.com/INBOX")
    if not parts.username:
        raise ConfigError(section.key("url"), "needs a user name, like imaps://user@mail.example.com/INBOX")
    if parts.password:
        raise ConfigError(section.key("url"), "must not contain a password; use mailbox.password_env or password_file")
    try:
        port = parts.port or (993 if scheme == "imaps" else 143)
    except ValueError as exc:
        raise ConfigError(section.key("url"), str(exc)) from exc
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxSettings(url=url, scheme=scheme, host=parts.hostname, port=port,
                           username=unquote(parts.username), folder=folder, path=None,
                           password=section.secret(required=True), **common)


def _smtp(section: _Section) -> SmtpSettings:
    from email.utils import parseaddr

    url = section.str("url", required=True)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ConfigError(section.key("url"), f"scheme {scheme or '(none)'!r} is not smtp://, smtps:// or smtp+starttls://")
    if not parts.hostname:
        raise ConfigError(section.key("url"), "needs a host, like smtp+starttls://mail.example.com:587")
    if parts.password:
        raise ConfigError(section.key("url"), "must not contain a password; use smtp.password_env or password_file")
    try:
        port = parts.port or {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[scheme]
    except ValueError as exc:
        raise ConfigError(section.key("url"), str(exc)) from exc
    from_header = section.str("from", required=True)
    _, from_address = parseaddr(from_header)
    if not _ADDRESS.match(from_address):
        raise ConfigError(section.key("from"), f"{from_header!r} has no email address")
    username = section.str("username") or (unquote(parts.username) if parts.username else None)
    return SmtpSettings(
        url=url, scheme=scheme, host=parts.hostname, port=port, username=username,
        password=section.secret(required=False), from_header=from_header,
        from_address=from_address.lower(),
        timeout_s=section.duration("timeout", "30s").total_seconds(),
        tls_verify=section.bool("tls_verify", True),
        retry_for_s=section.duration("retry_for", "24h").total_seconds(),
    )


def _escalations(section: _Section) -> EscalationSettings:
    patterns = section._get("case_patterns", list, None, False)
    if patterns is not None:
        if not patterns:
            raise ConfigError(section.key("case_patterns"), "must list at least one pattern (or be left out)")
        for p in patterns:
            try:
                compiled = re.compile(p) if isinstance(p, str) else None
            except re.error as exc:
                raise ConfigError(section.key("case_patterns"), f"{p!r} is not a regular expression: {exc}") from exc
            if compiled is None or compiled.groups != 1:
                raise ConfigError(section.key("case_patterns"), f"{p!r} must have exactly one (group) for the number")
        patterns = tuple(patterns)
    timezone = section.str("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(section.key("timezone"), f"{timezone!r} is not a time zone name, like 'Europe/Berlin'") \
            from exc
    return EscalationSettings(
        managers=section.addresses("managers", required=True),
        admins=section.addresses("admins"),
        case_patterns=patterns,
        timezone=timezone,
        acknowledge_within=section.duration("acknowledge_within", "30m"),
        action_plan_within=section.duration("action_plan_within", "60m"),
        update_every=section.duration("update_every", "24h"),
        support_portal_url=section.str("support_portal_url"),
        support_address=section.str("support_address"),
        support_hours=section.str("support_hours"),
    )


def settings_from_dict(data: dict[str, Any], base_dir: Path | None = None,
                       source_file: Path | None = None) -> Settings:
    """Validate an already-parsed TOML document; raises :class:`ConfigError` naming the key."""
    base_dir = base_dir or Path.cwd()
    unknown = sorted(set(data) - set(_SCHEMA))
    if unknown:
        others = f" (and unknown {', '.join(unknown[1:])})" if unknown[1:] else ""
        raise ConfigError(unknown[0], f"unknown section{others}; known sections: {', '.join(sorted(_SCHEMA))}")
    for name in _REQUIRED_SECTIONS:
        if name not in data:
            raise ConfigError(name, f"section [{name}] is required")
    database = _Section("database", data["database"])
    db_url = database.str("url", required=True)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", db_url):
        raise ConfigError("database.url", "must start with sqlite:/// or postgresql://")
    templates = _Section("templates", data.get("templates", {}))
    tdir = templates.str("directory")
    if tdir:
        tpath = Path(tdir) if Path(tdir).is_absolute() else base_dir / tdir
        if not tpath.is_dir():
            raise ConfigError("templates.directory", f"{tpath} is not a directory")
    else:
        tpath = None
    logging_section = _Section("logging", data.get("logging", {}))
    level = logging_section.str("level", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("logging.level", "must be DEBUG, INFO, WARNING or ERROR")
    processing = _Section("processing", data.get("processing", {}))
    return Settings(
        parse_timeout_s=processing.duration("parse_timeout", "30s").total_seconds(),
        mailbox=_mailbox(_Section("mailbox", data["mailbox"]), base_dir),
        smtp=_smtp(_Section("smtp", data["smtp"])),
        database_url=db_url,
        escalations=_escalations(_Section("escalations", data["escalations"])),
        templates_directory=tpath,
        log_level=level,
        source_file=source_file,
    )


def load_settings(path: str | Path) -> Settings:
    """Read and validate the TOML file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("", f"cannot read configuration file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML: {exc}") from exc
    return settings_from_dict(data, base_dir=path.resolve().parent, source_file=path)
