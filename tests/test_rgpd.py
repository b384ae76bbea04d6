"""Erasure and retention (facilitation.rgpd): erasing a contribution or a café reaches everything
derived from it; retention deletes old raw contributions and keeps syntheses. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from exports.documents import renderer
from facilitation import audit, cafes, documents, harvest, rgpd
from facilitation.errors import InvalidInput
from tests.conftest import add_idea, make_cafe
from tests.fakes import KeywordGrouper

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}


def test_erasing_a_contribution_reaches_harvests_and_generated_documents(store):
    cafe, _ = make_cafe(store)
    ids = [add_idea(store, cafe, t).id for t in ("Chauffage froid", "Chauffage cher", "Jardin")]
    scope = harvest.scope_of([cafe.id])
    harvest.run_harvest(store, KeywordGrouper(["chauffage", "jardin"]), scope)
    harvest.set_aside(store, scope, ids[2])
    documents.generate(store, cafe.id, "synthese", render=renderer(**OPTIONS))
    assert rgpd.erase_contribution(store, cafe.id, ids[0]) == 1
    assert store.contributions.get(ids[0]) is None
    for version in harvest.versions(store, scope):
        assert all(ids[0] not in t.contribution_ids + t.representative_ids for t in version.topics)
        assert ids[0] not in version.coordinates
    assert store.documents.in_cafe(cafe.id) == []
    rgpd.erase_contribution(store, cafe.id, ids[2])
    assert harvest.latest_version(store, scope).set_aside == ()


def test_erasing_a_cafe_removes_everything_derived(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    for c in (cafe, other):
        add_idea(store, c, "Chauffage")
    both = harvest.scope_of([cafe.id, other.id])
    harvest.run_harvest(store, KeywordGrouper(["chauffage"]), both)
    documents.generate(store, cafe.id, "cafe_json", render=renderer(**OPTIONS))
    with pytest.raises(InvalidInput, match="recopiez exactement"):
        rgpd.erase_cafe(store, cafe.id, confirm_title="autre")
    rgpd.erase_cafe(store, cafe.id, confirm_title="Café des Tilleuls")
    assert (
        store.cafes.get(cafe.id) is None and store.contributions.in_cafe(cafe.id, include_deleted=True) == []
    )
    assert harvest.versions(store, both) == []
    assert len(store.contributions.in_cafe(other.id)) == 1
    assert audit.audit_records(store, timezone="Europe/Paris")[0]["action"] == "café effacé"


def test_retention_deletes_old_raw_contributions_but_keeps_syntheses(store):
    old = cafes.create_cafe(store, title="Ancien", held_on=date(2024, 1, 10), theme="autre", commune="Lyon")
    cafes.add_table(store, old.id, number=1)
    round_ = cafes.add_round(store, old.id, question="Q ?", planned_minutes=5)
    cafes.open_round(store, old.id, round_.id)
    add_idea(store, old, "Ancienne idée")
    recent, _ = make_cafe(store)
    add_idea(store, recent, "Idée récente")
    documents.generate(store, old.id, "synthese", render=renderer(**OPTIONS))
    report = rgpd.purge_expired(store, 365, today=date(2026, 12, 1))
    assert (report.cafes, report.contributions) == (["Ancien"], 1)
    assert store.contributions.in_cafe(old.id, include_deleted=True) == []
    assert len(store.contributions.in_cafe(recent.id)) == 1
    assert [d.kind for d in store.documents.in_cafe(old.id)] == ["synthese"]
    with pytest.raises(InvalidInput):
        rgpd.purge_expired(store, 0)
