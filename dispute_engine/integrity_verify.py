"""Verification: the chain, the checkpoints, and the live events table against both.

:func:`verify_store` walks the whole log in one consistent snapshot, in position order,
and stops at the first bad position. At every position it checks that

- the chain row follows from the previous link and from its case's previous version
  (versions 1..n without gaps);
- the events table still holds exactly that event there, with the payload bytes it was
  sealed with (the hash is recomputed from the stored bytes; no key needed);
- every checkpoint there — from the ``checkpoints`` table and from an exported file —
  carries a valid signature by a trusted key and names this chain hash as the head, so
  each checkpoint extends the previous one along the one recomputed chain.

An event recorded after the last sealed one is not a fault (the sealer trails by
seconds); an unsealed row *inside* the sealed range is. ``case_id`` proves one case
instead: its own chain, each event's link, and the links from its last covered event up
to the first checkpoint past it. Checkpoints kept elsewhere (``checkpoints_file``) catch
what the database alone cannot: an older backup restored, or rows forged with the chain
recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine as SqlEngine, inspect

from dispute_engine.config import Settings
from dispute_engine.integrity_chain import (
    GENESIS,
    ChainRow,
    EventsTable,
    StoredRow,
    canonical_id,
    case_chain,
    case_link,
    chain_hash_before,
    chain_link,
    chain_page,
    chain_tip,
    consistent_read,
    event_chain,
    payload_digest,
)
from dispute_engine.integrity_checkpoints import (
    Checkpoint,
    CheckpointPolicy,
    PublicKey,
    configured_public_key,
    fingerprint,
    read_checkpoints_file,
    stored_checkpoints,
)
from dispute_engine.integrity_guard import missing_guards

PAGE_SIZE = 2000
DATABASE = "database"


class CaseNotFound(LookupError):
    """No event of that case is stored or sealed."""


@dataclass(frozen=True)
class Problem:
    kind: str
    """event_missing, event_moved, event_inserted, payload_changed, topic_changed, version_gap,
    chain_row_altered, chain_link_broken, chain_row_missing, checkpoint_mismatch, checkpoint_signature,
    checkpoint_key_unknown, log_truncated, bundle_malformed."""
    position: int | None
    case_id: str | None
    message: str
    since_position: int | None = None
    """For a checkpoint mismatch: the change lies in positions ``since_position``..``position``."""


@dataclass(frozen=True)
class VerifyReport:
    scope: str
    """``store``, ``case`` or ``bundle``."""
    ok: bool
    problem: Problem | None = None
    case_id: str | None = None
    events: int = 0
    """Sealed events checked."""
    sealed_position: int = 0
    head: str = GENESIS
    """The chain hash at ``sealed_position`` (for a case: at its last sealed event)."""
    log_head: int = 0
    unsealed: int = 0
    """Events recorded after the last sealed one (the sealer trails the log)."""
    checkpoints: int = 0
    external_checkpoints: int = 0
    covered_through: int = 0
    """The last position proven by a valid, trusted checkpoint (for a case: its last such event)."""
    last_checkpoint_time: str | None = None
    key_fingerprints: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    checked_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def summary(self) -> str:
        """One line for a terminal."""
        if self.problem is not None:
            where = f"position {self.problem.position}" if self.problem.position is not None else self.scope
            case = f" (case {self.problem.case_id})" if self.problem.case_id else ""
            return f"TAMPERED at {where}{case}: {self.problem.message}"
        what = {"store": "log", "case": f"case {self.case_id}", "bundle": f"bundle of case {self.case_id}"}[self.scope]
        line = (f"intact: {what}, {self.events} events sealed through position {self.sealed_position} "
                f"(head {self.head[:16]}…), {self.checkpoints} checkpoint{'s' if self.checkpoints != 1 else ''}")
        if self.external_checkpoints:
            line += f" + {self.external_checkpoints} external"
        line += f", covered through position {self.covered_through}"
        if self.unsealed:
            line += f"; {self.unsealed} not sealed yet"
        if self.warnings:
            line += f"; warning: {self.warnings[0]}"
        return line

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# -- checkpoints: who signed, and what they claim ------------------------------------------


@dataclass(frozen=True)
class _Claim:
    checkpoint: Checkpoint
    source: str


class _Checkpoints:
    """Every checkpoint known, by position, with the first fault found among them."""

    def __init__(self, stored: Sequence[Checkpoint], external: Sequence[Checkpoint], external_source: str,
                 trusted: set[str] | None) -> None:
        if external:
            # A file kept outside the database is trusted as such, with the keys that signed it.
            trusted = (trusted or set()) | {c.key_fingerprint for c in external if c.signature_valid()}
        self.trusted = trusted
        self.by_position: dict[int, list[_Claim]] = defaultdict(list)
        self.faults: dict[int, Problem] = {}
        for source, items in ((DATABASE, stored), (external_source, external)):
            for checkpoint in items:
                self.by_position[checkpoint.position].append(_Claim(checkpoint, source))
                fault = self._fault(checkpoint, source)
                if fault is not None and checkpoint.position not in self.faults:
                    self.faults[checkpoint.position] = fault
        for position, claims in self.by_position.items():
            if len({claim.checkpoint.head for claim in claims}) > 1 and position not in self.faults:
                self.faults[position] = Problem(
                    "checkpoint_mismatch", position, None,
                    f"the checkpoints for position {position} disagree: "
                    + "; ".join(f"{c.source} says head {c.checkpoint.head[:16]}…" for c in claims))
        self.stored_count, self.external_count = len(stored), len(external)

    def _fault(self, checkpoint: Checkpoint, source: str) -> Problem | None:
        if not checkpoint.signature_valid():
            return Problem("checkpoint_signature", checkpoint.position, None,
                           f"the checkpoint for position {checkpoint.position} ({source}) has an invalid signature")
        if self.trusted is not None and checkpoint.key_fingerprint not in self.trusted:
            return Problem("checkpoint_key_unknown", checkpoint.position, None,
                           f"the checkpoint for position {checkpoint.position} ({source}) is signed by an unknown "
                           f"key {checkpoint.key_fingerprint[:16]}…")
        return None

    def positions(self) -> list[int]:
        return sorted(self.by_position)

    def valid_positions(self) -> list[int]:
        return [p for p in self.positions() if p not in self.faults]

    def at(self, position: int) -> list[_Claim]:
        return self.by_position.get(position, [])

    def fingerprints(self) -> tuple[str, ...]:
        return tuple(sorted({c.checkpoint.key_fingerprint for cs in self.by_position.values() for c in cs}))

    def last_time(self, upto: int) -> str | None:
        valid = [p for p in self.valid_positions() if p <= upto]
        return max(c.checkpoint.time for c in self.at(valid[-1])) if valid else None


def _mismatch(position: int, claims: Iterable[_Claim], case_id: str | None, since: int) -> Problem:
    claim = next(iter(claims))
    return Problem(
        "checkpoint_mismatch", position, case_id,
        f"the chain at position {position} differs from the checkpoint signed at {claim.checkpoint.time} "
        f"({claim.source}): events between positions {since} and {position} were changed after it was signed",
        since_position=since)


def _beyond(position: int, sealed: int, claims: Iterable[_Claim]) -> Problem:
    claim = next(iter(claims))
    return Problem(
        "log_truncated", position, None,
        f"the sealed log ends at position {sealed}, but the checkpoint signed at {claim.checkpoint.time} "
        f"({claim.source}) covers position {position}: events were removed or an older copy of the database "
        "was restored")


# -- one event: the rules shared by the store, a case and a bundle ------------------------------


def check_event(chain: ChainRow, live: StoredRow | None, previous_chain: str,
                previous_case: tuple[int, str]) -> tuple[Problem | None, str]:
    """Check one sealed event; returns the problem (or None) and the recomputed chain hash."""
    p, oid = chain.position, chain.originator_id
    version, case_hash_before = previous_case
    if chain.originator_version != version + 1:
        return Problem("version_gap", p, oid, f"version {chain.originator_version} of the case follows version "
                       f"{version}: an event is missing from its history"), chain.chain_hash
    case_hash = case_link(case_hash_before, p, oid, chain.originator_version, chain.topic, chain.payload_sha256)
    if case_hash != chain.case_hash:
        return Problem("chain_row_altered", p, oid, f"the chain row at position {p} does not follow from the "
                       "case's previous version: it was edited"), chain.chain_hash
    chain_hash = chain_link(previous_chain, p, case_hash)
    if chain_hash != chain.chain_hash:
        return Problem("chain_link_broken", p, oid, f"the chain link at position {p} does not follow from the one "
                       "before it: a chain row was removed or edited"), chain.chain_hash
    if live is None:
        return Problem("event_missing", p, oid, f"the event sealed at position {p} (version "
                       f"{chain.originator_version}) is gone from the events table: deleted or truncated"), chain_hash
    if (live.originator_id, live.originator_version) != (oid, chain.originator_version):
        return Problem("event_moved", p, oid, f"position {p} holds {live.originator_id} version "
                       f"{live.originator_version}, but version {chain.originator_version} of this case was sealed "
                       "there: rows were reordered or replaced"), chain_hash
    if live.topic != chain.topic:
        return Problem("topic_changed", p, oid, f"the event type at position {p} was changed"), chain_hash
    if payload_digest(live.state) != chain.payload_sha256:
        return Problem("payload_changed", p, oid, f"the stored payload at position {p} (version "
                       f"{chain.originator_version}) no longer has the hash it was sealed with"), chain_hash
    return None, chain_hash


def check_links(start: str, links: Iterable[tuple[int, str, str]], until: int) -> tuple[Problem | None, str]:
    """Follow (position, case hash, chain hash) links from ``start`` up to ``until``; returns the head reached."""
    head = start
    for position, case_hash, chain_hash in links:
        if position > until:
            break
        head = chain_link(head, position, case_hash)
        if head != chain_hash:
            return Problem("chain_link_broken", position, None, f"the chain link at position {position} does not "
                           "follow from the one before it"), head
    return None, head


# -- the store ---------------------------------------------------------------------------------


def verify_store(
    settings: Settings,
    *,
    case_id: str | None = None,
    checkpoints_file: Path | None = None,
    trusted_keys: Sequence[PublicKey] | None = None,
    read_engine: SqlEngine | None = None,
    environ: Mapping[str, str] | None = None,
) -> VerifyReport:
    """Verify the whole log (or one case) as stored now.

    ``trusted_keys`` default to the configured checkpoint key (``DISPUTE_ENGINE_CHECKPOINT_KEY``, or the
    development key file if it exists); the keys that signed ``checkpoints_file`` are trusted too.
    Pass the server's ``read_engine`` to reuse its pool.
    """
    external = read_checkpoints_file(checkpoints_file) if checkpoints_file else []
    keys = list(trusted_keys) if trusted_keys is not None else [
        k for k in [configured_public_key(settings, environ)] if k is not None]
    trusted = {fingerprint(k) for k in keys} or None
    source = str(checkpoints_file.name) if checkpoints_file else ""
    if read_engine is None:
        from projections.engine import create_read_model_engine

        engine = create_read_model_engine(settings)
    else:
        engine = read_engine
    try:
        with consistent_read(engine) as connection:
            sealed = inspect(connection).has_table(event_chain.name)
            known = _Checkpoints(stored_checkpoints(connection) if sealed else [], external, source, trusted)
            warnings = _warnings(connection, known, environ)
            if case_id is not None:
                return _verify_case(connection, canonical_id(case_id), known, sealed, warnings)
            return _LogCheck(connection, known, sealed, warnings).run()
    finally:
        if read_engine is None:
            engine.dispose()


def _warnings(connection: Connection, known: _Checkpoints, environ: Mapping[str, str] | None) -> list[str]:
    warnings = []
    if known.trusted is None and known.stored_count:
        warnings.append("no trusted checkpoint key configured: signatures were checked against the keys the "
                        "checkpoints carry")
    missing = missing_guards(connection) if EventsTable.of(connection).exists(connection) else []
    if missing:
        warnings.append(f"append-only triggers missing on {', '.join(missing)}")
    if inspect(connection).has_table(event_chain.name):
        tip, _ = chain_tip(connection)
        covered = max(known.valid_positions(), default=0)
        every = CheckpointPolicy.from_env(environ).every
        if tip - covered > every:
            warnings.append(f"positions {covered + 1}..{tip} are sealed but no checkpoint covers them "
                            f"(expected one every {every} events)")
    return warnings


def _pages(fetch: Callable[[int], list[Any]]) -> Iterator[Any]:
    after = 0
    while True:
        page = fetch(after)
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = page[-1].position


class _LogCheck:
    def __init__(self, connection: Connection, known: _Checkpoints, sealed: bool, warnings: list[str]) -> None:
        self.connection = connection
        self.known = known
        self.sealed = sealed
        self.warnings = warnings
        self.events = EventsTable.of(connection)

    def run(self) -> VerifyReport:
        connection = self.connection
        sealed_position, _ = chain_tip(connection) if self.sealed else (0, GENESIS)
        live_exists = self.events.exists(connection)
        chain = _pages(lambda a: chain_page(connection, a, PAGE_SIZE)) if self.sealed else iter(())
        live = _pages(lambda a: self.events.page(connection, a, PAGE_SIZE)) if live_exists else iter(())
        pending = list(reversed(self.known.positions()))
        chain_row, live_row = next(chain, None), next(live, None)
        previous, heads = GENESIS, {}
        counted = unsealed = covered = last_good = 0
        problem = None
        while chain_row or live_row or pending:
            position = min(r for r in (chain_row and chain_row.position, live_row and live_row.position,
                                       pending[-1] if pending else None) if r)
            here_chain = chain_row if chain_row and chain_row.position == position else None
            here_live = live_row if live_row and live_row.position == position else None
            claims = self.known.at(position)
            if pending and pending[-1] == position:
                pending.pop()
            if here_chain is not None:
                problem, previous = check_event(here_chain, here_live, previous,
                                                heads.get(here_chain.originator_id, (0, GENESIS)))
                heads[here_chain.originator_id] = (here_chain.originator_version, here_chain.case_hash)
                counted += 1
                if problem is None and claims and position not in self.known.faults:
                    if any(c.checkpoint.head != previous for c in claims):
                        problem = _mismatch(position, claims, here_chain.originator_id, last_good + 1)
                    else:
                        covered = last_good = position
            elif here_live is not None and position < sealed_position:
                problem = Problem("event_inserted", position, here_live.originator_id,
                                  f"position {position} holds version {here_live.originator_version} of this case, "
                                  "which was never sealed: a row was inserted or moved into the sealed log")
            elif here_live is not None:
                unsealed += 1
            elif claims and position > sealed_position:
                problem = _beyond(position, sealed_position, claims)
            elif claims:
                problem = Problem("chain_row_missing", position, None, f"a checkpoint covers position {position} "
                                  "but the chain has no row there: chain rows were removed")
            problem = problem or self.known.faults.get(position)
            if problem is not None:
                break
            if here_chain is not None:
                chain_row = next(chain, None)
            if here_live is not None:
                live_row = next(live, None)
        return VerifyReport(
            scope="store", ok=problem is None, problem=problem, events=counted, sealed_position=sealed_position,
            head=previous, log_head=self.events.head(connection) if live_exists else 0, unsealed=unsealed,
            checkpoints=self.known.stored_count, external_checkpoints=self.known.external_count,
            covered_through=covered, last_checkpoint_time=self.known.last_time(covered),
            key_fingerprints=self.known.fingerprints(), warnings=tuple(self.warnings))


# -- one case ------------------------------------------------------------------------------------


def check_case(chain_rows: Sequence[ChainRow], live_rows: Sequence[StoredRow],
               previous_chain: Callable[[int], str]) -> Problem | None:
    """A case's own chain (versions 1..n), each event's global link, and its stored events."""
    live = {row.originator_version: row for row in live_rows}
    head = (0, GENESIS)
    for row in chain_rows:
        problem, _ = check_event(row, live.get(row.originator_version), previous_chain(row.position), head)
        if problem is not None:
            return problem
        head = (row.originator_version, row.case_hash)
    return None


def _verify_case(connection: Connection, case_id: str, known: _Checkpoints, sealed: bool,
                 warnings: list[str]) -> VerifyReport:
    events = EventsTable.of(connection)
    chain_rows = case_chain(connection, case_id) if sealed else []
    live_rows = events.of_case(connection, case_id) if events.exists(connection) else []
    if not chain_rows and not live_rows:
        raise CaseNotFound(f"no events of case {case_id} are stored")
    sealed_position, _ = chain_tip(connection) if sealed else (0, GENESIS)

    def report(problem: Problem | None, covered: int = 0) -> VerifyReport:
        return VerifyReport(
            scope="case", ok=problem is None, problem=problem, case_id=case_id, events=len(chain_rows),
            sealed_position=chain_rows[-1].position if chain_rows else 0,
            head=chain_rows[-1].chain_hash if chain_rows else GENESIS, log_head=events.head(connection),
            unsealed=max(0, len(live_rows) - len(chain_rows)), checkpoints=known.stored_count,
            external_checkpoints=known.external_count, covered_through=covered,
            last_checkpoint_time=known.last_time(max(known.valid_positions(), default=0)),
            key_fingerprints=known.fingerprints(), warnings=tuple(warnings))

    problem = check_case(chain_rows, live_rows, lambda p: chain_hash_before(connection, p))
    if problem is None:
        problem = _unsealed_inside(chain_rows, live_rows, sealed_position)
    if problem is None:
        problem = _checkpoints_against_chain(connection, known, sealed_position, case_id)
    if problem is not None:
        return report(problem)
    problem, covered = _coverage(connection, chain_rows, known)
    if problem is None and chain_rows and covered < chain_rows[-1].position:
        warnings.append(f"events of this case after position {covered} are not yet covered by a signed checkpoint")
    return report(problem, covered)


def _unsealed_inside(chain_rows: Sequence[ChainRow], live_rows: Sequence[StoredRow], sealed: int) -> Problem | None:
    sealed_versions = {row.originator_version for row in chain_rows}
    for row in live_rows:
        if row.originator_version not in sealed_versions and row.position <= sealed:
            return Problem("event_inserted", row.position, row.originator_id,
                           f"position {row.position} holds version {row.originator_version} of this case, which was "
                           "never sealed: a row was inserted or moved into the sealed log")
    return None


def _checkpoints_against_chain(connection: Connection, known: _Checkpoints, sealed: int,
                               case_id: str) -> Problem | None:
    """Every checkpoint must name the chain hash stored at its position (or lie beyond a cut-off log)."""
    previous_good = 0
    for position in known.positions():
        if position in known.faults:
            return known.faults[position]
        claims = known.at(position)
        if position > sealed:
            return _beyond(position, sealed, claims)
        rows = chain_page(connection, position - 1, 1, position)
        if not rows:
            return Problem("chain_row_missing", position, None, f"a checkpoint covers position {position} but the "
                           "chain has no row there: chain rows were removed")
        if any(c.checkpoint.head != rows[0].chain_hash for c in claims):
            return _mismatch(position, claims, None, previous_good + 1)
        previous_good = position
    return None


def _coverage(connection: Connection, chain_rows: Sequence[ChainRow], known: _Checkpoints) -> tuple[Problem | None, int]:
    """Follow the links from the case's last event a checkpoint can reach up to that checkpoint."""
    valid = known.valid_positions()
    reachable = [row for row in chain_rows if valid and row.position <= valid[-1]]
    if not reachable:
        return None, 0
    start = reachable[-1]
    target = next(p for p in valid if p >= start.position)
    links = ((r.position, r.case_hash, r.chain_hash) for r in _pages_between(connection, start.position, target))
    problem, head = check_links(start.chain_hash, links, target)
    if problem is None and any(c.checkpoint.head != head for c in known.at(target)):
        problem = _mismatch(target, known.at(target), None, start.position)
    return problem, start.position if problem is None else 0


def _pages_between(connection: Connection, after: int, stop: int) -> Iterator[ChainRow]:
    while True:
        page = chain_page(connection, after, PAGE_SIZE, stop)
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = page[-1].position
