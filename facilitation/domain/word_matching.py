"""French word matching for the library search: accents, case and plurals do not matter.

« agees » finds « âgées », « ascenseurs » finds « ascenseur », « ECLAIRAGE » finds « éclairage ».
Words are lower-cased, stripped of accents, then reduced to their Snowball French stem, whose
plural mark is then dropped: Snowball keeps the « s » after a vowel (« velos », « velo »), so one
final « s » or « x » goes from stems of four letters or more (« vélos », « jeux »). SQLite indexes
these stems (FTS5); PostgreSQL computes the same with its `cafe_french` configuration (`unaccent`,
the same Snowball algorithm) and the same final cut (function `cafe_search_vector`, migration
0015); both use `highlight` to show which words matched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_stemmer = snowballstemmer.stemmer("french")
MAX_QUERY_WORDS = 8
# The longest French words have about 25 letters; stemming a pasted novel as one word took seconds.
MAX_WORD_CHARS = 40
MAX_QUERY_CHARS = 200


def plain(word: str) -> str:
    """Lower case without accents or ligatures: « Vénissieux » and « VENISSIEUX » compare equal."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_plural(stem: str) -> str:
    """A Snowball stem without its plural mark: « velos » → « velo », « jeux » → « jeu ».

    Its PostgreSQL twin is the expression '^(.{3,})[sx]$' of migration 0015: keep them equal."""
    return stem[:-1] if len(stem) >= 4 and stem[-1] in "sx" else stem


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The comparable form of one word: lower case, no accent, French stem, no plural mark."""
    return fold_plural(_stemmer.stemWord(plain(word)))


def search_terms(text: str | None) -> str:
    """What the index stores for a text: its words' stems, space-separated."""
    return " ".join(stem(word) for word in _WORD.findall(text or ""))


def query_terms(query: str) -> list[str]:
    """The distinct stems of a query's words (two letters or more), in order, at most eight."""
    terms: list[str] = []
    for word in _WORD.findall(query or ""):
        term = stem(word)
        if len(word) >= 2 and term not in terms:
            terms.append(term)
    return terms[:MAX_QUERY_WORDS]


def query_problem(query: str) -> str | None:
    """Why a query cannot be searched (in French), or None: too long, a word too long, too many words.

    Checked before any word is stemmed, so that a huge query costs nothing."""
    if len(query) > MAX_QUERY_CHARS:
        return f"Recherche trop longue : {MAX_QUERY_CHARS} caractères au plus ({len(query)} tapés)."
    words = [word for word in _WORD.findall(query) if len(word) >= 2]
    too_long = next((word for word in words if len(word) > MAX_WORD_CHARS), None)
    if too_long is not None:
        shown = f"{too_long[:20]}…"
        return f"Le mot « {shown} » est trop long pour être cherché ({MAX_WORD_CHARS} lettres au plus)."
    if len(words) > MAX_QUERY_WORDS:
        return f"Huit mots au plus par recherche ({len(words)} tapés) : gardez les plus parlants."
    return None


def highlight(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """The text cut into pieces, each marked True when it is a word matching one of the terms."""
    wanted = set(terms)
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _WORD.finditer(text):
        if stem(match.group()) in wanted:
            if match.start() > position:
                pieces.append((text[position : match.start()], False))
            pieces.append((match.group(), True))
            position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
