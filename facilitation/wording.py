"""Small French wording helpers shared by pages, documents and the resident page."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 soutien », « 2 soutiens », « 0 soutien » (French: 0 and 1 take the singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count} {word}"


def shorten(text: str, length: int) -> str:
    """The first `length` characters, with « … » when something was cut."""
    return text[:length] + ("…" if len(text) > length else "")


def decimal(value: float, digits: int = 2) -> str:
    """« 0,49 », « 1 234,50 »: a number written the French way (decimal comma, a narrow no-break
    space between thousands), for every number shown to a person."""
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def percent(share: float, digits: int = 0) -> str:
    """« 49 % » for 0.49 (a no-break space before the sign, as French writes it)."""
    return f"{decimal(share * 100, digits)}\u00a0%"
