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

setup: $(ENVS) var/secrets.sh db model  ## everything `make run` needs, without starting it

db: $(ENVS) var/secrets.sh  ## apply database migrations (DATABASE_URL, default SQLite under var/)
	@$(WITH_ENV) $(APP)/python -m routing migrate

model: .venvs/engine/.synced  ## train the Rasa model when data, domain or config changed
	@scripts/train.sh

# --- the two commands ------------------------------------------------------------------
run: setup  ## start the engine, the action server and the routing service
	@$(WITH_ENV) $(APP)/python scripts/preflight.py && exec $(APP)/honcho start -f Procfile

test: setup lint typecheck test-app test-engine test-rasa  ## every check and test suite

# --- the parts of `make test` ----------------------------------------------------------
lint: .venvs/app/.synced
	$(APP)/ruff check .
	$(APP)/ruff format --check .

typecheck: .venvs/app/.synced
	$(APP)/mypy

test-app: $(ENVS) var/secrets.sh model
	$(APP)/pytest -q tests/unit tests/actions tests/integration tests/e2e

test-engine: .venvs/engine/.synced
	PYTHONPATH=. $(ENGINE)/pytest -q -p no:cacheprovider tests/engine

test-rasa: .venvs/engine/.synced model
	scripts/rasa.sh data validate --fail-on-warnings
	scripts/rasa.sh test core --stories tests/stories --model models/tipline.tar.gz \
	  --fail-on-prediction-errors --out var/results/core

# --- triage (docs/triage.md) ----------------------------------------------------------
eval: $(ENVS) model  ## triage the labelled set through a fresh stack: confusion matrices and the floors
	$(APP)/python -m tests.triage.evaluate

bench-triage: .venvs/app/.synced  ## triage speed per conversation, NLU excluded (target: median <= 20 ms)
	$(APP)/python bench/triage.py

.PHONY: help lock setup db model run test lint typecheck test-app test-engine test-rasa eval bench-triage
