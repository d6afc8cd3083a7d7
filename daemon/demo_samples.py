"""The demo's sample cases and inbound emails: one or more for every outcome.

Written as real mail clients write them (top-posting, quoted history, an
out-of-office robot), so the demo exercises the same paths production does.
"""

from __future__ import annotations

CASES_CSV = """\
case_number,status,contact_email,account,csm_email,severity,title
01234567,open,jane.doe@acme-logistics.example,Acme Logistics,sam.csm@example.com,S1,Scanners cannot sync orders
00987654,open,ops@northwind.example,Northwind Traders,,S2,Nightly invoice export fails
00555123,open,it@globex.example,Globex,,S3,Question about SSO group mapping
00001111,closed,bob@initech.example,Initech,,S3,Password reset emails delayed
"""

_ACCEPTED = """\
From: Jane Doe <jane.doe@acme-logistics.example>
To: Support Escalations <supportescalations@example.com>
Subject: Escalation request - Case 01234567 - warehouse scanners down
Date: {date}
Message-ID: <CAH7x2-demo-0001@mail.acme-logistics.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hello,

I would like to escalate case 01234567. Since 06:00 this morning none of the
handheld scanners in our Rotterdam and Antwerp warehouses can sync orders, and
the case has had no response for 6 hours.

Business impact: both warehouses are halted; about 120 pickers cannot ship
orders, roughly 4,000 orders a day are blocked.

Steps already taken: we restarted the sync service and the scanners.
You can reach me on +31 20 555 0101 all day.

Thanks,
Jane Doe
Operations Manager, Acme Logistics

--{sig_space}
Acme Logistics B.V. - This email may contain confidential information.
"""

_MISSING_IMPACT = """\
From: "Northwind Ops" <ops@northwind.example>
To: supportescalations@example.com
Subject: Please escalate case 00987654
Date: {date}
Message-ID: <demo-0002@northwind.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hi, please escalate case 00987654, it is not progressing. We have been waiting
for three days.

Regards, Northwind Ops
"""

_FOLLOW_UP = """\
From: Jane Doe <jane.doe@acme-logistics.example>
To: supportescalations@example.com
Subject: RE: Escalation request - Case 01234567 - warehouse scanners down
Date: {date}
Message-ID: <CAH7x2-demo-0003@mail.acme-logistics.example>
In-Reply-To: <CAH7x2-demo-0001@mail.acme-logistics.example>
References: <CAH7x2-demo-0001@mail.acme-logistics.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Adding: the Antwerp site is now also unable to print shipping labels.
Logs attached to the case.

Jane

On Fri, Jane Doe wrote:
> I would like to escalate case 01234567.
"""

_NO_CASE_NUMBER = """\
From: Carlos Ruiz <carlos@contoso.example>
To: supportescalations@example.com
Subject: URGENT escalation - everything is down
Date: {date}
Message-ID: <demo-0004@contoso.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Please escalate this immediately, our whole team cannot log in since 9:00.
50 users are affected.

Carlos
"""

_CLOSED_CASE = """\
From: Bob Porter <bob@initech.example>
To: supportescalations@example.com
Subject: Escalation: case 00001111
Date: {date}
Message-ID: <demo-0005@initech.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

We need to escalate case 00001111, password reset mails are late again.

Bob
"""

_NOT_ALLOWED = """\
From: Random Person <someone@freemail.example>
To: supportescalations@example.com
Subject: Escalate case 00555123
Date: {date}
Message-ID: <demo-0006@freemail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

I want to escalate case 00555123 right now.
"""

_NOT_ESCALATION = """\
From: Globex IT <it@globex.example>
To: supportescalations@example.com
Subject: Question about case 00555123
Date: {date}
Message-ID: <demo-0007@globex.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hi, quick question on case 00555123: which SAML attribute carries the group
names? Thanks!
"""

_OUT_OF_OFFICE = """\
From: Pat Example <pat@acme-logistics.example>
To: supportescalations@example.com
Subject: Automatic reply: Escalation request - Case 01234567
Date: {date}
Message-ID: <demo-0008@acme-logistics.example>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

I am out of the office until Monday.
"""

_NO_SENDER = """\
To: supportescalations@example.com
Subject: escalate case 01234567
Date: {date}
Message-ID: <demo-0010@broken.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

This message has lost its From header on the way.
"""

#: (file name, text, what the demo expects)
SAMPLES: list[tuple[str, str, str]] = [
    ("01-accepted.eml", _ACCEPTED, "accepted"),
    ("02-accepted-missing-impact.eml", _MISSING_IMPACT, "accepted"),
    ("03-follow-up.eml", _FOLLOW_UP, "follow-up"),
    ("04-no-case-number.eml", _NO_CASE_NUMBER, "rejected: no case number"),
    ("05-closed-case.eml", _CLOSED_CASE, "rejected: no open case"),
    ("06-not-allowed.eml", _NOT_ALLOWED, "rejected: not allowed"),
    ("07-not-an-escalation.eml", _NOT_ESCALATION, "not an escalation"),
    ("08-out-of-office.eml", _OUT_OF_OFFICE, "ignored"),
    ("09-duplicate.eml", _ACCEPTED, "ignored"),
    ("10-no-sender.eml", _NO_SENDER, "quarantined"),
]
