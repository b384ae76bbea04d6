"""The captain's page (pages/captain.py): entering with the table code, capturing, correcting and
deleting, rounds that change while the captain types, and a database that goes away."""

from __future__ import annotations

import pytest

from facilitation.domain.access import new_id
from facilitation.domain.model import Source
from facilitation.services import cafes, contributions, votes
from tests.conftest import committed, make_cafe
from tests.pages.apptest import UNREACHABLE, UNREACHABLE_AT_SIGN, app, labelled, texts


@pytest.mark.parametrize("url", [UNREACHABLE, UNREACHABLE_AT_SIGN])
def test_captains_learn_nothing_about_the_database(store, monkeypatch, url):
    # Phones never reach Streamlit: their page is tested in test_resident_page.py.
    cafe, _ = make_cafe(store)
    monkeypatch.setenv("DATABASE_URL", url)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    shown = texts(at) + "\n".join(c.value for c in at.caption)
    assert "Le service est momentanément indisponible" in shown
    for leak in ("S3cretQ", "er2", "127.0.0.1", "59999", "postgres", "db?", "base de données"):
        assert leak not in shown


def switch_database(monkeypatch, url: str) -> None:
    """Point the running app at another database, as a restart with this DATABASE_URL would: the
    app reads its settings once per process."""
    from ui import runtime

    monkeypatch.setenv("DATABASE_URL", url)
    runtime.app.clear()


def captain_app(store, cafe, table=1):
    return app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, table).code)


def box_args(at) -> dict:
    """What the page last told the capture box (ui/capture_box): open or not, why, acknowledgements."""
    import json

    (box,) = [e for e in at.get("component_instance") if e.proto.component_name.endswith("capture_box")]
    return json.loads(box.proto.json_args)


def capture(at, text, *, round_id=None):
    """Enter in the capture box: the browser sends its queue, one new entry with the round on screen."""
    entry = {"id": new_id(), "text": text, "round": box_args(at)["round"] if round_id is None else round_id}
    at.session_state["capture_box"] = {"entries": [entry], "attempt": 1}
    at.run()
    assert not at.exception, at.exception
    acks = {a["id"]: a for a in box_args(at)["acked"]}
    return acks.get(entry["id"])


def test_captain_enters_with_the_table_code_and_records(store):
    cafe, rounds = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    at = app(page="pages/captain.py")
    labelled(at.text_input, "Code de votre table").input("nope")
    at.form_submit_button[0].click().run()
    assert "Code de table inconnu" in at.error[0].value
    labelled(at.text_input, "Code de votre table").input(table.code.lower())
    at.form_submit_button[0].click().run()
    assert "Question 1 ?" in texts(at)
    assert at.query_params["code"] == table.code.lower()  # survives a page reload

    at.selectbox(key="capture_kind").select("proposition")
    at.number_input(key="capture_agreement").set_value(5).run()
    capture(at, "<b>gras</b> & **étoiles**")
    (stored,) = committed(store).contributions.in_cafe(cafe.id)
    assert (stored.text, stored.kind.value, stored.agreement_count) == (
        "<b>gras</b> & **étoiles**",
        "proposition",
        5,
    )
    assert stored.source is Source.CAPTAIN and stored.round_id == rounds[0].id
    assert r"\<b\>gras\<\/b\> \& \*\*étoiles\*\*" in texts(at)  # escaped: renders literally


def test_captain_optional_fields_reset_after_each_capture_unless_pinned(store):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    at.selectbox(key="capture_kind").select("problème")
    at.selectbox(key="capture_profile").select("jeune")
    at.checkbox(key="capture_profile_pinned").check()
    at.number_input(key="capture_agreement").set_value(3).run()
    capture(at, "Première phrase")
    assert at.selectbox(key="capture_kind").value is None
    assert at.number_input(key="capture_agreement").value is None
    assert at.selectbox(key="capture_profile").value == "jeune"  # pinned: kept, and shown as pinned
    assert [c.value for c in at.caption].count("📌 gardé pour les phrases suivantes") == 1
    capture(at, "Deuxième phrase")
    first, second = committed(store).contributions.in_cafe(cafe.id)
    assert (first.kind.value, first.profile.value, first.agreement_count) == ("problème", "jeune", 3)
    assert (second.kind, second.profile.value, second.agreement_count) == (None, "jeune", None)


def test_captain_sentences_are_each_their_own_contribution(store):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    for sentence in ("Il manque des bancs dans la cour", "La proximité du marché et du tram"):
        capture(at, sentence)
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == [
        "Il manque des bancs dans la cour",
        "La proximité du marché et du tram",
    ]


def test_captain_same_text_twice_in_a_round_is_stored_once(store):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    capture(at, "Un seul exemplaire")
    assert capture(at, "Un seul exemplaire")["ok"]
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 1
    assert "Déjà enregistrée" in box_args(at)["notice"]


def test_a_queue_sent_again_stores_each_entry_once_in_order(store):
    """The browser sends its whole unacknowledged queue, again if no answer came: ids make it harmless."""
    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    entries = [{"id": new_id(), "text": f"Phrase {i}", "round": rounds[0].id} for i in range(10)]
    at.session_state["capture_box"] = {"entries": entries[:4], "attempt": 1}
    at.run()
    at.session_state["capture_box"] = {"entries": entries, "attempt": 2}  # the first four again
    at.run()
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == [
        f"Phrase {i}" for i in range(10)
    ]
    assert {a["id"] for a in box_args(at)["acked"]} >= {e["id"] for e in entries}
    assert box_args(at)["notice"] == "6 contributions enregistrées."


def test_captain_text_typed_for_a_closed_round_is_refused_kept_and_the_new_question_shown(store):
    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    cafes.open_round(store, cafe.id, rounds[1].id)  # the organiser moves on while the captain types
    ack = capture(at, "Écrit pour la question 1")
    assert committed(store).contributions.in_cafe(cafe.id) == []
    # Refused, for the browser to keep it as a draft (never merged with the next sentence).
    assert not ack["ok"] and "La question a changé : le tour 2 est ouvert" in ack["message"]
    assert "Question 2 ?" in texts(at)
    assert box_args(at)["open"] and box_args(at)["round"] == rounds[1].id
    capture(at, "Écrit pour la question 1")  # sent again, knowingly, for the new question
    (stored,) = committed(store).contributions.in_cafe(cafe.id)
    assert stored.round_id == rounds[1].id


def test_captain_box_closes_with_the_reason_when_the_round_closes(store):
    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    assert box_args(at)["open"]
    cafes.close_round(store, cafe.id, rounds[0].id)
    ack = capture(at, "Pas encore envoyé")
    assert not ack["ok"] and "Votre texte n'a pas été envoyé" in ack["message"]
    assert "Aucun tour n'est ouvert" in at.info[0].value
    args = box_args(at)
    assert not args["open"] and args["reason"] == "Le tour 1 est fermé : attendez le tour suivant."
    assert committed(store).contributions.in_cafe(cafe.id) == []
    cafes.open_round(store, cafe.id, rounds[1].id)
    at.run()
    assert box_args(at)["open"] and box_args(at)["round"] == rounds[1].id


def test_captain_keeps_the_table_and_the_text_while_the_database_is_down(store, monkeypatch, sqlite_url):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    switch_database(monkeypatch, "postgresql+psycopg://cafe@127.0.0.1:1/cafes?connect_timeout=2")
    entry = {"id": new_id(), "text": "Dit pendant la panne", "round": box_args(at)["round"]}
    at.session_state["capture_box"] = {"entries": [entry], "attempt": 1}
    at.run()
    assert "momentanément indisponible" in at.error[0].value and "127.0.0.1" not in texts(at)
    assert "momentanément indisponible" in box_args(at)["notice"]
    assert entry["id"] not in {a["id"] for a in box_args(at)["acked"]}  # kept by the browser, sent again
    assert at.query_params["code"] == cafes.get_table(store, cafe.id, 1).code  # still at the table
    switch_database(monkeypatch, sqlite_url)
    at.session_state["capture_box"] = {"entries": [entry], "attempt": 2}
    at.run()
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Dit pendant la panne"]
    assert "Question 1 ?" in texts(at)


def test_captain_text_typed_on_the_waiting_screen_is_not_filed_under_a_question_not_yet_shown(store):
    cafe, rounds = make_cafe(store, open_first=False)
    at = captain_app(store, cafe)
    assert not box_args(at)["open"]
    assert box_args(at)["reason"] == "Aucun tour n'a encore commencé : attendez le premier tour."
    cafes.open_round(store, cafe.id, rounds[0].id)  # opens before the waiting screen has followed
    ack = capture(at, "Tapé pendant l'attente", round_id="")
    assert committed(store).contributions.in_cafe(cafe.id) == []
    assert "La question a changé : le tour 1 est ouvert" in ack["message"]
    assert "Question 1 ?" in texts(at)
    capture(at, "Tapé pendant l'attente")
    assert [c.round_id for c in committed(store).contributions.in_cafe(cafe.id)] == [rounds[0].id]


def test_captain_edits_removes_a_profile_and_deletes(store):
    cafe, _ = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    idea = contributions.submit_contribution(
        store,
        cafe_id=cafe.id,
        table_number=1,
        submission=contributions.Submission(
            text="Plus de banc", submission_id="abc123", max_chars=2000, profile="jeune"
        ),
        source=Source.CAPTAIN,
    ).contribution
    at = app(page="pages/captain.py", code=table.code)
    labelled(at.text_area, "Texte").input("Plus de bancs")
    (edit_profile,) = [w for w in at.selectbox if w.label == "Profil" and w.key != "capture_profile"]
    assert edit_profile.value == "jeune"
    edit_profile.select_index(0)  # « — aucun — »
    labelled(at.button, "Enregistrer la correction").click().run()
    edited = committed(store).contributions.get(idea.id)
    assert (edited.text, edited.profile) == ("Plus de bancs", None)
    labelled(at.button, "Supprimer").click().run()
    assert committed(store).contributions.in_cafe(cafe.id) == []
    assert committed(store).contributions.get(idea.id).deleted_at is not None


def test_captain_code_guesses_are_throttled_and_audited(store):
    from facilitation.services import audit

    cafe, _ = make_cafe(store)
    at = app(page="pages/captain.py")
    messages = []
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"):
        labelled(at.text_input, "Code de votre table").input(guess)
        at.form_submit_button[0].click().run()
        messages.append(at.error[0].value)
    assert messages[:3] == ["Code de table inconnu. Vérifiez le code donné par l'organisateur."] * 3
    assert messages[3].startswith("Trop d'essais manqués")
    labelled(at.text_input, "Code de votre table").input(cafes.get_table(store, cafe.id, 1).code)
    at.form_submit_button[0].click().run()
    assert at.error and at.error[0].value.startswith("Trop d'essais manqués")  # even the right one waits
    actions = [e["action"] for e in audit.audit_records(store, timezone="Europe/Paris")]
    assert actions.count("code capitaine refusé") == 3


def test_captain_records_a_show_of_hands_on_an_idea(store):
    from facilitation.domain.agreement import Tally, captain_voter

    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe, table=2)
    capture(at, "Un local pour les poussettes")
    (idea,) = committed(store).contributions.in_cafe(cafe.id)
    at.number_input(key="hands_agree").set_value(7)
    at.number_input(key="hands_disagree").set_value(2)
    at.number_input(key="hands_unsure").set_value(1)
    labelled(at.button, "Enregistrer le vote").click().run()
    assert not at.exception, at.exception
    (vote,) = committed(store).contributions.votes_in(cafe.id)
    assert (vote.item, vote.voter, vote.tally) == (idea.id, captain_voter(2), Tally(7, 2, 1))
    assert "7 d'accord · 2 pas d'accord · 1 je ne sais pas" in "\n".join(c.value for c in at.caption).replace(
        "\\", ""
    )


def handover_shown(at) -> str:
    """What the handover panel shows (its container, keyed « handover »), or "" when it is not drawn."""
    panel = [c for c in at.get("flex_container") if getattr(c, "key", None) == "handover"]
    if not panel:
        return ""
    (box,) = panel
    return "\n".join(str(e.value) for e in (*box.markdown, *box.caption, *box.subheader, *box.info))


def test_the_captain_sees_the_handover_when_the_round_changes_hides_it_and_shows_it_again(store):
    from tests.conftest import add_idea, resident, token_of

    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    assert handover_shown(at) == ""  # nothing to hand over in the first round
    capture(at, "Des bancs **près** des jeux")
    phoned = resident(store, token_of(store, cafe), "Rappelez-moi au 06 12 34 56 78").contribution
    for phone in ("a", "b"):
        votes.vote(store, token=token_of(store, cafe), item=phoned.id, choice="d'accord", browser_id=phone)
    add_idea(store, cafe, "Une idée de la table 2", table=2)

    cafes.close_round(store, cafe.id, rounds[0].id)  # the waiting screen already briefs the host
    at.run()
    waiting = handover_shown(at)
    assert "Passage de relais — tour 1" in waiting and "Rappelez\\-moi" in waiting
    # The next question only once it is open: the screen must not seem to ask it already.
    assert "La question du tour 2 s'affichera ici dès que l'animateur ouvrira ce tour." in waiting
    assert "Question 2" not in waiting

    cafes.open_round(store, cafe.id, rounds[1].id)
    at.run()
    assert not at.exception, at.exception
    shown = handover_shown(at)
    assert "Passage de relais — tour 1" in shown
    assert "Ce que la table a dit (2 idées)" in shown
    # The phone's idea (2 supports) first, masked; the captain's literal; table 2's absent.
    first, second = (shown.index(t) for t in ("Rappelez\\-moi", r"Des bancs \*\*près\*\* des jeux"))
    assert first < second and "06 12 34 56 78" not in shown and r"\[téléphone masqué\]" in shown
    assert "2 soutiens" in shown and "Une idée de la table 2" not in shown
    assert "Les thèmes viendront après la récolte" in shown
    assert "Question du tour 2" in shown and r"Question 2 ?" in shown.replace("\\", "")
    (download,) = [d for d in at.get("download_button")]
    assert download.proto.label == "Imprimer (PDF d'une page)"

    labelled(at.button, "Masquer le passage de relais").click().run()
    assert handover_shown(at) == ""
    at.run()
    assert handover_shown(at) == ""  # stays hidden until the next change of round
    labelled(at.button, "🤝 Revoir le passage de relais du tour 1").click().run()
    assert "Passage de relais — tour 1" in handover_shown(at)
