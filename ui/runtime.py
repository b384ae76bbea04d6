"""The application for the running Streamlit process: built once, shared by every page and session."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, NoReturn

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner import StopException

from facilitation.adapters.clock import local_time
from facilitation.composition import App, build_app
from facilitation.domain.errors import CafeError, StorageUnavailable
from facilitation.services.ports import UnitOfWork
from facilitation.settings import Settings, load_settings

if TYPE_CHECKING:  # seconds to import: only the harvest page loads them
    from facilitation.adapters.topics import TopicGrouper
    from facilitation.adapters.topics.embeddings import Embedder

ORGANISER_KEY = "organiser_signed_in"


def show_error(exc: CafeError) -> None:
    """A domain error in French; only a signed-in organiser also reads which database failed."""
    st.error(exc.message)
    if isinstance(exc, StorageUnavailable) and st.session_state.get(ORGANISER_KEY):
        st.caption(exc.detail)


@st.cache_resource(show_spinner=False)
def app() -> App:
    """The application wired from the environment, then .streamlit/secrets.toml; once per process."""
    try:
        secrets = dict(st.secrets)
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        secrets = {}
    return build_app(load_settings(secrets=secrets))


def settings() -> Settings:
    """The settings the application was built with."""
    return app().settings


def now() -> datetime:
    """The application's clock (the one the use cases stamp records with)."""
    return app().clock()


def today() -> date:
    """Today in CAFE_TIMEZONE, by the application's clock (the default date of the forms)."""
    return local_time(now(), settings().cafe_timezone).date()


class PageDone(StopException):
    """The page ends here (see `end_page`); app.py lets the run finish normally."""


def end_page() -> NoReturn:
    """Stop drawing the page here, like st.stop(), but as a finished run.

    Streamlit forgets the fragments a run did not draw only when the run finishes normally. After
    end_page() it kept them, and a timer tick queued behind the run replayed one of them into places
    the new, shorter page no longer had: the frontend threw « Bad delta path index » and dropped the
    whole page (a blank captain screen or wall until F5). Only this exception is let through by
    app.py: the stops Streamlit itself requests (a newer run replacing this one) stay stops. Inside
    a fragment it is a plain stop. Widgets this run did not draw lose their state, as in any run.
    tests/test_screens_follow.py opens and closes rounds under the screens."""
    raise PageDone()


def store_or_raise() -> UnitOfWork:
    """The migrated store, or StorageUnavailable: for widget callbacks, which must not stop."""
    return app().store()


def store() -> UnitOfWork:
    """The migrated store; a clear French message and a stop when the database is unreachable."""
    try:
        return store_or_raise()
    except CafeError as exc:
        show_error(exc)
        end_page()


def _loaded(load):
    # Heavy models (spaCy, the sentence encoder, BERTopic) load once per process, behind a spinner.
    try:
        with st.spinner("Chargement du modèle de langue français…"):
            return load()
    except CafeError as exc:
        show_error(exc)
        end_page()


def grouper() -> TopicGrouper:
    """The configured topic grouper; a French error and a stop if it cannot load."""
    return _loaded(app().grouper)


def embedder() -> Embedder:
    """The configured embeddings, for guided grouping; a French error and a stop if they cannot load."""
    return _loaded(app().embedder)


def show_errors(action, *args, **kwargs):
    """Run a use case; show its French error and return None when it refuses."""
    try:
        return action(*args, **kwargs)
    except CafeError as exc:
        show_error(exc)
        return None
