"""The compliance report as CSV: for machines stable Norwegian ASCII column names, decimals with a dot,
"ja"/"nei" (`to_csv`); for Norwegian Excel a BOM, semicolons and percent with a decimal comma (`to_excel_csv`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from operator import attrgetter

from engine.reading.collector import cycle_collection_paused
from engine.reading.compliance import ComplianceRow
from engine.reading.compliance_export import COLUMNS, export_rows

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


def csv_cell(value: object) -> str:
    """One CSV cell as the exports write it: empty for no value, "ja"/"nei", a decimal with a dot and four
    decimals, dates YYYY-MM-DD."""
    if value is None:
        return ""  # suppressed, no target, or all units together
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        return f"{value:.4f}"  # a decimal with a dot, 0–1, four decimals
    return str(value)


@cycle_collection_paused()
def to_csv(rows: Collection[ComplianceRow], *, delimiter: str = ",") -> str:
    """The rows as CSV text (header first, CRLF line ends as RFC 4180). Shares and targets are decimals 0–1 with
    a dot and four decimals; suppressed counts, a missing target and the unit of an all-units row are empty cells;
    booleans are "ja"/"nei". Pass `delimiter=";"` for spreadsheets set up for a decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(name for name, _ in CSV_COLUMNS)
    # csv_cell's rules by column (the csv module writes None empty and whole numbers as they are), not cell by
    # cell: the every-unit report has 280,000 cells.
    for row in rows:
        cells = list(_PLAIN_VALUES(row))
        for i in _PLAIN_DECIMALS:
            cells[i] = "" if cells[i] is None else f"{cells[i]:.4f}"
        for i in _PLAIN_FLAGS:
            cells[i] = "ja" if cells[i] else "nei"
        writer.writerow(cells)
    return out.getvalue()


_PLAIN_VALUES = attrgetter(*(field for _, field in CSV_COLUMNS))
_PLAIN_DECIMALS = tuple(i for i, (_, field) in enumerate(CSV_COLUMNS) if field in ("share", "target"))
_PLAIN_FLAGS = tuple(i for i, (_, field) in enumerate(CSV_COLUMNS) if field in ("suppressed", "unconfirmed"))


def _percent(value: object) -> object:
    if isinstance(value, float):
        return f"{value * 100:.1f}".replace(".", ",")  # percent with a decimal comma: "62,5"
    return value  # None (no target: an empty cell) or the text of a suppressed share


@cycle_collection_paused()
def to_excel_csv(rows: Collection[ComplianceRow], pathway_names: Mapping[str, str]) -> str:
    """The rows for a spreadsheet set up for Norway (Excel with a Norwegian locale): a UTF-8 byte order mark so
    "Sør" opens right, semicolons, bokmål headers, names beside keys, shares in percent with a decimal comma and
    suppressed counts as text. For people; machines read `to_csv`, whose columns stay as they are."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(f"{c.header} (%)" if c.kind == "percent" else c.header for c in COLUMNS)
    percent = tuple(i for i, column in enumerate(COLUMNS) if column.kind == "percent")
    for cells in export_rows(rows, pathway_names):
        for i in percent:
            cells[i] = _percent(cells[i])
        writer.writerow(cells)
    return out.getvalue()
