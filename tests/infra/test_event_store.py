"""Event-store wiring: the library env for each storage form, and a save/load round trip on each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

from psycopg import sql

from application.app import CrmApplication
from infra.event_store import build_application, eventsourcing_env, store_stats
from infra.settings import Settings
from tests.clock import FixedClock
from tests.conftest import settings_for
from tests.infra.probe import Probe, context
from tests.servers import connect, with_query


def env_for(url: str) -> dict[str, str]:
    return eventsourcing_env(Settings.from_env({"CRM_DATABASE_URL": url}))


def test_memory_uses_the_popo_store() -> None:
    assert env_for("memory://") == {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def test_default_is_the_sqlite_file_with_text_ids() -> None:
    env = eventsourcing_env(Settings.from_env({}))
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == "crm.db"
    assert env["ORIGINATOR_ID_TYPE"] == "text"
    assert int(env["SQLITE_LOCK_TIMEOUT"]) > 0


def test_sqlite_path_becomes_the_sqlite_dbname() -> None:
    env = eventsourcing_env(Settings.from_env({"CRM_SQLITE_PATH": "/data/crm.db"}))
    assert env["SQLITE_DBNAME"] == "/data/crm.db"


def test_postgres_tcp_url_is_split_into_library_keys() -> None:
    env = env_for("postgresql://crm:s%40cret@db.example:6543/crmdb")
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.example", "6543")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("crm", "s@cret")
    assert env["POSTGRES_DBNAME"] == "crmdb"
    assert env["ORIGINATOR_ID_TYPE"] == "text"
    assert "POSTGRES_SCHEMA" not in env


def test_postgres_defaults_port_user_and_dbname_like_libpq() -> None:
    env = env_for("postgresql://db.example")
    assert (env["POSTGRES_PORT"], env["POSTGRES_USER"]) == ("5432", "postgres")
    assert env["POSTGRES_DBNAME"] == "postgres"


def test_postgres_socket_url_puts_the_socket_directory_in_host() -> None:
    env = env_for("postgresql://postgres:@/postgres?host=/tmp/pg%20sock")
    assert env["POSTGRES_HOST"] == "/tmp/pg sock"
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("postgres", "")


def test_postgres_schema_parameter_becomes_postgres_schema() -> None:
    assert env_for("postgresql://db/crm?schema=events")["POSTGRES_SCHEMA"] == "events"


def test_postgres_keeps_the_table_lock_insert_strategy() -> None:
    # Without the lock a tailing subscriber was measured to miss events.
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env_for("postgresql://db/crm")


def test_postgres_pool_is_small_for_two_cores() -> None:
    env = env_for("postgresql://db/crm")
    assert int(env["POSTGRES_POOL_SIZE"]) + int(env["POSTGRES_MAX_OVERFLOW"]) <= 10


def test_a_saved_aggregate_loads_back(app: CrmApplication, clock: FixedClock) -> None:
    probe = Probe.open(context(clock), "42", "first")
    probe.note(context(clock), "中文 round-trips")
    app.save(probe)
    loaded = app.repository.get("probe-42")
    assert (loaded.label, loaded.notes, loaded.version) == ("first", ["中文 round-trips"], 2)


def test_a_reopened_store_keeps_its_events(settings: Settings, clock: FixedClock) -> None:
    first = build_application(settings, clock=clock)
    first.save(Probe.open(context(clock), "7", "kept"))
    first.close()
    second = build_application(settings, clock=clock)
    try:
        expected = 0 if settings.storage == "memory" else 1
        assert store_stats(second).events == expected
    finally:
        second.close()


def test_the_business_time_zone_comes_from_settings(storage: str) -> None:
    app = build_application(settings_for(storage, timezone="Europe/Berlin"))
    try:
        assert str(app.timezone) == "Europe/Berlin"
    finally:
        app.close()


def test_store_stats_count_events_and_last_position(app: CrmApplication, clock: FixedClock) -> None:
    for number in ("1", "2"):
        probe = Probe.open(context(clock), number, "x")
        probe.note(context(clock), "y")
        app.save(probe)
    stats = store_stats(app)
    assert (stats.events, stats.last_position) == (4, 4)


def test_a_missing_postgres_schema_is_created(postgres_url: str) -> None:
    schema = f"s_{uuid4().hex}"
    app = build_application(settings_for(with_query(postgres_url, schema=schema)))
    app.close()
    with connect(postgres_url) as conn:
        try:
            found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            assert found == (1,)
        finally:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def test_processes_starting_together_on_a_fresh_schema_all_start(postgres_schema_url: str) -> None:
    settings = settings_for(postgres_schema_url)
    with ThreadPoolExecutor(max_workers=4) as pool:
        apps = list(pool.map(lambda _: build_application(settings), range(4)))
    for app in apps:
        app.close()
