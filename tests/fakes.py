"""In-memory stand-ins for unit tests of the use cases."""

from __future__ import annotations

import numpy as np

from facilitation.topics import Grouping, Topic


class KeywordGrouper:
    """Groups texts by the first listed topic whose first word they contain (deterministic, instant).

    A topic is given as "word other words": the first word matches and labels it, all are keywords.
    """

    def __init__(self, keywords: list[str], unsorted_word: str | None = None) -> None:
        self.keywords = keywords
        self.unsorted_word = unsorted_word  # texts with this word fit no group: « À classer »
        self.calls: list[tuple[int, int | None]] = []
        self.starts: list[list[int | None] | None] = []

    def group(
        self,
        texts: list[str],
        n_topics: int | None = None,
        *,
        cache=None,
        progress=None,
        start_from=None,
        leave_unsorted: bool = True,
    ) -> Grouping:
        self.calls.append((len(texts), n_topics))
        self.starts.append(None if start_from is None else list(start_from))
        keys = self.keywords[: n_topics or len(self.keywords)]

        def topic_of(text: str) -> int:
            if leave_unsorted and self.unsorted_word and self.unsorted_word in text.lower():
                return -1
            return next((i for i, k in enumerate(keys) if k.split()[0] in text.lower()), len(keys) - 1)

        assignments = [topic_of(t) for t in texts]
        used = sorted(set(assignments) - {-1})
        topics = [
            Topic(
                id=i,
                label=keys[i].split()[0].capitalize(),
                keywords=keys[i].split(),
                members=[j for j, a in enumerate(assignments) if a == i],
                representatives=[j for j, a in enumerate(assignments) if a == i][:5],
                cohesion=round(0.5 + i / 10, 3),
            )
            for i in used
        ]
        return Grouping(
            assignments,
            topics,
            np.arange(2 * len(texts), dtype=float).reshape(-1, 2),
            {"engine": "fake"},
            unsorted=[i for i, a in enumerate(assignments) if a == -1],
        )
