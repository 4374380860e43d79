"""Substring search through the search index (projections.search), on SQLite and PostgreSQL.

A table of the generation scheme carrying ``SubstringSearch`` (and the PostgreSQL bigram index):
every query of one, two, three or more characters finds exactly what a plain scan of ``search_text``
finds, after inserts, updates and deletes (SQLite's companion table follows by triggers).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, Text, delete, select, update

from tests.conftest import STORES, make_settings
from projections.base import Projection, ViewTables, generation_tables
from projections.cases import search_text
from projections.engine import WRITE, create_read_model_engine
from projections.search import SubstringSearch, bigram_index, contains

metadata = MetaData()
things = Table(
    "search_things",
    metadata,
    Column("thing_id", String(8), primary_key=True),
    Column("search_text", Text, nullable=False),
    info={"extension": SubstringSearch()},
)
bigram_index("ix_search_things_text", things)


class Things(Projection):
    name = "search_things"
    metadata = metadata

    def process(self, connection, tables, events):  # pragma: no cover - never followed
        raise NotImplementedError


TEXTS = {
    "a": search_text("（2026）区工调字第00001号", "恒鑫机械有限公司"),
    "b": search_text("（2026）区工调字第00002号", "（2026）区劳人仲案字第0088号", "华建建设集团有限公司; 恒鑫"),
    "c": search_text("（2025）区工调字第00003号", "ACME Trading Co.", "顺通物流有限公司"),
    "d": search_text("恒"),
    "e": search_text("鑫恒"),
    "f": search_text("100%_Discount 折扣\"店\""),
}


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, ViewTables]]:
    for settings in make_settings(request.param, tmp_path_factory.mktemp(request.param)):
        engine = create_read_model_engine(settings)
        tables = generation_tables(Things(), 1)
        with engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                tables.metadata.create_all(connection)
                connection.execute(tables.search_things.insert(),
                                   [{"thing_id": k, "search_text": v} for k, v in TEXTS.items()])
        try:
            yield engine, tables
        finally:
            engine.dispose()


def found(engine: Engine, tables: ViewTables, q: str) -> set[str]:
    table = tables.search_things
    with engine.begin() as connection:
        return set(connection.execute(select(table.c.thing_id).where(contains(connection, table, q))).scalars())


def scanned(engine: Engine, tables: ViewTables, q: str) -> set[str]:
    table = tables.search_things
    with engine.begin() as connection:
        return {k for k, text in connection.execute(select(table.c.thing_id, table.c.search_text)) if q in text}


def every_substring(texts: Iterator[str], longest: int = 5) -> set[str]:
    return {text[i:i + n] for text in texts for n in range(1, longest + 1) for i in range(len(text) - n + 1)}


@pytest.mark.parametrize(("q", "expected"), [
    ("恒", {"a", "b", "d", "e"}),  # one character: the plain scan
    ("恒鑫", {"a", "b"}),  # two: bigrams (PostgreSQL), trigrams starting with them (SQLite)
    ("鑫恒", {"e"}),  # a text of two characters
    ("恒鑫机械", {"a"}),
    ("区劳人仲案字第0088", {"b"}),
    ("acme", {"c"}),  # search_text and q are lower-cased: ACME is found whatever the case typed
    ("%_d", {"f"}),  # LIKE's wildcards are literal
    ("\"店\"", {"f"}),  # so are FTS5's quotes
    ("鑫鑫", set()),
    ("不存在的公司", set()),
])
def test_search_finds_substrings_of_every_length(store, q, expected):
    engine, tables = store
    assert found(engine, tables, q) == expected == scanned(engine, tables, q)


def test_search_finds_exactly_what_a_scan_finds(store):
    engine, tables = store
    for q in every_substring(iter(TEXTS.values())):
        assert found(engine, tables, q) == scanned(engine, tables, q), q


def test_the_index_follows_updates_and_deletes(store):
    engine, tables = store
    table = tables.search_things
    with engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(update(table).where(table.c.thing_id == "a").values(search_text="盛达有限公司"))
            connection.execute(delete(table).where(table.c.thing_id == "b"))
            connection.execute(table.insert().values(thing_id="g", search_text="新恒鑫厂"))
    try:
        assert found(engine, tables, "恒鑫") == {"g"}
        assert found(engine, tables, "盛达") == {"a"}
        assert found(engine, tables, "机械") == set()
        assert found(engine, tables, "区劳人仲案") == set()
        texts = {"盛达有限公司", "新恒鑫厂", *(v for k, v in TEXTS.items() if k not in "ab")}
        for q in every_substring(iter(texts), 4):
            assert found(engine, tables, q) == scanned(engine, tables, q), q
    finally:
        with engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                restore(connection, table)


def restore(connection: Connection, table: Table) -> None:
    connection.execute(delete(table))
    connection.execute(table.insert(), [{"thing_id": k, "search_text": v} for k, v in TEXTS.items()])


def test_companion_tables_belong_to_the_generation():
    tables = generation_tables(Things(), 7)
    assert tables.names("sqlite") == ["search_things_g7_terms", "search_things_g7_search", "search_things_g7"]
    assert tables.names("postgresql") == ["search_things_g7"]
    [index] = tables.search_things.indexes
    assert index.name == "ix_search_things_text_g7" and index._ddl_if is not None  # PostgreSQL only
