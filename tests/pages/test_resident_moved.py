"""A resident link opened on the Streamlit app (pages/resident_moved.py). The residents' page itself
is plain HTML (web/, tests/test_resident_page.py). Streamlit only guarantees that a resident link
never lists or opens another page."""

from __future__ import annotations

import pytest

from facilitation.domain.access import make_join_token
from tests.conftest import committed, make_cafe
from tests.pages.apptest import ORGANISER_PAGES, app


def resident_app(store, cafe, table=1, **query):
    return app(t=make_join_token(committed(store).trust.link_secret(), cafe.id, table), **query)


def test_a_resident_link_on_streamlit_points_to_the_residents_page(store):
    cafe, _ = make_cafe(store)
    at = resident_app(store, cafe)
    (button,) = at.get("link_button")
    assert button.proto.url == "/j/" + at.query_params["t"]


@pytest.mark.parametrize("page", ["pages/captain.py", "pages/home.py", *ORGANISER_PAGES])
def test_residents_cannot_reach_any_other_page(store, page):
    cafe, _ = make_cafe(store)
    at = resident_app(store, cafe)
    with pytest.raises(ValueError):
        at.switch_page(page)
