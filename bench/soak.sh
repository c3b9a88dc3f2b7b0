#!/usr/bin/env bash
# The soak: 16 MCP sessions calling bench_echo at a fixed rate for 10 minutes. Prints errors (target 0), p50/p99
# and the server's heap after a full GC at the start and the end (target: flat); see bench/README.md ("Soak").
#
#   bench/soak.sh                             # 10 minutes (plus start-up and a 30 s warm-up)
#   SOAK_DURATION=60 bench/soak.sh            # a short check
#
# Settings (environment): SOAK_DURATION (600 s), SOAK_RATE (50 calls/s in all), SOAK_SESSIONS (16),
# SOAK_WARMUP (30 s), CARAVAN_JAR (target/caravan.jar), BENCH_JAVA_OPTS (extra server JVM options).
# Everything talks to 127.0.0.1 only; the trap stops what this started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
STARTUP_LIMIT_S=90

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
use_scratch soak

build_jar
build_load_generator

say "== Caravan soak  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
say "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

ADMIN_TOKEN=$(random_token)
mkdir -p "$WORK/data" "$WORK/routes"
cp "$BENCH_DIR"/routes/*.yaml "$WORK/routes/"
PORT=$(free_port)
# shellcheck disable=SC2086
CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN java ${BENCH_JAVA_OPTS:-} -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" >"$WORK/caravan.log" 2>&1 &
CARAVAN_PID=$!; PIDS+=("$CARAVAN_PID")
t0=$(date +%s)
until curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/actuator/health/readiness" 2>/dev/null | grep -q 200; do
  if ! kill -0 "$CARAVAN_PID" 2>/dev/null; then say "Caravan exited during startup; its log:"; tail -30 "$WORK/caravan.log"; exit 1; fi
  if (( $(date +%s) - t0 > STARTUP_LIMIT_S )); then say "Caravan not ready after ${STARTUP_LIMIT_S} s"; tail -30 "$WORK/caravan.log"; exit 1; fi
  sleep 0.2
done
CREATED=$(curl -s -m 10 -X POST "http://127.0.0.1:$PORT/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"soak","tools":["bench"]}')
TOKEN=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
if [[ -z "$TOKEN" || "$CREATED" != *bench_echo* ]]; then say "could not publish the soak endpoint: $CREATED"; exit 1; fi
say "Caravan pid $CARAVAN_PID on 127.0.0.1:$PORT; endpoint 'soak' (admin API) exposes bench_echo"

java -Xms64m -cp "$WORK/classes:$CP" dev.caravan.bench.Soak url="http://127.0.0.1:$PORT/mcp/soak" token="$TOKEN" \
  pid="$CARAVAN_PID" sessions="${SOAK_SESSIONS:-16}" rate="${SOAK_RATE:-50}" duration="${SOAK_DURATION:-600}" \
  warmup="${SOAK_WARMUP:-30}"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q ' ERROR ' "$WORK/caravan.log"; then
  say ""; say "Caravan logged errors during the run:"; grep ' ERROR ' "$WORK/caravan.log" | cut -c1-300 | head -10
fi
