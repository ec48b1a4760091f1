#!/usr/bin/env bash
# Brings the whole system up on this machine: Kafka (unless KAFKA_BROKERS is
# given), the four services on their databases (created and migrated at
# start), then waits until each answers /health. Ctrl-C stops what it started.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

SERVICES=(issuance:3001 redemption:3002 funding:3003 reporting:3004 web:3000)
LOG_DIR="$ROOT/.local/logs"
mkdir -p "$LOG_DIR"
started_pids=()
started_kafka=false

stop_everything() {
  trap - INT TERM EXIT
  if [ ${#started_pids[@]} -gt 0 ]; then
    say "stopping the services"
    kill -TERM "${started_pids[@]}" 2>/dev/null || true
    wait "${started_pids[@]}" 2>/dev/null || true
  fi
  # KAFKA_BROKERS is exported for the services: without it, kafka.sh stops the broker this script started.
  if [ "$started_kafka" = true ]; then env -u KAFKA_BROKERS bash scripts/kafka.sh stop; fi
  say "stopped"
}
trap 'stop_everything; exit 130' INT TERM
trap stop_everything EXIT

ensure_dependencies
ensure_postgres_reachable

if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash scripts/kafka.sh status >/dev/null 2>&1 || started_kafka=true
  bash scripts/kafka.sh start
fi
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"

say "building"
npm run --silent build

healthy() { curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/health"; }

server_url="$(postgres_server_url)"
for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}" port="${entry##*:}"
  if healthy "$port"; then
    say "$name is already running on port $port: reusing it"
    continue
  fi
  database_url="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/pass_"+process.argv[2];console.log(u.toString())' "$server_url" "$name")"
  PORT="$port" DATABASE_URL="$database_url" node "dist/services/$name/src/main.js" >>"$LOG_DIR/$name.log" 2>&1 &
  started_pids+=("$!")
  say "started $name (pid $!, logs in .local/logs/$name.log)"
done

for entry in "${SERVICES[@]}"; do
  name="${entry%%:*}" port="${entry##*:}"
  for _ in $(seq 1 120); do
    healthy "$port" && break
    sleep 0.5
  done
  healthy "$port" || { say "$name did not become healthy; last log lines:"; tail -n 30 "$LOG_DIR/$name.log"; exit 1; }
done

say "demo data"
tokens="$(node dist/scripts/demo/seed.js)" || { echo "$tokens"; exit 1; }
cat <<INFO

  The pass numérique platform is up, with demo data: a program in Haute-Garonne
  co-funded by the State and the département (50/50), two agencies, mediation
  sites imported from the national example file and accredited, booklets
  issued, passes redeemed and one voided.

  web          http://127.0.0.1:3000  (counselors, site staff, funders, operator; development sign-in)

  service      API docs                          health
  issuance     http://127.0.0.1:3001/docs        http://127.0.0.1:3001/health
  redemption   http://127.0.0.1:3002/docs        http://127.0.0.1:3002/health
  funding      http://127.0.0.1:3003/docs        http://127.0.0.1:3003/health
  reporting    http://127.0.0.1:3004/docs        http://127.0.0.1:3004/health
$tokens

  Other tokens: npm run token -- --role counselor|funder|site --org <organisation id>

  Press Ctrl-C to stop everything this command started.
INFO

if [ ${#started_pids[@]} -gt 0 ]; then
  # Keeps running until Ctrl-C, or until a service dies.
  wait -n "${started_pids[@]}" || true
  say "a service stopped unexpectedly; see .local/logs"
  exit 1
else
  say "nothing was started by this command (everything was already running)"
fi
