"""The residents' page in a real headless Chromium (Debian's): small screens, large text, taps,
JavaScript on and off, a room that moves on while people type, and axe-core on every state."""

from __future__ import annotations

import json

import pytest

from facilitation.adapters.clock import utcnow
from facilitation.domain.model import Source
from facilitation.services import cafes, harvest, votes
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import KeywordGrouper
from tests.test_browser import PHONE, accessibility_violations, running_app, shown  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser
LARGE_TEXT = 32  # Chromium's default font size is 16 px: this is the phone's « 200 % » text setting


def phone_page(browser, *, width: int = 390, height: int = 844, **options):
    context = browser.new_context(**(PHONE | {"viewport": {"width": width, "height": height}} | options))
    return context.new_page()


def with_large_text(page) -> None:
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": LARGE_TEXT, "fixed": LARGE_TEXT}})


def not_reloaded(page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


@pytest.mark.parametrize(("width", "height"), [(320, 568), (390, 844)])
def test_question_and_field_are_on_the_first_screen_with_large_text(
    running_app,  # noqa: F811
    browser,
    output_dir,
    width,
    height,
):
    base, store = running_app
    cafe = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="Café des Tilleuls — résidence Jean-Baptiste-Marcellin",
            held_on=utcnow().date(),
            theme="numérique",
            commune="Villeurbanne",
        ),
    )
    cafes.add_table(store, cafe.id, number=3, name="Les Mimosas")
    question = cafes.add_round(
        store, cafe.id, question="Qu'est-ce qui rendrait votre quotidien plus agréable ?", planned_minutes=20
    )
    cafes.open_round(store, cafe.id, question.id)
    page = phone_page(browser, width=width, height=height)
    with_large_text(page)
    page.goto(cafes.join_link(store, cafe.id, 3, base))
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "36px"
    heading = page.get_by_role("heading", name="Qu'est-ce qui rendrait")
    field = page.get_by_label("Votre idée")
    assert heading.is_visible() and field.is_visible()
    assert field.bounding_box()["y"] + 40 < height, "the field must start on the first screen"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    for button in page.get_by_role("button").all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    # No word of the title or question is cut in two: each line of text ends between words.
    cut_words = page.evaluate(
        """() => [...document.querySelectorAll('h1, .cafe')].flatMap(el => {
            const range = document.createRange(), text = el.firstChild, cut = [];
            for (let i = 1; i < text.length; i++) {
              range.setStart(text, i - 1); range.setEnd(text, i);
              const before = range.getBoundingClientRect();
              range.setStart(text, i); range.setEnd(text, i + 1);
              const after = range.getBoundingClientRect();
              if (after.top > before.top + 2 && /\\S/.test(text.data[i - 1]) && /\\S/.test(text.data[i])
                  && text.data[i - 1] !== '-') cut.push(text.data.slice(Math.max(0, i - 6), i + 6));
            }
            return cut; })"""
    )
    assert cut_words == []
    page.screenshot(path=str(output_dir / f"resident-{width}px-large-text.png"))


def test_with_javascript_taps_store_once_and_the_page_follows_the_room(
    running_app,  # noqa: F811
    browser,
    output_dir,
):
    base, store = running_app
    cafe, rounds = make_cafe(store, rounds=3)
    link = cafes.join_link(store, cafe.id, 1, base)
    page = phone_page(browser)
    page.goto(link)
    field, send = page.get_by_label("Votre idée"), page.get_by_role("button", name="Envoyer")

    field.fill("Une double tape")
    send.dblclick()
    page.get_by_text("Merci ! Votre idée a bien été envoyée.").wait_for()
    field.fill("Une triple tape")
    send.click(click_count=3)
    shown(page, "Une triple tape").wait_for()
    assert sorted(c.text for c in committed(store).contributions.in_cafe(cafe.id)) == [
        "Une double tape",
        "Une triple tape",
    ]

    page.evaluate("() => { window.__sameDocument = true; }")
    other = add_idea(store, cafe, "Venue d'un autre téléphone", source=Source.RESIDENT)
    shown(page, "Venue d'un autre téléphone").wait_for(timeout=5_000)  # refreshed, not reloaded
    page.locator(f"#idee-{other.id}").get_by_role("button", name="Je suis d'accord").click()
    page.locator(f"#idee-{other.id}").get_by_text("✓ Vous êtes d'accord · 1 soutien").wait_for()
    assert committed(store).contributions.get(other.id).supports == 1 and not_reloaded(page)
    page.locator(f"#idee-{other.id}").get_by_role("button", name="Je ne sais pas").click()
    page.locator(f"#idee-{other.id}").get_by_text("✓ Vous ne savez pas").wait_for()
    assert committed(store).contributions.get(other.id).supports == 0 and not_reloaded(page)
    pressed = page.locator(f"#idee-{other.id} button[aria-pressed=true]")
    assert pressed.count() == 1 and "Je ne sais pas" in pressed.text_content()

    cafes.open_round(store, cafe.id, rounds[1].id)
    page.get_by_role("heading", name="Question 2 ?").wait_for(timeout=5_000)
    assert page.locator("#round-label").text_content() == "Tour 2" and not_reloaded(page)

    # The organiser moves on while this phone is typing: the words stay, the new question shows,
    # and a send for the old question is refused once, with the text kept.
    field.fill("Ma réponse à la question 2")
    cafes.open_round(store, cafe.id, rounds[2].id)
    page.get_by_role("heading", name="Question 3 ?").wait_for(timeout=5_000)
    assert field.input_value() == "Ma réponse à la question 2"
    assert page.get_by_role("status").filter(has_text="La question vient de changer").is_visible()
    send.click()
    page.get_by_text("La question a changé : le tour 3 est ouvert.").wait_for()
    assert page.get_by_label("Votre idée").input_value() == "Ma réponse à la question 2"
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Merci ! Votre idée a bien été envoyée.").wait_for()
    stored = {c.text: c.round_id for c in committed(store).contributions.in_cafe(cafe.id)}
    assert stored["Ma réponse à la question 2"] == rounds[2].id

    # The round closes: the waiting screen; the next round wakes it up without a reload.
    page.evaluate("() => { window.__sameDocument = true; }")
    cafes.close_round(store, cafe.id, rounds[2].id)
    page.get_by_text("Attendez que l'animateur lance le tour suivant.").wait_for(timeout=5_000)
    assert page.get_by_label("Votre idée").is_hidden()
    cafes.open_round(store, cafe.id, rounds[0].id)
    page.get_by_role("heading", name="Question 1 ?").wait_for(timeout=5_000)
    assert page.get_by_label("Votre idée").is_visible() and not_reloaded(page)
    page.screenshot(path=str(output_dir / "resident-phone.png"), full_page=True)


def test_without_javascript_a_phone_sends_and_supports(running_app, browser):  # noqa: F811
    base, store = running_app
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Des bancs à l'ombre")
    page = phone_page(browser, java_script_enabled=False)
    page.goto(cafes.join_link(store, cafe.id, 1, base))
    page.get_by_label("Votre idée").fill("<b>gras</b> & **étoiles** https://phishing.example")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Merci ! Votre idée a bien été envoyée.").wait_for()
    shown(page, "<b>gras</b> & **étoiles** https://phishing.example").wait_for()
    assert page.locator("#ideas a, #ideas b, #ideas strong").count() == 0
    page.locator(f"#idee-{idea.id}").get_by_role("button", name="Je suis d'accord").click()
    page.locator(f"#idee-{idea.id}").get_by_text("✓ Vous êtes d'accord · 1 soutien").wait_for()
    assert committed(store).contributions.get(idea.id).supports == 1
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)][-1].startswith("<b>gras</b>")
    page.goto(cafes.join_link(store, cafe.id, 1, base))  # the QR code scanned again: the same phone
    agree = page.locator(f"#idee-{idea.id}").get_by_role("button", name="Je suis d'accord")
    assert agree.get_attribute("aria-pressed") == "true"  # its vote, shown as its own
    assert committed(store).contributions.get(idea.id).supports == 1
    # One vote per phone, changeable: « pas d'accord » replaces the « d'accord » (and its +1).
    page.locator(f"#idee-{idea.id}").get_by_role("button", name="Pas d'accord").click()
    page.locator(f"#idee-{idea.id}").get_by_text("✓ Vous n'êtes pas d'accord").wait_for()
    assert committed(store).contributions.get(idea.id).supports == 0
    assert [v.tally.disagree for v in committed(store).contributions.votes_in(cafe.id)] == [1]


def test_no_accessibility_violation_on_any_state_of_the_page(running_app, browser):  # noqa: F811
    base, store = running_app
    cafe, rounds = make_cafe(store)
    add_idea(store, cafe, "Un jardin partagé")
    link = cafes.join_link(store, cafe.id, 1, base)
    page = phone_page(browser, bypass_csp=True)  # only to inject axe-core into the page
    found = {}
    page.goto(link)
    found["question"] = accessibility_violations(page)
    page.get_by_label("Votre idée").fill("Une idée")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Merci !").wait_for()
    found["merci"] = accessibility_violations(page)
    page.locator("#ideas form").first.get_by_role("button", name="Pas d'accord").click()
    page.get_by_text("✓ Vous n'êtes pas d'accord").wait_for()
    found["avis donné"] = accessibility_violations(page)
    cafes.close_round(store, cafe.id, rounds[0].id)
    page.goto(link)
    found["tour fermé"] = accessibility_violations(page)
    scope = harvest.scope_of([cafe.id])  # the plenary vote on the themes of a harvest
    harvest.run_harvest(store, KeywordGrouper(["jardin", "idée"]), scope)
    votes.set_plenary(store, cafe.id, True)
    page.goto(link)
    page.get_by_role("heading", name="Votez sur les thèmes de la salle").wait_for()
    found["vote en plénière"] = accessibility_violations(page)
    page.goto(f"{base}/j/{cafe.id}.1.0.AAAAAAAAAAAAAAAAAAAAAA")
    page.get_by_text("Ce lien n'est pas valable").wait_for()
    found["erreur"] = accessibility_violations(page)
    assert found == {state: [] for state in found}, json.dumps(found, ensure_ascii=False, indent=1)


def test_a_full_table_shows_its_latest_ideas_and_their_count_as_it_grows(running_app, browser):  # noqa: F811
    """With JavaScript, the polled state carries the 20 latest ideas and the total, kept up to date."""
    base, store = running_app
    cafe, _ = make_cafe(store)
    for i in range(25):
        add_idea(store, cafe, f"Idée numéro {i}")
    page = phone_page(browser)
    page.goto(cafes.join_link(store, cafe.id, 1, base))
    page.get_by_text("25 idées à cette table : les 20 plus récentes sont affichées.").wait_for()
    assert page.locator("#ideas li").count() == 20 and page.locator(
        "#ideas li"
    ).first.inner_text().startswith("Idée numéro 24")
    add_idea(store, cafe, "La toute dernière idée")
    page.get_by_text("26 idées à cette table : les 20 plus récentes sont affichées.").wait_for(timeout=10_000)
    assert page.locator("#ideas li").first.inner_text().startswith("La toute dernière idée")
    assert (
        page.locator("#ideas li").count() == 20 and page.get_by_text("Idée numéro 5", exact=True).count() == 0
    )
