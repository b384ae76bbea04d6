"""The one server: Streamlit for captains and organisers, plain HTML routes for residents' phones.

`streamlit run serve.py` finds `app` below and serves both on one port (scripts/run.sh does this).
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.capture import FOCUS_SCRIPT
from ui.french import FRENCH_SCRIPT
from ui.runtime import app as cafe_app
from web import WebRuntime, resident_middleware, resident_routes, staff_middleware
from web.addresses import address_middleware

app = st.App(
    "app.py",
    routes=resident_routes(WebRuntime(cafe_app)),
    # Two inline scripts, allowed by hash: the captain's focus back in the text field, and the one
    # that puts Streamlit's own words in French on every page.
    middleware=[
        *resident_middleware(),
        *address_middleware(),
        *staff_middleware(inline_scripts=(FOCUS_SCRIPT, FRENCH_SCRIPT)),
    ],
)

# With a pages/ folder next to app.py, Streamlit 1.67 runs the first session of a fresh server as
# an old-style multipage app (runtime/pages_manager.py, scriptrunner/script_runner.py `_mpa_v1`)
# before app.py's st.navigation takes over: its first address other than the home page showed the
# English « Page not found » dialog. app.py always declares its pages, so that mode is never wanted.
PagesManager.uses_pages_directory = False
