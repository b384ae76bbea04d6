"""Themes: the upper level of a harvest, each a set of groups (sub-themes) that speak of one thing.

Groups are compared by the words their members wrote (TF-IDF over Snowball stems, stop words left
out): a theme joins groups whose vocabularies meet, by average-linkage agglomerative clustering on
cosine distances, into about three groups per theme. No sentence model is loaded: the groups
already carry the meaning, and a re-run reads no vectors. On the demo café's 12 groups, spaCy's
word vectors made no better themes than these words (measured: 4 themes either way, TF-IDF's
more coherent), in under 0,2 s. A theme's title is a phrase its members
wrote (titles.choose_titles over the union of its groups' texts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from facilitation.adapters.topics.titles import choose_titles, content_stems


def theme_count(n_groups: int) -> int:
    """About three groups per theme: 12 groups make 4 themes, 4 groups 2, 3 groups one."""
    return max(1, math.ceil(n_groups / 3))


def _vectors(documents: Sequence[str]) -> np.ndarray:
    """L2-normalised TF-IDF rows over stems; an all-zero row for a document with no content word."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not any(content_stems(d) for d in documents):
        return np.zeros((len(documents), 1))
    vectorizer = TfidfVectorizer(analyzer=content_stems, sublinear_tf=True)
    return vectorizer.fit_transform(documents).toarray()


def cluster(groups: Sequence[Sequence[str]]) -> list[int]:
    """A theme number for each group (given as its members' texts), themes numbered by first group."""
    if theme_count(len(groups)) == 1:
        return [0] * len(groups)
    from sklearn.cluster import AgglomerativeClustering

    vectors = _vectors([" ".join(texts) for texts in groups])
    if not vectors.any():
        return [0] * len(groups)
    labels = AgglomerativeClustering(
        n_clusters=theme_count(len(groups)), metric="cosine", linkage="average"
    ).fit_predict(vectors + 1e-9)  # an empty row has no cosine: a tiny constant keeps it defined
    order: dict[int, int] = {}
    return [order.setdefault(int(label), len(order)) for label in labels]


def nearest(groups: Sequence[Sequence[str]], themes: Sequence[Sequence[str]]) -> list[int | None]:
    """For each group, the theme (given as its members' texts) whose words are closest to its own;
    None when it shares no content word with any theme."""
    if not groups:
        return []
    vectors = _vectors([" ".join(texts) for texts in (*groups, *themes)])
    similarity = vectors[: len(groups)] @ vectors[len(groups) :].T
    return [int(row.argmax()) if len(row) and row.max() > 0 else None for row in similarity]


def titles(themes: Sequence[Sequence[str]]) -> list[str | None]:
    """A phrase residents wrote for each theme (given as its members' texts); None when none fits.

    It may be the title of one of its sub-themes: the theme's best phrase often is. Asked to differ
    from them, the demo café's themes got « Noir depuis l'été » and « Étages dans l'ascenseur »."""
    texts = [text for members in themes for text in members]
    if not texts:
        return [None] * len(themes)
    vectors = _vectors(texts)
    groups, start = [], 0
    for members in themes:
        indices = list(range(start, start + len(members)))
        start += len(members)
        centre = vectors[indices].mean(axis=0) if indices else None
        # choose_titles reads groups most central first.
        groups.append(sorted(indices, key=lambda i: -float(vectors[i] @ centre)) if indices else [])
    return choose_titles(texts, groups, vectors)
