"""Two levels: themes over groups (sub-themes). The pure model's theme corrections on hand-built
versions, the use cases on SQLite and PostgreSQL (a re-run keeps a person's theme work), the
payload of versions saved before themes, and the synthesis PDF's themes (pypdf text)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from exports.pdf.synthesis import synthesis_pdf
from facilitation.adapters.storage.harvest_payload import version_from, version_payload
from facilitation.adapters.topics import themes as theming
from facilitation.domain import harvest_versions as model
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import HarvestVersion, ThemeGroup, TopicGroup
from facilitation.services import harvest, records, synthesis, votes
from facilitation.services.snapshot import load_snapshot
from tests.conftest import add_idea, make_cafe
from tests.fakes import KeywordGrouper
from tests.pdfs import pdf_text

RUN = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
# The version `current`'s columns of its database row, beside the payload.
VERSION_ROW = {
    "id": "v1",
    "harvest_id": "h",
    "number": 1,
    "created_at": RUN,
    "author": "organisateur",
    "note": "Regroupement automatique",
}


def group(key: str, parent: str, *members: str) -> TopicGroup:
    return TopicGroup(key, key.upper(), (f"mot-{key}",), members, members[:1], cohesion=0.5, parent=parent)


@pytest.fixture
def current() -> HarvestVersion:
    """Theme h1 holds t1 and t2, theme h2 holds t3."""
    return HarvestVersion(
        **VERSION_ROW,
        topics=(group("t1", "h1", "a", "b"), group("t2", "h1", "c"), group("t3", "h2", "d", "e")),
        set_aside=(),
        coordinates={},
        method={"engine": "test"},
        themes=(ThemeGroup("h1", "Se chauffer"), ThemeGroup("h2", "Les parties communes")),
    )


def parents(v: HarvestVersion) -> dict[str, str]:
    return {t.key: t.parent for t in v.topics}


# -- the pure model --------------------------------------------------------------------------------
def test_renaming_a_theme_is_a_new_version_that_keeps_its_sub_themes(current):
    renamed = model.rename_theme(current, "h1", "  Le chauffage  ", now=NOW)
    assert renamed.number == 2 and renamed.note == "Thème « Se chauffer » renommé en « Le chauffage »"
    assert renamed.theme("h1") == ThemeGroup("h1", "Le chauffage", renamed=True)
    assert parents(renamed) == parents(current) and renamed.topics == current.topics
    assert current.theme("h1").label == "Se chauffer"  # the version it started from is untouched
    with pytest.raises(InvalidInput):
        model.rename_theme(current, "h1", "   ", now=NOW)
    with pytest.raises(NotFound):
        model.rename_theme(current, "h9", "Autre", now=NOW)


def test_merging_themes_puts_every_sub_theme_under_the_first(current):
    merged = model.merge_themes(current, ["h2", "h1"], "Le logement", now=NOW)
    assert [t.key for t in merged.themes] == ["h2"]
    assert merged.theme("h2") == ThemeGroup("h2", "Le logement", renamed=True)
    assert set(parents(merged).values()) == {"h2"}
    assert [t.contribution_ids for t in merged.topics] == [t.contribution_ids for t in current.topics]
    with pytest.raises(InvalidInput, match="au moins deux thèmes"):
        model.merge_themes(current, ["h1", "h1"], now=NOW)


def test_splitting_a_theme_makes_a_new_theme_of_the_chosen_sub_themes(current):
    split = model.split_theme(current, "h1", ["t2"], now=NOW)
    new = next(t for t in split.themes if t.key not in {"h1", "h2"})
    assert [t.key for t in split.themes] == ["h1", new.key, "h2"]  # the new one follows the old
    assert (new.label, new.renamed) == ("T2", False)  # named after its largest sub-theme
    assert parents(split) == {"t1": "h1", "t2": new.key, "t3": "h2"}
    named = model.split_theme(current, "h1", ["t2"], "Les radiateurs", now=NOW)
    assert any(t.label == "Les radiateurs" and t.renamed for t in named.themes)
    for leaving in ([], ["t1", "t2"], ["t3"]):  # none, all of them, or one of another theme
        with pytest.raises(InvalidInput, match="une partie seulement"):
            model.split_theme(current, "h1", leaving, now=NOW)


def test_moving_a_sub_theme_changes_its_theme_and_an_emptied_theme_goes(current):
    moved = model.move_topic(current, "t3", "h1", now=NOW)
    assert parents(moved) == {"t1": "h1", "t2": "h1", "t3": "h1"}
    assert [t.key for t in moved.themes] == ["h1"]  # « Les parties communes » had no other group
    assert moved.note == "« T3 » déplacé vers le thème « Se chauffer »"
    with pytest.raises(InvalidInput, match="déjà dans le thème"):
        model.move_topic(current, "t1", "h1", now=NOW)


def test_group_corrections_keep_the_theme(current):
    pieces = [TopicGroup("t7", "A", (), ("a",), ("a",)), TopicGroup("t8", "B", (), ("b",), ("b",))]
    assert parents(model.split(current, "t1", pieces, now=NOW))["t7"] == "h1"
    assert parents(model.merge(current, ["t3", "t1"], now=NOW)) == {"t2": "h1", "t3": "h2"}
    moved_out = model.move(current, "c", "t1", now=NOW)  # t2 emptied: gone, h1 still has t1
    assert [t.key for t in moved_out.themes] == ["h1", "h2"]
    back = model.return_to([current, model.merge_themes(current, ["h1", "h2"], now=NOW)], 1, now=NOW)
    assert back.themes == current.themes and parents(back) == parents(current)


def test_a_group_brought_back_returns_to_its_theme_or_to_a_theme_of_its_own(current):
    lost = group("t5", "h2", "d")
    listed = model._corrected(current, "Relance", current.topics, now=NOW, unmatched=[lost])
    back = model.bring_back(listed, "t5", now=NOW)
    assert back.topic("t5").parent == "h2" and [t.key for t in back.themes] == ["h1", "h2"]
    orphan = replace(lost, key="t6", parent="h9")  # its theme is gone
    listed = model._corrected(current, "Relance", current.topics, now=NOW, unmatched=[orphan])
    back = model.bring_back(listed, "t6", now=NOW)
    theme = back.theme(back.topic("t6").parent)
    assert theme.label == orphan.label and theme.key not in {"h1", "h2", "h9"}


def test_a_rerun_keeps_theme_assignment_and_leaves_new_groups_without_one(current):
    moved = model.move_topic(current, "t2", "h2", now=NOW)
    found = [
        TopicGroup("t9", "X", (), ("a", "b", "new1"), ("a",)),
        TopicGroup("t10", "Y", (), ("new2", "new3"), ("new2",)),
    ]
    topics, _ = model.keep_groups(moved, found, [], ["a", "b", "c", "d", "e", "new1", "new2", "new3"])
    assert {t.key: t.parent for t in topics} == {"t1": "h1", "t2": "h2", "t3": "h2", "t10": ""}
    # « Regrouper à neuf »: a new group continuing an old one takes its theme too.
    afresh = [TopicGroup("t11", "Z", (), ("c", "d", "e"), ("c",)), TopicGroup("t12", "W", (), ("a", "b"), ())]
    carried, _ = model.carry_over(afresh, moved)
    assert {t.key: t.parent for t in carried} == {"t3": "h2", "t1": "h1"}


def test_versions_saved_before_themes_still_load_and_themes_round_trip(current):
    def row(payload: dict) -> SimpleNamespace:
        return SimpleNamespace(**VERSION_ROW, payload=payload)

    payload = version_payload(current)
    assert version_from(row(payload)) == current
    old = {k: v for k, v in payload.items() if k != "themes"}
    old["topics"] = [{k: v for k, v in t.items() if k != "parent"} for t in payload["topics"]]
    loaded = version_from(row(old))
    assert loaded.themes == () and {t.parent for t in loaded.topics} == {""}


def test_themes_join_groups_that_share_words_and_are_titled_by_residents_phrases():
    groups = [
        ["L'ascenseur est en panne", "Panne d'ascenseur au 3e"],
        ["L'ascenseur est trop lent", "Ascenseur bloqué"],
        ["Le tri des déchets", "Poubelles du tri qui débordent"],
        ["Tri des déchets mal fait", "Bacs de tri trop petits"],
    ]
    assert theming.cluster(groups) == [0, 0, 1, 1]
    assert theming.nearest([["Encore une panne d'ascenseur"]], [groups[0], groups[2]]) == [0]
    assert theming.nearest([["Le parking"]], [groups[0]]) == [None]
    titles = theming.titles([groups[0] + groups[1], groups[2] + groups[3]])
    assert titles[1] == "Tri des déchets" and "scenseur" in titles[0]


# -- use cases, on both databases --------------------------------------------------------------------
GROUPER = ["chauffage", "radiateur", "ascenseur", "escalier"]


def heated(store):
    cafe, _ = make_cafe(store)
    for text, table in (
        ("Le chauffage est froid dans les logements", 1),
        ("Le chauffage coûte cher, logements froids", 2),
        ("Le radiateur est froid dans les logements", 1),
        ("Un radiateur froid, logements humides", 2),
        ("L'ascenseur des parties communes tombe en panne", 1),
        ("Ascenseur en panne : parties communes sales", 2),
        ("L'escalier des parties communes est sale", 1),
        ("Éclairage de l'escalier des parties communes en panne", 2),
    ):
        add_idea(store, cafe, text, table=table)
    scope = harvest.scope_of([cafe.id])
    return cafe, scope, harvest.run_harvest(store, KeywordGrouper(GROUPER), scope)


def by_label(v: HarvestVersion) -> dict[str, str]:
    """Group label -> its theme's label."""
    return {t.label: v.theme(t.parent).label for t in v.topics}


def test_a_run_puts_every_group_under_a_theme_titled_by_what_residents_wrote(store):
    _, scope, first = heated(store)
    themes = by_label(first)
    assert len(first.themes) == 2 and len(first.topics) == 4
    assert themes["Chauffage"] == themes["Radiateur"] != themes["Ascenseur"] == themes["Escalier"]
    assert {t.label for t in first.themes} == {"Parties communes", "Logements froids"}
    assert harvest.latest_version(store, scope) == first  # stored and read back as it was


def test_theme_corrections_are_versions_that_a_rerun_never_undoes(store):
    cafe, scope, first = heated(store)
    key = {t.label: t.key for t in first.topics}
    theme_of = {t.label: t.parent for t in first.topics}
    harvest.move_topic_to_theme(store, scope, key["Escalier"], theme_of["Chauffage"], based_on=1)
    harvest.rename_theme(store, scope, theme_of["Ascenseur"], "L'ascenseur", based_on=2)
    split = harvest.split_theme(store, scope, theme_of["Chauffage"], [key["Radiateur"]], based_on=3)
    assert [v.number for v in harvest.versions(store, scope)] == [1, 2, 3, 4]
    expected = by_label(split)
    assert expected["Ascenseur"] == "L'ascenseur" and expected["Radiateur"] == "Radiateur"
    assert expected["Escalier"] == expected["Chauffage"] != expected["Radiateur"]

    assert harvest.run_harvest(store, KeywordGrouper(GROUPER), scope) == split  # nothing new
    add_idea(store, cafe, "Un radiateur en panne au 2e", table=2)
    add_idea(store, cafe, "Les boîtes aux lettres des parties communes sont cassées", table=1)
    grown = harvest.run_harvest(store, KeywordGrouper([*GROUPER, "lettres"]), scope)
    assert grown.number == 5
    themes = by_label(grown)
    assert {label: themes[label] for label in expected} == expected
    # The new group joins the theme whose words are closest: the lift's « parties communes ».
    assert themes["Lettres"] == "L'ascenseur"
    afresh = harvest.run_harvest(store, KeywordGrouper([*GROUPER, "lettres"]), scope, afresh=True)
    assert by_label(afresh) == themes

    merged = harvest.merge_themes(store, scope, [t.key for t in afresh.themes], "Le bâtiment")
    assert {t.label for t in merged.themes} == {"Le bâtiment"}
    with pytest.raises(InvalidInput):
        harvest.split_theme(store, scope, merged.themes[0].key, [], based_on=merged.number)


def test_a_theme_agrees_as_its_sub_themes_together_and_the_pdf_shows_both_levels(store):
    cafe, scope, _ = heated(store)
    ideas = {c.text: c for c in harvest.scope_data(store, scope).contributions.values()}
    for text, table, agree in (
        ("Le chauffage est froid dans les logements", 1, 6),
        ("Un radiateur froid, logements humides", 2, 5),
    ):
        votes.record_hands(
            store,
            cafe_id=cafe.id,
            table_number=table,
            contribution_id=ideas[text].id,
            agree=agree,
            disagree=0,
            unsure=0,
        )
    made = synthesis.cafe_synthesis(store, cafe.id)
    theme = next(t for t in made.themes if t.label == "Logements froids")
    assert [t.label for t in theme.topics] == ["Chauffage", "Radiateur"]
    # 6 and 5 opinions are too few for either sub-theme; together, 11 make the theme's consensus.
    assert [t.opinion.label_text for t in theme.topics] == ["trop peu d'avis"] * 2
    assert theme.opinion.tally.agree == 11 == sum(t.opinion.tally.agree for t in theme.topics)
    assert theme.opinion.label_text == "consensus (d'accord)"
    assert theme.provenance.text() == "4 habitants · 2 tables · tour 1 · 0 soutien"

    text = pdf_text(synthesis_pdf(made))
    section = text[text.index("Thèmes et sous-thèmes") :]
    assert (
        "Logements froids 4 habitants · 2 tables · tour 1 · 0 soutien Avis : consensus (d'accord)" in section
    )
    assert "— Chauffage 2 habitants · 2 tables · tour 1 · 0 soutien · avis : " in section
    assert (
        section.index("Logements froids") < section.index("— Radiateur") < section.index("Parties communes")
    )
    # The groups' CSV/XLSX/JSON rows say each group's theme.
    rows = {r["groupe"]: r["theme_du_groupe"] for r in records.topic_records(load_snapshot(store, cafe.id))}
    assert rows == {
        "Chauffage": "Logements froids",
        "Radiateur": "Logements froids",
        "Ascenseur": "Parties communes",
        "Escalier": "Parties communes",
    }
