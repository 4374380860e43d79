"""Seven ways to tamper with the store, each caught by ``verify`` at the first bad position."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from Crypto.PublicKey import ECC

from dispute_engine.config import Settings
from dispute_engine.demo import run_story
from dispute_engine.integrity import verify_store
from dispute_engine.integrity_checkpoints import sign_checkpoint
from tests.integrity.conftest import EVERY


def verify(settings: Settings, **options):
    return verify_store(settings, environ={}, **options)


def test_an_untouched_store_verifies_through_its_head(settings, sealed, tamper):
    report = verify(settings)
    assert report.ok, report.summary()
    head = tamper.positions()[-1]
    assert (report.events, report.sealed_position, report.covered_through, report.unsealed) == (head, head, head, 0)
    assert report.checkpoints == head // EVERY + 1


def test_a_flipped_byte_in_a_payload_is_named_with_its_position_and_case(settings, tamper):
    target = tamper.positions()[16]
    tamper.flip_byte(target)
    report = verify(settings)
    assert not report.ok
    assert (report.problem.kind, report.problem.position) == ("payload_changed", target)
    assert report.problem.case_id == tamper.case_at(target)
    assert f"position {target}" in report.summary()


def test_a_deleted_row_is_named(settings, tamper):
    target = tamper.positions()[16]
    case = tamper.case_at(target)
    tamper.delete_event(target)
    problem = verify(settings).problem
    assert (problem.kind, problem.position, problem.case_id) == ("event_missing", target, case)


def test_two_swapped_payloads_are_caught_at_the_first(settings, tamper):
    first, second = tamper.positions()[11], tamper.positions()[29]
    tamper.swap_payloads(first, second)
    problem = verify(settings).problem
    assert (problem.kind, problem.position) == ("payload_changed", first)


def test_reordered_rows_are_caught_at_the_first_moved_position(settings, tamper):
    first, second = tamper.positions()[11], tamper.positions()[29]
    tamper.swap_positions(first, second)
    problem = verify(settings).problem
    assert (problem.kind, problem.position) == ("event_moved", first)


def test_a_truncated_tail_is_caught_at_the_first_missing_event(settings, tamper):
    positions = tamper.positions()
    tamper.truncate_after(positions[44])
    problem = verify(settings).problem
    assert (problem.kind, problem.position) == ("event_missing", positions[45])


def test_a_forged_row_with_the_chain_recomputed_is_caught_by_exported_checkpoints(settings, tamper, tmp_path):
    exported = tmp_path / "checkpoints.jsonl"
    exported.write_text(tamper.checkpoint_lines())
    positions = tamper.positions()
    target = positions[16]
    tamper.forge(target, tamper.state(positions[17]))

    assert verify(settings).ok  # the database alone is consistent again: why checkpoints are kept elsewhere
    report = verify(settings, checkpoints_file=exported)
    assert not report.ok
    problem = report.problem
    assert problem.kind == "checkpoint_mismatch"
    # The first checkpoint after the forged row no longer matches; the change lies after the one before it.
    assert problem.position == min(p for p in range(EVERY, 10 * EVERY, EVERY) if p >= target)
    assert problem.since_position <= target <= problem.position
    assert f"between positions {problem.since_position} and {problem.position}" in problem.message


def test_an_older_backup_restored_is_caught_by_exported_checkpoints(settings, engine, sealer, tamper, tmp_path):
    backed_up_head = tamper.positions()[-1]
    tamper.back_up()
    run_story(engine, start=date(2026, 7, 1))
    sealer.run_once()
    sealer.checkpoint_now()
    exported = tmp_path / "checkpoints.jsonl"
    exported.write_text(tamper.checkpoint_lines())
    tamper.restore()

    assert verify(settings).ok  # an older copy is consistent in itself
    report = verify(settings, checkpoints_file=exported)
    assert not report.ok
    first_lost = min(int(line.split('"position":')[1].split(",")[0]) for line in exported.read_text().splitlines()
                     if int(line.split('"position":')[1].split(",")[0]) > backed_up_head)
    assert (report.problem.kind, report.problem.position) == ("log_truncated", first_lost)
    assert f"ends at position {backed_up_head}" in report.problem.message


def test_a_checkpoint_signed_by_another_key_is_refused(settings, tamper):
    position, head = tamper.sql("SELECT position, chain_hash FROM event_chain ORDER BY position DESC LIMIT 1")[0]
    forged = sign_checkpoint(ECC.generate(curve="ed25519"), position, head, datetime.now(UTC))
    tamper.sql("DELETE FROM checkpoints WHERE position = ?", position)
    tamper.sql("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)", position, forged.head, forged.time,
               forged.signature, forged.public_key, forged.key_fingerprint)
    problem = verify(settings).problem
    assert (problem.kind, problem.position) == ("checkpoint_key_unknown", position)


def test_an_edited_chain_row_is_named(settings, tamper):
    target = tamper.positions()[5]
    tamper.sql("UPDATE event_chain SET chain_hash = ? WHERE position = ?", "f" * 64, target)
    problem = verify(settings).problem
    assert (problem.kind, problem.position) == ("chain_link_broken", target)


def test_a_case_is_proven_on_its_own_and_its_tampering_named(settings, sealed, tamper):
    report = verify(settings, case_id=sealed.dispute_id)
    assert report.ok, report.summary()
    assert report.covered_through == report.sealed_position == tamper.positions()[-1]
    dispute_position = next(p for p in tamper.positions() if tamper.case_at(p) == sealed.dispute_id)
    assert verify(settings, case_id=sealed.complaint_id).ok

    tamper.flip_byte(dispute_position)
    problem = verify(settings, case_id=sealed.dispute_id).problem
    assert (problem.kind, problem.position, problem.case_id) == ("payload_changed", dispute_position,
                                                                 sealed.dispute_id)


def test_a_forged_case_is_caught_by_exported_checkpoints(settings, sealed, tamper, tmp_path: Path):
    exported = tmp_path / "checkpoints.jsonl"
    exported.write_text(tamper.checkpoint_lines())
    dispute_positions = [p for p in tamper.positions() if tamper.case_at(p) == sealed.dispute_id]
    tamper.forge(dispute_positions[3], b'{"forged": true}')
    assert not verify(settings, case_id=sealed.dispute_id, checkpoints_file=exported).ok
