#!/usr/bin/env bash
# `npm run bench`: reuses the services already answering /health on 3001–3004
# (e.g. `npm run up` in another terminal), else starts the missing ones in the
# background the way scripts/up.sh does, with their logs in .local/bench/;
# then runs bench/bench.ts and stops what it started. Never run by `npm test`.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"

SERVICES=(issuance:3001 redemption:3002 funding:3003 reporting:3004)
LOG_DIR="$ROOT/.local/bench"
mkdir -p "$LOG_DIR"
source "$ROOT/scripts/lib/services.sh"
trap 'stop_started; exit 130' INT TERM
trap stop_started EXIT

ensure_dependencies
ensure_postgres_reachable
ensure_system_packages pgbench:postgresql-contrib pg_dump:postgresql-client psql:postgresql-client
start_kafka_unless_external

# The expiry measurement starts a throwaway redemption instance from dist/, so build even when reusing services.
say "bench: building"
if ! npm run --silent build >"$LOG_DIR/build.log" 2>&1; then
  if [ -f dist/services/redemption/src/main.js ]; then
    say "bench: the build reported errors (see .local/bench/build.log); going on with dist/ as it is"
  else
    tail -n 30 "$LOG_DIR/build.log"; exit 1
  fi
fi

# Services started here log warnings only, so logging does not weigh on the measurements.
LOG_LEVEL="${BENCH_SERVICE_LOG_LEVEL:-warn}" start_missing_services "$LOG_DIR" "${SERVICES[@]}"
wait_until_healthy "$LOG_DIR" "${SERVICES[@]}"

node -r @swc-node/register bench/bench.ts
