"""Grouping any CSV of texts: reading it strictly, and writing rows and topics back."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from facilitation.errors import InvalidInput
from facilitation.topics import Grouping, TopicGrouper


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
    seen: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows, start=2):
        seen[" ".join(row[text_column].split()).casefold()].append(i)
    duplicates = [lines for lines in seen.values() if len(lines) > 1]
    if duplicates:
        shown = "; ".join(_lines(lines) for lines in duplicates[:5])
        raise InvalidInput(
            f"Textes en double (lignes {shown}) : un texte répété pèserait deux fois. Retirez les doublons."
        )
    return TextTable(columns, rows, delimiter)


def _lines(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + ("…" if len(numbers) > 10 else "")


def group_table(table: TextTable, text_column: str, grouper: TopicGrouper, n_topics: int | None) -> Grouping:
    return grouper.group([row[text_column] for row in table.rows], n_topics)


def write_rows(table: TextTable, grouping: Grouping) -> bytes:
    """The input rows with topic_id and topic_label added."""
    labels = {t.id: t.label for t in grouping.topics}
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer, fieldnames=[*table.columns, "topic_id", "topic_label"], delimiter=table.delimiter
    )
    writer.writeheader()
    for row, topic_id in zip(table.rows, grouping.assignments, strict=True):
        writer.writerow(row | {"topic_id": topic_id, "topic_label": labels[topic_id]})
    return buffer.getvalue().encode("utf-8")


def write_topics(table: TextTable, grouping: Grouping) -> bytes:
    """One row per topic: id, label, keywords, size."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=table.delimiter)
    writer.writerow(["topic_id", "topic_label", "keywords", "size"])
    for topic in grouping.topics:
        writer.writerow([topic.id, topic.label, ", ".join(topic.keywords), len(topic.members)])
    return buffer.getvalue().encode("utf-8")
