"""Streamlit helpers shared by the pages: runtime, access gates, safe display of user text."""
