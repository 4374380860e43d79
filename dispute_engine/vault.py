"""Personal data under per-person keys (crypto-shredding), blind indexes, and the access log.

Every person's personal data (name, ID number, phone, bank account, wage) is sealed with that
person's own AES-GCM data key before it enters an event, so the events, snapshots and views hold
it only in a form the person's key unlocks. The data keys live in the vault's own database — never
in the event database — wrapped by a master key that is kept outside both (generated into the data
directory in development, required configuration in production). Erasing a person destroys their
data key: every copy of their data, in every event, snapshot and backup of the event store, becomes
unreadable at once, while the stored bytes (and so the audit hash chain) stay exactly as they were.

Blind indexes are keyed HMACs of normalised ID numbers and names: they find a repeat claimant
without decrypting anything and reveal nothing without the index key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, Engine, LargeBinary, MetaData, String, Table, create_engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from dispute_engine.config import ConfigurationError, Settings

log = structlog.get_logger(__name__)

MASTER_KEY_ENV = "DISPUTE_ENGINE_VAULT_KEY"
VAULT_URL_ENV = "DISPUTE_ENGINE_VAULT_URL"
SEALED_VERSION = 1
ERASED = "erased"
KEY_CACHE_SECONDS = 5.0  # another process's erasure is seen within this time

metadata = MetaData()
person_keys = Table(
    "person_keys",
    metadata,
    Column("subject_id", String(64), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
erasures = Table(
    "erasures",
    metadata,
    Column("subject_id", String(64), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)


class PersonErased(Exception):
    """The person's key was destroyed: their data can no longer be read."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Vault:
    """Seal and open personal data per person; erase a person; compute blind indexes."""

    def __init__(self, engine: Engine, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ConfigurationError(f"{MASTER_KEY_ENV}: the master key must be 32 bytes (base64 of 32 bytes)")
        self.engine = engine
        self._master = AESGCM(master_key)
        self._index_key = hmac.new(master_key, b"blind-index", hashlib.sha256).digest()
        self._cache: dict[str, tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()
        metadata.create_all(engine)

    # ------------------------------------------------------------------ keys

    def _key(self, subject_id: str, *, create: bool) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(subject_id)
            if cached is not None and now - cached[0] < KEY_CACHE_SECONDS:
                return cached[1]
        with self.engine.begin() as connection:
            row = connection.execute(select(person_keys.c.wrapped_key).where(person_keys.c.subject_id == subject_id)).first()
            erased = connection.execute(select(erasures.c.subject_id).where(erasures.c.subject_id == subject_id)).first()
        key: bytes | None
        if erased is not None:
            key = None
        elif row is not None:
            key = self._unwrap(subject_id, row.wrapped_key)
        elif create:
            key = self._create_key(subject_id)
        else:
            key = None
        with self._lock:
            self._cache[subject_id] = (now, key)
        return key

    def _create_key(self, subject_id: str) -> bytes:
        key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        wrapped = nonce + self._master.encrypt(nonce, key, subject_id.encode())
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(person_keys).values(
                    subject_id=subject_id, wrapped_key=wrapped, created_at=datetime.now(timezone.utc)))
        except IntegrityError:  # another worker created it first: use theirs
            with self.engine.begin() as connection:
                row = connection.execute(
                    select(person_keys.c.wrapped_key).where(person_keys.c.subject_id == subject_id)).one()
            return self._unwrap(subject_id, row.wrapped_key)
        return key

    def _unwrap(self, subject_id: str, wrapped: bytes) -> bytes:
        return self._master.decrypt(wrapped[:12], wrapped[12:], subject_id.encode())

    # ------------------------------------------------------------------ sealing

    def seal(self, subject_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Personal fields → a record only this person's key opens, plus blind indexes for search."""
        import json

        key = self._key(subject_id, create=True)
        if key is None:
            raise PersonErased(f"person {subject_id} was erased; new data cannot be recorded under that id")
        plain = json.dumps(dict(fields), ensure_ascii=False, default=str, sort_keys=True).encode()
        nonce = os.urandom(12)
        sealed = {
            "sealed": SEALED_VERSION,
            "subject": subject_id,
            "ct": _b64(nonce + AESGCM(key).encrypt(nonce, plain, subject_id.encode())),
            "index": {
                name: self.blind_index(name, fields[name])
                for name in ("id_number", "name", "phone")
                if fields.get(name)
            },
        }
        return sealed

    def open(self, record: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The personal fields of a sealed record; ``{"erased": True}`` once the person was erased."""
        import json

        if record is None:
            return None
        if not is_sealed(record):
            return dict(record)
        key = self._key(record["subject"], create=False)
        if key is None:
            return {"erased": True, "name": None, "id_number": None, "phone": None,
                    "bank_account": None, "monthly_wage_cny": None}
        data = base64.b64decode(record["ct"])
        plain = AESGCM(key).decrypt(data[:12], data[12:], record["subject"].encode())
        return json.loads(plain)

    def erase(self, subject_id: str) -> bool:
        """Destroy the person's key. Returns False if it was already erased."""
        with self.engine.begin() as connection:
            connection.execute(delete(person_keys).where(person_keys.c.subject_id == subject_id))
            try:
                with connection.begin_nested():
                    connection.execute(insert(erasures).values(subject_id=subject_id,
                                                               erased_at=datetime.now(timezone.utc)))
            except IntegrityError:
                return False
        with self._lock:
            self._cache[subject_id] = (time.monotonic(), None)
        log.info("person_erased", subject_id=subject_id)
        return True

    def is_erased(self, subject_id: str) -> bool:
        with self.engine.begin() as connection:
            return connection.execute(
                select(erasures.c.subject_id).where(erasures.c.subject_id == subject_id)).first() is not None

    def blind_index(self, field: str, value: Any) -> str:
        """Keyed HMAC of a normalised value: equal inputs match, nothing else can be learned."""
        text = "".join(str(value).split()).upper()
        return hmac.new(self._index_key, f"{field}:{text}".encode(), hashlib.sha256).hexdigest()[:32]

    def close(self) -> None:
        self.engine.dispose()


def is_sealed(record: Any) -> bool:
    return isinstance(record, Mapping) and record.get("sealed") == SEALED_VERSION


# ---------------------------------------------------------------------- construction


def master_key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / "vault-master.key"


def load_master_key(settings: Settings, environ: Mapping[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    raw = env.get(MASTER_KEY_ENV, "").strip()
    if not raw:
        if settings.environment != "development":
            raise ConfigurationError(
                f"{MASTER_KEY_ENV}: required when DISPUTE_ENGINE_ENV={settings.environment} "
                "(base64 of 32 random bytes; keep it outside the databases and their backups)"
            )
        path = master_key_path(settings)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(_b64(os.urandom(32)) + "\n")
            try:
                os.link(staging, path)
                log.warning("development_secret_generated", path=str(path))
            except FileExistsError:
                pass
            finally:
                staging.unlink(missing_ok=True)
        raw = path.read_text().strip()
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        raise ConfigurationError(f"{MASTER_KEY_ENV}: expected base64 of 32 bytes") from None
    if len(key) != 32:
        raise ConfigurationError(f"{MASTER_KEY_ENV}: expected base64 of 32 bytes, got {len(key)} bytes")
    return key


def vault_url(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = env.get(VAULT_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{settings.data_dir / 'vault' / 'keys.sqlite'}"


def open_vault(settings: Settings, environ: Mapping[str, str] | None = None) -> Vault:
    """The vault for ``settings``: its own database (never the event database) and the master key."""
    url = vault_url(settings, environ)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
    return Vault(engine, load_master_key(settings, environ))
