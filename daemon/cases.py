"""Importing support cases from a CSV export (``escalated cases import``)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from escalated.daemon.errors import BadInputError
from escalated.storage.database import Database, case_by_number
from escalated.storage.models import Case, CaseStatus

REQUIRED_COLUMNS = ("case_number", "status", "contact_email")
OPTIONAL_COLUMNS = ("account", "csm_email", "severity", "title")


def read_cases_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a case CSV, checked; raises BadInputError naming the file, line and column."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [(h or "").strip() for h in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise BadInputError(f"{path}: the header row lacks column(s): {', '.join(missing)}")
            unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
            if unknown:
                raise BadInputError(f"{path}: unknown column(s): {', '.join(unknown)} "
                                    f"(known: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})")
            rows = []
            for line, row in enumerate(reader, start=2):
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
                if not row.get("case_number"):
                    raise BadInputError(f"{path}:{line}: case_number is empty")
                if row.get("status", "").lower() not in (CaseStatus.OPEN, CaseStatus.CLOSED):
                    raise BadInputError(f"{path}:{line}: status {row.get('status')!r} is not 'open' or 'closed'")
                rows.append(row)
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc.strerror}") from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: not a readable UTF-8 CSV file: {exc}") from exc
    return rows


def import_cases(db: Database, rows: list[dict[str, str]], now: datetime) -> tuple[int, int]:
    """Create or update the cases, all in one transaction; returns (created, updated)."""
    created = updated = 0
    with db.session() as session:
        for row in rows:
            case = case_by_number(session, row["case_number"])
            if case is None:
                case = Case(number=row["case_number"])
                created += 1
            else:
                updated += 1
            case.status = row["status"].lower()
            case.contact_email = row["contact_email"].lower() or None
            for column in OPTIONAL_COLUMNS:
                if column in row:
                    value = row[column] or None
                    setattr(case, column, value.lower() if value and column == "csm_email" else value)
            case.updated_at = now
            session.add(case)
    return created, updated
