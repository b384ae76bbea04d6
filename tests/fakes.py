"""In-memory stand-ins for unit tests of the use cases."""

from __future__ import annotations

import numpy as np

from facilitation.topics import Grouping, Topic


class KeywordGrouper:
    """Groups texts by the first listed topic whose first word they contain (deterministic, instant).

    A topic is given as "word other words": the first word matches and labels it, all are keywords.
    """

    def __init__(self, keywords: list[str]) -> None:
        self.keywords = keywords
        self.calls: list[tuple[int, int | None]] = []

    def group(self, texts: list[str], n_topics: int | None = None) -> Grouping:
        self.calls.append((len(texts), n_topics))
        keys = self.keywords[: n_topics or len(self.keywords)]

        def topic_of(text: str) -> int:
            return next((i for i, k in enumerate(keys) if k.split()[0] in text.lower()), len(keys) - 1)

        assignments = [topic_of(t) for t in texts]
        used = sorted(set(assignments))
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
            assignments, topics, np.arange(2 * len(texts), dtype=float).reshape(-1, 2), {"engine": "fake"}
        )
