"""Substring search (``q``) on a list view's ``search_text`` without reading every row.

``search_text`` is lower-cased text (case numbers, organisation names); ``q`` is a lower-cased
substring of it. A table declares ``info={"extension": SubstringSearch()}`` and, for PostgreSQL,
:func:`bigram_index`; :func:`contains` is the condition a query adds. It always keeps the plain
``search_text LIKE '%q%'`` (so results are exactly those of a scan) and narrows the rows first:

* **SQLite**: a companion FTS5 table ``<table>_search`` with the ``trigram`` tokenizer (case
  sensitive: both sides are already lower-cased), contentless, its rowid the row's rowid, kept by
  triggers on insert, update of ``search_text`` and delete. Each text is indexed with a newline
  appended, so that every 2-character substring is the start of an indexed trigram. ``q`` of 3
  characters or more is a phrase ``MATCH``; ``q`` of 2 characters takes the documents of every
  trigram that starts with it, from the ``fts5vocab`` table ``<table>_terms`` (``instance``).
* **PostgreSQL**: a GIN index on ``dispute_search_bigrams(search_text)``, the distinct 2-character
  substrings of the text (an immutable SQL function created with the table; no extension needed).
  ``q`` of 2 characters or more must contain all its bigrams. (``pg_trgm`` would need 3 characters,
  and a Chinese employer is often searched by its 2-character brand.)
* ``q`` of one character, on both: the plain scan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Index, Table, and_, bindparam, func, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from projections.base import TableExtension

BIGRAMS = "dispute_search_bigrams"
"""The PostgreSQL function behind the GIN index (in the view's schema, shared by every view)."""
PAD = "\n"
"""Appended to each text in the SQLite FTS5 table: its last two characters start a trigram too."""
LAST_CHARACTER = "\U0010ffff"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {BIGRAMS}(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{{}}')
  FROM generate_series(1, char_length(value) - 1) AS i
$$
"""


class SubstringSearch(TableExtension):
    """The companion FTS5 table and its triggers (SQLite), the bigram function (PostgreSQL)."""

    def __init__(self, column: str = "search_text") -> None:
        self.column = column

    def before_create(self, connection: Connection, table: Table) -> None:
        if connection.dialect.name != "postgresql":
            return
        # Two views built at once would both replace the function: one at a time.
        connection.execute(text(f"SELECT pg_advisory_xact_lock(hashtext('dispute_engine.{BIGRAMS}'))"))
        connection.exec_driver_sql(_FUNCTION)

    def after_create(self, connection: Connection, table: Table) -> None:
        if connection.dialect.name != "sqlite":
            return
        quote = connection.dialect.identifier_preparer.quote
        base, index, terms = (quote(n) for n in (table.name, *self.companions(table.name, "sqlite")[::-1]))
        raw_index = f"{table.name}_search"
        column = quote(self.column)
        pad = "char(10)"
        for statement in (
            f"CREATE VIRTUAL TABLE {index} USING fts5({column}, content='', tokenize='trigram case_sensitive 1')",
            f"CREATE VIRTUAL TABLE {terms} USING fts5vocab({index}, instance)",
            f"CREATE TRIGGER {quote(raw_index + '_ai')} AFTER INSERT ON {base} BEGIN "
            f"INSERT INTO {index}(rowid, {column}) VALUES (new.rowid, new.{column} || {pad}); END",
            f"CREATE TRIGGER {quote(raw_index + '_au')} AFTER UPDATE OF {column} ON {base} "
            f"WHEN old.{column} IS NOT new.{column} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.rowid, old.{column} || {pad}); "
            f"INSERT INTO {index}(rowid, {column}) VALUES (new.rowid, new.{column} || {pad}); END",
            f"CREATE TRIGGER {quote(raw_index + '_ad')} AFTER DELETE ON {base} BEGIN "
            f"INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.rowid, old.{column} || {pad}); END",
        ):
            connection.exec_driver_sql(statement)

    def companions(self, name: str, dialect: str) -> list[str]:
        # The vocabulary first: it reads the index.
        return [f"{name}_terms", f"{name}_search"] if dialect == "sqlite" else []


def bigram_index(name: str, table: Table, column: str = "search_text") -> Index:
    """The PostgreSQL GIN index on the column's bigrams (not created on SQLite)."""
    index = Index(name, func.dispute_search_bigrams(table.c[column]), postgresql_using="gin")
    return index.ddl_if(dialect="postgresql")


def contains(connection: Connection, table: Table, q: str, column: str = "search_text") -> ColumnElement[bool]:
    """``table.column`` contains ``q`` (already lower-cased), through the table's search index when
    it has one and ``q`` is long enough."""
    scan = table.c[column].contains(q, autoescape=True)
    if len(q) < 2 or not isinstance(table.info.get("extension"), SubstringSearch):
        return scan
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "sqlite":
        rowid = literal_column(f"{quote(table.name)}.rowid")
        if len(q) >= 3:
            index = quote(f"{table.name}_search")
            phrase = '"' + q.replace('"', '""') + '"'
            found: Any = text(f"SELECT rowid FROM {index} WHERE {index} MATCH :search_phrase").bindparams(
                search_phrase=phrase)
        else:
            terms = quote(f"{table.name}_terms")
            found = text(f"SELECT doc FROM {terms} WHERE term >= :search_from AND term <= :search_to").bindparams(
                search_from=q, search_to=q + LAST_CHARACTER)
        return and_(rowid.in_(found), scan)
    if connection.dialect.name == "postgresql":
        bigrams = sorted({q[i:i + 2] for i in range(len(q) - 1)})
        wanted = bindparam("search_bigrams", bigrams, type_=ARRAY(Text))
        return and_(func.dispute_search_bigrams(table.c[column]).op("@>")(wanted), scan)
    return scan
