# Sourced by serve.sh and test.sh: create .venv with Python 3.11+ and install the project.
ensure_venv() {  # ensure_venv <extras, e.g. "[test]" or "">
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Gongjian needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$1"
}
