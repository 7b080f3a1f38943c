#!/usr/bin/env bash
# Quickstart, step 2: install the test dependencies and run the whole suite — unit, view and
# browser tests — on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
# Browser tests drive Debian's /usr/bin/chromium; it (and CJK fonts) is installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv "[test]"
# Chinese fonts too: without them the screenshots show Chinese text as empty boxes. The font
# list is read whole first: `fc-list | grep -q` under pipefail fails when grep stops early.
fonts=$(fc-list 2>/dev/null || true)
if [ ! -x /usr/bin/chromium ] || [[ ${fonts,,} != *"noto sans cjk"* ]]; then
  echo "Installing Debian's chromium and CJK fonts for the browser tests…"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq chromium fonts-noto-cjk
fi
exec .venv/bin/python -m pytest "$@"
