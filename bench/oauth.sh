#!/usr/bin/env bash
# tools/call on one endpoint with its Caravan key vs with a JWT access token from a real authorization server
# (oidc-provider on loopback, test-peers/oauth-issuer.mjs), same run, same raw client (2025-era sessions over
# Streamable HTTP; each call's token is checked again: signature, issuer, audience, expiry). Prints the load
# generator's rows for both; the difference is what checking a token costs per request. See bench/README.md.
#
#   bench/oauth.sh                     # about 3 minutes on a quiet 2-core machine
#
# Settings (environment): BENCH_CONCURRENCY (1,16), BENCH_WARMUP (3 s), BENCH_MEASURE (8 s per row), BENCH_TRIES (3),
# BENCH_QUIET_WAIT (300 s), CARAVAN_JAR (target/caravan.jar), CARAVAN_JAVA (java on the PATH).
# Everything talks to 127.0.0.1 only; the trap stops what this started.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
NODE=$ROOT/test-peers/node_modules/node/bin/node
ISSUER_SCRIPT=$ROOT/test-peers/oauth-issuer.mjs
STARTUP_LIMIT_S=90

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
use_scratch oauthbench

if [[ ! -x "$NODE" || ! -d "$ROOT/test-peers/node_modules/oidc-provider" ]]; then
  say "test peers missing: run 'npm ci' in test-peers (mvn does it in generate-test-resources)"; exit 1
fi
build_jar
build_load_generator

wait_for() {
  local what=$1 pid=$2 log=$3 t0; shift 3; t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then say "$what: the process exited; its log:"; tail -30 "$log"; exit 1; fi
    if (( $(date +%s) - t0 > STARTUP_LIMIT_S )); then say "$what: not ready after ${STARTUP_LIMIT_S} s"; tail -30 "$log"; exit 1; fi
    sleep 0.2
  done
}

say "== Caravan OAuth token check benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

ISSUER_PORT=$(free_port)
ISSUER_PORT=$ISSUER_PORT "$NODE" "$ISSUER_SCRIPT" >"$WORK/issuer.log" 2>&1 &
ISSUER_PID=$!; PIDS+=("$ISSUER_PID")
wait_for "oidc-provider" "$ISSUER_PID" "$WORK/issuer.log" bash -c "exec 3<>/dev/tcp/127.0.0.1/$ISSUER_PORT"
ISSUER=http://127.0.0.1:$ISSUER_PORT

ADMIN_TOKEN=$(random_token)
mkdir -p "$WORK/data" "$WORK/routes"
cp "$BENCH_DIR"/routes/*.yaml "$WORK/routes/"
PORT=$(free_port)
CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN "${CARAVAN_JAVA:-java}" -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" >"$WORK/caravan.log" 2>&1 &
CARAVAN_PID=$!; PIDS+=("$CARAVAN_PID")
up() { curl -s -m 2 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$PORT/admin/api/endpoints" | grep -q 200; }
wait_for "Caravan" "$CARAVAN_PID" "$WORK/caravan.log" up
CREATED=$(curl -s -m 10 -X POST "http://127.0.0.1:$PORT/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"bench","tools":["bench"]}')
KEY=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
curl -s -m 10 -o /dev/null -X PUT "http://127.0.0.1:$PORT/admin/api/endpoints/bench/oauth" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d "{\"issuer\":\"$ISSUER\",\"requiredScopes\":[\"mcp:read\"]}"
JWT=$(curl -s -m 10 -u writer:writer-secret -d grant_type=client_credentials -d 'scope=mcp:read mcp:write' \
  --data-urlencode "resource=http://127.0.0.1:$PORT/mcp/bench" "$ISSUER/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [[ -z "$KEY" || -z "$JWT" ]]; then say "could not set up: key '${KEY:0:8}', token '${JWT:0:8}'"; exit 1; fi
say "Caravan pid $CARAVAN_PID on 127.0.0.1:$PORT; endpoint 'bench' takes its key and RS256 JWTs of $ISSUER (${#JWT}-character token)"

for kind in key jwt; do
  token=$KEY; [[ $kind == jwt ]] && token=$JWT
  say ""; say "######## with the endpoint's $kind"
  wait_quiet
  java -Xms256m -cp "$WORK/classes:$CP" dev.caravan.bench.CaravanBench base="http://127.0.0.1:$PORT" token="$token" \
    endpoint=bench pid="$CARAVAN_PID" sections=throughput kinds=mcp-raw sdk=false \
    concurrency="${BENCH_CONCURRENCY:-1,16}" warmup="${BENCH_WARMUP:-3}" measure="${BENCH_MEASURE:-8}" tries="${BENCH_TRIES:-3}"
done
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q ' ERROR ' "$WORK/caravan.log"; then
  say ""; say "Caravan logged errors during the run:"; grep ' ERROR ' "$WORK/caravan.log" | cut -c1-300 | head -10
fi
