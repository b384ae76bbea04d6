"""In-memory stand-ins for unit tests of the use cases."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

import numpy as np

from facilitation.adapters.clock import Clock, utcnow
from facilitation.adapters.topics import Grouping, Topic
from facilitation.domain.agreement import Vote
from facilitation.domain.errors import Conflict
from facilitation.domain.model import (
    Cafe,
    Contribution,
    Fiche,
    HarvestScope,
    HarvestVersion,
    Round,
    Source,
    StaffSession,
    StoredDocument,
    Table,
    Tablecloth,
)
from facilitation.services.audit import AuditEvent


class KeywordGrouper:
    """Groups texts by the first listed topic whose first word they contain (deterministic, instant).

    A topic is given as "word other words": the first word matches and labels it, all are keywords.
    """

    def __init__(self, keywords: list[str], unsorted_word: str | None = None) -> None:
        self.keywords = keywords
        self.unsorted_word = unsorted_word  # texts with this word fit no group: « À classer »
        self.calls: list[tuple[int, int | None]] = []
        self.starts: list[list[int | None] | None] = []

    def group(
        self,
        texts: list[str],
        n_topics: int | None = None,
        *,
        cache=None,
        progress=None,
        start_from=None,
        leave_unsorted: bool = True,
    ) -> Grouping:
        self.calls.append((len(texts), n_topics))
        self.starts.append(None if start_from is None else list(start_from))
        keys = self.keywords[: n_topics or len(self.keywords)]

        def topic_of(text: str) -> int:
            if leave_unsorted and self.unsorted_word and self.unsorted_word in text.lower():
                return -1
            return next((i for i, k in enumerate(keys) if k.split()[0] in text.lower()), len(keys) - 1)

        assignments = [topic_of(t) for t in texts]
        used = sorted(set(assignments) - {-1})
        topics = [
            Topic(
                id=i,
                label=keys[i].split()[0].capitalize(),
                keywords=keys[i].split(),
                members=[j for j, a in enumerate(assignments) if a == i],
                representatives=[j for j, a in enumerate(assignments) if a == i][:5],
                cohesion=round(0.5 + i / 10, 3),
            )
            for i in used
        ]
        return Grouping(
            assignments,
            topics,
            np.arange(2 * len(texts), dtype=float).reshape(-1, 2),
            {"engine": "fake"},
            unsorted=[i for i, a in enumerate(assignments) if a == -1],
        )


# -- an in-memory unit of work ------------------------------------------------------------------
class _Rows:
    """Every row of the fake, copied whole when a transaction begins and put back on rollback."""

    def __init__(self) -> None:
        self.cafes: dict[str, Cafe] = {}
        self.rounds: dict[str, Round] = {}
        self.tables: dict[str, Table] = {}
        self.contributions: dict[str, Contribution] = {}
        self.supports: dict[tuple[str, str], datetime] = {}
        self.votes: dict[tuple[str, str, str], Vote] = {}
        self.harvests: dict[str, HarvestScope] = {}
        self.versions: dict[str, HarvestVersion] = {}
        self.fiches: dict[tuple[str, str], Fiche] = {}
        self.documents: dict[str, StoredDocument] = {}
        self.values: dict[str, str] = {}
        self.masked: dict[tuple[str, str], bool] = {}
        self.logins: list[dict] = []
        self.erased: dict[str, str] = {}
        self.audit: list[AuditEvent] = []
        self.staff_sessions: dict[str, StaffSession] = {}
        self.tablecloths: dict[str, Tablecloth] = {}


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> _Rows:
        """The rows, read inside a unit of work only: the SQL storage raises too."""
        if not self._uow._depth:
            raise RuntimeError(
                "storage reads need a unit of work (`with uow.reading():` to read, `with uow:` to write)"
            )
        return self._uow.rows

    def _writing(self) -> _Rows:
        if not self._uow.writing:
            raise RuntimeError("storage writes need a writer unit of work (`with uow:`)")
        return self._uow.rows


class FakeCafes(_Repository):
    def lock(self, cafe_id: str) -> None:
        self._writing()

    def lock_shared(self, cafe_id: str) -> None:
        self._writing()

    def add(self, cafe: Cafe) -> None:
        self._writing().cafes[cafe.id] = cafe

    def update(self, cafe: Cafe) -> None:
        self._writing().cafes[cafe.id] = cafe

    def get(self, cafe_id: str) -> Cafe | None:
        return self.rows.cafes.get(cafe_id)

    def list_all(self) -> list[Cafe]:
        by_date = sorted(self.rows.cafes.values(), key=lambda c: c.created_at, reverse=True)
        return sorted(by_date, key=lambda c: c.held_on, reverse=True)

    def revoke_wall_link(self, cafe_id: str) -> None:
        rows = self._writing()
        rows.cafes[cafe_id] = replace(
            rows.cafes[cafe_id], wall_generation=rows.cafes[cafe_id].wall_generation + 1
        )

    def delete(self, cafe_id: str) -> None:
        rows = self._writing()
        for kept in (rows.rounds, rows.tables):
            for key in [k for k, v in kept.items() if v.cafe_id == cafe_id]:
                del kept[key]
        del rows.cafes[cafe_id]

    def add_round(self, round_: Round) -> None:
        self._writing().rounds[round_.id] = round_

    def save_round(self, round_: Round) -> None:
        self._writing().rounds[round_.id] = round_

    def delete_round(self, round_id: str) -> None:
        self._writing().rounds.pop(round_id, None)

    def rounds(self, cafe_id: str) -> list[Round]:
        return sorted(
            (r for r in self.rows.rounds.values() if r.cafe_id == cafe_id), key=lambda r: r.position
        )

    def add_table(self, table: Table) -> None:
        rows = self._writing()
        if any(t.cafe_id == table.cafe_id and t.number == table.number for t in rows.tables.values()):
            raise Conflict()
        rows.tables[table.id] = table

    def update_table(self, table: Table) -> None:
        rows = self._writing()
        rows.tables[table.id] = replace(
            rows.tables[table.id], name=table.name, captain_name=table.captain_name
        )

    def revoke_links(self, cafe_id: str, table_id: str | None = None) -> None:
        rows = self._writing()
        for table in self.tables(cafe_id):
            if table_id in (None, table.id):
                rows.tables[table.id] = replace(table, link_generation=table.link_generation + 1)

    def tables(self, cafe_id: str) -> list[Table]:
        return sorted((t for t in self.rows.tables.values() if t.cafe_id == cafe_id), key=lambda t: t.number)

    def table_by_code(self, code: str) -> Table | None:
        return next((t for t in self.rows.tables.values() if t.code == code), None)


class FakeContributions(_Repository):
    def _counted(self, contribution: Contribution) -> Contribution:
        count = sum(1 for (cid, _) in self.rows.supports if cid == contribution.id)
        return replace(contribution, supports=count)

    def lock_table(self, table_id: str) -> None:
        self._writing()

    def add(self, contribution: Contribution) -> bool:
        rows = self._writing()
        if contribution.id in rows.contributions:
            return False
        rows.contributions[contribution.id] = replace(contribution, supports=0)
        return True

    def find_same(self, contribution: Contribution) -> Contribution | None:
        for c in self.rows.contributions.values():
            same = (c.round_id, c.table_id, c.source, c.author, c.text) == (
                contribution.round_id,
                contribution.table_id,
                contribution.source,
                contribution.author,
                contribution.text,
            )
            if same and c.deleted_at is None:
                return self._counted(c)
        return None

    def count_since(self, table_id: str, source: Source, since: datetime) -> int:
        return sum(
            1
            for c in self.rows.contributions.values()
            if c.table_id == table_id and c.source is source and c.created_at >= since
        )

    def update(self, contribution: Contribution) -> None:
        self._writing().contributions[contribution.id] = contribution

    def get(self, contribution_id: str) -> Contribution | None:
        found = self.rows.contributions.get(contribution_id)
        return self._counted(found) if found else None

    def in_cafe(
        self, cafe_id, *, round_id=None, table_id=None, include_deleted=False, latest=None
    ) -> list[Contribution]:
        listed = [
            self._counted(c)
            for c in sorted(self.rows.contributions.values(), key=lambda c: (c.created_at, c.id))
            if c.cafe_id == cafe_id
            and round_id in (None, c.round_id)
            and table_id in (None, c.table_id)
            and (include_deleted or c.deleted_at is None)
        ]
        return listed if latest is None else listed[len(listed) - latest :] if latest else []

    def count(self, cafe_id, *, round_id=None, table_id=None) -> int:
        return len(self.in_cafe(cafe_id, round_id=round_id, table_id=table_id))

    def add_support(self, contribution_id: str, supporter: str, now: datetime) -> bool:
        rows = self._writing()
        if (contribution_id, supporter) in rows.supports:
            return False
        rows.supports[(contribution_id, supporter)] = now
        return True

    def supported_by(self, supporter: str, contribution_ids: list[str]) -> set[str]:
        return {cid for (cid, who) in self.rows.supports if who == supporter and cid in contribution_ids}

    def remove_support(self, contribution_id: str, supporter: str) -> None:
        self._writing().supports.pop((contribution_id, supporter), None)

    def set_vote(self, cafe_id, item, voter, table_number, tally, now) -> None:
        self._writing().votes[(cafe_id, item, voter)] = Vote(item, voter, table_number, tally)

    def votes_in(self, cafe_id: str) -> list[Vote]:
        return [vote for (cafe, _, _), vote in self.rows.votes.items() if cafe == cafe_id]

    def search(self, words, terms, cafe_ids=None, limit=200) -> list[Contribution]:
        raise NotImplementedError("full-text search is tested on the real databases")

    def emerging_questions(self) -> list[Contribution]:
        return [
            self._counted(c)
            for c in self.rows.contributions.values()
            if c.emerging_question and c.deleted_at is None
        ]

    def delete(self, contribution_ids: list[str]) -> None:
        rows = self._writing()
        for cid in contribution_ids:
            rows.contributions.pop(cid, None)
        for cid, c in list(rows.contributions.items()):
            if c.builds_on in contribution_ids:
                rows.contributions[cid] = replace(c, builds_on=None)
        for key in [k for k in rows.supports if k[0] in contribution_ids]:
            del rows.supports[key]
        for key in [k for k in rows.votes if k[1] in contribution_ids]:
            del rows.votes[key]

    def delete_for_cafe(self, cafe_id: str) -> None:
        self.delete([c.id for c in self.in_cafe(cafe_id, include_deleted=True)])


class FakeHarvests(_Repository):
    def id_for(self, scope: HarvestScope, now: datetime) -> str:
        rows = self._writing()
        found = self.find(scope)
        if found is None:
            found = f"h{len(rows.harvests) + 1}"
            rows.harvests[found] = scope
        return found

    def find(self, scope: HarvestScope) -> str | None:
        return next((i for i, s in self.rows.harvests.items() if s.key() == scope.key()), None)

    def scopes(self) -> dict[str, HarvestScope]:
        return dict(self.rows.harvests)

    def delete(self, harvest_id: str) -> None:
        rows = self._writing()
        del rows.harvests[harvest_id]
        for key in [k for k, v in rows.versions.items() if v.harvest_id == harvest_id]:
            del rows.versions[key]

    def add_version(self, version: HarvestVersion) -> None:
        rows = self._writing()
        if any(
            (v.harvest_id, v.number) == (version.harvest_id, version.number) for v in rows.versions.values()
        ):
            raise Conflict()
        rows.versions[version.id] = version

    def replace_payload(self, version: HarvestVersion) -> None:
        self._writing().versions[version.id] = version

    def versions(self, harvest_id: str | None = None) -> list[HarvestVersion]:
        chosen = [v for v in self.rows.versions.values() if harvest_id in (None, v.harvest_id)]
        return sorted(chosen, key=lambda v: (v.harvest_id, v.number))

    def latest(self, harvest_id: str) -> HarvestVersion | None:
        chosen = [v for v in self.rows.versions.values() if v.harvest_id == harvest_id]
        return max(chosen, key=lambda v: v.number, default=None)


class FakeDocuments(_Repository):
    def fiches(self, cafe_id: str | None = None) -> list[Fiche]:
        return [f for f in self.rows.fiches.values() if cafe_id in (None, f.cafe_id)]

    def save_fiche(self, fiche: Fiche) -> None:
        self._writing().fiches[(fiche.cafe_id, fiche.topic_key)] = fiche

    def latest_version(self, cafe_id: str, kind: str) -> int:
        return max(
            (d.version for d in self.rows.documents.values() if (d.cafe_id, d.kind) == (cafe_id, kind)),
            default=0,
        )

    def add(self, document: StoredDocument) -> None:
        rows = self._writing()
        if document.version <= self.latest_version(document.cafe_id, document.kind):
            raise Conflict()
        rows.documents[document.id] = document

    def in_cafe(self, cafe_id: str) -> list[StoredDocument]:
        mine = [replace(d, content=b"") for d in self.rows.documents.values() if d.cafe_id == cafe_id]
        return sorted(mine, key=lambda d: (d.generated_at, d.version), reverse=True)

    def get(self, document_id: str) -> StoredDocument | None:
        return self.rows.documents.get(document_id)

    def delete_for_cafe(self, cafe_id: str, *, fiches_too: bool = False) -> int:
        rows = self._writing()
        if fiches_too:
            for key in [k for k in rows.fiches if k[0] == cafe_id]:
                del rows.fiches[key]
        gone = [k for k, d in rows.documents.items() if d.cafe_id == cafe_id]
        for key in gone:
            del rows.documents[key]
        return len(gone)


class FakeTrust(_Repository):
    def link_secret(self) -> str:
        return self.rows.values.setdefault("link_secret", "secret-de-test")

    def rotate_link_secret(self) -> None:
        self._writing().values["link_secret"] = f"secret-{len(self.rows.audit)}"

    def installation_value(self, name: str) -> str | None:
        return self.rows.values.get(name)

    def set_installation_value(self, name: str, value: str) -> None:
        self._writing().values[name] = value

    def add_masked_name(self, cafe_id: str, name: str, confirmed: bool = True) -> None:
        rows = self._writing()
        rows.masked[(cafe_id, name)] = rows.masked.get((cafe_id, name), False) or confirmed

    def masked_names(self, cafe_id: str, *, confirmed: bool = True) -> list[str]:
        return sorted(n for (c, n), ok in self.rows.masked.items() if c == cafe_id and ok is confirmed)

    def remove_masked_name(self, cafe_id: str, name: str) -> None:
        self._writing().masked.pop((cafe_id, name), None)

    def forget_cafe(self, cafe_id: str) -> None:
        rows = self._writing()
        for key in [k for k in rows.masked if k[0] == cafe_id]:
            del rows.masked[key]

    def lock_logins(self) -> None:
        self._writing()

    def last_success(self, scope, who, value, since):
        return max(
            (
                t["at"]
                for t in self.rows.logins
                if t["scope"] == scope and t[who] == value and t["ok"] and t["at"] >= since
            ),
            default=None,
        )

    def failures(self, scope, since, who=None, value=""):
        times = [
            t["at"]
            for t in self.rows.logins
            if t["scope"] == scope and (who is None or t[who] == value) and not t["ok"] and t["at"] >= since
        ]
        return len(times), min(times, default=None), max(times, default=None)

    def opened_here(self, scope, address, code_key, since) -> bool:
        return any(
            t["scope"] == scope and t["address"] == address and t["code_key"] == code_key and t["ok"]
            for t in self.rows.logins
            if t["at"] >= since
        )

    def last_reset(self, scope):
        return max((t["at"] for t in self.rows.logins if t["scope"] == f"{scope}:reset"), default=None)

    def reset_logins(self, scope, now) -> None:
        self._writing().logins.append(
            {"scope": f"{scope}:reset", "session": "", "address": "", "at": now, "ok": True, "code_key": ""}
        )

    def add_login_attempt(
        self, scope: str, session: str, address: str, now: datetime, code_key: str = ""
    ) -> int:
        rows = self._writing()
        rows.logins.append(
            {
                "scope": scope,
                "session": session,
                "address": address,
                "at": now,
                "ok": False,
                "code_key": code_key,
            }
        )
        return len(rows.logins) - 1

    def mark_login_succeeded(self, attempt_id: int) -> None:
        self._writing().logins[attempt_id]["ok"] = True

    def record_erasure(self, kind: str, cafe_id: str, ids: list[str], now: datetime) -> None:
        self._writing().erased.update(dict.fromkeys(ids, kind))

    def add_staff_session(self, session: StaffSession) -> None:
        self._writing().staff_sessions[session.id] = session

    def staff_session(self, session_id: str) -> StaffSession | None:
        return self.rows.staff_sessions.get(session_id)

    def end_staff_sessions(self, now: datetime, session_id: str | None = None) -> int:
        rows = self._writing()
        open_ones = [
            s for s in rows.staff_sessions.values() if s.ended_at is None and session_id in (None, s.id)
        ]
        for session in open_ones:
            rows.staff_sessions[session.id] = replace(session, ended_at=now)
        return len(open_ones)

    def staff_password_hashes(self) -> dict[str, str]:
        prefix = "password:"
        return {k[len(prefix) :]: v for k, v in self.rows.values.items() if k.startswith(prefix)}

    def add_staff_password(self, role: str, password_hash: str, now: datetime) -> bool:
        return self._writing().values.setdefault(f"password:{role}", password_hash) == password_hash

    def add_first_run_link(self, token_digest: str, now: datetime) -> None:
        self._writing().values[f"first_run:{token_digest}"] = ""

    def first_run_link_unused(self, token_digest: str) -> bool:
        return self.rows.values.get(f"first_run:{token_digest}") == ""

    def use_first_run_link(self, token_digest: str, now: datetime) -> bool:
        rows = self._writing()
        if rows.values.get(f"first_run:{token_digest}") != "":
            return False
        rows.values[f"first_run:{token_digest}"] = now.isoformat()
        return True


class FakeAudit(_Repository):
    def add(self, event: AuditEvent) -> None:
        self._writing().audit.append(event)

    def latest(self, *, cafe_id: str | None = None, limit: int = 2000) -> list[AuditEvent]:
        return [e for e in reversed(self.rows.audit) if cafe_id in (None, e.cafe_id)][:limit]

    def forget_text(self, *, cafe_id: str | None = None, targets: list[str] | None = None) -> None:
        rows = self._writing()
        for i, e in enumerate(rows.audit):
            if targets and e.target in targets:
                rows.audit[i] = e = replace(e, details="")
            if cafe_id is not None and e.cafe_id == cafe_id:
                rows.audit[i] = replace(e, target="", details="")

    def redact(self, cafe_id: str, redact) -> None:
        rows = self._writing()
        for i, e in enumerate(rows.audit):
            if e.cafe_id in (cafe_id, None):
                rows.audit[i] = replace(e, target=redact(e.target), details=redact(e.details))


class FakeExchange(_Repository):
    """Only what erasure needs: this fake keeps no fiche thread."""

    def forget_cafe(self, cafe_id: str) -> None:
        self._writing()

    def redact_cafe(self, cafe_id: str, redact) -> None:
        self._writing()


class FakeTablecloths(_Repository):
    def add(self, photo: Tablecloth) -> None:
        rows = self._writing()
        taken = {(p.round_id, p.table_id, p.position) for p in rows.tablecloths.values()}
        if photo.id in rows.tablecloths or (photo.round_id, photo.table_id, photo.position) in taken:
            raise Conflict("tablecloth photo already stored")
        rows.tablecloths[photo.id] = photo

    def count(self, round_id: str, table_id: str) -> int:
        return len(self._at(round_id=round_id, table_id=table_id))

    def next_position(self, round_id: str, table_id: str) -> int:
        return max((p.position for p in self._at(round_id=round_id, table_id=table_id)), default=0) + 1

    def _at(self, *, round_id: str, table_id: str) -> list[Tablecloth]:
        return [p for p in self.rows.tablecloths.values() if (p.round_id, p.table_id) == (round_id, table_id)]

    def in_cafe(self, cafe_id, *, round_id=None, table_id=None, with_content=True) -> list[Tablecloth]:
        found = [
            p if with_content else replace(p, content=b"")
            for p in self.rows.tablecloths.values()
            if p.cafe_id == cafe_id and round_id in (None, p.round_id) and table_id in (None, p.table_id)
        ]
        return sorted(found, key=lambda p: (p.round_id, p.table_id, p.position))

    def get(self, photo_id: str) -> Tablecloth | None:
        return self.rows.tablecloths.get(photo_id)

    def delete(self, photo_id: str) -> None:
        self._writing().tablecloths.pop(photo_id, None)

    def delete_for_cafe(self, cafe_id: str) -> int:
        rows = self._writing()
        gone = [i for i, p in rows.tablecloths.items() if p.cafe_id == cafe_id]
        for photo_id in gone:
            del rows.tablecloths[photo_id]
        return len(gone)


class FakeUnitOfWork:
    """The UnitOfWork protocol over dictionaries: the use cases' rules without a database.

    A transaction is a copy of every row taken when the outermost block begins and put back if it
    ends with an exception, so rollbacks behave as in the real databases. Single-threaded.
    """

    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock
        self.rows = _Rows()
        self.writing = False
        self.commits = 0
        self._depth = 0
        self._saved: _Rows | None = None
        self.cafes = FakeCafes(self)
        self.contributions = FakeContributions(self)
        self.harvests = FakeHarvests(self)
        self.documents = FakeDocuments(self)
        self.trust = FakeTrust(self)
        self.audit = FakeAudit(self)
        self.exchange = FakeExchange(self)
        self.tablecloths = FakeTablecloths(self)
        self.wipes = 0

    def _begin(self, write: bool) -> None:
        if self._depth:
            if write and not self.writing:
                raise RuntimeError("a read-only unit of work cannot start writing")
        else:
            self.writing, self._saved = write, copy.deepcopy(self.rows)
        self._depth += 1

    def _end(self, failed: BaseException | None) -> None:
        self._depth -= 1
        if self._depth:
            return
        if failed is not None:
            self.rows = self._saved
        elif self.writing:
            self.commits += 1
        self.writing, self._saved = False, None

    def __enter__(self) -> FakeUnitOfWork:
        self._begin(write=True)
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        self._end(exc)

    def wipe_erased(self) -> bool:
        """No file to overwrite; counted, so that a test sees the erasure asked for it."""
        if self._depth:
            raise RuntimeError("wipe_erased runs after the erasure's transaction, outside any other")
        self.wipes += 1
        return True

    @contextmanager
    def reading(self) -> Iterator[FakeUnitOfWork]:
        self._begin(write=False)
        try:
            yield self
        except BaseException as exc:
            self._end(exc)
            raise
        self._end(None)
