"""``dispute-engine deadlines``: compute a statutory due date, list the rule table.

Application layer: this module reads ``DISPUTE_ENGINE_RULE_OVERRIDES`` (path to a JSON file of
per-district overrides of the [P] rows) and hands the parsed overrides to the pure domain.
Bad input exits with status 2 and one ``error: <field>: <reason>`` line on stderr.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from domain.calendar import default_calendar
from domain.deadlines import (
    DeadlineError,
    Rule,
    RuleTable,
    compute_deadline,
    default_rules,
    load_rules,
    read_rule_overrides,
)

OVERRIDES_ENV = "DISPUTE_ENGINE_RULE_OVERRIDES"
USAGE_ERROR = 2
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"\d+")
_OPTION_OF_FIELD = {
    "rule_id": "--rule",
    "start": "--from",
    "extension": "--extension",
    "suspended_days": "--suspended-days",
}

app = typer.Typer(
    help="Statutory deadlines: compute a due date from a rule and a start date, list the rule table.",
    no_args_is_help=True,
)


def fail(field: str, reason: str) -> NoReturn:
    typer.echo(f"error: {field}: {reason}", err=True)
    raise typer.Exit(USAGE_ERROR)


def rule_table(environ: Mapping[str, str] | None = None) -> RuleTable:
    """The packaged table, with the district's [P] overrides when ``DISPUTE_ENGINE_RULE_OVERRIDES`` names a file."""
    env = os.environ if environ is None else environ
    path = env.get(OVERRIDES_ENV, "").strip()
    if not path:
        return default_rules()
    try:
        return load_rules(read_rule_overrides(path))
    except DeadlineError as error:
        fail(OVERRIDES_ENV, str(error))


def parse_date(raw: str, option: str) -> date:
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    fail(option, f"expected YYYY-MM-DD, got {raw!r}")


def parse_count(raw: str, option: str) -> int:
    if not _WHOLE.fullmatch(raw.strip()):
        fail(option, f"expected a whole number of at least 0, got {raw!r}")
    return int(raw)


@app.command()
def compute(
    rule: Annotated[str, typer.Option("--rule", help="Rule id, e.g. A8 (see `deadlines rules`).")],
    from_: Annotated[
        str, typer.Option("--from", help="The day the clock starts (excluded from the period), YYYY-MM-DD.")
    ],
    extension: Annotated[
        str, typer.Option("--extension", help="Approved extension, in the rule's unit.")
    ] = "0",
    suspended_days: Annotated[
        str, typer.Option("--suspended-days", help="Suspended days excluded from the period (中止).")
    ] = "0",
) -> None:
    """Compute the due date of RULE whose clock starts on --from; prints one JSON object."""
    start = parse_date(from_, "--from")
    extra = parse_count(extension, "--extension")
    suspended = parse_count(suspended_days, "--suspended-days")
    table = rule_table()
    try:
        result = compute_deadline(
            rule, start, default_calendar(), rules=table, extension=extra, suspended_days=suspended
        )
    except DeadlineError as error:
        if error.field is None:
            fail("--rule", str(error))
        fail(_OPTION_OF_FIELD.get(error.field, error.field), error.reason)
    typer.echo(json.dumps(computation_output(result.to_record(), table[rule]), ensure_ascii=False))


def computation_output(record: Mapping[str, Any], rule: Rule) -> dict[str, Any]:
    return {
        "rule": record["rule_id"],
        "step": rule.step,
        "step_zh": rule.step_zh,
        "owner": rule.owner,
        "from": record["start"],
        "due_date": record["due_date"],
        "period": record["period"],
        "unit": record["unit"],
        "day_type": record["day_type"],
        "counting": record["counting"],
        "extension": record["extension"],
        "suspended_days": record["suspended_days"],
        "provisional": record["provisional"],
        "source": record["source"],
        "confidence": record["confidence"],
        "unverified": rule.unverified,
        "overridden": record["overridden"],
        "rule_version": record["rule_version"],
        "calendar_version": record["calendar_version"],
    }


@app.command("rules")
def list_rules(
    as_json: Annotated[
        bool | None,
        typer.Option("--json/--table", help="JSON array, or a table; default: a table on a terminal, JSON otherwise."),
    ] = None,
) -> None:
    """List the rule table with each row's source and confidence; [R]/[P] rows are marked unverified."""
    table = rule_table()
    if as_json is None:
        as_json = not sys.stdout.isatty()
    if as_json:
        typer.echo(json.dumps([rule.record() for rule in table], ensure_ascii=False, indent=2))
        return
    Console().print(rules_table(table))


def rules_table(table: RuleTable) -> Table:
    a0 = "working days" if table.arbitration_short_periods_in_working_days else "calendar days"
    view = Table(
        title="Statutory deadline rules",
        caption=(
            f"A0: arbitration 3/5/10-day periods count {a0} [{table.a0_confidence}: {table.a0_source}]. "
            "V statute text, S secondary source, R from memory, P policy default. "
            "UNVERIFIED rows must be checked before go-live."
        ),
    )
    view.add_column("id", no_wrap=True)
    view.add_column("step", ratio=2, overflow="fold")
    view.add_column("owner", no_wrap=True)
    view.add_column("period", no_wrap=True)
    view.add_column("day type", no_wrap=True)
    view.add_column("source", ratio=3, overflow="fold")
    view.add_column("conf.", no_wrap=True)
    view.add_column("check", no_wrap=True)
    for rule in table:
        counting = " before" if rule.counting == "before" else ""
        day_type = rule.day_type + (f" ({rule.day_type_basis})" if rule.day_type_basis else "")
        view.add_row(
            rule.id,
            rule.step,
            rule.owner,
            f"{rule.period} {rule.unit.replace('_', ' ')}{counting}",
            day_type,
            rule.source,
            rule.confidence,
            "UNVERIFIED" if rule.unverified else "",
            style="yellow" if rule.unverified else None,
        )
    return view


@app.command("adopt-calendar")
def adopt_calendar() -> None:
    """Recompute open deadlines with the current calendar and rule table (records CALENDAR_UPDATE)."""
    from sqlalchemy import distinct, select

    from dispute_engine.bootstrap import bootstrap
    from dispute_engine.config import ConfigurationError, Settings
    from dispute_engine.logs import configure_logging
    from dispute_engine.timers import KINDS
    from domain.values import SYSTEM_ACTOR
    from projections.reading import open_view

    configure_logging()
    try:
        engine = bootstrap(Settings.from_env())
    except ConfigurationError as error:
        fail("configuration", str(error))
    with engine:
        follower = engine.follower(["deadlines"])
        follower.run_once()
        with engine.read_engine.begin() as connection:
            table = open_view(connection, engine.views["deadlines"]).deadlines
            cases = connection.execute(
                select(distinct(table.c.case_kind), table.c.case_id).where(table.c.status.in_(("OPEN", "MISSED")))
            ).all()
        moved = 0
        for case_kind, case_id in cases:
            result = engine.app.adopt_policy(KINDS[case_kind], case_id, actor=SYSTEM_ACTOR)
            moved += int(result.data.get("moved", 0))
        typer.echo(json.dumps({"cases": len(cases), "deadlines_recomputed": moved,
                               "calendar_version": engine.app.policy.calendar.version}))
