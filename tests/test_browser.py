"""The resident's QR journey in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from facilitation.adapters.storage import open_store
from facilitation.services import cafes
from tests import serving
from tests.conftest import ROOT, committed, make_cafe
from tests.screens import sign_in_organiser, visit_home_first
from tests.serving import stop_app

pytestmark = pytest.mark.browser
MARKUP = "<b>gras</b> & **étoiles**"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "fr-FR"}


def start_app(database_url: str, log_path, **settings: str) -> tuple[str, subprocess.Popen]:
    try:
        return serving.start_app(database_url, log_path, **settings)
    except serving.AppDidNotStart as exc:
        pytest.fail(f"Streamlit did not start: {exc}")


@contextmanager
def served_app(database_url: str, log_path, seed: Callable) -> Iterator[tuple]:
    """A store on `database_url` holding what `seed(store)` writes, then the real app serving it:
    (base URL, store, what `seed` returned); the app stopped and the store closed after."""
    store = open_store(database_url)
    seeded = seed(store)
    base, process = start_app(database_url, log_path)
    try:
        yield base, store, seeded
    finally:
        stop_app(process)
        store.engine.dispose()


@contextmanager
def app_shared_by_a_module(tmp_path_factory: pytest.TempPathFactory, **settings: str) -> Iterator[tuple]:
    """The real app on a SQLite file of its own, `settings` in its environment, for the tests of a
    module to share (starting one costs seconds): (base URL, store). Only for tests that each seed a
    café of their own and none of which checks a freshly started server."""
    folder = tmp_path_factory.mktemp("app")
    database_url = f"sqlite:///{folder / 'cafe.sqlite3'}"
    store = open_store(database_url)
    base, process = start_app(database_url, folder / "streamlit.log", **settings)
    try:
        yield base, store
    finally:
        stop_app(process)
        store.engine.dispose()


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    """One app instance on its own SQLite file, shared by a module's tests: each seeds a café of its
    own (the phones' limits are counted per café), none checks a freshly started server."""
    with app_shared_by_a_module(tmp_path_factory) as server:
        yield server


def shown(page, text: str):
    """A paragraph showing exactly this text (not a form field that happens to hold it)."""
    return page.locator("p").filter(has_text=re.compile(f"^{re.escape(text)}$"))


def open_captain_page(browser, base: str, code: str):
    """The captain's page, after one visit of the home page.

    Residents' links point at the root and never need that first visit (visit_home_first).
    """
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR").new_page()
    visit_home_first(page, base)
    page.goto(f"{base}/capitaine?code={code}")
    return page


def captain_of_table_1(browser, base: str, store, cafe):
    """The captain's page of the café's table 1, once its capture field is drawn: (page, field)."""
    captain = open_captain_page(browser, base, cafes.get_table(store, cafe.id, 1).code)
    field = capture_field(captain)
    field.wait_for(timeout=30_000)
    return captain, field


BOX_FRAME = 'iframe[src*="capture_box"]'


def capture_field(page):
    """The captain's text field, in the capture box's frame (ui/capture_box): it empties the moment
    Enter is pressed, the sentence queued in the browser until the server acknowledges it."""
    return page.frame_locator(BOX_FRAME).locator("#box")


# Nothing waits between keys or sentences: every Enter is one contribution at any speed.
TYPING_DELAY_MS = 0
FIELD_FOCUSED_AND_EMPTY = (
    "() => { const frame = document.activeElement;"
    " if (!frame || frame.tagName !== 'IFRAME') return false;"
    " const field = frame.contentDocument.activeElement;"
    " return field && field.id === 'box' && field.value === ''; }"
)


def accessibility_violations(page) -> list[dict]:
    """axe-core's violations of every impact (the page's context needs bypass_csp to inject it)."""
    assert AXE.exists(), "axe-core missing: run `npm install` (the test script does)"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def test_resident_sends_markup_from_a_phone_and_the_captain_sees_it_literally(
    running_app, browser, output_dir
):
    base, store = running_app
    cafe, _ = make_cafe(store)
    join_link = cafes.join_link(store, cafe.id, 1, base)

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(join_link)
    phone.get_by_text("Question 1 ?").wait_for(timeout=30_000)
    phone.get_by_label("Votre idée").fill(MARKUP)
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_text("Merci ! Votre idée a bien été envoyée.").wait_for(timeout=30_000)
    assert phone.get_by_label("Votre idée").input_value() == ""
    shown(phone, MARKUP).wait_for(timeout=10_000)  # in the table's list, literally
    phone.screenshot(path=str(output_dir / "resident-phone.png"), full_page=True)

    (stored,) = committed(store).contributions.in_cafe(cafe.id)
    assert stored.text == MARKUP

    captain = open_captain_page(browser, base, cafes.get_table(store, cafe.id, 1).code)
    shown(captain, MARKUP).wait_for(timeout=30_000)
    assert captain.locator("b", has_text="gras").count() == 0  # never rendered as markup
    assert captain.locator("strong", has_text="étoiles").count() == 0
    capture_field(captain).wait_for()
    captain.screenshot(path=str(output_dir / "captain-laptop.png"))


def test_captain_keyboard_capture_and_resident_ideas_arrive_without_reload(running_app, browser):
    base, store = running_app
    cafe, _ = make_cafe(store)
    captain, field = captain_of_table_1(browser, base, store, cafe)
    field.click()
    # As fast as speech: the next sentence is typed right after Enter, with no pause at all, by a
    # typist far faster than any person (20 ms a key).
    sentences = ["Il manque des bancs dans la cour", "La proximité du marché et du tram", "Un local vélo"]
    for text in sentences:
        captain.keyboard.type(text, delay=TYPING_DELAY_MS)
        captain.keyboard.press("Enter")
    for text in sentences:
        shown(captain, text).wait_for(timeout=15_000)
    assert sorted(c.text for c in committed(store).contributions.in_cafe(cafe.id)) == sorted(sentences)
    captain.wait_for_function(FIELD_FOCUSED_AND_EMPTY, timeout=10_000)

    # Choosing a type moves the focus away; it comes back to the text field by itself.
    captain.locator('[data-testid="stBottom"]').get_by_label("Type", exact=True).click()
    captain.get_by_role("option", name="problème").click()
    captain.wait_for_function(FIELD_FOCUSED_AND_EMPTY, timeout=10_000)
    captain.keyboard.type("Ascenseur souvent en panne")
    captain.keyboard.press("Enter")
    shown(captain, "Ascenseur souvent en panne").wait_for(timeout=15_000)
    stored = {c.text: c for c in committed(store).contributions.in_cafe(cafe.id)}
    assert stored["Ascenseur souvent en panne"].kind.value == "problème"

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(cafes.join_link(store, cafe.id, 1, base))
    phone.get_by_label("Votre idée").fill("Venue du téléphone")
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_text("Merci !").first.wait_for(timeout=30_000)
    shown(captain, "Venue du téléphone").wait_for(timeout=15_000)  # no reload


def test_a_forged_link_shows_a_plain_error_and_no_form(running_app, browser):
    base, store = running_app
    cafe, _ = make_cafe(store)
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base}/?t={cafe.id}.1.AAAAAAAAAAAAAAAAAAAAAA")
    page.get_by_text("Ce lien n'est pas valable").wait_for(timeout=30_000)
    assert page.get_by_label("Votre idée").count() == 0
    page.goto(f"{base}/capitaine?t={cafe.id}.1.AAAAAAAAAAAAAAAAAAAAAA")
    page.get_by_text("Ce lien n'est pas valable").wait_for(timeout=30_000)
    assert page.get_by_label("Code de votre table").count() == 0


def test_two_instances_on_one_postgresql_share_the_cafe_live(postgres_url, browser, tmp_path):
    """Head office: a resident on instance A, the captain on instance B sees it without reloading."""
    store = open_store(postgres_url)  # the schema at the head before both instances start on it
    first, process_a = start_app(postgres_url, tmp_path / "a.log")
    second, process_b = start_app(postgres_url, tmp_path / "b.log")
    try:
        cafe, _ = make_cafe(store)
        captain = open_captain_page(browser, second, cafes.get_table(store, cafe.id, 1).code)
        capture_field(captain).wait_for(timeout=30_000)
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(cafes.join_link(store, cafe.id, 1, first))
        phone.get_by_label("Votre idée").fill("Envoyée sur l'instance A")
        phone.get_by_role("button", name="Envoyer").click()
        phone.get_by_text("Merci !").first.wait_for(timeout=30_000)
        shown(captain, "Envoyée sur l'instance A").wait_for(timeout=15_000)
        # Both instances sign links with the same secret (kept in the database).
        assert cafes.join_link(store, cafe.id, 1, first).split("/j/")[1] in phone.url
    finally:
        stop_app(process_a)
        stop_app(process_b)
        store.engine.dispose()


def test_killing_the_app_server_mid_burst_loses_no_acknowledged_contribution(sqlite_url, browser, tmp_path):
    """SIGKILL of the running Streamlit server while phones send ideas: every idea a phone saw
    thanked for is in the database afterwards (SQLite WAL, synchronous=FULL)."""
    import signal

    base, process = start_app(sqlite_url, tmp_path / "streamlit.log")
    store = open_store(sqlite_url)
    cafe, _ = make_cafe(store)
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(cafes.join_link(store, cafe.id, 1, base))
    field = phone.get_by_label("Votre idée")
    acknowledged = []
    try:
        for i in range(6):
            text = f"Idée avant la panne {i}"
            field.fill(text)
            with phone.expect_navigation(timeout=30_000):  # POST → redirect → the thank-you page
                phone.get_by_role("button", name="Envoyer").click()
            phone.get_by_text("Merci ! Votre idée a bien été envoyée.").wait_for(timeout=30_000)
            assert field.input_value() == ""
            acknowledged.append(text)
        field.fill("Envoyée au moment de la panne")
        phone.get_by_role("button", name="Envoyer").click()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)
    stored = [c.text for c in committed(open_store(sqlite_url)).contributions.in_cafe(cafe.id)]
    assert set(acknowledged) <= set(stored) and len(stored) in (6, 7)
    store.engine.dispose()


def test_secrets_never_reach_the_server_log(sqlite_url, browser, tmp_path, monkeypatch):
    """Passwords, the link secret and database credentials stay out of what the server prints."""
    from facilitation.domain.access import hash_password

    password_hash = hash_password("mot-de-passe-secret")
    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", password_hash)
    base, process = start_app(sqlite_url, tmp_path / "streamlit.log")
    store = open_store(sqlite_url)
    try:
        cafe, _ = make_cafe(store)
        page = browser.new_context(**PHONE).new_page()
        page.goto(cafes.join_link(store, cafe.id, 1, base))
        page.get_by_label("Votre idée").wait_for(timeout=30_000)
        page.goto(f"{base}/?t=forge.1.0.AAAA")  # an error path too
        page.get_by_text("Ce lien n'est pas valable").wait_for(timeout=30_000)
        admin = browser.new_context().new_page()
        visit_home_first(admin, base)
        sign_in_organiser(admin, base, "cafes", "mot-de-passe-secret")
        admin.get_by_text("Cafés concertation").first.wait_for(timeout=30_000)
    finally:
        stop_app(process)
    log = (tmp_path / "streamlit.log").read_text()
    for secret in ("mot-de-passe-secret", password_hash, committed(store).trust.link_secret()):
        assert secret not in log
    store.engine.dispose()


def test_links_typed_by_residents_or_the_organiser_are_never_clickable(running_app, browser):
    from facilitation.domain.access import new_id
    from facilitation.services.contributions import Submission, resident_submit

    base, store = running_app
    cafe, _ = make_cafe(store)
    cafes.update_table(store, cafe.id, 1, name="[offre](javascript:alert(1)) www.evil.example")
    token = cafes.join_link(store, cafe.id, 1, base).split("/j/")[1]
    phishing = "Connectez-vous sur https://phishing.example/login ou www.evil.example, écrivez à jean@mail.fr"
    resident_submit(
        store, token=token, submission=Submission(text=phishing, submission_id=new_id(), max_chars=2000)
    )
    captain = open_captain_page(browser, base, cafes.get_table(store, cafe.id, 1).code)
    captain.get_by_text("phishing.example", exact=False).first.wait_for(timeout=30_000)
    hrefs = [a.get_attribute("href") or "" for a in captain.locator("a").all()]
    assert not [h for h in hrefs if "evil" in h or "phishing" in h or "javascript" in h or "mailto" in h], (
        hrefs
    )
    visible = captain.locator("main").inner_text().replace("\u2060", "")
    # Shown as text, links and all; only the e-mail address is masked, as on every screen.
    shown_to_captain = phishing.replace("jean@mail.fr", "[courriel masqué]")
    assert shown_to_captain in visible and "[offre](javascript:alert(1)) www.evil.example" in visible


def test_strangers_wrong_passwords_do_not_delay_the_organiser_who_stays_signed_in_after_f5(
    sqlite_url, browser, tmp_path, monkeypatch
):
    from facilitation.domain.access import hash_password

    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", hash_password("le-bon-mot-de-passe"))
    base, process = start_app(sqlite_url, tmp_path / "streamlit.log")
    try:

        def sign_in(page, password: str) -> None:
            page.get_by_label("Mot de passe organisateur").fill(password)
            page.get_by_role("button", name="Entrer").click()

        stranger = browser.new_context(**PHONE).new_page()
        stranger.goto(base)
        stranger.get_by_text("Café concertation").first.wait_for(timeout=30_000)
        stranger.goto(f"{base}/cafes")
        for attempt in range(5):
            sign_in(stranger, f"essai-{attempt}")
            stranger.get_by_text(re.compile("Mot de passe incorrect|Trop d'essais")).first.wait_for(
                timeout=20_000
            )
        organiser = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        organiser.goto(f"{base}/cafes")
        sign_in(organiser, "le-bon-mot-de-passe")
        organiser.get_by_text("Créer un café").first.wait_for(timeout=20_000)
        organiser.reload()  # F5: a new Streamlit session
        organiser.get_by_text("Créer un café").first.wait_for(timeout=30_000)
        assert organiser.get_by_label("Mot de passe organisateur").count() == 0
    finally:
        stop_app(process)
