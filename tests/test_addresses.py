"""Nested page addresses are sent to their first segment; everything else passes untouched."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from web.addresses import address_middleware

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def served_path(request):
    return PlainTextResponse(request.url.path)


@pytest.fixture
def client() -> TestClient:
    app = Starlette(routes=[Route("/{rest:path}", served_path)], middleware=address_middleware())
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize(
    ("address", "location"),
    [
        ("/cafes/ancien-lien", "/cafes"),
        ("/nimporte/quoi/encore", "/nimporte"),
        ("/animer/x?cafe=abc&organisateur=t", "/animer?cafe=abc&organisateur=t"),
        ("/caf%C3%A9s/x", "/caf%C3%A9s"),
    ],
)
def test_a_page_asked_at_a_nested_address_goes_to_its_first_segment(client, address, location):
    response = client.get(address, headers=HTML)
    assert response.status_code == 302 and response.headers["location"] == location


@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("/cafes", HTML),  # one segment: Streamlit's page
        ("/j/jeton/etat", HTML),  # the residents' routes
        ("/ressources/page.css", HTML),
        ("/_stcore/health", HTML),
        ("/static/js/index.js", HTML),
        ("/a/static/js/index.js", {"accept": "*/*"}),  # not a page: a script, an image…
    ],
)
def test_other_requests_pass_untouched(client, address, headers):
    response = client.get(address, headers=headers)
    assert response.status_code == 200 and response.text == address.split("?")[0]
