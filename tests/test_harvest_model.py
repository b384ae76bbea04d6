"""The harvest's pure model on hand-built versions: no database, no grouping model, milliseconds.

test_harvest.py runs the same rules end to end through the use cases, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from facilitation.domain import harvest_versions as model
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import HarvestVersion, TopicGroup

RUN = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)


def group(key: str, *members: str, label: str = "", **marks) -> TopicGroup:
    """A topic as a run leaves it: its first member as quote, a cohesion until a person edits it."""
    return TopicGroup(key, label or key.upper(), (f"mot-{key}",), members, members[:1], cohesion=0.5, **marks)


def version(*topics: TopicGroup, number: int = 1, set_aside=(), unsorted=(), unmatched=()) -> HarvestVersion:
    return HarvestVersion(
        id=f"v{number}",
        harvest_id="h1",
        number=number,
        created_at=RUN,
        author="organisateur",
        note="Regroupement automatique",
        topics=topics,
        set_aside=tuple(set_aside),
        coordinates={"a": [0.0, 1.0]},
        method={"engine": "test"},
        unsorted=tuple(unsorted),
        unmatched=tuple(unmatched),
    )


def members(v: HarvestVersion) -> dict[str, tuple[str, ...]]:
    return {t.key: t.contribution_ids for t in v.topics}


@pytest.fixture
def current() -> HarvestVersion:
    return version(group("t1", "a", "b", "c"), group("t2", "d", "e"), group("t3", "f"), unsorted=["u"])


# -- corrections ---------------------------------------------------------------------------------
def test_a_correction_is_the_next_version_and_keeps_the_map_and_the_method(current):
    renamed = model.rename(current, "t1", "  Se chauffer  ", now=NOW)
    assert (renamed.number, renamed.harvest_id, renamed.created_at) == (2, "h1", NOW)
    assert renamed.id != current.id and renamed.note == "« T1 » renommé en « Se chauffer »"
    assert renamed.coordinates == current.coordinates and renamed.method == current.method
    assert renamed.unsorted == ("u",) and renamed.set_aside == ()
    assert current.topic("t1").label == "T1"  # the version it started from is left as it was


def test_rename_marks_the_title_as_a_persons_and_touches_no_other_topic(current):
    renamed = model.rename(current, "t2", "Ascenseur", now=NOW)
    assert renamed.topic("t2").label == "Ascenseur" and renamed.topic("t2").renamed
    assert renamed.topic("t2").contribution_ids == ("d", "e")
    assert renamed.topic("t1") == current.topic("t1") and renamed.topic("t3") == current.topic("t3")


@pytest.mark.parametrize(
    ("key", "label", "error", "message"),
    [("t9", "Nom", NotFound, "Ce groupe n'existe pas"), ("t1", "   ", InvalidInput, "est vide")],
)
def test_rename_refuses_an_unknown_topic_or_an_empty_title(current, key, label, error, message):
    with pytest.raises(error, match=message):
        model.rename(current, key, label, now=NOW)


def test_merge_keeps_the_first_key_every_member_and_any_mark(current):
    marked = version(group("t1", "a", "b"), group("t2", "c", kept=True), group("t3", "d"))
    merged = model.merge(marked, ["t1", "t2"], "Bâtiment", now=NOW)
    assert [t.key for t in merged.topics] == ["t1", "t3"]
    combined = merged.topic("t1")
    assert combined.contribution_ids == ("a", "b", "c") and combined.representative_ids == ("a", "c")
    assert (combined.label, combined.renamed, combined.kept, combined.cohesion) == (
        "Bâtiment",
        True,
        True,
        None,
    )
    assert combined.keywords == ("mot-t1", "mot-t2")
    assert merged.note == "Fusion de « T1 » + « T2 »"


def test_merge_without_a_title_keeps_the_first_topics_title_unmarked(current):
    merged = model.merge(current, ["t2", "t1"], now=NOW)
    assert merged.topic("t2").label == "T2" and not merged.topic("t2").renamed
    assert members(merged) == {"t2": ("d", "e", "a", "b", "c"), "t3": ("f",)}


@pytest.mark.parametrize(
    ("keys", "error", "message"),
    [
        (["t1"], InvalidInput, "au moins deux"),
        (["t1", "t1"], InvalidInput, "au moins deux"),
        (["t1", "t9"], NotFound, "Ce groupe n'existe pas"),
    ],
)
def test_merge_needs_two_existing_topics(current, keys, error, message):
    with pytest.raises(error, match=message):
        model.merge(current, keys, now=NOW)


def test_split_puts_the_pieces_where_the_topic_was(current):
    assert model.topic_to_split(current, "t1", 3) == current.topic("t1")
    pieces = [group("t4", "a", "c"), group("t5", "b")]
    split = model.split(current, "t1", pieces, now=NOW)
    assert [t.key for t in split.topics] == ["t4", "t5", "t2", "t3"]
    assert split.note == "« T1 » coupé en 2 groupes"


@pytest.mark.parametrize(
    ("key", "parts", "error", "message"),
    [
        ("t1", 1, InvalidInput, "impossible de le couper"),
        ("t1", 4, InvalidInput, "Ce groupe compte 3 contributions"),
        ("t9", 2, NotFound, "Ce groupe n'existe pas"),
    ],
)
def test_a_split_is_checked_before_any_grouping(current, key, parts, error, message):
    with pytest.raises(error, match=message):
        model.topic_to_split(current, key, parts)


def test_move_takes_a_contribution_out_of_its_topic_into_another(current):
    moved = model.move(current, "a", "t2", now=NOW)
    assert members(moved) == {"t1": ("b", "c"), "t2": ("d", "e", "a"), "t3": ("f",)}
    assert moved.topic("t1").representative_ids == ()  # "a" was its quote
    # Cohesion was measured on the old members: only the untouched topic keeps it.
    assert [t.cohesion for t in moved.topics] == [None, None, 0.5]
    assert moved.note == "Contribution déplacée vers « T2 »"


def test_move_places_a_contribution_waiting_to_be_sorted_or_set_aside():
    waiting = version(group("t1", "a"), set_aside=["s"], unsorted=["u"])
    placed = model.move(model.move(waiting, "u", "t1", now=NOW), "s", "t1", now=NOW)
    assert members(placed) == {"t1": ("a", "u", "s")}
    assert placed.unsorted == () and placed.set_aside == () and placed.number == 3


def test_a_topic_emptied_by_a_move_disappears(current):
    assert [t.key for t in model.move(current, "f", "t1", now=NOW).topics] == ["t1", "t2"]


@pytest.mark.parametrize(
    ("contribution", "to_key", "message"),
    [("a", "t9", "Ce groupe n'existe pas"), ("inconnue", "t2", "ne fait pas partie")],
)
def test_move_refuses_a_missing_topic_or_a_contribution_outside_the_harvest(
    current, contribution, to_key, message
):
    with pytest.raises(NotFound, match=message):
        model.move(current, contribution, to_key, now=NOW)


def test_put_aside_takes_a_contribution_out_of_every_topic_and_list(current):
    aside = model.put_aside(model.put_aside(current, "d", now=NOW), "u", now=NOW)
    assert members(aside) == {"t1": ("a", "b", "c"), "t2": ("e",), "t3": ("f",)}
    assert aside.set_aside == ("d", "u") and aside.unsorted == ()
    assert aside.note == "Contribution mise de côté (hors sujet)"


@pytest.mark.parametrize("contribution", ["inconnue", "s"])
def test_put_aside_refuses_what_is_not_in_a_group_or_already_aside(contribution):
    with pytest.raises(NotFound, match="n'est dans aucun groupe"):
        model.put_aside(version(group("t1", "a"), set_aside=["s"]), contribution, now=NOW)


def test_keep_marks_exactly_the_given_topics():
    marked = version(group("t1", "a", kept=True), group("t2", "b"), group("t3", "c"))
    kept = model.keep(marked, ["t2", "t3"], now=NOW)
    assert [t.kept for t in kept.topics] == [False, True, True]
    assert kept.note == "2 groupes retenus pour les fiches"
    assert [t.kept for t in model.keep(kept, [], now=NOW).topics] == [False, False, False]
    with pytest.raises(NotFound, match="Ce groupe n'existe pas"):
        model.keep(marked, ["t1", "t9"], now=NOW)


def test_an_unmatched_group_comes_back_with_its_key_title_and_mark():
    lost = group("t1", "a", "b", "gone", label="Se chauffer", kept=True, renamed=True)
    after_rerun = version(group("t4", "a", "c"), group("t5", "d"), set_aside=["b"], unmatched=[lost])
    restored = model.bring_back(after_rerun, "t1", now=NOW)
    back = restored.topic("t1")
    assert (back.label, back.kept, back.renamed, back.cohesion) == ("Se chauffer", True, True, None)
    assert back.contribution_ids == ("a", "b")  # "gone" left the scope since
    assert members(restored) == {"t4": ("c",), "t5": ("d",), "t1": ("a", "b")}
    assert restored.set_aside == () and restored.unmatched == ()
    assert restored.note == "« Se chauffer » rétabli"


def test_an_unmatched_group_is_restored_only_if_listed_and_still_has_members():
    with pytest.raises(NotFound, match="non retrouvés"):
        model.bring_back(version(group("t1", "a")), "t1", now=NOW)
    emptied = version(group("t4", "a"), unmatched=[group("t1", "x", "y", kept=True)])
    with pytest.raises(InvalidInput, match="Aucune contribution"):
        model.bring_back(emptied, "t1", now=NOW)


def test_returning_to_an_earlier_version_adds_a_version_after_the_last(current):
    later = model.merge(current, ["t1", "t2"], now=NOW)
    back = model.return_to([current, later], 1, now=NOW)
    assert back.number == 3 and back.topics == current.topics and back.unsorted == current.unsorted
    assert back.note == "Retour à la version 1"
    with pytest.raises(NotFound, match="La version 7 n'existe pas"):
        model.return_to([current, later], 7, now=NOW)


# -- a re-run carries a person's work over ---------------------------------------------------------
def test_a_matched_group_keeps_its_key_the_persons_title_and_its_mark():
    previous = version(
        group("t1", "a", "b", "c", label="Se chauffer", kept=True, renamed=True), group("t2", "d")
    )
    machine = [group("t3", "a", "b", "c", "new", label="Chauffage"), group("t4", "d", "e", label="Ascenseur")]
    carried, lost = model.carry_over(machine, previous)
    assert [(t.key, t.label, t.renamed, t.kept) for t in carried] == [
        ("t1", "Se chauffer", True, True),  # the person's title wins over the machine's
        ("t2", "Ascenseur", False, False),  # a machine title follows the new grouping
    ]
    assert carried[0].contribution_ids == ("a", "b", "c", "new") and lost == []


def test_a_guided_runs_names_win_over_older_ones():
    previous = version(group("t1", "a", "b", label="Ancien nom", renamed=True))
    carried, _ = model.carry_over([group("t2", "a", "b", label="Thème de l'atelier", renamed=True)], previous)
    assert (carried[0].key, carried[0].label) == ("t1", "Thème de l'atelier")


def test_a_group_that_grew_with_new_contributions_is_still_recognised():
    previous = version(group("t1", "a", "b", kept=True))
    grown = [group("t2", "a", "b", "n1", "n2", "n3")]  # 2 of 5 in common, but all 3 others are new
    carried, lost = model.carry_over(grown, previous)
    assert carried[0].key == "t1" and carried[0].kept and lost == []


def test_groups_are_matched_one_to_one_and_a_retained_group_found_nowhere_is_listed():
    previous = version(
        group("t1", "a", "b", kept=True),
        group("t2", "c", "d", kept=True),
        group("t3", "e", "f", renamed=True),
        group("t4", "g", "h"),
    )
    # The new grouping merges t1 and t2 and scatters t3 and t4.
    new = [group("t5", "a", "b", "c", "d"), group("t6", "e", "g"), group("t7", "f", "h")]
    carried, lost = model.carry_over(new, previous)
    continued = [t.key for t in carried if t.key in {"t1", "t2"}]
    assert len(continued) == 1  # one old group per new group, never two
    assert {t.key for t in lost} == ({"t1", "t2"} - set(continued)) | {"t3"}  # t4 carried no work
    assert [t.key for t in carried][1:] == ["t6", "t7"]  # under half in common: new keys


def test_a_group_cut_in_two_halves_is_continued_by_one_of_them_only():
    previous = version(group("t1", "a", "b", "c", "d", label="Se chauffer", renamed=True, kept=True))
    carried, lost = model.carry_over([group("t2", "a", "b"), group("t3", "c", "d")], previous)
    assert sorted(t.key for t in carried) in (["t1", "t3"], ["t1", "t2"])  # never t1 twice
    assert [t.label for t in carried if t.key == "t1"] == ["Se chauffer"] and lost == []


def test_a_first_run_carries_nothing_over():
    topics = [group("t1", "a")]
    assert model.carry_over(topics, None) == (topics, [])


def test_fresh_keys_are_never_used_before_in_the_harvest():
    first = version(group("t1", "a"), group("t3", "b"))
    later = version(group("t2", "a"), number=2, unmatched=[group("t7", "b")])
    keys = model.fresh_keys([first, later])
    assert [next(keys), next(keys)] == ["t8", "t9"]
    assert next(model.fresh_keys([])) == "t1"


def test_a_groupings_topics_become_groups_under_fresh_keys():
    grouping = SimpleNamespace(
        topics=[
            SimpleNamespace(
                label="Chauffage", keywords=["froid"], members=[2, 0], representatives=[2], cohesion=0.7
            )
        ]
    )
    (topic,) = model.topics_from(grouping, ["a", "b", "c"], iter(["t5"]))
    assert (topic.key, topic.label, topic.keywords, topic.cohesion) == ("t5", "Chauffage", ("froid",), 0.7)
    assert topic.contribution_ids == ("c", "a") and topic.representative_ids == ("c",)


def test_a_rerun_starts_from_the_current_groups_and_knows_what_is_new():
    previous = version(group("t1", "a", "b", "c", "d"), group("t2", "e", "f"), unsorted=("g",))
    assert model.start_from(previous, ["a", "e", "g", "new"]) == [0, 1, -1, None]
    assert model.start_from(None, ["a"]) is None
    assert model.nothing_new(previous, ["a", "b", "c", "d", "e", "f", "g"])
    assert not model.nothing_new(previous, ["a", "b", "c", "d", "e", "f", "g", "new"])
    assert not model.nothing_new(previous, ["a", "b", "c", "d", "e", "f"])  # one gone: groups change
    assert not model.nothing_new(None, ["a"])


def test_a_rerun_places_new_contributions_and_moves_nobody():
    previous = version(
        group("t1", "a", "b", "c"), group("t2", "d", "e"), group("t3", "f", "g"), unsorted=("h",)
    )
    # The grouping mixes old groups up; only where the new ones land matters.
    found = [
        group("t9", "a", "d", "e", "n1"),  # n1's neighbours: mostly t2
        group("t10", "b", "c", "f", "g", "h"),
        group("t11", "n2", "n3"),  # all new: a new group
    ]
    topics, unsorted = model.keep_groups(
        previous, found, ["n4"], ["a", "b", "c", "d", "e", "f", "g", "h", "n1", "n2", "n3", "n4"]
    )
    assert [(t.key, t.contribution_ids) for t in topics] == [
        ("t1", ("a", "b", "c")),
        ("t2", ("d", "e", "n1")),
        ("t3", ("f", "g")),
        ("t11", ("n2", "n3")),
    ]
    assert topics[0] is previous.topics[0] and topics[1].cohesion is None
    assert unsorted == ["h", "n4"]
    gone, _ = model.keep_groups(
        previous, [group("t9", "a", "b", "d", "e", "f", "g", "h")], [], ["a", "d", "e", "f", "g", "h"]
    )
    assert [t.contribution_ids for t in gone] == [("a",), ("d", "e"), ("f", "g")]


# -- confirmation before a re-run changes retained groups --------------------------------------------
def test_new_contributions_joining_a_retained_group_need_no_confirmation():
    previous = version(group("t1", "a", "b", kept=True), group("t2", "c"))
    rerun = model.next_version(
        previous,
        "relance",
        now=NOW,
        topics=[group("t1", "a", "b", "new"), group("t2", "c")],
        set_aside=[],
        coordinates={},
        method={},
    )
    plan = model.RerunPlan.after(previous, rerun)
    assert plan.changes == [] and plan.confirmed_version(None) is rerun


def test_a_rerun_that_changes_retained_groups_waits_for_this_very_confirmation():
    previous = version(
        group("t1", "a", "b", "c", label="Chauffage", kept=True),
        group("t2", "d", "e", label="Ascenseur", kept=True),
        group("t3", "f", label="Jardin"),
    )
    rerun = model.next_version(
        previous,
        "relance",
        now=NOW,
        topics=[group("t1", "a", "b", "f"), group("t4", "c", "d", "e")],
        set_aside=[],
        coordinates={},
        method={},
    )
    plan = model.RerunPlan.after(previous, rerun)
    assert plan.changes == [
        "« Chauffage » : 1 contribution d'un autre groupe en plus et 1 contribution en moins",
        "« Ascenseur » ne serait plus retrouvé (il resterait listé, restaurable)",
    ]
    for token in (None, "a-stale-token"):
        with pytest.raises(model.ConfirmationNeeded, match="Chauffage") as asked:
            plan.confirmed_version(token)
        assert asked.value.plan is plan
    assert plan.confirmed_version(plan.token) is rerun
    other = model.RerunPlan(rerun, plan.changes[:1])
    assert other.token != plan.token  # a different outcome needs a new confirmation


def test_the_first_version_starts_the_numbering_and_drops_empty_topics():
    first = model.next_version(
        None,
        "premier",
        now=NOW,
        topics=[group("t1", "a"), group("t2")],
        set_aside=["s"],
        coordinates={},
        method={},
    )
    assert (first.number, first.harvest_id, first.created_at) == (1, "", NOW)
    assert [t.key for t in first.topics] == ["t1"] and first.set_aside == ("s",)
