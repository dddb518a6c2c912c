#!/usr/bin/env bash
# Runs every test: prepares the machine (Docker engine, compose v1 and v2, test images, loopback
# registry, Chromium; idempotent, needs root), then unit and integration tests with Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-env.sh
exec mvn -B -ntp verify "$@"
