"""Privacy (pages/organiser_privacy.py): confirming a name a captain flagged, erasing a
contribution, the audit log."""

from __future__ import annotations

from facilitation.services import cafes
from tests.conftest import add_idea, committed, make_cafe
from tests.pages.apptest import app, labelled


def test_a_captain_flags_a_name_and_the_organiser_confirms_it(store):
    from facilitation.services import rgpd

    cafe, _ = make_cafe(store)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    labelled(at.text_input, "Nom ou prénom à masquer").input("Durand")
    labelled(at.button, "Masquer ce nom").click().run()
    assert rgpd.names_to_confirm(store, cafe.id) == ["Durand"] and rgpd.masked_names(store, cafe.id) == []
    privacy = app(organiser=True, page="pages/organiser_privacy.py", cafe=cafe.id)
    labelled(privacy.button, "Confirmer").click().run()
    assert rgpd.masked_names(store, cafe.id) == ["Durand"]


def test_privacy_page_erases_a_contribution_and_shows_the_audit_log(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Appelez-moi au 06 12 34 56 78")
    at = app(organiser=True, page="pages/organiser_privacy.py", cafe=cafe.id)
    labelled(at.button, "Effacer définitivement").click().run()
    assert "Contribution effacée" in at.success[0].value
    assert committed(store).contributions.get(idea.id) is None
    journal = at.dataframe[0].value
    assert journal["action"].iloc[0] == "contribution effacée (demande RGPD)"
    assert journal["acteur"].iloc[0] == "organisateur"
