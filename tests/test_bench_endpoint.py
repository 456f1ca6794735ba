"""The bare JSON endpoint of bench/throughput.py lives in bench/: the production URLs have
none, and the bench's settings serve it through the same middleware as every request."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

import goalchain.urls

BASE_DIR = Path(__file__).resolve().parent.parent


def test_the_production_urls_have_no_bench_endpoint():
    assert settings.ROOT_URLCONF == "goalchain.urls"
    with pytest.raises(NoReverseMatch):
        reverse("bench-bare")
    try:
        match = resolve("/bench/bare/")
    except Resolver404:
        return
    assert match.url_name != "bench-bare"


def test_the_bench_urls_are_the_apps_plus_the_bare_endpoint():
    assert resolve("/bench/bare/", urlconf="bench.urls").url_name == "bench-bare"
    assert resolve("/healthz/", urlconf="bench.urls").url_name == "healthz"
    bench_urls = importlib.import_module("bench.urls")
    assert bench_urls.urlpatterns[: len(goalchain.urls.urlpatterns)] == goalchain.urls.urlpatterns
    assert bench_urls.handler404 == goalchain.urls.handler404


def test_the_bench_settings_serve_it_through_the_same_middleware():
    probe = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "response = Client(SERVER_NAME='localhost').get('/bench/bare/')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.json(),\n"
        "    'headers': dict(response.headers), 'middleware': settings.MIDDLEWARE,\n"
        "    'urlconf': settings.ROOT_URLCONF}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["status"] == 200
    assert answer["body"] == {"ok": True}
    assert answer["urlconf"] == "bench.urls"
    assert answer["middleware"] == settings.MIDDLEWARE
    # Headers the middleware adds (security, clickjacking, content security policy).
    assert answer["headers"]["X-Content-Type-Options"] == "nosniff"
    assert answer["headers"]["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in answer["headers"]
