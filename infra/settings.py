"""The one Settings object: every CRM_* environment variable, parsed and validated once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

StorageMode = Literal["memory", "sqlite", "postgres"]

MEMORY_URL = "memory://"
DEFAULT_SQLITE_PATH = "crm.db"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
NATS_SCHEMES = ("nats", "tls", "ws", "wss")
POSTGRES_SCHEMES = ("postgresql", "postgres")
# Only what the eventsourcing PostgreSQL recorder can be told; anything else would be silently lost.
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
POSTGRES_QUERY_KEYS = frozenset({"host", "port", "user", "password", "dbname", "schema"})


class SettingsError(ValueError):
    """A CRM_* variable is missing, malformed or contradicts another one."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class PostgresTarget(msgspec.Struct, frozen=True, kw_only=True):
    """Where a postgresql:// URL points: a TCP host or a Unix-socket directory."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    schema: str = ""

    @classmethod
    def from_url(cls, url: str) -> PostgresTarget:
        """Parse `postgresql://user:pw@host:port/db?schema=s` or the `?host=/socket/dir` form."""
        parts = urlsplit(url)
        if parts.scheme not in POSTGRES_SCHEMES:
            raise ValueError(f"expected a postgresql:// URL, got scheme {parts.scheme!r}")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = sorted(set(query) - POSTGRES_QUERY_KEYS)
        if unknown:
            raise ValueError(
                f"unsupported query parameter(s) {', '.join(unknown)}; "
                f"supported: {', '.join(sorted(POSTGRES_QUERY_KEYS))}"
            )
        try:
            url_port = parts.port
        except ValueError:
            raise ValueError("the port is not a number between 0 and 65535") from None
        user = query.get("user") or unquote(parts.username or "") or "postgres"
        return cls(
            host=query.get("host") or parts.hostname or "localhost",
            port=_port(query.get("port") or url_port or 5432),
            user=user,
            password=query.get("password") or unquote(parts.password or ""),
            # libpq's rule: the database defaults to the user's name.
            dbname=query.get("dbname") or unquote(parts.path.lstrip("/")) or user,
            schema=_schema(query.get("schema", "")),
        )

    def connect_kwargs(self, *, connect_timeout: int = 10) -> dict[str, str | int]:
        """Keyword arguments for `psycopg.connect` (the schema is not a connection option)."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
            "connect_timeout": connect_timeout,
        }

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def describe(self) -> str:
        """Where the data lives, without the password."""
        where = f"socket {self.host}" if self.is_socket else f"{self.host}:{self.port}"
        schema = f" schema {self.schema}" if self.schema else ""
        return f"postgresql {self.user}@{where}/{self.dbname}{schema}"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Configuration of one CRM process; build it with `Settings.from_env(os.environ)`."""

    database_url: str = "sqlite:///" + DEFAULT_SQLITE_PATH
    timezone: str = "Asia/Shanghai"
    bootstrap_admin_key: str | None = None
    nats_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    rate_limit_per_minute: int = 6000
    ready_max_lag: int = 10_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read CRM_* variables; empty values count as unset. Raises SettingsError."""
        env = {key: value.strip() for key, value in environ.items() if key.startswith("CRM_")}
        env = {key: value for key, value in env.items() if value}
        settings = cls(
            database_url=_database_url(env),
            timezone=_timezone(env.get("CRM_TIMEZONE", "Asia/Shanghai")),
            bootstrap_admin_key=_admin_key(environ.get("CRM_BOOTSTRAP_ADMIN_KEY")),
            nats_url=_nats_url(env.get("CRM_NATS_URL")),
            host=env.get("CRM_HOST", "127.0.0.1"),
            port=_int_var(env, "CRM_PORT", 8000, low=1, high=65535),
            workers=_int_var(env, "CRM_WORKERS", 1, low=1, high=64),
            log_level=_log_level(env.get("CRM_LOG_LEVEL", "info")),
            rate_limit_per_minute=_int_var(env, "CRM_RATE_LIMIT", 6000, low=1, high=10_000_000),
            ready_max_lag=_int_var(env, "CRM_READY_MAX_LAG", 10_000, low=0, high=1_000_000_000),
        )
        if settings.workers > 1 and settings.storage != "postgres":
            raise SettingsError(
                "CRM_WORKERS", "more than one worker needs PostgreSQL (set CRM_DATABASE_URL=postgresql://…)"
            )
        return settings

    @property
    def storage(self) -> StorageMode:
        if self.database_url == MEMORY_URL:
            return "memory"
        if self.database_url.startswith("sqlite:///"):
            return "sqlite"
        return "postgres"

    @property
    def sqlite_path(self) -> str:
        """The SQLite file (relative paths are relative to the working directory)."""
        return self.database_url.removeprefix("sqlite:///")

    @property
    def postgres(self) -> PostgresTarget:
        return PostgresTarget.from_url(self.database_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe_database(self) -> str:
        """Storage mode and location for people and logs: never shows a password."""
        if self.storage == "memory":
            return "memory (in-process, lost on exit)"
        if self.storage == "sqlite":
            return f"sqlite {self.sqlite_path}"
        return self.postgres.describe()

    def __repr__(self) -> str:
        key = "set" if self.bootstrap_admin_key else "unset"
        return (
            f"Settings(database={self.describe_database()!r}, timezone={self.timezone!r}, "
            f"bootstrap_admin_key={key}, nats_url={self.nats_url!r}, host={self.host!r}, "
            f"port={self.port}, workers={self.workers}, log_level={self.log_level!r})"
        )


def _database_url(env: Mapping[str, str]) -> str:
    url, path = env.get("CRM_DATABASE_URL"), env.get("CRM_SQLITE_PATH")
    if url and path:
        raise SettingsError("CRM_SQLITE_PATH", "set either CRM_DATABASE_URL or CRM_SQLITE_PATH, not both")
    if not url:
        return "sqlite:///" + (path or DEFAULT_SQLITE_PATH)
    if url == MEMORY_URL:
        return url
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url
    if urlsplit(url).scheme in POSTGRES_SCHEMES:
        try:
            PostgresTarget.from_url(url)
        except ValueError as error:
            raise SettingsError("CRM_DATABASE_URL", str(error)) from None
        return url
    raise SettingsError(
        "CRM_DATABASE_URL",
        "expected postgresql://…, sqlite:///path or memory:// (unset means SQLite ./crm.db)",
    )


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("CRM_TIMEZONE", f"unknown time zone {name!r} (e.g. Asia/Shanghai, UTC)") from None
    return name


def _admin_key(raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if raw != raw.strip() or any(char.isspace() for char in raw):
        raise SettingsError("CRM_BOOTSTRAP_ADMIN_KEY", "must not contain whitespace")
    return raw


def _nats_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in NATS_SCHEMES or not parts.hostname:
        raise SettingsError("CRM_NATS_URL", f"expected nats://host:port, got {raw!r}")
    return raw


def _int_var(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high}, got {value}")
    return value


def _schema(name: str) -> str:
    if name and not SCHEMA_NAME.fullmatch(name):
        raise ValueError(f"schema {name!r} must be letters, digits and _ (not starting with a digit)")
    return name


def _port(raw: str | int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"the port {raw!r} is not a number") from None
    if not 0 < value < 65536:
        raise ValueError(f"the port {value} is out of range")
    return value


def _log_level(raw: str) -> str:
    level = raw.lower()
    if level not in LOG_LEVELS:
        raise SettingsError("CRM_LOG_LEVEL", f"expected one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level
