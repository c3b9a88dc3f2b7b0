#!/usr/bin/env bash
# Other tools, the admin API and health while 500 calls wait on an upstream that does not answer for a minute (the
# real @modelcontextprotocol/server-everything over stdio, its long-running operation): median/p99 of a route tool
# (bench_echo) on its own open session, of GET /admin/api/endpoints and of /actuator/health, first idle, then with
# the 500 calls in flight; and Caravan's threads from a thread dump meanwhile (Tomcat's request threads, those
# inside the MCP dispatcher, the dispatcher's call pool). See bench/README.md ("Hung upstream").
#
#   bench/hung-upstream.sh             # about 3 minutes
#
# Settings (environment): BENCH_HUNG (500 calls), BENCH_HUNG_SECONDS (60), BENCH_MEASURE (15 s per row),
# CARAVAN_JAR (target/caravan.jar), BENCH_JAVA_OPTS, CARAVAN_JAVA. Everything talks to 127.0.0.1 only; the trap
# stops what this started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
NODE=$ROOT/test-peers/node_modules/node/bin/node
EVERYTHING=$ROOT/test-peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js
STARTUP_LIMIT_S=90
HUNG=${BENCH_HUNG:-500}
HUNG_SECONDS=${BENCH_HUNG_SECONDS:-60}

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
use_scratch hungbench

if [[ ! -x "$NODE" || ! -f "$EVERYTHING" ]]; then
  say "test peers missing: run 'npm ci' in test-peers (mvn does it in generate-test-resources)"; exit 1
fi
build_jar
build_load_generator

say "== Caravan hung-upstream benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
say "machine: $(nproc) cores, Caravan on $("${CARAVAN_JAVA:-java}" -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

ADMIN_TOKEN=$(random_token)
mkdir -p "$WORK/data" "$WORK/routes" "$WORK/connectors"
cp "$BENCH_DIR"/routes/*.yaml "$WORK/routes/"
cat >"$WORK/connectors/upstreams.yaml" <<YAML
upstreams:
  - name: hung
    transport: stdio
    command: $NODE
    args: ["$EVERYTHING", stdio]
    include: [trigger-long-running-operation]
    max-concurrent-calls: $HUNG
    timeouts: {call: $((HUNG_SECONDS + 60))s}
YAML
PORT=$(free_port)
# Room for all the hung calls from one credential and one address (the defaults are 16 and 128, 512 in flight).
# shellcheck disable=SC2086
CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN "${CARAVAN_JAVA:-java}" ${BENCH_JAVA_OPTS:-} -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" --caravan.connectors-dir="$WORK/connectors" \
  --caravan.mcp.max-calls-in-flight=$((HUNG + 100)) --caravan.mcp.max-concurrent-per-client=$((HUNG + 100)) \
  --caravan.mcp.max-concurrent-per-address=$((HUNG + 100)) \
  >"$WORK/caravan.log" 2>&1 &
CARAVAN_PID=$!; PIDS+=("$CARAVAN_PID")
t0=$(date +%s)
until curl -s -m 2 -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$PORT/admin/api/upstreams/hung" | grep -q '"state":"online"'; do
  if ! kill -0 "$CARAVAN_PID" 2>/dev/null; then say "Caravan exited; its log:"; tail -30 "$WORK/caravan.log"; exit 1; fi
  if (( $(date +%s) - t0 > STARTUP_LIMIT_S )); then say "upstream 'hung' not online after ${STARTUP_LIMIT_S} s"; tail -30 "$WORK/caravan.log"; exit 1; fi
  sleep 0.3
done
CREATED=$(curl -s -m 10 -X POST "http://127.0.0.1:$PORT/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"hub","tools":["hung","bench"]}')
TOKEN=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
if [[ -z "$TOKEN" || "$CREATED" != *hung__trigger-long-running-operation* ]]; then say "could not publish the endpoint: $CREATED"; exit 1; fi
say "Caravan pid $CARAVAN_PID on 127.0.0.1:$PORT; endpoint 'hub': hung__trigger-long-running-operation and bench_echo"

java -Xms128m -cp "$WORK/classes:$CP" dev.caravan.bench.HungUpstreamBench \
  url="http://127.0.0.1:$PORT/mcp/hub" token="$TOKEN" admin="http://127.0.0.1:$PORT/admin/api/endpoints" \
  health="http://127.0.0.1:$PORT/actuator/health" admin-token="$ADMIN_TOKEN" pid="$CARAVAN_PID" \
  hung="$HUNG" hung-seconds="$HUNG_SECONDS" measure="${BENCH_MEASURE:-15}"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q ' ERROR ' "$WORK/caravan.log"; then
  say ""; say "Caravan logged errors during the run:"; grep ' ERROR ' "$WORK/caravan.log" | cut -c1-300 | head -10
fi
