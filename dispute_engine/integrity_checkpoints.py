"""Signed checkpoints: the chain's head at a position, signed with an Ed25519 key kept outside the database.

A checkpoint says "the log held ``position`` events' worth of history ending in chain hash
``head`` at ``time``". The signed message is the compact JSON object, keys sorted::

    {"format":"dispute-engine-checkpoint/1","head":"<hex>","position":<int>,"time":"<ISO 8601 UTC>"}

The key: ``DISPUTE_ENGINE_CHECKPOINT_KEY`` names a PEM file (PKCS#8 Ed25519, e.g. from
``openssl genpkey -algorithm ed25519``). Without it, ``development`` generates one into
``<data_dir>/secrets/checkpoint-ed25519.pem`` (0600) and announces it in the log;
``production`` stops at start-up. The key is never logged; its fingerprint (SHA-256 of the
32-byte raw public key, hex) is.

How often: ``DISPUTE_ENGINE_CHECKPOINT_EVERY`` events (1000) or, when fewer arrive,
``DISPUTE_ENGINE_CHECKPOINT_MINUTES`` (10) after the oldest event not yet covered.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from sqlalchemy import Connection, insert, select

from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.integrity_chain import checkpoints

CHECKPOINT_KEY_ENV = "DISPUTE_ENGINE_CHECKPOINT_KEY"
CHECKPOINT_EVERY_ENV = "DISPUTE_ENGINE_CHECKPOINT_EVERY"
CHECKPOINT_MINUTES_ENV = "DISPUTE_ENGINE_CHECKPOINT_MINUTES"
CHECKPOINT_FORMAT = "dispute-engine-checkpoint/1"

SigningKey = ECC.EccKey
PublicKey = ECC.EccKey


class CheckpointFileError(Exception):
    """An exported checkpoints file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class CheckpointPolicy:
    every: int = 1000
    minutes: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CheckpointPolicy:
        env = os.environ if environ is None else environ
        return cls(every=_positive(env, CHECKPOINT_EVERY_ENV, 1000, int),
                   minutes=_positive(env, CHECKPOINT_MINUTES_ENV, 10.0, float))


@dataclass(frozen=True)
class Checkpoint:
    position: int
    head: str
    time: str
    signature: str
    """Base64 Ed25519 signature of :func:`checkpoint_message`."""
    public_key: str
    """Base64 of the 32-byte raw public key."""
    key_fingerprint: str

    @property
    def message(self) -> bytes:
        return checkpoint_message(self.position, self.head, self.time)

    def signature_valid(self) -> bool:
        """The signature verifies under the key the checkpoint carries, and the fingerprint is that key's."""
        try:
            raw = base64.b64decode(self.public_key, validate=True)
            signature = base64.b64decode(self.signature, validate=True)
            key = eddsa.import_public_key(raw)
            eddsa.new(key, "rfc8032").verify(self.message, signature)
        except (ValueError, TypeError):
            return False
        return hashlib.sha256(raw).hexdigest() == self.key_fingerprint

    def as_json(self) -> dict[str, Any]:
        return {"format": CHECKPOINT_FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Checkpoint:
        if data.get("format", CHECKPOINT_FORMAT) != CHECKPOINT_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return cls(position=int(data["position"]), head=str(data["head"]), time=str(data["time"]),
                   signature=str(data["signature"]), public_key=str(data["public_key"]),
                   key_fingerprint=str(data["key_fingerprint"]))


def checkpoint_message(position: int, head: str, time: str) -> bytes:
    body = {"format": CHECKPOINT_FORMAT, "head": head, "position": position, "time": time}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def sign_checkpoint(key: SigningKey, position: int, head: str, moment: datetime) -> Checkpoint:
    time = format_time(moment)
    signature = eddsa.new(key, "rfc8032").sign(checkpoint_message(position, head, time))
    raw = raw_public_key(key)
    return Checkpoint(position, head, time, base64.b64encode(signature).decode(), base64.b64encode(raw).decode(),
                      hashlib.sha256(raw).hexdigest())


def raw_public_key(key: ECC.EccKey) -> bytes:
    return key.public_key().export_key(format="raw")


def fingerprint(key: ECC.EccKey) -> str:
    return hashlib.sha256(raw_public_key(key)).hexdigest()


# -- the key -----------------------------------------------------------------------


def checkpoint_key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / "checkpoint-ed25519.pem"


def load_checkpoint_key(settings: Settings, environ: Mapping[str, str] | None = None) -> SigningKey:
    """The signing key, as decided by ``settings.environment``; a :class:`ConfigurationError` names the variable."""
    env = os.environ if environ is None else environ
    configured = env.get(CHECKPOINT_KEY_ENV, "").strip()
    if configured:
        return _read_private_key(Path(configured), CHECKPOINT_KEY_ENV)
    if settings.environment != "development":
        raise ConfigurationError(
            f"{CHECKPOINT_KEY_ENV}: required when DISPUTE_ENGINE_ENV={settings.environment}; set it to the path "
            "of an Ed25519 private key in PEM kept outside the database "
            "(openssl genpkey -algorithm ed25519 -out checkpoint.pem)"
        )
    path = checkpoint_key_path(settings)
    if not path.exists():
        _generate(path)
    return _read_private_key(path, str(path))


def configured_public_key(settings: Settings, environ: Mapping[str, str] | None = None) -> PublicKey | None:
    """The public half of the configured key, without generating one; None when there is none."""
    env = os.environ if environ is None else environ
    configured = env.get(CHECKPOINT_KEY_ENV, "").strip()
    if configured:
        return _read_private_key(Path(configured), CHECKPOINT_KEY_ENV).public_key()
    path = checkpoint_key_path(settings)
    if settings.environment == "development" and path.exists():
        return _read_private_key(path, str(path)).public_key()
    return None


def read_public_key(path: Path) -> PublicKey:
    """An Ed25519 public key from a PEM file (a public key, or a private key whose public half is taken)."""
    try:
        key = ECC.import_key(path.read_text(encoding="ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{path}: not a readable Ed25519 PEM key ({error})") from None
    if key.curve != "Ed25519":
        raise ConfigurationError(f"{path}: expected an Ed25519 key, got {key.curve}")
    return key.public_key()


def public_key_pem(key: ECC.EccKey) -> str:
    return key.public_key().export_key(format="PEM") + "\n"


def _read_private_key(path: Path, source: str) -> SigningKey:
    try:
        key = ECC.import_key(path.read_text(encoding="ascii"))
    except OSError as error:
        raise ConfigurationError(f"{source}: cannot read the checkpoint key {path} ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{source}: {path} is not an unencrypted Ed25519 PEM key ({error})") from None
    if key.curve != "Ed25519" or not key.has_private():
        raise ConfigurationError(f"{source}: {path} must hold an Ed25519 private key")
    return key


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ECC.generate(curve="ed25519")
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key.export_key(format="PEM") + "\n")
        try:
            # A hard link appears complete or not at all, and fails if another worker won the race.
            os.link(staging, path)
        except FileExistsError:
            return
    finally:
        staging.unlink(missing_ok=True)
    structlog.get_logger().warning("development_checkpoint_key_generated", path=str(path),
                                   key_fingerprint=fingerprint(key))


def _positive(env: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a {'whole ' if kind is int else ''}number, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name}: must be above 0, got {raw}")
    return value


# -- the table and the exported file ---------------------------------------------------


def stored_checkpoints(connection: Connection) -> list[Checkpoint]:
    return [_from_row(r) for r in connection.execute(select(checkpoints).order_by(checkpoints.c.position))]


def latest_checkpoint(connection: Connection) -> Checkpoint | None:
    record = connection.execute(select(checkpoints).order_by(checkpoints.c.position.desc()).limit(1)).first()
    return _from_row(record) if record else None


def _from_row(record: Any) -> Checkpoint:
    return Checkpoint(int(record.position), record.head, record.signed_at, record.signature, record.public_key,
                      record.key_fingerprint)


def store_checkpoint(connection: Connection, checkpoint: Checkpoint) -> None:
    connection.execute(insert(checkpoints).values(
        position=checkpoint.position, head=checkpoint.head, signed_at=checkpoint.time,
        signature=checkpoint.signature, public_key=checkpoint.public_key,
        key_fingerprint=checkpoint.key_fingerprint,
    ))


def checkpoint_lines(items: Iterable[Checkpoint]) -> Iterable[str]:
    for checkpoint in items:
        yield json.dumps(checkpoint.as_json(), sort_keys=True, separators=(",", ":")) + "\n"


def read_checkpoints_file(path: Path) -> list[Checkpoint]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CheckpointFileError(f"{path}: {error.strerror}") from None
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(Checkpoint.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointFileError(f"{path}, line {number}: not a checkpoint ({error})") from None
    return found
