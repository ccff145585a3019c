"""The compliance report as CSV: stable Norwegian ASCII column names, decimals with a dot, "ja"/"nei"."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection

from engine.reading.compliance import ComplianceRow

#: (column name in the CSV header, ComplianceRow field). The names are Norwegian, ASCII-only and stable.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("pakkeforlop", "pathway_key"),
    ("enhet", "unit"),
    ("indikator", "indicator_key"),
    ("indikator_navn", "label"),
    ("periode", "period"),
    ("teller", "numerator"),
    ("nevner", "denominator"),
    ("andel", "share"),
    ("maal_andel", "target"),
    ("pasientutsatt", "deferred"),
    ("forfalt", "overdue"),
    ("antall_forlop", "pathways"),
    ("prikket", "suppressed"),
    ("ubekreftet", "unconfirmed"),
)


def _cell(value: object) -> str:
    if value is None:
        return ""  # suppressed, no target, or all units together
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        return f"{value:.4f}"  # a decimal with a dot, 0–1, four decimals
    return str(value)


def to_csv(rows: Collection[ComplianceRow], *, delimiter: str = ",") -> str:
    """The rows as CSV text (header first, CRLF line ends as RFC 4180). Shares and targets are decimals 0–1 with
    a dot and four decimals; suppressed counts, a missing target and the unit of an all-units row are empty cells;
    booleans are "ja"/"nei". Pass `delimiter=";"` for spreadsheets set up for a decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(name for name, _ in CSV_COLUMNS)
    for row in rows:
        writer.writerow(_cell(getattr(row, field)) for _, field in CSV_COLUMNS)
    return out.getvalue()
