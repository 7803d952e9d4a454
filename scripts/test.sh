#!/usr/bin/env bash
# The whole test suite on a fresh Debian-like machine: installs what it needs (redis-server and
# prometheus from Debian, Python packages into .venv), then runs pytest. Extra arguments go to pytest.
source "$(dirname "$0")/_env.sh"
# docker-compose (v1, Debian) only validates docker-compose.yml: no engine is needed or started.
ensure_debian_packages redis-server redis-server prometheus prometheus promtool prometheus \
  docker-compose docker-compose
ensure_venv test
exec .venv/bin/python -m pytest "$@"
