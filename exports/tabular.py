"""CSV and JSON exports of flat records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text cells that a spreadsheet would evaluate with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(
    records: Iterable[dict], columns: Sequence[str], *, delimiter: str = ",", excel: bool = False
) -> bytes:
    """CSV in UTF-8 (with a BOM when excel=True so Excel reads accents), formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), delimiter=delimiter)
    writer.writeheader()
    for record in records:
        writer.writerow({key: neutralise_formula(record.get(key)) for key in columns})
    return ("\ufeff" if excel else "").encode() + buffer.getvalue().encode("utf-8")


def to_json(payload: object) -> bytes:
    """Indented UTF-8 JSON, accents kept as they are."""
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8")
