"""Settings.from_env: defaults, every CRM_* variable, and clear errors for bad values."""

from __future__ import annotations

import pytest

from infra.settings import PostgresTarget, Settings, SettingsError


def test_defaults_are_embedded_sqlite_on_localhost_8000() -> None:
    settings = Settings.from_env({})
    assert (settings.storage, settings.sqlite_path) == ("sqlite", "crm.db")
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert (settings.timezone, settings.log_level) == ("Asia/Shanghai", "info")
    assert settings.bootstrap_admin_key is None and settings.nats_url is None


def test_variables_without_the_crm_prefix_are_ignored() -> None:
    assert Settings.from_env({"DATABASE_URL": "memory://", "PORT": "1"}) == Settings.from_env({})


def test_empty_values_count_as_unset() -> None:
    assert Settings.from_env({"CRM_PORT": "", "CRM_DATABASE_URL": " "}) == Settings.from_env({})


def test_sqlite_path_moves_the_embedded_database() -> None:
    settings = Settings.from_env({"CRM_SQLITE_PATH": "/var/lib/crm/events.db"})
    assert (settings.storage, settings.sqlite_path) == ("sqlite", "/var/lib/crm/events.db")


def test_sqlite_url_is_accepted() -> None:
    settings = Settings.from_env({"CRM_DATABASE_URL": "sqlite:////tmp/x.db"})
    assert (settings.storage, settings.sqlite_path) == ("sqlite", "/tmp/x.db")


def test_memory_url_selects_the_in_memory_store() -> None:
    assert Settings.from_env({"CRM_DATABASE_URL": "memory://"}).storage == "memory"


def test_postgres_url_selects_postgres() -> None:
    settings = Settings.from_env({"CRM_DATABASE_URL": "postgresql://crm:pw@db:5433/crm"})
    assert settings.storage == "postgres"
    assert settings.postgres == PostgresTarget(host="db", port=5433, user="crm", password="pw", dbname="crm")


def test_database_url_and_sqlite_path_together_are_rejected() -> None:
    with pytest.raises(SettingsError, match="CRM_SQLITE_PATH"):
        Settings.from_env({"CRM_DATABASE_URL": "memory://", "CRM_SQLITE_PATH": "x.db"})


@pytest.mark.parametrize(
    "url",
    [
        "mysql://db/crm",
        "crm.db",
        "sqlite:///",
        "postgresql://db/crm?sslmode=require",
        "postgresql://db:x/crm",
    ],
)
def test_unusable_database_urls_name_the_variable(url: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"CRM_DATABASE_URL": url})
    assert raised.value.variable == "CRM_DATABASE_URL"


def test_invalid_schema_name_is_rejected() -> None:
    with pytest.raises(SettingsError, match="schema"):
        Settings.from_env({"CRM_DATABASE_URL": "postgresql://db/crm?schema=a;drop"})


def test_timezone_is_validated_against_the_tz_database() -> None:
    assert Settings.from_env({"CRM_TIMEZONE": "Europe/Berlin"}).zone.key == "Europe/Berlin"
    with pytest.raises(SettingsError, match="CRM_TIMEZONE"):
        Settings.from_env({"CRM_TIMEZONE": "Mars/Olympus"})


@pytest.mark.parametrize("value", ["80a", "0", "70000"])
def test_bad_ports_are_rejected(value: str) -> None:
    with pytest.raises(SettingsError, match="CRM_PORT"):
        Settings.from_env({"CRM_PORT": value})


def test_host_port_and_log_level_are_read() -> None:
    settings = Settings.from_env({"CRM_HOST": "0.0.0.0", "CRM_PORT": "9000", "CRM_LOG_LEVEL": "DEBUG"})
    assert (settings.host, settings.port, settings.log_level) == ("0.0.0.0", 9000, "debug")


def test_unknown_log_level_is_rejected() -> None:
    with pytest.raises(SettingsError, match="CRM_LOG_LEVEL"):
        Settings.from_env({"CRM_LOG_LEVEL": "loud"})


def test_several_workers_need_postgres() -> None:
    pg = "postgresql://db/crm"
    assert Settings.from_env({"CRM_WORKERS": "4", "CRM_DATABASE_URL": pg}).workers == 4
    with pytest.raises(SettingsError, match="CRM_WORKERS"):
        Settings.from_env({"CRM_WORKERS": "4"})


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_bad_worker_counts_are_rejected(value: str) -> None:
    with pytest.raises(SettingsError, match="CRM_WORKERS"):
        Settings.from_env({"CRM_WORKERS": value, "CRM_DATABASE_URL": "postgresql://db/crm"})


def test_nats_url_is_read_and_validated() -> None:
    assert Settings.from_env({"CRM_NATS_URL": "nats://127.0.0.1:4222"}).nats_url == "nats://127.0.0.1:4222"
    with pytest.raises(SettingsError, match="CRM_NATS_URL"):
        Settings.from_env({"CRM_NATS_URL": "http://127.0.0.1:4222"})


def test_bootstrap_admin_key_is_read_but_never_shown() -> None:
    settings = Settings.from_env({"CRM_BOOTSTRAP_ADMIN_KEY": "s3cret-admin-key"})
    assert settings.bootstrap_admin_key == "s3cret-admin-key"
    assert "s3cret" not in repr(settings)


def test_bootstrap_admin_key_with_whitespace_is_rejected() -> None:
    with pytest.raises(SettingsError, match="CRM_BOOTSTRAP_ADMIN_KEY"):
        Settings.from_env({"CRM_BOOTSTRAP_ADMIN_KEY": "two words"})


def test_database_password_is_never_shown() -> None:
    settings = Settings.from_env({"CRM_DATABASE_URL": "postgresql://crm:hunter2@db/crm"})
    assert "hunter2" not in settings.describe_database()
    assert "hunter2" not in repr(settings)


def test_settings_are_immutable() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]
