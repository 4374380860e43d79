"""``dispute-engine projections …``: run, inspect and rebuild the read models."""

from __future__ import annotations

import json
import signal
import sys
import threading

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.logs import configure_logging

app = typer.Typer(help="Read models (views): run the follower, show lag, rebuild.", no_args_is_help=True)


def _engine() -> Engine:
    configure_logging()
    try:
        return bootstrap(Settings.from_env())
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _check_names(engine: Engine, names: list[str]) -> None:
    unknown = [n for n in names if n not in engine.views]
    if unknown:
        typer.echo(f"error: NAME: unknown view {unknown[0]!r} (views: {', '.join(engine.views)})", err=True)
        raise typer.Exit(2)


@app.command("run")
def run(
    names: list[str] = typer.Argument(None, help="Views to keep up to date (default: all)."),
    once: bool = typer.Option(False, "--once", help="Catch up once and exit."),
    interval: float = typer.Option(0.5, "--interval", min=0.05, help="Seconds between polls."),
) -> None:
    """Follow the event log into the views, exactly once; safe to run in several processes at once."""
    with _engine() as engine:
        _check_names(engine, names or [])
        follower = engine.follower(names or None)
        if once:
            typer.echo(json.dumps({"processed": follower.run_once()}))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            follower.run_forever(stop, interval)
        except KeyboardInterrupt:
            stop.set()


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Position, lag in events and in seconds, per view."""
    with _engine() as engine:
        rows = engine.follower().status()
    records = [
        {"view": s.name, "version": s.version, "live_version": s.live_version, "position": s.position,
         "head": s.head, "lag_events": s.lag_events, "lag_seconds": round(s.lag_seconds, 3),
         "rebuilding": s.rebuild_generation is not None}
        for s in rows
    ]
    if as_json or not sys.stdout.isatty():
        typer.echo(json.dumps(records, ensure_ascii=False))
        return
    table = Table(title="views")
    for column in records[0] if records else ["view"]:
        table.add_column(column)
    for record in records:
        table.add_row(*(str(v) for v in record.values()))
    Console().print(table)


@app.command("rebuild")
def rebuild(names: list[str] = typer.Argument(..., help="The views to rebuild (together they share reads).")) -> None:
    """Build a new generation of each view beside the live one, then switch readers over atomically."""
    with _engine() as engine:
        _check_names(engine, names)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            task = bar.add_task(f"rebuilding {', '.join(names)}", total=None)

            def report(progress) -> None:
                bar.update(task, completed=progress.position, total=max(progress.head, 1))

            processed = engine.follower(names).rebuild(*names, on_progress=report)
        typer.echo(json.dumps({"views": names, "processed": processed}))
