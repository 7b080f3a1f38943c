#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry at the versions pinned in package.json.
# The portal must work on an office network with no internet, so these files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version() { node -p "require('./package.json').dependencies['$1']"; }
unpack() {  # unpack <npm name> <folder under $work>
  mkdir -p "$work/$2"
  tarball=$(npm pack --silent --pack-destination "$work" "$1@$(version "$1")")
  tar xzf "$work/$tarball" -C "$work/$2"
}
unpack htmx.org htmx
unpack @picocss/pico pico
unpack axe-core axe
cp "$work/htmx/package/dist/htmx.min.js" "$work/htmx/package/LICENSE" app/static/vendor/htmx/
cp "$work/pico/package/css/pico.red.min.css" "$work/pico/package/LICENSE.md" app/static/vendor/pico/
cp "$work/axe/package/axe.min.js" "$work/axe/package/LICENSE" "$work/axe/package/LICENSE-3RD-PARTY.txt" tests/browser/vendor/axe-core/
echo "vendored: htmx $(version htmx.org), pico $(version @picocss/pico), axe-core $(version axe-core)"
