# Starting and stopping the local system, shared by scripts/up.sh and bench/run.sh
# (sourced after common.sh). Each script stops only what it started.

STARTED_PIDS=()
STARTED_KAFKA=false

# The local broker from scripts/kafka.sh, unless KAFKA_BROKERS names one; then exported for the services.
start_kafka_unless_external() {
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    bash scripts/kafka.sh status >/dev/null 2>&1 || STARTED_KAFKA=true
    bash scripts/kafka.sh start
  fi
  export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
}

healthy() { curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/health"; }

# start_missing_services LOG_DIR name:port…: each service not answering /health is started from dist/
# on its own database of the PostgreSQL server, with its log in LOG_DIR.
start_missing_services() {
  local log_dir="$1" entry name port database_url server_url
  shift
  server_url="$(postgres_server_url)"
  for entry in "$@"; do
    name="${entry%%:*}" port="${entry##*:}"
    if healthy "$port"; then
      say "$name already answers on port $port: reusing it"
      continue
    fi
    database_url="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/pass_"+process.argv[2];console.log(u.toString())' "$server_url" "$name")"
    # The heap budget the images set too (Dockerfile): V8 would otherwise grow past 300 MB for nothing.
    PORT="$port" DATABASE_URL="$database_url" NODE_OPTIONS="${NODE_OPTIONS:---max-old-space-size=192}" \
      node "dist/services/$name/src/main.js" >>"$log_dir/$name.log" 2>&1 &
    STARTED_PIDS+=("$!")
    say "started $name (pid $!, logs in ${log_dir#"$ROOT"/}/$name.log)"
  done
}

# wait_until_healthy LOG_DIR name:port…: up to a minute each, else the service's last log lines and exit 1.
wait_until_healthy() {
  local log_dir="$1" entry name port
  shift
  for entry in "$@"; do
    name="${entry%%:*}" port="${entry##*:}"
    for _ in $(seq 1 120); do
      healthy "$port" && break
      sleep 0.5
    done
    healthy "$port" || { say "$name did not become healthy; last log lines:"; tail -n 30 "$log_dir/$name.log"; exit 1; }
  done
}

stop_started() {
  trap - INT TERM EXIT
  if [ ${#STARTED_PIDS[@]} -gt 0 ]; then
    say "stopping the services"
    kill -TERM "${STARTED_PIDS[@]}" 2>/dev/null || true
    wait "${STARTED_PIDS[@]}" 2>/dev/null || true
  fi
  # KAFKA_BROKERS is exported for the services: without it, kafka.sh stops the broker this script started.
  if [ "$STARTED_KAFKA" = true ]; then env -u KAFKA_BROKERS bash scripts/kafka.sh stop; fi
  say "stopped"
}
