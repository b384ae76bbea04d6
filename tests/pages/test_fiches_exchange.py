"""The « Échanges et comités » page (pages/fiches_exchange.py): field fiches, threads, decisions,
agendas."""

from __future__ import annotations

from facilitation.domain.model import FicheStatus
from facilitation.services import exchange
from tests.pages.apptest import app, compost_fiche, labelled
from ui.display import literal_markdown

PAGE = "pages/fiches_exchange.py"


def fill_field_fiche(at) -> None:
    labelled(at.text_input, "Titre").input("Boîtes à livres")
    labelled(at.text_area, "Observation").input("Des livres échangés dans les halls.")
    labelled(at.text_input, "Auteur (nom, service ou partenaire)").input("Agence Lyon Est")
    labelled(at.text_input, "Lieu (résidence, quartier, commune)").input("Les Tilleuls")
    labelled(at.selectbox, "Thème de l'Atelier").select("mieux-vivre ensemble")


def test_a_field_fiche_is_created_once_then_discussed_and_decided(store):
    at = app(organiser=True, page=PAGE)
    fill_field_fiche(at)
    labelled(at.button, "Créer la fiche").click().run()
    assert "Fiche « Boîtes à livres » créée" in at.success[0].value
    fill_field_fiche(at)  # the same form sent again right away: a new one, since it succeeded
    (card,) = exchange.all_fiches(store)
    assert card.title == "Boîtes à livres"

    at.run()
    assert any(e.label.startswith("Boîtes à livres — terrain — nouvelle") for e in at.expander)
    labelled(at.text_input, "Votre nom").input("Claire")
    labelled(at.text_area, "Commentaire").input("Vu aussi à Bron, **fin 2025**.")
    labelled(at.button, "Publier le commentaire").click().run()
    assert [c.text for c in exchange.comments(store, card.ref)] == ["Vu aussi à Bron, **fin 2025**."]
    shown = literal_markdown("Vu aussi à Bron, **fin 2025**.")
    assert any(m.value == shown for m in at.markdown)  # shown literally, never as bold

    labelled(at.selectbox, "Nouveau statut").select("en étude")
    labelled(at.text_input, "Décidé par").input("Comité du 3 décembre")
    labelled(at.button, "Enregistrer la décision").click().run()
    (decision,) = exchange.decisions(store, card.ref)
    assert decision.status is FicheStatus.EN_ETUDE and decision.actor == "organisateur"
    assert any("décidé par Comité du 3 décembre" in m.value for m in at.markdown)


def test_a_double_click_on_create_makes_one_fiche(store):
    at = app(organiser=True, page=PAGE)
    fill_field_fiche(at)
    sent_id = at.session_state["field_fiche_id"]
    labelled(at.button, "Créer la fiche").click().run()
    # The second click of a double click carries the form as it was drawn: same id, same fields.
    at.session_state["field_fiche_id"] = sent_id
    fill_field_fiche(at)
    labelled(at.button, "Créer la fiche").click().run()
    assert len(exchange.all_fiches(store)) == 1


def test_a_refused_field_fiche_says_why(store):
    at = app(organiser=True, page=PAGE)
    labelled(at.button, "Créer la fiche").click().run()
    assert "Le titre" in at.error[0].value
    assert exchange.all_fiches(store) == []


def test_the_agenda_tab_offers_the_pdf(store):
    compost_fiche(store)
    at = app(organiser=True, page=PAGE)
    labelled(at.selectbox, "Comité").select("Comité des Projets Prioritaires")  # the list's filter
    at.run()
    agenda = next(s for s in at.selectbox if s.key == "agenda_committee")
    agenda.select("Comité des Projets Prioritaires").run()
    assert any("1 fiche en attente d'une décision" in m.value for m in at.markdown)
    assert any(b.label == "Télécharger l'ordre du jour (PDF)" for b in at.get("download_button"))


def test_the_exchange_is_closed_without_the_password(store):
    at = app(page=PAGE)
    assert at.text_input[0].label == "Mot de passe (organisateur ou équipe marketing)" and not at.expander


def test_the_fiches_and_the_agenda_say_who_wrote_each_fiche(store, kept_cafe):
    from datetime import date

    exchange.create_field_fiche(
        store,
        title="Compost partagé",
        observation="Demande des jardiniers.",
        author="*Gardien* des Tilleuls",  # shown as typed, never as markdown
        observed_on=date(2026, 11, 1),
        place="Les Tilleuls",
        theme="aménagement durable",
    )
    at = app(organiser=True, page=PAGE)
    signed = literal_markdown("Écrite par *Gardien* des Tilleuls · Les Tilleuls · 01/11/2026")
    assert any(c.value.startswith(signed) for c in at.caption)
    issued = literal_markdown(f"Issue du café « {kept_cafe.title} »")
    assert any(c.value.startswith(issued) for c in at.caption)
    agenda = next(s for s in at.selectbox if s.key == "agenda_committee")
    agenda.select("Comité des Projets Prioritaires").run()
    line = "1. Compost partagé — écrite par *Gardien* des Tilleuls, Les Tilleuls, 01/11/2026"
    assert literal_markdown(line) in [m.value for m in at.markdown]
