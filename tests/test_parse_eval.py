"""The labelled evaluation set and the discourse quote-stripping score must stay above the aims.

Scoring lives in ``bench/extraction.py`` (which prints the full table); these
tests hold the floors so a change that loses accuracy fails CI.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
extraction = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(extraction)

FLOORS = {
    "case_number": 1.0,
    "case_numbers": 0.95,
    "is_escalation": 0.95,
    "impact_found": 0.90,
    "statement_clean": 0.90,
    "auto_reply": 1.0,
    "reason_category": 0.80,
}


def test_evaluation_set_has_at_least_40_labelled_emails():
    assert len(extraction.eval_cases()) >= 40


@pytest.mark.parametrize("directory", [extraction.EVAL_DIR, extraction.HELDOUT_DIR], ids=["eval", "heldout"])
def test_field_accuracy_meets_floors(directory):
    table = extraction.extraction_table(directory=directory)
    below = {
        field: f"{ok}/{n}" for field, (ok, n) in table.items() if field in FLOORS and ok / n < FLOORS[field]
    }
    assert not below, below


@pytest.mark.parametrize("name", [case[0] for case in extraction.eval_cases()])
def test_case_number_of_each_labelled_email(name):
    raw, expected = next((r, e) for n, r, e in extraction.eval_cases() if n == name)
    assert extraction.field_results(raw, expected)["case_number"]


def test_discourse_quote_stripping_score():
    corpus = Path(os.environ.get("ESCALATED_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not (corpus / "discourse-email_reply_trimmer").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"discourse set not found under {corpus}")
        pytest.skip("corpus not available")
    hits, total = extraction.discourse_score(corpus, extraction.ours)
    assert hits / total >= 0.85, f"{hits}/{total}"


def test_case_number_in_new_text_beats_one_in_quoted_history_on_real_replies():
    """README suggestion: carry case numbers in real reply shapes (discourse set).

    A number written above the reply must come first; one planted at the end of
    the mail (inside the quoted history or signature) must never come first.
    """
    corpus = Path(os.environ.get("ESCALATED_CORPUS", ROOT.parent / "shared" / "corpus"))
    base = corpus / "discourse-email_reply_trimmer"
    if not base.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"discourse set not found under {corpus}")
        pytest.skip("corpus not available")
    from escalated.parsers import parse_message

    checked = 0
    for path in sorted((base / "emails").glob("*.txt")):
        elided = (base / "elided" / path.name).read_text(encoding="utf-8", errors="replace").strip()
        if not elided:
            continue
        body = path.read_bytes().decode("utf-8", errors="replace").rstrip()
        body = f"Please escalate case 0999888 now.\n\n{body}\n> Case 0111222 was closed.\n"
        raw = ("From: c@customer.example\nSubject: Re: trouble\nContent-Type: text/plain; charset=utf-8\n\n" + body)
        parsed = parse_message(raw.encode("utf-8"))
        assert parsed.case_number == "0999888", path.name
        assert "0111222" not in parsed.statement, path.name
        checked += 1
    assert checked >= 40


def test_no_quote_header_survives_in_reply_parser_fixtures():
    """The unlabelled reply sets (crisp, willdurand, zapier, github): no statement keeps an
    attribution line, an Outlook header line or an Original/Forwarded separator, and none is
    emptied when the fixture has text."""
    import re

    from escalated.parsers.quotes import split_reply

    corpus = Path(os.environ.get("ESCALATED_CORPUS", ROOT.parent / "shared" / "corpus"))
    folders = ["crisp-oss-email-reply-parser", "willdurand-EmailReplyParser", "zapier-email-reply-parser",
               "github-email_reply_parser"]
    if not all((corpus / folder).is_dir() for folder in folders):
        if os.environ.get("CI"):
            pytest.fail(f"reply-parser sets not found under {corpus}")
        pytest.skip("corpus not available")
    leak = re.compile(
        r"(wrote|schrieb|a écrit|escribió|schreef|napisał|skrev|написал|ha scritto|escreveu)\s*:?\s*$"
        r"|^\s*\*?(From|Von|De|Van|Från|Da)\s*:\*?.*(@|\[mailto)|^-{3,}\s*(Original|Forwarded)",
        re.I | re.M,
    )
    leaks, emptied = [], []
    for folder in folders:
        for path in sorted((corpus / folder).rglob("*")):
            if not path.is_file() or path.suffix == ".md":
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            statement = split_reply(text).statement
            if leak.search(statement):
                leaks.append(path.name)
            if text.strip() and not statement.strip():
                emptied.append(path.name)
    assert not leaks, leaks
    assert not emptied, emptied
