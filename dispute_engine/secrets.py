"""Secrets by environment: the token signing secret.

``DISPUTE_ENGINE_JWT_SECRET`` wins when set. Otherwise, in ``development`` a secret is
generated once into ``<data_dir>/secrets/jwt.key`` (mode 0600) and its path announced
in the log; in ``production`` start-up stops with a :class:`ConfigurationError`.
The secret itself is never logged.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import structlog

from dispute_engine.config import ConfigurationError, Settings

JWT_SECRET_ENV = "DISPUTE_ENGINE_JWT_SECRET"
MIN_SECRET_BYTES = 32
"""HS256 signs with SHA-256: a shorter key is weaker than the hash (RFC 7518 §3.2)."""


def jwt_secret_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """``DISPUTE_ENGINE_JWT_SECRET``, or None when unset or blank."""
    env = os.environ if environ is None else environ
    value = env.get(JWT_SECRET_ENV, "")
    if not value.strip():
        return None
    _check_length(value, JWT_SECRET_ENV)
    return value


def jwt_secret_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / "jwt.key"


def load_jwt_secret(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """The secret tokens are signed with, as decided by ``settings.environment``."""
    secret = jwt_secret_from_env(environ)
    if secret is not None:
        return secret
    if settings.environment != "development":
        raise ConfigurationError(
            f"{JWT_SECRET_ENV}: required when DISPUTE_ENGINE_ENV={settings.environment}; "
            f"set it to a random string of at least {MIN_SECRET_BYTES} characters"
        )
    return _development_secret(jwt_secret_path(settings))


def _development_secret(path: Path) -> str:
    if not path.exists():
        _generate(path)
    secret = path.read_text(encoding="utf-8").strip()
    _check_length(secret, str(path))
    return secret


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        try:
            # A hard link appears complete or not at all, and fails if another worker won the race.
            os.link(staging, path)
        except FileExistsError:
            return
    finally:
        staging.unlink(missing_ok=True)
    structlog.get_logger().warning("development_secret_generated", path=str(path))


def _check_length(secret: str, source: str) -> None:
    length = len(secret.encode("utf-8"))
    if length < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"{source}: the token signing secret must be at least {MIN_SECRET_BYTES} bytes, got {length}"
        )


# ---------------------------------------------------------------------- the event store's own cipher

EVENT_CIPHER_ENV = "DISPUTE_ENGINE_EVENT_CIPHER"
EVENT_CIPHER_KEY_ENV = "DISPUTE_ENGINE_EVENT_CIPHER_KEY"


def event_cipher_env(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Whole-payload AES-GCM for the event store, on when ``DISPUTE_ENGINE_EVENT_CIPHER=aes``.

    Personal data is already sealed per person; this encrypts every payload (summaries, amounts,
    outcomes) as well, as defence in depth. The key is ``DISPUTE_ENGINE_EVENT_CIPHER_KEY`` (base64 of
    32 bytes); in development it is generated into the data directory when unset. The cipher is
    :class:`dispute_engine.cipher.EventCipher`, byte for byte the format of the library's own AES
    ciphers. Payloads are not compressed (no ``COMPRESSOR_TOPIC``): they are a few hundred bytes of
    JSON, which zlib shrinks by about 30 % for more time per event than encoding and encrypting it.
    """
    env = os.environ if environ is None else environ
    mode = env.get(EVENT_CIPHER_ENV, "off").strip().lower() or "off"
    if mode == "off":
        return {}
    if mode != "aes":
        raise ConfigurationError(f"{EVENT_CIPHER_ENV}: expected off or aes, got {mode!r}")
    key = env.get(EVENT_CIPHER_KEY_ENV, "").strip()
    if not key:
        if settings.environment != "development":
            raise ConfigurationError(f"{EVENT_CIPHER_KEY_ENV}: required when {EVENT_CIPHER_ENV}=aes in production")
        path = settings.data_dir / "secrets" / "event-cipher.key"
        if not path.exists():
            _generate_key_file(path)
        key = path.read_text(encoding="utf-8").strip()
    try:
        if len(base64.b64decode(key, validate=True)) != 32:
            raise ValueError
    except ValueError:
        raise ConfigurationError(f"{EVENT_CIPHER_KEY_ENV}: expected base64 of 32 bytes") from None
    return {"CIPHER_TOPIC": "dispute_engine.cipher:EventCipher", "CIPHER_KEY": key}


def _generate_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(base64.b64encode(os.urandom(32)).decode() + "\n")
        try:
            os.link(staging, path)
        except FileExistsError:
            return
    finally:
        staging.unlink(missing_ok=True)
    structlog.get_logger().warning("development_secret_generated", path=str(path))
