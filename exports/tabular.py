"""CSV and JSON exports of flat records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text cells that a spreadsheet would evaluate with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _french(value: object) -> object:
    # A French spreadsheet reads « 62,5 » as a number and « 62.5 » as text.
    return str(value).replace(".", ",") if isinstance(value, float) else value


def to_csv(
    records: Iterable[dict],
    columns: Sequence[str],
    *,
    delimiter: str = ",",
    excel: bool = False,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """CSV in UTF-8 (with a BOM when excel=True so Excel reads accents), formulas neutralised,
    decimal commas; the first row says `headers[column]` (the column's own name without one)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([(headers or {}).get(column, column) for column in columns])
    for record in records:
        writer.writerow([_french(neutralise_formula(record.get(key))) for key in columns])
    return ("\ufeff" if excel else "").encode() + buffer.getvalue().encode("utf-8")


def to_json(payload: object) -> bytes:
    """Indented UTF-8 JSON, accents kept as they are."""
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def to_xlsx(
    sheets: dict[str, tuple[Sequence[str], Iterable[dict]]], headers: Mapping[str, str] | None = None
) -> bytes:
    """An Excel workbook, one sheet per entry, first row `headers[column]` (else the column's name).
    Cells that look like formulas stay plain text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (columns, records) in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        titles = [(headers or {}).get(column, column) for column in columns]
        sheet.append(titles)
        for record in records:
            sheet.append([record.get(column) for column in columns])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_PREFIXES):
                    # Typed as a string, Excel shows "=1+1" instead of computing it; the text stays exact.
                    cell.data_type = "s"
        for index, column in enumerate(titles, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, len(column) + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
