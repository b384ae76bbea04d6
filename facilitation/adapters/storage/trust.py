"""What keeps the app trustworthy: the link secret, installation values, names to mask, login tries,
and the tombstones of erased records."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import (
    erased_records,
    first_run_links,
    installation_values,
    login_attempts,
    masked_names,
    staff_passwords,
    staff_sessions,
)
from facilitation.domain.access import new_secret
from facilitation.domain.model import StaffSession

_LINK_SECRET = "link_secret"
# Any constant: the same for every instance that counts login tries in the same database.
_LOGIN_LOCK_ID = 727_274_002
_FORGOTTEN = timedelta(days=1)


class SqlTrustRepository:
    """Rows of `installation_values`, `masked_names`, `login_attempts`, `erased_records`, `staff_sessions`,
    `staff_passwords` and `first_run_links`."""

    def __init__(self, transactions, configured_link_secret: str = "") -> None:
        self._tx = transactions
        self._configured_link_secret = configured_link_secret

    # -- secrets and installation values -------------------------------------------------------
    def link_secret(self) -> str:
        """The secret signing resident links: CAFE_LINK_SECRET, else the stored one.

        Checked on every phone refresh, so it is only read; it is written once, when missing (on a
        connection of its own when the caller only reads: a read transaction never writes)."""
        if self._configured_link_secret:
            return self._configured_link_secret
        stored = self.installation_value(_LINK_SECRET)
        if stored is not None:
            return stored
        if self._tx.holds_write_lock():
            return self._create_link_secret(self._tx.current()[0])
        with self._tx.separate_writer() as connection:
            return self._create_link_secret(connection)

    def _create_link_secret(self, conn: Connection) -> str:
        values = {"name": _LINK_SECRET, "value": new_secret()}
        self._tx.insert_ignoring_duplicates(conn, installation_values, ["name"], values)
        # Another instance may have created it first: theirs wins, read it back.
        return conn.execute(
            select(installation_values.c.value).where(installation_values.c.name == _LINK_SECRET)
        ).scalar_one()

    def rotate_link_secret(self) -> None:
        """Replace the stored link secret: every resident link signed before is refused."""

        def work(conn):
            conn.execute(installation_values.delete().where(installation_values.c.name == _LINK_SECRET))
            conn.execute(insert(installation_values).values(name=_LINK_SECRET, value=new_secret()))

        self._tx.write(work)

    def installation_value(self, name: str) -> str | None:
        """A value stored once for the whole installation (shared by every instance), if set."""
        return self._tx.read(
            lambda conn: conn.execute(
                select(installation_values.c.value).where(installation_values.c.name == name)
            ).scalar_one_or_none()
        )

    def set_installation_value(self, name: str, value: str) -> None:
        def work(conn):
            if not self._tx.insert_ignoring_duplicates(
                conn, installation_values, ["name"], {"name": name, "value": value}
            ):
                conn.execute(
                    update(installation_values).where(installation_values.c.name == name).values(value=value)
                )

        self._tx.write(work)

    # -- names to mask -------------------------------------------------------------------------
    def add_masked_name(self, cafe_id: str, name: str, confirmed: bool = True) -> None:
        """Flag a name (confirmed or to confirm); flagging a known name confirmed confirms it."""

        def work(conn):
            values = {"cafe_id": cafe_id, "name": name, "confirmed": int(confirmed)}
            added = self._tx.insert_ignoring_duplicates(conn, masked_names, ["cafe_id", "name"], values)
            if not added and confirmed:
                conn.execute(
                    update(masked_names)
                    .where(masked_names.c.cafe_id == cafe_id, masked_names.c.name == name)
                    .values(confirmed=1)
                )

        self._tx.write(work)

    def masked_names(self, cafe_id: str, *, confirmed: bool = True) -> list[str]:
        rows = self._tx.rows(
            select(masked_names.c.name)
            .where(masked_names.c.cafe_id == cafe_id, masked_names.c.confirmed == int(confirmed))
            .order_by(masked_names.c.name)
        )
        return [row.name for row in rows]

    def remove_masked_name(self, cafe_id: str, name: str) -> None:
        self._tx.write(
            lambda conn: conn.execute(
                masked_names.delete().where(masked_names.c.cafe_id == cafe_id, masked_names.c.name == name)
            )
        )

    def forget_cafe(self, cafe_id: str) -> None:
        """The café's names to mask (when the café itself is erased)."""
        self._tx.write(
            lambda conn: conn.execute(masked_names.delete().where(masked_names.c.cafe_id == cafe_id))
        )

    # -- login tries ---------------------------------------------------------------------------
    def lock_logins(self) -> None:
        """Serialise login tries until the transaction ends (SQLite's BEGIN IMMEDIATE already does)."""
        if self._tx.dialect == "postgresql":
            self._tx.write(
                lambda conn: conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOGIN_LOCK_ID})")
            )

    def _tries(self, scope: str, who: str | None, value: str):
        mine = [login_attempts.c.scope == scope]
        if who is not None:
            mine.append(login_attempts.c[who] == value)
        return mine

    def last_success(self, scope: str, who: str, value: str, since: datetime) -> datetime | None:
        """When this session or address (`who`) last logged in, from `since` on."""
        mine = self._tries(scope, who, value)
        return self._tx.read(
            lambda conn: conn.execute(
                select(func.max(login_attempts.c.at)).where(
                    *mine, login_attempts.c.succeeded == 1, login_attempts.c.at >= since
                )
            ).scalar_one()
        )

    def failures(
        self, scope: str, since: datetime, who: str | None = None, value: str = ""
    ) -> tuple[int, datetime | None, datetime | None]:
        """(count, first, last) of the failed tries from `since` on, of one session or address
        (`who` = "session" or "address") or of everybody."""
        mine = self._tries(scope, who, value)
        row = self._tx.read(
            lambda conn: conn.execute(
                select(func.count(), func.min(login_attempts.c.at), func.max(login_attempts.c.at)).where(
                    *mine, login_attempts.c.succeeded == 0, login_attempts.c.at >= since
                )
            ).one()
        )
        return row[0], row[1], row[2]

    def opened_here(self, scope: str, address: str, code_key: str, since: datetime) -> bool:
        """Whether this address succeeded with this code (its keyed hash) from `since` on."""
        found = self._tx.first(
            select(login_attempts.c.id)
            .where(
                login_attempts.c.scope == scope,
                login_attempts.c.address == address[:64],
                login_attempts.c.code_key == code_key,
                login_attempts.c.succeeded == 1,
                login_attempts.c.at >= since,
            )
            .limit(1)
        )
        return found is not None

    def last_reset(self, scope: str) -> datetime | None:
        """When the organiser last forgave every failed try of this scope (see `reset_logins`)."""
        return self._tx.read(
            lambda conn: conn.execute(
                select(func.max(login_attempts.c.at)).where(login_attempts.c.scope == f"{scope}:reset")
            ).scalar_one()
        )

    def reset_logins(self, scope: str, now: datetime) -> None:
        """Forgive every failed try of this scope made before `now` (a marker row, kept like a try)."""
        values = {"at": now, "succeeded": 1, "scope": f"{scope}:reset"}
        self._tx.write(lambda conn: conn.execute(insert(login_attempts).values(**values)))

    def add_login_attempt(
        self, scope: str, session: str, address: str, now: datetime, code_key: str = ""
    ) -> int:
        """Record a try as failed (until marked succeeded); returns its id."""
        values = {
            "at": now,
            "succeeded": 0,
            "scope": scope,
            "address": address[:64],
            "session": session[:64],
            "code_key": code_key[:32],
        }
        return self._tx.write(
            lambda conn: conn.execute(
                insert(login_attempts).values(**values).returning(login_attempts.c.id)
            ).scalar_one()
        )

    def mark_login_succeeded(self, attempt_id: int) -> None:
        self._tx.write(
            lambda conn: conn.execute(
                update(login_attempts).where(login_attempts.c.id == attempt_id).values(succeeded=1)
            )
        )

    # -- tombstones ----------------------------------------------------------------------------
    def record_erasure(self, kind: str, cafe_id: str, ids: list[str], now: datetime) -> None:
        """Remember erased ids, so that no restore or import brings them back."""

        def work(conn):
            for erased_id in ids:
                values = {"id": erased_id, "kind": kind, "cafe_id": cafe_id, "erased_at": now}
                self._tx.insert_ignoring_duplicates(conn, erased_records, ["id"], values)

        self._tx.write(work)

    # -- staff sessions ------------------------------------------------------------------------
    def add_staff_session(self, session: StaffSession) -> None:
        """Record a sign-in; sessions expired a day ago are dropped on the way (nothing reads them)."""
        values = to_row(session)

        def work(conn):
            conn.execute(
                staff_sessions.delete().where(staff_sessions.c.expires_at < session.issued_at - _FORGOTTEN)
            )
            conn.execute(insert(staff_sessions).values(**values))

        self._tx.write(work)

    def staff_session(self, session_id: str) -> StaffSession | None:
        row = self._tx.first(select(staff_sessions).where(staff_sessions.c.id == session_id))
        return to_model(StaffSession, row) if row else None

    def end_staff_sessions(self, now: datetime, session_id: str | None = None) -> int:
        """End one session (or every one still open); returns how many were open."""
        statement = update(staff_sessions).where(staff_sessions.c.ended_at.is_(None))
        if session_id is not None:
            statement = statement.where(staff_sessions.c.id == session_id)
        return self._tx.write(lambda conn: conn.execute(statement.values(ended_at=now)).rowcount)

    # -- passwords chosen on the first run -----------------------------------------------------
    def staff_password_hashes(self) -> dict[str, str]:
        """{role: scrypt hash} of the passwords chosen in the app (settings are not read here)."""
        rows = self._tx.rows(select(staff_passwords.c.role, staff_passwords.c.password_hash))
        return {row.role: row.password_hash for row in rows}

    def add_staff_password(self, role: str, password_hash: str, now: datetime) -> bool:
        """Store a role's first password; False (nothing changed) when that role already has one."""
        values = {"role": role, "password_hash": password_hash, "chosen_at": now}
        return self._tx.write(
            lambda conn: self._tx.insert_ignoring_duplicates(conn, staff_passwords, ["role"], values)
        )

    def add_first_run_link(self, token_digest: str, now: datetime) -> None:
        values = {"token_digest": token_digest, "created_at": now}
        self._tx.write(lambda conn: conn.execute(insert(first_run_links).values(**values)))

    def first_run_link_unused(self, token_digest: str) -> bool:
        """True when this link was issued and not used yet."""
        return (
            self._tx.first(
                select(first_run_links.c.token_digest).where(
                    first_run_links.c.token_digest == token_digest, first_run_links.c.used_at.is_(None)
                )
            )
            is not None
        )

    def use_first_run_link(self, token_digest: str, now: datetime) -> bool:
        """Mark the link used; False when it was unknown or already used (two tabs at once: one wins)."""
        statement = (
            update(first_run_links)
            .where(first_run_links.c.token_digest == token_digest, first_run_links.c.used_at.is_(None))
            .values(used_at=now)
        )
        return self._tx.write(lambda conn: conn.execute(statement).rowcount) == 1
