"""The residents' server-rendered page over HTTP, without JavaScript (Starlette's test client).

These are the no-JavaScript journeys: every form posts, redirects and draws again. The real
browser, JavaScript and small screens are in test_resident_browser.py.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import pytest
from sqlalchemy import create_engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from facilitation.composition import build_app
from facilitation.domain.access import make_join_token
from facilitation.domain.model import Source
from facilitation.domain.privacy import MASKED_SUMMARY
from facilitation.services import abuse, audit, cafes, contributions
from facilitation.services.abuse import PHONES_PER_ADDRESS, SUPPORTS_PER_IDEA_PER_ADDRESS
from facilitation.settings import load_settings, proxy_networks
from tests.conftest import add_idea, committed, make_cafe, transactions_begun
from web import WebRuntime, resident_middleware, resident_routes
from web.resident import PHONE_COOKIE, UNAVAILABLE_MESSAGE


class Phone:
    """One phone's browser without JavaScript: it keeps its cookies and reads the forms it is shown."""

    def __init__(
        self, app: Starlette, store, cafe, table: int = 1, *, address: str = "192.0.2.10", headers=None
    ) -> None:
        # The connection's address (what the server counts) and headers every request carries.
        self.client = TestClient(app, base_url="http://cafe.local", client=(address, 40000), headers=headers)
        self.store = store
        self.link = cafes.join_link(store, cafe.id, table, "")
        self.page = self.client.get(self.link)

    def field(self, name: str, html: str | None = None) -> str:
        html = self.page.text if html is None else html
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        assert found, f"no field {name} in the page"
        return unescape(found.group(1))

    def text_in_field(self) -> str:
        found = re.search(r'<textarea id="texte"[^>]*>(.*?)</textarea>', self.page.text, re.S)
        assert found, "no text field in the page"
        return unescape(found.group(1))

    def form(self, text: str) -> dict[str, str]:
        """The idea form as drawn on the current page, with this text typed in."""
        return {"texte": text, **{name: self.field(name) for name in ("sid", "nonce", "tour")}}

    def send(self, text: str, **overrides: str):
        form = self.form(text) | overrides
        self.page = self.client.post(self.link, data=form)
        return self.page

    def support(self, idea_id: str, *, json: bool = False):
        nonce = re.search(r'data-support-nonce="([^"]+)"', self.client.get(self.link).text).group(1)
        headers = {"accept": "application/json"} if json else {}
        form = {"idee": idea_id, "nonce": nonce}
        answer = self.client.post(f"{self.link}/soutien", data=form, headers=headers)
        if not json:
            self.page = answer
        return answer


def phone_beside_an_idea(app: Starlette, store, text: str):
    """A phone on the page of a fresh café whose table already holds the idea `text`: (café, idea, phone)."""
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, text)
    return cafe, idea, Phone(app, store, cafe)


def serve(database_url: str, **settings) -> tuple[Starlette, WebRuntime]:
    """The resident routes and middleware as the real server mounts them."""
    runtime = WebRuntime(lambda: build_app(load_settings(database_url=database_url, **settings)))
    middleware = resident_middleware(lambda: runtime.settings.cafe_trusted_proxies)
    return Starlette(routes=resident_routes(runtime), middleware=middleware), runtime


@pytest.fixture
def served(database_url):
    """The resident page on a fresh database (SQLite and PostgreSQL)."""
    app, runtime = serve(database_url, cafe_rate_per_phone=6)
    yield app, runtime.store(), runtime
    runtime.close()


def test_the_page_reads_in_french_and_sets_a_private_phone_cookie(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe, table=2)
    page = phone.page
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert "Table 2" in page.text and "Question 1 ?" in page.text and "Tour 1" in page.text
    assert '<label for="texte">Votre idée</label>' in page.text
    assert "sans donner votre nom" in page.text and "<strong>365 jours</strong>" in page.text
    assert MASKED_SUMMARY in unescape(page.text)  # exactly what is masked, as the PDF method note says
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{PHONE_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/j/" in cookie


def test_the_page_sends_strict_security_headers_and_asks_no_other_site(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    page = Phone(app, store, cafe).page
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"  # the link never leaks to another site
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert not re.search(r'(src|href|action)="(https?:)?//', page.text)  # nothing from elsewhere
    tags = re.sub(r">[^<]*<", "><", page.text)
    assert "<script>" not in page.text and " on" not in tags  # no inline script, no handler


def test_a_resident_sends_an_idea_without_javascript(served):
    app, store, _ = served
    cafe, rounds = make_cafe(store)
    phone = Phone(app, store, cafe, table=2)
    sent = phone.send("Un banc près de l'arrêt de bus")
    assert sent.history[0].status_code == 303  # POST → redirect → GET: F5 never sends twice
    assert "Merci ! Votre idée a bien été envoyée." in sent.text and phone.text_in_field() == ""
    (stored,) = committed(store).contributions.in_cafe(cafe.id)
    assert stored.text == "Un banc près de l'arrêt de bus" and stored.source is Source.RESIDENT
    assert stored.table_id == cafes.get_table(store, cafe.id, 2).id and stored.round_id == rounds[0].id
    assert "Un banc près de l&#39;arrêt de bus" in sent.text  # now in the table's list


def test_a_retried_post_stores_once(served):
    """Double and triple taps, the back button, a flaky network: the same drawn form stores once."""
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    form = phone.form("Plus de bancs")
    answers = [phone.client.post(phone.link, data=form, follow_redirects=False) for _ in range(3)]
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Plus de bancs"]


def test_each_drawn_form_has_its_own_submission_id(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    first = phone.field("sid")
    phone.send("Une idée")
    assert phone.field("sid") != first
    phone.send("Une autre idée")
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Une idée", "Une autre idée"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "est vide"),
        ("bip\x07", "contrôle"),
        ("x" * 2001, "trop long"),
        ("\u202eevil", "contrôle"),
    ],
)
def test_refused_text_comes_back_in_the_field_and_nothing_is_stored(served, text, message):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    answer = phone.send(text)
    assert answer.status_code == 422 and message in unescape(answer.text)
    assert phone.text_in_field() == text
    assert committed(store).contributions.in_cafe(cafe.id) == []


def test_a_question_changed_while_typing_is_not_filed_under_the_new_one(served):
    app, store, _ = served
    cafe, rounds = make_cafe(store)
    phone = Phone(app, store, cafe)
    cafes.open_round(store, cafe.id, rounds[1].id)  # the organiser moves on while they type
    refused = phone.send("Réponse à la question 1")
    assert refused.status_code == 409 and "La question a changé" in unescape(refused.text)
    assert "Question 2 ?" in refused.text and phone.text_in_field() == "Réponse à la question 1"
    assert committed(store).contributions.in_cafe(cafe.id) == []
    assert phone.field("tour") == rounds[1].id  # they read the new question: the next send is for it
    phone.send(phone.text_in_field())
    (stored,) = committed(store).contributions.in_cafe(cafe.id)
    assert stored.round_id == rounds[1].id


def test_a_round_closed_while_typing_gives_the_text_back(served):
    app, store, _ = served
    cafe, rounds = make_cafe(store)
    phone = Phone(app, store, cafe)
    cafes.close_round(store, cafe.id, rounds[0].id)
    refused = phone.send("Mon idée importante")
    assert refused.status_code == 409 and "n'a pas été envoyé" in unescape(refused.text)
    assert phone.text_in_field() == "Mon idée importante"
    assert committed(store).contributions.in_cafe(cafe.id) == []
    # The next round opens: the same words, sent again, are refused once with the new question shown.
    cafes.open_round(store, cafe.id, rounds[1].id)
    assert "La question a changé" in unescape(phone.send(phone.text_in_field()).text)
    phone.send(phone.text_in_field())
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Mon idée importante"]


def test_the_waiting_screen_has_no_open_form(served):
    app, store, _ = served
    cafe, _ = make_cafe(store, open_first=False)
    page = Phone(app, store, cafe).page
    assert "Attendez que l&#39;animateur lance le tour suivant" in page.text
    assert re.search(r'<form method="post" action="[^"]+" id="idea-form" hidden>', page.text)


def test_a_burst_from_one_phone_is_refused_and_the_text_kept(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    for i in range(7):
        answer = phone.send(f"Idée {i}")
    assert answer.status_code == 409 and "Patientez une minute" in unescape(answer.text)
    assert phone.text_in_field() == "Idée 6"
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 6


@pytest.fixture
def phone_on_sqlite(sqlite_url):
    """A phone on the resident page of a café, on a SQLite file: (store, café, phone)."""
    app, runtime = serve(sqlite_url)
    store = runtime.store()
    cafe, _ = make_cafe(store)
    yield store, cafe, Phone(app, store, cafe)
    runtime.close()


UNREACHABLE = "postgresql+psycopg://cafe:S3cretQ@127.0.0.1:1/base?connect_timeout=1"


@contextmanager
def database_down(store) -> Iterator[None]:
    """The store's database unreachable inside the block (nothing listens at UNREACHABLE), back after."""
    healthy = store.engine
    store.engine = create_engine(UNREACHABLE)
    try:
        yield
    finally:
        store.engine = healthy


def test_an_outage_gives_the_text_back_without_database_details_and_stores_once_after(phone_on_sqlite):
    store, cafe, phone = phone_on_sqlite
    with database_down(store):
        refused = phone.send("Mon idée pendant la panne")
    assert refused.status_code == 503 and UNAVAILABLE_MESSAGE in unescape(refused.text)
    for detail in ("S3cretQ", "127.0.0.1", "cafe:", "base", "psycopg"):  # UNREACHABLE's parts
        assert detail not in refused.text
    assert phone.text_in_field() == "Mon idée pendant la panne"
    # Back: the retry button sends the same form.
    retry = phone.form(phone.text_in_field())
    phone.client.post(phone.link, data=retry)
    phone.client.post(phone.link, data=retry)  # and once more by mistake
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Mon idée pendant la panne"]


@pytest.mark.parametrize(
    "token",
    ["abc", "deadbeef.1.0.AAAAAAAAAAAAAAAAAAAAAA", "<script>alert(1)</script>", "x" * 3000],
)
def test_forged_links_get_a_plain_error_and_no_form(served, token):
    app, store, _ = served
    make_cafe(store)
    client = TestClient(app)
    for page in (client.get(f"/j/{token}"), client.post(f"/j/{token}", data={"texte": "x"})):
        assert page.status_code in (403, 404) and "Ce lien n&#39;est pas valable" in page.text
        assert "<textarea" not in page.text and "<script>alert" not in page.text
    assert client.get(f"/j/{token}/etat").status_code in (403, 404)


def test_revoked_closed_and_archived_links_are_refused(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    old = Phone(app, store, cafe)
    cafes.revoke_links(store, cafe.id, 1)
    assert "n&#39;est plus valable" in old.client.get(old.link).text
    refused = old.send("Encore là ?")
    assert refused.status_code == 403 and committed(store).contributions.in_cafe(cafe.id) == []
    cafes.close_cafe(store, cafe.id)
    closed = Phone(app, store, cafe).page
    assert "Ce café est terminé" in closed.text and 'id="idea-form" hidden' in closed.text
    cafes.set_archived(store, cafe.id, True)
    archived = Phone(app, store, cafe).page
    assert archived.status_code == 403 and "archivé" in archived.text


def test_links_printed_on_the_first_cards_redirect_to_the_new_page(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    client = TestClient(app)
    token = make_join_token(committed(store).trust.link_secret(), cafe.id, 1)
    for old in (f"/?t={token}", f"/capitaine?t={token}&code=X"):
        moved = client.get(old, follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"/j/{token}"
    assert "Question 1 ?" in client.get(f"/?t={token}").text


@pytest.mark.parametrize(
    "text",
    [
        "<b>gras</b> & **étoiles**",
        "<script>alert(1)</script>",
        "[cliquez](javascript:alert(1))",
        "https://phishing.example/login et www.evil.example",
        "<a href='https://phishing.example'>ici</a>",
        '" onmouseover="alert(1)',
    ],
)
def test_what_residents_type_is_shown_literally_never_as_markup_or_link(served, text):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, text, source=Source.RESIDENT)
    phone = Phone(app, store, cafe)
    listed = re.search(r'<ul id="ideas">(.*?)</ul>', phone.page.text, re.S).group(1)
    shown = re.search(r'<p class="idea-text">(.*?)</p>', listed, re.S).group(1)
    assert unescape(shown) == text
    assert "<a" not in listed and "<b>" not in listed and "<script" not in listed
    assert phone.client.get(f"{phone.link}/etat").json()["ideas"][0]["text"] == text


def test_a_post_from_another_site_or_without_the_forms_nonce_stores_nothing(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    forged = phone.send("Pirate", nonce="AAAAAAAAAAAAAAAAAAAAAA")
    assert forged.status_code == 403 and phone.text_in_field() == "Pirate"
    assert "a expiré ou ne vient pas de cette page" in unescape(forged.text)
    form = phone.form("Pirate")
    cross_site = phone.client.post(phone.link, data=form, headers={"sec-fetch-site": "cross-site"})
    assert cross_site.status_code == 403
    assert committed(store).contributions.in_cafe(cafe.id) == []
    phone.send("Pas pirate")  # the form given back works
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Pas pirate"]


def test_a_body_larger_than_any_contribution_is_refused(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    urlencoded = {"content-type": "application/x-www-form-urlencoded"}
    huge = phone.client.post(phone.link, content=b"texte=" + b"a" * 200_000, headers=urlencoded)
    assert huge.status_code == 413 and committed(store).contributions.in_cafe(cafe.id) == []


def test_a_phone_supports_an_idea_once_even_when_it_reopens_the_link(served):
    app, store, _ = served
    cafe, idea, phone = phone_beside_an_idea(app, store, "Jardin partagé")
    after = phone.support(idea.id)
    assert after.history[0].status_code == 303 and "✓ Vous êtes d'accord · 1 soutien" in unescape(after.text)
    phone.page = phone.client.get(phone.link)  # the QR code scanned again: same phone, same cookie
    assert phone.support(idea.id, json=True).json()["supports"] == 1
    other = Phone(app, store, cafe)
    assert other.support(idea.id, json=True).json() == {
        "ok": True,
        "id": idea.id,
        "supports": 2,
        "supports_label": "2 soutiens",
        "choice": "d'accord",
        "choice_line": "✓ Vous êtes d'accord",
    }
    assert committed(store).contributions.get(idea.id).supports == 2


def test_a_support_with_a_forged_nonce_or_an_unknown_idea_is_refused(served):
    app, store, _ = served
    _, idea, phone = phone_beside_an_idea(app, store, "Jardin partagé")
    forged = phone.client.post(
        f"{phone.link}/soutien", data={"idee": idea.id, "nonce": "x"}, headers={"accept": "application/json"}
    )
    assert forged.status_code == 403 and forged.json()["ok"] is False
    unknown = phone.support("0" * 32, json=True)
    assert unknown.status_code == 404 and "n'est plus affichée" in unknown.json()["message"]
    assert committed(store).contributions.get(idea.id).supports == 0


def test_the_state_follows_the_rounds_for_the_page_script(served):
    app, store, _ = served
    cafe, rounds = make_cafe(store)
    phone = Phone(app, store, cafe)
    state = phone.client.get(f"{phone.link}/etat").json()
    assert (state["accepting"], state["round_id"], state["question"]) == (True, rounds[0].id, "Question 1 ?")
    cafes.open_round(store, cafe.id, rounds[1].id)
    state = phone.client.get(f"{phone.link}/etat").json()
    assert (state["round_label"], state["question"]) == ("Tour 2", "Question 2 ?")
    cafes.close_round(store, cafe.id, rounds[1].id)
    state = phone.client.get(f"{phone.link}/etat").json()
    assert state["accepting"] is False and "Attendez" in state["closed_message"]


def test_the_audit_log_names_the_tables_link_for_a_web_submit(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    Phone(app, store, cafe, table=2).send("Depuis mon téléphone")
    events = audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")
    assert (events[0]["acteur"], events[0]["action"]) == ("lien habitant, table 2", "contribution ajoutée")


@pytest.fixture
def strict(sqlite_url):
    """One submit per phone and per minute (five +1); the address ceiling is a hundred phones' worth."""
    app, runtime = serve(sqlite_url, cafe_rate_per_phone=1, cafe_rate_per_table=1000)
    yield app, runtime.store()
    runtime.close()


def test_a_script_that_drops_its_cookie_is_still_limited_by_its_address(strict):
    app, store = strict
    cafe, _ = make_cafe(store)
    answers = [Phone(app, store, cafe).send(f"Spam {i}").status_code for i in range(PHONES_PER_ADDRESS + 1)]
    # A hundred fresh "phones" from one address (a whole café behind one box), then no more.
    assert answers == [200] * PHONES_PER_ADDRESS + [409]
    assert len(committed(store).contributions.in_cafe(cafe.id)) == PHONES_PER_ADDRESS
    # Another address is not held back by it.
    assert Phone(app, store, cafe, address="192.0.2.11").send("Autre adresse").status_code == 200


def test_supports_are_rate_limited_per_phone_and_per_idea_and_address(strict):
    app, store = strict
    cafe, _ = make_cafe(store)
    ideas = [add_idea(store, cafe, f"Idée {i}") for i in range(6)]
    phone = Phone(app, store, cafe)
    answers = [phone.support(idea.id, json=True) for idea in ideas]
    assert [a.status_code for a in answers] == [200] * 5 + [409]  # five +1 a minute per phone
    assert "patientez une minute" in answers[-1].json()["message"]
    # A script throwing its cookie away: a table's worth of +1 per idea from one address, no more.
    same_idea = [
        Phone(app, store, cafe).support(ideas[5].id, json=True).status_code
        for _ in range(SUPPORTS_PER_IDEA_PER_ADDRESS + 1)
    ]
    assert same_idea == [200] * SUPPORTS_PER_IDEA_PER_ADDRESS + [409]
    assert committed(store).contributions.get(ideas[5].id).supports == SUPPORTS_PER_IDEA_PER_ADDRESS


def test_sixty_phones_behind_one_address_each_send_three_ideas_in_a_minute(database_url):
    """A whole café behind the venue's one public address, with the default settings: all accepted."""
    app, runtime = serve(database_url)
    store = runtime.store()
    try:
        cafe, _ = make_cafe(store, tables=6)
        phones = [Phone(app, store, cafe, table=1 + i % 6, address="203.0.113.50") for i in range(60)]
        answers = [
            phone.send(f"Idée {n} du téléphone {i}") for n in range(3) for i, phone in enumerate(phones)
        ]
        assert [a.status_code for a in answers] == [200] * 180
        assert all("Merci ! Votre idée a bien été envoyée." in a.text for a in answers)
        assert len(committed(store).contributions.in_cafe(cafe.id)) == 180
    finally:
        runtime.close()


@pytest.fixture
def small_address_ceiling(monkeypatch) -> int:
    """An address ceiling of five phones instead of a hundred, for the tests of WHICH address is
    counted (not of the ceiling's size, which test_a_script_that_drops_its_cookie… checks): the
    limiter reads PHONES_PER_ADDRESS when the app is built."""
    monkeypatch.setattr(abuse, "PHONES_PER_ADDRESS", 5)
    return 5


def test_the_loopback_address_is_counted_like_any_other(sqlite_url, small_address_ceiling):
    """127.0.0.1 was not counted per address (no address): a local script had no ceiling."""
    app, runtime = serve(sqlite_url, cafe_rate_per_phone=1, cafe_rate_per_table=1000)
    store = runtime.store()
    try:
        cafe, _ = make_cafe(store)
        answers = [
            Phone(app, store, cafe, address="127.0.0.1").send(f"Local {i}").status_code
            for i in range(small_address_ceiling + 1)
        ]
        assert answers[-1] == 409 and answers[:-1] == [200] * small_address_ceiling
    finally:
        runtime.close()


def test_x_forwarded_for_is_read_only_from_a_listed_proxy(sqlite_url, small_address_ceiling):
    """A header anyone can write never chooses the address the limits count."""
    trusted = proxy_networks("10.0.0.0/8")
    app, runtime = serve(
        sqlite_url, cafe_rate_per_phone=1, cafe_rate_per_table=1000, cafe_trusted_proxies=trusted
    )
    store = runtime.store()
    try:
        cafe, _ = make_cafe(store)

        def sends(address: str, forwarded: str, count: int) -> list[int]:
            return [
                Phone(app, store, cafe, address=address, headers={"x-forwarded-for": forwarded})
                .send(f"{address} {forwarded} {i}")
                .status_code
                for i in range(count)
            ]

        # An untrusted client inventing a new address each time is still counted under its own.
        invented = [
            Phone(app, store, cafe, address="198.51.100.9", headers={"x-forwarded-for": f"192.0.2.{i}"})
            .send(f"Inventé {i}")
            .status_code
            for i in range(small_address_ceiling + 1)
        ]
        assert invented[-1] == 409
        # From the listed proxy, the phones' own addresses count: one full, another still free.
        assert sends("10.1.2.3", "203.0.113.1", small_address_ceiling + 1)[-1] == 409
        assert sends("10.1.2.3", "203.0.113.2, 10.9.9.9", 1) == [200]  # a second proxy hop skipped
        # What the client wrote left of the proxy's entry does not choose its address.
        assert sends("10.1.2.3", "203.0.113.2, 203.0.113.1", 1) == [409]
        # https as the listed proxy says (the phone cookie is then Secure); nobody else is believed.
        https = {"x-forwarded-for": "203.0.113.3", "x-forwarded-proto": "https"}
        assert (
            "Secure" in Phone(app, store, cafe, address="10.1.2.3", headers=https).page.headers["set-cookie"]
        )
        assert "Secure" not in Phone(app, store, cafe, headers=https).page.headers["set-cookie"]
    finally:
        runtime.close()


def test_new_words_posted_with_an_already_sent_form_are_not_lost(served):
    """The back button can bring back a form already sent: its id must not swallow new words."""
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    old_form = phone.form("Première idée")
    phone.client.post(phone.link, data=old_form)
    again = phone.send("Deuxième idée", sid=old_form["sid"], nonce=old_form["nonce"])
    assert again.status_code == 422 and "avait déjà servi" in unescape(again.text)
    assert phone.text_in_field() == "Deuxième idée" and phone.field("sid") != old_form["sid"]
    phone.send(phone.text_in_field())
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == [
        "Première idée",
        "Deuxième idée",
    ]


def test_a_retried_multiline_idea_is_a_retry_not_new_words(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    form = phone.form("Deux lignes\r\nla seconde  ")  # what a browser sends for a textarea
    answers = [phone.client.post(phone.link, data=form, follow_redirects=False) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303]
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:59999/db?password=S3cretQ&connect_timeout=2",
        "postgresql+psycopg://cafe:hunt@er2@127.0.0.1:59999/db?connect_timeout=2",
    ],
)
def test_phones_learn_nothing_about_an_unreachable_database(url):
    app, _ = serve(url)
    client = TestClient(app)
    token = "0123456789abcdef0123456789abcdef.1.0.AAAAAAAAAAAAAAAAAAAAAA"
    for answer in (
        client.get(f"/j/{token}"),
        client.post(f"/j/{token}", data={"texte": "Mon idée", "sid": "a" * 32}),
        client.get(f"/j/{token}/etat"),
    ):
        assert answer.status_code == 503 and "momentanément indisponible" in unescape(answer.text)
        for leak in ("S3cretQ", "er2", "hunt", "127.0.0.1", "59999", "postgres", "db?", "base de données"):
            assert leak not in answer.text


def test_a_form_with_too_many_fields_gets_a_page_not_a_crash(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    fields = {f"a{i}": "1" for i in range(17)}
    for path in (phone.link, f"{phone.link}/soutien"):
        answer = phone.client.post(path, data=fields)
        assert answer.status_code == 413 and "content-security-policy" in answer.headers


@pytest.mark.parametrize("origin", ["https://evil.example", "http://cafe.local.evil.example"])
def test_a_post_from_another_origin_is_refused_even_without_sec_fetch_site(served, origin):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    refused = phone.client.post(phone.link, data=phone.form("Pirate"), headers={"origin": origin})
    assert refused.status_code == 403 and committed(store).contributions.in_cafe(cafe.id) == []
    same = phone.client.post(
        phone.link, data=phone.form("Pas pirate"), headers={"origin": "http://cafe.local"}
    )
    assert same.status_code == 200 and [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == [
        "Pas pirate"
    ]


@pytest.mark.parametrize(
    "text", ["\u200b", "\u200b\u200b\u200b", "\u2800", "\u3164", "\ufeff", "\u00ad", "\u2060 \u200b"]
)
def test_text_that_draws_nothing_is_empty(served, text):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    answer = phone.send(text)
    assert answer.status_code == 422 and "est vide" in unescape(answer.text)
    assert committed(store).contributions.in_cafe(cafe.id) == []


def test_a_refused_support_speaks_of_the_button_and_cookieless_phones_are_told(served):
    app, store, _ = served
    _, idea, phone = phone_beside_an_idea(app, store, "Jardin partagé")
    stale = phone.client.post(
        f"{phone.link}/soutien", data={"idee": idea.id, "nonce": "x"}, headers={"accept": "application/json"}
    )
    assert "Je suis d'accord » a expiré" in stale.json()["message"]
    cookieless = TestClient(app, base_url="http://cafe.local", cookies=None)
    page = cookieless.get(phone.link)
    nonce = re.search(r'data-support-nonce="([^"]+)"', page.text).group(1)
    cookieless.cookies.clear()  # a phone that refuses cookies never sends one back
    answer = cookieless.post(
        f"{phone.link}/soutien",
        data={"idee": idea.id, "nonce": nonce},
        headers={"accept": "application/json"},
    )
    assert answer.status_code == 403 and "refuse les cookies" in answer.json()["message"]
    assert committed(store).contributions.get(idea.id).supports == 0


def test_the_retry_page_of_an_outage_sends_at_the_first_tap_once_the_database_is_back(phone_on_sqlite):
    store, cafe, phone = phone_on_sqlite
    with database_down(store):
        assert phone.send("Pendant la panne").status_code == 503
    phone.send(phone.text_in_field())  # « Envoyer à nouveau », as drawn during the outage
    assert "Merci !" in phone.page.text
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Pendant la panne"]


def test_rate_windows_forget_quiet_phones():
    from facilitation.services.abuse import SlidingWindow

    window = SlidingWindow(5, 60)
    for i in range(999):
        window.hit(f"téléphone {i}", now=0)
    window.hit("un de plus", now=120)  # the thousandth hit sweeps the keys quiet for a minute
    assert len(window) == 1


def test_two_phones_may_say_the_same_words_but_one_phone_says_them_once(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    first, second = Phone(app, store, cafe), Phone(app, store, cafe)
    first.send("Plus de bancs")
    second.send("Plus de bancs")  # another resident at the same table
    first.send("Plus de bancs")  # the first phone again, from a new form: the same idea
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == [
        "Plus de bancs",
        "Plus de bancs",
    ]
    assert "Merci !" in first.page.text


def test_personal_data_is_masked_on_every_phone_and_in_the_state_but_stored_as_typed(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    author, neighbour = Phone(app, store, cafe), Phone(app, store, cafe)
    typed = "appelez Mme Durand au 06\u200b12\u200b34\u200b56\u200b78 ou durand (at) example.fr"
    author.send(typed)
    masked = "appelez Mme [nom masqué] au [téléphone masqué] ou [courriel masqué]"
    for phone in (author, neighbour):  # the author's own idea after sending, and the table's
        page = unescape(phone.client.get(phone.link).text)
        state = phone.client.get(f"{phone.link}/etat").json()
        assert masked in page and state["ideas"][0]["text"] == masked
        for raw in ("Durand", "06\u200b12", "example"):
            assert raw not in page and raw not in json.dumps(state, ensure_ascii=False)
    (stored,) = committed(store).contributions.in_cafe(cafe.id)
    assert stored.text == typed


def test_a_flooded_table_costs_a_phone_a_few_tens_of_kilobytes(served):
    """Sixty ideas of 2,000 characters (three times the twenty shown, 240 kB of text in UTF-8) at one
    table: the phone gets the latest few, shortened."""
    app, store, _ = served
    cafe, _ = make_cafe(store)
    for i in range(60):
        add_idea(store, cafe, f"Idée {i:03d} " + "é" * 1990)
    phone = Phone(app, store, cafe)
    state = phone.client.get(f"{phone.link}/etat")
    assert state.status_code == 200 and len(state.content) < 40_000 and len(phone.page.content) < 50_000
    shown = state.json()
    assert [idea["text"][:8] for idea in shown["ideas"]] == [f"Idée {i:03d}" for i in range(59, 39, -1)]
    assert shown["total"] == 60 and all(idea["text"].endswith("…") for idea in shown["ideas"])
    assert "60 idées à cette table : les 20 plus récentes sont affichées." in unescape(phone.page.text)
    assert phone.page.text.count('class="idea-text"') == 20
    # Everything is stored whole, and a shown idea is supported as before.
    assert all(len(c.text) == 1999 for c in committed(store).contributions.in_cafe(cafe.id))
    newest = shown["ideas"][0]["id"]
    assert phone.support(newest, json=True).json()["supports"] == 1


def test_a_calm_table_shows_every_idea_and_no_count(served):
    app, store, _ = served
    cafe, _ = make_cafe(store)
    for i in range(3):
        add_idea(store, cafe, f"Idée {i}")
    phone = Phone(app, store, cafe)
    shown = phone.client.get(f"{phone.link}/etat").json()
    assert [idea["text"] for idea in shown["ideas"]] == ["Idée 2", "Idée 1", "Idée 0"]
    assert shown["total"] == 3 and shown["more_label"] == ""
    assert 'id="more-ideas" class="hint" hidden' in phone.page.text


def test_a_phones_post_is_one_transaction(served):
    """The form's nonce, the link, the id already used, the round and the stored idea: one
    transaction, so nothing can change between the checks and the write."""
    app, store, _ = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe)
    form = phone.form("Plus de bancs au square")
    begun = transactions_begun(store)
    answer = phone.client.post(phone.link, data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert len(begun) == 1
    begun.clear()
    # The same form again (a double tap): answered from the one transaction too.
    assert phone.client.post(phone.link, data=form, follow_redirects=False).status_code == 303
    assert len(begun) == 1
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Plus de bancs au square"]


def test_a_phones_vote_is_one_transaction(served):
    app, store, _ = served
    _, idea, phone = phone_beside_an_idea(app, store, "Plus de bancs")
    nonce = re.search(r'data-support-nonce="([^"]+)"', phone.page.text).group(1)
    begun = transactions_begun(store)
    answer = phone.client.post(
        f"{phone.link}/soutien",
        data={"idee": idea.id, "nonce": nonce},
        headers={"accept": "application/json"},
    )
    assert answer.json()["supports"] == 1 and len(begun) == 1


def test_a_phones_page_is_read_in_one_transaction(served):
    app, store, _ = served
    _, _, phone = phone_beside_an_idea(app, store, "Plus de bancs")
    begun = transactions_begun(store)
    assert phone.client.get(phone.link).status_code == 200 and len(begun) == 1
    begun.clear()
    assert phone.client.get(f"{phone.link}/etat").status_code == 200 and len(begun) == 1


def test_a_round_closed_while_a_phone_posts_never_receives_its_idea(served, monkeypatch):
    """The organiser closes the round just after the phone's link was checked: the idea is either
    refused, or stored before the round closed — never filed in a round already closed."""
    app, store, _ = served
    cafe, rounds = make_cafe(store)
    phone = Phone(app, store, cafe)
    checked = contributions._claimed_state
    closer: list[threading.Thread] = []

    def check_then_close(uow, claim):
        state = checked(uow, claim)
        if not closer:  # the organiser's « Fermer le tour », from another thread, right now
            closer.append(threading.Thread(target=cafes.close_round, args=(store, cafe.id, rounds[0].id)))
            closer[0].start()
            closer[0].join(timeout=1)  # it waits for the phone's transaction if that one holds the café
        return state

    monkeypatch.setattr(contributions, "_claimed_state", check_then_close)
    answer = phone.client.post(
        phone.link, data=phone.form("Une idée de dernière seconde"), follow_redirects=False
    )
    closer[0].join()
    closed = next(r for r in committed(store).cafes.rounds(cafe.id) if r.id == rounds[0].id)
    assert closed.closed_at is not None
    stored = committed(store).contributions.in_cafe(cafe.id)
    if answer.status_code == 303:
        assert [c.created_at <= closed.closed_at for c in stored] == [True]
    else:
        assert answer.status_code == 409 and "Votre texte n'a pas été envoyé" in unescape(answer.text)
        assert stored == []
