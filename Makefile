# Goal Chain. `make run` to try it, `make test` to check it; `make help` lists every target.
# Needs only Python 3 and make: uv is installed into .tools/ when it is not on PATH.

SHELL := /bin/bash
.DEFAULT_GOAL := help

ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=
TEST_WORKERS ?= auto
BENCH_ARGS ?=
THROUGHPUT_ARGS ?=
VOTES_ARGS ?=
CHAOS_ARGS ?=
HOOKS_CHAOS_ARGS ?=

UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
RUN := $(UV) run --no-sync
VENV := $(or $(UV_PROJECT_ENVIRONMENT),.venv)

.PHONY: help run test lint fmt bench clean sync chromium oidc

help: ## list the targets
	@grep -hE '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 16

.tools/bin/uv:
	@echo "uv is not on PATH: installing it into .tools/ with python3 -m venv and pip"
	@python3 -m venv .tools || { echo "python3 -m venv failed: install python3-venv, or uv itself"; exit 1; }
	@.tools/bin/pip install --quiet --disable-pip-version-check uv

# Bytecode is compiled once, at install: every process would compile what it imports
# otherwise where PYTHONDONTWRITEBYTECODE is set, and the tests start dozens of them.
sync: $(UV) ## install the locked dependencies into .venv (dev tools included)
	@$(UV) sync --frozen --quiet --compile-bytecode

# The web server (uvicorn: ASGI, so Server-Sent Events stream) and a Celery worker with its
# beat each run in a process group of their own (set -m), so stopping kills every process
# they started and nothing outlives `make run`.
# The worker's main process gets the TERM alone: it stops its pool and beat (a warm shutdown
# takes a few seconds), and whatever still runs after 20 s is killed.
# Links in emails point at the address served, unless SITE_URL says otherwise. The address
# is printed once the web server answers on it.
run: sync ## load the demo and start the web server and a Celery worker with beat (Ctrl-C stops)
	@set -euo pipefail; export DEBUG=1 SITE_URL="$${SITE_URL:-http://$(ADDR)}"; \
	$(VENV)/bin/python manage.py migrate --noinput; \
	$(VENV)/bin/python manage.py seed_demo; \
	set -m; \
	$(VENV)/bin/uvicorn goalchain.asgi:application --reload --reload-dir goals \
		--reload-dir workshops --reload-dir goalchain --reload-dir templates \
		--host "$(firstword $(subst :, ,$(ADDR)))" --port "$(lastword $(subst :, ,$(ADDR)))" \
		& web=$$!; \
	$(VENV)/bin/celery -A goalchain worker --beat --concurrency 1 --loglevel INFO \
		--without-mingle --without-gossip & worker=$$!; \
	set +m; \
	stop() { \
		trap '' INT TERM PIPE; trap - EXIT; \
		kill -TERM -- -$$web 2>/dev/null || true; \
		kill -TERM $$worker 2>/dev/null || true; \
		echo "Stopping the web server and the Celery worker..."; \
		for _ in $$(seq 100); do \
			kill -0 -- -$$web 2>/dev/null || kill -0 -- -$$worker 2>/dev/null || return 0; \
			sleep 0.2; \
		done; \
		kill -KILL -- -$$web -$$worker 2>/dev/null || true; \
	}; \
	trap 'stop; exit 130' INT TERM; trap stop EXIT; \
	for _ in $$(seq 120); do \
		$(VENV)/bin/python -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)' \
			"$(firstword $(subst :, ,$(ADDR)))" "$(lastword $(subst :, ,$(ADDR)))" 2>/dev/null && break; \
		kill -0 $$web 2>/dev/null || break; \
		sleep 0.5; \
	done; \
	echo; \
	echo "Goal Chain is running at http://$(ADDR)/  (API docs: http://$(ADDR)/api/docs/)"; \
	echo "Sign in as leader@example.com with the demo password printed above. Ctrl-C stops."; \
	echo; \
	while kill -0 $$web 2>/dev/null && kill -0 $$worker 2>/dev/null; do sleep 1; done; \
	echo "The web server or the worker stopped on its own."; \
	exit 1

# Browser tests drive Debian's Chromium. Installing it is best effort: without it they skip
# (and fail in CI, where GOALCHAIN_REQUIRE_SERVICES=1).
chromium: ## install Debian's chromium for the browser tests when possible (root + apt-get)
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; } >/dev/null 2>&1 \
		|| echo "Could not install chromium: the browser tests will skip."; \
	fi

# The single sign-on tests run a real OpenID provider (tests/oidc: the npm package
# oidc-provider on node). Its packages come from the lock file, into tests/oidc/node_modules
# (git-ignored), again only when the lock file is newer. Best effort: without node and npm
# those tests skip (and fail in CI, where GOALCHAIN_REQUIRE_SERVICES=1).
oidc: ## install the test OpenID provider's npm packages when node and npm are present
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		echo "node or npm is not installed: the single sign-on tests will skip."; \
	elif [ ! tests/oidc/node_modules/.package-lock.json -nt tests/oidc/package-lock.json ]; then \
		npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error >/dev/null \
		|| echo "npm ci in tests/oidc failed: the single sign-on tests will skip."; \
	fi

# The suite runs on TEST_WORKERS pytest-xdist workers, one per core by default;
# TEST_WORKERS=0 runs it in this process, one test after another. Each worker starts with
# half of the suite in order, and a worker that runs out takes half of what another still
# has queued (--dist worksteal): handed out in fixed chunks instead, a worker that met a run
# of quick tests piled up minutes of browser tests while the other finished early. The
# project's own modules and the rewritten test modules are cached as bytecode (in the
# git-ignored __pycache__ folders) for the same reason as at install.
test: sync chromium oidc ## run the whole test suite in parallel (PYTEST_ARGS="-k chain" to pick)
	env -u PYTHONDONTWRITEBYTECODE $(RUN) pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: sync ## ruff check, ruff format --check, mypy and lint-imports (the layers)
	@status=0; \
	$(RUN) ruff check . || status=1; \
	$(RUN) ruff format --check . || status=1; \
	SECRET_KEY=mypy-only-not-a-secret $(RUN) mypy . || status=1; \
	$(RUN) lint-imports || status=1; \
	exit $$status

fmt: sync ## format the code and apply ruff's safe fixes
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

# The production shape on this machine: PostgreSQL and Redis at their usual local addresses
# unless DATABASE_URL and REDIS_URL name others; each bench creates and drops its database.
# Every bench runs even when one fails; the target fails if any did.
bench: sync ## chain reads, goal advice, API throughput, vote storm, reminders and webhooks chaos (PostgreSQL + Redis)
	@export DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" \
		REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/10}"; status=0; \
	$(RUN) python bench/summary.py --forget; \
	$(RUN) python bench/chain.py $(BENCH_ARGS) || status=1; \
	$(RUN) python bench/advice.py || status=1; \
	$(RUN) python bench/throughput.py $(THROUGHPUT_ARGS) || status=1; \
	$(RUN) python bench/votes.py $(VOTES_ARGS) || status=1; \
	$(RUN) python bench/reminders_chaos.py $(CHAOS_ARGS) || status=1; \
	$(RUN) python bench/webhooks_chaos.py $(HOOKS_CHAOS_ARGS) || status=1; \
	$(RUN) python bench/summary.py; \
	exit $$status

clean: ## remove the local database, queues, collected static files and caches
	rm -rf var staticfiles test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
	find . -path ./.venv -prune -o -path ./.tools -prune -o -name __pycache__ -type d -exec rm -rf {} +
