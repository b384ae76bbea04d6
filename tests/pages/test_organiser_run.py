"""Running a café (pages/organiser_run.py): opening and closing rounds, the timer, the live
overview, restoring a deleted contribution."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.services import cafes, contributions
from tests.conftest import add_idea, committed, make_cafe
from tests.pages.apptest import app, labelled, texts


def test_organiser_runs_rounds_and_sees_the_live_overview(store):
    cafe, rounds = make_cafe(store, open_first=False)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"open_{rounds[0].id}").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[0].id
    add_idea(store, cafe, "Des bancs **partout**", table=2)
    at.run()
    assert at.metric[0].label == "Temps restant — tour 1" and at.metric[0].value.startswith(("19:", "20:"))
    grid = at.dataframe[0].value
    assert grid.loc["Table 2 — Table des 2", "Tour 1"] == 1 and grid["Total"].sum() == 1
    assert r"Des bancs \*\*partout\*\*" in texts(at)  # shown literally
    at.button(key=f"close_{rounds[0].id}").click().run()
    assert cafes.open_round_of(store, cafe.id) is None


def test_organiser_gives_five_more_minutes_and_sees_overtime_in_red(store):
    cafe, _ = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    labelled(at.button, "+5 min").click().run()
    assert cafes.open_round_of(store, cafe.id).planned_minutes == 25
    assert at.metric[0].value.startswith(("24:", "25:"))
    late = replace(cafes.open_round_of(store, cafe.id), opened_at=datetime.now(UTC) - timedelta(minutes=27))
    with store:
        store.cafes.save_round(late)
    at.run()
    assert "Temps restant — tour 1" not in [m.label for m in at.metric]
    assert any(":red[**⏱ Tour 1 : temps dépassé de 02:" in m.value for m in at.markdown)


def test_opening_a_round_other_than_the_next_asks_first(store):
    cafe, rounds = make_cafe(store, rounds=3)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"open_{rounds[2].id}").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[0].id  # nothing changed yet
    assert "Le tour 3 n'est pas le tour suivant (le suivant est le tour 2)" in at.warning[0].value
    assert "Le tour 1, en cours, sera fermé" in at.warning[0].value
    labelled(at.button, "Annuler").click().run()
    assert not at.warning and cafes.open_round_of(store, cafe.id).id == rounds[0].id
    at.button(key=f"open_{rounds[2].id}").click().run()
    labelled(at.button, "Oui, ouvrir le tour 3").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[2].id
    at.button(key=f"close_{rounds[2].id}").click().run()
    at.button(key=f"open_{rounds[1].id}").click().run()  # tour 2 is not « next » once 3 was opened
    assert "n'est pas le tour suivant (tous les tours ont été ouverts)" in at.warning[0].value


def test_the_next_round_opens_at_once(store):
    cafe, rounds = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"open_{rounds[1].id}").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[1].id and not at.warning


def test_organiser_restores_a_deleted_contribution(store):
    cafe, _ = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    idea = add_idea(store, cafe, "À garder")
    contributions.delete_contribution(store, table_code=table.code, contribution_id=idea.id)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"restore_{idea.id}").click().run()
    assert [c.id for c in committed(store).contributions.in_cafe(cafe.id)] == [idea.id]


def test_the_organiser_lets_a_waiting_captain_try_again(store):
    """Strangers' wrong codes on the captain's address made them wait: one button, audited."""
    from facilitation.domain.errors import AccessDenied
    from facilitation.services import audit
    from facilitation.services.abuse import Client
    from facilitation.services.contributions import try_table_code

    cafe, _ = make_cafe(store)
    for n in range(12):
        with contextlib.suppress(AccessDenied):
            try_table_code(store, f"ZZZZZ{n}", Client("203.0.113.4", f"farceur{n}"))
    code = cafes.get_table(store, cafe.id, 1).code
    with pytest.raises(AccessDenied, match="réessayez dans"):
        try_table_code(store, code, Client("203.0.113.4", "capitaine"))
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    labelled(at.button, "Remettre à zéro les essais de codes capitaine").click().run()
    assert "Essais remis à zéro : le capitaine peut entrer son code." in [s.value for s in at.success]
    assert try_table_code(store, code, Client("203.0.113.4", "capitaine")).table.number == 1
    events = audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")
    assert ("organisateur", "essais de codes capitaine remis à zéro") in [
        (e["acteur"], e["action"]) for e in events
    ]


def test_the_organiser_opens_and_closes_the_plenary_vote_and_sees_the_answers(store):
    from facilitation.domain.agreement import THEME_PREFIX
    from facilitation.services import harvest, votes
    from tests.fakes import KeywordGrouper

    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Le chauffage est froid")
    add_idea(store, cafe, "Chauffage en panne")
    scope = harvest.scope_of([cafe.id])
    heating = next(
        t
        for t in harvest.run_harvest(store, KeywordGrouper(["chauffage"]), scope).topics
        if t.label == "Chauffage"
    )
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    labelled(at.button, "Ouvrir le vote sur les thèmes").click().run()
    assert not at.exception and cafes.get_cafe(store, cafe.id).plenary_opened_at is not None
    token = cafes.join_link(store, cafe.id, 2, "").rsplit("/", 1)[1]
    votes.vote(store, token=token, item=THEME_PREFIX + heating.key, choice="pas d'accord", browser_id="p1")
    at.run()
    assert "Chauffage — trop peu d'avis · 0 d'accord · 1 pas d'accord · 0 je ne sais pas" in texts(
        at
    ).replace("\\", "")
    labelled(at.button, "Fermer le vote sur les thèmes").click().run()
    assert cafes.get_cafe(store, cafe.id).plenary_opened_at is None


def test_animer_shows_who_spoke_per_table_and_round_and_flags_quiet_and_dominated_tables(store):
    from tests.conftest import resident, token_of

    cafe, _ = make_cafe(store, tables=3)
    token = token_of(store, cafe)
    secret_phone = "navigateur-secret-du-bavard"
    for n in range(4):
        resident(store, token, f"Encore moi {n}", browser_id=secret_phone)
    add_idea(store, cafe, "Le capitaine note")
    add_idea(store, cafe, "Table 2", table=2)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    assert "Qui parle ?" in [s.value for s in at.subheader]
    table = at.dataframe[1].value
    rows = {row["Table"]: row for row in table.to_dict("records")}
    one, two, three = (rows[f"Table {n} — Table des {n}"] for n in (1, 2, 3))
    assert (one["Tour"], one["Capitaine"], one["Téléphones"], one["Téléphones distincts"]) == (
        "Tour 1",
        1,
        4,
        1,
    )
    assert one["À regarder"] == "📢 un téléphone domine"
    assert (two["Capitaine"], two["À regarder"]) == (1, "")
    assert three["À regarder"] == "🔇 aucune contribution"
    captions = "\n".join(c.value for c in at.caption)
    assert "plus de la moitié des contributions de la table (à partir de 4 contributions)" in captions
    from facilitation.services.contributions import supporter_key

    shown = table.to_string() + captions + texts(at)
    assert secret_phone not in shown and supporter_key(cafe.id, secret_phone) not in shown
