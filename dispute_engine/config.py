"""Settings, read once from the environment and never mutated afterwards.

Every variable carries the ``DISPUTE_ENGINE_`` prefix except ``DATABASE_URL``
(the conventional name hosting platforms set) and ``TEST_POSTGRES_URL``
(read by the test suite only).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable."""


ENVIRONMENTS = ("development", "production")


@dataclass(frozen=True)
class PostgresLocation:
    host: str
    port: int
    dbname: str
    user: str
    password: str = field(default="", repr=False)

    @classmethod
    def from_url(cls, url: str, variable: str = "DATABASE_URL") -> PostgresLocation:
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ConfigurationError(
                f"{variable}: expected postgresql://user@host:port/database, got scheme {parts.scheme!r}"
            )
        dbname = parts.path.lstrip("/")
        if not dbname:
            raise ConfigurationError(f"{variable}: the database name is missing")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            dbname=unquote(dbname),
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
        )

    def sqlalchemy_url(self) -> str:
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password or None,
            host=self.host,
            port=self.port,
            database=self.dbname,
        ).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Settings:
    """Immutable settings. Build with :meth:`from_env`; tests build them directly."""

    data_dir: Path = Path("var")
    postgres: PostgresLocation | None = None
    postgres_schema: str = "public"
    environment: str = "development"
    case_number_format: str = "（{year}）区工调字第{seq:04d}号"
    ticket_number_format: str = "12351-{year}-{seq:06d}"
    snapshot_interval: int = 50
    postgres_pool_size: int = 8
    postgres_lock_timeout_seconds: int = 5
    command_retries: int = 20
    rule_overrides: Path | None = None
    yellow_share: float = 0.8

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        environment = env.get("DISPUTE_ENGINE_ENV", "development")
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(
                f"DISPUTE_ENGINE_ENV: expected one of {', '.join(ENVIRONMENTS)}, got {environment!r}"
            )
        url = env.get("DATABASE_URL", "").strip()
        postgres = PostgresLocation.from_url(url) if url else None
        settings = cls(
            data_dir=Path(env.get("DISPUTE_ENGINE_DATA", "var")),
            postgres=postgres,
            postgres_schema=env.get("DISPUTE_ENGINE_POSTGRES_SCHEMA", "public"),
            environment=environment,
            case_number_format=env.get("DISPUTE_ENGINE_CASE_NUMBER_FORMAT", cls.case_number_format),
            ticket_number_format=env.get(
                "DISPUTE_ENGINE_TICKET_NUMBER_FORMAT", cls.ticket_number_format
            ),
            snapshot_interval=_positive_int(env, "DISPUTE_ENGINE_SNAPSHOT_INTERVAL", 50),
            postgres_pool_size=_positive_int(env, "DISPUTE_ENGINE_POSTGRES_POOL_SIZE", 8),
            rule_overrides=Path(env["DISPUTE_ENGINE_RULE_OVERRIDES"]) if env.get("DISPUTE_ENGINE_RULE_OVERRIDES") else None,
            yellow_share=_share(env, "DISPUTE_ENGINE_YELLOW_SHARE", 0.8),
        )
        settings.check()
        return settings

    def check(self) -> None:
        for variable, template in (
            ("DISPUTE_ENGINE_CASE_NUMBER_FORMAT", self.case_number_format),
            ("DISPUTE_ENGINE_TICKET_NUMBER_FORMAT", self.ticket_number_format),
        ):
            try:
                template.format(year=2024, seq=1)
            except (KeyError, IndexError, ValueError) as error:
                raise ConfigurationError(
                    f"{variable}: a format with only {{year}} and {{seq}} is expected ({error})"
                ) from None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "dispute-engine.sqlite"

    @property
    def store_description(self) -> str:
        if self.postgres is None:
            return f"SQLite file {self.sqlite_path}"
        return f"PostgreSQL {self.postgres.host}:{self.postgres.port}/{self.postgres.dbname} schema {self.postgres_schema}"

    def eventsourcing_env(self) -> dict[str, str]:
        """The persistence settings handed to the eventsourcing Application as ``env=``."""
        if self.postgres is None:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        pg = self.postgres
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": pg.dbname,
            "POSTGRES_HOST": pg.host,
            "POSTGRES_PORT": str(pg.port),
            "POSTGRES_USER": pg.user,
            "POSTGRES_PASSWORD": pg.password,
            "POSTGRES_SCHEMA": self.postgres_schema,
            # The library's default of 0 waits for a table lock forever.
            "POSTGRES_LOCK_TIMEOUT": str(self.postgres_lock_timeout_seconds),
            "POSTGRES_POOL_SIZE": str(self.postgres_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.postgres_pool_size),
            # The library's recorder and table lock, each save sent in one round trip.
            "APPLICATION_RECORDER_TOPIC": "dispute_engine.postgres_recorder:OneTripPostgresRecorder",
            "CREATE_TABLE": "y",
        }

    def sqlalchemy_url(self) -> str:
        """Where the read models live: the same database as the events."""
        if self.postgres is None:
            return f"sqlite:///{self.sqlite_path}"
        return self.postgres.sqlalchemy_url()


def _share(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a number between 0 and 1, got {raw!r}") from None
    if not 0 < value <= 1:
        raise ConfigurationError(f"{name}: expected a number above 0 and at most 1, got {value}")
    return value


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigurationError(f"{name}: must be at least 1, got {value}")
    return value
