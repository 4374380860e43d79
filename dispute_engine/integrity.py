"""Audit integrity: the public face of the hash chain, signed checkpoints, verification and case bundles.

- :class:`Sealer` / :func:`create_sealer` — link new events into ``event_chain`` and sign checkpoints
  (:mod:`dispute_engine.integrity_sealer`);
- :func:`load_checkpoint_key`, :class:`CheckpointPolicy` — the Ed25519 key kept outside the database and
  how often it signs (:mod:`dispute_engine.integrity_checkpoints`);
- :func:`verify_store` → :class:`VerifyReport` — the whole log or one case, against the live tables
  (:mod:`dispute_engine.integrity_verify`);
- :func:`export_case`, :func:`verify_bundle` — one zip that proves a case offline
  (:mod:`dispute_engine.integrity_bundle`);
- :func:`harden`, :func:`install_guards` — append-only at the database (:mod:`dispute_engine.integrity_guard`);
- the hash rules themselves: :mod:`dispute_engine.integrity_chain` and docs/integrity.md.
"""

from dispute_engine.integrity_bundle import ExportRefused, ExportSummary, export_case, verify_bundle
from dispute_engine.integrity_checkpoints import (
    CHECKPOINT_EVERY_ENV,
    CHECKPOINT_KEY_ENV,
    CHECKPOINT_MINUTES_ENV,
    Checkpoint,
    CheckpointFileError,
    CheckpointPolicy,
    checkpoint_key_path,
    configured_public_key,
    load_checkpoint_key,
    read_checkpoints_file,
    read_public_key,
)
from dispute_engine.integrity_guard import HardenReport, harden, install_guards, missing_guards
from dispute_engine.integrity_sealer import Sealer, SealingBlocked, SealStatus, create_sealer
from dispute_engine.integrity_verify import CaseNotFound, Problem, VerifyReport, verify_store

__all__ = [
    "CHECKPOINT_EVERY_ENV",
    "CHECKPOINT_KEY_ENV",
    "CHECKPOINT_MINUTES_ENV",
    "CaseNotFound",
    "Checkpoint",
    "CheckpointFileError",
    "CheckpointPolicy",
    "ExportRefused",
    "ExportSummary",
    "HardenReport",
    "Problem",
    "SealStatus",
    "Sealer",
    "SealingBlocked",
    "VerifyReport",
    "checkpoint_key_path",
    "configured_public_key",
    "create_sealer",
    "export_case",
    "harden",
    "install_guards",
    "load_checkpoint_key",
    "missing_guards",
    "read_checkpoints_file",
    "read_public_key",
    "verify_bundle",
    "verify_store",
]
