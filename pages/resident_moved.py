"""A resident link opened on the Streamlit app itself: point to the residents' page.

The server redirects `/?t=…` to `/j/…` before Streamlit loads (web/security.py); this page only
shows when the app was started without serve.py, and never lists another page.
"""

from urllib.parse import quote

import streamlit as st

from facilitation.domain.access import JOIN_PARAM, JOIN_PATH

st.title("Café concertation")
st.write("Pour participer, ouvrez la page de votre table :")
st.link_button("Ouvrir la page de ma table", JOIN_PATH + quote(st.query_params.get(JOIN_PARAM, ""), safe=""))
