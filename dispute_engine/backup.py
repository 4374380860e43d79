"""Backup and restore of the embedded store (SQLite online backup API).

A backup is a folder: ``events.sqlite`` (the event store with its views, audit chain and
checkpoints, copied consistently while the engine runs) and, only with ``include_keys``,
``vault.sqlite`` (the per-person keys). Keep the key backup apart from the event backup: together
with the master key they unlock personal data. On PostgreSQL use pg_dump/pg_restore
(docs/operations.md); this module refuses rather than pretend.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.vault import vault_url

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    events: int
    with_keys: bool


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # a consistent snapshot, also while writers are active
    dst.close()
    src.close()


def _events_in(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()
    return int(row[0])


def _check_embedded(settings: Settings) -> None:
    if settings.postgres is not None:
        raise ConfigurationError(
            "DATABASE_URL: backup and restore here cover the embedded SQLite store; on PostgreSQL use "
            "pg_dump --format=custom and pg_restore (docs/operations.md)"
        )


def _vault_file(settings: Settings) -> Path | None:
    url = vault_url(settings)
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def backup(settings: Settings, folder: Path, *, include_keys: bool = False) -> BackupSummary:
    _check_embedded(settings)
    if not settings.sqlite_path.exists():
        raise ConfigurationError(f"DISPUTE_ENGINE_DATA: no store at {settings.sqlite_path.name} to back up")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise ConfigurationError(f"backup folder {folder}: must be empty")
    _copy(settings.sqlite_path, folder / "events.sqlite")
    vault = _vault_file(settings)
    if include_keys:
        if vault is None or not vault.exists():
            raise ConfigurationError("DISPUTE_ENGINE_VAULT_URL: --include-keys needs the embedded vault file")
        _copy(vault, folder / "vault.sqlite")
    events = _events_in(folder / "events.sqlite")
    (folder / MANIFEST).write_text(json.dumps({
        "events": events, "with_keys": include_keys, "taken_at": datetime.now(timezone.utc).isoformat(),
    }, indent=2))
    return BackupSummary(folder, events, include_keys)


def restore(settings: Settings, folder: Path) -> BackupSummary:
    """Restore into an empty data directory (never over a live store)."""
    _check_embedded(settings)
    source = folder / "events.sqlite"
    if not source.exists():
        raise ConfigurationError(f"backup folder {folder}: events.sqlite is missing")
    if settings.sqlite_path.exists():
        raise ConfigurationError(f"DISPUTE_ENGINE_DATA: a store already exists at {settings.sqlite_path}; "
                                 "restore into an empty data directory")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _copy(source, settings.sqlite_path)
    with_keys = (folder / "vault.sqlite").exists()
    vault = _vault_file(settings)
    if with_keys and vault is not None:
        if vault.exists():
            raise ConfigurationError(f"DISPUTE_ENGINE_VAULT_URL: a vault already exists at {vault}")
        vault.parent.mkdir(parents=True, exist_ok=True)
        _copy(folder / "vault.sqlite", vault)
    return BackupSummary(folder, _events_in(settings.sqlite_path), with_keys)
