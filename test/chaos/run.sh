#!/usr/bin/env bash
# npm run chaos: builds the services, then runs the soak (test/chaos/run.ts,
# whose header lists CHAOS_DURATION, CHAOS_SEED and CHAOS_DRAIN_TIMEOUT). It
# needs PostgreSQL's server tools (initdb, pg_ctl), a JDK and Maven for its own
# broker; it never touches the machine's PostgreSQL server or broker.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"

ensure_dependencies
POSTGRES_BIN="${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$POSTGRES_BIN/pg_ctl" ]; then
  say "PostgreSQL's server tools are not in $POSTGRES_BIN (Debian: apt-get install postgresql-15), or set POSTGRES_BIN"
  exit 1
fi
export POSTGRES_BIN

say "building"
npm run --silent build
say "chaos soak (CHAOS_DURATION=${CHAOS_DURATION:-10m})"
node -r @swc-node/register test/chaos/run.ts
