"""Topic grouping with BERTopic, set up to work offline and on café-sized inputs.

BERTopic's default UMAP + HDBSCAN returns no topic at all on ~30 texts (everything is an outlier);
KMeans as BERTopic's clustering step always yields topics. Embeddings are computed by our own
offline embedder and handed to BERTopic, with language="french" so keywords keep their accents.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from facilitation.errors import InvalidInput
from facilitation.topics.embeddings import Embedder, SpacyLsaSentenceEmbedder
from facilitation.topics.french import KEYWORD_STOP_WORDS, TOKEN_PATTERN
from facilitation.topics.titles import choose_titles

MAX_AUTOMATIC_TOPICS = 15
REPRESENTATIVES = 5
WARD_MAX_TEXTS = 3_000  # Ward's distance matrix: ~70 MB at 3,000 texts, 3 GB at 20,000


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
    assignments: list[int]
    topics: list[Topic]
    coordinates: np.ndarray = field(repr=False)
    method: dict


def automatic_topic_count(n_texts: int) -> int:
    """k = √(n/2), between 2 and 15: a few topics for a small café, at most 15 for years of cafés."""
    return int(np.clip(round(math.sqrt(n_texts / 2)), 2, MAX_AUTOMATIC_TOPICS))


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
    """BERTopic with KMeans clustering over offline French embeddings; deterministic per seed."""

    def __init__(self, embedder: Embedder | None = None, seed: int = 0, ward_start: bool = True) -> None:
        self.embedder = embedder or SpacyLsaSentenceEmbedder(seed=seed)
        self.seed = seed
        self.ward_start = ward_start  # False: KMeans' own starts only, as before (kept for the bench)

    def group(self, texts: list[str], n_topics: int | None = None) -> Grouping:
        """Group texts into n_topics (automatic when None); every text gets a topic."""
        from bertopic import BERTopic
        from bertopic.dimensionality import BaseDimensionalityReduction
        from bertopic.vectorizers import ClassTfidfTransformer

        if len(texts) < 2:
            raise InvalidInput("Il faut au moins deux contributions pour former des groupes.")
        if any(not (t or "").strip() for t in texts):
            raise InvalidInput("Certaines contributions sont vides : retirez-les avant de grouper.")
        embeddings = self.embedder.embed(texts)
        distinct = len(np.unique(np.round(embeddings, 6), axis=0))
        wanted = n_topics or automatic_topic_count(len(texts))
        if wanted < 1:
            raise InvalidInput("Le nombre de groupes doit être au moins 1.")
        k = max(1, min(wanted, distinct))
        model = BERTopic(
            language="french",
            umap_model=BaseDimensionalityReduction(),
            hdbscan_model=_kmeans(embeddings, k, self.seed, self.ward_start),
            vectorizer_model=CountVectorizer(
                stop_words=KEYWORD_STOP_WORDS, token_pattern=TOKEN_PATTERN, ngram_range=(1, 2)
            ),
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            top_n_words=10,
            calculate_probabilities=False,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            assignments, _ = model.fit_transform(texts, embeddings=embeddings)
        assignments = [int(a) for a in assignments]
        analyse = model.vectorizer_model.build_analyzer()
        topic_ids = sorted(set(assignments))
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
                "clustering": "Ward puis KMeans"
                if self.ward_start and len(texts) <= WARD_MAX_TEXTS
                else "KMeans",
                "topics_requested": n_topics,
                "topics": len(topics),
                "seed": self.seed,
            },
        )


def _kmeans(embeddings: np.ndarray, k: int, seed: int, ward_start: bool):
    """KMeans started from Ward's hierarchical groups when the input is small enough.

    Ward is deterministic and moves little when one text is added; on SIB-200 (n = 300) it roughly
    halved the share of texts that change group and raised NMI (bench/topics_stability.py).
    Its memory grows with n², so large harvests keep KMeans' own k-means++ starts.
    """
    from sklearn.cluster import AgglomerativeClustering, KMeans

    if not ward_start or len(embeddings) > WARD_MAX_TEXTS or k < 2:
        return KMeans(n_clusters=k, random_state=seed, n_init=10)
    ward = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(embeddings)
    centres = np.vstack([embeddings[ward == group].mean(axis=0) for group in range(k)])
    return KMeans(n_clusters=k, init=centres, n_init=1, random_state=seed)


def _cohesion(embeddings: np.ndarray, members: list[int]) -> float:
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
    if len(embeddings) < 3:
        return np.zeros((len(embeddings), 2))
    return PCA(n_components=2, random_state=seed).fit_transform(embeddings)
