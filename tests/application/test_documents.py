"""The content-addressed document store: files, and a table on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.documents import (
    DEFAULT_MAX_BYTES,
    DatabaseDocumentStore,
    DeclaredTypeMismatch,
    DocumentCorrupted,
    DocumentNotFound,
    DocumentStore,
    DocumentTooLarge,
    FileDocumentStore,
    InvalidDocumentHash,
    UnsupportedMediaType,
    documents_from_settings,
    documents_table,
)
from projections.engine import create_read_model_engine
from tests.conftest import make_settings

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64))
GIF = b"GIF89a" + bytes(range(32))

BACKENDS = ("files", "database-sqlite", "database-postgres")


def _settings(kind: str, tmp_path: Path) -> Iterator[Settings]:
    yield from make_settings("postgres" if kind.endswith("postgres") else "sqlite", tmp_path)


@pytest.fixture(params=BACKENDS)
def documents(request, tmp_path: Path) -> Iterator[DocumentStore]:
    for settings in _settings(request.param, tmp_path):
        if request.param == "files":
            yield FileDocumentStore(settings.data_dir / "documents", max_bytes=4096)
            return
        store = DatabaseDocumentStore(create_read_model_engine(settings), max_bytes=4096, owns_engine=True)
        store.create_tables()
        try:
            yield store
        finally:
            store.close()


def _objects(store: DocumentStore) -> int:
    if isinstance(store, FileDocumentStore):
        return sum(1 for path in store.root.rglob("*") if path.is_file())
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(documents_table)).scalar_one()


def _corrupt(store: DocumentStore, sha256: str) -> None:
    if isinstance(store, FileDocumentStore):
        path = store.path_of(sha256)
        damaged = bytearray(path.read_bytes())
        damaged[-1] ^= 0xFF
        path.write_bytes(bytes(damaged))
        return
    with store.engine.begin() as connection:
        connection.execute(
            update(documents_table)
            .where(documents_table.c.sha256 == sha256)
            .values(content=PDF.replace(b"Catalog", b"Katalog"))
        )


@pytest.mark.parametrize(("data", "media_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_a_document_comes_back_byte_for_byte_under_its_hash(documents, data, media_type):
    stored = documents.put(data, None)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.media_type) == (len(data), media_type)
    assert documents.exists(stored.sha256)
    assert documents.get(stored.sha256) == data


def test_an_unknown_hash_is_absent(documents):
    unknown = hashlib.sha256(b"never stored").hexdigest()
    assert not documents.exists(unknown)
    with pytest.raises(DocumentNotFound):
        documents.get(unknown)


def test_the_same_bytes_stored_twice_are_one_object(documents):
    first = documents.put(PDF, "application/pdf")
    second = documents.put(PDF, None)
    assert first == second
    assert _objects(documents) == 1


def test_a_document_corrupted_in_storage_is_refused_not_returned(documents):
    stored = documents.put(PDF, "application/pdf")
    _corrupt(documents, stored.sha256)
    with pytest.raises(DocumentCorrupted) as corrupted:
        documents.get(stored.sha256)
    assert corrupted.value.sha256 == stored.sha256
    assert corrupted.value.actual != stored.sha256


def test_a_document_over_the_limit_is_refused_naming_the_limit(documents):
    too_big = PDF + b"\x00" * (4096 - len(PDF) + 1)
    with pytest.raises(DocumentTooLarge) as refused:
        documents.put(too_big, "application/pdf")
    assert (refused.value.size, refused.value.limit) == (4097, 4096)
    assert "4096 bytes" in refused.value.message
    assert _objects(documents) == 0
    assert documents.put(too_big[:4096], None).size == 4096  # exactly at the limit is accepted


def test_the_default_limit_is_20_mib_and_the_message_says_so(tmp_path):
    store = FileDocumentStore(tmp_path / "documents")
    assert store.max_bytes == DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(DocumentTooLarge, match="the limit is 20 MiB"):
        store.put(PDF + bytes(DEFAULT_MAX_BYTES), "application/pdf")


@pytest.mark.parametrize("data", [GIF, b"hello, this is text", b"", b"<html>%PDF-</html>"])
def test_bytes_that_are_not_pdf_jpeg_or_png_are_refused_naming_the_accepted_types(documents, data):
    with pytest.raises(UnsupportedMediaType) as refused:
        documents.put(data, None)
    assert "application/pdf, image/jpeg, image/png" in refused.value.message
    assert _objects(documents) == 0


def test_the_declared_type_cannot_make_other_bytes_acceptable(documents):
    with pytest.raises(UnsupportedMediaType) as refused:
        documents.put(GIF, "application/pdf")
    assert "declared as 'application/pdf'" in refused.value.message
    assert _objects(documents) == 0


@pytest.mark.parametrize(("data", "declared"), [(PNG, "application/pdf"), (PDF, "image/jpeg"), (JPEG, "text/plain")])
def test_a_declared_type_that_contradicts_the_bytes_is_refused(documents, data, declared):
    with pytest.raises(DeclaredTypeMismatch) as refused:
        documents.put(data, declared)
    assert isinstance(refused.value, UnsupportedMediaType)  # the same 415 for the API
    assert declared in refused.value.message
    assert _objects(documents) == 0


@pytest.mark.parametrize("declared", ["image/PNG", "image/png; name=scan.pdf", "application/octet-stream", "", None])
def test_declared_types_agreeing_with_the_bytes_or_absent_are_accepted(documents, declared):
    assert documents.put(PNG, declared).media_type == "image/png"


def test_common_alternative_spellings_of_a_type_are_understood(documents):
    assert documents.put(JPEG, "image/jpg").media_type == "image/jpeg"


def test_concurrent_puts_of_the_same_bytes_store_one_intact_object(documents):
    data = PDF + bytes(range(256)) * 8
    barrier = threading.Barrier(8)
    results, errors = [], []

    def put() -> None:
        try:
            barrier.wait()
            results.append(documents.put(data, "application/pdf"))
        except BaseException as error:  # noqa: BLE001 - every failure is reported by the assertion
            errors.append(error)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert _objects(documents) == 1  # no temporary files left behind either
    assert documents.get(results[0].sha256) == data


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "abc", 42])
def test_a_malformed_hash_is_refused_before_any_lookup(documents, bad):
    with pytest.raises(InvalidDocumentHash):
        documents.get(bad)
    with pytest.raises(InvalidDocumentHash):
        documents.exists(bad)


def test_files_are_laid_out_by_the_first_two_hex_digits(tmp_path):
    store = FileDocumentStore(tmp_path / "documents")
    stored = store.put(PDF, None)
    assert (tmp_path / "documents" / stored.sha256[:2] / stored.sha256[2:]).read_bytes() == PDF


def test_putting_good_bytes_again_repairs_a_damaged_file(tmp_path):
    store = FileDocumentStore(tmp_path / "documents")
    stored = store.put(PDF, None)
    _corrupt(store, stored.sha256)
    store.put(PDF, None)
    assert store.get(stored.sha256) == PDF


# --------------------------------------------------------------------------- choosing the backend


def test_settings_choose_files_under_the_data_directory_by_default(settings):
    with documents_from_settings(settings, environ={}) as store:
        assert isinstance(store, FileDocumentStore)
        assert store.root == settings.data_dir / "documents"
        assert store.max_bytes == DEFAULT_MAX_BYTES


def test_settings_choose_the_database_on_postgresql(store, settings):
    if store == "sqlite":
        with pytest.raises(ConfigurationError, match="DISPUTE_ENGINE_DOCUMENTS"):
            documents_from_settings(settings, environ={"DISPUTE_ENGINE_DOCUMENTS": "database"})
        return
    with documents_from_settings(settings, environ={"DISPUTE_ENGINE_DOCUMENTS": "database"}) as chosen:
        assert isinstance(chosen, DatabaseDocumentStore)
        stored = chosen.put(PDF, None)
        assert chosen.get(stored.sha256) == PDF


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DISPUTE_ENGINE_DOCUMENTS": "s3"}, "DISPUTE_ENGINE_DOCUMENTS: expected one of files, database"),
        ({"DISPUTE_ENGINE_DOCUMENTS_MAX_MIB": "lots"}, "DISPUTE_ENGINE_DOCUMENTS_MAX_MIB: expected a whole number"),
        ({"DISPUTE_ENGINE_DOCUMENTS_MAX_MIB": "0"}, "DISPUTE_ENGINE_DOCUMENTS_MAX_MIB: must be at least 1"),
    ],
)
def test_malformed_document_settings_name_the_variable(tmp_path, environ, message):
    with pytest.raises(ConfigurationError, match=message):
        documents_from_settings(Settings(data_dir=tmp_path), environ=environ)


def test_the_size_limit_is_configurable_in_mib(tmp_path):
    store = documents_from_settings(Settings(data_dir=tmp_path), environ={"DISPUTE_ENGINE_DOCUMENTS_MAX_MIB": "5"})
    assert store.max_bytes == 5 * 1024 * 1024
