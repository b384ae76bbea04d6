"""« Je prolonge une idée » in a real headless Chromium (Debian's): a phone joins table 1 and posts,
then joins table 2 and builds on the table-1 idea; the export shows `prolonge` (issue #23)."""

from __future__ import annotations

import csv
import io

import pytest

from exports.tabular import to_csv
from facilitation.adapters.clock import utcnow
from facilitation.services import cafes
from facilitation.services.records import EXPORT_COLUMNS, HEADERS, contribution_records
from facilitation.services.snapshot import load_snapshot
from tests.conftest import committed
from tests.phones import send_idea
from tests.test_browser import accessibility_violations, running_app  # noqa: F401 - a fixture
from tests.test_resident_browser import phone_page, with_large_text

pytestmark = pytest.mark.browser
PROLONG_LINK = "Je prolonge une idée entendue à une autre table"


def test_a_phone_prolongs_at_table_2_an_idea_it_posted_at_table_1(
    running_app,  # noqa: F811
    browser,
    output_dir,
):
    base, store = running_app
    cafe = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="Café des Tilleuls", held_on=utcnow().date(), theme="numérique", commune="Villeurbanne"
        ),
    )
    for number in (1, 2, 3):
        cafes.add_table(store, cafe.id, number=number, name=f"Table des {number}")
    question = cafes.add_round(store, cafe.id, question="Comment mieux vivre ensemble ?", planned_minutes=20)
    cafes.open_round(store, cafe.id, question.id)
    # At 320 px with the phone's text at 200 %, and axe-core allowed in (bypass_csp).
    page = phone_page(browser, width=320, height=640, bypass_csp=True)
    with_large_text(page)

    page.goto(cafes.join_link(store, cafe.id, 1, base))
    assert page.get_by_role("link", name=PROLONG_LINK).is_hidden()  # no earlier table yet
    send_idea(page, "Un composteur partagé au pied de l'immeuble")
    (first,) = committed(store).contributions.in_cafe(cafe.id)

    page.goto(cafes.join_link(store, cafe.id, 2, base))
    page.get_by_role("link", name=PROLONG_LINK).click()
    page.get_by_role("heading", name="Je prolonge une idée").wait_for()
    choices = page.get_by_role("radio")
    assert choices.count() == 1  # only the idea of table 1, where this phone was before
    assert "Table 1, tour 1" in page.get_by_text("Table 1, tour 1").first.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, "no sideways scrolling"
    for target in [*page.get_by_role("button").all(), *page.locator("ul.heard li").all()]:
        box = target.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    assert accessibility_violations(page) == []
    page.screenshot(path=str(output_dir / "travel-prolonge-320.png"), full_page=True)

    page.get_by_label("Un composteur partagé au pied de l'immeuble").check()  # the radio, by its label
    page.get_by_label("Votre idée").fill("Et un bac à compost à chaque étage")
    page.get_by_label("C'est une question qui émerge").check()
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Merci ! Votre idée a bien été envoyée.").wait_for(timeout=30_000)

    built = next(c for c in committed(store).contributions.in_cafe(cafe.id) if c.id != first.id)
    assert (built.builds_on, built.emerging_question) == (first.id, True)
    assert built.table_id == cafes.get_table(store, cafe.id, 2).id
    exported = to_csv(
        contribution_records(load_snapshot(store, cafe.id), timezone="Europe/Paris"),
        EXPORT_COLUMNS,
        headers=HEADERS,
    )
    rows = {
        r["Identifiant de la contribution"]: r
        for r in csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))
    }
    assert rows[built.id]["prolonge"] == first.id and rows[first.id]["prolonge"] == ""
