"""The audit log (facilitation.services.audit) names the real actor of every write: organiser, captain or
resident link. On SQLite and PostgreSQL."""

from __future__ import annotations

import ast

from exports.documents import render, renderer
from facilitation.domain import actors
from facilitation.services import audit, cafes, contributions, documents, rgpd
from tests.conftest import ROOT, acting_as, add_idea, make_cafe, resident, token_of

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}


def test_the_audit_log_says_who_did_what(store):
    with acting_as(actors.ORGANISER):
        cafe, _ = make_cafe(store)
    with acting_as(actors.captain(1)):
        idea = add_idea(store, cafe, "Idée")
        contributions.delete_contribution(
            store, table_code=cafes.get_table(store, cafe.id, 1).code, contribution_id=idea.id
        )
    with acting_as(actors.resident_link(2)):
        resident(store, token_of(store, cafe, 2), "Depuis mon téléphone")
    with acting_as(actors.ORGANISER):
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


def _recorded_actions(source: str) -> set[str]:
    """Every action an `audit.record(…)` call of the source can write: its literal, or the literals
    assigned to the variable it passes (``action = "a" if x else "b"``)."""
    tree = ast.parse(source)
    assigned: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            texts = {
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
            assigned.setdefault(node.targets[0].id, set()).update(texts)
    found: set[str] = set()
    for node in ast.walk(tree):
        is_record = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if not (is_record and node.func.attr == "record" and getattr(node.func.value, "id", "") == "audit"):
            continue
        action = node.args[1]
        if isinstance(action, ast.Name):
            found |= assigned[action.id]
        else:
            found |= {
                c.value for c in ast.walk(action) if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
    return found


def test_every_action_the_app_logs_is_in_the_vocabulary_a_restore_accepts():
    # A restored audit line naming an action outside audit.ACTIONS is refused as forged: an action
    # added to the code but not to the list would make the app's own backups unrestorable.
    sources = [p for p in ROOT.rglob("*.py") if not {".venv", "tests", "bench"} & set(p.parts)]
    written = set().union(*(_recorded_actions(p.read_text(encoding="utf-8")) for p in sources))
    assert "café créé" in written and "contribution d'habitant corrigée par le capitaine" in written
    assert written - audit.ACTIONS == set()


def test_the_actors_the_app_names_are_known_and_no_other():
    for actor in (actors.ORGANISER, actors.MARKETING, actors.COMMAND_LINE, audit.current_actor()):
        assert actors.known_actor(actor)
    assert actors.known_actor(actors.captain(12)) and actors.known_actor(actors.resident_link(999))
    for forged in ("admin", "capitaine, table 0", "capitaine, table 1000", "organisateur ", ""):
        assert not actors.known_actor(forged)
