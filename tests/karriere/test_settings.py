"""Settings are read from the environment; each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "x" * 20 + "-production-secret-key-for-tests-only-0123456789"
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": PRODUCTION_KEY,
    "DJANGO_ALLOWED_HOSTS": "karriere.example",
    "SITE_URL": "https://karriere.example",
}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with only the given settings variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.pop("REDIS_URL", None)
    clean.pop("EMAIL_HOST", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "karriere.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return run("-c", code, **env)


def read_settings(*names: str, **env: str) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_run_locally_with_sqlite_debug_and_console_mail():
    values = read_settings("DEBUG", "DATABASES", "CACHES", "EMAIL_BACKEND", "LANGUAGE_CODE")
    assert values["DEBUG"] is True
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"].endswith("db.sqlite3")
    assert "LocMemCache" in values["CACHES"]["default"]["BACKEND"]
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["LANGUAGE_CODE"] == "de"


def test_database_url_selects_postgresql_with_persistent_checked_connections():
    values = read_settings(
        "DATABASES", DATABASE_URL="postgres://editor:geheim@db.example:5433/magazin"
    )
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.example",
        5433,
        "magazin",
        "editor",
    )
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True


def test_redis_url_switches_the_cache_to_redis():
    values = read_settings("CACHES", REDIS_URL="redis://127.0.0.1:6379/3")
    assert values["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_email_host_switches_to_smtp():
    values = read_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        EMAIL_HOST="smtp.example",
        EMAIL_PORT="587",
    )
    assert values["EMAIL_BACKEND"] == "karriere.mailbackend.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.example"
    assert values["EMAIL_PORT"] == 587
    assert values["EMAIL_USE_TLS"] is True


@pytest.mark.parametrize("secret", ["", "short", "django-insecure-karriere-local-development-only"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = run(
        "-c", "import django; django.setup()", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secret
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_postgresql_connections_switch_jit_compilation_off():
    values = read_settings("DATABASES", DATABASE_URL="postgres://postgres@127.0.0.1:5432/magazin")
    assert values["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"
