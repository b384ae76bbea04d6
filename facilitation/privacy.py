"""Personal data inside contributions, masked before any document or export leaves the app.

The stored original is never changed: the organiser still reads it in the app. What is masked is
said in MASKED_SUMMARY (shown to residents and in the PDF method note).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import phonenumbers

MASKED_SUMMARY = (
    "les adresses e-mail (y compris écrites « nom (at) exemple.fr »), les numéros de téléphone "
    "français et étrangers, les adresses postales (« 12 rue des Lilas 69003 ») et numéros de rue "
    "(« 12bis »), les numéros de logement, de porte, de bâtiment, d'escalier et de boîte aux lettres, "
    "et les noms signalés par l'organisateur ou par un capitaine puis confirmés par l'organisateur, "
    "ainsi que chacun de leurs mots (quelle que soit l'écriture : accents, majuscules, trait d'union)"
)

_AT = r"(?:\s*@\s*|\s*[(\[]\s*(?:at|arobase)\s*[)\]]\s*|\s+arobase\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[]\s*(?:dot|point)\s*[)\]]\s*|\s+point\s+)"
EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
# phonenumbers finds numbers in every usual layout; it skips slashes (06/12/34/56/78).
SLASHED_PHONE = re.compile(r"(?<!\d)0[1-9](?:/\d{2}){4}(?!\d)")
_STREET_WORDS = (
    r"rue|avenue|av|boulevard|bd|bld|allée|allee|impasse|place|chemin|route|quai|cours|square|"
    r"passage|montée|montee|résidence|residence|cité|cite|lotissement|hameau|voie|sentier|parvis"
)
# "12 rue des Lilas", "3 bis, avenue Jean Jaurès 69003": the number, the way, its name, the postcode.
STREET_ADDRESS = re.compile(
    rf"(?<![\w/])\d{{1,4}}(?:\s?(?:bis|ter|quater)\b)?,?\s+(?i:{_STREET_WORDS})\.?\s+"
    r"[^\n,.;:!?()\d]{1,40}?(?=\s+\d{5}\b|\s*[\n,.;:!?()]|\s*$)(?:\s+\d{5}\b)?",
)
STREET_NUMBER = re.compile(r"(?<![\w/])\d{1,4}\s?(?i:bis|ter|quater)\b")
# "appartement 12", "appt 4b", "porte B3", "logt 15", "Bâtiment c", "escalier 2", "bal 7": the word
# in any case, then a number or a single letter. "a" and "y" alone are words ("la porte a été…").
DWELLING = re.compile(
    r"\b((?i:appartement|appart|appt|apt|porte|logement|logt|lgt|log|bâtiment|batiment|bâtim|bât|bat|"
    r"entrée|escalier|esc|boîte aux lettres|boite aux lettres|bal))(?:\.\s*|\s+|(?=\d))"
    r"(?:(?i:n\s*°|no\.?|numéro|num\.?)\s*)?"
    r"([A-Za-z]?\d+[A-Za-z]?|(?![ay]\b)[A-Za-z])(?![\w'’])"
)

EMAIL_MASK, PHONE_MASK, NAME_MASK = "[courriel masqué]", "[téléphone masqué]", "[nom masqué]"
ADDRESS_MASK, NUMBER_MASK = "[adresse masquée]", "[n° masqué]"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_]+")


def mask_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data replaced by plain labels; everything else left as typed."""
    masked = EMAIL.sub(EMAIL_MASK, text)
    masked = _mask_phones(masked)
    masked = STREET_ADDRESS.sub(ADDRESS_MASK, masked)
    masked = STREET_NUMBER.sub(NUMBER_MASK, masked)
    masked = DWELLING.sub(lambda m: f"{m.group(1)} {NUMBER_MASK}", masked)
    return mask_names(masked, names)


def _mask_phones(text: str) -> str:
    text = SLASHED_PHONE.sub(PHONE_MASK, text)
    found = phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in sorted(found, key=lambda m: m.start, reverse=True):
        text = text[: match.start] + PHONE_MASK + text[match.end :]
    return text


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-case text without accents, every run of spaces or dashes as one space, and for each
    folded character the index of the original character it came from."""
    folded, origin = [], []
    for index, char in enumerate(text):
        if _SEPARATORS.fullmatch(char):
            if folded and folded[-1] == " ":
                continue
            base = " "
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        for piece in base:
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def mask_names(text: str, names: Iterable[str]) -> str:
    """Replace every flagged name, however it is written (accents, case, hyphens, spaces)."""
    patterns = []
    for name in names:
        folded_name = _fold(name.strip())[0].strip()
        # The whole name, and each of its words ("Dupont" alone for "Hélène Dupont").
        for part in {folded_name, *(w for w in folded_name.split(" ") if len(w) >= 3)}:
            if len(part) >= 2:
                patterns.append(re.escape(part).replace(r"\ ", " "))
    if not patterns:
        return text
    # Longest first: "Jean Pierre" before "Jean".
    names_pattern = re.compile(rf"(?<!\w)(?:{'|'.join(sorted(set(patterns), key=len, reverse=True))})(?!\w)")
    folded, origin = _fold(text)
    pieces, last = [], 0
    for match in names_pattern.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        pieces += [text[last:start], NAME_MASK]
        last = end
    return "".join(pieces) + text[last:]
