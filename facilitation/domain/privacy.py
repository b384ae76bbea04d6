"""Personal data inside what people typed, masked wherever it is shown: the one chokepoint.

Privacy is a display property. What people wrote is stored as written; every surface (phones, wall,
captains' and organisers' live lists, library, search, fiches, exchange, exports, PDFs) shows
`mask_personal_data(text, names)`, and only the organiser's moderation view reveals the original
(an audited action, see facilitation/services/rgpd.py). What is masked is said in MASKED_SUMMARY (shown to
residents and in the PDF method note).

Detection reads a normalised copy of the text (NFKC, invisible format characters removed, look-alike
digits folded), so that « 06\u200b12… », full-width or Arabic-Indic digits and « O6 l2 … » are caught;
the output keeps the original characters wherever nothing is masked (accents, ligatures, emoji).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

MASKED_SUMMARY = (
    "les adresses e-mail (y compris écrites « nom (at) exemple.fr » ou « arobase »), les numéros de "
    "téléphone français et étrangers (même écrits avec des points, des barres, des espaces invisibles ou "
    "des chiffres pleine largeur), les noms précédés d'une civilité (« Mme » ou « Monsieur » suivis "
    "d'un nom, en un ou deux mots) ou de « chez les » et « famille », les adresses postales "
    "(« 12 rue des Lilas 69003 ») et numéros de rue "
    "(« 12bis »), les numéros de logement, de porte et de boîte aux lettres (« appartement 12 », "
    "« porte B3 »), et les noms signalés par l'organisateur ou par un capitaine puis confirmés par "
    "l'organisateur, ainsi que chacun de leurs mots (quelle que soit l'écriture : accents, majuscules, "
    "trait d'union). Les repères du bâtiment restent lisibles : « bâtiment B », « escalier 3 », "
    "« 3e étage », « tour 2 »"
)

EMAIL_MASK, PHONE_MASK, NAME_MASK = "[courriel masqué]", "[téléphone masqué]", "[nom masqué]"
ADDRESS_MASK, NUMBER_MASK = "[adresse masquée]", "[n° masqué]"
MASKS = (EMAIL_MASK, PHONE_MASK, NAME_MASK, ADDRESS_MASK, NUMBER_MASK)

_AT = r"(?:\s*@\s*|\s*[(\[]\s*(?:at|arobase)\s*[)\]]\s*|\s+arobase\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[]\s*(?:dot|point)\s*[)\]]\s*|\s+point\s+)"
# Each address starts where a run of address characters starts: tried from inside a long word, the
# pattern would rescan it from every letter (quadratic; 0.3 s for a 2,000-letter word).
EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
# Typed on a phone, an address often loses its ending (« jean.dupont@gmail », « …@gmail,com »):
# a word, an @ and a word is still someone's address.
EMAIL_WITHOUT_ENDING = re.compile(r"(?<![\w.+-])[\w.+-]*\w@[^\W\d_][\w-]*")
# phonenumbers finds numbers in every usual layout; a French number with any separators between its
# pairs (slashes, underscores, commas, bullets, several spaces: « 06/12/34/56/78 ») is caught here as well.
FRENCH_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)\s*33\s*(?:\(\s*0\s*\)\s*)?|0)[1-9](?:[\s./_\-,;·•*'’~+]{0,3}\d{2}){4}(?!\d)"
)
_STREET_WORDS = (
    r"rue|avenue|av|boulevard|bd|bld|allée|allee|impasse|place|chemin|route|quai|cours|square|"
    r"passage|montée|montee|résidence|residence|cité|cite|lotissement|hameau|voie|sentier|parvis"
)
# "12 rue des Lilas", "3 bis, avenue Jean Jaurès 69003": a house number makes a postal address,
# which locates one household: masked. « la résidence des Tilleuls » (no number) stays.
STREET_ADDRESS = re.compile(
    rf"(?<![\w/])\d{{1,4}}(?:\s?(?:bis|ter|quater)\b)?,?\s+(?i:{_STREET_WORDS})\.?\s+"
    r"[^\n,.;:!?()\d]{1,40}?(?=\s+\d{5}\b|\s*[\n,.;:!?()]|\s*$)(?:\s+\d{5}\b)?",
)
STREET_NUMBER = re.compile(r"(?<![\w/])\d{1,4}\s?(?i:bis|ter|quater)\b")
# A flat, a letterbox or a flat's door identifies one household (« appartement 12 », « appt 4b »,
# « porte B3 », « bal 7 »): masked. A building, a staircase, a floor or a tower is shared by dozens of
# households and is how residents say where a problem is (« bâtiment B », « escalier 3 », « tour 2 »):
# kept, as the residents wrote it. "a" and "y" alone are words (« la porte a été… »).
DWELLING = re.compile(
    r"\b((?i:appartement|appart|appt|apt|porte|logement|logt|lgt|log|boîte aux lettres|boite aux lettres|"
    r"bal))(?:\.\s*|\s+|(?=\d))"
    r"((?:(?i:n\s*°|no\.?|numéro|num\.?)\s*)?(?:[A-Za-z]?\d+[A-Za-z]?|(?![ay]\b)[A-Za-z]))(?![\w'’])"
)


# A civility then a capitalised name, one or two words, maybe with a particle: « Mme Durand »,
# « Monsieur Jean-Paul Martin », « M. de Villepin ». A lowercase word after it is not a name
# (« M. le maire », « madame la directrice ») and stays.
def _uppercase_class() -> str:
    """Every uppercase or titlecase letter of the Basic Multilingual Plane as a character class body:
    « Šimić », « Łukasz », « Đorđević », « Мария » are names as much as « Durand »."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code)) in ("Lu", "Lt"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


_UPPER = _uppercase_class()
_NAME_WORD = rf"[{_UPPER}][\w]*(?:[-'’][\w]+)*"
CIVILITY_NAME = re.compile(
    r"(?<![\w.])(?:M\.|MM\.|M(?=\s+[" + _UPPER + r"][\w'’-]*[a-zà-ÿ])|Pr\.?|"
    r"(?i:mr|mrs|mme|mmes|mlle|mlles|dr)\.?|"
    r"(?i:monsieur|madame|mademoiselle|messieurs|mesdames|docteur|professeur|maître|maitre))"
    rf"\s+((?:(?:de|du|des|d'|d’|le|la|van|von|ben|el)\s*)?{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)
# Typed on a phone, a name often has no capital: « appelez mme durand ». After the abbreviations that
# are only ever civilities (never « madame » or « m. », which are also words or metres), a lowercase
# word is a name unless it is a little word of the sentence (« Mme est partie », « mme la directrice »).
_LITTLE_WORDS = (
    "le|la|les|l|de|du|des|d|un|une|et|ou|a|à|au|aux|en|y|est|était|sera|va|vient|dit|qui|que|"
    "se|s|n|ne|pas|son|sa|ses|leur|nous|vous|il|elle|on|avec|pour|sur|par|chez|dans"
)
# « mme » is also how « même » is typed in a text message: after an article or « en » (« la mme
# chose », « en mme temps ») it is not a civility.
_SAME = "".join(rf"(?<!\b{word} )" for word in ("la", "le", "les", "en", "moi", "lui", "eux"))
LOWERCASE_CIVILITY_NAME = re.compile(
    rf"(?<![\w.]){_SAME}(?i:mme|mmes|mlle|mlles|mr|mrs)\.?\s+"
    rf"(?!(?:{_LITTLE_WORDS})(?![\w'’-]))([a-zß-öø-ÿ][\w]*(?:[-'’][\w]+)*)"
)
# « chez les Durand », « la famille Nguyen »: a family name.
FAMILY_NAME = re.compile(rf"(?<!\w)(?i:chez\s+les|famille)\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_]+")
# Letters typed for digits inside a run of digits (« O6 l2 34 56 78 »).
_LOOKALIKE_RUN = re.compile(r"(?<![^\W\d_])[0-9OolI|SZB]*[0-9][0-9OolI|SZB]*(?![^\W\d_])")
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "Z": "2", "B": "8"})
# Cyrillic and Greek letters drawn like Latin ones (« Мme » with a Cyrillic М, « О6 » with a
# Cyrillic О), and blank characters that are no space for Unicode (braille blank, Hangul fillers).
_CONFUSABLES = str.maketrans(
    {
        **dict(zip("АВЕКМНОРСТХаеорсухІіЈј", "ABEKMHOPCTXaeopcyxIiJj", strict=True)),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι", "ABEZHIKMNOPTYXoi", strict=True)),
        **dict.fromkeys(map(ord, "\u2800\u3164\uffa0\u115f\u1160"), " "),
    }
)


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as detection reads it, and for each of its characters the original index.

    NFKC (full-width and mathematical digits, non-breaking spaces), format characters removed
    (zero-width spaces and joiners, soft hyphens) and combining marks removed, every decimal digit
    as ASCII (Arabic-Indic…), every dash as "-", and look-alike letters inside a run of digits as digits."""
    pieces, origin = [], []
    for index, char in enumerate(text):
        if unicodedata.category(char) in ("Cf", "Mn", "Me"):
            # Invisible, or a mark drawn on the previous character (« 1\u0301 2 »): read through.
            continue
        # digit(), not decimal(): circled and dingbat digits (« ➏ ») too.
        digit = unicodedata.digit(char, None)
        if digit is not None:
            normal = str(digit)
        elif unicodedata.category(char) == "Pd":
            normal = "-"
        else:
            normal = unicodedata.normalize("NFKC", char).translate(_CONFUSABLES)
        for piece in normal:
            pieces.append(piece)
            origin.append(index)
    normal_text = "".join(pieces)
    folded = _LOOKALIKE_RUN.sub(lambda m: m.group().translate(_LOOKALIKES), normal_text)
    return folded, origin


@dataclass(frozen=True)
class Span:
    """A piece of personal data: [start, end) in the original text and its label."""

    start: int
    end: int
    label: str


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in FRENCH_PHONE.finditer(text)]
    found = phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.POSSIBLE)
    return spans + [(m.start, m.end) for m in found]


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    patterns = []
    for name in names:
        folded_name = _fold(name.strip())[0].strip()
        # The whole name, and each of its words ("Dupont" alone for "Hélène Dupont").
        for part in {folded_name, *(w for w in folded_name.split(" ") if len(w) >= 3)}:
            if len(part) >= 2:
                patterns.append(re.escape(part).replace(r"\ ", " "))
    if not patterns:
        return None
    # Longest first: "Jean Pierre" before "Jean".
    alternatives = "|".join(sorted(set(patterns), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _name_spans(text: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    pattern = _names_pattern(names)
    if pattern is None:
        return []
    folded, origin = _fold(text)
    return [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]


def personal_spans(text: str, names: Iterable[str] = ()) -> list[Span]:
    """Where the text holds personal data, in the original text's positions, in order, disjoint."""
    if not text:
        return []
    normal, origin = _normalised(text)
    found: list[tuple[int, int, str]] = []
    found += [(m.start(), m.end(), EMAIL_MASK) for m in EMAIL.finditer(normal)]
    found += [(m.start(), m.end(), EMAIL_MASK) for m in EMAIL_WITHOUT_ENDING.finditer(normal)]
    found += [(start, end, PHONE_MASK) for start, end in _phone_spans(normal)]
    found += [(m.start(), m.end(), ADDRESS_MASK) for m in STREET_ADDRESS.finditer(normal)]
    found += [(m.start(), m.end(), NUMBER_MASK) for m in STREET_NUMBER.finditer(normal)]
    found += [(m.start(2), m.end(2), NUMBER_MASK) for m in DWELLING.finditer(normal)]
    found += [(m.start(1), m.end(1), NAME_MASK) for m in CIVILITY_NAME.finditer(normal)]
    found += [(m.start(1), m.end(1), NAME_MASK) for m in LOWERCASE_CIVILITY_NAME.finditer(normal)]
    found += [(m.start(1), m.end(1), NAME_MASK) for m in FAMILY_NAME.finditer(normal)]
    found += [(start, end, NAME_MASK) for start, end in _name_spans(normal, tuple(names))]
    spans: list[Span] = []
    covered = 0  # end of the last kept span, in the normalised text
    # Earliest first, then longest: an e-mail holding digits is one e-mail, not a phone inside it.
    for start, end, label in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
        if end <= start or start < covered:
            continue
        stop = origin[end - 1] + 1
        # Marks drawn on the span's last character go with it.
        while stop < len(text) and unicodedata.category(text[stop]) in ("Mn", "Me"):
            stop += 1
        spans.append(Span(origin[start], stop, label))
        covered = end
    return spans


def mask_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """THE masking chokepoint: the text with personal data replaced by plain labels, everything
    else exactly as typed. `names` are the café's flagged names."""
    return _masked(text, tuple(names))


# Every phone of a table redraws the same ideas every few seconds: each (text, names) is masked
# once (~0.15 ms each, phonenumbers mostly), then read from here.
@lru_cache(maxsize=8192)
def _masked(text: str, names: tuple[str, ...]) -> str:
    pieces, last = [], 0
    for span in personal_spans(text, names):
        pieces += [text[last : span.start], span.label]
        last = span.end
    return "".join(pieces) + text[last:]


REVEALING_CORRECTION = (
    "Cette correction ferait apparaître en clair un passage masqué (par exemple « [nom masqué] » sans "
    "la civilité qui le précédait) : gardez le texte autour de chaque « [… masqué] » tel qu'il était. "
    "Rien n'a été enregistré."
)


def restore_masked(edited: str, original: str, names: Iterable[str] = ()) -> str:
    """A captain corrected the masked form of `original`: each label still in `edited` gets back the
    original piece it hid (the n-th phone label, the n-th phone…), so correcting a typo never
    replaces a resident's words with labels. Labels without a matching piece stay as typed.

    A piece given back must be masked again where it now stands: else moving a label out of its
    context (« Mme [nom masqué] » edited to « [nom masqué] ») would show the hidden name to whoever
    corrects. InvalidInput (in French) then, and nothing is changed."""
    names = tuple(names)
    hidden: dict[str, list[str]] = {}
    for span in personal_spans(original, names):
        hidden.setdefault(span.label, []).append(original[span.start : span.end])
    labels = re.compile("|".join(re.escape(label) for label in MASKS))
    pieces: list[str] = []
    restored: list[tuple[int, int]] = []  # where each given-back piece lands in the result
    length = last = 0
    for match in labels.finditer(edited):
        pieces.append(edited[last : match.start()])
        length += match.start() - last
        queue = hidden.get(match.group())
        if queue:
            piece = queue.pop(0)
            restored.append((length, length + len(piece)))
        else:
            piece = match.group()
        pieces.append(piece)
        length += len(piece)
        last = match.end()
    result = "".join(pieces) + edited[last:]
    if restored:
        spans = personal_spans(result, names)
        if not all(any(s.start <= a and b <= s.end for s in spans) for a, b in restored):
            from facilitation.domain.errors import InvalidInput  # the domain's French error

            raise InvalidInput(REVEALING_CORRECTION)
    return result


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
    pieces, last = [], 0
    for start, end in _name_spans(text, tuple(names)):
        if start < last:
            continue
        pieces += [text[last:start], NAME_MASK]
        last = end
    return "".join(pieces) + text[last:]
