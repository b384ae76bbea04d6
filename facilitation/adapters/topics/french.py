"""French vocabulary for keywords: spaCy's stop list, reviewed for what residents talk about."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path


def _spacy_stop_words() -> frozenset[str]:
    """spaCy's French stop list, read from its module file alone.

    `import spacy.lang.fr.stop_words` first runs the package `spacy.lang.fr`, whose tokenizer
    exceptions take ~3 s to build; the list itself is one plain `STOP_WORDS = set(...)` file.
    """
    spec = importlib.util.find_spec("spacy")  # a top-level find_spec does not import spaCy
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spaCy is not installed: its French stop list is needed (scripts/setup.sh).")
    path = Path(spec.submodule_search_locations[0], "lang", "fr", "stop_words.py")
    module_spec = importlib.util.spec_from_file_location("_spacy_french_stop_words", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


def strip_accents(text: str) -> str:
    """« Déchets » → « Dechets »: scikit-learn's `strip_accents_unicode`, without importing it."""
    try:
        text.encode("ASCII", errors="strict")
        return text
    except UnicodeEncodeError:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


STOP_WORDS = _spacy_stop_words()

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


def _tokens(words: frozenset[str], *, unaccented: bool) -> list[str]:
    """Stop words split the way the vectorisers split text ("dix-neuf" → "dix", "neuf")."""
    found = set()
    for word in words:
        text = strip_accents(word.lower()) if unaccented else word.lower()
        found.update(re.findall(TOKEN_PATTERN, text))
    return sorted(found)


# What scikit-learn vectorisers need: the list tokenised like the texts (else it warns and misses).
KEYWORD_STOP_WORDS: list[str] = _tokens(FRENCH_STOP_WORDS, unaccented=False)
UNACCENTED_STOP_WORDS: list[str] = _tokens(FRENCH_STOP_WORDS, unaccented=True)
