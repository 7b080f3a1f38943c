#!/usr/bin/env bash
# Quickstart, step 1: install Gongjian into .venv, migrate the embedded SQLite database
# (instance/gongjian.db), load the demo data if it is empty, and serve http://127.0.0.1:5000
# with the task queue's consumer beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv ""
flask() { .venv/bin/flask --app wsgi "$@"; }
flask db upgrade
flask demo --if-empty
# The task queue's consumer (imports, nightly late fees) beside the web server; it stops with it.
.venv/bin/huey_consumer app.tasks.queue --workers 2 --worker-type thread &
consumer=$!
trap 'kill "$consumer" 2>/dev/null || true' EXIT INT TERM
echo "Gongjian: http://127.0.0.1:${PORT:-5000}  (demo accounts: see README, password gongjian-demo)"
.venv/bin/flask --app wsgi run --host 127.0.0.1 --port "${PORT:-5000}"
