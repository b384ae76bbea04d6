"""Plain HTTP pages served by the same process as Streamlit: the residents' phone page.

Residents open a table's QR code on old phones and crowded Wi-Fi: their page is a small
server-rendered French form (Starlette + Jinja2), not a Streamlit app. Like `pages/`, this layer only
draws and calls one use case of `facilitation`; it never imports streamlit.
"""

from web.resident import resident_routes
from web.runtime import WebRuntime
from web.security import resident_middleware, staff_middleware

__all__ = ["WebRuntime", "resident_middleware", "resident_routes", "staff_middleware"]
