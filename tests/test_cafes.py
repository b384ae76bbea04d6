"""Organiser use cases, on SQLite and PostgreSQL."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from facilitation.domain.access import new_id
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.services import cafes, public_address
from tests.conftest import committed, make_cafe


def test_create_and_edit_a_cafe(store):
    cafe = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="  Café des Tilleuls ",
            held_on=date(2026, 12, 3),
            theme="défi énergétique",
            residence="Les Tilleuls",
            commune="Villeurbanne",
            description="Venez !",
        ),
    )
    stored = cafes.get_cafe(store, cafe.id)
    assert stored == cafe
    assert stored.title == "Café des Tilleuls" and stored.place.label() == "Les Tilleuls, Villeurbanne"
    assert stored.created_at.tzinfo is not None

    edited = cafes.update_cafe(
        store,
        cafe.id,
        cafes.CafeDetails(
            title="Café du jeudi", held_on=date(2026, 12, 4), theme="numérique", quartier="Gratte-Ciel"
        ),
    )
    assert cafes.get_cafe(store, cafe.id) == edited
    assert edited.theme.value == "numérique" and edited.place.label() == "Gratte-Ciel"


# Refused at creation and at edit alike: one function checks a café's details.
BAD_DETAILS = [
    ({"title": ""}, "Le titre est vide"),
    ({"theme": "jardinage"}, "Thème inconnu"),
    ({"theme": ""}, "Choisissez le thème"),
    ({"commune": ""}, "Indiquez au moins le lieu"),
    ({"held_on": "demain"}, "Indiquez la date"),
    ({"held_on": None}, "Indiquez la date"),
    ({"title": "x" * 201}, "trop longue"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_DETAILS)
def test_bad_cafe_details_write_nothing(store, fields, message):
    values = {"title": "Café", "held_on": date(2026, 12, 3), "theme": "numérique", "commune": "Lyon"}
    with pytest.raises(InvalidInput, match=message):
        cafes.create_cafe(store, cafes.CafeDetails(**(values | fields)))
    assert cafes.list_cafes(store) == []


@pytest.mark.parametrize(("fields", "message"), BAD_DETAILS)
def test_an_edit_is_checked_by_the_creations_rules_and_changes_nothing(store, fields, message):
    values = {"title": "Café", "held_on": date(2026, 12, 3), "theme": "numérique", "commune": "Lyon"}
    cafe = cafes.create_cafe(store, cafes.CafeDetails(**values))
    with pytest.raises(InvalidInput, match=message):
        cafes.update_cafe(store, cafe.id, cafes.CafeDetails(**(values | fields)))
    assert cafes.get_cafe(store, cafe.id) == cafe


def test_unknown_cafe_is_a_french_not_found(store):
    with pytest.raises(NotFound, match="Aucun café"):
        cafes.get_cafe(store, "inconnu")


def test_rounds_are_ordered_and_editable(store):
    cafe, rounds = make_cafe(store, rounds=3, open_first=False)
    assert [r.position for r in cafes.list_rounds(store, cafe.id)] == [1, 2, 3]
    cafes.update_round(store, cafe.id, rounds[1].id, question="Nouvelle question ?", planned_minutes=15)
    second = cafes.get_round(store, cafe.id, rounds[1].id)
    assert (second.question, second.planned_minutes) == ("Nouvelle question ?", 15)
    cafes.delete_round(store, cafe.id, rounds[2].id)
    assert len(cafes.list_rounds(store, cafe.id)) == 2
    assert cafes.add_round(store, cafe.id, question="Q4 ?", planned_minutes=10).position == 3


@pytest.mark.parametrize("minutes", [0, -5, 241, "vingt"])
def test_round_duration_is_checked(store, minutes):
    cafe, _ = make_cafe(store, rounds=0)
    with pytest.raises(InvalidInput, match="durée prévue"):
        cafes.add_round(store, cafe.id, question="Q ?", planned_minutes=minutes)


def test_only_one_round_is_open_at_a_time(store):
    cafe, rounds = make_cafe(store, rounds=3)
    t0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    cafes.open_round(store, cafe.id, rounds[0].id, now=t0)
    cafes.open_round(store, cafe.id, rounds[1].id, now=t0 + timedelta(minutes=20))
    states = {r.id: r for r in cafes.list_rounds(store, cafe.id)}
    assert not states[rounds[0].id].is_open and states[rounds[0].id].closed_at == t0 + timedelta(minutes=20)
    assert states[rounds[1].id].is_open
    assert cafes.open_round_of(store, cafe.id).id == rounds[1].id
    cafes.close_round(store, cafe.id, rounds[1].id)
    assert cafes.open_round_of(store, cafe.id) is None


def test_closing_a_cafe_closes_its_round_and_blocks_opening(store):
    cafe, rounds = make_cafe(store)
    cafes.close_cafe(store, cafe.id)
    assert cafes.open_round_of(store, cafe.id) is None
    with pytest.raises(InvalidInput, match="café est clos"):
        cafes.open_round(store, cafe.id, rounds[1].id)
    cafes.reopen_cafe(store, cafe.id)
    assert cafes.open_round(store, cafe.id, rounds[1].id).is_open


def test_archived_cafes_leave_the_working_list(store):
    cafe, _ = make_cafe(store)
    cafes.set_archived(store, cafe.id, True)
    assert cafes.list_cafes(store) == []
    assert [c.id for c in cafes.list_cafes(store, include_archived=True)] == [cafe.id]
    assert cafes.set_archived(store, cafe.id, False).archived_at is None


def test_tables_get_unique_codes_and_numbers(store):
    cafe, _ = make_cafe(store, tables=3)
    tables = cafes.list_tables(store, cafe.id)
    assert [t.number for t in tables] == [1, 2, 3]
    assert len({t.code for t in tables}) == 3
    with pytest.raises(InvalidInput, match="La table 2 existe déjà"):
        cafes.add_table(store, cafe.id, number=2)
    updated = cafes.update_table(store, cafe.id, 2, name="Les Érables", captain_name="Chloé")
    assert replace(updated, name="Les Érables") == cafes.get_table(store, cafe.id, 2)


def test_join_link_is_signed_for_the_table(store):
    cafe, _ = make_cafe(store)
    link = cafes.join_link(store, cafe.id, 2, "http://192.168.1.20:8501")
    assert link.startswith(f"http://192.168.1.20:8501/j/{cafe.id}.2.")
    with pytest.raises(NotFound, match="La table 9 n'existe pas"):
        cafes.join_link(store, cafe.id, 9, "http://x")


def test_create_buttons_sent_twice_create_once(store):
    key = new_id()
    details = cafes.CafeDetails(title="Café", held_on=date(2026, 11, 26), theme="numérique", commune="Lyon")
    first = cafes.create_cafe(store, details, cafe_id=key)
    assert cafes.create_cafe(store, details, cafe_id=key) == first
    assert [c.id for c in cafes.list_cafes(store)] == [key]
    round_key, table_key = new_id(), new_id()
    for _ in range(2):
        cafes.add_round(store, first.id, question="Q ?", planned_minutes=20, round_id=round_key)
        cafes.add_table(store, first.id, number=1, table_id=table_key)
    assert [r.id for r in cafes.list_rounds(store, first.id)] == [round_key]
    assert [t.id for t in cafes.list_tables(store, first.id)] == [table_key]


def test_next_round_and_five_more_minutes(store):
    cafe, rounds = make_cafe(store, rounds=3, open_first=False)
    assert cafes.next_round(cafes.list_rounds(store, cafe.id)).id == rounds[0].id
    cafes.open_round(store, cafe.id, rounds[0].id)
    assert cafes.next_round(cafes.list_rounds(store, cafe.id)).id == rounds[1].id
    longer = cafes.extend_round(store, cafe.id, rounds[0].id)
    assert longer.planned_minutes == 25
    with pytest.raises(InvalidInput, match="seul le tour en cours"):
        cafes.extend_round(store, cafe.id, rounds[2].id)
    cafes.open_round(store, cafe.id, rounds[2].id)  # a round skipped on purpose
    assert cafes.next_round(cafes.list_rounds(store, cafe.id)) is None
    assert cafes.round_at(store, cafe.id, 2).id == rounds[1].id
    with pytest.raises(NotFound, match="Le tour 9 n'existe pas"):
        cafes.round_at(store, cafe.id, 9)


def test_the_public_address_is_stored_checked_and_audited(store):
    assert public_address.public_base_url(store, "http://localhost:8501") == "http://localhost:8501"
    stored = public_address.set_public_base_url(store, " http://192.168.1.20:8501/ ")
    assert stored == "http://192.168.1.20:8501"
    assert public_address.public_base_url(store, "http://localhost:8501") == stored
    for bad in ("192.168.1.20", "ftp://x", "http://", "http://a/?q=1"):
        with pytest.raises(InvalidInput, match="Adresse publique invalide"):
            public_address.set_public_base_url(store, bad)
    assert public_address.public_base_url(store, "") == stored
    assert committed(store).audit.latest()[0].action == "adresse publique modifiée"
    assert public_address.only_this_computer("http://127.0.0.1:8501")
    assert public_address.only_this_computer("http://localhost:8501")
    assert not public_address.only_this_computer(stored)
