"""Harvest use cases on SQLite and PostgreSQL: grouping, corrections as versions, guided mapping."""

from datetime import date

import pytest

from facilitation.domain.errors import Conflict, InvalidInput, NotFound
from facilitation.services import cafes, harvest, rgpd
from facilitation.services.harvest import service
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import KeywordGrouper

COMMITTEE = "Comité Services et Qualité"

TEXTS = {
    1: ["Le chauffage est froid", "Chauffage en panne l'hiver", "Réparer l'ascenseur", "Ascenseur bloqué"],
    2: ["Un jardin partagé", "Plus de jardin", "Chauffage trop cher", "Ascenseur lent"],
}


@pytest.fixture
def grouper():
    return KeywordGrouper(["chauffage", "ascenseur", "jardin"])


@pytest.fixture
def cafe_with_ideas(store):
    cafe, rounds = make_cafe(store)
    for text in TEXTS[1]:
        add_idea(store, cafe, text, table=1)
    cafes.open_round(store, cafe.id, rounds[1].id)
    for text in TEXTS[2]:
        add_idea(store, cafe, text, table=2)
    return cafe, rounds


def labels(version):
    return {t.label: len(t.contribution_ids) for t in version.topics}


def test_a_harvest_groups_every_contribution_of_the_scope(store, grouper, cafe_with_ideas):
    cafe, rounds = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, grouper, scope)
    assert version.number == 1 and labels(version) == {"Chauffage": 3, "Ascenseur": 3, "Jardin": 2}
    view = harvest.harvest_view(store, scope)
    heating = next(t for t in view.topics if t.topic.label == "Chauffage")
    assert heating.tables == {"Table 1 — Table des 1": 2, "Table 2 — Table des 2": 1}
    assert heating.rounds == {"Tour 1": 2, "Tour 2": 1}
    only_round_two = harvest.run_harvest(store, grouper, harvest.scope_of([cafe.id], rounds[1].id))
    assert sum(labels(only_round_two).values()) == 4


def test_corrections_are_new_versions_and_survive_a_new_run(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    heating = next(t for t in first.topics if t.label == "Chauffage")
    renamed = harvest.rename_topic(store, scope, heating.key, "Se chauffer sans se ruiner")
    harvest.set_kept(store, scope, [heating.key])
    off_topic = next(c for c in committed(store).contributions.in_cafe(cafe.id) if c.text == "Ascenseur lent")
    harvest.set_aside(store, scope, off_topic.id)

    same = harvest.run_harvest(store, grouper, scope)
    assert same.number == 4 and len(harvest.versions(store, scope)) == 4  # nothing new: nothing saved
    add_idea(store, cafe, "Un jardin pour les enfants", table=2)
    rerun = harvest.run_harvest(store, grouper, scope)
    assert rerun.number == 5
    kept = next(t for t in rerun.topics if t.kept)
    assert kept.label == "Se chauffer sans se ruiner" and kept.renamed
    assert rerun.set_aside == (off_topic.id,)
    assert all(off_topic.id not in t.contribution_ids for t in rerun.topics)
    history = harvest.versions(store, scope)
    assert [v.number for v in history] == [1, 2, 3, 4, 5]
    assert harvest.harvest_view(store, scope, number=2).version.topics == renamed.topics  # still readable
    assert "renommé" in history[1].note


def test_merge_split_move_and_restore(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    keys = {t.label: t.key for t in first.topics}
    merged = harvest.merge_topics(store, scope, [keys["Chauffage"], keys["Ascenseur"]], "Bâtiment")
    assert labels(merged) == {"Bâtiment": 6, "Jardin": 2}
    split = harvest.split_topic(store, grouper, scope, keys["Chauffage"], parts=2)
    assert sorted(labels(split).values()) == [2, 3, 3]
    assert len({t.key for t in split.topics}) == 3
    garden = next(c for c in committed(store).contributions.in_cafe(cafe.id) if c.text == "Un jardin partagé")
    target = next(t for t in split.topics if t.label == "Chauffage")
    moved = harvest.move_contribution(store, scope, garden.id, target.key)
    assert garden.id in moved.topic(target.key).contribution_ids
    assert sum(len(t.contribution_ids) for t in moved.topics) == 8
    restored = harvest.restore_version(store, scope, 1)
    assert labels(restored) == labels(first) and restored.number == 5


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s, sc, v: harvest.merge_topics(s, sc, [v.topics[0].key]), "au moins deux"),
        (lambda s, sc, v: harvest.rename_topic(s, sc, "zz", "Nom"), "Ce groupe n'existe pas"),
        (lambda s, sc, v: harvest.rename_topic(s, sc, v.topics[0].key, "  "), "est vide"),
        (
            lambda s, sc, v: harvest.move_contribution(s, sc, "inconnue", v.topics[0].key),
            "ne fait pas partie",
        ),
        (lambda s, sc, v: harvest.restore_version(s, sc, 42), "La version 42"),
        (
            lambda s, sc, v: harvest.split_topic(s, KeywordGrouper(["x"]), sc, v.topics[-1].key, 9),
            "impossible",
        ),
    ],
)
def test_bad_corrections_are_refused_and_save_nothing(store, grouper, cafe_with_ideas, action, message):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, grouper, scope)
    with pytest.raises((InvalidInput, NotFound), match=message):
        action(store, scope, version)
    assert len(harvest.versions(store, scope)) == 1


def test_two_people_saving_at_once_cannot_silently_overwrite(store, grouper, cafe_with_ideas, monkeypatch):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    # Both read version 1; the first saves version 2, the second must not replace it.
    monkeypatch.setattr(service, "latest_version", lambda *_: first)
    harvest.rename_topic(store, scope, first.topics[0].key, "Premier")
    with pytest.raises(Conflict, match="Quelqu'un vient d'enregistrer"):
        harvest.rename_topic(store, scope, first.topics[0].key, "Second")


def test_a_harvest_needs_contributions(store, grouper):
    cafe, _ = make_cafe(store)
    with pytest.raises(InvalidInput, match="au moins deux contributions"):
        harvest.run_harvest(store, grouper, harvest.scope_of([cafe.id]))
    with pytest.raises(InvalidInput, match="au moins un café"):
        harvest.scope_of([])
    with pytest.raises(NotFound, match="Aucune récolte"):
        harvest.rename_topic(store, harvest.scope_of([cafe.id]), "t1", "x")


def test_several_cafes_found_by_date_place_and_theme(store, grouper):
    first, _ = make_cafe(store)
    winter = cafes.CafeDetails(
        "Café d'hiver", date(2027, 1, 15), "numérique", residence="Les Cèdres", commune="Bron"
    )
    second = cafes.create_cafe(store, winter)
    cafes.create_cafe(
        store, cafes.CafeDetails(title="Autre", held_on=date(2027, 2, 1), theme="autre", commune="Bron")
    )
    found = harvest.find_cafes(
        store, harvest.CafeFilter(date_from=date(2026, 11, 1), date_to=date(2027, 1, 31), theme="numérique")
    )
    assert {c.id for c in found} == {first.id, second.id}
    assert [c.id for c in harvest.find_cafes(store, harvest.CafeFilter(place="cèdres"))] == [second.id]
    with pytest.raises(InvalidInput, match="Thème inconnu"):
        harvest.find_cafes(store, harvest.CafeFilter(theme="cuisine"))
    add_idea(store, first, "Chauffage froid")
    cafes.add_table(store, second.id, number=1)
    round_ = cafes.add_round(store, second.id, question="Q ?", planned_minutes=10)
    cafes.open_round(store, second.id, round_.id)
    add_idea(store, second, "Chauffage cher")
    add_idea(store, second, "Un jardin")
    view_scope = harvest.scope_of([first.id, second.id])
    harvest.run_harvest(store, grouper, view_scope)
    heating = next(t for t in harvest.harvest_view(store, view_scope).topics if t.topic.label == "Chauffage")
    assert heating.cafes == {first.id: 1, second.id: 1}


def test_guided_harvest_on_named_topics_says_what_fits_none(store, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    targets = harvest.parse_named_topics("Chauffage : radiateurs froid facture\nAscenseur : panne étage\n")
    version = harvest.run_guided_harvest(store, scope, targets)
    by_label = {t.label: t for t in version.topics}
    texts = {c.id: c.text for c in committed(store).contributions.in_cafe(cafe.id)}
    assert {texts[c] for c in by_label["Chauffage"].contribution_ids} >= {
        "Le chauffage est froid",
        "Chauffage trop cher",
    }
    assert {texts[c] for c in by_label["Ascenseur"].contribution_ids} >= {"Réparer l'ascenseur"}
    assert {texts[c] for c in by_label[harvest.NO_THEME_LABEL].contribution_ids} >= {"Un jardin partagé"}
    assert all(t.renamed for t in version.topics)


@pytest.mark.parametrize(
    ("text", "message"), [("", "au moins un thème"), ("A\na", "même nom"), (" : mots", "est vide")]
)
def test_named_topics_are_checked(text, message):
    with pytest.raises(InvalidInput, match=message):
        harvest.parse_named_topics(text)


def test_a_flagged_name_never_reaches_the_grouping(store, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    add_idea(store, cafe, "Madame Duponchel reste seule, le chauffage de Duponchel est en panne", table=1)
    rgpd.flag_name(store, cafe.id, "Duponchel", by_organiser=True)
    seen: list[str] = []

    class RecordingGrouper(KeywordGrouper):
        def group(self, texts, n_topics=None, **options):
            seen.extend(texts)
            return super().group(texts, n_topics, **options)

    harvest.run_harvest(
        store, RecordingGrouper(["chauffage", "ascenseur", "jardin"]), harvest.scope_of([cafe.id])
    )
    assert len(seen) == 9 and not any("duponchel" in text.lower() for text in seen)
    # Masked, and the mask label is no word either (it would become a keyword).
    assert "Madame … reste seule, le chauffage de … est en panne" in seen


def test_each_group_keeps_how_well_its_members_fit_until_a_person_changes_them(
    store, grouper, cafe_with_ideas
):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    assert {t.label: t.cohesion for t in harvest.latest_version(store, scope).topics} == {
        "Chauffage": 0.5,
        "Ascenseur": 0.6,
        "Jardin": 0.7,
    }
    garden = next(t for t in first.topics if t.label == "Jardin")
    moved = next(c for c in committed(store).contributions.in_cafe(cafe.id) if c.text == "Ascenseur lent")
    after = harvest.move_contribution(store, scope, moved.id, garden.key)
    assert {t.label: t.cohesion for t in after.topics} == {
        "Chauffage": 0.5,
        "Ascenseur": None,
        "Jardin": None,
    }


# -- a re-run keeps a person's work ---------------------------------------------------------------
def _topic(version, label):
    return next(t for t in version.topics if t.label == label)


def test_a_rerun_keeps_keys_titles_marks_and_fiches_and_mints_new_keys(store, grouper, cafe_with_ideas):
    from facilitation.services import synthesis

    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    heating = _topic(first, "Chauffage")
    harvest.rename_topic(store, scope, heating.key, "Se chauffer")
    harvest.set_kept(store, scope, [heating.key])
    synthesis.update_fiche(
        store, cafe.id, heating.key, follow_up="Visite technique", committee=COMMITTEE, status="en étude"
    )
    harvest.split_topic(store, grouper, scope, _topic(first, "Jardin").key, 2)
    used = {t.key for v in harvest.versions(store, scope) for t in v.topics}
    add_idea(store, cafe, "Le chauffage ne marche plus", table=2)

    rerun = harvest.run_harvest(store, grouper, scope)
    kept = next(t for t in rerun.topics if t.kept)
    assert (kept.key, kept.label) == (heating.key, "Se chauffer") and len(kept.contribution_ids) == 4
    assert grouper.starts[-1] is not None  # started from the current groups
    fiche = synthesis.fiche_sheets(store, cafe.id)
    assert [(f.fiche.topic_key, f.fiche.follow_up) for f in fiche] == [(heating.key, "Visite technique")]
    new_keys = {t.key for t in rerun.topics} - used
    assert all(key.startswith("t") for key in new_keys)
    assert not new_keys & used  # a key names one group for good


def test_a_rerun_that_would_change_retained_groups_asks_first(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    lift = _topic(first, "Ascenseur")
    harvest.set_kept(store, scope, [lift.key])
    harvest.rename_topic(store, scope, _topic(first, "Jardin").key, "Verdure")
    other = KeywordGrouper(["jardin", "chauffage"])  # no lift group any more

    assert harvest.run_harvest(store, other, scope).number == 3  # nothing new: nothing to confirm
    with pytest.raises(harvest.ConfirmationNeeded, match="« Ascenseur » ne serait plus retrouvé") as asked:
        harvest.run_harvest(store, other, scope, afresh=True)
    assert len(harvest.versions(store, scope)) == 3  # nothing saved
    with pytest.raises(harvest.ConfirmationNeeded):
        harvest.run_harvest(store, other, scope, afresh=True, confirmed="a-stale-token")
    rerun = harvest.run_harvest(store, other, scope, afresh=True, confirmed=asked.value.plan.token)
    assert [t.label for t in rerun.unmatched] == ["Ascenseur"] and rerun.unmatched[0].kept
    assert "non retrouvé" in rerun.note
    assert _topic(rerun, "Verdure").renamed  # matched: the person's title wins

    restored = harvest.restore_unmatched(store, scope, lift.key)
    back = _topic(restored, "Ascenseur")
    assert back.key == lift.key and back.kept and len(back.contribution_ids) == 3
    assert restored.unmatched == ()
    assert sum(len(t.contribution_ids) for t in restored.topics) == 8  # each contribution once


def test_a_rerun_with_nothing_new_changes_nothing_and_asks_nothing(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    harvest.set_kept(store, scope, [t.key for t in first.topics])
    # A grouping that would now see things otherwise: with nothing new, it is not even asked.
    other = KeywordGrouper(["jardin", "chauffage"])
    again = harvest.run_harvest(store, other, scope)
    assert again.number == 2 and len(harvest.versions(store, scope)) == 2
    assert other.calls == []
    assert harvest.plan_harvest(store, other, scope).unchanged


def test_a_rerun_keeps_the_groups_and_places_only_new_contributions(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    harvest.set_kept(store, scope, [_topic(first, "Ascenseur").key])
    for number in range(3):
        add_idea(store, cafe, f"Encore une idée de jardin numéro {number}", table=2)
    added = add_idea(store, cafe, "Une fête autour de la tondeuse", table=2)
    # A grouping that would regroup everything otherwise (no lift group any more).
    other = KeywordGrouper(["jardin", "chauffage", "tondeuse", "divers"])
    rerun = harvest.run_harvest(store, other, scope)  # retained « Ascenseur » untouched: no question
    assert other.starts[-1][:8] != [None] * 8 and other.starts[-1][8:] == [None] * 4
    before = {t.key: set(t.contribution_ids) for t in first.topics}
    after = {t.key: set(t.contribution_ids) for t in rerun.topics}
    assert all(before[key] <= after[key] for key in before)  # nobody moved
    jardin = _topic(first, "Jardin").key
    assert len(after[jardin]) == 5 and len(after) == 4
    new_group = next(t for t in rerun.topics if t.key not in before)
    assert new_group.contribution_ids == (added.id,) and new_group.label == "Tondeuse"
    assert "4 nouvelles contributions placées" in rerun.note
    assert rerun.method["clustering"] == service.KEPT_GROUPS and rerun.method["topics"] == 4
    harvest.run_harvest(store, grouper, scope, afresh=True)
    assert grouper.starts[-1] is None


def test_a_persons_move_survives_a_rerun(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    lent = next(c for c in committed(store).contributions.in_cafe(cafe.id) if c.text == "Ascenseur lent")
    moved = harvest.move_contribution(store, scope, lent.id, _topic(first, "Jardin").key)
    merged = harvest.merge_topics(
        store, scope, [_topic(moved, "Chauffage").key, _topic(moved, "Ascenseur").key], "Bâtiment"
    )
    add_idea(store, cafe, "Le chauffage ne marche plus", table=2)
    rerun = harvest.run_harvest(store, grouper, scope)
    assert rerun.number == merged.number + 1
    assert lent.id in _topic(rerun, "Jardin").contribution_ids
    assert len(_topic(rerun, "Bâtiment").contribution_ids) == 6 and "Chauffage" not in labels(rerun)


def test_contributions_that_fit_no_group_wait_to_be_sorted(store, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    stray = add_idea(store, cafe, "Vive la fête des voisins", table=1)
    grouper = KeywordGrouper(["chauffage", "ascenseur", "jardin"], unsorted_word="fête")
    version = harvest.run_harvest(store, grouper, scope)
    assert version.unsorted == (stray.id,) and "1 contribution à classer" in version.note
    view = harvest.harvest_view(store, scope)
    assert [c.text for c in view.unsorted] == ["Vive la fête des voisins"] and not view.ungrouped
    moved = harvest.move_contribution(store, scope, stray.id, _topic(version, "Jardin").key)
    assert moved.unsorted == () and stray.id in _topic(moved, "Jardin").contribution_ids
    again = harvest.run_harvest(store, grouper, scope)  # nothing new: the move stays
    assert again.number == moved.number and stray.id in _topic(again, "Jardin").contribution_ids
    later = add_idea(store, cafe, "Et une autre fête", table=2)
    rerun = harvest.run_harvest(store, grouper, scope)
    assert rerun.unsorted == (later.id,) and stray.id in _topic(rerun, "Jardin").contribution_ids
    aside = harvest.set_aside(store, scope, later.id)
    assert aside.unsorted == () and aside.set_aside == (later.id,)


def test_a_correction_made_on_an_old_screen_is_refused_not_lost(store, grouper, cafe_with_ideas):
    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    first = harvest.run_harvest(store, grouper, scope)
    key = first.topics[0].key
    harvest.rename_topic(store, scope, key, "Nom de Léa", based_on=1)
    with pytest.raises(Conflict, match="Quelqu'un vient d'enregistrer"):
        harvest.rename_topic(store, scope, key, "Nom de Paul", based_on=1)
    assert harvest.latest_version(store, scope).topic(key).label == "Nom de Léa"


def test_sentence_vectors_are_kept_per_contribution_and_erased_with_it(store, cafe_with_ideas):
    import numpy as np

    from facilitation.services.harvest.service import text_key

    cafe, _ = cafe_with_ideas
    ideas = committed(store).contributions.in_cafe(cafe.id)
    first, second = ideas[0], ideas[1]
    vector = np.arange(4, dtype=np.float32)
    with store:
        store.vectors.save(
            "m", {first.id: (text_key(first.text), vector), second.id: (text_key("x"), vector)}
        )
        store.vectors.save("m", {"0" * 32: (text_key("gone"), vector)})  # no such contribution: skipped
    found = committed(store).vectors.load(
        "m", {c.id: text_key(c.text) for c in ideas} | {"0" * 32: text_key("gone")}
    )
    assert list(found) == [first.id] and found[first.id].tolist() == [0, 1, 2, 3]  # "x" ≠ its text
    assert committed(store).vectors.load("other model", {first.id: text_key(first.text)}) == {}
    rgpd.erase_contribution(store, cafe.id, first.id)
    assert committed(store).vectors.load("m", {first.id: text_key(first.text)}) == {}


def test_a_harvest_encodes_each_contribution_once_across_runs(store, cafe_with_ideas):
    from facilitation.adapters.topics import BertopicGrouper
    from facilitation.adapters.topics.embeddings import SpacyLsaSentenceEmbedder

    class CountingEmbedder(SpacyLsaSentenceEmbedder):
        encoded = 0

        def _sentence_block(self, texts, cache, progress):
            class Counting:
                def known(inner, model, wanted):
                    return cache.known(model, wanted)

                def remember(inner, model, vectors):
                    CountingEmbedder.encoded += len(vectors)
                    cache.remember(model, vectors)

            return super()._sentence_block(texts, Counting(), progress)

    cafe, _ = cafe_with_ideas
    scope = harvest.scope_of([cafe.id])
    grouper = BertopicGrouper(CountingEmbedder())
    harvest.run_harvest(store, grouper, scope)
    assert CountingEmbedder.encoded == 8
    add_idea(store, cafe, "Des bancs dans le jardin", table=1)
    harvest.run_harvest(store, grouper, scope)
    assert CountingEmbedder.encoded == 9  # only the new contribution
