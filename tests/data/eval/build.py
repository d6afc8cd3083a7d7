"""Writes the labelled evaluation set: ``NN-name.eml`` plus ``NN-name.json`` (expected facts).

Run ``python tests/data/eval/build.py`` after editing a case below; the .eml and
.json files are committed, so tests never need to run this. Expected keys:
``case_number``, ``case_numbers``, ``is_escalation``, ``impact_found``,
``impact_contains``, ``statement_contains``, ``statement_excludes`` (quote,
signature and disclaimer fragments), optional ``reason_category``,
``contact_phone``, ``auto_reply``, ``logs_present``.
"""

# ruff: noqa: E501 - fixture mail text reads better unwrapped
from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).parent
DATE = format_datetime(datetime(2024, 6, 4, 9, 30, tzinfo=UTC))
CASES: list[tuple[str, bytes, dict]] = []


def build(name, subject, *, text=None, html=None, sender="Jane Miller <jane.miller@contoso.example>",
          charset="utf-8", attachments=(), headers=None):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Support Escalations <supportescalations@example.com>"
    msg["Subject"] = subject
    msg["Date"] = DATE
    msg["Message-ID"] = f"<{name}@mail.contoso.example>"
    for key, value in (headers or {}).items():
        msg[key] = value
    if text is not None:
        msg.set_content(text, charset=charset, cte="quoted-printable" if charset != "utf-8" else None)
        if html is not None:
            msg.add_alternative(html, subtype="html", charset=charset)
    elif html is not None:
        msg.set_content(html, subtype="html", charset=charset)
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def case(name, raw, **expected):
    expected.setdefault("auto_reply", False)
    CASES.append((name, raw, expected))


SIG_EN = "\n\nBest regards,\nJane Miller\nIT Operations Manager | Contoso Ltd.\nPhone: +44 20 7946 0321\n"
DISCLAIMER_EN = (
    "\n\nCONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be "
    "privileged. If you have received this e-mail in error, please notify the sender and delete it.\n"
)

case("01-plain-labelled", build("01", "ESCALATION: Case 01234567 - checkout down", text=(
    "Hello Support Management,\n\nI would like to escalate case 01234567.\n\n"
    "Reason: our online checkout has been down since 07:40 this morning and the case is still "
    "waiting for an engineer.\n\n"
    "Business impact: no customer can place an order in our web shop; roughly 2,000 orders and "
    "EUR 150k revenue per day are lost.\n\n"
    "Steps taken: we restarted the payment gateway service and rolled back yesterday's config change.\n\n"
    "I am available all day today until 20:00 UK time." + SIG_EN + DISCLAIMER_EN)),
    case_number="01234567", case_numbers=["01234567"], is_escalation=True, impact_found=True,
    impact_contains="2,000 orders", statement_contains=["escalate case 01234567"],
    statement_excludes=["CONFIDENTIALITY", "Phone: +44", "IT Operations Manager"],
    reason_category="operations_halted", contact_phone="+44 20 7946 0321")

case("02-gmail-top-posting", build("02", "Re: [Case 00456123] Printing fails in Berlin office", text=(
    "Hi,\n\nThis case has been open for 3 days and nobody has responded yet. I need to escalate it "
    "to management.\n120 users in our Berlin office cannot print delivery notes, so the warehouse "
    "ships late.\n\nThanks\nTom\n\n"
    "On Fri, 31 May 2024 at 16:02, Contoso Support <support@example.com> wrote:\n"
    "> Dear Tom,\n>\n> thank you for contacting us. Your request was registered as case 00456123.\n"
    "> Related case 00456001 was closed last week.\n>\n> Kind regards,\n> Support Team\n"),
    sender="Tom Becker <tom.becker@contoso.example>"),
    case_number="00456123", case_numbers=["00456123", "00456001"], is_escalation=True,
    impact_found=True, impact_contains="120 users", statement_contains=["nobody has responded"],
    statement_excludes=["thank you for contacting us", "Support Team", "wrote:"],
    reason_category="first_response_sla_missed")

OUTLOOK_HTML = """<html><head><style>p.MsoNormal {margin:0cm; font-family:Calibri}</style></head>
<body lang="EN-GB"><div class="WordSection1">
<p class="MsoNormal">Dear Support Manager,</p><p class="MsoNormal">&nbsp;</p>
<p class="MsoNormal">We are requesting an escalation of the case below.</p><p class="MsoNormal">&nbsp;</p>
<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">
<tr><td><p class="MsoNormal"><b>Case Number</b></p></td><td><p class="MsoNormal">00987654</p></td></tr>
<tr><td><p class="MsoNormal"><b>Business Impact</b></p></td><td><p class="MsoNormal">Payroll cannot be run for 4,300 employees; salaries are due on Friday.</p></td></tr>
<tr><td><p class="MsoNormal"><b>Reason</b></p></td><td><p class="MsoNormal">No progress for 6 days, no updates from the engineer.</p></td></tr>
</table><p class="MsoNormal">&nbsp;</p>
<p class="MsoNormal">Kind regards,</p><p class="MsoNormal">Priya Shah</p>
<p class="MsoNormal">HR Systems Lead</p><p class="MsoNormal">Mobile: +44 7700 900123</p>
<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">
<p class="MsoNormal"><b>From:</b> Contoso Support &lt;support@example.com&gt;<br><b>Sent:</b> 29 May 2024 11:04<br>
<b>To:</b> Priya Shah &lt;priya.shah@contoso.example&gt;<br><b>Subject:</b> Case 00987654 update</p></div></div>
<p class="MsoNormal">Hello Priya, we are still investigating case 00987654 and case 00911111.</p>
</div></body></html>"""
case("03-outlook-html-table", build("03", "Escalation request", html=OUTLOOK_HTML,
    sender="Priya Shah <priya.shah@contoso.example>"),
    case_number="00987654", case_numbers=["00987654", "00911111"], is_escalation=True,
    impact_found=True, impact_contains="4,300 employees", statement_contains=["requesting an escalation"],
    statement_excludes=["still investigating", "HR Systems Lead", "Sent:"],
    reason_category="not_progressing", contact_phone="+44 7700 900123")

case("04-german", build("04", "Eskalation Fall 04561237 – Kassensystem", text=(
    "Sehr geehrte Damen und Herren,\n\nhiermit möchten wir den Fall 04561237 eskalieren.\n\n"
    "Geschäftliche Auswirkung: Unsere 35 Filialen können seit gestern keine Kartenzahlungen annehmen.\n\n"
    "Wir haben bereits alle Terminals neu gestartet und die Firmware aktualisiert.\n\n"
    "Mit freundlichen Grüßen\nKlaus Weber\nLeiter IT\nTel.: +49 89 1234 5678\n\n"
    "Am 03.06.2024 um 10:15 schrieb Support <support@example.com>:\n"
    "> Sehr geehrter Herr Weber,\n> wir prüfen Ihren Fall 04561237.\n"), sender="Klaus Weber <k.weber@contoso.example>"),
    case_number="04561237", case_numbers=["04561237"], is_escalation=True, impact_found=True,
    impact_contains="35 Filialen", statement_contains=["eskalieren"],
    statement_excludes=["wir prüfen", "Leiter IT", "schrieb"], reason_category="operations_halted",
    contact_phone="+49 89 1234 5678")

case("05-french", build("05", "Demande d'escalade – dossier n° 00234567", text=(
    "Bonjour,\n\nNous souhaitons escalader le dossier n° 00234567.\n\n"
    "Impact métier : la production est à l'arrêt sur le site de Lyon, 80 opérateurs sont au chômage technique.\n\n"
    "Nous avons déjà redémarré les serveurs MES.\n\nCordialement,\nMarie Dubois\nResponsable Production\n\n"
    "Le lun. 3 juin 2024 à 09:12, Support <support@example.com> a écrit :\n"
    "> Bonjour, votre dossier 00234567 est en cours d'analyse.\n"), sender="Marie Dubois <m.dubois@contoso.example>"),
    case_number="00234567", case_numbers=["00234567"], is_escalation=True, impact_found=True,
    impact_contains="80 opérateurs", statement_contains=["escalader le dossier"],
    statement_excludes=["en cours d'analyse", "Responsable Production", "a écrit"],
    reason_category="operations_halted")

case("06-spanish", build("06", "Escalamiento caso 00345678", text=(
    "Hola,\n\nNecesitamos escalar el caso 00345678 con la gerencia.\n\n"
    "Impacto en el negocio: 200 usuarios de nuestras tiendas en Madrid no pueden facturar desde el lunes.\n\n"
    "Quedo disponible por teléfono hasta las 19:00.\n\nSaludos cordiales,\nCarlos Ruiz\n\n"
    "El lun, 3 jun 2024 a las 10:00, Soporte (<support@example.com>) escribió:\n"
    "> Estimado Carlos, hemos recibido su caso 00345678.\n"), sender="Carlos Ruiz <c.ruiz@contoso.example>"),
    case_number="00345678", case_numbers=["00345678"], is_escalation=True, impact_found=True,
    impact_contains="200 usuarios", statement_contains=["escalar el caso"],
    statement_excludes=["hemos recibido", "escribió", "Carlos Ruiz"])

case("07-dutch", build("07", "Escalatie case 00456789", text=(
    "Beste support,\n\nGraag willen wij case 00456789 escaleren.\n\n"
    "Impact: alle 60 medewerkers van ons distributiecentrum kunnen niet inloggen op het WMS, de "
    "uitlevering ligt plat.\n\nMet vriendelijke groet,\nSanne de Vries\nTelefoon: 020 123 4567\n\n"
    "Op ma 3 jun. 2024 om 10:00 schreef Support <support@example.com>:\n"
    "> Beste Sanne, we hebben uw melding ontvangen.\n"), sender="Sanne de Vries <s.devries@contoso.example>"),
    case_number="00456789", case_numbers=["00456789"], is_escalation=True, impact_found=True,
    impact_contains="60 medewerkers", statement_contains=["escaleren"],
    statement_excludes=["melding ontvangen", "schreef", "Telefoon"], reason_category="operations_halted",
    contact_phone="020 123 4567")

case("08-csm-forward", build("08", "Fwd: Case 00567890 - warehouse halted", text=(
    "Hi escalations team,\n\nPlease escalate this on behalf of Fabrikam, one of my key accounts. "
    "See their mail below.\n\nThanks,\nAlex (CSM)\n\n"
    "---------- Forwarded message ---------\nFrom: Lee Chen <lee.chen@fabrikam.example>\n"
    "Date: Mon, 3 Jun 2024 at 08:12\nSubject: Case 00567890 - warehouse halted\n"
    "To: Alex Green <alex.green@example.com>\n\n"
    "Alex,\n\nour warehouse in Rotterdam is halted since Saturday: 200 pickers are idle and no "
    "trucks leave. Case 00567890 has had no update for two days.\n\nLee Chen\nLogistics Director\n"),
    sender="Alex Green <alex.green@example.com>"),
    case_number="00567890", case_numbers=["00567890"], is_escalation=True, impact_found=True,
    impact_contains="200 pickers", statement_contains=["on behalf of Fabrikam", "200 pickers are idle"],
    statement_excludes=["Forwarded message", "From: Lee Chen"], reason_category="operations_halted")

case("09-no-case-phone-dates", build("09", "Please escalate - waiting since 28/05/2024", text=(
    "Hello,\n\nplease escalate our issue, we have been waiting since 2024-05-28 for a fix. Order "
    "45678901 and invoice INV-2024-00017 are blocked.\n\nCall me on +1 (415) 555-0134 any time.\n\n"
    "Regards,\nBob\n")), case_number=None, case_numbers=[], is_escalation=True, impact_found=True,
    impact_contains="blocked", statement_contains=["please escalate"], statement_excludes=["Regards"],
    contact_phone="+1 (415) 555-0134")

case("10-several-cases", build("10", "Escalation for case 01234567 and case 01234568", text=(
    "Hi,\n\nWe need to escalate case 01234567 and case 01234568 - both are about the same outage of "
    "our SAP interface. Case 01234567 is the main one.\n\n"
    "Business impact: 14 plants cannot post goods receipts.\n\nRegards,\nJane\n")),
    case_number="01234567", case_numbers=["01234567", "01234568"], is_escalation=True,
    impact_found=True, impact_contains="14 plants", statement_contains=["both are about"],
    statement_excludes=[], reason_category="operations_halted")

case("11-standard-request", build("11", "Question about case 00112233", text=(
    "Hi,\n\nhow do I reset the admin password for our tenant? This is for case 00112233.\n\n"
    "Thanks,\nJane\n")), case_number="00112233", case_numbers=["00112233"], is_escalation=False,
    impact_found=False, statement_contains=["reset the admin password"], statement_excludes=[])

case("12-negated", build("12", "Case 00223344 question", text=(
    "Hello,\n\nno need to escalate this, I just have a question on case 00223344: which log level "
    "should we use?\n\nBest,\nJane\n")), case_number="00223344", case_numbers=["00223344"],
    is_escalation=False, impact_found=False, statement_contains=["which log level"], statement_excludes=[])

case("13-mobile-iphone", build("13", "Escalate case 00123987", text=(
    "Pls escalate case 00123987, our main site is down and 50 people cannot work.\n\n"
    "Sent from my iPhone\n")), case_number="00123987", case_numbers=["00123987"], is_escalation=True,
    impact_found=True, impact_contains="50 people", statement_contains=["main site is down"],
    statement_excludes=["Sent from my iPhone"], reason_category="operations_halted")

case("14-apple-mail-quote", build("14", "Re: Case 00654321", text=(
    "I'm escalating this now. The issue now affects all 12 sites instead of just Leeds, about 900 "
    "users.\n\nJane\n\n"
    "> On 3 Jun 2024, at 10:00, Contoso Support <support@example.com> wrote:\n>\n"
    "> We are still collecting logs for case 00654321.\n")),
    case_number="00654321", case_numbers=["00654321"], is_escalation=True, impact_found=True,
    impact_contains="12 sites", statement_contains=["escalating this now"],
    statement_excludes=["collecting logs"], reason_category="impact_increased")

case("15-outlook-original-message", build("15", "RE: Case 00778811 - VPN", text=(
    "Team,\n\nI am escalating case 00778811. The SLA for first response was breached: we opened "
    "it 3 days ago and no one has contacted us.\n\nSteve Adams\nNetwork Manager\n\n"
    "-----Original Message-----\nFrom: Support <support@example.com>\nSent: Friday, May 31, 2024 9:00 AM\n"
    "To: Steve Adams <s.adams@contoso.example>\nSubject: Case 00778811 - VPN\n\n"
    "Your case 00778811 has been created. Severity 3.\n"), sender="Steve Adams <s.adams@contoso.example>"),
    case_number="00778811", case_numbers=["00778811"], is_escalation=True, impact_found=False,
    statement_contains=["SLA for first response was breached"],
    statement_excludes=["has been created", "Original Message", "Network Manager"],
    reason_category="first_response_sla_missed")

case("16-outlook-underscores", build("16", "RE: Case 00881122", text=(
    "Hello,\n\nplease escalate to management: our CRM has been unusable for 3 days, 75 sales agents "
    "cannot log calls.\n\nJane\n\n________________________________\n"
    "From: Support <support@example.com>\nSent: Monday, June 3, 2024 08:00\nTo: Jane Miller\n"
    "Subject: Case 00881122\n\nWe need more logs for case 00881122. Case 00880000 is related.\n")),
    case_number="00881122", case_numbers=["00881122", "00880000"], is_escalation=True,
    impact_found=True, impact_contains="75 sales agents", statement_contains=["please escalate"],
    statement_excludes=["We need more logs", "From: Support"])

case("17-subject-only-case", build("17", "[Case 0012345678] URGENT escalation", text=(
    "Please escalate this, our ERP is down for all 500 employees since 6am.\n\nJane\n")),
    case_number="0012345678", case_numbers=["0012345678"], is_escalation=True, impact_found=True,
    impact_contains="500 employees", statement_contains=["ERP is down"], statement_excludes=[],
    reason_category="operations_halted")

case("18-invoice-order-noise", build("18", "Escalation: billing portal", text=(
    "Hi,\n\nInvoice 2024-00017 and order no. 7788990 cannot be paid because the billing portal "
    "errors out. This is case 00665544 and I want it escalated.\n"
    "Business impact: we cannot pay 300 suppliers before the quarter closes on 30.06.2024.\n\nJane\n")),
    case_number="00665544", case_numbers=["00665544"], is_escalation=True, impact_found=True,
    impact_contains="300 suppliers", statement_contains=["escalated"], statement_excludes=[])

case("19-german-outlook-block", build("19", "AW: Fall 00332211", text=(
    "Hallo,\n\nbitte eskalieren Sie den Fall 00332211. Es gibt seit einer Woche keine Fortschritte "
    "und keine Rückmeldung.\n\nGruß\nJens\n\n"
    "Von: Support <support@example.com>\nGesendet: Montag, 3. Juni 2024 09:00\nAn: Jens Braun\n"
    "Betreff: Fall 00332211\n\nDer verwandte Fall 00330000 ist geschlossen.\n"),
    sender="Jens Braun <j.braun@contoso.example>"),
    case_number="00332211", case_numbers=["00332211", "00330000"], is_escalation=True,
    impact_found=False, statement_contains=["keine Fortschritte"],
    statement_excludes=["verwandte Fall", "Gesendet"], reason_category="not_progressing")

case("20-french-outlook-block", build("20", "RE: Dossier 00443322", text=(
    "Bonjour,\n\nje demande l'escalade du dossier 00443322 : aucune réponse depuis 4 jours alors "
    "que nos 40 magasins ne peuvent plus imprimer les étiquettes.\n\nBien cordialement,\nLuc\n\n"
    "De : Support <support@example.com>\nEnvoyé : lundi 3 juin 2024 09:00\nÀ : Luc Martin\n"
    "Objet : Dossier 00443322\n\nMerci pour votre message.\n"), sender="Luc Martin <luc.martin@contoso.example>"),
    case_number="00443322", case_numbers=["00443322"], is_escalation=True, impact_found=True,
    impact_contains="40 magasins", statement_contains=["escalade du dossier"],
    statement_excludes=["Merci pour votre message", "Envoyé"], reason_category="first_response_sla_missed")

case("21-spanish-outlook-block", build("21", "RE: Caso 00554433", text=(
    "Buenos días,\n\nsolicitamos escalar el caso 00554433. La planta de Valencia está parada y "
    "perdemos unos 30.000 EUR de ventas al día.\n\nAtentamente,\nAna\n\n"
    "De: Soporte <support@example.com>\nEnviado el: lunes, 3 de junio de 2024 9:00\nPara: Ana López\n"
    "Asunto: Caso 00554433\n\nGracias por contactarnos.\n"), sender="Ana López <ana.lopez@contoso.example>"),
    case_number="00554433", case_numbers=["00554433"], is_escalation=True, impact_found=True,
    impact_contains="30.000 EUR", statement_contains=["escalar el caso"],
    statement_excludes=["Gracias por contactarnos", "Enviado el"], reason_category="operations_halted")

case("22-dutch-outlook-block", build("22", "RE: Case 00665500", text=(
    "Hallo,\n\nWij willen case 00665500 escaleren. Er is al een week geen voortgang.\n\n"
    "Impact: 25 klanten kunnen hun facturen niet downloaden.\n\nGroeten,\nPieter\n\n"
    "Van: Support <support@example.com>\nVerzonden: maandag 3 juni 2024 09:00\nAan: Pieter Jansen\n"
    "Onderwerp: Case 00665500\n\nBedankt voor uw bericht.\n"), sender="Pieter Jansen <p.jansen@contoso.example>"),
    case_number="00665500", case_numbers=["00665500"], is_escalation=True, impact_found=True,
    impact_contains="25 klanten", statement_contains=["escaleren"],
    statement_excludes=["Bedankt voor uw bericht", "Verzonden"], reason_category="not_progressing")

GMAIL_HTML = """<div dir="ltr"><div>Hi team,</div><div><br></div><div>I have to escalate case 00776655.</div>
<div><b>Impact:</b> our customer portal is offline for all 3,000 subscribers.</div><div><b>Availability:</b> I am reachable on my mobile all day.</div>
<div><br></div><div>Thanks,</div><div>Nora</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Jun 3, 2024 at 10:00 AM Support &lt;support@example.com&gt; wrote:<br></div>
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Dear Nora, case 00776655 is with our engineers. Related: case 00770000.</blockquote></div>"""
case("23-gmail-html", build("23", "Escalation", text=(
    "Hi team,\n\nI have to escalate case 00776655.\n*Impact:* our customer portal is offline for all "
    "3,000 subscribers.\n*Availability:* I am reachable on my mobile all day.\n\nThanks,\nNora\n\n"
    "On Mon, Jun 3, 2024 at 10:00 AM Support <support@example.com> wrote:\n\n"
    "> Dear Nora, case 00776655 is with our engineers. Related: case 00770000.\n"), html=GMAIL_HTML,
    sender="Nora Lind <nora.lind@gmail.example>"),
    case_number="00776655", case_numbers=["00776655", "00770000"], is_escalation=True,
    impact_found=True, impact_contains="3,000 subscribers", statement_contains=["escalate case 00776655"],
    statement_excludes=["with our engineers", "wrote:"], reason_category="operations_halted")

GERMAN_TABLE = """<html><body><p>Guten Tag,</p><p>wir bitten um Eskalation des folgenden Falls:</p>
<table border="1"><tr><th>Fallnummer</th><td>00778899</td></tr><tr><th>Auswirkung</th><td>Die Produktion in Werk 2 steht still, 120 Mitarbeiter sind betroffen.</td></tr>
<tr><th>Bisherige Maßnahmen</th><td>Server neu gestartet, Datenbank geprüft.</td></tr></table>
<p>Mit freundlichen Grüßen<br>Petra Schulz<br>Tel. 0711 987654</p></body></html>"""
case("24-german-html-table", build("24", "Eskalation", html=GERMAN_TABLE, sender="Petra Schulz <p.schulz@contoso.example>"),
    case_number="00778899", case_numbers=["00778899"], is_escalation=True, impact_found=True,
    impact_contains="120 Mitarbeiter", statement_contains=["Eskalation"], statement_excludes=["Petra Schulz"],
    reason_category="operations_halted", contact_phone="0711 987654")

case("25-sla-missed-no-impact", build("25", "SLA breached on case 00889900", text=(
    "Hello,\n\nThe first response SLA on case 00889900 was missed: no one has contacted us in 2 days. "
    "Please escalate.\n\nJane\n")), case_number="00889900", case_numbers=["00889900"], is_escalation=True,
    impact_found=False, statement_contains=["first response SLA"], statement_excludes=[],
    reason_category="first_response_sla_missed")

case("26-not-progressing-deadline", build("26", "Escalation - case 00990011 not progressing", text=(
    "Hi,\n\ncase 00990011 is not progressing, we have had no updates for a week. Our month-end "
    "closing deadline is Friday and the finance team cannot reconcile accounts until this is fixed.\n\n"
    "Best regards,\nJane\n")), case_number="00990011", case_numbers=["00990011"], is_escalation=True,
    impact_found=True, impact_contains="deadline", statement_contains=["not progressing"],
    statement_excludes=["Best regards"], reason_category="not_progressing")

case("27-impact-increased", build("27", "Please escalate case 00101010", text=(
    "Hello,\n\nwhen we opened case 00101010 only one team was affected. The problem has spread and "
    "now affects 800 users across 5 countries, so I am asking for management attention.\n\nJane\n")),
    case_number="00101010", case_numbers=["00101010"], is_escalation=True, impact_found=True,
    impact_contains="800 users", statement_contains=["management attention"], statement_excludes=[],
    reason_category="impact_increased")

case("28-pasted-log", build("28", "Escalate case 00202020 - crash loop", text=(
    "Hi,\n\nplease escalate case 00202020, the API gateway restarts every minute and all 60 "
    "integrations fail.\n\n2024-06-04 08:12:01,223 ERROR [main] GatewayServer - OutOfMemoryError: "
    "Java heap space\n2024-06-04 08:13:02,001 ERROR [main] GatewayServer - restart 14\n\nJane\n")),
    case_number="00202020", case_numbers=["00202020"], is_escalation=True, impact_found=True,
    impact_contains="60", statement_contains=["restarts every minute"], statement_excludes=[],
    logs_present=True)

case("29-screenshot-attachment", build("29", "Escalation case 00303030", text=(
    "Hello,\n\nI want to escalate case 00303030. Our booking system shows the error in the attached "
    "screenshot and 45 agents cannot book appointments.\n\nJane\n"),
    attachments=[("error.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000)]),
    case_number="00303030", case_numbers=["00303030"], is_escalation=True, impact_found=True,
    impact_contains="45 agents", statement_contains=["booking system"], statement_excludes=[],
    logs_present=True)

case("30-hash-leading-zeros", build("30", "escalation needed", text=(
    "Hi, could you escalate Case #000012345 please? Our nightly backup has failed five times and "
    "we are out of compliance.\n\nJane\n")), case_number="000012345", case_numbers=["000012345"],
    is_escalation=True, impact_found=True, impact_contains="backup", statement_contains=["nightly backup"],
    statement_excludes=[])

case("31-latin1-german", build("31", "Eskalation: Fall 00404040", text=(
    "Guten Morgen,\n\nbitte eskalieren Sie Fall 00404040. Seit Montag können 90 Benutzer in "
    "München keine Aufträge anlegen.\n\nViele Grüße\nJürgen Müller\n"), charset="iso-8859-1",
    sender="=?iso-8859-1?q?J=FCrgen_M=FCller?= <j.mueller@contoso.example>"),
    case_number="00404040", case_numbers=["00404040"], is_escalation=True, impact_found=True,
    impact_contains="90 Benutzer", statement_contains=["können 90 Benutzer"],
    statement_excludes=["Jürgen Müller"])

FRENCH_HTML = """<html><body><p>Bonjour,</p><p>Merci d'escalader le dossier 00505050.</p>
<p><b>Impact :</b> 300 utilisateurs ne peuvent plus accéder à la messagerie depuis ce matin.</p>
<p>Je suis joignable au 01 23 45 67 89 jusqu'à 18h.</p><p>Cordialement,<br>Élodie Bernard</p></body></html>"""
case("32-cp1252-french-html", build("32", "Escalade dossier 00505050", html=FRENCH_HTML, charset="windows-1252",
    sender="Elodie Bernard <e.bernard@contoso.example>"),
    case_number="00505050", case_numbers=["00505050"], is_escalation=True, impact_found=True,
    impact_contains="300 utilisateurs", statement_contains=["escalader le dossier"],
    statement_excludes=["Élodie Bernard"], contact_phone="01 23 45 67 89")

case("33-mobile-android-terse", build("33", "escalate 00606060", text=(
    "Escalate case 00606060 pls, site down, 50 ppl idle.\n\nSent from my Android\n")),
    case_number="00606060", case_numbers=["00606060"], is_escalation=True, impact_found=True,
    impact_contains="50 ppl", statement_contains=["site down"], statement_excludes=["Sent from my Android"],
    reason_category="operations_halted")

case("34-long-disclaimer", build("34", "Escalation request case 00707070", text=(
    "Dear Sir or Madam,\n\nWe hereby escalate case 00707070. Since the upgrade on Sunday our "
    "e-commerce site is unavailable, which costs us roughly USD 40,000 in sales per day.\n\n"
    "Yours sincerely,\nRobert King\nCIO\n\n"
    "This message and any attachments are confidential and intended solely for the addressee. If "
    "you have received this message in error, please notify the sender immediately and delete it. "
    "Any unauthorised use, disclosure or copying is prohibited.\n"
    "Please consider the environment before printing this e-mail.\n"),
    sender="Robert King <r.king@contoso.example>"),
    case_number="00707070", case_numbers=["00707070"], is_escalation=True, impact_found=True,
    impact_contains="40,000", statement_contains=["hereby escalate"],
    statement_excludes=["confidential", "environment before printing", "CIO"])

case("35-german-disclaimer", build("35", "Eskalation Vorgang 00808080", text=(
    "Hallo Support-Team,\n\nwir eskalieren hiermit den Vorgang 00808080: der Webshop ist seit "
    "heute Nacht ausgefallen, wir verlieren Umsatz.\n\nBeste Grüße\nAnna Klein\n\n"
    "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie nicht "
    "der richtige Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail.\n"),
    sender="Anna Klein <a.klein@contoso.example>"),
    case_number="00808080", case_numbers=["00808080"], is_escalation=True, impact_found=True,
    impact_contains="Umsatz", statement_contains=["ausgefallen"], statement_excludes=["vertrauliche", "Anna Klein"],
    reason_category="operations_halted")

case("36-quote-mentions-escalation", build("36", "Re: Case 00909090", text=(
    "Thanks, could you tell me which version contains the fix?\n\nJane\n\n"
    "On Mon, 3 Jun 2024 at 10:00, Support <support@example.com> wrote:\n"
    "> Your case 00909090 is resolved. If you need to escalate, reply with the word escalate and the "
    "business impact.\n")), case_number="00909090", case_numbers=["00909090"], is_escalation=False,
    impact_found=False, statement_contains=["which version"], statement_excludes=["is resolved"])

case("37-management-attention", build("37", "Case 01111111 needs management attention", text=(
    "Hello,\n\ncase 01111111 needs management attention. Our call centre with 250 agents has no "
    "telephony since 9am.\n\nJane\n")), case_number="01111111", case_numbers=["01111111"],
    is_escalation=True, impact_found=True, impact_contains="250 agents",
    statement_contains=["needs management attention"], statement_excludes=[], reason_category="operations_halted")

case("38-sla-breached", build("38", "SLA breached - case 01212121", text=(
    "Hi,\n\nthis is a formal notice that the SLA was breached on case 01212121, severity 1, raised "
    "yesterday. Nobody has replied yet. The outage blocks all logins for our 1,200 staff.\n\nJane\n")),
    case_number="01212121", case_numbers=["01212121"], is_escalation=True, impact_found=True,
    impact_contains="1,200 staff", statement_contains=["SLA was breached"], statement_excludes=[])

case("39-dutch-graag-escaleren", build("39", "Re: case 01313131", text=(
    "Goedemorgen,\n\nGraag escaleren: sinds gisteren kunnen onze 15 winkels geen pinbetalingen "
    "verwerken. Case 01313131.\n\nMvg,\nKees\n\n"
    "Op 3 jun. 2024 om 09:00 heeft Support <support@example.com> het volgende geschreven:\n"
    "> Beste Kees, we onderzoeken het probleem.\n"), sender="Kees Bakker <kees@contoso.example>"),
    case_number="01313131", case_numbers=["01313131"], is_escalation=True, impact_found=True,
    impact_contains="15 winkels", statement_contains=["Graag escaleren"],
    statement_excludes=["we onderzoeken"])

case("40-spanish-mobile", build("40", "Escalar caso 01414141", text=(
    "Por favor escalar el caso 01414141, el sistema de reservas está caído y 70 empleados no pueden "
    "trabajar.\n\nEnviado desde mi iPhone\n")), case_number="01414141", case_numbers=["01414141"],
    is_escalation=True, impact_found=True, impact_contains="70 empleados",
    statement_contains=["sistema de reservas"], statement_excludes=["Enviado desde mi iPhone"],
    reason_category="operations_halted")

case("41-ticket-label", build("41", "Escalation of ticket #00345612", text=(
    "Hello,\n\nI'd like to escalate ticket #00345612. Our mobile app crashes for all Android users "
    "(about 18,000 customers) since the last release.\n\n--\nJane Miller\nContoso Ltd.\n")),
    case_number="00345612", case_numbers=["00345612"], is_escalation=True, impact_found=True,
    impact_contains="18,000 customers", statement_contains=["crashes for all Android users"],
    statement_excludes=["Contoso Ltd."])

case("42-out-of-office", build("42", "Automatic reply: Escalation case 00123456", text=(
    "I am out of the office until 10 June with no access to e-mail. For urgent matters contact "
    "helpdesk@contoso.example.\n"), headers={"X-Auto-Response-Suppress": "All",
    "Auto-Submitted": "auto-replied"}), case_number="00123456", case_numbers=["00123456"],
    is_escalation=True, impact_found=False, statement_contains=["out of the office"], statement_excludes=[],
    auto_reply=True)

case("43-phone-like-case", build("43", "Escalation", text=(
    "Hi,\n\nplease escalate case 00234561. You can reach me on Tel 0123456789 or mobile 0170 1234567. "
    "The outage stops 20 technicians from closing work orders.\n\nJane\n")),
    case_number="00234561", case_numbers=["00234561"], is_escalation=True, impact_found=True,
    impact_contains="20 technicians", statement_contains=["please escalate"], statement_excludes=[],
    contact_phone="0123456789")

case("44-dates-numbers", build("44", "Escalation case 00345670", text=(
    "Hello,\n\nwe raised case 00345670 on 03.06.2024 and nothing happened since 12/05/2024 when "
    "the first symptoms appeared. PO 4500012345 is blocked. Please escalate: our 3 warehouses "
    "cannot ship.\n\nJane\n")), case_number="00345670", case_numbers=["00345670"], is_escalation=True,
    impact_found=True, impact_contains="3 warehouses", statement_contains=["Please escalate"],
    statement_excludes=[])

case("45-csm-outlook-forward", build("45", "FW: Case 00676767 - tills offline in 14 stores", text=(
    "Hi escalations,\n\nForwarding on behalf of Tailspin Retail - please treat this as an escalation. "
    "I am their CSM.\n\nMaria\n\n"
    "________________________________\nFrom: Ken Ito <ken.ito@tailspin.example>\n"
    "Sent: Tuesday, June 4, 2024 7:45 AM\nTo: Maria Lopez <maria.lopez@example.com>\n"
    "Subject: Case 00676767 - tills offline in 14 stores\n\n"
    "Maria,\n\nthe tills in 14 of our stores have been offline since opening; staff take cash only. "
    "Case 00676767 has not been updated since yesterday.\n\nKen\n\n"
    "________________________________\nFrom: Support <support@example.com>\nSent: Monday, June 3, 2024 4:00 PM\n"
    "To: Ken Ito\nSubject: Case 00676767\n\nWe are reviewing the logs for case 00676767 and case 00600000.\n"),
    sender="Maria Lopez <maria.lopez@example.com>"),
    case_number="00676767", case_numbers=["00676767", "00600000"], is_escalation=True, impact_found=True,
    impact_contains="14 of our stores", statement_contains=["on behalf of Tailspin", "tills in 14 of our stores"],
    statement_excludes=["reviewing the logs", "Sent: Tuesday"], reason_category="operations_halted")


# Whether the mail states steps already taken / when the sender is available
# (labelled separately; every case not listed has neither).
EXTRAS = {
    "01-plain-labelled": (True, True), "04-german": (True, False), "05-french": (True, False),
    "06-spanish": (False, True), "09-no-case-phone-dates": (False, True), "23-gmail-html": (False, True),
    "24-german-html-table": (True, False), "32-cp1252-french-html": (False, True),
}


def write_set(cases, extras, folder: Path, old_files: str) -> None:
    """Write each case as ``<name>.eml`` and ``<name>.json`` into ``folder``, replacing ``old_files``."""
    for name, _raw, expected in cases:
        expected["steps_found"], expected["availability_found"] = extras.get(name, (False, False))
    for old in folder.glob(old_files):
        old.unlink()
    for name, raw, expected in cases:
        (folder / f"{name}.eml").write_bytes(raw)
        (folder / f"{name}.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {folder}")


def main() -> None:
    write_set(CASES, EXTRAS, HERE, "[0-9][0-9]-*")


if __name__ == "__main__":
    main()
