#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for
# development and tests, run straight from Maven Central jars because the dev
# machines have no Docker.
#
#   bash scripts/kafka.sh fetch   # download the jars (skipped when up to date)
#   bash scripts/kafka.sh start   # fetch if needed, format storage once, start, wait
#   bash scripts/kafka.sh wait    # block until the broker accepts connections
#   bash scripts/kafka.sh status  # prints "running" (exit 0) or not (exit 3)
#   bash scripts/kafka.sh stop    # SIGTERM, then SIGKILL after 30 s
#
# Environment:
#   KAFKA_LOCAL_DIR        state dir (default <repo>/.local/kafka): lib/, data/,
#                          logs/, server.properties, kafka.pid
#   KAFKA_PORT             client listener port (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default 9093)
#   KAFKA_START_TIMEOUT    seconds `wait` polls before giving up (default 90)
#   KAFKA_HEAP_OPTS        JVM heap flags (default "-Xms256m -Xmx512m")
#   KAFKA_BROKERS          if set, an external broker is used: start/wait/stop
#                          do nothing
#   JAVA_HOME              optional; otherwise `java` from PATH
#   MAVEN_OPTS             honoured by mvn, e.g. -Dmaven.repo.local=...
#
# Topics are retained forever (log.retention.ms=-1) because the reporting
# service rebuilds its state by replaying them; to start from scratch, stop
# the broker and delete "$KAFKA_LOCAL_DIR/data".

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j.properties"

KAFKA_LOCAL_DIR="${KAFKA_LOCAL_DIR:-$REPO_ROOT/.local/kafka}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
HOST=127.0.0.1
STOP_TIMEOUT=30

log() { printf '[kafka] %s\n' "$*"; }
err() { printf '[kafka] ERROR: %s\n' "$*" >&2; }
die() {
  err "$*"
  exit 1
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_uint "$KAFKA_PORT" || die "KAFKA_PORT must be a number, got '$KAFKA_PORT'"
is_uint "$KAFKA_CONTROLLER_PORT" || die "KAFKA_CONTROLLER_PORT must be a number, got '$KAFKA_CONTROLLER_PORT'"
is_uint "$KAFKA_START_TIMEOUT" || die "KAFKA_START_TIMEOUT must be a number of seconds, got '$KAFKA_START_TIMEOUT'"
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $KAFKA_PORT)"

# Absolute path: the JVM runs with the state dir as its working directory.
mkdir -p "$KAFKA_LOCAL_DIR"
KAFKA_LOCAL_DIR="$(cd "$KAFKA_LOCAL_DIR" && pwd)"
LIB_DIR="$KAFKA_LOCAL_DIR/lib"
DATA_DIR="$KAFKA_LOCAL_DIR/data"
LOG_DIR="$KAFKA_LOCAL_DIR/logs"
CONFIG_FILE="$KAFKA_LOCAL_DIR/server.properties"
PID_FILE="$KAFKA_LOCAL_DIR/kafka.pid"
CLUSTER_ID_FILE="$KAFKA_LOCAL_DIR/cluster.id"
STDOUT_LOG="$LOG_DIR/stdout.log"
# Lives inside lib/ so that deleting lib/ also forces a refetch.
FETCH_MARKER="$LIB_DIR/.fetched"

# ---------------------------------------------------------------- helpers --

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found: install a JDK (17 recommended, 11 minimum) or set JAVA_HOME"
  fi
}

# The pom is the single source of truth for the version; the marker also
# records a checksum of the whole pom so any dependency change refetches.
kafka_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n 1
}

fetch_stamp() {
  local sum
  sum="$(cksum <"$POM" | cut -d' ' -f1)"
  printf 'kafka_2.13 %s pom-cksum %s\n' "$(kafka_version)" "$sum"
}

jars_up_to_date() {
  [[ -f "$FETCH_MARKER" ]] && [[ "$(cat "$FETCH_MARKER")" == "$(fetch_stamp)" ]]
}

# Succeeds when something accepts TCP connections on host $1, port $2. Uses
# bash's /dev/tcp so no nc/ss is needed; `timeout` guards against a hung
# connect (the inner script is single-quoted on purpose: it gets its
# arguments as $0/$1).
tcp_open() {
  if command -v timeout >/dev/null 2>&1; then
    # shellcheck disable=SC2016
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
  fi
}

port_open() { tcp_open "$HOST" "$1"; }

# Best effort description of who listens on a port, for error messages.
port_owner() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$port" 2>/dev/null | head -n 3
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | tail -n +2 | head -n 3
  fi
}

read_pid() {
  local pid=""
  [[ -f "$PID_FILE" ]] && pid="$(tr -dc '0-9' <"$PID_FILE")"
  printf '%s\n' "$pid"
}

# A pid only counts as "our broker" if that process is alive AND is a
# kafka.Kafka JVM running our server.properties: after a reboot the pid in a
# stale pid file may belong to something else entirely.
is_our_broker() {
  local pid="$1" args
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  args="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  [[ "$args" == *kafka.Kafka* && "$args" == *"$CONFIG_FILE"* ]]
}

# Pid of our running broker, or nothing. Also recovers a broker whose pid file
# was deleted (found by its unique server.properties path) and drops stale
# pid files.
running_pid() {
  local pid
  pid="$(read_pid)"
  if is_our_broker "$pid"; then
    printf '%s\n' "$pid"
    return 0
  fi
  if [[ -n "$pid" ]]; then
    rm -f "$PID_FILE"
  fi
  if command -v pgrep >/dev/null 2>&1; then
    local pattern
    pattern="$(printf '%s' "$CONFIG_FILE" | sed 's/[][\.*^$+?(){}|]/\\&/g')"
    pid="$(pgrep -f "kafka[.]Kafka $pattern" 2>/dev/null | head -n 1 || true)"
    if is_our_broker "$pid"; then
      printf '%s\n' "$pid" >"$PID_FILE"
      printf '%s\n' "$pid"
    fi
  fi
}

# Client port of the broker that is running from this state dir: the
# server.properties it was started with, which may differ from the current
# KAFKA_PORT if the caller's environment changed.
live_port() {
  local port=""
  [[ -f "$CONFIG_FILE" ]] && port="$(sed -n 's/^listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$CONFIG_FILE" | head -n 1)"
  printf '%s\n' "${port:-$KAFKA_PORT}"
}

# Serialises start/stop/fetch between concurrent invocations (e.g. two test
# runners starting Kafka at once). flock is Linux-only; elsewhere we go on
# without a lock.
LOCK_FD=9
take_lock() {
  if command -v flock >/dev/null 2>&1; then
    eval "exec $LOCK_FD>\"\$KAFKA_LOCAL_DIR/.lock\""
    flock -w 300 "$LOCK_FD" || die "timed out waiting for another kafka.sh to finish (lock $KAFKA_LOCAL_DIR/.lock)"
  fi
}
release_lock() {
  if command -v flock >/dev/null 2>&1; then
    eval "exec $LOCK_FD>&-"
  fi
}

external_broker() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    log "KAFKA_BROKERS is set ($KAFKA_BROKERS): using that external broker, nothing to $1 locally."
    return 0
  fi
  return 1
}

# Prints the tail of the given log files (default: the broker's stdout log).
show_logs() {
  local f
  (($# > 0)) || set -- "$STDOUT_LOG"
  for f in "$@"; do
    if [[ -s "$f" ]]; then
      err "last 40 lines of $f:"
      tail -n 40 "$f" >&2
    fi
  done
}

# ------------------------------------------------------------------ fetch --

do_fetch() {
  if jars_up_to_date; then
    log "jars for Kafka $(kafka_version) already in $LIB_DIR"
    return 0
  fi
  if [[ -n "$(running_pid)" ]]; then
    die "a local broker is running with the old jars: run 'bash scripts/kafka.sh stop' before fetching Kafka $(kafka_version)"
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed to download the Kafka jars"
  log "downloading Kafka $(kafka_version) jars with Maven into $LIB_DIR ..."
  local tmp="$KAFKA_LOCAL_DIR/lib.tmp"
  rm -rf "$tmp"
  # Download into a temp dir and swap, so an interrupted fetch never leaves a
  # half-filled lib/ that looks complete.
  # Maven's output goes to a file: even with -B -q, Maven 3.8 prints stray
  # ANSI reset codes, and it is only interesting when something fails.
  mkdir -p "$LOG_DIR"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$LOG_DIR/fetch.log" 2>&1; then
    rm -rf "$tmp"
    show_logs "$LOG_DIR/fetch.log"
    die "Maven could not download the Kafka jars (full output in $LOG_DIR/fetch.log)"
  fi
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  fetch_stamp >"$FETCH_MARKER"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l | tr -d ' ') jars"
}

# ---------------------------------------------------------------- storage --

write_config() {
  cat >"$CONFIG_FILE" <<EOF
# Generated by scripts/kafka.sh at every start: edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR

# Topics are declared explicitly by the services, never created by accident.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=3

# Single node: internal topics cannot be replicated.
offsets.topic.replication.factor=1
# Fewer __consumer_offsets partitions = faster group coordinator start.
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Consumers join immediately instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0

# Keep everything forever: the reporting service rebuilds by replay.
log.retention.ms=-1
EOF
}

meta_value() {
  sed -n "s/^$1=//p" "$DATA_DIR/meta.properties" 2>/dev/null | head -n 1
}

# Runs StorageTool with the same logging setup as the broker; output goes to
# logs/storage-format.log (it is noisy and would pollute captured stdout).
storage_tool() {
  "$(java_bin)" -Xmx256m -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j.configuration="file:$LOG4J_CONFIG" \
    -cp "$LIB_DIR/*" kafka.tools.StorageTool "$@"
}

format_storage() {
  local cluster_id
  cluster_id="$(storage_tool random-uuid 2>>"$LOG_DIR/storage-format.log" |
    grep -E '^[A-Za-z0-9_-]{22}$' | tail -n 1 || true)"
  [[ -n "$cluster_id" ]] || {
    show_logs "$LOG_DIR/storage-format.log"
    die "StorageTool random-uuid did not print a cluster id"
  }
  log "formatting storage in $DATA_DIR (cluster id $cluster_id)"
  mkdir -p "$DATA_DIR"
  storage_tool format -t "$cluster_id" -c "$CONFIG_FILE" >>"$LOG_DIR/storage-format.log" 2>&1 || return 1
  printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
}

wipe_data() {
  log "WARNING: deleting $DATA_DIR ($1); all local topics are lost"
  rm -rf "$DATA_DIR"
}

# Formats only when needed: a formatted data dir holds all topics, which must
# survive restarts (see log.retention.ms).
ensure_storage() {
  : >"$LOG_DIR/storage-format.log"
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    local meta_cluster meta_node expected
    meta_cluster="$(meta_value cluster.id)"
    meta_node="$(meta_value node.id)"
    expected="$(cat "$CLUSTER_ID_FILE" 2>/dev/null || true)"
    if [[ -z "$meta_cluster" || "$meta_node" != "1" ]]; then
      wipe_data "meta.properties is incomplete or for another node (node.id=${meta_node:-none})"
    elif [[ -n "$expected" && "$expected" != "$meta_cluster" ]]; then
      wipe_data "it belongs to cluster $meta_cluster, expected $expected"
    else
      [[ -n "$expected" ]] || printf '%s\n' "$meta_cluster" >"$CLUSTER_ID_FILE"
      return 0
    fi
  elif [[ -d "$DATA_DIR" ]] && [[ -n "$(ls -A "$DATA_DIR" 2>/dev/null)" ]]; then
    # Leftovers without meta.properties (interrupted format, partial
    # cleanup): the broker refuses such a dir, so start clean.
    wipe_data "it has no meta.properties (stale or half-formatted)"
  fi
  if ! format_storage; then
    # Formatting can fail on stale data we did not recognise: retry once on a
    # clean directory before giving up.
    wipe_data "formatting failed"
    format_storage || {
      show_logs "$LOG_DIR/storage-format.log"
      die "could not format Kafka storage in $DATA_DIR"
    }
  fi
}

# ------------------------------------------------------------ start / wait --

check_port_free() {
  local port="$1" what="$2" owner
  if port_open "$port"; then
    err "$what port $HOST:$port is already in use by another process (not a broker started by this script from $KAFKA_LOCAL_DIR)."
    owner="$(port_owner "$port" || true)"
    [[ -z "$owner" ]] || printf '%s\n' "$owner" >&2
    err "Stop that process, pick free ports with KAFKA_PORT/KAFKA_CONTROLLER_PORT, or set KAFKA_BROKERS=$HOST:$port to use that broker."
    exit 1
  fi
}

do_start() {
  external_broker start && return 0
  mkdir -p "$LOG_DIR"
  take_lock

  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    release_lock
    local port
    port="$(live_port)"
    if [[ "$port" != "$KAFKA_PORT" ]]; then
      die "the local broker (pid $pid) already runs on $HOST:$port, not KAFKA_PORT=$KAFKA_PORT: run 'bash scripts/kafka.sh stop' first to change ports"
    fi
    if port_open "$KAFKA_PORT"; then
      log "Kafka already running on $HOST:$KAFKA_PORT (pid $pid)"
      jars_up_to_date || log "note: scripts/kafka/pom.xml changed since the jars were fetched; run stop then start to use Kafka $(kafka_version)"
      return 0
    fi
    # Started by another invocation that is still booting: just wait for it.
    log "Kafka is starting (pid $pid), waiting for it"
    do_wait "$pid"
    return
  fi

  check_port_free "$KAFKA_PORT" "Kafka"
  check_port_free "$KAFKA_CONTROLLER_PORT" "Kafka controller"

  do_fetch
  write_config
  ensure_storage

  local java
  java="$(java_bin)"
  log "starting Kafka $(kafka_version) on $HOST:$KAFKA_PORT (controller $HOST:$KAFKA_CONTROLLER_PORT), logs in $LOG_DIR"
  # setsid puts the broker in its own session so a Ctrl-C in the terminal that
  # ran `start` (e.g. a dev server wrapper) does not kill it; only `stop` does.
  # The inner shell writes its own pid and then execs java, so the pid file
  # holds the JVM's pid even if setsid had to fork. The lock fd is closed so
  # the long-lived JVM does not hold the lock. Working dir = state dir so a
  # crash dump never lands in the repo.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # shellcheck disable=SC2016 # $$ and "$@" are expanded by the inner shell
  (
    cd "$KAFKA_LOCAL_DIR"
    # KAFKA_HEAP_OPTS is intentionally word-split into separate JVM flags.
    # shellcheck disable=SC2086
    nohup ${launcher[@]+"${launcher[@]}"} bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
      "$java" $KAFKA_HEAP_OPTS -XX:+UseSerialGC -Djava.awt.headless=true \
      -XX:ErrorFile="$LOG_DIR/hs_err_pid%p.log" \
      -Dkafka.logs.dir="$LOG_DIR" -Dlog4j.configuration="file:$LOG4J_CONFIG" \
      -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG_FILE" \
      >"$STDOUT_LOG" 2>&1 </dev/null 9>&- &
  )
  # The pid file is written by the child; give it a moment.
  local _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.2
  done
  pid="$(read_pid)"
  release_lock
  [[ -n "$pid" ]] || {
    show_logs
    die "the broker did not start (no pid written)"
  }
  log "broker pid $pid"
  do_wait "$pid"
}

# $1 (optional): pid just launched by do_start, so that a JVM dying before the
# first poll is reported as a crash (with logs), not as "never started".
do_wait() {
  external_broker wait && return 0
  local start_ts now pid="" seen_pid="${1:-}" elapsed port hinted=""
  start_ts="$(date +%s)"
  while :; do
    pid="$(running_pid)"
    if [[ -z "$pid" ]]; then
      if [[ -z "$seen_pid" ]]; then
        die "Kafka is not running: start it with 'bash scripts/kafka.sh start'"
      fi
      show_logs
      die "Kafka (pid $seen_pid) exited during startup: see $LOG_DIR"
    fi
    seen_pid="$pid"
    port="$(live_port)"
    if grep -q 'Kafka Server started' "$STDOUT_LOG" 2>/dev/null && port_open "$port"; then
      now="$(date +%s)"
      log "Kafka is ready on $HOST:$port (pid $pid, waited $((now - start_ts)) s)"
      return 0
    fi
    # After a SIGKILL/crash the controller keeps the old broker registration
    # until broker.session.timeout.ms (9 s) expires: startup then takes ~10 s
    # longer. Say so once, so a slow start does not look like a hang.
    if [[ -z "$hinted" ]] && grep -q 'DUPLICATE_BROKER_REGISTRATION' "$STDOUT_LOG" 2>/dev/null; then
      log "the previous broker was not shut down cleanly: waiting for its registration to expire (~10 s)"
      hinted=1
    fi
    now="$(date +%s)"
    elapsed=$((now - start_ts))
    if ((elapsed >= KAFKA_START_TIMEOUT)); then
      show_logs
      die "Kafka (pid $pid) not ready after ${KAFKA_START_TIMEOUT} s; it is left running, see $LOG_DIR (raise KAFKA_START_TIMEOUT or run 'bash scripts/kafka.sh stop')"
    fi
    sleep 0.5
  done
}

# ------------------------------------------------------------ stop/status --

do_stop() {
  external_broker stop && return 0
  take_lock
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    log "Kafka is not running (nothing to stop)"
    return 0
  fi
  log "stopping Kafka (pid $pid) ..."
  # SIGTERM triggers a controlled shutdown that flushes logs and writes clean
  # shutdown markers, which makes the next start skip log recovery.
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 2)); do
    sleep 0.5
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT} s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

do_status() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    # Only the first host:port is probed; it is a reachability hint.
    local first="${KAFKA_BROKERS%%,*}"
    first="${first#*://}"
    log "KAFKA_BROKERS is set ($KAFKA_BROKERS): external broker" >&2
    if tcp_open "${first%:*}" "${first##*:}"; then
      echo running
      return 0
    fi
    echo unreachable
    return 3
  fi
  local pid port
  pid="$(running_pid)"
  port="$(live_port)"
  if [[ -n "$pid" ]] && port_open "$port"; then
    echo running
    log "Kafka on $HOST:$port (pid $pid)" >&2
    return 0
  fi
  if [[ -n "$pid" ]]; then
    echo starting
    log "pid $pid is alive but $HOST:$port does not accept connections yet" >&2
  else
    echo stopped
  fi
  return 3
}

usage() {
  cat >&2 <<EOF
usage: bash scripts/kafka.sh fetch|start|stop|status|wait
  state dir: $KAFKA_LOCAL_DIR (KAFKA_LOCAL_DIR), ports $KAFKA_PORT/$KAFKA_CONTROLLER_PORT (KAFKA_PORT/KAFKA_CONTROLLER_PORT)
EOF
}

main() {
  case "${1:-}" in
    fetch) take_lock && do_fetch ;;
    start) do_start ;;
    wait) do_wait ;;
    stop) do_stop ;;
    status) do_status ;;
    -h | --help | help)
      usage
      exit 0
      ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
