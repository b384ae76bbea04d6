"""The library's search: the contributions of the cafés kept by the filters that contain every word
of a query, shown masked (the French word matching itself is in facilitation/domain/word_matching.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from facilitation.domain.errors import InvalidInput
from facilitation.domain.model import Cafe, Contribution, Table
from facilitation.domain.privacy import mask_personal_data
from facilitation.domain.word_matching import MAX_QUERY_WORDS, highlight, query_problem, query_terms, stem
from facilitation.services.harvest import CafeFilter, find_cafes
from facilitation.services.ports import UnitOfWork


@dataclass(frozen=True)
class SearchHit:
    contribution: Contribution
    cafe: Cafe
    table: Table
    pieces: list[tuple[str, bool]]  # the text, cut so that matching words are marked True


def search(
    uow: UnitOfWork,
    query: str,
    filters: CafeFilter | None = None,
) -> list[SearchHit]:
    """Contributions of the cafés kept by the filters containing every word of the query, best first.

    Accents, case and plurals do not matter (« agees » finds « âgées »).
    """
    problem = query_problem(query or "")
    if problem is not None:
        raise InvalidInput(problem)
    words = [w for w in (query or "").split() if len(w) >= 2][:MAX_QUERY_WORDS]
    terms = query_terms(" ".join(words))
    if not terms:
        raise InvalidInput("Tapez au moins un mot de deux lettres.")
    with uow.reading():
        known = {c.id: c for c in find_cafes(uow, filters)}
        filtered = filters is not None and filters.narrows
        found = uow.contributions.search(words, terms, list(known) if filtered else None)
        cafe_ids = {c.cafe_id for c in found}
        tables = {t.id: t for cafe_id in cafe_ids for t in uow.cafes.tables(cafe_id)}
        names = {cafe_id: uow.trust.masked_names(cafe_id) for cafe_id in cafe_ids}
    hits = []
    for c in found:
        if c.cafe_id not in known or c.table_id not in tables:
            continue
        # Shown masked; a contribution is listed only when every word of the query is in what is
        # shown: found through a masked word (a name, a phone number typed as the query, even next
        # to a shown word: « chauffage Durand »), a hit would tell who wrote about whom.
        shown = replace(c, text=mask_personal_data(c.text, names[c.cafe_id]))
        pieces = highlight(shown.text, terms)
        if {stem(piece) for piece, matched in pieces if matched} >= set(terms):
            hits.append(SearchHit(shown, known[c.cafe_id], tables[c.table_id], pieces))
    return hits
