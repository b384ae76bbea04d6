"""The one server: Streamlit for captains and organisers, plain HTML routes for residents' phones.

`streamlit run serve.py` finds `app` below and serves both on one port (scripts/run.sh does this).
"""

from contextlib import asynccontextmanager

import streamlit as st

from facilitation.errors import CafeError
from ui.capture import FOCUS_SCRIPT
from ui.runtime import app as cafe_app
from web import WebRuntime, resident_middleware, resident_routes, staff_middleware


@asynccontextmanager
async def _first_run(_app):
    """Once per process, at start: the one-time link to choose the organiser's password, if none."""
    try:
        cafe_app().announce_first_run(f"http://localhost:{st.get_option('server.port')}")
    except CafeError as exc:  # a refused setting: the pages say it too; the server still starts
        print(f"» {exc.message}", flush=True)
    yield


app = st.App(
    "app.py",
    routes=resident_routes(WebRuntime(cafe_app)),
    # The captain's page runs one inline script (the focus back in the text field): allowed by hash.
    middleware=[*resident_middleware(), *staff_middleware(inline_scripts=(FOCUS_SCRIPT,))],
    lifespan=_first_run,
)
