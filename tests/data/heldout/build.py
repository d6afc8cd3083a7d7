"""Writes the held-out set: labelled like ``tests/data/eval`` but written after the rules were frozen.

Its score is the honest estimate of extraction accuracy on unseen mail; do not
tune rules on it (add a failing shape to the eval set instead).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("eval_build", HERE.parent / "eval" / "build.py")
_eval = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_eval)
build = _eval.build
CASES: list[tuple[str, bytes, dict]] = []


def case(name, raw, **expected):
    expected.setdefault("auto_reply", False)
    CASES.append((name, raw, expected))


case("h01-terse-subject-only", build("h01", "URGENT - Case 07700123 - management escalation", text=(
    "Team - see subject. Nothing has happened on this for 5 business days and our go-live is on "
    "Monday. Please call me.\n\nMark\n+1 212 555 0199\n"), sender="Mark Ellis <mark@northwind.example>"),
    case_number="07700123", case_numbers=["07700123"], is_escalation=True, impact_found=True,
    impact_contains="go-live", statement_contains=["Nothing has happened"], statement_excludes=["+1 212"],
    reason_category="not_progressing", contact_phone="+1 212 555 0199")

case("h02-outlook-html-bold-labels", build("h02", "Escalation - Case# 00876512", html=(
    "<html><body><div><p>Hi,</p><p>I'm raising an escalation for <b>Case# 00876512</b>.</p>"
    "<p><b>Impact:</b> Our three distribution centres can't print shipping labels, ~4,000 parcels "
    "are stuck.</p><p><b>What we've done:</b> reinstalled the print agent on two servers.</p>"
    "<p>Thanks<br>Olivia Brown<br>Ops Lead, Northwind</p>"
    "<hr><p><b>From:</b> Support &lt;support@example.com&gt;<br><b>Sent:</b> Tuesday, June 4, 2024 7:02 AM"
    "<br><b>To:</b> Olivia Brown<br><b>Subject:</b> RE: Case# 00876512</p><p>We're looking into it.</p>"
    "</div></body></html>"), sender="Olivia Brown <olivia@northwind.example>"),
    case_number="00876512", case_numbers=["00876512"], is_escalation=True, impact_found=True,
    impact_contains="4,000 parcels", statement_contains=["raising an escalation"],
    statement_excludes=["looking into it", "Ops Lead"], reason_category="operations_halted")

case("h03-german-reply-no-impact", build("h03", "AW: Ticket 00554321", text=(
    "Hallo zusammen,\n\nich möchte das Ticket 00554321 eskalieren, da wir seit Tagen auf eine "
    "Rückmeldung warten.\n\nDanke und Gruß\nSabine\n\n"
    "-----Ursprüngliche Nachricht-----\nVon: Support <support@example.com>\nGesendet: Freitag, 31. Mai 2024 "
    "14:00\nAn: Sabine Hoffmann\nBetreff: Ticket 00554321\n\nWir melden uns.\n"),
    sender="Sabine Hoffmann <s.hoffmann@northwind.example>"),
    case_number="00554321", case_numbers=["00554321"], is_escalation=True, impact_found=False,
    statement_contains=["eskalieren"], statement_excludes=["Wir melden uns", "Gesendet"])

case("h04-french-csm-forward", build("h04", "TR: Blocage facturation - dossier 00998877", text=(
    "Bonjour l'équipe,\n\nJe vous transfère la demande de notre client, merci de l'escalader.\n\nPaul\n\n"
    "-------- Message transféré --------\nSujet : Blocage facturation\nDate : Mon, 3 Jun 2024 17:05:00 +0200\n"
    "De : Claire Petit <c.petit@client.example>\nPour : Paul Roux <paul.roux@example.com>\n\n"
    "Paul,\n\nnotre facturation est bloquée depuis vendredi (dossier 00998877), nous ne pouvons "
    "pas émettre les 1 200 factures de fin de mois.\n\nClaire\n"),
    sender="Paul Roux <paul.roux@example.com>"),
    case_number="00998877", case_numbers=["00998877"], is_escalation=True, impact_found=True,
    impact_contains="1 200 factures", statement_contains=["escalader", "facturation est bloquée"],
    statement_excludes=["Message transféré"], reason_category="operations_halted")

case("h05-spanish-no-escalation", build("h05", "Consulta caso 00443211", text=(
    "Hola,\n\n¿podrían indicarme cuándo estará disponible el parche para el caso 00443211?\n\n"
    "Gracias,\nLucía\n")), case_number="00443211", case_numbers=["00443211"], is_escalation=False,
    impact_found=False, statement_contains=["parche"], statement_excludes=[])

case("h06-dutch-table-html", build("h06", "Escalatie", html=(
    "<html><body><p>Goedemiddag,</p><p>Wij vragen escalatie aan voor onderstaande melding.</p>"
    "<table><tr><td>Casenummer:</td><td>00321987</td></tr><tr><td>Impact:</td><td>Onze 8 "
    "vestigingen kunnen geen recepten verwerken.</td></tr></table><p>Met vriendelijke groet,<br>"
    "Joost Smit</p></body></html>"), sender="Joost Smit <j.smit@apotheek.example>"),
    case_number="00321987", case_numbers=["00321987"], is_escalation=True, impact_found=True,
    impact_contains="8 vestigingen", statement_contains=["escalatie"], statement_excludes=["Joost Smit"],
    reason_category="operations_halted")

case("h07-two-cases-quoted-third", build("h07", "Re: Cases 00111222 / 00111333", text=(
    "Please escalate both case 00111222 and case 00111333 - the same database corruption hit both "
    "of our ERP instances and finance is unable to close the books.\n\n"
    "Rob\n\nOn Tue, Jun 4, 2024 at 8:00 AM Support <support@example.com> wrote:\n"
    "> Case 00111000 was merged into case 00111222.\n")),
    case_number="00111222", case_numbers=["00111222", "00111333", "00111000"], is_escalation=True,
    impact_found=True, impact_contains="unable to close", statement_contains=["database corruption"],
    statement_excludes=["was merged"])

case("h08-phone-date-heavy", build("h08", "Escalation case 00765765", text=(
    "Dear support,\n\nWe need case 00765765 escalated. Since 28.05.2024 our 2 call centres "
    "(approx. 140 agents) lose calls every 10 minutes. Contact: +33 1 70 36 42 11 or 06 12 34 56 78. "
    "PO 4500098765, contract 2023-118.\n\nBest,\nNadia\n")),
    case_number="00765765", case_numbers=["00765765"], is_escalation=True, impact_found=True,
    impact_contains="140 agents", statement_contains=["escalated"], statement_excludes=[],
    contact_phone="+33 1 70 36 42 11")

case("h09-iphone-bottom-quote", build("h09", "Re: Case 00234876", text=(
    "Escalating. POS down in all stores since 11am.\n\nSent from my iPhone\n\n"
    "> On Jun 4, 2024, at 10:12, Support <support@example.com> wrote:\n>\n> We are checking case 00234876.\n")),
    case_number="00234876", case_numbers=["00234876"], is_escalation=True, impact_found=True,
    impact_contains="POS down", statement_contains=["POS down"], statement_excludes=["Sent from my iPhone",
    "We are checking"], reason_category="operations_halted")

case("h10-disclaimer-french", build("h10", "Escalade dossier 00654987", text=(
    "Bonjour,\n\nmerci d'escalader le dossier 00654987 : notre site e-commerce est indisponible "
    "depuis 6h, nous perdons environ 20 000 € de ventes par heure.\n\nCordialement,\nHugo Lambert\n\n"
    "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de "
    "ses destinataires. Si vous avez reçu ce message par erreur, merci de le détruire.\n"),
    sender="Hugo Lambert <h.lambert@client.example>"),
    case_number="00654987", case_numbers=["00654987"], is_escalation=True, impact_found=True,
    impact_contains="20 000", statement_contains=["escalader le dossier"],
    statement_excludes=["confidentiels", "Hugo Lambert"])

case("h11-not-escalation-thanks", build("h11", "Re: Case 00345111 resolved", text=(
    "Great, thanks for the quick fix. You can close case 00345111.\n\nCheers,\nAmy\n\n"
    "On Tue, 4 Jun 2024 at 09:00, Support <support@example.com> wrote:\n"
    "> If the issue comes back or has business impact, reply and we will escalate it.\n")),
    case_number="00345111", case_numbers=["00345111"], is_escalation=False, impact_found=False,
    statement_contains=["quick fix"], statement_excludes=["Cheers", "comes back"])

case("h12-severity-upgrade", build("h12", "Please raise case 00909123 to management", text=(
    "Hi,\n\nCase 00909123 started as a minor issue but is now critical: since this morning it "
    "affects all 2,300 users of our intranet. I am asking you to escalate it.\n\n"
    "I'm available on Teams until 6 pm.\n\nRegards\nDev\n")),
    case_number="00909123", case_numbers=["00909123"], is_escalation=True, impact_found=True,
    impact_contains="2,300 users", statement_contains=["now critical"], statement_excludes=["Regards"],
    reason_category="impact_increased")

case("h13-ooo-german", build("h13", "Automatische Antwort: Eskalation Fall 00123789", text=(
    "Ich bin bis zum 14.06. nicht im Büro. In dringenden Fällen wenden Sie sich an "
    "it-support@northwind.example.\n"), headers={"Auto-Submitted": "auto-replied"}),
    case_number="00123789", case_numbers=["00123789"], is_escalation=True, impact_found=False,
    statement_contains=["nicht im Büro"], statement_excludes=[], auto_reply=True)

case("h14-mailing-list-digest", build("h14", "[it-ops] Weekly summary", text=(
    "This week: 3 incidents, case 00777111 was escalated by the Berlin team.\n"),
    headers={"List-Id": "<it-ops.lists.northwind.example>", "Precedence": "list"}),
    case_number="00777111", case_numbers=["00777111"], is_escalation=True, impact_found=False,
    statement_contains=["This week"], statement_excludes=[], auto_reply=True)

case("h15-sla-first-response", build("h15", "Case 00222444 - no response, SLA missed", text=(
    "Hello,\n\nWe logged case 00222444 as P1 yesterday at 09:00 and have not received any response. "
    "Our P1 response SLA is 1 hour. I want this escalated to a support manager.\n\nKind regards,\n"
    "Henrik\n")), case_number="00222444", case_numbers=["00222444"], is_escalation=True,
    impact_found=False, statement_contains=["escalated to a support manager"],
    statement_excludes=["Kind regards"], reason_category="first_response_sla_missed")

case("h16-spanish-outlook-html", build("h16", "RV: Caso 00567123 - escalamiento", html=(
    "<html><body><p>Buenas tardes:</p><p>Solicito el escalamiento del caso 00567123. El sistema de "
    "nóminas no funciona y 900 empleados no cobrarán el viernes.</p><p>Saludos,<br>Marta Gómez</p>"
    "<div style='border-top:solid #E1E1E1 1.0pt'><p><b>De:</b> Soporte<br><b>Enviado el:</b> lunes, "
    "3 de junio de 2024 10:00<br><b>Para:</b> Marta Gómez<br><b>Asunto:</b> Caso 00567123</p></div>"
    "<p>Estamos revisando su caso.</p></body></html>"), sender="Marta Gómez <m.gomez@client.example>"),
    case_number="00567123", case_numbers=["00567123"], is_escalation=True, impact_found=True,
    impact_contains="900 empleados", statement_contains=["escalamiento del caso"],
    statement_excludes=["Estamos revisando", "Marta Gómez"])


EXTRAS = {"h02-outlook-html-bold-labels": (True, False), "h12-severity-upgrade": (False, True)}
"""Steps taken / availability stated; every case not listed has neither."""


def main() -> None:
    _eval.write_set(CASES, EXTRAS, HERE, "h[0-9][0-9]-*")


if __name__ == "__main__":
    main()
