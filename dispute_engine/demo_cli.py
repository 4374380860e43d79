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
