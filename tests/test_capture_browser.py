"""The room's edges in a real Chromium, under the staff pages' Content-Security-Policy: sentences at
any speed, optional fields that label one sentence, a round closed while a captain or a resident types."""

from __future__ import annotations

import time

import pytest

from facilitation.services import cafes
from tests.conftest import committed, make_cafe
from tests.test_browser import BOX_FRAME, PHONE, captain_of_table_1, running_app, shown

pytestmark = pytest.mark.browser
__all__ = ["running_app"]  # the fixture, shared with test_browser.py


def stored_texts(store, cafe, count: int, timeout: float = 30) -> list[str]:
    """The café's contributions in the order stored, once there are `count` (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        texts = [c.text for c in committed(store).contributions.in_cafe(cafe.id)]
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        time.sleep(0.2)


def paste(page, text: str) -> None:
    """A paste into the capture box, as from the clipboard."""
    page.frame_locator(BOX_FRAME).locator("#box").evaluate(
        "(box, text) => { const data = new DataTransfer(); data.setData('text/plain', text);"
        " box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,"
        " cancelable: true})); }",
        text,
    )


def bottom(page):
    return page.locator('[data-testid="stBottom"]')


@pytest.fixture
def captain_at_table_1(running_app, browser):
    """A fresh café (two rounds, the first open) with its table 1 captain's page and capture field."""
    base, store = running_app
    cafe, rounds = make_cafe(store)
    captain, field = captain_of_table_1(browser, base, store, cafe)
    return store, cafe, rounds, captain, field


def test_ten_sentences_with_no_pause_and_pasted_lines_each_make_one_contribution_in_order(captain_at_table_1):
    store, cafe, _, captain, field = captain_at_table_1
    field.click()
    typed = [f"Phrase tapée numéro {i}" for i in range(10)]
    for text in typed:  # no delay between keys, no pause after Enter
        captain.keyboard.type(text)
        captain.keyboard.press("Enter")
    # Typed while those are on their way: kept in the box, never merged with them.
    captain.keyboard.type("En cours de frappe")
    assert stored_texts(store, cafe, 10) == typed
    assert field.input_value() == "En cours de frappe"
    field.fill("")
    pasted = [f"Ligne collée {i}" for i in range(10)]
    paste(captain, "\n".join(pasted) + "\n")
    assert stored_texts(store, cafe, 20) == typed + pasted
    time.sleep(2)  # nothing more arrives later (a resend stores nothing twice)
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 20
    shown(captain, "Ligne collée 9").wait_for(timeout=15_000)
    captain.frame_locator(BOX_FRAME).get_by_text("en cours d'envoi").wait_for(state="hidden", timeout=10_000)


def test_optional_fields_label_one_sentence_unless_pinned(captain_at_table_1):
    store, cafe, _, captain, field = captain_at_table_1
    bottom(captain).get_by_label("Type", exact=True).click()
    captain.get_by_role("option", name="problème").click()
    field.click()
    captain.keyboard.type("Avec un type")
    captain.keyboard.press("Enter")
    assert stored_texts(store, cafe, 1) == ["Avec un type"]
    # The field shows it is empty again (the browser's widget too, not only the server's state).
    kind = bottom(captain).get_by_label("Type", exact=True)
    deadline = time.monotonic() + 10
    while kind.input_value() != "" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kind.input_value() == ""
    field.click()
    captain.keyboard.type("Sans type")
    captain.keyboard.press("Enter")
    assert stored_texts(store, cafe, 2) == ["Avec un type", "Sans type"]
    first, second = committed(store).contributions.in_cafe(cafe.id)
    assert first.kind.value == "problème" and second.kind is None

    # Pinned, it labels the next sentences too, and says so.
    bottom(captain).get_by_label("Profil", exact=True).click()
    captain.get_by_role("option", name="jeune").click()
    bottom(captain).get_by_text("📌 Garder").nth(1).click()
    bottom(captain).get_by_text("📌 gardé pour les phrases suivantes").wait_for(timeout=10_000)
    for text in ("Épinglé un", "Épinglé deux"):
        field.click()
        captain.keyboard.type(text)
        captain.keyboard.press("Enter")
        stored_texts(store, cafe, len(committed(store).contributions.in_cafe(cafe.id)) + 1)
    third, fourth = committed(store).contributions.in_cafe(cafe.id)[2:]
    assert (third.profile.value, fourth.profile.value) == ("jeune", "jeune")


def test_a_round_closed_mid_typing_holds_sending_keeps_every_key_and_offers_the_draft_under_the_next_question(
    captain_at_table_1,
):
    store, cafe, rounds, captain, field = captain_at_table_1
    field.click()
    captain.keyboard.type("Brouillon pas fini")
    frame = captain.frame_locator(BOX_FRAME)

    closed_at = time.monotonic()
    cafes.close_round(store, cafe.id, rounds[0].id)
    reason = frame.get_by_text("Le tour 1 est fermé : attendez le tour suivant")
    reason.wait_for(timeout=5_000)
    assert captain.frame_locator(BOX_FRAME).locator("#send").is_disabled()
    assert time.monotonic() - closed_at < 2.5  # 2 s, with the test's own polling on top
    # The captain was mid-sentence: the keys typed after the close land in the box (a disabled box
    # dropped them, rehearsal of 6 Dec), and Enter keeps the text there instead of sending it.
    captain.keyboard.type(", encore")
    captain.keyboard.press("Enter")
    time.sleep(1)
    assert field.input_value() == "Brouillon pas fini, encore"  # a draft, not sent
    assert committed(store).contributions.in_cafe(cafe.id) == []

    opened_at = time.monotonic()
    cafes.open_round(store, cafe.id, rounds[1].id)
    captain.locator("p.question").filter(has_text="Question 2 ?").wait_for(timeout=5_000)
    captain.wait_for_function(
        f"() => {{ const f = document.querySelector('{BOX_FRAME}');"
        " return f && !f.contentDocument.getElementById('send').disabled; }",
        timeout=5_000,
    )
    assert time.monotonic() - opened_at < 2.5
    assert field.input_value() == "Brouillon pas fini, encore"  # offered again under the new question
    frame.get_by_text("La question a changé : relisez votre texte").wait_for(timeout=5_000)
    field.click()
    captain.keyboard.press("End")
    captain.keyboard.type(", fini")
    captain.keyboard.press("Enter")
    captain.keyboard.type("Phrase suivante")
    captain.keyboard.press("Enter")
    # not merged:
    assert stored_texts(store, cafe, 2) == ["Brouillon pas fini, encore, fini", "Phrase suivante"]
    assert {c.round_id for c in committed(store).contributions.in_cafe(cafe.id)} == {rounds[1].id}


def test_the_phone_send_button_waits_when_the_round_closes_and_the_box_keeps_every_key(running_app, browser):
    base, store = running_app
    cafe, rounds = make_cafe(store)
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(cafes.join_link(store, cafe.id, 1, base))
    box = phone.get_by_label("Votre idée")
    box.fill("Pas encore envoyée")
    closed_at = time.monotonic()
    cafes.close_round(store, cafe.id, rounds[0].id)
    phone.get_by_text("Le tour 1 est fermé : attendez le tour suivant").wait_for(timeout=5_000)
    assert phone.get_by_role("button", name="Envoyer").is_disabled()
    assert time.monotonic() - closed_at < 2.5
    # Still typing when it closed: the keys after land in the box (a disabled box dropped them).
    box.press_sequentially(", la suite", timeout=5_000)
    assert box.input_value() == "Pas encore envoyée, la suite"
    cafes.open_round(store, cafe.id, rounds[1].id)
    phone.get_by_text("La question vient de changer").wait_for(timeout=5_000)
    assert box.input_value() == "Pas encore envoyée, la suite"
    assert committed(store).contributions.in_cafe(cafe.id) == []
