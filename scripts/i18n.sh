#!/usr/bin/env bash
# Refresh the translation catalogs after changing user-facing text:
# extract every message, merge it into the Chinese catalog, compile it.
# The catalog folder is "zh": Babel reads zh_CN as zh_Hans_CN, and both fall back to zh.
# New messages arrive untranslated; tests/core/test_i18n.py fails until each has a translation.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
pot=app/translations/messages.pot
"$py" -m babel.messages.frontend extract -F babel.cfg -k _l --no-location --sort-output -o "$pot" app
if [ -f app/translations/zh/LC_MESSAGES/messages.po ]; then
  "$py" -m babel.messages.frontend update -i "$pot" -d app/translations -l zh --no-fuzzy-matching --ignore-obsolete
else
  "$py" -m babel.messages.frontend init -i "$pot" -d app/translations -l zh
fi
"$py" -m babel.messages.frontend compile -d app/translations
