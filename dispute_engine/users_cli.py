"""``dispute-engine users``: create, list and disable the accounts that sign in to the API.

Bad input exits with status 2 and one ``error: <option>: <reason>`` line on stderr,
having changed nothing.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, NoReturn

import structlog
import typer
from rich.console import Console
from rich.table import Table

from dispute_engine.config import ConfigurationError, Settings
from projections.engine import create_read_model_engine as make_engine
from dispute_engine.logs import configure_logging
from dispute_engine.users import (
    UserStore,
    generate_password,
    normalise_name,
    validate_new_user,
    validate_password,
)
from domain.errors import InvalidInput

USAGE_ERROR = 2
_OPTION_OF_FIELD = {"name": "NAME", "role": "--role", "agency": "--agency", "password": "--password-stdin"}

app = typer.Typer(help="User accounts: create, list, disable.", no_args_is_help=True)
log = structlog.get_logger(__name__)


def fail(field: str, reason: str) -> NoReturn:
    typer.echo(f"error: {field}: {reason}", err=True)
    raise typer.Exit(USAGE_ERROR)


def fail_invalid(error: InvalidInput) -> NoReturn:
    fail(_OPTION_OF_FIELD.get(error.field, error.field), error.reason)


def open_store() -> UserStore:
    configure_logging()
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(USAGE_ERROR) from None
    if settings.postgres is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = UserStore(make_engine(settings))
    store.create_tables()
    return store


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="User name: 2–32 of a-z 0-9 . _ -, used to sign in.")],
    role: Annotated[
        str | None, typer.Option("--role", help="staff, partner, auditor or admin.", show_default=False)
    ] = None,
    agency: Annotated[
        str | None,
        typer.Option("--agency", help="court, justice or hr; required for a partner, refused otherwise.",
                     show_default=False),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user. Without --password-stdin a password is generated and printed once."""
    try:
        new = validate_new_user(name, role, agency)
    except InvalidInput as error:
        fail_invalid(error)
    store = open_store()
    if store.get(new.name) is not None:
        fail("NAME", f"a user named {new.name!r} already exists")
    generated = not password_stdin
    password = generate_password() if generated else read_password()
    try:
        user = store.create(new, password)
    except InvalidInput as error:
        fail_invalid(error)
    log.info("user_created", user_id=user.name, role=user.role.value, agency=user.agency.value)
    typer.echo(f"created user {user.name}: role {user.role.value}, agency {user.agency.value}")
    if generated:
        typer.echo(f"password (shown only this once): {password}")


def read_password() -> str:
    raw = sys.stdin.read()
    password = raw[:-1] if raw.endswith("\n") else raw
    password = password[:-1] if password.endswith("\r") else password
    if not password:
        fail("--password-stdin", "standard input is empty")
    try:
        return validate_password(password)
    except InvalidInput as error:
        fail_invalid(error)


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array instead of a table.")] = False,
) -> None:
    """List every user, enabled or not."""
    users = open_store().list()
    if as_json:
        typer.echo(json.dumps([user.record() for user in users], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(users)} users", title_justify="left")
    for column in ("name", "role", "agency", "enabled", "created (UTC)", "disabled (UTC)"):
        table.add_column(column)
    for user in users:
        table.add_row(
            user.name, user.role.value, user.agency.value, "yes" if user.enabled else "no",
            f"{user.created_at:%Y-%m-%d %H:%M:%S}",
            f"{user.disabled_at:%Y-%m-%d %H:%M:%S}" if user.disabled_at else "",
        )
    console = Console()
    Console(width=None if console.is_terminal else 120).print(table)


@app.command()
def disable(name: Annotated[str, typer.Argument(help="The user to disable.")]) -> None:
    """Disable a user: refused from their next request on, even with an unexpired token."""
    store = open_store()
    name = normalise_name(name)
    before = store.get(name)
    try:
        user = store.disable(name)
    except InvalidInput as error:
        fail_invalid(error)
    if before is not None and before.enabled:
        log.info("user_disabled", user_id=user.name)
        typer.echo(f"disabled user {user.name}")
    else:
        typer.echo(f"user {user.name} was already disabled at {user.disabled_at:%Y-%m-%d %H:%M:%S} UTC")
