"""Set-wise reads and writes for projections: one statement per table per batch, however many rows.

A projection loads the rows a batch touches, folds the events into per-row changes in
Python, then writes each table once::

    rows = select_rows(connection, tables.accounts, "account_id", account_ids)
    upsert(connection, tables.accounts, changes, key=["account_id"], add=["balance"])

``add`` columns are increments (``balance = balance + excluded.balance``), ``replace``
columns are overwritten, the others are only set when the row is new. Each key
must appear once in ``rows`` (PostgreSQL refuses to touch a row twice in one
statement); aggregate per key first. :func:`delete_rows` removes rows by key.

Statements are plain SQL run with ``exec_driver_sql`` (SQLAlchemy's events and error
wrapping still apply), without SQLAlchemy's per-row parameter and type handling, which at
thousands of rows per batch costs more than the database's own work. Values are converted
the way the columns' SQLAlchemy types would convert them, both ways (``Date`` columns also
take ISO text). On SQLite a write is one ``executemany``. On PostgreSQL it is one statement
whose single parameter is the rows as a JSON array, unpacked by the server: the statement
text never changes, the json module's C code does the encoding, and psycopg's
``executemany`` (a statement per row) is avoided. The array is ``jsonb``, parsed once;
``json`` would be re-parsed for every field taken out of a row, which cost 8× more on a
28-column table. A read's ids are one JSON parameter too: an ``IN`` list would make a new
statement text, parsed afresh, for every number of ids, and psycopg's dumping of a list
parameter costs more than the json module's encoding.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, Table
from sqlalchemy.engine import Dialect

Convert = Callable[[Any], Any]


def select_rows(connection: Connection, table: Table, column: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    """The rows of ``table`` whose ``column`` holds one of ``values``, as dicts by column name."""
    wanted = list(values)
    if not wanted:
        return []
    dialect = connection.dialect
    found = connection.exec_driver_sql(_select_statement(dialect, table, column), (json.dumps(wanted),))
    names = [c.name for c in table.columns]
    readers = _readers(dialect, table)
    rows = []
    for stored in found:
        row = dict(zip(names, stored, strict=True))
        for name, read in readers:
            if row[name] is not None:
                row[name] = read(row[name])
        rows.append(row)
    return rows


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
) -> None:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of ``rows`` (mappings with the same keys)."""
    if not rows:
        return
    columns = [c.name for c in table.columns if c.name in rows[0]]  # in one order, for one statement text
    bulk_upsert(connection, table, [tuple(map(row.__getitem__, columns)) for row in rows], columns=columns,
                key=key, add=add, replace=replace)


def bulk_upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Sequence[Any]],
    *,
    columns: Sequence[str],
    key: Sequence[str],
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
) -> None:
    """:func:`upsert` of rows given as tuples in ``columns`` order."""
    if rows:
        columns = tuple(columns)
        statement = _upsert_statement(connection.dialect, table, columns, tuple(key), tuple(add), tuple(replace))
        _write(connection, statement, _converted(connection.dialect, table, columns, rows))


def delete_rows(connection: Connection, table: Table, keys: Sequence[Sequence[Any]], *, key: Sequence[str]) -> None:
    """Delete the rows whose ``key`` columns hold one of ``keys`` (tuples in ``key`` order)."""
    if keys:
        key = tuple(key)
        _write(connection, _delete_statement(connection.dialect, table, key),
               _converted(connection.dialect, table, key, keys))


def _write(connection: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(statement, rows)
    else:
        document = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_json_value)
        connection.exec_driver_sql(statement, (document,))


@functools.lru_cache(maxsize=1024)
def _select_statement(dialect: Dialect, table: Table, column: str) -> str:
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(c.name) for c in table.columns)
    among = (
        "IN (SELECT value FROM json_each(?))" if dialect.name == "sqlite"
        # An array, so that the planner knows how many and looks each up in the index.
        else "= ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))"
    )
    return f"SELECT {columns} FROM {dialect.identifier_preparer.format_table(table)} WHERE {quote(column)} {among}"


@functools.lru_cache(maxsize=1024)
def _upsert_statement(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    add: tuple[str, ...],
    replace: tuple[str, ...],
) -> str:
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    updates = [f"{q} = {name}.{q} + excluded.{q}" for q in map(quote, add)]
    updates += [f"{q} = excluded.{q}" for q in map(quote, replace)]
    conflict = f"ON CONFLICT ({', '.join(map(quote, key))}) " + (
        f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
    )
    head = f"INSERT INTO {name} ({', '.join(map(quote, columns))})"
    if dialect.name == "sqlite":
        return f"{head} VALUES ({', '.join('?' * len(columns))}) {conflict}"
    fields = ", ".join(_field(dialect, table, column, index) for index, column in enumerate(columns))
    return f"{head} SELECT {fields} FROM jsonb_array_elements(%s::jsonb) AS row {conflict}"


@functools.lru_cache(maxsize=1024)
def _delete_statement(dialect: Dialect, table: Table, key: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    if dialect.name == "sqlite":
        return f"DELETE FROM {name} WHERE {' AND '.join(f'{quote(column)} = ?' for column in key)}"
    where = " AND ".join(
        f"{name}.{quote(column)} = {_field(dialect, table, column, index)}" for index, column in enumerate(key)
    )
    return f"DELETE FROM {name} USING jsonb_array_elements(%s::jsonb) AS row WHERE {where}"


def _field(dialect: Dialect, table: Table, column: str, index: int) -> str:
    return f"(row->>{index})::{table.c[column].type.compile(dialect=dialect)}"


def _converted(
    dialect: Dialect, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> Sequence[Sequence[Any]]:
    converters = _converters(dialect, table, columns)
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        converted.append(tuple(values))
    return converted


@functools.lru_cache(maxsize=1024)
def _converters(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[tuple[int, Convert], ...]:
    """(position, function) of the columns whose SQLAlchemy type converts values for the driver."""
    found = []
    for index, column in enumerate(columns):
        type_ = table.c[column].type
        if isinstance(type_, Date):
            convert = _iso_date if dialect.name == "sqlite" else None  # JSON carries dates as ISO text
        else:
            convert = type_.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            found.append((index, convert))
    return tuple(found)


@functools.lru_cache(maxsize=1024)
def _readers(dialect: Dialect, table: Table) -> tuple[tuple[str, Convert], ...]:
    """(column, function) of the columns whose SQLAlchemy type converts what the driver returns."""
    found = []
    for column in table.columns:
        read = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if read is not None:
            found.append((column.name, read))
    return tuple(found)


def _iso_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written by projections.bulk")
