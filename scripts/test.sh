#!/usr/bin/env bash
# Runs every test: prepares the machine (Docker engine, compose v1 and v2, test images, loopback
# registry, Chromium; idempotent), then unit and integration tests with Maven. Root is needed
# (packages, dockerd, a second private dockerd in the tests): asked for with sudo when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $EUID -ne 0 ]]; then exec sudo -E "$PWD/scripts/test.sh" "$@"; fi
bash scripts/test-env.sh
exec mvn -B -ntp verify "$@"
