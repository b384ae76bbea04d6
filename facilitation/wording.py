"""Small French wording helpers shared by pages, documents and the resident page."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 soutien », « 2 soutiens », « 0 soutien » (French: 0 and 1 take the singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count} {word}"


def shorten(text: str, length: int) -> str:
    """The first `length` characters, with « … » when something was cut."""
    return text[:length] + ("…" if len(text) > length else "")
