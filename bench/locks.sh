#!/usr/bin/env bash
# Lock acquire + release cycles per second on PostgreSQL, at two layers (see bench/README.md, "Locks"):
#   service: Caravan's LockService in the load generator's JVM, straight on a Hikari pool (the database cost alone)
#   mcp:     tools/call lock_acquire + tools/call lock_release through a running Caravan (java -jar) on PostgreSQL
# Prints figures with the target (>= 1,000 cycles/s on PostgreSQL) beside them.
#
#   bench/locks.sh
#   LOCKS_THREADS=1,4,16 LOCKS_MEASURE=8 LOCKS_LAYERS=service,mcp bench/locks.sh
#
# Settings (environment): LOCKS_THREADS (1,4,16 workers), LOCKS_WARMUP (3 s), LOCKS_MEASURE (8 s per row),
# LOCKS_LAYERS (service,mcp), LOCKS_JIT_WARMUP (30 s of unprinted load on the fresh server first), LOCKS_POSTGRES (jdbc:postgresql://127.0.0.1:5432/test, user postgres, no password),
# CARAVAN_JAR (target/caravan.jar, rebuilt when a source is newer). Each run uses a fresh schema and drops it after;
# the trap stops the server it started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
THREADS=${LOCKS_THREADS:-1,4,16}
WARMUP=${LOCKS_WARMUP:-3}
MEASURE=${LOCKS_MEASURE:-8}
LAYERS=${LOCKS_LAYERS:-service,mcp}
PG_URL=${LOCKS_POSTGRES:-jdbc:postgresql://127.0.0.1:5432/test}
PG_HOSTPORT=$(printf '%s' "$PG_URL" | sed -n 's#jdbc:postgresql://\([^/]*\)/.*#\1#p')
PG_DB=$(printf '%s' "$PG_URL" | sed -n 's#jdbc:postgresql://[^/]*/\([^?]*\).*#\1#p')
SCHEMA="caravan_lockbench_$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/caravan-locks.XXXXXX")
SERVER_PID=""

psql_run() { psql -q -h "${PG_HOSTPORT%%:*}" -p "${PG_HOSTPORT##*:}" -U postgres -d "$PG_DB" -c "$1" >/dev/null; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
cleanup() {
  stop_pid "$SERVER_PID"
  psql_run "drop schema if exists $SCHEMA cascade" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------------ build
build_jar
# The service layer runs Caravan's own classes (and its Flyway migrations) from target/classes.
CP_EXTRA="$ROOT/target/classes" build_load_generator "$BENCH_DIR/src/main/java" "$BENCH_DIR/src/locks/java"
bench() { java -Xms256m -cp "$WORK/classes:$CP" dev.caravan.bench.LockBench threads="$THREADS" warmup="$WARMUP" measure="$MEASURE" "$@"; }

say "== Caravan lock benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (figures from a busy machine are low)"
say "PostgreSQL: $PG_URL, schema $SCHEMA (dropped afterwards); every worker locks its own path in ONE workspace"

if [[ ",$LAYERS," == *",service,"* ]]; then
  psql_run "drop schema if exists $SCHEMA cascade; create schema $SCHEMA"
  say ""
  say "-- layer service: LockService.acquire + release in this JVM (Hikari pool of 10), no HTTP/MCP"
  bench layer=service url="$PG_URL?currentSchema=$SCHEMA"
fi

if [[ ",$LAYERS," == *",mcp,"* ]]; then
  psql_run "drop schema if exists $SCHEMA cascade; create schema $SCHEMA"
  mkdir -p "$WORK/data" "$WORK/routes/workspace" "$WORK/connectors"
  cp "$ROOT"/routes/workspace/*.yaml "$WORK/routes/workspace/"
  printf 'workspaces:\n  - name: default\n    backend: local\n' >"$WORK/connectors/workspaces.yaml"
  PORT=$((20000 + RANDOM % 40000))
  ADMIN_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN java -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
    --spring.datasource.url="$PG_URL?currentSchema=$SCHEMA" --spring.datasource.username=postgres \
    --caravan.routes-dir="$WORK/routes" --caravan.connectors-dir="$WORK/connectors" --caravan.data-dir="$WORK/data" \
    >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  CREATED=""
  for _ in $(seq 1 600); do
    kill -0 "$SERVER_PID" 2>/dev/null || { say "Caravan exited during startup:"; tail -30 "$WORK/server.log"; exit 1; }
    CREATED=$(curl -s -m 5 -X POST "http://127.0.0.1:$PORT/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
      -H 'Content-Type: application/json' -d '{"name":"locks","tools":["lock_acquire","lock_release"]}' 2>/dev/null || true)
    [[ "$CREATED" == *'"token"'* && "$CREATED" == *lock_release* ]] && break
    # Before the route files load, the endpoint would publish no tools: delete and retry.
    [[ "$CREATED" == *'"token"'* ]] && curl -s -m 5 -X DELETE "http://127.0.0.1:$PORT/admin/api/endpoints/locks" \
      -H "Authorization: Bearer $ADMIN_TOKEN" >/dev/null
    sleep 0.2
  done
  TOKEN=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  FILES=$(ls "$WORK"/routes/workspace/*.yaml | wc -l)
  for _ in $(seq 1 300); do
    LOADED=$(curl -s -m 5 "http://127.0.0.1:$PORT/admin/api/routes" -H "Authorization: Bearer $ADMIN_TOKEN" | grep -o '"state":"loaded"' | wc -l || true)
    (( LOADED >= FILES )) && break
    sleep 0.2
  done
  [[ -n "$TOKEN" ]] || { say "could not publish the endpoint: $CREATED"; tail -30 "$WORK/server.log"; exit 1; }
  say ""
  say "-- layer mcp: tools/call lock_acquire + tools/call lock_release through Caravan (java -jar, default options) on"
  say "   PostgreSQL; one raw Streamable HTTP session per worker; the audit trail records both calls"
  bench layer=mcp base="http://127.0.0.1:$PORT" token="$TOKEN" jit-warmup="${LOCKS_JIT_WARMUP:-30}"
fi
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
