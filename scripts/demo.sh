#!/usr/bin/env bash
# The embedded default, end to end: installs what it needs, starts a local Kafka-protocol broker,
# feeds the sample pages, runs the worker and prints what came out. Extra arguments go to
# `python -m worker demo` (e.g. --keep-running, --input FILE).
source "$(dirname "$0")/_env.sh"
ensure_venv local
exec .venv/bin/python -m worker demo "$@"
