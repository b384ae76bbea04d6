"""Library search: accents, case and plurals do not matter, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from facilitation.domain.errors import InvalidInput
from facilitation.domain.word_matching import highlight, query_terms, search_terms, stem
from facilitation.services import cafes, contributions, harvest, library_search, rgpd
from tests.conftest import add_idea, make_cafe

IDEAS = [
    "Les personnes âgées ont peur le soir",
    "L'ascenseur est en panne depuis une semaine",
    "Deux ascenseurs bloqués au bâtiment C",
    "Éclairage des escaliers trop faible",
    "Un cœur de quartier plus vivant",
    "Rien à voir avec le reste",
]


# Each query and what it must find, all searched in one café (one store per backend, not one per query).
QUERIES = [
    ("agees", ["Les personnes âgées ont peur le soir"]),
    ("ÂGÉES", ["Les personnes âgées ont peur le soir"]),
    (
        "ascenseurs",
        ["Deux ascenseurs bloqués au bâtiment C", "L'ascenseur est en panne depuis une semaine"],
    ),
    (
        "ascenseur",
        ["Deux ascenseurs bloqués au bâtiment C", "L'ascenseur est en panne depuis une semaine"],
    ),
    ("ECLAIRAGE", ["Éclairage des escaliers trop faible"]),
    ("escalier eclairage", ["Éclairage des escaliers trop faible"]),
    ("ascenseur panne", ["L'ascenseur est en panne depuis une semaine"]),
    ("coeur", ["Un cœur de quartier plus vivant"]),
    ("piscine", []),
    ('" OR NEAR(*) ascenseur', []),  # FTS5 operators are words here, never syntax
]


def test_search_ignores_accents_case_and_plurals(store):
    cafe, _ = make_cafe(store)
    for text in IDEAS:
        add_idea(store, cafe, text)
    found = {
        query: sorted(hit.contribution.text for hit in library_search.search(store, query))
        for query, _ in QUERIES
    }
    assert found == {query: sorted(expected) for query, expected in QUERIES}


BIKES = [
    "Un local à vélo fermé",
    "Des vélos volés dans la cour",
    "VELOS et poussettes dans le hall",
    "Les jeux du square sont cassés",
    "Un jeu de boules pour les anciens",
    "Rien à voir avec le reste",
]


def test_singular_and_plural_find_the_same_contributions(store):
    cafe, _ = make_cafe(store)
    for text in BIKES:
        add_idea(store, cafe, text)
    for queries, expected in (
        (["vélo", "vélos", "VELO", "velos", "Vélo"], BIKES[:3]),
        (["jeu", "jeux", "JEUX"], BIKES[3:5]),
    ):
        for query in queries:
            found = [hit.contribution.text for hit in library_search.search(store, query)]
            assert sorted(found) == sorted(expected), query


def test_an_index_built_before_the_plural_fix_is_rebuilt(empty_database_url, tmp_path):
    import snowballstemmer
    import sqlalchemy as sa
    from alembic import command

    from facilitation.adapters.storage import open_store
    from facilitation.adapters.storage.engine import _alembic_config, create_db_engine, migrate
    from facilitation.adapters.storage.unit_of_work import SqlUnitOfWork
    from facilitation.domain.word_matching import plain

    # The ideas are written by today's use cases in a database of their own, then copied row by row
    # into one at the schema just before the plural fix (0015), which today's code cannot write.
    source = open_store(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    cafe, _ = make_cafe(source)
    for text in BIKES:
        add_idea(source, cafe, text)
    engine = create_db_engine(empty_database_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0014")
    old = sa.MetaData()
    old.reflect(engine)
    written = sa.MetaData()
    written.reflect(source.engine)
    with source.engine.connect() as reading, engine.begin() as writing:
        for name in ("cafes", "rounds", "cafe_tables", "contributions"):
            columns = {c.name for c in old.tables[name].columns}
            rows = [dict(r._mapping) for r in reading.execute(sa.select(written.tables[name]))]
            writing.execute(
                old.tables[name].insert(), [{k: v for k, v in r.items() if k in columns} for r in rows]
            )
    source.engine.dispose()
    if engine.dialect.name == "sqlite":
        # The stems SQLite indexed before: Snowball's own, « velos » apart from « velo ».
        snowball = snowballstemmer.stemmer("french")
        with engine.begin() as connection:
            for rowid, text in connection.exec_driver_sql(
                "SELECT i.rowid, c.text FROM contributions c "
                "JOIN contribution_search_ids i ON i.contribution_id = c.id"
            ).all():
                terms = " ".join(snowball.stemWord(plain(w)) for w in text.split())
                connection.exec_driver_sql(
                    "UPDATE contribution_search SET terms = ? WHERE rowid = ?", (terms, rowid)
                )
    migrate(engine)
    store = SqlUnitOfWork(engine)
    assert len(library_search.search(store, "vélo")) == len(library_search.search(store, "vélos")) == 3


def test_hits_say_where_and_mark_the_matching_words(store):
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Deux ascenseurs en panne, toujours des ascenseurs !", table=2)
    (hit,) = library_search.search(store, "Ascenseur")
    assert hit.cafe.id == cafe.id and hit.table.number == 2
    assert [piece for piece, matched in hit.pieces if matched] == ["ascenseurs", "ascenseurs"]
    assert "".join(piece for piece, _ in hit.pieces) == hit.contribution.text


def test_more_matching_words_rank_first(store):
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Panne d'ascenseur, encore une panne, toujours en panne")
    add_idea(store, cafe, "Une panne")
    found = [hit.contribution.text for hit in library_search.search(store, "pannes")]
    assert found[0].startswith("Panne d'ascenseur")


def test_filters_are_kept_with_the_search(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(
        store,
        tables=1,
        rounds=1,
        title="Autre café",
        held_on=date(2025, 3, 1),
        theme="autre",
        commune="Vénissieux",
    )
    add_idea(store, cafe, "Ascenseur en panne à Lyon")
    add_idea(store, other, "Ascenseur en panne à Vénissieux")
    assert len(library_search.search(store, "ascenseur")) == 2
    found = library_search.search(store, "ascenseur", harvest.CafeFilter(place="VENISSIEUX"))
    assert [hit.contribution.text for hit in found] == ["Ascenseur en panne à Vénissieux"]
    found = library_search.search(store, "ascenseur", harvest.CafeFilter(date_from=date(2026, 1, 1)))
    assert [hit.contribution.text for hit in found] == ["Ascenseur en panne à Lyon"]


def test_the_index_follows_edits_deletions_and_erasure(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Ascenseur en panne")
    code = cafes.get_table(store, cafe.id, 1).code
    contributions.edit_contribution(
        store, table_code=code, contribution_id=idea.id, text="Escalier sale", max_chars=2000
    )
    assert (
        library_search.search(store, "ascenseur") == []
        and len(library_search.search(store, "escaliers")) == 1
    )
    contributions.delete_contribution(store, table_code=code, contribution_id=idea.id)
    assert library_search.search(store, "escalier") == []  # deleted by the captain: out of the library
    contributions.restore_contribution(store, cafe.id, idea.id)
    assert len(library_search.search(store, "escalier")) == 1
    rgpd.erase_contribution(store, cafe.id, idea.id)
    assert library_search.search(store, "escalier") == []


def test_a_query_without_a_real_word_is_refused(store):
    with pytest.raises(InvalidInput, match="au moins un mot"):
        library_search.search(store, " a ; ! ")


def test_stems_and_highlights_are_plain_python():
    assert search_terms("Personnes ÂGÉES") == search_terms("personne agees")
    assert query_terms("ascenseurs ascenseur x") == ["ascenseur"]
    pieces = [("<b>", False), ("ascenseurs", True), ("</b>", False)]
    assert highlight("<b>ascenseurs</b>", ["ascenseur"]) == pieces


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("é" * 1_000_000, "Recherche trop longue : 200 caractères au plus (1000000 tapés)."),
        (
            "ascenseur " + "a" * 41,
            "Le mot « aaaaaaaaaaaaaaaaaaaa… » est trop long pour être cherché (40 lettres",
        ),
        ("un deux trois quatre cinq six sept huit neuf", "Huit mots au plus par recherche (9 tapés)"),
    ],
    ids=["a million characters", "a 41-letter word", "nine words"],
)
def test_an_oversized_query_is_refused_in_french_before_any_word_is_stemmed(store, query, message):
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "L'ascenseur est en panne")
    stemmed = stem.cache_info().misses
    with pytest.raises(InvalidInput) as refused:
        library_search.search(store, query)
    assert refused.value.message.startswith(message)
    assert stem.cache_info().misses == stemmed  # refused before the costly part
    # the longest French words, eight of them, are still searched
    assert library_search.search(store, " ".join(["anticonstitutionnellement"] * 7 + ["ascenseur"])) == []


def test_a_masked_word_added_to_a_shown_word_does_not_tell_who_was_named(store):
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Chauffage en panne, appelez Mme Durand au 06 12 34 56 78")
    add_idea(store, cafe, "Chauffage en panne, appelez Mme Martin", table=2)
    assert len(library_search.search(store, "chauffage")) == 2
    # Every word must be found in what is shown: « Durand » is masked, so « chauffage Durand » lists
    # nothing, as « Durand » alone does (else the hit would say which contribution names Mme Durand).
    assert library_search.search(store, "chauffage Durand") == []
    assert library_search.search(store, "Durand") == []
