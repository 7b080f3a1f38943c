# Sourced by serve.sh and test.sh: create .venv with Python 3.11+ and install the project.
# The install runs again only when pyproject.toml changed since the last one with these extras
# (the code itself is installed editable, so edits need no reinstall).
ensure_venv() {  # ensure_venv <extras, e.g. "[test]" or "">
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Gongjian needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local stamp=".venv/.installed${1:-[]}" wanted
  wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$1"
    echo "$wanted" >"$stamp"
  fi
}
