#!/usr/bin/env bash
# tools/call of bench_echo at 16 workers: the 2026-07-28 era (stateless) against 2025-11-25 (sessions) on one
# node, then 2026-07-28 through Debian's nginx to one node and to two nodes (plain round robin), in the same run.
# Two Caravan nodes (the jar) on one fresh PostgreSQL schema; prints calls/s, p50/p99 and CPU per call of the node
# processes (and nginx) from /proc; see bench/README.md ("Several nodes").
#
#   bench/nodes.sh                     # about 5 minutes on a quiet 2-core machine
#
# Settings (environment): BENCH_WORKERS (16), BENCH_WARMUP (3 s), BENCH_MEASURE (8 s per row), BENCH_TRIES (3),
# BENCH_QUIET_WAIT (300 s), CARAVAN_JAR (target/caravan.jar), BENCH_JAVA_OPTS (extra Caravan JVM options),
# BENCH_PG_URL (jdbc:postgresql://127.0.0.1:5432/test). Everything talks to 127.0.0.1 only; the trap stops what
# this started and drops the schema.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
PG_URL=${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
NGINX=/usr/sbin/nginx
STARTUP_LIMIT_S=180

SCHEMA=caravan_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
use_scratch nodesbench
psql_test() { psql -q -h 127.0.0.1 -U postgres -d test -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
on_exit() {
  psql_test "drop schema if exists $SCHEMA cascade" 2>/dev/null || true
}

[[ -x "$NGINX" ]] || { say "$NGINX missing (Debian package nginx)"; exit 1; }
build_jar
build_load_generator
psql_test "create schema $SCHEMA"

say "== Caravan several-nodes benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
say "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $($NGINX -v 2>&1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

ADMIN_TOKEN=$(random_token)
SECRET_KEY=$(random_token)
NODE_PORTS=()
NODE_PIDS=()
for n in 1 2; do
  mkdir -p "$WORK/node$n/data" "$WORK/node$n/routes"
  cp "$BENCH_DIR"/routes/*.yaml "$WORK/node$n/routes/"
  port=$(free_port)
  # shellcheck disable=SC2086
  CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN CARAVAN_SECRET_KEY=$SECRET_KEY java ${BENCH_JAVA_OPTS:-} -jar "$JAR" \
    --server.address=127.0.0.1 --server.port="$port" --spring.datasource.url="$PG_URL?currentSchema=$SCHEMA" \
    --spring.datasource.username=postgres --spring.datasource.password= \
    --caravan.routes-dir="$WORK/node$n/routes" --caravan.data-dir="$WORK/node$n/data" \
    --caravan.connectors-dir="$WORK/node$n/connectors" --caravan.endpoint-reconcile-interval=1s \
    >"$WORK/node$n.log" 2>&1 &
  NODE_PIDS+=("$!"); PIDS+=("$!"); NODE_PORTS+=("$port")
  if (( n == 1 )); then
    # One at a time: both would run the schema's Flyway migration (it locks, but the second waits its turn anyway).
    SERVER_PID=$! ; await_caravan "http://127.0.0.1:$port/admin/api/endpoints"
  fi
done
SERVER_PID=${NODE_PIDS[1]}; await_caravan "http://127.0.0.1:${NODE_PORTS[1]}/admin/api/endpoints"

CREATED=$(curl -s -m 10 -X POST "http://127.0.0.1:${NODE_PORTS[0]}/admin/api/endpoints" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"bench","tools":["bench"]}')
TOKEN=$(printf '%s' "$CREATED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n "$TOKEN" ]] || { say "could not publish the endpoint: $CREATED"; exit 1; }
serves_bench() {   # a 2026-07-28 tools/list on node $1 names bench_echo
  curl -s -m 5 "http://127.0.0.1:$1/mcp/bench" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/list' \
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
}
for port in "${NODE_PORTS[@]}"; do   # node 2 learns the endpoint from the database (reconcile, 1 s here)
  t0=$(date +%s)
  until serves_bench "$port" | grep -q bench_echo; do
    (( $(date +%s) - t0 < STARTUP_LIMIT_S )) || { say "node on $port does not serve the endpoint: $(serves_bench "$port" | head -c 300)"; exit 1; }
    sleep 0.5
  done
done
say "nodes: pids ${NODE_PIDS[*]} on 127.0.0.1:${NODE_PORTS[0]} and :${NODE_PORTS[1]}, schema $SCHEMA; endpoint 'bench' created on node 1"

# nginx: one port to node 1 only, one to both nodes (round robin); upstream keep-alive, as in the README's example.
LB_ONE=$(free_port); LB_TWO=$(free_port)
mkdir -p "$WORK/nginx/conf" "$WORK/nginx/logs" "$WORK/nginx/temp"
cat >"$WORK/nginx/conf/nginx.conf" <<CONF
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path temp/body; proxy_temp_path temp/proxy; fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi; scgi_temp_path temp/scgi;
    upstream one { server 127.0.0.1:${NODE_PORTS[0]}; keepalive 32; }
    upstream two { server 127.0.0.1:${NODE_PORTS[0]}; server 127.0.0.1:${NODE_PORTS[1]}; keepalive 32; }
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_buffering off;
    proxy_next_upstream error timeout;
    server { listen 127.0.0.1:$LB_ONE; location / { proxy_pass http://one; } }
    server { listen 127.0.0.1:$LB_TWO; location / { proxy_pass http://two; } }
}
CONF
"$NGINX" -p "$WORK/nginx/" -c conf/nginx.conf -e logs/error.log -g 'daemon off;' >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$LB_TWO") 2>/dev/null && break; sleep 0.1; done
NGINX_WORKER=""   # the worker does the proxying; the master only supervises
for _ in $(seq 1 50); do NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -1) && [[ -n "$NGINX_WORKER" ]] && break; sleep 0.1; done
[[ -n "$NGINX_WORKER" ]] || { say "nginx started no worker: $(cat "$WORK/nginx/logs/error.log")"; exit 1; }
say "nginx $($NGINX -v 2>&1 | sed 's/.*\///') pid $NGINX_PID, worker pid $NGINX_WORKER: :$LB_ONE -> node 1, :$LB_TWO -> nodes 1 and 2"
say "rows: 2025 = 2025-11-25 sessions on node 1 (initialize once per worker, Mcp-Session-Id on each call); 2026 = 2026-07-28 on node 1 (no session); lb-1 / lb-2 = 2026-07-28 through nginx to 1 / 2 nodes"
say "server us = CPU per call of the node process(es) (and nginx for lb rows); closed loop, ${BENCH_WARMUP:-3} s warm-up then ${BENCH_MEASURE:-8} s measured per row"

wait_quiet
java -Xms128m -cp "$WORK/classes:$CP" dev.caravan.bench.NodesBench \
  node1="http://127.0.0.1:${NODE_PORTS[0]}/mcp/bench" node2="http://127.0.0.1:${NODE_PORTS[1]}/mcp/bench" via-one="http://127.0.0.1:$LB_ONE/mcp/bench" \
  via-two="http://127.0.0.1:$LB_TWO/mcp/bench" token="$TOKEN" node-pids="${NODE_PIDS[0]},${NODE_PIDS[1]}" \
  nginx-pid="$NGINX_WORKER" workers="${BENCH_WORKERS:-16}" warmup="${BENCH_WARMUP:-3}" measure="${BENCH_MEASURE:-8}" \
  tries="${BENCH_TRIES:-3}"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1 2; do
  if grep -q ' ERROR ' "$WORK/node$n.log"; then
    say "node $n logged errors:"; grep ' ERROR ' "$WORK/node$n.log" | cut -c1-300 | head -5
  fi
done
