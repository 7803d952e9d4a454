#!/usr/bin/env bash
# The whole test suite on a fresh Debian-like machine: installs what it needs (redis-server and
# prometheus from Debian, Python packages into .venv), then runs pytest. Extra arguments go to pytest.
source "$(dirname "$0")/_env.sh"
ensure_debian_packages redis-server redis-server prometheus prometheus promtool prometheus
ensure_venv test
exec .venv/bin/python -m pytest "$@"
