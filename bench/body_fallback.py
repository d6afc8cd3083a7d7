"""Body extraction against mail-parser: over every corpus file, who finds readable text.

The figure behind docs/parsing.md's choice of our own fallback chain over
mail-parser. Needs the bench extra (`pip install -e '.[bench]'`) and the corpus.

    .venv/bin/python bench/body_fallback.py [CORPUS_DIR]
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from escalated.parsers import parse_message

logging.disable(logging.CRITICAL)  # mail-parser logs every defect it meets


def mail_parser_text(raw: bytes) -> str:
    import mailparser

    try:
        parsed = mailparser.parse_from_bytes(raw)
        return "\n".join(parsed.text_plain or parsed.text_html or [])
    except Exception:  # noqa: BLE001 - counted as "no text"
        return ""


def main() -> int:
    default = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ESCALATED_CORPUS", default))
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".eml", ".msg", ".box", ".txt")
                   and p.name not in ("SOURCE.md",) and b":" in p.read_bytes()[:200])
    ours_only, theirs_only, both, neither = [], [], 0, 0
    ours_s = theirs_s = 0.0
    for path in files:
        raw = path.read_bytes()
        started = time.perf_counter()
        ours = bool(parse_message(raw).body_text.strip())
        ours_s += time.perf_counter() - started
        started = time.perf_counter()
        theirs = bool(mail_parser_text(raw).strip())
        theirs_s += time.perf_counter() - started
        if ours and theirs:
            both += 1
        elif ours:
            ours_only.append(path.relative_to(corpus))
        elif theirs:
            theirs_only.append(path.relative_to(corpus))
        else:
            neither += 1
    print(f"{len(files)} corpus files with headers")
    print(f"text from both: {both}; neither: {neither}")
    print(f"text only from parse_message: {len(ours_only)}; only from mail-parser: {len(theirs_only)}")
    print(f"time: parse_message {ours_s:.2f} s, mail-parser {theirs_s:.2f} s (ratio {theirs_s / ours_s:.2f})")
    for name in ours_only[:20]:
        print(f"  ours only: {name}")
    for name in theirs_only[:20]:
        print(f"  mail-parser only: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
