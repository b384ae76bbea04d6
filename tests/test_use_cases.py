"""The use cases' rules on the in-memory unit of work: no database, milliseconds per test.

The same rules run against SQLite and PostgreSQL in test_cafes.py, test_contributions.py and
test_rgpd.py; these check the rules themselves, and that each use case is one transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from facilitation.domain.errors import Conflict, InvalidInput, NotAccepting
from facilitation.domain.model import HarvestVersion, Source, TopicGroup
from facilitation.services import cafes, harvest, rgpd, synthesis
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import FakeAudit, FakeHarvests, FakeTrust, FakeUnitOfWork, KeywordGrouper

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_rounds_are_numbered_in_order_and_only_one_is_open(uow):
    cafe, rounds = make_cafe(uow, rounds=3)
    assert [r.position for r in cafes.list_rounds(uow, cafe.id)] == [1, 2, 3]
    cafes.open_round(uow, cafe.id, rounds[2].id, now=NOW)
    assert [r.id for r in cafes.list_rounds(uow, cafe.id) if r.is_open] == [rounds[2].id]
    assert cafes.get_round(uow, cafe.id, rounds[0].id).closed_at == NOW


def test_a_round_with_contributions_cannot_be_deleted(uow):
    cafe, rounds = make_cafe(uow)
    add_idea(uow, cafe, "Des bancs")
    with pytest.raises(InvalidInput, match="contient déjà"):
        cafes.delete_round(uow, cafe.id, rounds[0].id)
    cafes.delete_round(uow, cafe.id, rounds[1].id)
    assert [r.id for r in cafes.list_rounds(uow, cafe.id)] == [rounds[0].id]


def test_closing_a_cafe_is_undone_whole_when_its_audit_row_fails(uow, monkeypatch):
    cafe, _ = make_cafe(uow)
    commits = uow.commits
    monkeypatch.setattr(FakeAudit, "add", lambda self, event: (_ for _ in ()).throw(RuntimeError("panne")))
    with pytest.raises(RuntimeError):
        cafes.close_cafe(uow, cafe.id)
    assert not committed(uow).cafes.get(cafe.id).is_closed and committed(uow).cafes.rounds(cafe.id)[0].is_open
    assert uow.commits == commits


def test_a_use_case_commits_once_and_a_refused_one_not_at_all(uow):
    cafe, _ = make_cafe(uow)
    before = uow.commits
    cafes.close_cafe(uow, cafe.id)
    with pytest.raises(NotAccepting):
        add_idea(uow, cafe, "Trop tard")
    assert uow.commits == before + 1


def test_the_same_text_from_a_table_is_stored_once(uow):
    cafe, _ = make_cafe(uow)
    first = add_idea(uow, cafe, "Un jardin partagé")
    again = add_idea(uow, cafe, "Un jardin partagé")
    other_table = add_idea(uow, cafe, "Un jardin partagé", table=2)
    from_a_phone = add_idea(uow, cafe, "Un jardin partagé", source=Source.RESIDENT)
    assert again.id == first.id and other_table.id != first.id and from_a_phone.id != first.id
    assert len(committed(uow).contributions.in_cafe(cafe.id)) == 3


def test_the_use_cases_stamp_what_they_record_with_the_clock_of_the_unit_of_work():
    uow = FakeUnitOfWork(clock=lambda: NOW)
    cafe, rounds = make_cafe(uow)
    idea = add_idea(uow, cafe, "Chauffage froid")
    add_idea(uow, cafe, "Un jardin partagé")
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(uow, KeywordGrouper(["chauffage", "jardin"]), scope)
    renamed = harvest.rename_topic(uow, scope, first.topics[0].key, "Se chauffer", based_on=1)
    closed = cafes.close_round(uow, cafe.id, rounds[0].id)
    assert {cafe.created_at, idea.created_at, first.created_at, renamed.created_at, closed.closed_at} == {NOW}
    assert cafes.get_round(uow, cafe.id, rounds[0].id).opened_at == NOW
    assert synthesis.cafe_synthesis(uow, cafe.id, timezone="UTC").generated_at == NOW
    assert {event.at for event in uow.rows.audit} == {NOW}  # the audit log agrees with the records


def test_a_stale_harvest_save_is_a_conflict(uow):
    cafe, _ = make_cafe(uow)
    scope = harvest.scope_of([cafe.id])
    with uow:
        harvest_id = uow.harvests.id_for(scope, NOW)
        version = HarvestVersion("v1", harvest_id, 1, NOW, "organisateur", "", (), (), {}, {})
        uow.harvests.add_version(version)
    with pytest.raises(Conflict, match="Quelqu'un vient d'enregistrer"), uow:
        uow.harvests.add_version(replace(version, id="v1bis"))
    assert [v.id for v in harvest.versions(uow, scope)] == ["v1"]


def test_erasing_a_contribution_scrubs_it_from_every_harvest_version(uow):
    cafe, _ = make_cafe(uow)
    kept, erased = add_idea(uow, cafe, "Des bancs de bois"), add_idea(uow, cafe, "Chez M. Durand")
    topic = TopicGroup("t", "Bancs de Durand", ("bancs", "durand"), (kept.id, erased.id), (erased.id,))
    note = "« Bancs » renommé en « Bancs de Durand »"
    with uow:
        harvest_id = uow.harvests.id_for(harvest.scope_of([cafe.id]), NOW)
        coordinates = {kept.id: [0, 0], erased.id: [1, 1]}
        version = HarvestVersion("v1", harvest_id, 1, NOW, "o", note, (topic,), (erased.id,), coordinates, {})
        uow.harvests.add_version(version)
    rgpd.erase_contribution(uow, cafe.id, erased.id)
    (scrubbed,) = committed(uow).harvests.versions(harvest_id)
    assert scrubbed.topics[0].contribution_ids == (kept.id,) and scrubbed.topics[0].representative_ids == ()
    assert scrubbed.set_aside == () and list(scrubbed.coordinates) == [kept.id]
    assert committed(uow).contributions.get(erased.id) is None and uow.rows.erased == {
        erased.id: "contribution"
    }
    # Only the erased text said « Durand »: its name, keyword and note lose it; « de » and « Bancs »,
    # which the kept contribution has too, stay.
    assert (scrubbed.topics[0].label, scrubbed.topics[0].keywords) == ("Bancs de [effacé]", ("bancs",))
    assert scrubbed.note == "« Bancs » renommé en « Bancs de [effacé] »"
    assert uow.wipes == 1  # the files' free space overwritten, after the erasure committed


def test_erasing_a_cafe_removes_the_harvests_shared_with_other_cafes(uow):
    cafe, _ = make_cafe(uow)
    other, _ = make_cafe(uow)
    add_idea(uow, cafe, "Des bancs")
    with uow:
        shared = uow.harvests.id_for(harvest.scope_of([cafe.id, other.id]), NOW)
        alone = uow.harvests.id_for(harvest.scope_of([other.id]), NOW)
    rgpd.erase_cafe(uow, cafe.id, confirm_title="Café des Tilleuls")
    assert list(committed(uow).harvests.scopes()) == [alone] and shared not in uow.rows.harvests
    assert committed(uow).cafes.get(cafe.id) is None and committed(uow).cafes.tables(cafe.id) == []
    assert committed(uow).contributions.in_cafe(cafe.id, include_deleted=True) == []


def counted_reads(monkeypatch, reads: Counter) -> None:
    """Count the harvest's version reads and flagged-name reads, noting which were made in a writer."""
    for repository, name in (
        (FakeHarvests, "latest"),
        (FakeHarvests, "versions"),
        (FakeTrust, "masked_names"),
    ):
        method = getattr(repository, name)

        def counted(self, *args, _method=method, _name=name, **kwargs):
            reads[_name, "writer" if self._uow.writing else "read"] += 1
            return _method(self, *args, **kwargs)

        monkeypatch.setattr(repository, name, counted)


def test_each_harvest_use_case_reads_the_latest_version_once(uow, monkeypatch):
    cafe, _ = make_cafe(uow)
    for text in ("Chauffage froid", "Chauffage cher", "Un jardin", "Jardin partagé"):
        add_idea(uow, cafe, text)
    scope = harvest.scope_of([cafe.id])
    grouper = KeywordGrouper(["chauffage", "jardin"])
    reads: Counter = Counter()
    counted_reads(monkeypatch, reads)

    first = harvest.run_harvest(uow, grouper, scope)
    reads.clear()
    commits = uow.commits
    harvest.rename_topic(uow, scope, first.topics[0].key, "Se chauffer", based_on=1)
    # Read and saved in one writer transaction: nothing can slip in between. No flagged names: the
    # audit row no longer quotes the note they would mask.
    assert reads == {("latest", "writer"): 1}
    assert uow.commits == commits + 1
    reads.clear()
    harvest.split_topic(uow, grouper, scope, first.topics[0].key, 2, based_on=2)
    assert reads == {("versions", "read"): 1, ("masked_names", "read"): 1}
    reads.clear()
    harvest.restore_version(uow, scope, 1)
    assert reads == {("versions", "writer"): 1}
    reads.clear()
    assert harvest.harvest_view(uow, scope).version.number == 4
    assert reads == {("latest", "read"): 1, ("masked_names", "read"): 1}
    reads.clear()
    harvest.run_harvest(uow, grouper, scope)
    assert reads == {("versions", "read"): 1, ("masked_names", "read"): 1}  # to group masked texts
