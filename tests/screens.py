"""Drive the Streamlit screens of a café (organiser, wall, captains) in a real browser, and time them."""

from __future__ import annotations

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-FR"}

# Records in the page, at the first DOM change that makes `text` visible, the time it happened.
WATCH_SCRIPT = """
(text) => {
  window.__cafeSeen = window.__cafeSeen || {};
  delete window.__cafeSeen[text];
  if (document.body.innerText.includes(text)) return true;
  const observer = new MutationObserver(() => {
    if (document.body.innerText.includes(text)) {
      window.__cafeSeen[text] = Date.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  return false;
}
"""


def watch(page, text: str) -> bool:
    """Start noting when `text` appears in `page`; True if it is already there."""
    return page.evaluate(WATCH_SCRIPT, text)


def seen_at(page, text: str) -> float | None:
    """When `text` appeared in a watched page (epoch seconds, the browser's clock), or None yet."""
    seen_ms = page.evaluate("(text) => (window.__cafeSeen || {})[text] || null", text)
    return None if seen_ms is None else seen_ms / 1000


def visit_home_first(page, base: str, *, timeout_ms: int = 30_000) -> None:
    """Visit the home page, before a deep link: Streamlit (issue #9992) shows a « Page not found »
    dialog when a fresh server's very first visit opens another page."""
    page.goto(base)
    page.get_by_text("Café concertation").first.wait_for(timeout=timeout_ms)


def sign_in_organiser(page, base: str, path: str, password: str) -> None:
    """Open an organiser page and sign in on it."""
    page.goto(f"{base}/{path}")
    page.get_by_label("Mot de passe organisateur").fill(password)
    page.get_by_role("button", name="Entrer").click()
