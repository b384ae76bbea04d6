"""Group titles a person would write: French noun phrases that residents actually wrote.

Candidates are NOUN ADJ and NOUN (ADJ) ADP (DET) NOUN (ADJ) spans tagged by fr_core_news_md
(« éclairage des escaliers », « local à vélos »), 2–6 words, taken from each group's most central
contributions. Each is scored by c-TF-IDF coverage of its words in the group × closeness of the
contributions that wrote it to the group's centre; titles are then handed out best-first so no two
groups share one. A phrase written with and without accents is one candidate, and every word of a
title takes the accented form a member of the group wrote (« Tri des déchets », never « Tri des
dechets » when someone wrote « déchets »). A group that offers no such phrase is titled by the
opening words of its most central contribution (« Imposer les riches »), never a keyword triple.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from snowballstemmer import stemmer

from facilitation.adapters.topics.embeddings import load_spacy_french
from facilitation.adapters.topics.french import FRENCH_STOP_WORDS, strip_accents

MIN_WORDS, MAX_WORDS = 2, 6
# Tagging is the slow step: only a group's most central contributions are read for titles.
CONTRIBUTIONS_READ_PER_GROUP = 40
# Masked personal data ("[nom masqué]") must never become a title.
MASK_MARKER = "masqué"

_french_stemmer = stemmer("french")


@lru_cache(maxsize=100_000)
def word_stem(word: str) -> str:
    """Accent- and case-insensitive Snowball stem: « Déchets » and « dechet » share one."""
    return strip_accents(_french_stemmer.stemWord(word.lower()))


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


def accented_as_written(title: str, texts: Sequence[str]) -> str:
    """The title with each word in the accented form the texts wrote most, when they wrote one."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for word in re.findall(r"\w+", text.lower()):
            plain = strip_accents(word)
            # Function words keep their own spelling: « la » is not « là », nor « des » « dès »; nor
            # does a noun become a past participle: « porte » is not « porté », « cause » not « causé ».
            participle = re.sub(r"é(e?s?)$", r"e\1", word) == plain
            if plain != word and not participle and not {word, plain} & FRENCH_STOP_WORDS:
                forms.setdefault(plain, Counter())[word] += 1

    def restore(match: re.Match) -> str:
        word = match.group()
        found = forms.get(strip_accents(word.lower()))
        if not found:
            return word
        best = found.most_common(1)[0][0]
        return best[0].upper() + best[1:] if word[0].isupper() else best

    return re.sub(r"\w+", restore, title)


# A fallback title: the opening words of a contribution, at most this many.
OPENING_WORDS = 6


def opening_phrase(text: str) -> str | None:
    """The first clause of a text from its first content word, at most six words, without the
    function words at its ends (« Il faut imposer les riches, et… » → « Imposer les riches »)."""
    if MASK_MARKER in text.lower():
        return None
    clause = re.split(r"[.,;:!?()\[\]«»\"…\n]", text.strip(), maxsplit=1)[0]
    words = clause.split()
    while words and words[0].lower().strip("'’") in FRENCH_STOP_WORDS | {"l", "d", "qu", "j", "c", "n", "s"}:
        words.pop(0)
    words = words[:OPENING_WORDS]
    seen: set[str] = set()
    for end, word in enumerate(words):  # « Déchets du déchet partout »: cut before the repeat
        stems = set(content_stems(word))
        if stems & seen:
            words = words[:end]
            break
        seen |= stems
    while words and words[-1].lower() in FRENCH_STOP_WORDS:
        words.pop()
    if len(words) < MIN_WORDS and not (words and len(words[0]) > 3):
        return None
    phrase = " ".join(words)
    return phrase[0].upper() + phrase[1:] if phrase else None


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
        # One candidate per phrase, accents and case aside: « tri des dechets » and « Tri des déchets »
        # count together.
        writers: dict[str, list[int]] = {}
        written_as: dict[str, str] = {}
        for i in members:
            for phrase in dict.fromkeys(phrases_of[i]):
                key = strip_accents(phrase.lower())
                writers.setdefault(key, []).append(i)
                written_as.setdefault(key, phrase.lower())
        for key, who in writers.items():
            phrase = written_as[key]
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
            candidates.append((-float(coverage) * closeness, phrase, group, strip_accents(phrase)))
    titles: list[str | None] = [None] * len(read)
    taken: set[str] = set()
    for _, phrase, group, key in sorted(candidates):
        if titles[group] is None and key not in taken:
            titles[group] = accented_as_written(
                phrase[0].upper() + phrase[1:], [texts[i] for i in groups[group]]
            )
            taken.add(key)
    for group, members in enumerate(groups):
        if titles[group] is not None:
            continue
        for i in members:  # most central first
            opening = opening_phrase(texts[i])
            key = opening and strip_accents(opening.lower())
            if opening and key not in taken:
                titles[group] = accented_as_written(opening, [texts[j] for j in members])
                taken.add(key)
                break
    return titles
