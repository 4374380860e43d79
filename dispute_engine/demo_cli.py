"""``dispute-engine demo …``: scripted stories on the configured store."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dispute_engine.bootstrap import bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.demo import run_story
from dispute_engine.logs import configure_logging
from dispute_engine.narrate import describe
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute

app = typer.Typer(help="Demonstrations on the configured store.", no_args_is_help=True)


@app.command("story")
def story() -> None:
    """Run the scripted story (12351 call → mediation → arbitration → court) and print the case histories."""
    configure_logging()
    settings = Settings.from_env()
    console = Console(width=None if Console().is_terminal else 140)
    with bootstrap(settings, clock=FixedClock()) as engine:
        result = run_story(engine)
        dispute = engine.app.load(Dispute, result.dispute_id)
        complaint = engine.app.load(HotlineComplaint, result.complaint_id)
        console.print(f"[bold]Store:[/bold] {settings.store_description}")
        console.print(f"[bold]Refused before arbitration:[/bold] {escape(result.refused_early_suit)}\n")
        for title, kind, case_id in (
            (f"12351 ticket {complaint.ticket_no} — {complaint.state}", HotlineComplaint, result.complaint_id),
            (f"Dispute {dispute.case_number} — {dispute.status}", Dispute, result.dispute_id),
        ):
            table = Table(title=title, title_justify="left", show_lines=False)
            for column in ("v", "event", "business date", "actor", "what happened"):
                table.add_column(column, overflow="fold")
            for entry in engine.app.history(case_id, kind):
                actor = entry.actor or {}
                table.add_row(
                    str(entry.version), entry.type, str(entry.business_date or ""),
                    f"{actor.get('user_id', '')} ({actor.get('agency', '')})", describe(entry),
                )
            console.print(table)
        console.print(f"dispute id {result.dispute_id}; ticket id {result.complaint_id}")


@app.command("load")
def load(
    seed: int = typer.Option(2024, "--seed", help="Seed of the synthetic year; the same seed gives the same year."),
    year: int = typer.Option(2026, "--year", help="The calendar year to simulate, 1 January to 31 December."),
    small: bool = typer.Option(False, "--small", help="A small year (40 disputes, 60 tickets) that loads in seconds."),
) -> None:
    """Load a realistic district year (500 disputes, 1,000 12351 tickets) into an empty store, with demo users."""
    import logging

    from dispute_engine.config import ConfigurationError

    configure_logging(level=logging.WARNING)  # a log line per simulated day would break the progress bar
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if not load_with_progress(settings, seed=seed, year=year, small=small):
        raise typer.Exit(1)


def load_with_progress(settings: Settings, *, seed: int, year: int, small: bool = False) -> bool:
    """Load the demo year with a progress bar, print its summary and the demo users' passwords once.

    Returns False (and changes nothing) when the store is not empty.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from dispute_engine.demo_year import (
        FULL_DISPUTES,
        FULL_TICKETS,
        SMALL_DISPUTES,
        SMALL_TICKETS,
        DemoProgress,
        DemoStoreNotEmpty,
        create_demo_users,
        load_demo_year,
        print_credentials,
        print_summary,
    )
    from dispute_engine.users import UserStore

    disputes, tickets = (SMALL_DISPUTES, SMALL_TICKETS) if small else (FULL_DISPUTES, FULL_TICKETS)
    console = Console(width=None if Console().is_terminal else 140)
    with bootstrap(settings, clock=FixedClock()) as engine:
        console.print(f"[bold]Store:[/bold] {settings.store_description}")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                   TextColumn("{task.fields[counts]}"), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"{year}-01-01", total=366, counts="")

            def report(day: DemoProgress) -> None:
                progress.update(task, completed=day.days_done, total=day.days_total, description=day.day.isoformat(),
                                counts=f"{day.disputes} disputes, {day.tickets} tickets, {day.commands} commands")

            try:
                summary = load_demo_year(engine, seed=seed, year=year, disputes=disputes, tickets=tickets,
                                         progress=report)
            except (DemoStoreNotEmpty, ValueError) as error:
                progress.stop()
                typer.echo(f"error: {error}", err=True)
                return False
        print_summary(console, summary, engine.app.policy.rules)
        print_credentials(console, create_demo_users(UserStore(engine.read_engine)))
    return True
