"""Extraction accuracy on the labelled set, and quote stripping on the discourse and talon sets.

Usage: ``python bench/extraction.py [--corpus DIR] [--verbose]``

Prints per-field accuracy of :func:`escalated.parsers.parse_message` on
``tests/data/eval/*.eml`` against their ``.json`` expectations, then the share
of discourse ``emails/X.txt`` whose kept text equals ``trimmed/X.txt`` and of
talon replies reduced to the expected text, for our splitter and for
mail-parser-reply side by side.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

from escalated.parsers import parse_message
from escalated.parsers.body import extract_body
from escalated.parsers.quotes import split_reply

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "tests" / "data" / "eval"
HELDOUT_DIR = ROOT / "tests" / "data" / "heldout"
DEFAULT_CORPUS = Path(os.environ.get("ESCALATED_CORPUS", ROOT.parent / "shared" / "corpus"))


def eval_cases(directory: Path = EVAL_DIR) -> list[tuple[str, bytes, dict]]:
    """The labelled cases: ``(name, raw bytes, expected facts)``, sorted by name."""
    return [
        (path.stem, path.read_bytes(), json.loads(path.with_suffix(".json").read_text()))
        for path in sorted(directory.glob("*.eml"))
    ]


def field_results(raw: bytes, expected: dict) -> dict[str, bool]:
    """Per field, whether the parse of ``raw`` matches ``expected`` (only fields it labels)."""
    parsed = parse_message(raw)
    results = {
        "case_number": parsed.case_number == expected["case_number"],
        "case_numbers": list(parsed.case_numbers) == expected["case_numbers"],
        "is_escalation": parsed.is_escalation == expected["is_escalation"],
        "impact_found": (parsed.business_impact is not None) == expected["impact_found"]
        and (
            not expected.get("impact_contains")
            or expected["impact_contains"] in (parsed.business_impact or "")
        ),
        "statement_clean": all(s in parsed.statement for s in expected["statement_contains"])
        and not any(s in parsed.statement for s in expected["statement_excludes"]),
        "auto_reply": parsed.auto_reply == expected["auto_reply"],
    }
    if "reason_category" in expected:
        results["reason_category"] = parsed.reason_category == expected["reason_category"]
    if "contact_phone" in expected:
        results["contact_phone"] = parsed.contact_phone == expected["contact_phone"]
    if "steps_found" in expected:
        results["steps_taken"] = (parsed.steps_taken is not None) == expected["steps_found"]
    if "availability_found" in expected:
        results["availability"] = (parsed.availability is not None) == expected["availability_found"]
    if "logs_present" in expected:
        results["logs"] = ("logs" not in parsed.missing) == expected["logs_present"]
    return results


def extraction_table(verbose: bool = False, directory: Path = EVAL_DIR) -> dict[str, tuple[int, int]]:
    """``field -> (correct, labelled)`` over a labelled set; prints misses when verbose."""
    totals: dict[str, list[int]] = {}
    for name, raw, expected in eval_cases(directory):
        for field, ok in field_results(raw, expected).items():
            total = totals.setdefault(field, [0, 0])
            total[0] += ok
            total[1] += 1
            if verbose and not ok:
                parsed = parse_message(raw).to_json()
                keys = ("case_numbers", "is_escalation", "business_impact", "reason_category",
                        "steps_taken", "contact_phone", "availability", "missing")
                shown = {k: parsed.get(k) for k in keys}
                print(f"  MISS {name} {field}: {shown}\n    statement={parsed['statement']!r}")
    return {field: (ok, n) for field, (ok, n) in totals.items()}


def normalize(text: str) -> str:
    """Compare texts modulo line endings, trailing spaces and blank-line runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return re.sub(r"\n{2,}", "\n\n", "\n".join(lines)).strip()


def ours(text: str) -> str:
    return split_reply(text, strip_sign_off=False).statement


def ours_no_sign_off(text: str) -> str:
    return split_reply(text, strip_sign_off=True).statement


def mail_parser_reply(text: str) -> str:
    from mailparser_reply import EmailReplyParser  # bench-only dependency

    languages = ["en", "de", "fr", "es", "nl", "it", "sv", "pl", "da", "cs", "zh"]
    return EmailReplyParser(languages=languages).parse_reply(text) or ""


SPLITTERS = {"escalated (sign-off kept)": ours, "escalated (statement)": ours_no_sign_off,
             "mail-parser-reply": mail_parser_reply}


def discourse_score(corpus: Path, splitter, verbose: bool = False) -> tuple[int, int]:
    """``(exact matches, cases)``: kept text equal to discourse's ``trimmed/`` expectation."""
    base = corpus / "discourse-email_reply_trimmer"
    hits = total = 0
    for path in sorted((base / "emails").glob("*.txt")):
        expected = (base / "trimmed" / path.name).read_text(encoding="utf-8", errors="replace")
        text = path.read_bytes().decode("utf-8", errors="replace")
        try:
            got = splitter(text)
        except Exception as exc:  # noqa: BLE001 - a library crashing counts as a miss
            got = f"<crash {exc!r}>"
        ok = normalize(got) == normalize(expected)
        hits += ok
        total += 1
        if verbose and not ok:
            print(f"  MISS {path.stem}: got {normalize(got)[:120]!r}")
    return hits, total


def talon_score(corpus: Path, splitter) -> tuple[int, int]:
    """``(matches, cases)`` on talon: .eml replies must reduce to their expected reply text, HTML
    replies to "Hi. I am fine. Thanks, Alex", and the two Outlook HTML samples to theirs."""
    base = corpus / "mailgun-talon"
    hits = total = 0
    for path in sorted((base / "standard_replies").glob("*.eml")):
        expected_file = base / "standard_replies" / f"{path.stem}_reply_text"
        expected = expected_file.read_text() if expected_file.exists() else "Hello"
        body = extract_body(__import__("email").message_from_bytes(path.read_bytes())).text
        hits += normalize(splitter(body)) == normalize(expected)
        total += 1
    for path in sorted((base / "html_replies").glob("*.html")):
        from escalated.parsers.html_text import html_to_text

        text, _ = html_to_text(path.read_text(errors="replace"))
        got = re.sub(r"\s+", " ", splitter(text)).strip()
        hits += got == "Hi. I am fine. Thanks, Alex"
        total += 1
    from escalated.parsers.html_text import html_to_text

    for name, expected in (("OLK_SRC_BODY_SECTION.html", "Reply"), ("reply-separated-by-hr.html", "Hi there")):
        if (base / name).exists():
            text, _ = html_to_text((base / name).read_text(errors="replace"))
            hits += re.sub(r"\s+", " ", splitter(text)).strip() == expected
            total += 1
    return hits, total


def html_parts(corpus: Path) -> list[str]:
    """Every text/html part in the corpus's messages (decoded), plus talon's bare HTML replies."""
    import email

    from escalated.parsers.charset import decode_bytes

    found = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix == ".md":
            continue
        raw = path.read_bytes()
        if path.suffix == ".html":
            found.append(decode_bytes(raw)[0])
            continue
        if b"text/html" not in raw[:2_000_000].lower():
            continue
        for part in email.message_from_bytes(raw).walk():
            if part.get_content_type() == "text/html":
                data = part.get_payload(decode=True) or b""
                charset = part.get_content_charset()
                found.append(decode_bytes(data, charset)[0])
    return found


def html_to_text_html2text(markup: str) -> str:
    """The html2text alternative, for the comparison only (inscriptis won it)."""
    import html2text

    from escalated.parsers import html_text

    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_links = True
    converter.ignore_emphasis = True
    return html_text.tidy(converter.handle(markup[: html_text.MAX_HTML_CHARS]))


def html_comparison(corpus: Path) -> None:
    """inscriptis vs html2text: failures, time, and the labelled set with each as converter."""
    import time

    from escalated.parsers import html_text

    converters = {
        "inscriptis": lambda h: html_text._inscriptis(h),
        "html2text": html_to_text_html2text,
    }
    parts = html_parts(corpus)
    print(f"\nHTML to text on {len(parts)} HTML parts of the corpus")
    print(f"{'library':<12}{'failures':>10}{'total s':>10}{'max s':>8}{'eval impact':>13}{'eval clean':>12}"
          f"{'talon html':>12}")
    original = html_text._inscriptis
    for name, convert in converters.items():
        failures, slowest, started = 0, 0.0, time.perf_counter()
        for markup in parts:
            one = time.perf_counter()
            try:
                convert(markup)
            except Exception:  # noqa: BLE001
                failures += 1
            slowest = max(slowest, time.perf_counter() - one)
        total = time.perf_counter() - started
        # The labelled set and talon with this converter plugged in.
        html_text._inscriptis = convert if name != "inscriptis" else original
        table = extraction_table()
        talon = talon_score(corpus, ours)
        html_text._inscriptis = original
        impact, clean = table["impact_found"], table["statement_clean"]
        print(f"{name:<12}{failures:>10}{total:>10.2f}{slowest:>8.2f}{f'{impact[0]}/{impact[1]}':>13}"
              f"{f'{clean[0]}/{clean[1]}':>12}{f'{talon[0]}/{talon[1]}':>12}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--html", action="store_true", help="also compare inscriptis and html2text")
    args = parser.parse_args(argv)

    for title, directory in (("Labelled evaluation set", EVAL_DIR), ("Held-out set", HELDOUT_DIR)):
        table = extraction_table(args.verbose, directory)
        print(f"{title}: {len(eval_cases(directory))} emails ({directory.relative_to(ROOT)})")
        print(f"{'field':<18}{'correct':>9}{'of':>5}{'accuracy':>10}")
        for field, (ok, n) in table.items():
            print(f"{field:<18}{ok:>9}{n:>5}{ok / n:>10.1%}")
        print()

    if not (args.corpus / "discourse-email_reply_trimmer").is_dir():
        print(f"corpus not found at {args.corpus}: quote-stripping scores skipped")
        return 0
    print("\nQuote stripping (exact match after whitespace normalisation)")
    print(f"{'splitter':<28}{'discourse trimmed':>20}{'talon replies':>16}")
    for label, splitter in SPLITTERS.items():
        if splitter is mail_parser_reply and importlib.util.find_spec("mailparser_reply") is None:
            print(f"{label:<28}not installed (pip install mail-parser-reply)")
            continue
        d_ok, d_n = discourse_score(args.corpus, splitter, args.verbose and label.endswith("kept)"))
        t_ok, t_n = talon_score(args.corpus, splitter)
        print(f"{label:<28}{f'{d_ok}/{d_n} {d_ok / d_n:.0%}':>20}{f'{t_ok}/{t_n} {t_ok / t_n:.0%}':>16}")
    if args.html:
        if importlib.util.find_spec("html2text") is None:
            print("html2text not installed (pip install html2text): HTML comparison skipped")
        else:
            html_comparison(args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
