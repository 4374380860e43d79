"""Case bundles: one zip that proves a case's history offline, with nothing but the zip.

Contents::

    manifest.json     format, case id, counts, SHA-256 of every other file
    events.jsonl      the case's events exactly as stored: position, id, version, topic, base64 payload
    chain.jsonl       the case's chain rows, each with the chain hash before it
    links.jsonl       (position, case hash, chain hash) from the case's last event to the checkpoint
    checkpoint.json   the first signed checkpoint covering the case's last event, with its public key
    timeline.html     a readable timeline (decoded at export; for reading, not part of the proof)
    README.txt        how to check it

:func:`verify_bundle` recomputes every payload hash, the case chain over versions 1..n,
each event's global link, the links up to the checkpoint's head, and its signature. The
first covering checkpoint is used rather than the newest so the proof stays small (at most
``DISPUTE_ENGINE_CHECKPOINT_EVERY`` links); later checkpoints extend it, which ``verify``
on the live store checks.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from dispute_engine.clock import LOCAL_ZONE
from dispute_engine.integrity_chain import (
    ChainRow,
    EventsTable,
    StoredRow,
    as_utc,
    canonical_id,
    case_chain,
    chain_hash_before,
    chain_page,
    consistent_read,
)
from dispute_engine.integrity_checkpoints import Checkpoint, PublicKey, fingerprint, stored_checkpoints
from dispute_engine.integrity_verify import Problem, VerifyReport, check_case, check_links, verify_store

if TYPE_CHECKING:
    from dispute_engine.bootstrap import Engine
    from dispute_engine.integrity_sealer import Sealer

BUNDLE_FORMAT = "dispute-engine-case-bundle/1"
PROOF_FILES = ("events.jsonl", "chain.jsonl", "links.jsonl", "checkpoint.json")
READING_FILES = ("timeline.html", "README.txt")


class ExportRefused(Exception):
    """The case cannot be exported as proven: tampered, unknown, or not yet covered by a checkpoint."""


@dataclass(frozen=True)
class ExportSummary:
    case_id: str
    path: Path
    events: int
    last_position: int
    checkpoint_position: int
    key_fingerprint: str


def export_case(engine: Engine, case_id: str, output: Path, *, sealer: Sealer | None = None) -> ExportSummary:
    """Write the bundle of ``case_id`` to ``output``; with a ``sealer``, seal and sign first so it is covered."""
    oid = canonical_id(case_id)
    if sealer is not None:
        sealer.run_once()
    report = verify_store(engine.settings, case_id=oid, read_engine=engine.read_engine)
    if not report.ok:
        raise ExportRefused(f"case {oid} does not verify: {report.summary()}")
    rows, checkpoint = _read(engine, oid)
    if rows and (checkpoint is None or checkpoint.position < rows[-1][0].position) and sealer is not None \
            and sealer.signing_key is not None:
        sealer.checkpoint_now()
        rows, checkpoint = _read(engine, oid)
    if not rows:
        raise ExportRefused(f"case {oid} has no sealed events yet: run dispute-engine seal")
    if checkpoint is None:
        raise ExportRefused(f"no signed checkpoint covers position {rows[-1][0].position} yet: run dispute-engine seal")
    with consistent_read(engine.read_engine) as connection:
        links = list(chain_page(connection, rows[-1][0].position, 1_000_000, checkpoint.position))
        previous = [chain_hash_before(connection, chain.position) for chain, _live in rows]
    files = {
        "events.jsonl": _lines(_event_json(chain, live) for chain, live in rows),
        "chain.jsonl": _lines(_chain_json(chain, before) for (chain, _live), before in zip(rows, previous)),
        "links.jsonl": _lines({"position": r.position, "case_hash": r.case_hash, "chain_hash": r.chain_hash}
                              for r in links),
        "checkpoint.json": json.dumps(checkpoint.as_json(), indent=2, sort_keys=True) + "\n",
        "timeline.html": _timeline(engine, oid, rows, checkpoint),
        "README.txt": _README.format(case_id=oid),
    }
    manifest = {
        "format": BUNDLE_FORMAT, "case_id": oid, "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": len(rows), "first_position": rows[0][0].position, "last_position": rows[-1][0].position,
        "checkpoint_position": checkpoint.position, "key_fingerprint": checkpoint.key_fingerprint,
        "files": {name: hashlib.sha256(body.encode()).hexdigest() for name, body in files.items()},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.partial")
    with zipfile.ZipFile(staging, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for name, body in files.items():
            bundle.writestr(name, body)
    staging.replace(output)
    return ExportSummary(oid, output, len(rows), rows[-1][0].position, checkpoint.position,
                         checkpoint.key_fingerprint)


def _read(engine: Engine, oid: str) -> tuple[list[tuple[ChainRow, StoredRow]], Checkpoint | None]:
    with consistent_read(engine.read_engine) as connection:
        chain_rows = case_chain(connection, oid)
        live = {row.originator_version: row for row in EventsTable.of(connection).of_case(connection, oid)}
        found = stored_checkpoints(connection)
    rows = [(chain, live[chain.originator_version]) for chain in chain_rows]
    last = rows[-1][0].position if rows else 0
    covering = [c for c in found if c.position >= last and c.signature_valid()]
    return rows, covering[0] if covering else None


def _lines(items: Any) -> str:
    return "".join(json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
                   for item in items)


def _event_json(chain: ChainRow, live: StoredRow) -> dict[str, Any]:
    return {"position": live.position, "originator_id": live.originator_id,
            "originator_version": live.originator_version, "topic": live.topic,
            "payload_b64": base64.b64encode(live.state).decode(), "payload_sha256": chain.payload_sha256,
            "sealed_at": chain.sealed_at.isoformat()}


def _chain_json(chain: ChainRow, previous: str) -> dict[str, Any]:
    return {"position": chain.position, "originator_id": chain.originator_id,
            "originator_version": chain.originator_version, "topic": chain.topic,
            "payload_sha256": chain.payload_sha256, "case_hash": chain.case_hash,
            "previous_chain_hash": previous, "chain_hash": chain.chain_hash}


# -- offline verification ------------------------------------------------------------------------


def verify_bundle(path: Path, trusted_keys: Sequence[PublicKey] = ()) -> VerifyReport:
    """Check a bundle with nothing but its contents (and, optionally, the keys you trust)."""
    try:
        with zipfile.ZipFile(path) as bundle:
            contents = {name: bundle.read(name).decode("utf-8") for name in bundle.namelist()}
        manifest = json.loads(contents["manifest.json"])
        case_id = str(manifest["case_id"])
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as error:
        return _bundle_fault(None, f"{path.name} is not a readable case bundle ({error})")
    if manifest.get("format") != BUNDLE_FORMAT:
        return _bundle_fault(case_id, f"unknown bundle format {manifest.get('format')!r}")
    for name in (*PROOF_FILES, *READING_FILES):
        if name not in contents:
            return _bundle_fault(case_id, f"{name} is missing")
        if hashlib.sha256(contents[name].encode()).hexdigest() != manifest.get("files", {}).get(name):
            return _bundle_fault(case_id, f"{name} does not match the manifest: the bundle was modified")
    try:
        events = [json.loads(line) for line in contents["events.jsonl"].splitlines() if line]
        chain_lines = [json.loads(line) for line in contents["chain.jsonl"].splitlines() if line]
        links = [(int(r["position"]), r["case_hash"], r["chain_hash"])
                 for r in (json.loads(line) for line in contents["links.jsonl"].splitlines() if line)]
        checkpoint = Checkpoint.from_json(json.loads(contents["checkpoint.json"]))
        live = [StoredRow(int(e["position"]), canonical_id(e["originator_id"]), int(e["originator_version"]),
                          e["topic"], base64.b64decode(e["payload_b64"], validate=True)) for e in events]
        chain = [ChainRow(int(c["position"]), canonical_id(c["originator_id"]), int(c["originator_version"]),
                          c["topic"], c["payload_sha256"], c["chain_hash"], c["case_hash"], datetime.now(UTC))
                 for c in chain_lines]
        previous = {int(c["position"]): c["previous_chain_hash"] for c in chain_lines}
    except (KeyError, ValueError, TypeError) as error:
        return _bundle_fault(case_id, f"the bundle's records are malformed ({error})")
    return _check_bundle(case_id, live, chain, previous, links, checkpoint, trusted_keys)


def _check_bundle(case_id: str, live: list[StoredRow], chain: list[ChainRow], previous: dict[int, str],
                  links: list[tuple[int, str, str]], checkpoint: Checkpoint,
                  trusted_keys: Sequence[PublicKey]) -> VerifyReport:
    if not chain or len(live) != len(chain) or any(row.originator_id != case_id for row in (*live, *chain)):
        return _bundle_fault(case_id, "events.jsonl and chain.jsonl must hold the same events, all of this case")
    problem = check_case(chain, live, lambda position: previous[position])
    last = chain[-1]
    if problem is None and checkpoint.position < last.position:
        problem = Problem("bundle_malformed", checkpoint.position, case_id,
                          f"the checkpoint (position {checkpoint.position}) does not cover the case's last event "
                          f"(position {last.position})")
    if problem is None and not _links_span(links, last.position, checkpoint.position):
        problem = Problem("bundle_malformed", None, case_id,
                          "links.jsonl must run from the case's last event up to the checkpoint")
    head = last.chain_hash
    if problem is None:
        problem, head = check_links(last.chain_hash, links, checkpoint.position)
    if problem is None and head != checkpoint.head:
        problem = Problem("checkpoint_mismatch", checkpoint.position, case_id,
                          f"the links lead to a head other than the one signed at {checkpoint.time}",
                          since_position=last.position)
    if problem is None and not checkpoint.signature_valid():
        problem = Problem("checkpoint_signature", checkpoint.position, case_id, "the checkpoint's signature is invalid")
    trusted = {fingerprint(k) for k in trusted_keys}
    warnings = []
    if problem is None and trusted and checkpoint.key_fingerprint not in trusted:
        problem = Problem("checkpoint_key_unknown", checkpoint.position, case_id,
                          f"the checkpoint is signed by an unknown key {checkpoint.key_fingerprint[:16]}…")
    if not trusted:
        warnings.append(f"compare the signing key's fingerprint {checkpoint.key_fingerprint} with the one the "
                        "centre publishes (or pass --public-key)")
    return VerifyReport(
        scope="bundle", ok=problem is None, problem=problem, case_id=case_id, events=len(chain),
        sealed_position=last.position, head=last.chain_hash, log_head=checkpoint.position, checkpoints=1,
        covered_through=last.position if problem is None else 0, last_checkpoint_time=checkpoint.time,
        key_fingerprints=(checkpoint.key_fingerprint,), warnings=tuple(warnings))


def _links_span(links: list[tuple[int, str, str]], after: int, until: int) -> bool:
    positions = [position for position, _case, _chain in links]
    ends_at_checkpoint = positions[-1] == until if positions else after == until
    return positions == sorted(set(positions)) and all(after < p <= until for p in positions) and ends_at_checkpoint


def _bundle_fault(case_id: str | None, message: str) -> VerifyReport:
    return VerifyReport(scope="bundle", ok=False, case_id=case_id,
                        problem=Problem("bundle_malformed", None, case_id, message))


# -- the readable timeline -----------------------------------------------------------------------


def _timeline(engine: Engine, oid: str, rows: list[tuple[ChainRow, StoredRow]], checkpoint: Checkpoint) -> str:
    from dispute_engine.cases import _history_entry
    from dispute_engine.narrate import describe

    body = []
    for chain, live in rows:
        try:
            event = engine.app.mapper.to_domain_event(
                StoredEvent(UUID(oid), live.originator_version, live.topic, live.state))
            entry = _history_entry(event)
            actor = entry.actor or {}
            cells = [entry.type, str(entry.business_date or ""), _local(entry.recorded_at),
                     f"{actor.get('user_id', '')}（{actor.get('agency', '')}）" if actor else "", describe(entry)]
        except Exception as error:  # noqa: BLE001 - e.g. a payload whose key was erased: the proof still holds
            cells = [live.topic.rsplit(".", 1)[-1], "", "", "", f"（无法解码：{type(error).__name__}）"]
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in
                                     [live.originator_version, chain.position, *cells]) +
                    f"<td class=h>{chain.payload_sha256[:16]}…</td></tr>")
    return _HTML.format(
        case_id=html.escape(oid), count=len(rows), rows="\n".join(body),
        exported=_local(datetime.now(UTC)), position=checkpoint.position, time=html.escape(checkpoint.time),
        fingerprint=checkpoint.key_fingerprint, head=checkpoint.head)


def _local(moment: datetime) -> str:
    return as_utc(moment).astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S")


_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>案件时间线 {case_id}</title>
<style>
body{{font-family:sans-serif;margin:2em;color:#222}} table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top;font-size:14px}}
th{{background:#f0f0f0}} .h{{font-family:monospace;color:#666}} dt{{font-weight:bold}} code{{font-size:13px}}
</style></head><body>
<h1>案件时间线（Case timeline）</h1>
<dl>
<dt>案件标识</dt><dd><code>{case_id}</code></dd>
<dt>事件数</dt><dd>{count}</dd>
<dt>导出时间（北京时间）</dt><dd>{exported}</dd>
<dt>签名检查点</dt><dd>日志位置 {position}，签名时间 {time}<br>链头 <code>{head}</code><br>
公钥指纹 <code>{fingerprint}</code></dd>
</dl>
<table>
<tr><th>版本</th><th>日志位置</th><th>事件</th><th>业务日期</th><th>记录时间（北京时间）</th><th>操作人（机构）</th>
<th>说明</th><th>载荷 SHA-256</th></tr>
{rows}
</table>
<p>本时间线在导出时由存储的事件解码生成，仅供阅读。证明以 events.jsonl、chain.jsonl、links.jsonl 与
checkpoint.json 为准；核验：<code>dispute-engine verify --bundle 本文件所在的 zip</code>，并将公钥指纹与调解中心公布的指纹比对。</p>
</body></html>
"""

_README = """Case bundle of {case_id} (dispute-engine).

Check it offline:  dispute-engine verify --bundle THIS.zip [--public-key centre-checkpoint.pub.pem]

What is proven: events.jsonl holds the case's events exactly as stored (base64 payloads);
each payload's SHA-256, the case chain over versions 1..n, each event's link in the global
chain, and the links up to checkpoint.json's head are recomputed, and the checkpoint's
Ed25519 signature is checked. Compare the key fingerprint with the one the centre publishes.
The hash rules are in docs/integrity.md. timeline.html is for reading and is not part of the proof.
"""
