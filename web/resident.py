"""The resident's phone page: read the question, send an idea, support the table's ideas.

Works without JavaScript (POST → redirect → GET; the idempotency key is minted when the form is
drawn and travels in a hidden field). With JavaScript, `habitant.js` refreshes the question and the
table's ideas and sends +1 without reloading. Every text is rendered by Jinja2 with autoescaping.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from facilitation.domain.access import (
    FORGED_LINK_MESSAGE,
    JOIN_PATH,
    STALE_FORM_MESSAGE,
    check_form_nonce,
    form_nonce,
    new_id,
)
from facilitation.domain.agreement import THEME_PREFIX, Choice
from facilitation.domain.errors import (
    AccessDenied,
    AlreadySent,
    CafeError,
    InvalidInput,
    NotAccepting,
    NotFound,
    RoundChanged,
    StaleForm,
    StorageUnavailable,
)
from facilitation.domain.privacy import MASKED_SUMMARY
from facilitation.domain.wording import plural, shorten
from facilitation.services import contributions, votes
from facilitation.services.contributions import TableContext, Visit
from web.runtime import WebRuntime
from web.security import ASSETS_PATH

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
PHONE_COOKIE = "cafe_telephone"
PHONE_COOKIE_DAYS = 2
# The tables (and rounds) this phone joined, signed: « je prolonge » offers their ideas. Bounded:
# the most recent MAX_VISITS only, a few hundred bytes.
VISITS_COOKIE = "cafe_tables"
MAX_VISITS = 12
_VISIT = re.compile(r"^([0-9a-f]{32})_([1-9][0-9]{0,2})_([0-9a-f]{32})$")
PROLONG_CHOICE = "prolonge"
QUESTION_FIELD = "question"
MAX_FORM_BYTES = 64 * 1024  # a contribution is at most a few thousand characters
STALE_SUPPORT_MESSAGE = (
    "Ce bouton « Je suis d'accord » a expiré ou ne vient pas de cette page : rechargez la page, "
    "puis appuyez à nouveau."
)
NO_COOKIE_MESSAGE = (
    "Votre téléphone refuse les cookies de cette page : sans eux, votre « d'accord » ne peut pas être "
    "compté une seule fois. Vous pouvez toujours envoyer vos idées."
)
UNAVAILABLE_MESSAGE = (
    "Le service est momentanément indisponible. Réessayez dans un instant : votre texte est gardé."
)
THANKS_PARAM = "envoye"
# A phone is shown the table's most recent ideas, each cut to a few lines, and how many there are
# in all: its page and its polled state stay a few tens of KB however full (or flooded) the table
# is. Everything stays whole in the database, for the captain and the organiser.
PHONE_IDEAS = 20
PHONE_IDEA_CHARS = 500
_PHONE_ID = re.compile(r"^[0-9a-f]{32}$")

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _asset_version() -> str:
    # Changes whenever a file changes, so phones may cache the files for a day.
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()


class FormTooLarge(InvalidInput):
    """A request body larger than any real contribution."""


@dataclass
class Page:
    """What the join page shows; built by the handlers, drawn by `join.html`."""

    token: str
    context: TableContext | None = None
    text: str = ""
    error: str = ""
    thanks: bool = False
    sid: str = field(default_factory=new_id)
    round_id: str = ""
    supported: set[str] = field(default_factory=set)
    choices: dict[str, Choice] = field(default_factory=dict)  # this phone's votes, by item
    themes: list[votes.PlenaryTheme] = field(default_factory=list)  # the open plenary vote's
    visits: list[tuple[str, int, str]] = field(default_factory=list)  # (café, table, round), signed
    builds_on: str = ""  # the idea chosen on the « je prolonge » page
    question: bool = False  # « c'est une question qui émerge »
    prolong_view: bool = False  # drawn as the « je prolonge » page
    heard: list[contributions.HeardIdea] = field(default_factory=list)
    visits_cookie: str = ""  # the visits with the table of now, when it was not among them
    secret: str = ""  # the link secret read with the page: signs its forms


def _paths(token: str) -> dict[str, str]:
    join = JOIN_PATH + quote(token, safe="")
    return {
        "join_path": join,
        "support_path": join + "/soutien",
        "state_path": join + "/etat",
        "prolong_path": join + "/prolonge",
    }


def _visits_signed(phone: str, entries: list[str]) -> tuple[str, ...]:
    """What the visits cookie's signature covers: this phone and its entries."""
    return ("visites", phone, ".".join(entries))


def _read_visits(request: Request, secret: str, phone: str) -> list[tuple[str, int, str]]:
    """The signed visits cookie of this phone; empty when absent, damaged or forged."""
    *entries, signature = request.cookies.get(VISITS_COOKIE, "").split(".") or [""]
    if not entries or len(entries) > MAX_VISITS:
        return []
    try:
        check_form_nonce(secret, signature, *_visits_signed(phone, entries))
    except StaleForm:
        return []
    visits = []
    for entry in entries:
        found = _VISIT.match(entry)
        if found is None:
            return []
        visits.append((found[1], int(found[2]), found[3]))
    return visits


def _cookie_visits(request: Request, phone: str) -> Callable[[str], tuple[Visit, ...]]:
    """The phone's visits as the use cases take them: read from its cookie once they give the link
    secret they read in their one transaction (they leave out other cafés' tables)."""
    return lambda secret: tuple(Visit(n, r) for _, n, r in _read_visits(request, secret, phone))


def _visit_cookie(secret: str, phone: str, visits: list[tuple[str, int, str]]) -> str:
    entries = [f"{cafe}_{number}_{round_id}" for cafe, number, round_id in visits[-MAX_VISITS:]]
    return ".".join([*entries, form_nonce(secret, *_visits_signed(phone, entries))])


def _timer(context: TableContext, now: datetime) -> str:
    """The round's remaining time in plain words (small, never alarming)."""
    if context.open_round is None:
        return ""
    remaining = context.open_round.remaining(now)
    if remaining is None:
        return ""
    minutes = int(remaining.total_seconds() // 60)
    if minutes < 0:
        return "Le temps prévu est écoulé : le tour va bientôt se terminer."
    if minutes == 0:
        return "Moins d'une minute pour ce tour."
    return f"Environ {plural(minutes, 'minute')} pour ce tour."


# What the phone says of its own vote, once given (« d'accord » keeps the +1's wording).
CHOICE_LINES = {
    Choice.AGREE: "✓ Vous êtes d'accord",
    Choice.DISAGREE: "✓ Vous n'êtes pas d'accord",
    Choice.UNSURE: "✓ Vous ne savez pas",
}


def _idea(item, page: Page) -> dict[str, Any]:
    choice = page.choices.get(item.id) or (Choice.AGREE if item.id in page.supported else None)
    return {
        "id": item.id,
        "text": item.text,
        "supports": item.supports,
        "supports_label": plural(item.supports, "soutien"),
        "supported": choice is Choice.AGREE,
        "choice": choice.value if choice else "",
        "choice_line": CHOICE_LINES[choice] if choice else "",
    }


def _theme(theme: votes.PlenaryTheme, page: Page) -> dict[str, Any]:
    item = THEME_PREFIX + theme.key
    choice = page.choices.get(item)
    return {
        "id": item,
        "text": theme.label,
        "choice": choice.value if choice else "",
        "choice_line": CHOICE_LINES[choice] if choice else "",
    }


def _shortened(idea: dict[str, Any]) -> dict[str, Any]:
    return {**idea, "text": shorten(idea["text"], PHONE_IDEA_CHARS)}


def _state(context: TableContext, page: Page, now: datetime) -> dict[str, Any]:
    """What the page shows of the table right now; the same for the HTML and for the JSON.

    At most PHONE_IDEAS ideas, the most recent first, and their total."""
    current = context.open_round
    latest = context.contributions[-PHONE_IDEAS:]
    total = context.contribution_count
    return {
        "accepting": context.accepting,
        "round_id": current.id if current and context.accepting else "",
        "round_label": f"Tour {current.position}" if current else "",
        "question": current.question if current else "",
        "timer": _timer(context, now),
        "closed_message": "" if context.accepting else context.closed_message(),
        "closed_reason": "" if context.accepting else context.box_closed_reason(),
        "ideas": [_shortened(_idea(item, page)) for item in reversed(latest)],
        "themes": [_theme(theme, page) for theme in page.themes],
        "total": total,
        "more_label": (
            f"{plural(total, 'idée')} à cette table : les {len(latest)} plus récentes sont affichées."
            if total > len(latest)
            else ""
        ),
    }


class ResidentPages:
    """Handlers of the resident routes, sharing one runtime (settings + store)."""

    def __init__(self, runtime: WebRuntime) -> None:
        self.runtime = runtime

    # -- drawing -----------------------------------------------------------------------------------
    def _render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        config = self.runtime.settings
        html = _templates.get_template(template).render(
            asset_version=ASSET_VERSION,
            refresh_seconds=config.cafe_refresh_seconds,
            max_chars=config.cafe_max_contribution_chars,
            retention_days=config.cafe_retention_days,
            privacy_contact=config.cafe_privacy_contact,
            masked_summary=MASKED_SUMMARY,
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def _error_page(self, message: str, status: int) -> HTMLResponse:
        return self._render("error.html", status, message=message)

    def _form_values(self, page: Page) -> dict[str, Any]:
        """What the table's page and the « je prolonge » page both draw: the table's state and the
        form to send an idea; `page.context` must be loaded."""
        context = page.context
        assert context is not None
        state = _state(context, page, self.runtime.now())
        # A text given back keeps the round it was typed for, so that a changed question is noticed.
        round_id = page.round_id if page.text and page.round_id else state["round_id"]
        return {
            "cafe": context.cafe,
            "table_label": context.table.label(),
            "state": state,
            "text": page.text,
            "error": page.error,
            "sid": page.sid,
            "nonce": form_nonce(page.secret, page.token, page.sid),  # the secret read with the page
            "round_id": round_id,
            "question_checked": page.question,
            **_paths(page.token),
        }

    def _join_page(self, page: Page, phone: str, status: int = 200) -> HTMLResponse:
        """The table's page; `page.context` must be loaded."""
        values = self._form_values(page)
        accepting = values["state"]["accepting"]
        return self._render(
            "join.html",
            status,
            thanks=page.thanks,
            support_nonce=form_nonce(page.secret, page.token, "soutien", phone),
            show_form=accepting or bool(page.text),
            can_prolong=accepting and _has_earlier_visit(page),
            **values,
        )

    def _prolong_page(self, page: Page, status: int = 200) -> HTMLResponse:
        """« Je prolonge une idée »: the ideas of this phone's earlier tables, and the form."""
        heard = [
            {
                "id": item.contribution.id,
                "where": item.where,
                "text": shorten(item.contribution.text, PHONE_IDEA_CHARS),
                "checked": item.contribution.id == page.builds_on,
            }
            for item in page.heard
        ]
        return self._render("prolonge.html", status, heard=heard, **self._form_values(page))

    def _retry_page(self, page: Page) -> HTMLResponse:
        """The database cannot be reached: give the text back with a button to send it again."""
        return self._render(
            "unavailable.html",
            503,
            message=UNAVAILABLE_MESSAGE,
            text=page.text,
            sid=page.sid,
            round_id=page.round_id,
            nonce=self._nonce_or_empty(page),
            **_paths(page.token),
        )

    def _nonce_or_empty(self, page: Page) -> str:
        # The database is down: sign with the secret last read, so that the first retry once it is
        # back goes through (links themselves are always checked against the current secret).
        secret = self.runtime.last_link_secret
        return form_nonce(secret, page.token, page.sid) if secret else ""

    def _load(self, page: Page, phone: str, request: Request | None = None) -> None:
        """Read the page's table in one transaction; on the « je prolonge » page, with the request,
        also the ideas heard at the tables of the phone's visits cookie."""
        visits = _cookie_visits(request, phone) if page.prolong_view and request is not None else None
        view = votes.phone_view(self.runtime.store(), page.token, phone, latest=PHONE_IDEAS, visits=visits)
        page.context, page.supported, page.choices, page.themes, page.secret, page.heard = (
            view.context,
            view.supported,
            view.choices,
            view.themes,
            view.link_secret,
            view.heard,
        )
        self.runtime.last_link_secret = view.link_secret  # signs the forms of a page drawn in an outage

    def _show(self, page: Page, phone: str, status: int = 200, request: Request | None = None) -> Response:
        """Load the table and draw it; refusals and outages get their own page. With the request,
        the phone's visits are read from its cookie, checked with the secret read with the page."""
        try:
            self._load(page, phone, request)
            if request is not None:
                self._with_visits(request, page, phone)
            if page.prolong_view:
                return self._prolong_page(page, status)
            return self._join_page(page, phone, status)
        except StorageUnavailable:
            return self._retry_page(page) if page.text else self._error_page(UNAVAILABLE_MESSAGE, 503)
        except CafeError as exc:
            return self._error_page(exc.message, _status_of(exc))

    # -- routes --------------------------------------------------------------------------------
    async def join(self, request: Request) -> Response:
        phone, is_new = _phone(request)
        page = Page(token=request.path_params["token"], thanks=request.query_params.get(THANKS_PARAM) == "1")
        response = await run_in_threadpool(self._show_remembering, request, page, phone)
        return _with_visits_cookie(_with_phone_cookie(response, request, phone, is_new), request, page)

    async def prolong(self, request: Request) -> Response:
        """« Je prolonge une idée » (GET): works without JavaScript, like the join page."""
        phone, is_new = _phone(request)
        page = Page(token=request.path_params["token"], prolong_view=True)
        response = await run_in_threadpool(self._show_remembering, request, page, phone)
        return _with_visits_cookie(_with_phone_cookie(response, request, phone, is_new), request, page)

    def _show_remembering(self, request: Request, page: Page, phone: str) -> Response:
        response = self._show(page, phone, request=request)
        self._remember_visit(page, phone)
        return response

    def _with_visits(self, request: Request, page: Page, phone: str) -> None:
        """The phone's visits, from its cookie, checked with the secret read with the page (_load)."""
        page.visits = _read_visits(request, page.secret, phone) if page.secret else []

    def _remember_visit(self, page: Page, phone: str) -> None:
        """Add the table and round shown now to the phone's visits (a signed cookie, set later)."""
        context = page.context
        if context is None or not context.accepting or context.open_round is None:
            return
        visit = (context.cafe.id, context.table.number, context.open_round.id)
        if visit in page.visits:
            return
        page.visits_cookie = _visit_cookie(page.secret, phone, [*page.visits, visit])  # read with the page

    async def submit(self, request: Request) -> Response:
        phone, is_new = _phone(request)
        token = request.path_params["token"]
        try:
            form = await _read_form(request)
        except FormTooLarge as exc:
            return self._error_page(exc.message, 413)
        page = Page(token=token, text=form.get("texte", ""), round_id=form.get("tour", ""))
        page.sid = form.get("sid", "") or new_id()
        page.builds_on = form.get(PROLONG_CHOICE, "")
        page.prolong_view = form.get("vue", "") == PROLONG_CHOICE
        page.question = form.get(QUESTION_FIELD, "") == "1"
        response = await run_in_threadpool(self._submit, request, page, form.get("nonce", ""), phone)
        return _with_phone_cookie(response, request, phone, is_new)

    def _submit(self, request: Request, page: Page, nonce: str, phone: str) -> Response:
        limits = self.runtime.app.limits
        try:
            store = self.runtime.store()
            _refuse_cross_site(request)
            if page.prolong_view and not page.builds_on:
                raise InvalidInput("Choisissez l'idée que vous prolongez, dans la liste, avant d'envoyer.")
            # One use case, one transaction: the form's nonce, the link, the round and the stored
            # idea; it records the table's link as the actor, from the token itself.
            contributions.resident_submit(
                store,
                nonce=nonce,
                token=page.token,
                submission=contributions.Submission(
                    text=page.text,
                    submission_id=page.sid,
                    max_chars=limits.max_contribution_chars,
                    round_id=page.round_id,  # "" when no question was on screen
                    builds_on=page.builds_on or None,
                    emerging_question=page.question,
                ),
                browser_id=phone,
                limiter=self.runtime.phone_limiter,
                per_table=limits.rate_per_table,
                client_address=_address(request),
                visits=_cookie_visits(request, phone),
            )
        except StorageUnavailable:
            return self._retry_page(page)
        except AlreadySent as exc:
            page.sid = new_id()  # the page given back carries a fresh form for these words
            page.error = exc.message
            return self._show(page, phone, _status_of(exc), request=request)
        except StaleForm as exc:
            page.sid = new_id()  # a fresh form the resident can send from here
            page.error = exc.message
            return self._show(page, phone, 403, request=request)
        except AccessDenied as exc:
            return self._error_page(exc.message, 403)
        except CafeError as exc:
            if isinstance(exc, RoundChanged):
                page.round_id = ""  # the new question is shown: the next send is for it
            page.error = exc.message
            return self._show(page, phone, _status_of(exc), request=request)
        return RedirectResponse(_paths(page.token)["join_path"] + f"?{THANKS_PARAM}=1", status_code=303)

    async def support(self, request: Request) -> Response:
        phone, is_new = _phone(request)
        token = request.path_params["token"]
        wants_json = "application/json" in request.headers.get("accept", "")
        try:
            form = await _read_form(request)
        except FormTooLarge as exc:
            return self._error_page(exc.message, 413)
        response = await run_in_threadpool(
            self._support,
            request,
            token,
            form.get("idee", ""),
            form.get("choix", "") or Choice.AGREE.value,  # the +1 form of a page drawn before
            form.get("nonce", ""),
            phone,
            not is_new,
            wants_json,
        )
        return _with_phone_cookie(response, request, phone, is_new)

    def _support(
        self,
        request: Request,
        token: str,
        idea_id: str,
        choice: str,
        nonce: str,
        phone: str,
        has_cookie: bool,
        wants_json: bool,
    ) -> Response:
        try:
            store = self.runtime.store()
            if not has_cookie:
                raise StaleForm(NO_COOKIE_MESSAGE)
            _refuse_cross_site(request, STALE_SUPPORT_MESSAGE)
            try:
                voted = votes.vote(
                    store,
                    nonce=nonce,
                    token=token,
                    item=idea_id,
                    choice=choice,
                    browser_id=phone,
                    limiter=self.runtime.phone_limiter,
                    client_address=_address(request),
                )
            except StaleForm:
                raise StaleForm(STALE_SUPPORT_MESSAGE) from None
        except CafeError as exc:
            message = UNAVAILABLE_MESSAGE if isinstance(exc, StorageUnavailable) else exc.message
            if wants_json:
                return JSONResponse({"ok": False, "message": message}, status_code=_status_of(exc))
            return self._show(Page(token=token, error=message), phone, _status_of(exc))
        picked, count = voted.choice, voted.supports or 0
        if wants_json:
            label = plural(count, "soutien")
            return JSONResponse(
                {
                    "ok": True,
                    "id": idea_id,
                    "supports": count,
                    "supports_label": label,
                    "choice": picked.value,
                    "choice_line": CHOICE_LINES[picked],
                }
            )
        anchor = f"#idee-{idea_id}" if voted.supports is not None else "#themes-title"
        return RedirectResponse(_paths(token)["join_path"] + anchor, status_code=303)

    async def unknown(self, request: Request) -> Response:
        """Any other address under /j/: a damaged or invented link."""
        return self._error_page(FORGED_LINK_MESSAGE, 404)

    async def state(self, request: Request) -> Response:
        phone, is_new = _phone(request)
        page = Page(token=request.path_params["token"])
        response = await run_in_threadpool(self._state_json, request, page, phone)
        return _with_visits_cookie(_with_phone_cookie(response, request, phone, is_new), request, page)

    def _state_json(self, request: Request, page: Page, phone: str) -> JSONResponse:
        try:
            self._load(page, phone)
            self._with_visits(request, page, phone)
        except StorageUnavailable:
            return JSONResponse({"error": UNAVAILABLE_MESSAGE}, status_code=503)
        except CafeError as exc:
            return JSONResponse({"error": exc.message}, status_code=_status_of(exc))
        assert page.context is not None
        state = _state(page.context, page, self.runtime.now())
        state["can_prolong"] = state["accepting"] and _has_earlier_visit(page)
        # A phone left on its table's page while the rounds change has heard each round there.
        self._remember_visit(page, phone)
        return JSONResponse(state)


def _has_earlier_visit(page: Page) -> bool:
    """Whether the phone joined another table (or this one in another round) of this café."""
    context = page.context
    if context is None or context.open_round is None:
        return False
    here = (context.cafe.id, context.table.number, context.open_round.id)
    return any(v[0] == context.cafe.id and v != here for v in page.visits)


def _status_of(error: CafeError) -> int:
    if isinstance(error, StorageUnavailable):
        return 503
    if isinstance(error, AccessDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotAccepting):
        return 409
    return 422


def _address(request: Request) -> str:
    # The connection's address, or the phone's as a listed proxy gave it (TrustedProxyHeaders).
    return request.client.host if request.client else ""


def _refuse_cross_site(request: Request, message: str = STALE_FORM_MESSAGE) -> None:
    """Browsers say where a request comes from: a form on another site is never ours.

    Recent browsers send Sec-Fetch-Site; older ones (old phones) still send Origin on a POST.
    """
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site") or (
        origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", "")
    ):
        raise StaleForm(message)


async def _read_form(request: Request) -> dict[str, str]:
    """The posted fields of an urlencoded form, refusing bodies larger than MAX_FORM_BYTES."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge("Ce texte est beaucoup trop long pour être envoyé.")
    try:
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=16)
    except ValueError:  # more fields than any of our forms has
        raise FormTooLarge("Ce formulaire ne vient pas de cette page : rechargez-la.") from None
    return {name: values[0] for name, values in fields.items()}


def _phone(request: Request) -> tuple[str, bool]:
    """This phone's random id (a cookie: counts a support once; not a person). True when new."""
    current = request.cookies.get(PHONE_COOKIE, "")
    if _PHONE_ID.match(current):
        return current, False
    return new_id(), True


def _set_phone_cookie(response: Response, request: Request, name: str, value: str) -> None:
    """A cookie of the phone's pages: for the /j/ routes only, unread by scripts, PHONE_COOKIE_DAYS."""
    response.set_cookie(
        name,
        value,
        max_age=PHONE_COOKIE_DAYS * 86400,
        path=JOIN_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _with_phone_cookie(response: Response, request: Request, phone: str, is_new: bool) -> Response:
    if is_new:
        _set_phone_cookie(response, request, PHONE_COOKIE, phone)
    return response


def _with_visits_cookie(response: Response, request: Request, page: Page) -> Response:
    if page.visits_cookie:
        _set_phone_cookie(response, request, VISITS_COOKIE, page.visits_cookie)
    return response


def resident_routes(runtime: WebRuntime) -> list[BaseRoute]:
    """The resident routes, for st.App's `routes=` (or any Starlette app in tests)."""
    pages = ResidentPages(runtime)
    return [
        Route(JOIN_PATH + "{token}", pages.join, methods=["GET", "HEAD"]),
        Route(JOIN_PATH + "{token}", pages.submit, methods=["POST"]),
        Route(JOIN_PATH + "{token}/soutien", pages.support, methods=["POST"]),
        Route(JOIN_PATH + "{token}/etat", pages.state, methods=["GET"]),
        Route(JOIN_PATH + "{token}/prolonge", pages.prolong, methods=["GET", "HEAD"]),
        Route(JOIN_PATH + "{rest:path}", pages.unknown, methods=["GET", "HEAD", "POST"]),
        Mount(ASSETS_PATH.rstrip("/"), StaticFiles(directory=STATIC_DIR), name="ressources"),
    ]
