#!/usr/bin/env bash
# tools/call bench_echo at 16 workers, 2025-11-25 sessions and 2026-07-28, against several builds of Caravan started
# side by side on 127.0.0.1 (each on its embedded H2, with its own temporary data and routes directories), the rows
# in alternation, so that before/after figures come from the same minutes of a machine others share. Prints every
# row and the medians per build and era; see bench/README.md ("Comparing builds").
#
#   BENCH_BUILDS="before=/tmp/old/target/caravan.jar after=target/caravan.jar" bench/compare.sh
#
# Each jar needs its lib/ directory beside it (as `mvn package` leaves it in target/). Settings (environment):
# BENCH_BUILDS (required: NAME=JAR ...), BENCH_WORKERS (16), BENCH_ROUNDS (5), BENCH_MEASURE (8 s per row),
# BENCH_WARMUP (90 s per build and era, not counted), BENCH_JAVA_OPTS (extra Caravan JVM options). Everything talks
# to 127.0.0.1 only; the trap stops what this started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
STARTUP_LIMIT_S=300
[[ -n "${BENCH_BUILDS:-}" ]] || { echo "set BENCH_BUILDS=\"NAME=JAR NAME=JAR\" (see the header of $0)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
use_scratch compare

build_load_generator
say "== Caravan build comparison  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

ADMIN_TOKEN=$(random_token)
NAMES=(); URLS=(); TOKENS=(); SERVER_PIDS=()
for spec in $BENCH_BUILDS; do
  name=${spec%%=*}; jar=${spec#*=}
  [[ -f "$jar" && -d "$(dirname "$jar")/lib" ]] || { say "$jar: no such jar with a lib/ directory beside it"; exit 1; }
  mkdir -p "$WORK/$name/data" "$WORK/$name/routes"
  cp "$BENCH_DIR"/routes/*.yaml "$WORK/$name/routes/"
  port=$(free_port)
  # shellcheck disable=SC2086
  CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN CARAVAN_SECRET_KEY=$(random_token) java ${BENCH_JAVA_OPTS:-} -jar "$jar" \
    --server.address=127.0.0.1 --server.port="$port" --caravan.routes-dir="$WORK/$name/routes" \
    --caravan.data-dir="$WORK/$name/data" --caravan.connectors-dir="$WORK/$name/connectors" >"$WORK/$name.log" 2>&1 &
  SERVER_PID=$!; PIDS+=("$!")
  ln -sfn "$WORK/$name.log" "$WORK/server.log"   # what await_caravan shows if it exits during startup
  await_caravan "http://127.0.0.1:$port/admin/api/endpoints"
  CREATED=$(curl -s -m 10 -X POST "http://127.0.0.1:$port/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d '{"name":"bench","tools":["bench"]}')
  TOKEN=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [[ -n "$TOKEN" ]] || { say "$name: could not publish the endpoint: $CREATED"; exit 1; }
  NAMES+=("$name"); URLS+=("http://127.0.0.1:$port/mcp/bench"); TOKENS+=("$TOKEN"); SERVER_PIDS+=("$SERVER_PID")
  say "$name: $jar, pid $SERVER_PID on 127.0.0.1:$port"
done

join() { local IFS=,; echo "$*"; }
java -Xms128m -cp "$WORK/classes:$CP" dev.caravan.bench.CompareBuilds names="$(join "${NAMES[@]}")" \
  urls="$(join "${URLS[@]}")" tokens="$(join "${TOKENS[@]}")" pids="$(join "${SERVER_PIDS[@]}")" \
  workers="${BENCH_WORKERS:-16}" rounds="${BENCH_ROUNDS:-5}" measure="${BENCH_MEASURE:-8}" warm="${BENCH_WARMUP:-90}"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
