"""The harvest page (pages/organiser_harvest.py): grouping, corrections, charts, guided grouping,
and a re-run that would change retained groups."""

from __future__ import annotations

import re

import pytest

from tests.conftest import add_idea, make_cafe
from tests.pages.apptest import app, labelled


def test_harvest_page_groups_corrects_and_charts(store):
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    assert "Pas encore de récolte" in at.info[0].value
    at.checkbox[0].uncheck().run()
    labelled(at.number_input, "Nombre de groupes").set_value(6)
    labelled(at.button, "Lancer le regroupement").click().run()
    # The note quotes topic labels: shown literally (Markdown-escaped).
    assert at.success[0].value.startswith("Version 1 enregistrée : Regroupement automatique \\: 6 groupes")
    topic_expanders = [e for e in at.expander if re.search(r"\d+ contributions?, ", e.label)]
    assert len(topic_expanders) == 6
    assert len(at.get("plotly_chart")) == 5  # sizes, tables, rounds, map, paths of ideas
    # Every group says where it came from and how far residents agree (the demo holds votes);
    # every quote its table and round.
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert re.search(r"\d+ habitants? · \d tables? · tours? [1-3]", shown) and " — avis : " in shown
    assert "consensus (d'accord)" in shown
    captions = "\n".join(c.value for c in at.caption).replace("\\", "")
    assert re.search(r"Table [1-4] — Les \w+, tour [1-3]", captions)

    labelled(at.text_input, "Nouveau nom").input("Vivre ensemble")
    labelled(at.button, "Renommer").click().run()
    assert any(e.label.startswith("Vivre ensemble —") for e in at.expander)
    first_key = harvest_versions(store, cafe.id)[-1].topics[0].key
    labelled(at.multiselect, "Groupes retenus (ils deviendront des fiches d'observation)").select(first_key)
    labelled(at.button, "Enregistrer la sélection").click().run()
    assert labelled(at.metric, "Retenus pour les fiches").value == "1"
    versions = harvest_versions(store, cafe.id)
    assert [v.number for v in versions] == [1, 2, 3] and versions[1].topics != versions[0].topics


def test_harvest_page_asks_before_a_rerun_changes_retained_groups(store):
    from facilitation.services import harvest
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    scope = harvest.scope_of([cafe.id])
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    at.checkbox[0].uncheck().run()
    labelled(at.number_input, "Nombre de groupes").set_value(6)
    labelled(at.button, "Lancer le regroupement").click().run()
    first = harvest.latest_version(store, scope)
    unsorted = labelled(at.metric, "À classer").value
    assert unsorted == str(len(first.unsorted))
    harvest.set_kept(store, scope, [t.key for t in first.topics])
    at.run()

    labelled(at.number_input, "Nombre de groupes").set_value(3)
    labelled(at.checkbox, "Regrouper à neuf").check()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert not at.exception
    assert "changerait des groupes retenus" in at.warning[0].value
    assert len(harvest.versions(store, scope)) == 2  # nothing saved yet
    labelled(at.button, "Confirmer la relance").click().run()
    assert at.success[0].value.startswith("Version 3 enregistrée")
    latest = harvest.latest_version(store, scope)
    assert latest.unmatched  # 6 retained groups cannot all survive a cut into 3: listed, not dropped
    assert any("n'a pas retrouvé ces groupes" in w.value for w in at.warning)
    lost = latest.unmatched[0]
    at.button(key=f"restore-{lost.key}").click().run()
    assert any(t.key == lost.key and t.kept for t in harvest.latest_version(store, scope).topics)


def test_harvest_page_rerun_with_nothing_new_changes_nothing_and_asks_nothing(store):
    from facilitation.services import harvest
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    scope = harvest.scope_of([cafe.id])
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    labelled(at.button, "Lancer le regroupement").click().run(timeout=180)  # real grouping, loaded CPU
    first = harvest.latest_version(store, scope)
    harvest.set_kept(store, scope, [t.key for t in first.topics])
    at.run()
    labelled(at.button, "Lancer le regroupement").click().run(timeout=180)
    assert not at.exception and not at.warning
    assert any("Rien de nouveau depuis la version 2" in i.value for i in at.info)
    assert [v.number for v in harvest.versions(store, scope)] == [1, 2]


def test_harvest_page_maps_onto_atelier_themes(store):
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    labelled(at.radio, "Méthode").set_value("Sur les thèmes de l'Atelier").run()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert "Regroupement guidé sur 5 thèmes" in at.success[0].value
    assert any(e.label.startswith("défi énergétique —") for e in at.expander)


@pytest.mark.parametrize("method", ["Sur les thèmes de l'Atelier", "Sur des thèmes que je nomme"])
def test_guided_grouping_uses_the_configured_embeddings(store, monkeypatch, tmp_path, method):
    # A model2vec folder that is not there: guided grouping must say so, not fall back to spaCy.
    monkeypatch.setenv("CAFE_EMBEDDING_BACKEND", "model2vec")
    monkeypatch.setenv("CAFE_EMBEDDING_MODEL_PATH", str(tmp_path / "absent"))
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Le chauffage est en panne")
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    labelled(at.radio, "Méthode").set_value(method).run()
    if at.text_area:
        at.text_area[0].set_value("Chauffage : radiateurs, froid").run()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert "Le modèle model2vec configuré est introuvable" in at.error[0].value
    assert harvest_versions(store, cafe.id) == []


def harvest_versions(store, cafe_id):
    from facilitation.services import harvest

    return harvest.versions(store, harvest.scope_of([cafe_id]))
