"""The bare JSON endpoint of bench/throughput.py is served only when the bench asks for it."""

import os
import subprocess
import sys

from django.conf import settings
from django.urls import Resolver404, resolve


def test_the_bench_endpoint_is_absent_by_default():
    assert not settings.BENCH_ENDPOINT
    try:
        match = resolve("/bench/bare/")
    except Resolver404:
        return
    assert match.url_name != "bench-bare"


def test_the_bench_endpoint_answers_when_switched_on():
    probe = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client(SERVER_NAME='localhost').get('/bench/bare/')\n"
        "print(response.status_code, response.content.decode())\n"
    )
    env = {
        **os.environ,
        "GOALCHAIN_BENCH_ENDPOINT": "1",
        "DJANGO_SETTINGS_MODULE": "goalchain.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["200", '{"ok":', "true}"]
