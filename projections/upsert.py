"""Set-wise writes for projections: one INSERT ... ON CONFLICT for many rows.

A projection folds a batch of events into per-row changes in Python, then writes
each table once::

    upsert(connection, tables.accounts, rows, key=["account_id"], add=["balance"])

``add`` columns are increments (``balance = balance + excluded.balance``), ``replace``
columns are overwritten, the others are only set when the row is new. Each key
must appear once in ``rows`` (PostgreSQL refuses to touch a row twice in one
statement); aggregate per key first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
) -> None:
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"upsert() supports SQLite and PostgreSQL, not {dialect}")
    statement = insert(table)
    changes = {name: table.c[name] + statement.excluded[name] for name in add}
    changes.update({name: statement.excluded[name] for name in replace})
    index = [table.c[name] for name in key]
    if changes:
        statement = statement.on_conflict_do_update(index_elements=index, set_=changes)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=index)
    connection.execute(statement, list(rows))
