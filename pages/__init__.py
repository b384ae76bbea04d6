"""The Streamlit pages (app.py registers them): entry points of the staff and the wall."""
