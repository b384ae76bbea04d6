"""Which page an address asks for, so that every address opens a page and none shows a dialog."""

from __future__ import annotations

import re

from streamlit.runtime.scriptrunner import get_script_run_ctx

# A page address Streamlit accepts for st.Page(url_path=…): one path segment.
_ONE_SEGMENT = re.compile(r"[^/\s]+")


def requested_address() -> str:
    """The page the browser asked for by its address on this run ('' for the root page).

    A click in the menu or a page link names its page by hash and always resolves (to the default
    page at worst); an address typed, bookmarked or reloaded names it by path, and a path that no
    registered page carries makes Streamlit 1.67 show its English « Page not found » dialog
    (commands/navigation.py). Read from the run's page intent, which Streamlit has no public API for."""
    ctx = get_script_run_ctx()
    if ctx is None or ctx.pages_manager.intended_page_script_hash:
        return ""
    return (ctx.pages_manager.intended_page_name or "").strip("/")


def unknown_address(known: set[str]) -> str | None:
    """The requested address when no page carries it and a page can be registered under it."""
    address = requested_address()
    if not address or address in known or not _ONE_SEGMENT.fullmatch(address):
        return None
    return address
