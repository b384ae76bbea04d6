"""The library (pages/library.py): every café's documents, their versions, and the search."""

from __future__ import annotations

from tests.pages.apptest import app, labelled, texts


def test_library_lists_documents_and_searches(store, kept_cafe):
    from exports.documents import renderer
    from facilitation.services import documents

    options = {"base_url": "http://x", "timezone": "Europe/Paris"}
    documents.generate(store, kept_cafe.id, "synthese", render=renderer(**options))
    documents.generate(store, kept_cafe.id, "contributions_csv", render=renderer(**options))
    documents.generate(store, kept_cafe.id, "synthese", render=renderer(**options))
    at = app(organiser=True, page="pages/library.py")
    assert any("Café des Tilleuls" in e.label for e in at.expander)
    listed = [m.value for m in at.markdown if "générée le" in m.value]
    assert listed[0].startswith("Synthèse du café (PDF) — **dernière version** (2)")  # synthesis first
    assert listed[1].startswith("Contributions (CSV pour Excel) — **dernière version** (1)")
    assert len(listed) == 2  # the older synthesis is folded
    labelled(at.toggle, "Voir 1 version précédente").set_value(True).run()
    assert any(m.value.startswith("Synthèse du café (PDF) — version 1") for m in at.markdown)
    assert any(m.value.startswith("Fiche « Chauffage » — nouvelle") for m in at.markdown)
    assert any(b.key.startswith(f"fiche_{kept_cafe.id}_") for b in at.get("download_button"))
    labelled(at.text_input, "Mots recherchés").input("CHAUFFAGES")
    labelled(at.button, "Rechercher").click().run()
    assert "**2 contributions trouvées**" in texts(at)
    marked = [h.proto.body for h in at.get("html") if "<mark>" in h.proto.body]
    assert len(marked) == 2 and all("<mark>chauffage</mark>" in body.lower() for body in marked)
    labelled(at.text_input, "Lieu contient").input("Paris").run()
    labelled(at.button, "Rechercher").click().run()
    assert "**0 contribution trouvée**" in texts(at)  # the filters hold for the search too


def test_library_is_for_the_organiser_and_marketing_only(store):
    at = app(page="pages/library.py")
    assert at.text_input[0].label == "Mot de passe (organisateur ou équipe marketing)"
    assert not at.expander


def test_a_word_too_long_to_search_is_a_french_message(store, kept_cafe):
    at = app(organiser=True, page="pages/library.py")
    labelled(at.text_input, "Mots recherchés").input("chauffage" * 5)
    labelled(at.button, "Rechercher").click().run()
    assert any("est trop long pour être cherché (40 lettres au plus)" in e.value for e in at.error)
    assert not at.exception
