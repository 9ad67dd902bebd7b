# Tipline: the two commands are `make run` and `make test` (see README.md).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

APP := .venvs/app/bin
ENGINE := .venvs/engine/bin
ENVS := .venvs/app/.synced .venvs/engine/.synced
# Secrets and settings for every recipe that starts a service or touches the database.
WITH_ENV := set -a; . var/secrets.sh; set +a;
# Development deliveries: webhooks, SMS and e-mail go to the local receiver (Procfile `receiver`),
# not to the jurisdiction's real addresses; no Twilio account is needed for that (the SMS channel
# stays off until TIPLINE_TWILIO_* and TIPLINE_PUBLIC_URL are set). Set TIPLINE_DELIVERY_SANDBOX=
# (empty) to turn it off.
DEV_DELIVERY := export TIPLINE_DELIVERY_SANDBOX="$${TIPLINE_DELIVERY_SANDBOX-http://127.0.0.1:8090}" \
  TIPLINE_SMTP_URL="$${TIPLINE_SMTP_URL-smtp://127.0.0.1:8025}";

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# --- environments (idempotent: nothing happens while the lock files are unchanged) ---------
.venvs/uv/.synced: requirements/uv.lock
	@scripts/sync-env.sh uv
.venvs/app/.synced: requirements/app.lock .venvs/uv/.synced
	@echo "Installing the app environment (Python 3.11)..."; scripts/sync-env.sh app
.venvs/engine/.synced: requirements/engine.lock .venvs/uv/.synced
	@echo "Installing the engine environment (Python 3.10, Rasa)..."; scripts/sync-env.sh engine

var/secrets.sh: scripts/make-secrets.py | .venvs/app/.synced
	@$(APP)/python scripts/make-secrets.py $@

lock: .venvs/uv/.synced  ## re-resolve both lock files from requirements/*.in
	.venvs/uv/bin/uv pip compile -q --generate-hashes --python-version 3.11 requirements/app.in -o requirements/app.lock
	.venvs/uv/bin/uv pip compile -q --generate-hashes --python-version 3.10 requirements/engine.in -o requirements/engine.lock

setup: $(ENVS) var/secrets.sh db model web console-assets  ## everything `make run` needs, without starting it

db: $(ENVS) var/secrets.sh  ## apply database migrations (DATABASE_URL, default SQLite under var/)
	@$(WITH_ENV) $(APP)/python -m routing migrate

model: .venvs/engine/.synced  ## train the Rasa model when data, domain or config changed
	@scripts/train.sh

# The public page's self-hosted assets (socket.io client; axe-core for its accessibility test).
web: web/node_modules/.installed
web/node_modules/.installed: web/package-lock.json
	@cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# The console's self-hosted assets (htmx, Chart.js).
CONSOLE_ASSETS := routing/console/node_modules/.installed
console-assets: $(CONSOLE_ASSETS)
$(CONSOLE_ASSETS): routing/console/package-lock.json
	@echo "Installing the console's assets (npm)..."; scripts/console-assets.sh

# Browser tests drive Debian's chromium; nothing is downloaded by Playwright.
browser:
	@scripts/ensure-chromium.sh

# Production mode's balancer: Debian's HAProxy.
haproxy:
	@scripts/ensure-haproxy.sh

# --- the two commands ------------------------------------------------------------------
run: setup  ## start the engine, the action server and the routing service
	@$(WITH_ENV) $(DEV_DELIVERY) $(APP)/python scripts/preflight.py && exec $(APP)/honcho start -f Procfile

test: setup lint typecheck test-app test-engine test-rasa test-nlu test-console-browser test-security test-faults  ## every check and test suite

# --- the parts of `make test` ----------------------------------------------------------
lint: .venvs/app/.synced
	$(APP)/ruff check .
	$(APP)/ruff format --check .

typecheck: .venvs/app/.synced .venvs/engine/.synced
	$(APP)/mypy
	$(APP)/mypy --config-file bot/mypy.ini --python-executable $(ENGINE)/python

test-app: $(ENVS) var/secrets.sh model web console-assets browser
	$(APP)/pytest -q tests/unit tests/actions tests/integration tests/e2e

test-engine: .venvs/engine/.synced model
	PYTHONPATH=. $(ENGINE)/pytest -q -p no:cacheprovider tests/engine

test-rasa: .venvs/engine/.synced model
	scripts/rasa.sh data validate --fail-on-warnings
	scripts/rasa.sh test core --stories tests/stories --model models/tipline.tar.gz \
	  --fail-on-prediction-errors --out var/results/core

# The held-out NLU set (tests/nlu/, never trained on); scripts/nlu_gate.py fails below the F1 floors.
test-nlu: $(ENVS) model  ## score intents on the held-out NLU set and gate on F1
	scripts/rasa.sh test nlu --nlu tests/nlu --model models/tipline.tar.gz --out var/results/nlu --no-plot
	$(APP)/python scripts/nlu_gate.py var/results/nlu/intent_report.json

test-console-browser: $(ENVS) var/secrets.sh console-assets web browser  ## the console in headless Chromium (screenshots in var/screenshots/; axe-core from web/)
	$(APP)/pytest -q tests/browser

test-security: $(ENVS) var/secrets.sh model web  ## security tests and fuzzing against the real services (tests/security)
	$(APP)/pytest -q -p no:cacheprovider tests/security

# Each fault test starts its own production-mode stack with its own PostgreSQL cluster and Redis.
test-faults: $(ENVS) var/secrets.sh model web console-assets haproxy  ## kill, restart and cut off services of a production-mode stack (tests/faults)
	$(APP)/pytest -q -p no:cacheprovider tests/faults

# --- triage (docs/triage.md) ----------------------------------------------------------
eval: $(ENVS) model  ## triage the labelled set through a fresh stack: confusion matrices and the floors
	$(APP)/python -m tests.triage.evaluate

# Any labelled file of the same format (tests/triage/cases.py); OFFLINE=1 triages in-process without the NLU.
eval-file: $(ENVS) $(if $(OFFLINE),,model)  ## the same evaluation on FILE=path.yml (OFFLINE=1: without the NLU and the stack)
	@test -n "$(FILE)" || { echo "usage: make eval-file FILE=path.yml [OFFLINE=1]" >&2; exit 2; }
	$(APP)/python -m tests.triage.evaluate --file "$(FILE)" $(if $(OFFLINE),--offline)

# The triage model (docs/triage.md): retrain after changing tests/triage/corpus or tests/triage/tips.
train-triage: .venvs/app/.synced  ## retrain actions/triage/textmodel.joblib on all labelled text but the blind set (deterministic)
	$(APP)/python scripts/train_triage_model.py

# --- benchmarks (README "Benchmarks"); `make bench` runs them all -------------------------
# The whole suite (bench/suite.py, about 12 minutes): writes bench/results/report.{json,md}.
bench: setup  ## every benchmark in one run, against plain Rasa too: bench/results/report.md
	$(APP)/python -m bench.suite

bench-conversation: $(ENVS) model var/secrets.sh  ## report conversations over REST, SMS and plain Rasa: round trip, messages/s
	$(APP)/python -m bench.conversations

bench-channels: setup  ## SMS webhook benchmark: p99 at 50 concurrent senders, forged and duplicate counts
	@$(APP)/python -m bench.sms_webhook

bench-routing: $(ENVS)  ## tip to destination by urgency, and routing throughput (PostgreSQL)
	$(APP)/python -m bench.deliveries

bench-first-message: $(ENVS) model  ## an emergency in one message, then silence: time to the 911 CAD webhook (target: p99 <= 5 s)
	$(APP)/python -m bench.first_message

bench-triage: .venvs/app/.synced  ## triage speed per conversation, NLU excluded (target: median <= 20 ms)
	$(APP)/python -m bench.triage

bench-console: $(ENVS) console-assets  ## first queue page with 10,000 tips stored (target: 300 ms)
	$(APP)/python -m bench.console_queue

# --- production mode (README "Production mode") ---------------------------------------------
# Replica ports behind the balancer; the balancer itself listens on TIPLINE_ENGINE_PORT and
# TIPLINE_ACTIONS_PORT (the ports the rest of the system already knows).
PROD_PORTS := export TIPLINE_ENGINE1_PORT="$${TIPLINE_ENGINE1_PORT-5006}" TIPLINE_ENGINE2_PORT="$${TIPLINE_ENGINE2_PORT-5007}" \
  TIPLINE_ACTIONS1_PORT="$${TIPLINE_ACTIONS1_PORT-5056}" TIPLINE_ACTIONS2_PORT="$${TIPLINE_ACTIONS2_PORT-5057}" \
  TIPLINE_ENGINE_PORT="$${TIPLINE_ENGINE_PORT-5005}" TIPLINE_ACTIONS_PORT="$${TIPLINE_ACTIONS_PORT-5055}" \
  TIPLINE_BALANCER_HOST="$${TIPLINE_BALANCER_HOST-127.0.0.1}";

run-prod: setup haproxy  ## production mode: 2 engines, 2 action servers (HAProxy), PostgreSQL, Redis, 2 outbox workers
	@$(WITH_ENV) $(PROD_PORTS) for v in DATABASE_URL TIPLINE_TRACKER_STORE_URL TIPLINE_REDIS_URL; do \
	  [ -n "$${!v:-}" ] || { echo "error: production mode needs $$v (README, Production mode)" >&2; exit 1; }; done; \
	$(APP)/python -m routing migrate && TIPLINE_PRODUCTION=1 $(APP)/python -m routing check && \
	exec $(APP)/honcho start -f Procfile.prod

# --- operations ----------------------------------------------------------------------------
transcripts: $(ENVS) model  ## record docs/transcripts.md from the real model and services
	$(APP)/python scripts/record_transcripts.py

audit: .venvs/app/.synced  ## pip-audit: fails on a known vulnerability in the app environment; the engine's are listed
	@$(APP)/python scripts/audit.py requirements/app.lock
	@$(APP)/python scripts/audit.py requirements/engine.lock --report-only

purge: $(ENVS) var/secrets.sh  ## one retention purge now (serve runs it every TIPLINE_RETENTION_INTERVAL_SECONDS)
	@$(WITH_ENV) $(DEV_DELIVERY) $(APP)/python -m routing purge

rotate-keys: $(ENVS) var/secrets.sh  ## re-encrypt every encrypted column with the first of TIPLINE_ENCRYPTION_KEYS (README)
	@$(WITH_ENV) $(DEV_DELIVERY) $(APP)/python -m routing rotate-keys

.PHONY: help lock setup db model web console-assets browser haproxy run test lint typecheck test-app \
  test-engine test-rasa test-nlu test-console-browser test-security test-faults eval eval-file train-triage \
  bench bench-conversation bench-channels bench-routing bench-first-message bench-triage bench-console run-prod transcripts audit purge rotate-keys
