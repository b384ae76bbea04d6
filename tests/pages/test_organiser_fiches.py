"""Fiches and documents (pages/organiser_fiches.py): editing a fiche, generating a document."""

from __future__ import annotations

from tests.pages.apptest import app, labelled


def test_fiches_page_edits_a_fiche_and_generates_documents(store, kept_cafe):
    from facilitation.services import synthesis

    at = app(organiser=True, page="pages/organiser_fiches.py", cafe=kept_cafe.id)
    assert any(e.label.startswith("Chauffage — nouvelle") for e in at.expander)
    labelled(at.text_area, "Suite proposée").input("Tester des thermostats")
    labelled(at.selectbox, "Statut").select("en étude")
    labelled(at.button, "Enregistrer la fiche").click().run()
    (sheet,) = synthesis.fiche_sheets(store, kept_cafe.id)
    assert (sheet.fiche.follow_up, sheet.fiche.status.value) == ("Tester des thermostats", "en étude")
    labelled(at.selectbox, "Document").select("synthese")
    labelled(at.button, "Générer").click().run()
    assert "Synthèse du café (PDF) — version 1 générée" in at.success[0].value
