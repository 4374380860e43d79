"""``dispute-engine seal | verify | export | checkpoints … | db harden``: the audit trail's integrity.

Exit codes: 0 intact / done, 1 a verification found tampering (or an export was refused because of it),
2 a usage or configuration error (the message names the option or variable).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.logs import configure_logging

if TYPE_CHECKING:
    from dispute_engine.bootstrap import Engine
    from dispute_engine.integrity_sealer import Sealer

checkpoints_app = typer.Typer(help="Signed checkpoints of the audit chain: export them to keep elsewhere.",
                              no_args_is_help=True)
db_app = typer.Typer(help="Database set-up for production (PostgreSQL).", no_args_is_help=True)


def register_integrity_commands(app: typer.Typer) -> None:
    """Add ``seal``, ``verify``, ``export``, ``checkpoints`` and ``db`` to the main command line."""
    app.command("seal")(seal)
    app.command("verify")(verify)
    app.command("export")(export)
    app.add_typer(checkpoints_app, name="checkpoints")
    app.add_typer(db_app, name="db")


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    configure_logging()
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        _fail(str(error))
    if settings.postgres is None and not settings.sqlite_path.exists():
        _fail(f"DISPUTE_ENGINE_DATA: no store at {settings.sqlite_path}")
    return settings


@contextmanager
def _sealing() -> Iterator[tuple[Engine, Sealer]]:
    """The engine and a sealer; the checkpoint key and policy are checked before anything is built."""
    from dispute_engine.bootstrap import bootstrap
    from dispute_engine.integrity import CheckpointPolicy, Sealer, load_checkpoint_key

    settings = _settings()
    try:
        key = load_checkpoint_key(settings)
        policy = CheckpointPolicy.from_env()
        engine = bootstrap(settings)
    except ConfigurationError as error:
        _fail(str(error))
    with engine:
        yield engine, Sealer(engine.app, engine.read_engine, signing_key=key, policy=policy)


def seal(
    once: bool = typer.Option(False, "--once", help="Seal what is recorded now, sign if due, and exit."),
    interval: float = typer.Option(1.0, "--interval", min=0.05, help="Seconds between polls when running."),
) -> None:
    """Link every new event into the audit chain (exactly once) and sign checkpoints; safe to run twice."""
    with _sealing() as (_engine, sealer):
        if once:
            sealed = sealer.run_once()
            status = sealer.status()
            typer.echo(json.dumps({"sealed": sealed, "position": status.sealed_position,
                                   "unsealed": status.unsealed, "checkpoint": status.checkpoint_position}))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            sealer.run_forever(stop, interval)
        except KeyboardInterrupt:
            stop.set()


def verify(
    case: str = typer.Option("", "--case", help="Prove one case: its own chain and checkpoint coverage."),
    checkpoints: Path | None = typer.Option(None, "--checkpoints", dir_okay=False,
                                            help="Also check against checkpoints exported earlier (JSON lines)."),
    bundle: Path | None = typer.Option(None, "--bundle", dir_okay=False,
                                       help="Check an exported case bundle offline (no database needed)."),
    public_key: list[Path] = typer.Option([], "--public-key", dir_okay=False,
                                          help="Trust checkpoints signed by this key (PEM); repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Check every link, case version, checkpoint signature and stored payload; exit 1 naming the first bad position."""
    from dispute_engine.integrity import (
        CaseNotFound,
        CheckpointFileError,
        read_public_key,
        verify_bundle,
        verify_store,
    )

    try:
        keys = [read_public_key(path) for path in public_key]
    except ConfigurationError as error:
        _fail(f"--public-key: {error}")
    if bundle is not None:
        if case or checkpoints:
            _fail("--bundle: checked on its own, without --case or --checkpoints")
        report = verify_bundle(bundle, keys)
    else:
        settings = _settings()
        try:
            report = verify_store(settings, case_id=case or None, checkpoints_file=checkpoints,
                                  trusted_keys=keys or None)
        except CaseNotFound as error:
            _fail(f"--case: {error}")
        except CheckpointFileError as error:
            _fail(f"--checkpoints: {error}")
        except ConfigurationError as error:
            _fail(str(error))
    typer.echo(json.dumps(report.as_json(), ensure_ascii=False) if as_json else report.summary())
    raise typer.Exit(0 if report.ok else 1)


def export(
    case_id: str = typer.Argument(..., help="The case (dispute or ticket id) to export."),
    output: Path | None = typer.Option(None, "-o", "--output", dir_okay=False,
                                       help="The bundle to write (default: case-<id>.zip here)."),
) -> None:
    """Write one zip proving a case offline: events as stored, chain proof, signed checkpoint, timeline."""
    from dispute_engine.integrity import CaseNotFound, ExportRefused, export_case

    path = output or Path(f"case-{case_id}.zip")
    with _sealing() as (engine, sealer):
        try:
            summary = export_case(engine, case_id, path, sealer=sealer)
        except CaseNotFound as error:
            _fail(f"CASE_ID: {error}")
        except ExportRefused as error:
            _fail(str(error), 1)
    typer.echo(json.dumps({**asdict(summary), "path": str(summary.path)}, ensure_ascii=False))


@checkpoints_app.command("export")
def export_checkpoints(
    file: Path = typer.Argument(..., dir_okay=False, help="Where to write the JSON lines ('-': standard output)."),
) -> None:
    """Export every signed checkpoint (position, head, time, signature, key) to keep outside the database."""
    from sqlalchemy import inspect

    from dispute_engine.integrity_chain import checkpoints, consistent_read
    from dispute_engine.integrity_checkpoints import checkpoint_lines, stored_checkpoints
    from projections.engine import create_read_model_engine

    engine = create_read_model_engine(_settings())
    try:
        with consistent_read(engine) as connection:
            found = stored_checkpoints(connection) if inspect(connection).has_table(checkpoints.name) else []
    finally:
        engine.dispose()
    body = "".join(checkpoint_lines(found))
    if str(file) == "-":
        sys.stdout.write(body)
    else:
        staging = file.with_name(f".{file.name}.partial")
        staging.write_text(body, encoding="utf-8")
        staging.replace(file)
    summary = {"checkpoints": len(found), "last_position": found[-1].position if found else None}
    typer.echo(json.dumps(summary), err=str(file) == "-")


@checkpoints_app.command("public-key")
def public_key() -> None:
    """Print the checkpoint key's public half (PEM) to publish or keep for auditors; fingerprint on stderr."""
    from dispute_engine.integrity_checkpoints import configured_public_key, fingerprint, public_key_pem

    settings = _settings()
    try:
        key = configured_public_key(settings)
    except ConfigurationError as error:
        _fail(str(error))
    if key is None:
        _fail("DISPUTE_ENGINE_CHECKPOINT_KEY: no checkpoint key is configured (nor a development key generated)")
    sys.stdout.write(public_key_pem(key))
    typer.echo(f"fingerprint: {fingerprint(key)}", err=True)


@db_app.command("harden")
def harden(
    app_role: str = typer.Option(..., "--app-role", help="The role the application connects as (created if missing)."),
) -> None:
    """Install the append-only triggers and give APP_ROLE (NOSUPERUSER) only SELECT and INSERT on the history."""
    from dispute_engine.integrity_guard import harden as run_harden

    configure_logging()
    try:
        report = run_harden(Settings.from_env(), app_role)
    except ConfigurationError as error:
        _fail(str(error))
    typer.echo(json.dumps(asdict(report)))
