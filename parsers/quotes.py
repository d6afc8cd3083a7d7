"""Splitting a reply into the sender's new text, quoted history and signature.

Own line-based rules (measured against mail-parser-reply on the discourse and
talon sets, see ``docs/parsing.md``): a reply is cut at the first quote header
("On ... wrote:" in many languages, Outlook ``From:/Sent:`` blocks and
``____`` separators, "Original Message" lines, an HTML quote mark), ``>`` lines
are dropped, and signatures (``-- ``, mobile footers, sign-offs) and legal
disclaimers are removed. A forwarded message can be kept as content (a CSM
forwarding the customer's mail): then only its header block is removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from escalated.parsers.html_text import QUOTE_MARK

_WROTE_VERBS = (
    r"wrote|writes|schrieb|schreibt|a écrit|a ecrit|escribió|escribio|schreef|ha scritto|"
    r"escreveu|skrev|kirjoitti|napisał\(a\)|napisał|napisal|написал\(а\)|написал|написала|написав|"
    r"пише|napsal|írta|yazdı|έγραψε|写道|寫道|wrote on|het volgende geschreven"
)
_WROTE_END = re.compile(rf"(?:{_WROTE_VERBS})[\s:-]*+$", re.I)
_WROTE_ANYWHERE = re.compile(rf"(?:^|[\s\"'>)])(?:{_WROTE_VERBS})(?:[\s:]|$)", re.I)
_DATE_START = re.compile(
    r"^\s*+-*+\s*+(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|"
    r"\d{1,2}\s\w{3,5}\.?\s\d{4}|(?:mon|tue|wed|thu|fri|sat|sun)\w*\.?,?\s+\d{1,2}\s\w{3,9}\.?\s\d{4}|"
    r"\w{1,4}\.?,\s*\d{1,2}\.?\s\w{3,9}\.?\s\d{4})",  # "ср, 30 апр. 2025", "ma, 3 jun. 2024"
    re.I,
)
_WROTE_START = re.compile(
    r"^\s*+-*+\s*+(?:On|Am|Le|El|Op|Il|Em|Den|Dne|W dniu|Dana|Päivänä|Il giorno|Le \w+|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}年)\b",
    re.I,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*[-=_*]{2,}\s*(?:Original(?:-| )?(?:Message|Nachricht)|Ursprüngliche Nachricht|"
    r"Message d'origine|Mensaje original|Oorspronkelijk bericht|Origineel bericht|"
    r"Messaggio originale|Mensagem original|Originalmeddelande|Opprinnelig melding|"
    r"Oprindelig meddelelse|Alkuperäinen viesti|Wiadomość oryginalna|Исходное сообщение)\s*[-=_*]{2,}",
    re.I,
)
_FORWARD_SEPARATOR = re.compile(
    r"^\s*(?:[-=_*]{2,}\s*(?:Forwarded message|Forwarded e-?mail|Weitergeleitete Nachricht|"
    r"Message transféré|Message transfere|Mensaje reenviado|Doorgestuurd bericht|"
    r"Messaggio inoltrato|Mensagem encaminhada|Vidarebefordrat meddelande)\s*[-=_*]{2,}|"
    r"Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|"
    r"Début du message réexpédié\s*:|Début du message transféré\s*:|"
    r"Inicio del mensaje reenviado:|Begin doorgestuurd bericht:)",
    re.I,
)
_HEADER_FROM = re.compile(
    r"^\s*[*_]{0,2}(?:From|Von|De|Van|Da|Från|Fra|Od|От|Від|Kimden|Lähettäjä|Feladó|"
    r"Expéditeur|Remitente|发件人|寄件者)\s*(?:[*_]{1,2}\s*)?[:：]",
    re.I,
)
_HEADER_OTHER = re.compile(
    r"^\s*[*_]{0,2}(?:Sent|Date|Datum|Gesendet|Envoyé|Envoye|Enviado|Enviada|Verzonden|"
    r"Verstuurd|Skickat|Sendt|Inviato|Data|Wysłano|Отправлено|Дата|Надіслано|To|An|À|A|Para|"
    r"Aan|Till|Til|Do|Кому|Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto|Assunto|Ämne|"
    r"Emne|Temat|Тема|Cc|Kopie|发送时间|收件人|主题)\s*(?:[*_]{1,2}\s*)?[:：]",
    re.I,
)
_UNDERSCORES = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")
_SIGNATURE_DASHES = re.compile(r"^\s*(?:--|—|__)\s*$")
_MOBILE_FOOTER = re.compile(
    r"^\s*+[(<]*+\s*+(?:Sent (?:from|via|with|using) |Sent from my |Get Outlook for |"
    r"Von meinem .*gesendet|Gesendet von |Gesendet mit |Diese Nachricht wurde von meinem |"
    r"Envoyé de |Envoyé depuis |Envoyé à partir de |Enviado desde |Enviado do meu |"
    r"Verzonden (?:vanaf|met) |Verstuurd vanaf |Inviato da |Skickat från |Sendt fra min |"
    r"From my (?:iPhone|iPad|Android)|Someone from mobile|從我的|发自我的|"
    r"Get \[Outlook|Download Outlook for )",
    re.I,
)
_DISCLAIMER = re.compile(
    r"(?:this (?:e-?mail|message|communication)(?: and any (?:files|attachments)[^.\n]{0,80}?)? "
    r"(?:is|are|may contain|contains)[^.]{0,80}(?:confidential|privileged)|"
    r"intended (?:solely |only )?for the (?:use of the )?(?:addressee|recipient|individual|person)|"
    r"if you (?:have )?received this (?:e-?mail|message|communication) in error|"
    r"^[ \t]*+(?:confidentiality notice|disclaimer|legal notice)\b|"
    r"diese (?:e-?mail|nachricht) (?:enthält|kann) vertrauliche|"
    r"wenn sie nicht der (?:richtige|beabsichtigte) (?:adressat|empfänger)|"
    r"ce (?:message|courriel|mail)[^.]{0,80}(?:confidentiel|strictement réservé)|"
    r"si vous (?:avez reçu|n'êtes pas le destinataire)|"
    r"este (?:mensaje|correo)[^.]{0,80}confidencial|"
    r"dit (?:e-?mail)?bericht[^.]{0,80}vertrouwelijk|"
    r"please consider the environment before printing|think before you print)",
    re.I | re.M,
)
_SIGN_OFF = re.compile(
    r"^\s*+(?:(?:best|kind|warm|many thanks and|with kind|warmest|kindest)?\s*+regards|"
    r"best(?: wishes)?|thanks(?: (?:and|&) regards| in advance| again)?|thank you(?: in advance)?|"
    r"many thanks|cheers|sincerely|yours(?: sincerely| truly)?|br|"
    r"mit freundlichen grüßen|mit freundlichen gruessen|freundliche grüße|viele grüße|beste grüße|"
    r"liebe grüße|mfg|gruß|grüße|vielen dank|danke|"
    r"cordialement|bien cordialement|bien à vous|salutations|merci(?: d'avance| beaucoup)?|"
    r"saludos(?: cordiales)?|un saludo|atentamente|gracias|muchas gracias|"
    r"met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groet(?:en|jes)?|mvg|"
    r"alvast bedankt|bedankt|dank je(?: wel)?|dank u(?: wel)?)\s*+[,.!]?\s*+$",
    re.I,
)


_ADDRESS_CLOSE = re.compile(rf"^>\s*(?:[:：]|(?:{_WROTE_VERBS})\b)", re.I)  # "<address\n>:" wraps
_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}+@[\w-]++\.[\w.-]+|<\s*$")
_INVISIBLE_ONLY = re.compile(r"^[\s\u1427\u200b-\u200f\u2060-\u2064\ufeff]+$")
_PUNCTUATION_ONLY = re.compile(r"^\s*[-_=*#~+.]{2,}\s*$")


@dataclass(frozen=True)
class ReplyParts:
    """A reply split up: ``statement`` is what the sender wrote now.

    ``new_text`` is the statement with its signature still on (contact details
    live there); ``quoted`` is everything cut away as history;
    ``forwarded_from`` is the lower-case address in the From line of the first
    forwarded message kept as content.
    """

    statement: str
    new_text: str
    quoted: str
    forwarded_from: str | None = None


def _is_wrote_line(lines: list[str], i: int) -> int:
    """Number of lines (1-4) an "On ... wrote:" attribution starting at ``i`` spans, else 0.

    Accepts the verb at the end ("On <date>, <name> wrote:"), in the middle
    ("<name> schrieb am <date>:") or no verb after a leading date
    ("2016-03-03 17:21 GMT+01:00 <name> <address>:"), wrapped over up to 4 lines.
    """
    line = lines[i].strip()
    if not line or len(line) > 300 or line.startswith(">"):
        return 0
    if _WROTE_END.search(line) and (
        _WROTE_START.search(line) or "@" in line or re.search(r"\d", line) or len(line) < 80
    ):
        return 1
    starts = bool(_WROTE_START.search(line) or _DATE_START.search(line))
    if not starts and not _ADDRESS.search(line):
        return 0  # a sentence of the reply, not the first line of an attribution
    joined = line
    for extra in range(0, 4):
        if extra:
            if i + extra >= len(lines):
                break
            nxt = lines[i + extra].strip()
            if nxt.startswith(">") and not _ADDRESS_CLOSE.match(nxt):
                break  # the quote itself began: what came before was no attribution
            if not nxt:
                if extra == 1 and starts:
                    continue  # "On <date> <name>" / blank / "<address> wrote:"
                break
            joined += " " + nxt
        if len(joined) > 400:
            break
        ends_colon = re.search(r"[:：][\s-]*+$", joined) is not None
        if not ends_colon:
            continue
        has_verb = _WROTE_ANYWHERE.search(joined) is not None
        has_detail = "@" in joined or re.search(r"\d{1,2}[:.]\d\d", joined) is not None
        if has_verb and (starts or has_detail) or starts and has_detail and "@" in joined:
            return extra + 1
    return 0


def _is_header_block(lines: list[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        # Some clients (Hotmail) start the block with Date: or Subject:.
        if not _HEADER_OTHER.match(lines[i]):
            return False
        window = lines[i : i + 6]
        headers = [ln for ln in window if _HEADER_FROM.match(ln) or _HEADER_OTHER.match(ln)]
        return len(headers) >= 3 and any(_HEADER_FROM.match(ln) for ln in window)
    hits = 0
    for j in range(i + 1, min(i + 8, len(lines))):
        if _HEADER_OTHER.match(lines[j]):
            hits += 1
            if hits >= 2 or j == i + 1 or lines[j].strip().lower().startswith(("sent", "date")):
                return True
    return False


def _boundary_kind(lines: list[str], i: int) -> str | None:
    line = lines[i]
    if QUOTE_MARK in line:
        return "html-quote"
    if _FORWARD_SEPARATOR.match(line):
        return "forward"
    if _ORIGINAL_MESSAGE.match(line):
        return "original"
    if _UNDERSCORES.match(line):
        for j in range(i + 1, min(i + 4, len(lines))):
            if lines[j].strip():
                return "original" if _HEADER_FROM.match(lines[j]) else None
        return None
    if _is_header_block(lines, i):
        return "original"
    if _is_wrote_line(lines, i):
        return "wrote"
    return None


def _skip_forward_header(lines: list[str], i: int) -> int:
    """Index of the first line after a forward separator and its header block."""
    j = i if _HEADER_FROM.match(lines[i]) or _HEADER_OTHER.match(lines[i]) else i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    seen_header = False
    while j < len(lines):
        line = lines[j]
        if _HEADER_FROM.match(line) or _HEADER_OTHER.match(line):
            seen_header = True
            j += 1
            continue
        if seen_header and line.strip():
            j += 1  # folded or wrapped header line: the block ends at a blank line
            continue
        break
    return j


def _from_address(header_lines: list[str]) -> str | None:
    for line in header_lines:
        if _HEADER_FROM.match(line):
            match = re.search(r"(?<![\w.+'-])[\w.+'-]{1,64}+@[\w-]++(?:\.[\w-]++)+", line)
            if match:
                return match.group(0).lower()
    return None


def _cut_name_block(lines: list[str], sender_name: str) -> list[str]:
    """Cut a trailing "Name / title / company" block that starts with the sender's name."""
    names = {sender_name.strip().lower()}
    first = sender_name.replace(",", " ").split()
    if first:
        names.add(first[0].lower())
        if "," in sender_name:  # "Smith, John"
            names.add(sender_name.split(",", 1)[1].strip().lower())
    names = {n for n in names if len(n) >= 2}

    def starts_block(line: str) -> bool:
        line = line.strip().lower()
        return bool(line) and len(line) <= 50 and any(line == n or line.startswith(n + " ") for n in names)

    return _cut_trailing_block(lines, starts_block, max_lines=6, max_width=70)


def _cut_trailing_block(
    lines: list[str], starts_block: Callable[[str], bool], *, max_lines: int, max_width: int
) -> list[str]:
    """Cut from the last line that ``starts_block`` when at most ``max_lines`` non-blank
    lines, none wider than ``max_width``, follow it and some text precedes it.

    Walks up from the bottom once and stops as soon as the tail is too long or too
    wide (rebuilding the tail per candidate line was quadratic on long mails).
    """
    first_text = next((i for i, ln in enumerate(lines) if ln.strip()), len(lines))
    tail = 0
    for i in range(len(lines) - 1, first_text, -1):
        if starts_block(lines[i]):
            return lines[:i]
        stripped = lines[i].strip()
        if stripped:
            tail += 1
            if tail > max_lines or len(stripped) > max_width:
                break
    return lines


_LIST_FOOTER = re.compile(
    r"^\s*(?:[\w.-]+ mailing list\s*$|you received this (?:message|email) because you are subscribed|"
    r"to unsubscribe from this group|--\s*$\n?\s*you received this)",
    re.I,
)


def _cut_list_footer(lines: list[str]) -> list[str]:
    """Drop a mailing-list footer ("____ / riak-users mailing list / URL", Google Groups)."""
    for i, line in enumerate(lines):
        if i and _LIST_FOOTER.match(line):
            start = i
            while start > 0 and (not lines[start - 1].strip() or _PUNCTUATION_ONLY.match(lines[start - 1])):
                start -= 1
            return lines[:start]
    return lines


def _cut_signature(
    lines: list[str], *, strip_sign_off: bool, sender_name: str | None = None
) -> list[str]:
    end = len(lines)
    for i, line in enumerate(lines):
        if len(line) > 200:
            continue  # footers are short; long lines would only cost regex time
        if _SIGNATURE_DASHES.match(line) and i > 0 or _MOBILE_FOOTER.match(line.strip()):
            end = i
            break
    lines = _cut_list_footer(lines[:end])
    # Disclaimers: cut from the first paragraph that reads like one.
    start = 0
    for i in range(len(lines) + 1):
        if i == len(lines) or not lines[i].strip():
            paragraph = "\n".join(lines[start:i])
            if start > 0 and _DISCLAIMER.search(paragraph):
                lines = lines[:start]
                break
            start = i + 1
    if strip_sign_off:
        lines = _cut_sign_off(lines)
        if sender_name:
            lines = _cut_name_block(lines, sender_name)
    return lines


def _cut_sign_off(lines: list[str]) -> list[str]:
    return _cut_trailing_block(
        lines, lambda line: len(line) <= 60 and bool(_SIGN_OFF.match(line.strip())), max_lines=12, max_width=90
    )


def _strip_blank_edges(lines: list[str]) -> str:
    lines = list(lines)
    while lines and (not lines[-1].strip() or _PUNCTUATION_ONLY.match(lines[-1])):
        lines.pop()
    return "\n".join(lines).strip("\n").rstrip()


MAX_SCANNED_LINES = 10_000
"""Lines looked at for the new text; the rest counts as quoted (keeps a 1 MB body under a second)."""


def split_reply(
    text: str,
    *,
    keep_forwarded: bool = False,
    strip_sign_off: bool = True,
    sender_name: str | None = None,
) -> ReplyParts:
    """Split ``text`` into the new statement, the same with signature, and the quoted rest.

    With ``keep_forwarded`` a forwarded message (``---------- Forwarded message``,
    "Begin forwarded message:") is content: its header block is dropped and its
    body kept (its own quotes are still cut). With ``strip_sign_off`` a closing
    "Best regards, / name / title" block is removed from the statement too, and
    so is a trailing block that starts with ``sender_name`` (name, title, phone).
    Never raises; ``statement`` may be empty (a quote-only message).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    quoted: list[str] = []
    forwarded_kept = False
    forwarded_from: str | None = None
    i = 0
    while i < len(lines):
        if i >= MAX_SCANNED_LINES:
            quoted.extend(lines[i:])  # nobody writes that much new text: the rest is history
            break
        if lines[i].lstrip().startswith(">"):
            kept.append(lines[i])  # a quoted line: dropped below, never a boundary itself
            i += 1
            continue
        kind = _boundary_kind(lines, i)
        if kind == "html-quote" and keep_forwarded:
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and _FORWARD_SEPARATOR.match(lines[j]):
                i = j
                kind = "forward"
        if kind == "original" and keep_forwarded and not forwarded_kept:
            # Outlook forwards carry no "Forwarded message" line: with a FW: subject
            # the first header block heads the forwarded mail, which is content.
            kind = "forward"
        if kind == "forward" and keep_forwarded:
            forwarded_kept = True
            kept.append("")
            end = _skip_forward_header(lines, i)
            forwarded_from = forwarded_from or _from_address(lines[i:end])
            i = end
            continue
        if kind == "forward" and not any(ln.strip() for ln in kept):
            # A forward with nothing written above it: the forwarded mail is the content.
            forwarded_kept = True
            end = _skip_forward_header(lines, i)
            forwarded_from = forwarded_from or _from_address(lines[i:end])
            i = end
            continue
        if kind == "wrote":
            span = _is_wrote_line(lines, i)
            j = i + span
            while j < len(lines) and not lines[j].strip():
                j += 1
            top = not any(ln.strip() for ln in kept)
            if top or j < len(lines) and lines[j].lstrip().startswith(">"):
                # Bottom-posting: the attribution heads a ">" block (or the very top of
                # the mail); text after the block is new again.
                quoted.extend(lines[i:j])
                i = j
                continue
        if kind is not None:
            quoted.extend(lines[i:])
            break
        kept.append(lines[i])
        i += 1
    new_lines = [ln for ln in kept if not ln.lstrip().startswith(">") and QUOTE_MARK not in ln]
    new_lines = [ln for ln in new_lines if not _INVISIBLE_ONLY.match(ln)]
    quoted += [ln for ln in kept if ln.lstrip().startswith(">")]
    new_text = _strip_blank_edges(new_lines)
    statement_lines = _cut_signature(
        new_lines, strip_sign_off=strip_sign_off, sender_name=sender_name
    )
    statement = _strip_blank_edges(statement_lines)
    statement = re.sub(r"\n{3,}", "\n\n", statement)
    return ReplyParts(
        statement=statement,
        new_text=new_text,
        quoted="\n".join(quoted).replace(QUOTE_MARK, ""),
        forwarded_from=forwarded_from,
    )
