"""The welcome page (pages/home.py)."""

from __future__ import annotations

from tests.pages.apptest import app


def test_home_offers_captain_and_organiser_entries(store):
    at = app()
    assert at.title[0].value == "☕ Café concertation"
    assert "scannez le QR code" in at.info[0].value
