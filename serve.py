"""The one server: Streamlit for captains and organisers, plain HTML routes for residents' phones.

`streamlit run serve.py` finds `app` below and serves both on one port (scripts/run.sh does this).
"""

import streamlit as st

from ui.runtime import app as cafe_app
from web import WebRuntime, resident_middleware, resident_routes, staff_middleware

app = st.App(
    "app.py",
    routes=resident_routes(WebRuntime(cafe_app)),
    middleware=[*resident_middleware(), *staff_middleware()],
)
