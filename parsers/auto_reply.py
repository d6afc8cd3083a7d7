"""Recognising mail no one should answer: auto-replies, bounces, reports, list traffic.

Each rule has a name; :func:`detect_auto_reply` returns the first that matches,
so every "ignored" outcome can say why. ``X-Auto-Response-Suppress`` alone is
not a sign: Outlook and Exchange put it on ordinary mail (meeting requests,
mail sent by some add-ins and by Exchange transport rules) to ask *others* not to
auto-reply. It counts only together with Exchange's own server-rule loop header
``X-MS-Exchange-Inbox-Rules-Loop``, which an inbox rule's automatic reply or
forward carries.
"""

from __future__ import annotations

import re
from email.message import Message

from escalated.parsers.headers import capped_params, decode_addresses, raw_header, raw_headers

_PRECEDENCE_AUTO = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_BOUNCE_LOCAL_PARTS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)$", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*+(?:(?:re|aw|fw|fwd|wg|tr|rv|sv|antw)\s*+:\s*+)*+\[?\s*+(?:"
    r"out of (?:the )?office(?: auto-?reply| reply)?|ooo|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|"
    r"autoreply|autoresponder|autosvar|automatiskt svar|auto|abwesenheitsnotiz|automatische antwort|"
    r"r[ée]ponse automatique(?: d'absence du bureau)?|absence du bureau|message d'absence|absent du bureau|"
    r"respuesta automática|respuesta automatica|fuera de (?:la )?oficina|"
    r"automatisch antwoord|afwezigheidsbericht|niet aanwezig|"
    r"risposta automatica|fuori sede|resposta automática)"
    r"\s*+(?:[:：\]]|-[ \t]|re[ \t]*+:|$)",
    re.I,
)
"""The canonical out-of-office subjects: the client's phrase then a colon (or alone).

A bare word is never enough: "Out of office hours support unreachable", "Ausente
el soporte..." and "Afwezigheid van support" are people writing about absence;
nor are words people use as a subject ("Afwezig:", "Ausente:", "Abwesend:").
"""
_BOUNCE_SUBJECT = re.compile(
    r"^(?:(?:undeliverable(?: mail| message)?|undelivered mail|delivery status notification|mail delivery failed|"
    r"mail delivery failure|delivery failure|returned mail|non remis|unzustellbar|nicht zustellbar|"
    r"nondeliverable mail|message not delivered|mail system error)\s*+(?:[:(-]|$)|"
    r"undelivered mail returned to sender|failure notice$|returned mail: see transcript|"
    r"warning: could not send message)",
    re.I,
)
"""Bounce subjects; they count only with a sign of a mail system besides (:func:`_bounce_sign`)."""
_BOUNCE_SENDER = re.compile(
    r"^(?:mailer-?daemon|mail-?daemon|postmaster|bounces?(?:[+=-][^@]*)?|no-?reply|microsoftexchange[0-9a-f]*)$",
    re.I,
)
"""Local parts mail systems send from (a person's "bounce.team@" is not one)."""
_BOUNCE_DISPLAY_NAMES = re.compile(
    r"^(?:mail delivery (?:system|subsystem|service)|microsoft outlook|microsoft exchange|postmaster|"
    r"mailer-daemon)\b",
    re.I,
)


def _bounce_sign(msg: Message, from_address: str | None) -> bool:
    """A sign besides the subject that a mail system wrote ``msg``: a daemon-like sender
    or display name, Exchange's NDR header, or a delivery-status report part."""
    local = (from_address or "").split("@", 1)[0]
    if _BOUNCE_SENDER.match(local):
        return True
    names = decode_addresses(raw_headers(msg, "From"))
    if names and _BOUNCE_DISPLAY_NAMES.match(names[0][0].strip()):
        return True
    if raw_header(msg, "X-MS-Exchange-Message-Is-Ndr") is not None:
        return True
    if msg.is_multipart():
        parts = msg.get_payload()
        for part in parts[:20] if isinstance(parts, list) else ():
            ctype = capped_params(part).get_content_type()
            # not message/rfc822 alone: a CSM forwarding a customer's mail attaches one too
            if ctype in ("text/rfc822-headers", "message/delivery-status"):
                return True
    return False


def detect_auto_reply(msg: Message, subject: str, from_address: str | None) -> str | None:
    """The name of the first auto-reply rule ``msg`` matches, or None for a person's mail.

    Rule names: ``auto-submitted``, ``delivery-report``, ``feedback-report``,
    ``read-receipt``, ``bounce-sender``, ``null-return-path``, ``failed-recipients``,
    ``x-autoreply``, ``x-autorespond``, ``precedence-<value>``, ``mailing-list``,
    ``x-auto-response-suppress+inbox-rule``, ``bounce-subject`` (a bounce subject
    plus a sign of a mail system, see :func:`_bounce_sign`), ``out-of-office-subject``
    (the canonical "Automatic reply:" form, never a bare word).
    """
    auto_submitted = (raw_header(msg, "Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto-submitted"
    try:
        params = capped_params(msg)
        ctype = params.get_content_type()
        report_type = str(params.get_param("report-type") or "").lower() if ctype == "multipart/report" else ""
    except Exception:  # noqa: BLE001
        ctype, report_type = "", ""
    if ctype == "message/delivery-status":
        return "delivery-report"
    if ctype == "multipart/report":
        if report_type == "disposition-notification":
            return "read-receipt"
        if report_type == "feedback-report":
            return "feedback-report"
        return "delivery-report"
    if from_address:
        local = from_address.split("@", 1)[0]
        if _BOUNCE_LOCAL_PARTS.match(local):
            return "bounce-sender"
    return_path = raw_header(msg, "Return-Path")
    if return_path is not None and re.fullmatch(r"\s*<\s*>\s*", return_path):
        return "null-return-path"
    if raw_header(msg, "X-Failed-Recipients") is not None:
        return "failed-recipients"
    for header, rule in (("X-Autoreply", "x-autoreply"), ("X-Autorespond", "x-autorespond")):
        value = raw_header(msg, header)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return rule
    precedence = (raw_header(msg, "Precedence") or "").strip().lower()
    if precedence in _PRECEDENCE_AUTO:
        return "mailing-list" if precedence == "list" else f"precedence-{precedence.replace('-', '_')}"
    if raw_header(msg, "List-Id") is not None or raw_header(msg, "List-Unsubscribe") is not None:
        return "mailing-list"
    if (
        raw_header(msg, "X-Auto-Response-Suppress") is not None
        and raw_header(msg, "X-MS-Exchange-Inbox-Rules-Loop") is not None
    ):
        return "x-auto-response-suppress+inbox-rule"
    if _BOUNCE_SUBJECT.match(subject.strip()) and _bounce_sign(msg, from_address):
        return "bounce-subject"
    if _AUTO_SUBJECT.match(subject):
        return "out-of-office-subject"
    return None
