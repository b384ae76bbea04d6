"""Small French wording helpers shared by pages, documents and the resident page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facilitation.domain.model import Cafe


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 soutien », « 2 soutiens », « 0 soutien » (French: 0 and 1 take the singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count} {word}"


# Words whose plural is not « + s »: a fiche's status « en étude » does not change.
_INVARIABLE = frozenset({"en étude"})


def counted(count: int, word: str) -> str:
    """« 1 nouvelle », « 2 nouvelles », « 3 en étude »: a count before an adjective or a status."""
    return plural(count, word, word if word in _INVARIABLE or word.endswith(("s", "x")) else None)


def shorten(text: str, length: int) -> str:
    """The first `length` characters, with « … » when something was cut."""
    return text[:length] + ("…" if len(text) > length else "")


def cafe_label(cafe: Cafe) -> str:
    """How a café is named wherever one is chosen: « Café des Tilleuls — 12/03/2026 — Villeurbanne »
    (title, date, then the commune, or the most precise place given when there is no commune)."""
    place = cafe.place
    where = place.commune or place.quartier or place.residence
    return " — ".join(part for part in (cafe.title, f"{cafe.held_on:%d/%m/%Y}", where) if part)


def cafe_labels(cafes: Iterable[Cafe]) -> dict[str, str]:
    """{café id: label} for a selector; two cafés that would read the same (same title, date and
    place) are told apart by the start of their id."""
    cafes = list(cafes)
    counts = Counter(cafe_label(cafe) for cafe in cafes)
    return {
        cafe.id: cafe_label(cafe) + (f" (n° {cafe.id[:6]})" if counts[cafe_label(cafe)] > 1 else "")
        for cafe in cafes
    }


def decimal(value: float, digits: int = 2) -> str:
    """« 0,49 », « 1 234,50 »: a number written the French way (decimal comma, a narrow no-break
    space between thousands), for every number shown to a person."""
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def percent(share: float, digits: int = 0) -> str:
    """« 49 % » for 0.49 (a no-break space before the sign, as French writes it)."""
    return f"{decimal(share * 100, digits)}\u00a0%"
