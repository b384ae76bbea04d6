"""The one server: Streamlit for captains and organisers, plain HTML routes for residents' phones.

`streamlit run serve.py` finds `app` below and serves both on one port (scripts/run.sh does this).
uvicorn imports this file while it loads its configuration: the server's own limits (header
time-out, connections, open files, no X-Forwarded-For from untrusted addresses) are set then.
"""

from contextlib import asynccontextmanager

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.pages_manager import PagesManager

from facilitation.domain.errors import CafeError
from facilitation.settings import Settings, load_settings
from ui.capture import FOCUS_SCRIPT
from ui.french import FRENCH_SCRIPT
from ui.runtime import app as cafe_app
from web import WebRuntime, resident_middleware, resident_routes, staff_middleware
from web.addresses import address_middleware
from web.server_limits import apply_to_loading_server


@asynccontextmanager
async def _first_run(_app):
    """Once per process, at start: the one-time link to choose the organiser's password, if none."""
    try:
        cafe_app().announce_first_run(f"http://localhost:{st.get_option('server.port')}")
    except CafeError as exc:  # a refused setting: the pages say it too; the server still starts
        print(f"» {exc.message}", flush=True)
    yield


def _server_settings() -> Settings:
    # As ui.runtime.app() reads them (environment, then .streamlit/secrets.toml), before any session.
    try:
        secrets = dict(st.secrets)
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        secrets = {}
    return load_settings(secrets=secrets)


apply_to_loading_server(_server_settings())
runtime = WebRuntime(cafe_app)
app = st.App(
    "app.py",
    routes=resident_routes(runtime),
    # Two inline scripts, allowed by hash: the captain's focus back in the text field, and the one
    # that puts Streamlit's own words in French on every page.
    middleware=[
        *resident_middleware(lambda: runtime.settings.cafe_trusted_proxies),
        *address_middleware(),
        *staff_middleware(inline_scripts=(FOCUS_SCRIPT, FRENCH_SCRIPT)),
    ],
    lifespan=_first_run,
)

# With a pages/ folder next to app.py, Streamlit 1.67 runs the first session of a fresh server as
# an old-style multipage app (runtime/pages_manager.py, scriptrunner/script_runner.py `_mpa_v1`)
# before app.py's st.navigation takes over: its first address other than the home page showed the
# English « Page not found » dialog. app.py always declares its pages, so that mode is never wanted.
PagesManager.uses_pages_directory = False
