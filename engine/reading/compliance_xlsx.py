"""The compliance report as an Excel workbook (.xlsx, with openpyxl): the rows of `compliance_export`, a bold
header row frozen above the figures, column widths, percent number formats, suppressed counts as text."""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engine.reading.compliance import ComplianceRow
from engine.reading.compliance_export import COLUMNS, export_rows

NUMBER_FORMATS = {"percent": "0.0%", "count": "0"}


def to_xlsx(rows: Collection[ComplianceRow], pathway_names: Mapping[str, str], *, title: str) -> bytes:
    """The workbook's bytes: one sheet named `title` (at most 31 characters, Excel's limit)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cells in export_rows(rows, pathway_names):
        sheet.append(cells)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, int | float):
                    cell.number_format = NUMBER_FORMATS[column.kind]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
