"""Settings and the store for the running Streamlit app."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from facilitation.errors import CafeError
from facilitation.settings import Settings, load_settings
from facilitation.storage import SqlStore, open_store


def settings() -> Settings:
    """Settings from the environment, then .streamlit/secrets.toml when there is one."""
    try:
        secrets = dict(st.secrets)
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        secrets = {}
    return load_settings(secrets=secrets)


@st.cache_resource(show_spinner=False)
def _store(database_url: str) -> SqlStore:
    # One engine (connection pool) per process and database, migrated once.
    return open_store(database_url)


def store() -> SqlStore:
    """The migrated store; a clear French message and a stop when the database is unreachable."""
    try:
        return _store(settings().database_url)
    except CafeError as exc:
        st.error(exc.message)
        st.stop()


@st.cache_resource(show_spinner="Chargement du modèle de langue français…")
def _grouper(backend: str, model_path: str):
    # Heavy models (spaCy, the sentence encoder, BERTopic) load once per process.
    from facilitation.topics import make_grouper
    from facilitation.topics.embeddings import load_sentence_encoder, load_spacy_french

    if backend == "spacy":
        load_spacy_french()
        load_sentence_encoder()
    return make_grouper(backend, model_path)


def grouper():
    """The configured topic grouper, loaded once per process; a French error if it cannot load."""
    config = settings()
    try:
        return _grouper(config.cafe_embedding_backend, config.cafe_embedding_model_path)
    except CafeError as exc:
        st.error(exc.message)
        st.stop()


def show_errors(action, *args, **kwargs):
    """Run a use case; show its French error and return None when it refuses."""
    try:
        return action(*args, **kwargs)
    except CafeError as exc:
        st.error(exc.message)
        return None
