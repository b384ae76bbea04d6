"""The audit log (facilitation.audit) names the real actor of every write: organiser, captain or
resident link. On SQLite and PostgreSQL."""

from __future__ import annotations

from exports.documents import render, renderer
from facilitation import audit, cafes, contributions, documents, rgpd
from tests.conftest import acting_as, add_idea, make_cafe, resident, token_of

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}


def test_the_audit_log_says_who_did_what(store):
    with acting_as(audit.ORGANISER):
        cafe, _ = make_cafe(store)
    with acting_as(audit.captain(1)):
        idea = add_idea(store, cafe, "Idée")
        contributions.delete_contribution(
            store, table_code=cafes.get_table(store, cafe.id, 1).code, contribution_id=idea.id
        )
    with acting_as(audit.resident_link(2)):
        resident(store, token_of(store, cafe, 2), "Depuis mon téléphone")
    with acting_as(audit.ORGANISER):
        documents.generate(store, cafe.id, "contributions_csv", render=renderer(**OPTIONS))
    events = [
        (e["acteur"], e["action"])
        for e in reversed(audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris"))
    ]
    assert ("organisateur", "café créé") in events and ("organisateur", "tour ouvert") in events
    assert ("capitaine, table 1", "contribution ajoutée") in events
    assert ("capitaine, table 1", "contribution supprimée (récupérable)") in events
    assert ("lien habitant, table 2", "contribution ajoutée") in events
    assert events[-1] == ("organisateur", "document généré")


def test_every_write_names_its_real_actor_even_before_the_page_says_who(store):
    # A Streamlit form callback runs before the page sets the actor: nothing is set here either.
    cafe, _ = make_cafe(store)
    code = cafes.get_table(store, cafe.id, 1).code
    captured = add_idea(store, cafe, "Idée du capitaine")
    phone = resident(store, token_of(store, cafe, 2), "Depuis mon téléphone, appelez Durand")
    rgpd.flag_name(store, cafe.id, "Durand", by_organiser=True)
    contributions.edit_contribution(
        store, table_code=cafes.get_table(store, cafe.id, 2).code, contribution_id=phone.contribution.id,
        text="Depuis mon téléphone", max_chars=2000,
    )  # fmt: skip
    contributions.delete_contribution(store, table_code=code, contribution_id=captured.id)
    events = {
        (e["acteur"], e["action"]): e["details"]
        for e in audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")
    }
    assert ("capitaine, table 1", "contribution ajoutée") in events
    assert ("lien habitant, table 2", "contribution ajoutée") in events
    assert ("capitaine, table 1", "contribution supprimée (récupérable)") in events
    details = events[("capitaine, table 2", "contribution d'habitant corrigée par le capitaine")]
    # Who corrected which contribution and when, never the text: erasing it must leave no copy.
    assert details == "texte corrigé"
    assert not any(actor == "système" for actor, action in events if "contribution" in action)
    exported = render(store, cafe.id, "contributions_csv", **OPTIONS)[1].decode("utf-8-sig")
    assert "habitant, corrigé par le capitaine" in exported
