"""The compliance report as a table for people, shared by the Excel CSV and the .xlsx export: bokmål headers,
pathway and indicator names beside their keys, shares and targets in percent, suppressed counts as text."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from engine.reading.compliance import SUPPRESS_BELOW, ComplianceRow

#: What a suppressed count says, by the reason for it (engine.reading.compliance, "Complementary suppression").
SUPPRESSED_TEXT = {"primary": f"skjult (<{SUPPRESS_BELOW})", "complementary": "skjult (komplementær)"}


@dataclass(frozen=True)
class Column:
    header: str
    #: "text", "count" (a whole number) or "percent" (a share 0–1, shown as a percentage)
    kind: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("Forløp (nøkkel)", "text", 14), Column("Forløp", "text", 40), Column("Enhet", "text", 18),
    Column("Forløpstid (nøkkel)", "text", 26), Column("Forløpstid", "text", 44), Column("Periode", "text", 10),
    Column("Teller", "count", 9), Column("Nevner", "count", 9), Column("Andel", "percent", 10),
    Column("Mål", "percent", 8), Column("Pasientutsatt", "count", 13), Column("Forfalt", "count", 9),
    Column("Antall forløp", "count", 13), Column("Skjult", "text", 22), Column("Ikke bekreftet", "text", 14),
)

Cell = str | int | float | None


def export_rows(rows: Collection[ComplianceRow], pathway_names: Mapping[str, str]) -> list[list[Cell]]:
    """One list of cells per row, in COLUMNS order: numbers as numbers (percent columns as shares 0–1), the
    counts of a suppressed row as the text saying why, an all-units row's unit as "Alle enheter"."""
    return [_cells(row, pathway_names) for row in rows]


def _cells(row: ComplianceRow, names: Mapping[str, str]) -> list[Cell]:
    hidden = SUPPRESSED_TEXT.get(row.suppression or "primary") if row.suppressed else None
    counts = [row.numerator, row.denominator, row.share]
    return [row.pathway_key, names.get(row.pathway_key, row.pathway_key), row.unit or "Alle enheter",
            row.indicator_key, row.label, row.period,
            *[hidden if row.suppressed else value for value in counts], row.target,
            *[hidden if row.suppressed else value for value in (row.deferred, row.overdue, row.pathways)],
            hidden or "nei", "ja" if row.unconfirmed else "nei"]
