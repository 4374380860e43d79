"""Case bundles: exported from the store, verified offline with nothing but the zip."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from Crypto.PublicKey import ECC

from dispute_engine.integrity import ExportRefused, export_case, verify_bundle
from dispute_engine.integrity_chain import case_link, chain_link, payload_digest
from tests.integrity.tampering import Tamper


def rewrite(bundle: Path, out: Path, change: Callable[[dict[str, str]], None], *, keep_manifest: bool = False) -> Path:
    """Copy ``bundle`` with ``change`` applied to its files; a careful forger also refreshes the manifest."""
    with zipfile.ZipFile(bundle) as source:
        files = {name: source.read(name).decode() for name in source.namelist()}
    change(files)
    if not keep_manifest:
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = {name: hashlib.sha256(body.encode()).hexdigest()
                             for name, body in files.items() if name != "manifest.json"}
        files["manifest.json"] = json.dumps(manifest)
    with zipfile.ZipFile(out, "w") as target:
        for name, body in files.items():
            target.writestr(name, body)
    return out


def jsonl(body: str) -> list[dict]:
    return [json.loads(line) for line in body.splitlines() if line]


def dump(rows: list[dict]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def flip_payload(files: dict[str, str], index: int = 3) -> None:
    events = jsonl(files["events.jsonl"])
    state = bytearray(base64.b64decode(events[index]["payload_b64"]))
    state[20] ^= 0x01
    events[index]["payload_b64"] = base64.b64encode(bytes(state)).decode()
    events[index]["payload_sha256"] = payload_digest(bytes(state))
    files["events.jsonl"] = dump(events)


@pytest.fixture
def bundle(engine, sealed, sealer, tmp_path) -> Path:
    export_case(engine, sealed.dispute_id, tmp_path / "case.zip", sealer=sealer)
    return tmp_path / "case.zip"


def test_an_exported_case_verifies_offline_with_nothing_but_the_bundle(engine, sealed, sealer, key, tmp_path):
    summary = export_case(engine, sealed.dispute_id, tmp_path / "case.zip", sealer=sealer)
    report = verify_bundle(tmp_path / "case.zip")
    assert report.ok, report.summary()
    assert (report.case_id, report.events, report.covered_through) == (sealed.dispute_id, summary.events,
                                                                       summary.last_position)
    assert summary.checkpoint_position >= summary.last_position
    assert verify_bundle(tmp_path / "case.zip", [key.public_key()]).ok


def test_the_timeline_is_readable_self_contained_and_free_of_personal_data(bundle):
    with zipfile.ZipFile(bundle) as zipped:
        timeline = zipped.read("timeline.html").decode()
    assert "案件时间线" in timeline and "HandoffAccepted" in timeline
    assert "<script" not in timeline and "http" not in timeline and "<link" not in timeline
    assert "11010519491231002X" not in timeline and "13800138000" not in timeline


def test_export_seals_and_signs_first_when_no_checkpoint_covers_the_case(engine, story, sealer, tmp_path):
    summary = export_case(engine, story.dispute_id, tmp_path / "case.zip", sealer=sealer)
    assert summary.checkpoint_position == summary.last_position
    assert verify_bundle(tmp_path / "case.zip").ok


def test_a_payload_changed_in_the_bundle_fails_even_with_the_manifest_refreshed(bundle, tmp_path):
    report = verify_bundle(rewrite(bundle, tmp_path / "forged.zip", flip_payload))
    assert not report.ok
    assert report.problem.kind == "payload_changed"


def test_any_file_changed_without_the_manifest_fails(bundle, tmp_path):
    def edit_timeline(files: dict[str, str]) -> None:
        files["timeline.html"] = files["timeline.html"].replace("HandoffAccepted", "HandoffRejected")

    report = verify_bundle(rewrite(bundle, tmp_path / "edited.zip", edit_timeline, keep_manifest=True))
    assert (report.ok, report.problem.kind) == (False, "bundle_malformed")
    assert "timeline.html" in report.problem.message


def test_a_bundle_with_its_chain_recomputed_fails_at_the_signed_checkpoint(bundle, tmp_path):
    def forge(files: dict[str, str]) -> None:
        flip_payload(files)
        events, chain, links = (jsonl(files[name]) for name in ("events.jsonl", "chain.jsonl", "links.jsonl"))
        case_hash = "0" * 64
        for event, row in zip(events, chain):
            row["payload_sha256"] = event["payload_sha256"]
            case_hash = row["case_hash"] = case_link(case_hash, row["position"], row["originator_id"],
                                                     row["originator_version"], row["topic"], row["payload_sha256"])
            row["chain_hash"] = chain_link(row["previous_chain_hash"], row["position"], case_hash)
        head = chain[-1]["chain_hash"]
        for link in links:
            head = link["chain_hash"] = chain_link(head, link["position"], link["case_hash"])
        files["chain.jsonl"], files["links.jsonl"] = dump(chain), dump(links)

    report = verify_bundle(rewrite(bundle, tmp_path / "forged.zip", forge))
    assert not report.ok
    assert report.problem.kind == "checkpoint_mismatch"


def test_a_bundle_signed_by_a_key_you_do_not_trust_fails(bundle):
    report = verify_bundle(bundle, [ECC.generate(curve="ed25519").public_key()])
    assert (report.ok, report.problem.kind) == (False, "checkpoint_key_unknown")


def test_a_tampered_case_is_not_exported(settings, engine, sealed, sealer, tmp_path):
    with Tamper.open(settings) as attacker:
        target = next(p for p in attacker.positions() if attacker.case_at(p) == sealed.dispute_id)
        attacker.flip_byte(target)
    with pytest.raises(ExportRefused, match=f"position {target}"):
        export_case(engine, sealed.dispute_id, tmp_path / "case.zip", sealer=sealer)
    assert not (tmp_path / "case.zip").exists()
