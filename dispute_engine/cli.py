"""The ``dispute-engine`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dispute-engine",
    help="Event-sourced labour-dispute resolution engine (劳动争议多元化解).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def main() -> None:
    app()
