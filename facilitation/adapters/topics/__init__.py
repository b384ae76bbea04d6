"""Topic grouping behind a small interface: `TopicGrouper.group(texts, n_topics) -> Grouping`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from facilitation.adapters.topics.embeddings import Progress, VectorCache
from facilitation.adapters.topics.grouping import BertopicGrouper, Grouping, Topic, automatic_topic_count


class TopicGrouper(Protocol):
    """Groups texts into topics; the engine behind it can change without touching the pages.

    See `BertopicGrouper.group` for the keyword arguments.
    """

    def group(
        self,
        texts: list[str],
        n_topics: int | None = None,
        *,
        cache: VectorCache | None = None,
        progress: Progress | None = None,
        start_from: Sequence[int | None] | None = None,
        leave_unsorted: bool = True,
    ) -> Grouping: ...


def make_grouper(backend: str = "spacy", model_path: str = "") -> BertopicGrouper:
    """The grouper for the configured embedding backend (a French error when it cannot load)."""
    from facilitation.adapters.topics.embeddings import make_embedder

    return BertopicGrouper(make_embedder(backend, model_path))


__all__ = ["BertopicGrouper", "Grouping", "Topic", "TopicGrouper", "automatic_topic_count", "make_grouper"]
