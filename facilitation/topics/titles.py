"""Group titles a person would write: French noun phrases that residents actually wrote.

Candidates are NOUN ADJ and NOUN (ADJ) ADP (DET) NOUN (ADJ) spans tagged by fr_core_news_md
(« éclairage des escaliers », « local à vélos »), 2–6 words, taken from each group's most central
contributions. Each is scored by c-TF-IDF coverage of its words in the group × closeness of the
contributions that wrote it to the group's centre; titles are then handed out best-first so no two
groups share one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import strip_accents_unicode
from snowballstemmer import stemmer

from facilitation.topics.embeddings import load_spacy_french
from facilitation.topics.french import FRENCH_STOP_WORDS

MIN_WORDS, MAX_WORDS = 2, 6
# Tagging is the slow step: only a group's most central contributions are read for titles.
CONTRIBUTIONS_READ_PER_GROUP = 40
# Masked personal data ("[nom masqué]") must never become a title.
MASK_MARKER = "masqué"

_french_stemmer = stemmer("french")


@lru_cache(maxsize=100_000)
def word_stem(word: str) -> str:
    """Accent- and case-insensitive Snowball stem: « Déchets » and « dechet » share one."""
    return strip_accents_unicode(_french_stemmer.stemWord(word.lower()))


# Tagging is the slow part of titling: a running app keeps each text's phrases for its re-runs.
_PHRASES: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_PHRASES_KEPT = 50_000


def written_phrases(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """The noun phrases of each text, tagging only the texts not seen lately in this process."""
    missing = list(dict.fromkeys(t for t in texts if t not in _PHRASES))
    for text, doc in zip(missing, load_spacy_french().pipe(missing, batch_size=64), strict=True):
        _PHRASES[text] = tuple(noun_phrases(doc))
    found = []
    for text in texts:
        _PHRASES.move_to_end(text)
        found.append(_PHRASES[text])
    while len(_PHRASES) > _PHRASES_KEPT:
        _PHRASES.popitem(last=False)
    return found


def _is_modifier(token) -> bool:
    return token.pos_ == "ADJ" or (token.pos_ == "VERB" and "Part" in token.morph.get("VerbForm"))


def noun_phrases(doc) -> list[str]:
    """NOUN ADJ and NOUN (ADJ) ADP (DET) NOUN (ADJ) spans of a tagged doc, as written."""
    tokens, phrases = list(doc), []
    for start, token in enumerate(tokens):
        if token.pos_ != "NOUN":
            continue
        end = start + 1
        if end < len(tokens) and _is_modifier(tokens[end]):
            end += 1
            phrases.append(doc[start:end])
        if end < len(tokens) and tokens[end].pos_ == "ADP":
            end += 1
            if end < len(tokens) and tokens[end].pos_ == "DET":
                end += 1
            if end < len(tokens) and tokens[end].pos_ == "NOUN":
                end += 1
                if end < len(tokens) and _is_modifier(tokens[end]):
                    end += 1
                phrases.append(doc[start:end])
    return [span.text for span in phrases if MIN_WORDS <= len(span) <= MAX_WORDS and _readable(span)]


def _readable(span) -> bool:
    if MASK_MARKER in span.text.lower() or any(not (t.is_alpha or t.text.endswith("'")) for t in span):
        return False
    stems = [word_stem(t.text) for t in span if t.pos_ in ("NOUN", "ADJ", "VERB")]
    return len(stems) == len(set(stems))  # « déchets du déchet »: one word in two inflections


def content_stems(text: str) -> list[str]:
    """Stems of a text's content words (stop words left out)."""
    return [word_stem(w) for w in re.findall(r"\w+", text) if w.lower() not in FRENCH_STOP_WORDS]


def choose_titles(
    texts: Sequence[str], groups: Sequence[Sequence[int]], embeddings: np.ndarray
) -> list[str | None]:
    """One distinct noun-phrase title per group (None when a group offers none).

    `groups` lists each group's members, most central first.
    """
    read = [list(members[:CONTRIBUTIONS_READ_PER_GROUP]) for members in groups]
    tagged = [i for members in read for i in members]
    phrases = written_phrases([texts[i] for i in tagged])
    phrases_of = dict(zip(tagged, phrases, strict=True))
    stems_of = {i: set(content_stems(texts[i])) for i in tagged}
    # c-TF-IDF over stems (BERTopic's formula: tf in the group × log(1 + mean group size / frequency)).
    frequency = Counter(s for stems in stems_of.values() for s in stems)
    mean_size = len(stems_of) / max(1, len(read))
    candidates: list[tuple[float, str, int, str]] = []
    for group, members in enumerate(read):
        centre = embeddings[members].mean(axis=0)
        centre_norm = np.linalg.norm(centre) or 1.0
        writers: dict[str, list[int]] = {}
        for i in members:
            for phrase in dict.fromkeys(phrases_of[i]):
                writers.setdefault(phrase.lower(), []).append(i)
        for phrase, who in writers.items():
            stems = content_stems(phrase)
            if not stems:
                continue
            coverage = np.mean(
                [
                    sum(s in stems_of[i] for i in members)
                    / len(members)
                    * math.log(1 + mean_size / frequency[s])
                    for s in stems
                ]
            )
            vectors = embeddings[who]
            cosine = vectors @ centre / ((np.linalg.norm(vectors, axis=1) * centre_norm) + 1e-9)
            closeness = (1 + float(cosine.mean())) / 2
            candidates.append((-float(coverage) * closeness, phrase, group, strip_accents_unicode(phrase)))
    titles: list[str | None] = [None] * len(read)
    taken: set[str] = set()
    for _, phrase, group, key in sorted(candidates):
        if titles[group] is None and key not in taken:
            titles[group] = phrase[0].upper() + phrase[1:]
            taken.add(key)
    return titles
