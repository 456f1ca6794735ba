"""Settings of the benchmarks' servers: production's (goalchain.settings, as the environment
sets them), routed through bench/urls.py, which adds the bare endpoint `/bench/bare/` to the
app's URLs. Only bench/throughput.py runs under them."""

from goalchain.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
