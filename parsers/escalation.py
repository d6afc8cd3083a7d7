"""Reading the escalation request itself: wording, business impact, reason, extras.

All functions take the sender's new text (subject and statement, never quoted
history) and work in English, German, French, Spanish and Dutch. Labelled
sections ("Business impact:", "Geschäftliche Auswirkung:", a table row) win
over sentences picked out by keywords.
"""

from __future__ import annotations

import re

from escalated.parsers.text import lower_in_place

_ESCALATION = re.compile(
    r"\b(?:escalat\w*|(?:senior )?management attention|manager(?:'s)? attention|"
    r"sla (?:breach\w*|missed|violat\w*|exceeded)|breach\w* (?:of )?(?:the |our )?sla|"
    r"missed (?:the |our )?(?:first[- ]response )?sla|"
    r"eskal\w*|aufmerksamkeit (?:des|der) (?:managements?|führung|leitung)|"
    r"escalad\w*|escalader|escalation|attention de (?:la direction|votre management|la hiérarchie)|"
    r"escalar\w*|escalen|escalemos|escalamiento|escalación|escalacion|atención de (?:la dirección|gerencia)|"
    r"(?:faire )?remonter\b[^.!?\n]{0,60}\b(?:à|a) (?:la|votre|notre) (?:direction|hiérarchie|management)|"
    r"escaler\w*|escalatie\w*|escaleer\w*|aandacht van (?:het )?management)",
)
_NEGATED = re.compile(
    r"(?:\b(?:not|no need to|don't|do not|doesn't|without|nicht|keine|pas|ne|no|niet|geen)\b"
    r"[^.!?\n,;:]{0,25})$",
)
"""A negation shortly before the escalation word, in the same clause: "not escalated
yet, please escalate" and "keine Rückmeldung, bitte eskalieren" ask for one."""
_NO_CHOICE_BUT = re.compile(
    r"\b(?:no (?:other )?(?:choice|option|alternative)|nothing (?:else )?(?:left )?)(?: (?:but|than|other than))"
    r"(?: to)? $|\bkeine (?:andere )?wahl,? als (?:zu )?$|\bpas (?:d'autre )?choix que d'$"
)
"""Negations that are not: "I have no choice but to escalate"."""

_IMPACT_LABEL = (
    r"business impact|impact on (?:the |our )?business|impact|business case|"
    r"geschäftliche auswirkungen?|auswirkungen? auf (?:das|unser) geschäft|auswirkungen?|geschäftsauswirkung|"
    r"impact (?:métier|commercial|business|sur l'activité)|impact sur (?:notre|l') activité|"
    r"impacto (?:en el negocio|comercial|empresarial|en la empresa)|impacto|"
    r"(?:zakelijke |bedrijfs)?impact(?: op (?:het|ons|de) bedrijf)?|bedrijfsimpact|gevolgen"
)
_LABELLED_SECTION = (
    r"^[ \t*_•\-|]{{0,10}}(?:{labels})[ \t*_|]{{0,10}}(?::|[ \t]{{2,}}|\t|[ \t]*\|[ \t]*|[ \t]+-[ \t]+)[ \t]*(.*)$"
)
_IMPACT_SECTION = re.compile(_LABELLED_SECTION.format(labels=_IMPACT_LABEL), re.I | re.M)
_ANY_LABEL = re.compile(
    r"^[ \t*_•\-|]{0,10}[A-ZÀ-Ýa-zà-ÿ][\w '’/()-]{1,40}[*_|]{0,3}[ \t]*:[*_]{0,3}(?:\s|$)", re.M
)

_IMPACT_STRONG = re.compile(
    r"\b(?:\d[\d.,]{0,15}\s?(?:%|k\b)?\s?(?:\w{1,30}\s){0,2}(?:users?|employees?|staff|agents?|customers?|"
    r"people|ppl|persons|colleagues|technicians|operators|engineers|pickers|integrations|devices|"
    r"systems|machines|terminals|subscribers|accounts|tenants|countries|offices|plants|factories|"
    r"lines|suppliers|patients|students|"
    r"sites?|stores?|shops?|branches?|warehouses?|orders?|benutzer|nutzer|mitarbeiter\w*|kunden|"
    r"filialen|standorte|utilisateurs|employés|clients|magasins|usuarios|empleados|clientes|tiendas|"
    r"gebruikers|medewerkers|klanten|winkels|vestigingen)|revenue|umsatz|chiffre d'affaires|ingresos|"
    r"omzet|production|produktion|producción|productie|outage|halted|stillstand|ausfall|panne|caída|"
    r"storing|ligt plat|deadline|échéance|plazo|frist|cannot|unable|can't|können nicht|"
    r"ne peuvent pas|no pueden|kunnen niet|blocked|blockiert|bloqué\w*|bloquead\w*|geblokkeerd|"
    r"down|idle|offline|unavailable|unusable|fail(?:s|ed|ing|ures?)?|compliance|sales|ventas|"
    r"verkauf\w*|ventes|verkoop|losing|lose|lost|costs? us|perdemos|pérdidas|verlieren|perdons|"
    r"verliezen|parad[ao]s?|detenid[ao]s?|caíd[ao]s?|steht still|à l'arrêt|en panne|"
    r"(?:usd|eur|gbp|chf|\$|€|£)\s?\d[\d.,]{0,15}k?)(?!\w)",
)

_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "first_response_sla_missed",
        re.compile(
            r"\b(?:no (?:initial |first )?(?:response|reply|answer|contact)|nobody (?:has )?"
            r"(?:responded|replied|answered|contacted|got back)|no one (?:has )?(?:responded|replied|"
            r"answered|contacted)|first[- ]response|response sla|haven't heard|have not heard|"
            r"(?:not|never) (?:yet )?received (?:any|a|an) (?:response|reply|answer|call)|not (?:yet )?"
            r"(?:been )?(?:responded|answered|acknowledged|contacted)|still no (?:response|reply|answer)|"
            r"response (?:time|sla) (?:was |has been )?(?:missed|breached|exceeded)|"
            r"(?:noch )?keine (?:erste|einzige) (?:rückmeldung|antwort|reaktion)|noch keine "
            r"(?:rückmeldung|antwort|reaktion)|niemand hat (?:sich )?"
            r"(?:gemeldet|geantwortet)|erstreaktion|"
            r"aucune (?:réponse|reponse|prise en charge|nouvelle)|personne (?:ne )?(?:nous )?a "
            r"(?:répondu|contacté)|sans réponse|"
            r"sin (?:respuesta|contestación)|ninguna respuesta|nadie (?:nos )?ha "
            r"(?:respondido|contactado)|primera respuesta|"
            r"geen (?:reactie|antwoord|respons)|niemand heeft (?:gereageerd|geantwoord)|eerste reactie)",
        ),
    ),
    (
        "operations_halted",
        re.compile(
            r"\b(?:\bdown\b|halted|outage|offline|(?:has|have) no (?:\w+ )?(?:telephony|internet|network|"
            r"connectivity|access|power|phones?)|(?:cannot|can't|can not|unable to) (?:work|take|process|ship|"
            r"sell|operate|log ?in|print|pay|invoice|book|trade)|"
            r"können[^.\n]{0,40}\b(?:keine|nicht)\b|ne peuvent plus|no pueden (?:trabajar|facturar|vender)|"
            r"kunnen (?:niet|geen)|(?:production|operations?|business) (?:is |are |has |have )?"
            r"(?:stopped|halted|down|blocked)|standstill|cannot (?:operate|work|process|ship|sell|trade)|"
            r"unable to (?:operate|work|process|ship|sell|trade)|\bcritical\b|severity 1|sev ?1|\bp1\b|"
            r"stillstand|steht still|stehen still|ausgefallen|ausfall|nicht mehr arbeiten|kritisch|"
            r"à l'arrêt|arrêtée?s?|paralysé\w*|bloqué\w*|en panne|critique|"
            r"parad[ao]s?|detenid[ao]s?|caíd[ao]s?|paralizad\w*|crític[ao]|"
            r"ligt plat|liggen plat|stilgelegd|stil(?:gevallen)?\b|kritiek|geblokkeerd)",
        ),
    ),
    (
        "not_progressing",
        re.compile(
            r"\b(?:no (?:real )?progress|not progressing|isn't progressing|is not moving|stalled|"
            r"(?:case|ticket|it|this) (?:is|has been|seems) stuck|nothing (?:has )?happened|"
            r"no (?:movement|action|one has (?:looked|worked))|"
            r"no updates?(?: (?:for|since|in))?|going (?:round )?in circles|no one is working|"
            r"keine(?:n)? (?:fortschritt\w*|updates?|neuigkeiten)|kommt nicht voran|stockt|"
            r"seit \w+ (?:tagen|wochen|stunden) keine (?:rückmeldung|antwort|reaktion)|"
            r"aucun(?:e)? (?:progrès|avancée|mise à jour)|n'avance pas|n'évolue pas|"
            r"sin (?:avances?|progreso|novedades|actualizaciones)|no avanza|estancad\w*|"
            r"geen (?:voortgang|vooruitgang|updates?)|schiet niet op|ligt stil|staat stil)",
        ),
    ),
    (
        "impact_increased",
        re.compile(
            r"\b(?:(?:impact|urgency|severity|problem|issue) (?:has |is )?(?:increased|grown|worsened|"
            r"got worse|gotten worse|spread)|now (?:also )?affect\w*|(?:more|additional) "
            r"(?:users|sites|stores|customers) (?:are )?(?:now )?affected|getting worse|"
            r"spreading|became (?:urgent|critical)|is now (?:urgent|critical)|"
            r"verschlimmert|verschlechtert|jetzt auch|inzwischen auch|weitere (?:nutzer|standorte|"
            r"filialen)|dringender|"
            r"s'est aggravé|s'aggrave|désormais|touche maintenant|de plus en plus|"
            r"ha empeorado|empeora|ahora (?:también )?afecta|cada vez más|"
            r"is erger geworden|verergerd|nu ook|steeds meer)",
        ),
    ),
)

_REASON_SECTION = re.compile(
    _LABELLED_SECTION.format(
        labels=r"reason(?: for (?:the )?escalation)?|escalation reason|grund(?: der eskalation)?|"
        r"eskalationsgrund|raison(?: de l'escalade)?|motif|motivo(?: de(?:l)? escalamiento)?|reden(?: van escalatie)?"
    ),
    re.I | re.M,
)

_REASON_WEIGHTS = {
    "first_response_sla_missed": 2,
    "operations_halted": 1,
    "not_progressing": 2,
    "impact_increased": 2,
}

_STEPS_LABEL = (
    r"steps (?:already )?taken|steps tried|what we(?:'ve| have)? (?:already )?(?:tried|done)|"
    r"troubleshooting(?: done| so far)?|done so far|"
    r"actions taken|bisherige (?:schritte|maßnahmen)|durchgeführte (?:schritte|maßnahmen)|"
    r"bereits (?:durchgeführt|versucht)|étapes (?:déjà )?(?:réalisées|effectuées)|actions (?:déjà )?"
    r"(?:réalisées|entreprises)|déjà essayé|pasos (?:ya )?(?:realizados|seguidos|dados)|"
    r"acciones (?:realizadas|tomadas)|ya (?:hemos )?probado|genomen stappen|ondernomen stappen|"
    r"wat we al geprobeerd hebben|al geprobeerd"
)
_STEPS_SECTION = re.compile(_LABELLED_SECTION.format(labels=_STEPS_LABEL), re.I | re.M)
_STEPS_SENTENCE = re.compile(
    r"\b(?:(?:we|i)(?:'ve| have)? (?:already |also )?(?:tried|restarted|rebooted|reinstalled|cleared|"
    r"checked|rolled back|updated|upgraded|applied|followed|reset|tested|verified|collected)|"
    r"(?:wir|ich) haben (?:bereits |schon )?|bereits (?:neu gestartet|versucht|geprüft)|"
    r"nous avons (?:déjà )?(?:essayé|redémarré|vérifié|réinstallé|appliqué)|j'ai (?:déjà )?"
    r"(?:essayé|redémarré|vérifié)|"
    r"(?:ya )?hemos (?:probado|reiniciado|verificado|reinstalado|revisado)|ya (?:probamos|reiniciamos)|"
    r"(?:we|ik) (?:hebben|heb) (?:al |reeds )?(?:geprobeerd|herstart|opnieuw|gecontroleerd))",
)

_PHONE_LABEL = re.compile(
    r"(?:\b(?:phone|tel|telephone|mobile|mob|cell|direct|call me(?: on| at)?|reach me(?: on| at)?|"
    r"telefon|handy|mobil|téléphone|tél|portable|joignable au|teléfono|móvil|celular|telefoon|"
    r"mobiel|gsm|bel me op)\b\.?[ \t]*+(?:(?:number|nr|nummer|no)\b)?\.?[ \t]*+[:.]?[ \t]*+)"
    r"(\+?\(?\d[\d ()./-]{5,20}\d)",
    re.I,
)
_PHONE_BARE = re.compile(r"(?<![\w+])(\+\d{1,3}[ ()./-]{0,2}\d[\d ()./-]{6,17}\d)(?!\w)")

_AVAILABILITY = re.compile(
    r"\b(?:available|availability|reachable|reach me|call me|contact me|free (?:between|from|"
    r"until|after)|maintenance window|on call|"
    r"erreichbar|verfügbar|verfügbarkeit|wartungsfenster|"
    r"disponible|joignable|fenêtre de maintenance|"
    r"disponibles?|localizable|ventana de mantenimiento|"
    r"bereikbaar|beschikbaar|onderhoudsvenster)\b",
)
_WHEN = re.compile(
    r"\d{1,2}(?::\d\d)?\s*(?:am|pm|h\b|uhr)|\d{1,2}:\d\d|\b(?:today|tonight|tomorrow|all day|any ?time|"
    r"24/7|around the clock|morning|afternoon|evening|weekend|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|until|between|from \d|heute|morgen|ganztägig|jederzeit|bis \d|zwischen|"
    r"aujourd'hui|demain|toute la journée|jusqu|entre|hoy|mañana|todo el día|hasta|entre|vandaag|"
    r"morgen|hele dag|de hele dag|tot \d|tussen)"
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")

_UNAVAILABLE = re.compile(
    r"\bnot available\b|\bunavailable\b|nicht verfügbar|indisponible|no disponible|"
    r"niet beschikbaar",
)

_LOG_LINE = re.compile(
    r"^[ \t]*+(?:\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\d\d:\d\d:\d\d[.,]\d+|\w{1,20}[ \t]{1,4}\d+ \d\d:\d\d:\d\d)"
    r".*(?:error|warn|fatal|exception|fail)|Traceback \(most recent call last\)|"
    r"^[ \t]++at [\w.$<>]++\(.*\)[ \t]*$|^(?:ERROR|FATAL|SEVERE|CRITICAL)\b|\bException in thread\b|"
    r"^[\w.]+(?:Exception|Error): ",
    re.I | re.M,
)


def is_escalation_request(text: str) -> bool:
    """True when ``text`` (subject plus new text) clearly asks for an escalation.

    Escalation wording in five languages; a negated mention ("no need to
    escalate", "nicht eskalieren") does not count.
    """
    text = lower_in_place(text)
    for match in _ESCALATION.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if not _NEGATED.search(before) or _NO_CHOICE_BUT.search(before):
            return True
    return False


def _section(regex: re.Pattern[str], text: str) -> str | None:
    """The text of the first labelled section: the rest of its line plus following lines
    up to a blank line or the next ``Label:``."""
    lines = text.split("\n")
    for match in regex.finditer(text):
        first = match.group(1).strip(" *_|\t")
        line_index = text.count("\n", 0, match.start())
        body = [first] if first else []
        for line in lines[line_index + 1 : line_index + 12]:
            if not line.strip():
                if body:
                    break
                continue
            if _ANY_LABEL.match(line) and body:
                break
            body.append(line.strip(" *_|\t"))
        value = " ".join(part for part in body if part).strip()
        value = re.sub(r"\s{2,}", " ", value)
        if len(value) >= 3:
            return value[:1000]
    return None


def _sentences(text: str) -> list[str]:
    # Re-join wrapped lines (a line continuing in lower case). Lines are stripped
    # in Python first: "[ \t]*\n" would rescan long runs of spaces at every position.
    text = "\n".join(line.strip() for line in text.split("\n"))
    flat = re.sub(r"\n(?=[a-zà-ÿ0-9])", " ", text)
    parts = re.split(r"(?<=[.!?])\s+|\n+", flat)
    return [p.strip(" -*•\t") for p in parts if p.strip(" -*•\t")]


def business_impact(text: str) -> str | None:
    """The business impact the sender states, or None when the text gives none.

    A labelled section ("Business impact:", "Impact:", "Auswirkung:", "Impacto:",
    a two-column table row) is returned whole; otherwise up to three sentences
    that name affected users, sites, revenue, production or an outage.
    """
    section = _section(_IMPACT_SECTION, text)
    if section:
        return section
    picked = []
    for sentence in _sentences(text):
        if len(sentence) > 400:
            continue
        lowered = lower_in_place(sentence)
        strong = _IMPACT_STRONG.search(lowered)
        if _ESCALATION.search(lowered) and not strong:
            continue
        if strong:
            picked.append(sentence)
        if len(picked) == 3:
            break
    return " ".join(picked) if picked else None


def reason_category(text: str) -> str | None:
    """The escalation situation the text describes, or None when it does not say.

    One of ``first_response_sla_missed``, ``operations_halted``,
    ``not_progressing``, ``impact_increased``: the one with most weighted
    mentions, ties broken in that order. Outage words ("down", "critical",
    "cannot") weigh half as much as the other situations' cues: an escalation
    that says "no response yet" or "now affects everyone" usually also
    describes an outage, but the outage is not why it escalates now. A
    labelled "Reason:" section ("Grund:", "Raison :", "Motivo:", "Reden:") is
    read first.
    """
    section = _section(_REASON_SECTION, text)
    if section:
        stated = _classify(section)
        if stated:
            return stated
    return _classify(text)


def _classify(text: str) -> str | None:
    best = None
    best_score = 0
    text = lower_in_place(text)
    for name, regex in _REASONS:
        score = len(regex.findall(text)) * _REASON_WEIGHTS[name]
        if score > best_score:
            best, best_score = name, score
    return best


def steps_taken(text: str) -> str | None:
    """What the sender says was already tried: a labelled section, else those sentences."""
    section = _section(_STEPS_SECTION, text)
    if section:
        return section
    picked = [
        s
        for s in _sentences(text)
        if _STEPS_SENTENCE.search(lower_in_place(s)) and len(s) < 400 and not s.rstrip().endswith("?")
    ][:3]
    return " ".join(picked) if picked else None


def contact_phone(text: str) -> str | None:
    """A phone number the sender gives (labelled, or in international ``+`` form), as written."""
    for regex in (_PHONE_LABEL, _PHONE_BARE):
        for match in regex.finditer(text):
            number = match.group(1).strip()
            digits = re.sub(r"\D", "", number)
            if 7 <= len(digits) <= 16 and not re.fullmatch(r"\d{4}[-/.]\d\d[-/.]\d\d", number):
                return number
    return None


def availability(text: str) -> str | None:
    """The sentence(s) saying when the sender can be reached, or None.

    A sentence needs an availability word ("available", "erreichbar",
    "joignable", "bereikbaar"...) and a time ("until 18:00", "all day",
    "morgen"); questions do not count.
    """
    picked = []
    for match in _AVAILABILITY.finditer(lower_in_place(text)):
        start = max(text.rfind("\n", 0, match.start()), *(
            text.rfind(mark, 0, match.start()) for mark in (". ", "! ", "? ")
        ))
        end_match = _SENTENCE_END.search(text, match.end())
        end = end_match.end() if end_match else len(text)
        sentence = text[start + 1 : end].strip(" -*•\t\n")
        lowered = lower_in_place(sentence)
        if (
            sentence
            and len(sentence) < 300
            and not sentence.endswith("?")  # "when will the patch be available?"
            and _WHEN.search(lowered)  # "call me" alone is contact, not availability
            and not _UNAVAILABLE.search(lowered)
        ):
            picked.append(sentence)
        if len(picked) == 2:
            break
    return " ".join(picked) if picked else None


def has_pasted_log(text: str) -> bool:
    """True when the text carries log lines, a stack trace or an error dump."""
    return bool(_LOG_LINE.search(text[:200_000]))
