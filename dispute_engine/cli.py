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
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="API worker processes sharing the port (more than 1 needs --no-background)."),
    background: bool = typer.Option(True, "--background/--no-background",
                                    help="Also run the views, the deadline clock and the audit sealer in this "
                                         "process; with --no-background run `dispute-engine worker` beside it."),
) -> None:
    """Serve the HTTP API (docs at /docs); by default with the views and the deadline clock running in-process."""
    import uvicorn

    from api.app import create_app
    from api.serving import WORKER_APP, prepare_store, run_workers
    from dispute_engine.bootstrap import startup_lock
    from dispute_engine.config import ConfigurationError, Settings
    from dispute_engine.logs import configure_logging

    if workers > 1 and background:
        typer.echo("error: --workers: API worker processes run no background duties; add --no-background and run "
                   "`dispute-engine worker` beside them", err=True)
        raise typer.Exit(2)
    configure_logging()
    try:
        settings = Settings.from_env()
        if demo:
            _load_demo_if_empty(settings)
        if workers > 1:
            prepare_store(settings)
        else:
            with startup_lock(settings):
                application = create_app(settings, background=background)
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    layout = f"{workers} API worker processes" if workers > 1 else "one process"
    duties = ("views and deadline clock in-process" if background
              else "no background duties: run `dispute-engine worker`")
    typer.echo(f"dispute-engine: web UI http://{host}:{port}/ui/ · API docs http://{host}:{port}/docs · "
               f"store: {settings.store_description} · {layout}, {duties}", err=True)
    if workers > 1:
        run_workers(WORKER_APP, host=host, port=port, workers=workers, log_config=None, access_log=False)
    else:
        uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)


@app.command()
def worker(
    views_interval: float = typer.Option(0.5, "--views-interval", min=0.05,
                                         help="Seconds between polls of the log for the views (a NOTIFY on "
                                              "PostgreSQL wakes them sooner)."),
    clock_interval: float = typer.Option(60.0, "--clock-interval", min=1.0,
                                         help="Seconds between deadline-clock ticks."),
    verify_interval: float = typer.Option(600.0, "--verify-interval", min=10.0,
                                          help="Seconds between full verifications of the audit chain."),
) -> None:
    """The background duties without the API: views, deadline clock, audit sealer and periodic verification.

    Run it beside `serve --no-background` (e.g. `serve --workers 4 --no-background`). Every duty is safe to run
    in several processes at once, so a second worker is a standby, not a risk. Stops cleanly on SIGTERM or SIGINT.
    """
    import signal
    import threading

    from api.background import BackgroundDuties, Intervals
    from api.integrity_watch import IntegrityWatch
    from dispute_engine.bootstrap import bootstrap, startup_lock
    from dispute_engine.config import ConfigurationError, Settings
    from dispute_engine.integrity import create_sealer
    from dispute_engine.logs import configure_logging

    configure_logging()
    try:
        settings = Settings.from_env()
        with startup_lock(settings):
            engine = bootstrap(settings)
            sealer = create_sealer(engine)
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    duties = BackgroundDuties(engine, sealer, IntegrityWatch(settings, engine, sealer),
                              Intervals(views=views_interval, clock=clock_interval, verify=verify_interval))
    with engine:
        duties.start()
        try:
            stop.wait()
        finally:
            duties.stop()


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
