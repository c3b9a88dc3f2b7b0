#!/usr/bin/env bash
# tools/call of an upstream MCP server's tool directly vs through Caravan, same run, same client: the real
# @modelcontextprotocol/server-everything over Streamable HTTP as the upstream, Caravan (the jar) with it declared
# in connectors/upstreams.yaml and an endpoint exposing it. Prints p50/p99 and calls/s for both, the added p50 and
# the throughput ratio; see bench/README.md ("Upstream relay").
#
#   bench/upstream.sh                  # about 6 minutes on a quiet 2-core machine
#
# Settings (environment): BENCH_CONCURRENCY (1,16), BENCH_WARMUP (3 s), BENCH_MEASURE (8 s per row),
# BENCH_JIT_WARMUP (cap, 300 s), BENCH_TRIES (3), BENCH_QUIET_WAIT (300 s), CARAVAN_JAR (target/caravan.jar),
# BENCH_JAVA_OPTS (extra Caravan JVM options), CARAVAN_JAVA (the java that runs Caravan; java on the PATH).
# Everything talks to 127.0.0.1 only; the trap stops what this started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
NODE=$ROOT/test-peers/node_modules/node/bin/node
EVERYTHING=$ROOT/test-peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js
STARTUP_LIMIT_S=90

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
use_scratch upbench

if [[ ! -x "$NODE" || ! -f "$EVERYTHING" ]]; then
  say "test peers missing: run 'npm ci' in test-peers (mvn does it in generate-test-resources)"; exit 1
fi
build_jar
build_load_generator

# Waits (bounded) until a command succeeds; $1 = what, $2 = pid that must stay alive, $3 = log, rest = command.
wait_for() {
  local what=$1 pid=$2 log=$3 t0; shift 3; t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then say "$what: the process exited; its log:"; tail -30 "$log"; exit 1; fi
    if (( $(date +%s) - t0 > STARTUP_LIMIT_S )); then say "$what: not ready after ${STARTUP_LIMIT_S} s"; tail -30 "$log"; exit 1; fi
    sleep 0.2
  done
}

say "== Caravan upstream relay benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
say "machine: $(nproc) cores, Caravan on $("${CARAVAN_JAVA:-java}" -version 2>&1 | head -1), node $("$NODE" --version); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------------------------------ the upstream
UP_PORT=$(free_port)
PORT="$UP_PORT" "$NODE" "$EVERYTHING" streamableHttp >"$WORK/everything.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
wait_for "server-everything" "$UP_PID" "$WORK/everything.log" bash -c "exec 3<>/dev/tcp/127.0.0.1/$UP_PORT"
say "server-everything (streamableHttp) pid $UP_PID on 127.0.0.1:$UP_PORT"

# ------------------------------------------------------------------------------------------ Caravan
ADMIN_TOKEN=$(random_token)
mkdir -p "$WORK/data" "$WORK/routes" "$WORK/connectors"
cp "$BENCH_DIR"/routes/*.yaml "$WORK/routes/"   # bench_echo: Caravan's own cost for a tools/call, for comparison
cat >"$WORK/connectors/upstreams.yaml" <<EOF
upstreams:
  - name: up
    transport: streamable-http
    url: http://127.0.0.1:$UP_PORT/mcp
    include: [echo]
    timeouts: {call: 20s}
EOF
PORT=$(free_port)
# shellcheck disable=SC2086
CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN "${CARAVAN_JAVA:-java}" ${BENCH_JAVA_OPTS:-} -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" --caravan.connectors-dir="$WORK/connectors" \
  >"$WORK/caravan.log" 2>&1 &
CARAVAN_PID=$!; PIDS+=("$CARAVAN_PID")
online() { curl -s -m 2 -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$PORT/admin/api/upstreams/up" | grep -q '"state":"online"'; }
wait_for "Caravan with upstream 'up' online" "$CARAVAN_PID" "$WORK/caravan.log" online
CREATED=$(curl -s -m 10 -X POST "http://127.0.0.1:$PORT/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"relay","tools":["up","bench"]}')
TOKEN=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
if [[ -z "$TOKEN" || "$CREATED" != *up__echo* || "$CREATED" != *bench_echo* ]]; then say "could not publish the relay endpoint: $CREATED"; exit 1; fi
say "Caravan pid $CARAVAN_PID on 127.0.0.1:$PORT; endpoint 'relay' (created through the admin API) exposes up__echo and bench_echo"

wait_quiet
java -Xms256m -cp "$WORK/classes:$CP" dev.caravan.bench.UpstreamBench \
  direct="http://127.0.0.1:$UP_PORT/mcp" proxied="http://127.0.0.1:$PORT/mcp/relay" token="$TOKEN" \
  pids="$UP_PID,$CARAVAN_PID" direct-tool=echo proxied-tool=up__echo concurrency="${BENCH_CONCURRENCY:-1,16}" \
  warmup="${BENCH_WARMUP:-3}" measure="${BENCH_MEASURE:-8}" tries="${BENCH_TRIES:-3}" jit-warmup="${BENCH_JIT_WARMUP:-300}" \
  upstream-admin="http://127.0.0.1:$PORT/admin/api/upstreams/up" admin-token="$ADMIN_TOKEN"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q ' ERROR ' "$WORK/caravan.log"; then
  say ""; say "Caravan logged errors during the run:"; grep ' ERROR ' "$WORK/caravan.log" | cut -c1-300 | head -10
fi
