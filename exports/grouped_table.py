"""A grouped CSV written back: every input row with its group, and the list of groups."""

from __future__ import annotations

from collections import Counter

from exports.tabular import to_csv
from facilitation.adapters.topics.csv_input import UNSORTED_LABEL, TableGrouping, TextTable


def write_rows(table: TextTable, grouped: TableGrouping, *, excel: bool = False) -> bytes:
    """The input rows with topic_id and topic_label added, formulas neutralised like every export."""
    labels = {t.id: t.label for t in grouped.grouping.topics} | {-1: UNSORTED_LABEL}
    records = [
        row | {"topic_id": topic_id, "topic_label": labels[topic_id]}
        for row, topic_id in zip(table.rows, grouped.row_topics, strict=True)
    ]
    return to_csv(
        records, [*table.columns, "topic_id", "topic_label"], delimiter=table.delimiter, excel=excel
    )


def write_topics(table: TextTable, grouped: TableGrouping, *, excel: bool = False) -> bytes:
    """One row per topic: id, label, keywords, and how many input rows it holds."""
    sizes = Counter(grouped.row_topics)
    records = [
        {"topic_id": t.id, "topic_label": t.label, "keywords": ", ".join(t.keywords), "size": sizes[t.id]}
        for t in grouped.grouping.topics
    ]
    if sizes[-1]:
        records.append({"topic_id": -1, "topic_label": UNSORTED_LABEL, "keywords": "", "size": sizes[-1]})
    return to_csv(
        records, ["topic_id", "topic_label", "keywords", "size"], delimiter=table.delimiter, excel=excel
    )
