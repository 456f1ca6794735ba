"""Settings come from the environment only, with safe embedded defaults.

Each case loads the settings in a fresh interpreter with a clean environment, since a
settings module is read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from goalchain.settings import _mailer

BASE_DIR = Path(__file__).resolve().parent.parent

# Prints the settings a case looks at, as JSON.
SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
    "port": db.get("PORT"), "user": db.get("USER"), "password": db.get("PASSWORD"),
    "binding": db["OPTIONS"].get("server_side_binding"),
    "prepare": db["OPTIONS"].get("prepare_threshold", "unset"),
    "options": db["OPTIONS"].get("options"),
    "pool_size": db["OPTIONS"].get("pool", {}).get("max_size"), "threads": settings.WEB_THREADS,
    "broker": settings.CELERY_BROKER_URL, "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "secure_cookies": settings.SESSION_COOKIE_SECURE, "hsts": settings.SECURE_HSTS_SECONDS,
    "redirect_exempt": settings.SECURE_REDIRECT_EXEMPT, "hosts": settings.ALLOWED_HOSTS,
    "mailer": settings.MAILERS["default"]["BACKEND"],
}))
"""


# Django's deployment checklist, warnings included, as production would run it.
CHECK_DEPLOY = """
import django
from django.core.management import call_command
django.setup()
call_command("check", "--deploy", "--fail-level", "WARNING")
"""


def load_settings(
    tmp_path: Path, script: str = SHOW_SETTINGS, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "goalchain.settings",
        "GOALCHAIN_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def shown(tmp_path: Path, **env: str) -> dict[str, object]:
    result = load_settings(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = load_settings(tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_it_passes_the_deployment_checklist_with_production_settings(tmp_path):
    result = load_settings(
        tmp_path,
        CHECK_DEPLOY,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="goals.example.com",
        EMAIL_URL="smtp://mailer:secret@smtp.example.com:587?tls=1",
        SECURE_HSTS_PRELOAD="1",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_starts_without_a_secret_key_in_debug_mode(tmp_path):
    assert shown(tmp_path, DEBUG="1")["debug"] is True


def test_it_runs_on_sqlite_a_folder_broker_and_a_local_cache_by_default(tmp_path):
    settings = shown(tmp_path, DEBUG="1")

    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(tmp_path / "var" / "goalchain.sqlite3")
    assert settings["broker"] == "filesystem://"
    assert settings["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert (tmp_path / "var" / "celery-queue").is_dir()
    assert (tmp_path / "var" / "celery-control").is_dir()


def test_it_uses_postgresql_from_database_url(tmp_path):
    settings = shown(
        tmp_path, DEBUG="1", DATABASE_URL="postgres://goal:p%40ss@db.internal:6543/goalchain"
    )

    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "goalchain"
    assert (settings["host"], settings["port"]) == ("db.internal", 6543)
    assert (settings["user"], settings["password"]) == ("goal", "p@ss")
    # Bound on the server, so that queries run often are prepared and planned once, for good.
    assert (settings["binding"], settings["prepare"]) == (True, 5)
    assert settings["options"] == "-c plan_cache_mode=force_generic_plan"
    # A connection for each thread that serves requests.
    assert settings["pool_size"] == settings["threads"] == 8


def test_connection_options_in_the_url_come_after_the_plan_cache_mode(tmp_path):
    url = "postgres://goal@db.internal/goalchain?options=-c%20plan_cache_mode%3Dauto"
    settings = shown(tmp_path, DEBUG="1", DATABASE_URL=url)
    assert settings["options"] == "-c plan_cache_mode=force_generic_plan -c plan_cache_mode=auto"


def test_the_pool_follows_the_web_threads_unless_set(tmp_path):
    url = "postgres://goal@db.internal/goalchain"
    settings = shown(tmp_path, DEBUG="1", DATABASE_URL=url, WEB_THREADS="12")
    assert (settings["threads"], settings["pool_size"]) == (12, 12)
    settings = shown(tmp_path, DEBUG="1", DATABASE_URL=url, WEB_THREADS="12", DB_POOL_MAX_SIZE="20")
    assert settings["pool_size"] == 20


def test_web_threads_below_one_are_refused(tmp_path):
    result = load_settings(tmp_path, DEBUG="1", WEB_THREADS="0")
    assert result.returncode != 0
    assert "WEB_THREADS must be 1 or more." in result.stderr


@pytest.mark.parametrize(("value", "threshold"), [("off", None), ("0", 0), ("", 5)])
def test_prepared_statements_can_be_tuned_or_turned_off(tmp_path, value, threshold):
    url = "postgres://goal@db.internal/goalchain"
    settings = shown(tmp_path, DEBUG="1", DATABASE_URL=url, DB_PREPARE_THRESHOLD=value)
    assert settings["prepare"] == threshold


def test_it_uses_redis_for_celery_and_the_cache_from_redis_url(tmp_path):
    settings = shown(tmp_path, DEBUG="1", REDIS_URL="redis://cache.internal:6379/2")

    assert settings["broker"] == "redis://cache.internal:6379/2"
    assert settings["cache"] == "goalchain.cache.RedisCache"
    assert (tmp_path / "var").is_dir(), "beat keeps its schedule there"


def test_production_mode_is_secure_by_default_but_lets_health_checks_in(tmp_path):
    settings = shown(tmp_path, SECRET_KEY="a-real-secret", ALLOWED_HOSTS="goals.example.com")

    assert settings["debug"] is False
    assert settings["ssl_redirect"] is True
    assert settings["secure_cookies"] is True
    assert settings["hsts"] == 60 * 60 * 24 * 365
    assert settings["redirect_exempt"] == [r"^healthz/$"]
    assert settings["hosts"] == ["goals.example.com"]


def test_email_url_picks_the_mailer(tmp_path):
    settings = shown(tmp_path, DEBUG="1", EMAIL_URL="smtp://mailer:secret@smtp.example.com:587")

    assert settings["mailer"] == "django.core.mail.backends.smtp.EmailBackend"


def test_email_url_reads_an_smtp_server_with_starttls():
    mailer = _mailer("smtp://mail%40example.com:s%3Acret@smtp.example.com:587?tls=1")

    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.com",
        "port": 587,
        "username": "mail@example.com",
        "password": "s:cret",
        "use_ssl": False,
        "use_tls": True,
        "timeout": 10,
    }


def test_email_url_reads_smtps_with_its_default_port():
    options = _mailer("smtps://user:pw@smtp.example.com")["OPTIONS"]

    assert isinstance(options, dict)
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)


def test_email_url_without_a_port_uses_25():
    options = _mailer("smtp://smtp.example.com")["OPTIONS"]

    assert isinstance(options, dict)
    assert (options["port"], options["username"], options["password"]) == (25, "", "")


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("console:", "django.core.mail.backends.console.EmailBackend"),
        ("", "django.core.mail.backends.console.EmailBackend"),
        ("locmem:", "django.core.mail.backends.locmem.EmailBackend"),
        ("file:///var/mail/goalchain", "django.core.mail.backends.filebased.EmailBackend"),
    ],
)
def test_email_url_picks_a_local_backend(url, backend):
    assert _mailer(url)["BACKEND"] == backend


def test_email_url_writes_files_where_it_says():
    options = _mailer("file:///var/mail/goalchain")["OPTIONS"]

    assert options == {"file_path": "/var/mail/goalchain"}


def test_email_url_with_an_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="unknown scheme"):
        _mailer("carrier-pigeon://loft")


# A web process as it starts serving: the app and every view of the URLconf loaded.
LIBRARIES_LOADED = """
import sys, django
django.setup()
import goalchain.asgi
from django.urls import get_resolver
get_resolver().url_patterns
print([name for name in ("icalendar", "qrcode") if name in sys.modules])
"""


def test_a_web_process_loads_the_calendar_and_qr_code_libraries_only_when_used(tmp_path):
    """Each costs a web process megabytes that calendar feeds and two-factor set-up alone
    need (bench/README.md, peak memory per web worker)."""
    result = load_settings(tmp_path, LIBRARIES_LOADED, SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
