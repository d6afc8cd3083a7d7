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


def test_field_accuracy_meets_floors():
    table = extraction.extraction_table()
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
