"""Dossier files, stored by the SHA-256 of their bytes (content-addressed).

Events reference a document by its hash (:class:`domain.values.DocumentRef`); the bytes live here.
Only PDF, JPEG and PNG are accepted, recognised from their first bytes: the type a client declares
or the file name it sends is never trusted, and a declared type that contradicts the bytes is
refused. Every read hashes the bytes again: a document that no longer matches its hash raises
:class:`DocumentCorrupted` and is never handed out.

Two backends, one interface: files under ``<data_dir>/documents/ab/cdef…`` (written to a temporary
file, flushed to disk, then renamed into place) and a database table keyed by the hash. The same
bytes stored twice are one object.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Engine, LargeBinary, MetaData, String, Table, select
from sqlalchemy.exc import DBAPIError

from dispute_engine.config import ConfigurationError, Settings
from projections.engine import WRITE, create_read_model_engine

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MIB

# Media type → the bytes every file of that type starts with.
MAGIC_NUMBERS: dict[str, bytes] = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
ACCEPTED_TYPES = tuple(MAGIC_NUMBERS)
_NAMES = {"application/pdf": "a PDF", "image/jpeg": "a JPEG image", "image/png": "a PNG image"}
ACCEPTED_DESCRIPTION = "PDF, JPEG or PNG (" + ", ".join(ACCEPTED_TYPES) + ")"

# Other spellings clients send for the same types.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
    "image/x-png": "image/png",
}
# What a client sends when it does not know the type: no claim about the bytes.
_UNDECLARED = {"", "application/octet-stream", "binary/octet-stream"}

_SHA256 = re.compile(r"[0-9a-f]{64}")

BACKENDS = ("files", "database")


# --------------------------------------------------------------------------- errors


class DocumentError(Exception):
    """Base of the document store's errors; ``message`` is safe to show to the uploader."""

    code = "document_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DocumentTooLarge(DocumentError):
    """Over the configured size limit (HTTP 413)."""

    code = "too_large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the document is {size} bytes; the limit is {_human(limit)}")
        self.size = size
        self.limit = limit


class UnsupportedMediaType(DocumentError):
    """Not a PDF, JPEG or PNG by its bytes (HTTP 415)."""

    code = "unsupported_media_type"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or f"the bytes are not a document of an accepted type: {ACCEPTED_DESCRIPTION}")
        self.accepted = ACCEPTED_TYPES


class DeclaredTypeMismatch(UnsupportedMediaType):
    """The declared type contradicts the bytes (HTTP 415): a PNG sent as a PDF is refused, not relabelled."""

    def __init__(self, declared: str, detected: str) -> None:
        super().__init__(
            f"declared as {declared!r}, but the bytes are {_NAMES[detected]} ({detected}); "
            f"accepted types: {ACCEPTED_DESCRIPTION}"
        )
        self.declared = declared
        self.detected = detected


class DocumentNotFound(DocumentError):
    """No document with this hash (HTTP 404)."""

    code = "not_found"

    def __init__(self, sha256: str) -> None:
        super().__init__(f"no document {sha256}")
        self.sha256 = sha256


class DocumentCorrupted(DocumentError):
    """The stored bytes no longer hash to their name: never returned, always reported."""

    code = "document_corrupted"

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__(f"document {sha256} is corrupted in storage: its bytes now hash to {actual}")
        self.sha256 = sha256
        self.actual = actual


class InvalidDocumentHash(DocumentError):
    """The hash given to look a document up is not 64 lower-case hex digits (HTTP 422)."""

    code = "invalid_input"

    def __init__(self, value: object) -> None:
        super().__init__(f"sha256: expected 64 lowercase hex digits, got {value!r}")


# --------------------------------------------------------------------------- values and checks


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    media_type: str


def detect_media_type(data: bytes) -> str | None:
    """The accepted media type these bytes begin like, or None."""
    for media_type, magic in MAGIC_NUMBERS.items():
        if data.startswith(magic):
            return media_type
    return None


def normalise_declared_type(declared: str | None) -> str | None:
    """``image/JPG; name=x`` → ``image/jpeg``; None for "no claim" (absent or octet-stream)."""
    if declared is None:
        return None
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type in _UNDECLARED:
        return None
    return _ALIASES.get(media_type, media_type)


def check_document(data: bytes, declared_type: str | None, max_bytes: int) -> str:
    """The media type of an acceptable document, else the specific error."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("document data must be bytes")
    if len(data) > max_bytes:
        raise DocumentTooLarge(len(data), max_bytes)
    detected = detect_media_type(bytes(data[:16]))
    declared = normalise_declared_type(declared_type)
    if detected is None:
        if declared is not None:
            raise UnsupportedMediaType(
                f"declared as {declared_type!r}, but the bytes are not a document of an accepted type: "
                f"{ACCEPTED_DESCRIPTION}"
            )
        raise UnsupportedMediaType()
    if declared is not None and declared != detected:
        raise DeclaredTypeMismatch(declared_type or "", detected)
    return detected


def check_hash(sha256: object) -> str:
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidDocumentHash(sha256)
    return sha256


def _verified(sha256: str, data: bytes) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise DocumentCorrupted(sha256, actual)
    return data


def _human(size: int) -> str:
    return f"{size // MIB} MiB ({size} bytes)" if size % MIB == 0 else f"{size} bytes"


# --------------------------------------------------------------------------- the interface


class DocumentStore(ABC):
    """Content-addressed storage of dossier files: ``put``, ``get``, ``exists``."""

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes

    def put(self, data: bytes, declared_type: str | None = None) -> StoredDocument:
        """Store ``data`` (idempotent: the same bytes again are the same object) and describe it."""
        media_type = check_document(data, declared_type, self.max_bytes)
        data = bytes(data)
        document = StoredDocument(hashlib.sha256(data).hexdigest(), len(data), media_type)
        self._write(document, data)
        return document

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``, hashed again before they are returned."""
        return _verified(sha256, self._read(check_hash(sha256)))

    def exists(self, sha256: str) -> bool:
        return self._exists(check_hash(sha256))

    def close(self) -> None:
        """Release what the store holds (connections); the files backend holds nothing."""

    def __enter__(self) -> DocumentStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @abstractmethod
    def _write(self, document: StoredDocument, data: bytes) -> None: ...

    @abstractmethod
    def _read(self, sha256: str) -> bytes: ...

    @abstractmethod
    def _exists(self, sha256: str) -> bool: ...


# --------------------------------------------------------------------------- files


class FileDocumentStore(DocumentStore):
    """Files under ``root/ab/cdef…``; a file appears complete or not at all."""

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(max_bytes=max_bytes)
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        sha256 = check_hash(sha256)
        return self.root / sha256[:2] / sha256[2:]

    def _write(self, document: StoredDocument, data: bytes) -> None:
        path = self.path_of(document.sha256)
        if self._intact(path, document.sha256):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            # Same bytes under the same name: a concurrent writer's rename is equivalent to ours.
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)

    @staticmethod
    def _intact(path: Path, sha256: str) -> bool:
        """An existing object is kept as it is; a damaged one is replaced by the good bytes."""
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        except FileNotFoundError:
            return False

    def _read(self, sha256: str) -> bytes:
        try:
            return self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(sha256) from None

    def _exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, and not needed, on Windows."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --------------------------------------------------------------------------- database

metadata = MetaData()

documents_table = Table(
    "documents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(32), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),  # bytea on PostgreSQL
)


class DatabaseDocumentStore(DocumentStore):
    """One row per document in the ``documents`` table; a second insert of the same hash does nothing."""

    def __init__(self, engine: Engine, *, max_bytes: int = DEFAULT_MAX_BYTES, owns_engine: bool = False) -> None:
        super().__init__(max_bytes=max_bytes)
        self.engine = engine
        self.owns_engine = owns_engine

    def create_tables(self) -> None:
        """Create the table if it is missing; safe to call on every start."""
        try:
            metadata.create_all(self.engine, checkfirst=True)
        except DBAPIError:
            # Another process created it between our check and our CREATE; the check now sees it.
            metadata.create_all(self.engine, checkfirst=True)

    def _write(self, document: StoredDocument, data: bytes) -> None:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise NotImplementedError(f"documents are stored on PostgreSQL or SQLite, not {dialect}")
        statement = (
            insert(documents_table)
            .values(sha256=document.sha256, media_type=document.media_type, size=document.size, content=data)
            .on_conflict_do_nothing(index_elements=[documents_table.c.sha256])
        )
        with self.engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                connection.execute(statement)

    def _read(self, sha256: str) -> bytes:
        with self.engine.connect() as connection:
            content = connection.execute(
                select(documents_table.c.content).where(documents_table.c.sha256 == sha256)
            ).scalar_one_or_none()
        if content is None:
            raise DocumentNotFound(sha256)
        return bytes(content)

    def _exists(self, sha256: str) -> bool:
        with self.engine.connect() as connection:
            return (
                connection.execute(select(documents_table.c.sha256).where(documents_table.c.sha256 == sha256)).first()
                is not None
            )

    def close(self) -> None:
        if self.owns_engine:
            self.engine.dispose()


# --------------------------------------------------------------------------- from settings


def documents_from_settings(settings: Settings, environ: Mapping[str, str] | None = None) -> DocumentStore:
    """The store the deployment chose.

    ``DISPUTE_ENGINE_DOCUMENTS``: ``files`` (default; under ``<data_dir>/documents``) or ``database``
    (PostgreSQL only: the ``documents`` table next to the events). ``DISPUTE_ENGINE_DOCUMENTS_MAX_MIB``:
    the size limit in MiB (default 20).
    """
    env: Mapping[str, Any] = os.environ if environ is None else environ
    backend = (env.get("DISPUTE_ENGINE_DOCUMENTS") or "files").strip().lower()
    if backend not in BACKENDS:
        raise ConfigurationError(f"DISPUTE_ENGINE_DOCUMENTS: expected one of {', '.join(BACKENDS)}, got {backend!r}")
    max_bytes = _max_bytes(env.get("DISPUTE_ENGINE_DOCUMENTS_MAX_MIB"))
    if backend == "files":
        return FileDocumentStore(settings.data_dir / "documents", max_bytes=max_bytes)
    if settings.postgres is None:
        raise ConfigurationError(
            "DISPUTE_ENGINE_DOCUMENTS: 'database' keeps documents in PostgreSQL; set DATABASE_URL or choose 'files'"
        )
    store = DatabaseDocumentStore(create_read_model_engine(settings), max_bytes=max_bytes, owns_engine=True)
    store.create_tables()
    return store


def _max_bytes(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_BYTES
    try:
        mib = int(raw)
    except ValueError:
        raise ConfigurationError(f"DISPUTE_ENGINE_DOCUMENTS_MAX_MIB: expected a whole number, got {raw!r}") from None
    if mib < 1:
        raise ConfigurationError(f"DISPUTE_ENGINE_DOCUMENTS_MAX_MIB: must be at least 1, got {mib}")
    return mib * MIB
