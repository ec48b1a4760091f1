#!/usr/bin/env bash
# Brings the whole system up on this machine: Kafka (unless KAFKA_BROKERS is
# given), the four services on their databases (created and migrated at
# start), then waits until each answers /health. Ctrl-C stops what it started.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

SERVICES=(issuance:3001 redemption:3002 funding:3003 reporting:3004 web:3000)
LOG_DIR="$ROOT/.local/logs"
mkdir -p "$LOG_DIR"
source "$ROOT/scripts/lib/services.sh"
trap 'stop_started; exit 130' INT TERM
trap stop_started EXIT

ensure_dependencies
ensure_postgres_reachable
start_kafka_unless_external

say "building"
npm run --silent build

# The web front runs on this machine and forwards each person's address: the services believe it from loopback.
export TRUSTED_PROXIES="${TRUSTED_PROXIES:-loopback}"
start_missing_services "$LOG_DIR" "${SERVICES[@]}"
wait_until_healthy "$LOG_DIR" "${SERVICES[@]}"

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

if [ ${#STARTED_PIDS[@]} -gt 0 ]; then
  # Keeps running until Ctrl-C, or until a service dies.
  wait -n "${STARTED_PIDS[@]}" || true
  say "a service stopped unexpectedly; see .local/logs"
  exit 1
else
  say "nothing was started by this command (everything was already running)"
fi
