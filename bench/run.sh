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
started_pids=()
started_kafka=false

stop_started() {
  trap - INT TERM EXIT
  if [ ${#started_pids[@]} -gt 0 ]; then
    say "bench: stopping the services it started"
    kill -TERM "${started_pids[@]}" 2>/dev/null || true
    wait "${started_pids[@]}" 2>/dev/null || true
  fi
  # KAFKA_BROKERS is exported for the services: without it, kafka.sh stops the broker this script started.
  if [ "$started_kafka" = true ]; then env -u KAFKA_BROKERS bash scripts/kafka.sh stop; fi
}
trap 'stop_started; exit 130' INT TERM
trap stop_started EXIT

ensure_dependencies
ensure_postgres_reachable
ensure_system_packages pgbench:postgresql-contrib pg_dump:postgresql-client psql:postgresql-client

if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash scripts/kafka.sh status >/dev/null 2>&1 || started_kafka=true
  bash scripts/kafka.sh start
fi
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"

# The expiry measurement starts a throwaway redemption instance from dist/, so build even when reusing services.
say "bench: building"
if ! npm run --silent build >"$LOG_DIR/build.log" 2>&1; then
  if [ -f dist/services/redemption/src/main.js ]; then
    say "bench: the build reported errors (see .local/bench/build.log); going on with dist/ as it is"
  else
    tail -n 30 "$LOG_DIR/build.log"; exit 1
  fi
fi

healthy() { curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/health"; }

server_url="$(postgres_server_url)"
for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}" port="${entry##*:}"
  if healthy "$port"; then
    say "bench: $name already answers on port $port: reusing it"
    continue
  fi
  database_url="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/pass_"+process.argv[2];console.log(u.toString())' "$server_url" "$name")"
  PORT="$port" DATABASE_URL="$database_url" LOG_LEVEL="${BENCH_SERVICE_LOG_LEVEL:-warn}" \
    node "dist/services/$name/src/main.js" >>"$LOG_DIR/$name.log" 2>&1 &
  started_pids+=("$!")
  say "bench: started $name (pid $!, logs in .local/bench/$name.log)"
done

for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}" port="${entry##*:}"
  for _ in $(seq 1 120); do
    healthy "$port" && break
    sleep 0.5
  done
  healthy "$port" || { say "$name did not become healthy; last log lines:"; tail -n 30 "$LOG_DIR/$name.log"; exit 1; }
done

node -r @swc-node/register bench/bench.ts
