#!/usr/bin/env bash
# Quickstart, step 2: install the test dependencies and run the whole suite — unit, view and
# browser tests — on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
# Browser tests drive Debian's /usr/bin/chromium; it is installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv "[test]"
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests…"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq chromium
fi
exec .venv/bin/python -m pytest "$@"
