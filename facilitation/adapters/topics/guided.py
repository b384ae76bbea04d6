"""Guided grouping: map texts onto topics named in advance, and say which texts fit none."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facilitation.adapters.topics.embeddings import Embedder, SpacyLsaSentenceEmbedder, VectorCache
from facilitation.domain.errors import InvalidInput
from facilitation.domain.model import Theme

# Words that describe each Atelier theme, so that a text can be matched to it by meaning.
THEME_DESCRIPTIONS: dict[Theme, str] = {
    Theme.AMENAGEMENT_DURABLE: "aménagement espaces verts jardin arbres pelouse parc végétaliser "
    "parking stationnement vélo bus trottoir piste cyclable mobilité travaux rénovation bâtiment",
    Theme.VIEILLISSEMENT: "personnes âgées handicap fauteuil roulant accessibilité ascenseur panne "
    "rampe isolement seule précarité aide médecin déambulateur",
    Theme.MIEUX_VIVRE: "voisins voisinage convivialité fête repas salle commune entraide bruit "
    "propreté déchets encombrants poubelles sécurité éclairage hall tranquillité",
    Theme.ENERGIE: "chauffage énergie électricité facture charges isolation radiateurs froid eau "
    "chaude chaudière économies solaire consommation",
    Theme.NUMERIQUE: "internet numérique ordinateur smartphone téléphone application en ligne "
    "démarches wifi fibre site tablette",
}
# Below this cosine similarity to every named topic, a text is said to fit none (calibrated on the
# labelled resident set, see bench/README.md).
DEFAULT_MIN_SIMILARITY = 0.10


@dataclass(frozen=True)
class GuidedResult:
    assignments: list[int | None]  # index into the targets, None when the text fits none
    similarities: np.ndarray


def atelier_targets() -> list[tuple[str, str]]:
    """The Atelier's themes as (label, description) targets."""
    return [(theme.value, description) for theme, description in THEME_DESCRIPTIONS.items()]


def guided_grouping(
    texts: list[str],
    targets: list[tuple[str, str]],
    *,
    embedder: Embedder | None = None,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    cache: VectorCache | None = None,
) -> GuidedResult:
    """Assign each text to the most similar target (label + description), or to none."""
    if not targets:
        raise InvalidInput("Nommez au moins un thème pour le regroupement guidé.")
    if not texts:
        raise InvalidInput("Aucune contribution à répartir.")
    embedder = embedder or SpacyLsaSentenceEmbedder()
    target_texts = [f"{label}. {label}. {description}".strip() for label, description in targets]
    # One corpus, so that both blocks (IDF, LSA) are fitted on the texts and the targets alike.
    vectors = embedder.embed(texts + target_texts, cache)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    similarities = vectors[: len(texts)] @ vectors[len(texts) :].T
    best = similarities.argmax(axis=1)
    assignments = [int(b) if similarities[i, b] >= min_similarity else None for i, b in enumerate(best)]
    return GuidedResult(assignments=assignments, similarities=similarities)
