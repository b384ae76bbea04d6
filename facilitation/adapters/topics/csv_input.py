"""Grouping any CSV of texts: reading it strictly, repeated texts as one (exports.grouped_table writes
every row back)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from facilitation.adapters.topics import Grouping, TopicGrouper
from facilitation.adapters.topics.embeddings import Progress
from facilitation.domain.errors import InvalidInput


@dataclass(frozen=True)
class TextTable:
    columns: list[str]
    rows: list[dict[str, str]]
    delimiter: str


def read_text_table(data: bytes, text_column: str) -> TextTable:
    """Parse a UTF-8 CSV (',' or ';', quoted multi-line cells); refuse what cannot be grouped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"Le fichier n'est pas en UTF-8 (octet invalide en position {exc.start}) : "
            "réenregistrez-le en « CSV UTF-8 »."
        ) from None
    if not text.strip():
        raise InvalidInput("Le fichier est vide.")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = list(reader.fieldnames or [])
    if text_column not in columns:
        raise InvalidInput(f"Colonne « {text_column} » absente. Colonnes du fichier : {', '.join(columns)}.")
    try:
        rows = list(reader)
    except csv.Error as exc:
        line = reader.line_num + 1  # the record being read when the error struck
        if "field larger than field limit" in str(exc):
            raise InvalidInput(
                f"Ligne {line} : une cellule dépasse {csv.field_size_limit():,} caractères.".replace(
                    ",", "\u202f"
                )
            ) from None
        raise InvalidInput(f"CSV mal formé vers la ligne {line} : vérifiez les guillemets.") from None
    overfull = [i for i, row in enumerate(rows, start=2) if None in row]
    if overfull:
        raise InvalidInput(
            f"Plus de cellules que de colonnes d'en-tête aux lignes {_lines(overfull)} : "
            "vérifiez le séparateur et les guillemets."
        )
    if not rows:
        raise InvalidInput("Le fichier n'a pas de ligne de données sous l'en-tête.")
    empty = [i for i, row in enumerate(rows, start=2) if not (row.get(text_column) or "").strip()]
    if empty:
        raise InvalidInput(f"Texte vide aux lignes {_lines(empty)} : complétez-les ou retirez-les.")
    return TextTable(columns, rows, delimiter)


def _lines(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + ("…" if len(numbers) > 10 else "")


@dataclass(frozen=True)
class TableGrouping:
    """Each row's topic, repeated texts grouped as one (« Non » written 40 times is one answer)."""

    grouping: Grouping  # over the distinct texts
    row_topics: list[int]  # the topic of each input row, in order


UNSORTED_LABEL = "À classer"


def group_rows(
    table: TextTable,
    text_column: str,
    grouper: TopicGrouper,
    n_topics: int | None,
    progress: Progress | None = None,
) -> TableGrouping:
    """Group the distinct texts (spacing and case aside), then give every row its text's topic.

    Rows whose text fits no group well get topic -1, « À classer ».
    """
    distinct: dict[str, int] = {}
    texts: list[str] = []
    for row in table.rows:
        key = " ".join(row[text_column].split()).casefold()
        if key not in distinct:
            distinct[key] = len(texts)
            texts.append(row[text_column])
    grouping = grouper.group(texts, min(n_topics, len(texts)) if n_topics else None, progress=progress)
    row_topics = [
        grouping.assignments[distinct[" ".join(row[text_column].split()).casefold()]] for row in table.rows
    ]
    return TableGrouping(grouping, row_topics)
