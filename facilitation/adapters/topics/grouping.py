"""Topic grouping with BERTopic, set up to work offline and on café-sized inputs.

BERTopic's default UMAP + HDBSCAN returns no topic at all on ~30 texts (everything is an outlier),
so the groups are computed here and handed to BERTopic, which names them (c-TF-IDF keywords):
- a fresh grouping cuts Ward's tree and refines it with KMeans; the number of groups, when not
  asked for, is the one with the best silhouette in a bounded range around √(n/2);
- a re-run starts KMeans from the previous version's groups, so that adding a few contributions
  moves the others only when they really fit elsewhere (bench/topics_stability.py);
- texts far from every group's centre are left « À classer » for the facilitator instead of
  diluting a group.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from facilitation.adapters.topics.embeddings import Embedder, Progress, SpacyLsaSentenceEmbedder, VectorCache
from facilitation.adapters.topics.french import KEYWORD_STOP_WORDS, TOKEN_PATTERN
from facilitation.adapters.topics.titles import choose_titles
from facilitation.domain.errors import InvalidInput
from facilitation.domain.wording import plural

# BERTopic and scikit-learn are imported inside the functions that group: importing this module
# (the harvest and the command line do) must not cost their seconds.
MAX_AUTOMATIC_TOPICS = 15
REPRESENTATIVES = 5
WARD_MAX_TEXTS = 3_000  # Ward's distance matrix: ~70 MB at 3,000 texts, 3 GB at 20,000
# « À classer »: a text whose closeness to the centre of its group's other members is under this
# share of the median closeness, at most this share of the texts, never below a group's second
# member, and only from 10 texts on. Calibrated on SIB-200 (n = 40, 120, 300) and the resident set,
# 3 samples each: it sets aside 9 % of the texts on average, 74 % of which a human put in another
# category than their group's majority, against 45 % of all texts (bench/topics_quality.py).
UNSORTED_FIT_RATIO = 0.4
MAX_UNSORTED_SHARE = 0.15
MIN_TEXTS_FOR_UNSORTED = 10


@dataclass(frozen=True)
class Topic:
    """One group of texts; members and representatives are indices into the input."""

    id: int
    label: str  # a noun phrase from the group's texts, or its keywords when it offers none
    keywords: list[str]
    members: list[int]
    representatives: list[int]
    cohesion: float | None = None  # mean cosine similarity of the members to the group's centre


@dataclass(frozen=True)
class Grouping:
    assignments: list[int]  # topic id per text, -1 for a text left « À classer »
    topics: list[Topic]
    coordinates: np.ndarray = field(repr=False)
    method: dict
    unsorted: list[int] = field(default_factory=list)  # indices of the texts that fit no group well


def automatic_topic_count(n_texts: int) -> int:
    """k = √(n/2), between 2 and 15: a few topics for a small café, at most 15 for years of cafés."""
    return int(np.clip(round(math.sqrt(n_texts / 2)), 2, MAX_AUTOMATIC_TOPICS))


def topic_count_range(n_texts: int) -> range:
    """The numbers of groups an automatic grouping may choose from: 0.6 to 1.5 × √(n/2), 2 to 15."""
    centre = automatic_topic_count(n_texts)
    low = max(2, round(0.6 * centre))
    high = min(MAX_AUTOMATIC_TOPICS, max(low, round(1.5 * centre)), max(2, n_texts - 1))
    return range(low, max(low, high) + 1)


def readable_label(keywords: list[str], size: int = 3) -> str:
    """'Ascenseur, panne, étages' from c-TF-IDF keywords, skipping words already said."""
    chosen: list[str] = []
    for keyword in keywords:
        if any(set(keyword.split()) & set(other.split()) for other in chosen):
            continue
        chosen.append(keyword)
        if len(chosen) == size:
            break
    label = ", ".join(chosen) or "Sans mot-clé"
    return label[0].upper() + label[1:]


class BertopicGrouper:
    """BERTopic naming groups computed over offline French embeddings; deterministic per seed."""

    def __init__(self, embedder: Embedder | None = None, seed: int = 0, ward_start: bool = True) -> None:
        self.embedder = embedder or SpacyLsaSentenceEmbedder(seed=seed)
        self.seed = seed
        self.ward_start = ward_start  # False: KMeans' own starts only, as before (kept for the bench)

    def group(
        self,
        texts: list[str],
        n_topics: int | None = None,
        *,
        cache: VectorCache | None = None,
        progress: Progress | None = None,
        start_from: Sequence[int | None] | None = None,
        leave_unsorted: bool = True,
    ) -> Grouping:
        """Group texts into n_topics (automatic when None).

        `start_from` gives, per text, the group it was in last time (None for a new text): the run
        then starts from those groups. With `leave_unsorted`, texts that fit no group well are put
        « À classer » instead of into a group.
        """
        from bertopic import BERTopic
        from bertopic.cluster import BaseCluster
        from bertopic.dimensionality import BaseDimensionalityReduction
        from bertopic.vectorizers import ClassTfidfTransformer
        from sklearn.feature_extraction.text import CountVectorizer

        if len(texts) < 2:
            raise InvalidInput("Il faut au moins deux contributions pour former des groupes.")
        if any(not (t or "").strip() for t in texts):
            raise InvalidInput("Certaines contributions sont vides : retirez-les avant de grouper.")
        if n_topics is not None and n_topics < 1:
            raise InvalidInput("Le nombre de groupes doit être au moins 1.")
        embeddings = self.embedder.embed(texts, cache, progress)
        labels, clustering = self._cluster(embeddings, n_topics, start_from)
        unsorted = _poorly_fitting(embeddings, labels) if leave_unsorted else []
        labels = labels.copy()
        labels[unsorted] = -1
        model = BERTopic(
            language="french",
            umap_model=BaseDimensionalityReduction(),
            hdbscan_model=BaseCluster(),
            vectorizer_model=CountVectorizer(
                stop_words=KEYWORD_STOP_WORDS, token_pattern=TOKEN_PATTERN, ngram_range=(1, 2)
            ),
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            top_n_words=10,
            calculate_probabilities=False,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            assignments, _ = model.fit_transform(texts, embeddings=embeddings, y=labels)
        assignments = [int(a) for a in assignments]
        analyse = model.vectorizer_model.build_analyzer()
        topic_ids = sorted({a for a in assignments if a >= 0})
        central = [
            _by_centrality(embeddings, [i for i, a in enumerate(assignments) if a == t]) for t in topic_ids
        ]
        titles = choose_titles(texts, central, embeddings)
        topics = []
        for topic_id, members, title in zip(topic_ids, central, titles, strict=True):
            members = sorted(members)
            # c-TF-IDF joins a topic's texts into one document, so some bigrams straddle two
            # contributions ("marche jardin"): keep only words and bigrams someone actually wrote.
            written = set().union(*(analyse(texts[i]) for i in members))
            keywords = [
                word for word, score in (model.get_topic(topic_id) or []) if score > 0 and word in written
            ]
            topics.append(
                Topic(
                    id=topic_id,
                    label=title or readable_label(keywords),
                    keywords=keywords,
                    members=members,
                    representatives=_by_centrality(embeddings, members)[:REPRESENTATIVES],
                    cohesion=_cohesion(embeddings, members),
                )
            )
        return Grouping(
            assignments=assignments,
            topics=topics,
            coordinates=_map_2d(embeddings, self.seed),
            method={
                "engine": "BERTopic",
                "embedding": self.embedder.name,
                "clustering": clustering,
                "topics_requested": n_topics,
                "topics": len(topics),
                "unsorted": len(unsorted),
                "seed": self.seed,
            },
            unsorted=sorted(int(i) for i in unsorted),
        )

    def _cluster(
        self, embeddings: np.ndarray, n_topics: int | None, start_from: Sequence[int | None] | None
    ) -> tuple[np.ndarray, str]:
        """A group index per text, and how it was found (said in the harvest's method)."""
        from sklearn.cluster import KMeans

        distinct = len(np.unique(np.round(embeddings, 6), axis=0))
        previous = _previous_centres(embeddings, start_from)
        if previous is not None and n_topics in (None, len(previous)) and len(previous) <= distinct:
            kmeans = KMeans(n_clusters=len(previous), init=previous, n_init=1, random_state=self.seed)
            return kmeans.fit_predict(embeddings), "KMeans repris de la version précédente"
        if not self.ward_start or len(embeddings) > WARD_MAX_TEXTS:
            k = max(1, min(n_topics or automatic_topic_count(len(embeddings)), distinct))
            # Beyond Ward's reach, three k-means++ starts: ten cost ~15 s more at 20,000 texts.
            starts = 3 if len(embeddings) > WARD_MAX_TEXTS else 10
            kmeans = KMeans(n_clusters=k, random_state=self.seed, n_init=starts)
            return kmeans.fit_predict(embeddings), "KMeans"
        tree = _ward_tree(embeddings)
        if n_topics is not None:
            return _ward_kmeans(embeddings, tree, min(n_topics, distinct), self.seed), "Ward puis KMeans"
        candidates = [k for k in topic_count_range(len(embeddings)) if k <= distinct] or [
            max(1, min(2, distinct))
        ]
        labels, chosen = _best_by_silhouette(embeddings, tree, candidates, self.seed)
        return labels, f"Ward puis KMeans, {plural(chosen, 'groupe')} (choix par silhouette)"


def _previous_centres(embeddings: np.ndarray, start_from: Sequence[int | None] | None) -> np.ndarray | None:
    """The centres of last version's groups in today's embedding space (None: start afresh)."""
    if start_from is None:
        return None
    groups = sorted({g for g in start_from if g is not None and g >= 0})  # -1: « À classer »
    if len(groups) < 2:
        return None
    where = np.array([groups.index(g) if g is not None and g >= 0 else -1 for g in start_from])
    return np.vstack([embeddings[where == i].mean(axis=0) for i in range(len(groups))])


def _ward_tree(embeddings: np.ndarray) -> np.ndarray:
    """Ward's hierarchy, built once and cut at every candidate number of groups."""
    from scipy.cluster.hierarchy import ward

    return ward(embeddings)


def _ward_kmeans(embeddings: np.ndarray, tree: np.ndarray, k: int, seed: int) -> np.ndarray:
    """KMeans started from Ward's k groups.

    Ward is deterministic and moves little when one text is added; on SIB-200 (n = 300) it roughly
    halved the share of texts that change group and raised NMI (bench/topics_stability.py).
    """
    from scipy.cluster.hierarchy import fcluster
    from sklearn.cluster import KMeans

    if k < 2:
        return np.zeros(len(embeddings), dtype=int)
    cut = fcluster(tree, t=k, criterion="maxclust") - 1
    groups = sorted(set(cut))
    centres = np.vstack([embeddings[cut == group].mean(axis=0) for group in groups])
    return KMeans(n_clusters=len(groups), init=centres, n_init=1, random_state=seed).fit_predict(embeddings)


def _best_by_silhouette(
    embeddings: np.ndarray, tree: np.ndarray, candidates: list[int], seed: int
) -> tuple[np.ndarray, int]:
    """KMeans for the candidate number of groups whose Ward cut has the best cosine silhouette
    (the smaller number on a tie). Cuts are scored, not refined: one KMeans in all."""
    from scipy.cluster.hierarchy import fcluster
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    vectors = normalize(embeddings)
    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    best: tuple[float, int] | None = None
    for k in candidates:
        cut = fcluster(tree, t=k, criterion="maxclust")
        found = len(set(cut))
        score = silhouette_score(distances, cut, metric="precomputed") if 2 <= found < len(cut) else -1.0
        if best is None or score > best[0] + 1e-9:
            best = (score, k)
    return _ward_kmeans(embeddings, tree, best[1], seed), best[1]


def _poorly_fitting(embeddings: np.ndarray, labels: np.ndarray) -> list[int]:
    """Texts much farther from their group's centre than is usual in this grouping."""
    from sklearn.preprocessing import normalize

    if len(labels) < MIN_TEXTS_FOR_UNSORTED:
        return []
    vectors = normalize(embeddings)
    fit = np.zeros(len(labels))
    for group in set(labels):
        members = labels == group
        # Closeness to the centre of the *other* members: in a small group, a text pulls the
        # centre towards itself and would otherwise look like it fits.
        others = vectors[members].sum(axis=0) - vectors[members]
        norms = np.linalg.norm(others, axis=1, keepdims=True)
        others = others / np.where(norms == 0, 1.0, norms)
        fit[members] = (vectors[members] * others).sum(axis=1)
    threshold = UNSORTED_FIT_RATIO * float(np.median(fit))
    room = Counter(labels.tolist())
    chosen = []
    for index in np.argsort(fit, kind="stable"):
        if fit[index] >= threshold or len(chosen) >= int(MAX_UNSORTED_SHARE * len(labels)):
            break
        if room[labels[index]] > 2:  # a group keeps at least two members
            room[labels[index]] -= 1
            chosen.append(int(index))
    return chosen


def _cohesion(embeddings: np.ndarray, members: list[int]) -> float:
    from sklearn.preprocessing import normalize

    vectors = normalize(embeddings[members])
    centre = vectors.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    return round(float((vectors @ centre).mean()), 3)


def _by_centrality(embeddings: np.ndarray, members: list[int]) -> list[int]:
    """Members from the closest to the group's centre to the farthest."""
    vectors = embeddings[members]
    centre = vectors.mean(axis=0)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(centre) or 1.0)
    similarity = vectors @ centre / np.where(norms == 0, 1.0, norms)
    order = np.argsort(-similarity, kind="stable")
    return [members[i] for i in order]


def _map_2d(embeddings: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    if len(embeddings) < 3:
        return np.zeros((len(embeddings), 2))
    return PCA(n_components=2, random_state=seed).fit_transform(embeddings)
