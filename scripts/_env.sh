# Shared by scripts/demo.sh and scripts/test.sh: a Python >= 3.11 virtual environment in .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 or newer is required (python3.11 not found)" >&2
  return 1
}

# apt-get install the named Debian packages when their commands are missing (root or sudo).
ensure_debian_packages() {
  local missing=()
  while [ $# -gt 0 ]; do
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
    shift 2
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {  # ensure_venv EXTRA: install the project with that extra into .venv
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
  fi
  echo "installing Python packages into .venv (log: .venv/install.log)" >&2
  # The build backend's notices would bury the output; the log is shown when the install fails.
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -e ".[$1]"; } > .venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "error: installing the Python packages failed (log above, also in .venv/install.log)" >&2
    return 1
  fi
}
