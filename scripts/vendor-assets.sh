#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry at the versions pinned in package.json.
# The portal must work on an office network with no internet, so these files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version() { node -p "require('./package.json').dependencies['$1']"; }
unpack() {  # unpack <npm name> <folder under $work> [only these paths of the tarball…]
  mkdir -p "$work/$2"
  tarball=$(npm pack --silent --pack-destination "$work" "$1@$(version "$1")")
  tar xzf "$work/$tarball" -C "$work/$2" "${@:3}"
}
unpack htmx.org htmx
unpack @picocss/pico pico
unpack axe-core axe
# Noto Sans SC as whole TTFs, one a weight (about 10 MB each): WeasyPrint reads them as they are,
# where the web-font packages split the font into a hundred unicode-range pieces. The package
# holds nine weights (57 MB); only the two the print pages use are unpacked.
fonts=@expo-google-fonts/noto-sans-sc
unpack "$fonts" fonts package/LICENSE_FONT \
  package/400Regular/NotoSansSC_400Regular.ttf package/700Bold/NotoSansSC_700Bold.ttf
cp "$work/htmx/package/dist/htmx.min.js" "$work/htmx/package/LICENSE" app/static/vendor/htmx/
cp "$work/pico/package/css/pico.red.min.css" "$work/pico/package/LICENSE.md" app/static/vendor/pico/
mkdir -p app/static/vendor/fonts
cp "$work/fonts/package/400Regular/NotoSansSC_400Regular.ttf" \
  "$work/fonts/package/700Bold/NotoSansSC_700Bold.ttf" app/static/vendor/fonts/
cp "$work/fonts/package/LICENSE_FONT" app/static/vendor/fonts/OFL.txt
cp "$work/axe/package/axe.min.js" "$work/axe/package/LICENSE" "$work/axe/package/LICENSE-3RD-PARTY.txt" tests/browser/vendor/axe-core/
echo "vendored: htmx $(version htmx.org), pico $(version @picocss/pico), axe-core $(version axe-core),"\
  "Noto Sans SC from $fonts $(version "$fonts")"
