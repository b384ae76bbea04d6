"""Drive a resident's phone through what a person reads: labels and button names only.

Works on any resident page that keeps these words, whatever draws it (Streamlit or plain HTML).
"""

from __future__ import annotations

import re

IDEA_LABEL = "Votre idée"
SEND_BUTTON = "Envoyer"
THANKS = "Merci ! Votre idée a bien été envoyée."
SUPPORT_BUTTON = re.compile("Je suis d'accord")
SUPPORTED = "✓ Vous êtes d'accord"


def open_phones(browser, join_links: list[str], *, context_options: dict) -> list:
    """One phone (its own browser context) per link, loading side by side, once each shows the form."""
    pages = []
    for link in join_links:
        page = browser.new_context(**context_options).new_page()
        page.goto(link, wait_until="commit", timeout=90_000)
        pages.append(page)
    for page in pages:
        page.get_by_label(IDEA_LABEL).wait_for(timeout=90_000)
    return pages


def send_idea(page, text: str, *, taps: int = 1, timeout_ms: int = 60_000) -> None:
    """Type an idea and tap « Envoyer » `taps` times in a row (1: a tap, 2: a double tap…)."""
    page.get_by_label(IDEA_LABEL).fill(text)
    page.get_by_role("button", name=SEND_BUTTON).click(click_count=taps)
    page.get_by_text(THANKS).first.wait_for(timeout=timeout_ms)


def support_first_idea(page, timeout_ms: int = 30_000) -> None:
    """Tap « Je suis d'accord » on the first idea listed at the table, and see it counted."""
    button = page.get_by_role("button", name=SUPPORT_BUTTON).first
    button.wait_for(timeout=timeout_ms)
    button.click()
    page.get_by_text(SUPPORTED).first.wait_for(timeout=timeout_ms)


def shows(page, text: str) -> bool:
    return page.get_by_text(text, exact=True).count() > 0
