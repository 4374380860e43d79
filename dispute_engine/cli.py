"""The ``dispute-engine`` command line."""

from __future__ import annotations

import typer

from dispute_engine.deadlines_cli import app as deadlines_app
from dispute_engine.demo_cli import app as demo_app
from dispute_engine.integrity_cli import register_integrity_commands
from dispute_engine.projections_cli import app as projections_app
from dispute_engine.users_cli import app as users_app

app = typer.Typer(
    name="dispute-engine",
    help="Event-sourced labour-dispute resolution engine (劳动争议多元化解).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(deadlines_app, name="deadlines")
app.add_typer(demo_app, name="demo")
app.add_typer(projections_app, name="projections")
app.add_typer(users_app, name="users")
register_integrity_commands(app)


def main() -> None:
    app()


@app.command()
def clock(
    once: bool = typer.Option(False, "--once", help="Run one tick and exit (default: keep running)."),
    today: str = typer.Option("", "--today", help="Treat this date (YYYY-MM-DD, Asia/Shanghai) as today; with --once."),
    interval: float = typer.Option(60.0, "--interval", min=1.0, help="Seconds between ticks when running."),
) -> None:
    """The deadline clock: record warnings, misses and their legal consequences (lapse, overdue, 督办)."""
    import json
    import signal
    import threading
    from datetime import date

    from dispute_engine.bootstrap import bootstrap
    from dispute_engine.config import Settings
    from dispute_engine.logs import configure_logging

    configure_logging()
    chosen = None
    if today:
        try:
            chosen = date.fromisoformat(today)
        except ValueError:
            typer.echo(f"error: --today: expected YYYY-MM-DD, got {today!r}", err=True)
            raise typer.Exit(2) from None
        if not once:
            typer.echo("error: --today: only with --once (a running clock follows the real date)", err=True)
            raise typer.Exit(2)
    with bootstrap(Settings.from_env()) as engine:
        deadline_clock = engine.deadline_clock()
        if once:
            report = deadline_clock.tick(chosen)
            typer.echo(json.dumps({"today": report.today.isoformat(), "examined": report.examined,
                                   "recorded": report.recorded}))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            deadline_clock.run_forever(stop, interval)
        except KeyboardInterrupt:
            stop.set()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="First load the demo district year into an empty store."),
) -> None:
    """Serve the HTTP API (docs at /docs), with the views and the deadline clock running in-process."""
    import uvicorn

    from api.app import create_app
    from dispute_engine.bootstrap import bootstrap
    from dispute_engine.config import ConfigurationError, Settings
    from dispute_engine.logs import configure_logging

    configure_logging()
    try:
        settings = Settings.from_env()
        if demo:
            _load_demo_if_empty(settings)
        engine = bootstrap(settings)
        application = create_app(settings, engine=engine)
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"dispute-engine: web UI http://{host}:{port}/ui/ · API docs http://{host}:{port}/docs · "
               f"store: {settings.store_description}", err=True)
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)


def _load_demo_if_empty(settings) -> None:
    """``serve --demo``: last year's demo district, loaded only into an empty store."""
    from dispute_engine.bootstrap import bootstrap
    from dispute_engine.clock import Clock
    from dispute_engine.demo_cli import load_with_progress

    with bootstrap(settings) as probe:
        empty = not probe.app.recorder.max_notification_id()
    if not empty:
        typer.echo("the store already holds cases: --demo loads nothing", err=True)
        return
    load_with_progress(settings, seed=2024, year=Clock().today().year - 1)


@app.command("backup")
def backup_command(
    folder: str = typer.Argument(..., help="An empty folder to write the backup to."),
    include_keys: bool = typer.Option(False, "--include-keys", help="Also copy the vault's per-person keys "
                                      "(keep that copy apart from the event backup)."),
) -> None:
    """Back up the embedded store while it runs (SQLite online backup); PostgreSQL: use pg_dump."""
    import json as _json
    from pathlib import Path

    from dispute_engine.backup import backup
    from dispute_engine.config import ConfigurationError, Settings

    try:
        summary = backup(Settings.from_env(), Path(folder), include_keys=include_keys)
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(_json.dumps({"folder": str(summary.folder), "events": summary.events, "with_keys": summary.with_keys}))


@app.command("restore")
def restore_command(folder: str = typer.Argument(..., help="A folder written by `backup`.")) -> None:
    """Restore a backup into an empty data directory; then run `verify` and `projections rebuild`."""
    import json as _json
    from pathlib import Path

    from dispute_engine.backup import restore
    from dispute_engine.config import ConfigurationError, Settings

    try:
        summary = restore(Settings.from_env(), Path(folder))
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(_json.dumps({"events": summary.events, "with_keys": summary.with_keys}))
