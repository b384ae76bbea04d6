"""French vocabulary for keywords: spaCy's stop list, reviewed for what residents talk about."""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import strip_accents_unicode
from spacy.lang.fr.stop_words import STOP_WORDS

# In spaCy's list, but they carry meaning in housing contributions ("personnes âgées", "seule chez
# moi", "jouer dehors", "salle ouverte").
_MEANINGFUL = {
    "personne",
    "gens",
    "seul",
    "seule",
    "seuls",
    "seules",
    "ouvert",
    "ouverte",
    "ouverts",
    "proche",
    "dehors",
    "bas",
    "nouveau",
    "retour",
    "longtemps",
}
# Spoken filler that says nothing about a topic.
_FILLER = {
    "faut",
    "faudrait",
    "trop",
    "faire",
    "mettre",
    "avoir",
    "être",
    "chose",
    "choses",
    "idée",
    "idées",
    "bien",
    "vraiment",
    "oui",
    "non",
    "veut",
    "voudrais",
    "aimerait",
    "aimerais",
    "pouvoir",
    "beaucoup",
    "ya",
    "quelqu",
    "aujourd",
    "hui",
    "peut",
    "fois",
    "cas",
    "sais",
}

FRENCH_STOP_WORDS: frozenset[str] = frozenset((set(STOP_WORDS) - _MEANINGFUL) | _FILLER)
# Words of at least two letters (apostrophes split "l'ascenseur" into "l" and "ascenseur").
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+\b"


def _tokens(words: frozenset[str], *, strip_accents: bool) -> list[str]:
    """Stop words split the way the vectorisers split text ("dix-neuf" → "dix", "neuf")."""
    found = set()
    for word in words:
        text = strip_accents_unicode(word.lower()) if strip_accents else word.lower()
        found.update(re.findall(TOKEN_PATTERN, text))
    return sorted(found)


# What scikit-learn vectorisers need: the list tokenised like the texts (else it warns and misses).
KEYWORD_STOP_WORDS: list[str] = _tokens(FRENCH_STOP_WORDS, strip_accents=False)
UNACCENTED_STOP_WORDS: list[str] = _tokens(FRENCH_STOP_WORDS, strip_accents=True)
