"""Personal data inside contributions, masked before any document or export leaves the app.

The stored original is never changed: the organiser still reads it in the app. What is masked:
e-mail addresses, phone numbers, flat/door/building numbers, and the names a captain or the
organiser flagged for the café.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 6…
PHONE = re.compile(r"(?<!\w)(?:(?:\+|00)33[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\w)")
# "appartement 12", "appt 4B", "apt. 7", "porte B3", "logement n° 15", "bâtiment C", "escalier 2"
# The word in any case; the number or letter case-sensitive, so "porte d'entrée" stays as it is.
DWELLING = re.compile(
    r"\b((?i:appartement|appart|appt|apt|porte|logement|log|bâtiment|batiment|bât|bat|escalier|esc|"
    r"boîte aux lettres|boite aux lettres|bal))\.?\s*(?:(?i:n\s*°|no\.?|numéro|num\.?)\s*)?"
    r"([A-Z]?\d+[A-Z]?|[A-Z])\b"
)

EMAIL_MASK, PHONE_MASK, NAME_MASK = "[courriel masqué]", "[téléphone masqué]", "[nom masqué]"


def mask_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data replaced by plain labels; everything else left as typed."""
    masked = EMAIL.sub(EMAIL_MASK, text)
    masked = PHONE.sub(PHONE_MASK, masked)
    masked = DWELLING.sub(lambda m: f"{m.group(1)} [n° masqué]", masked)
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        masked = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME_MASK, masked, flags=re.IGNORECASE)
    return masked
