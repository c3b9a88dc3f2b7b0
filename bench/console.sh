#!/usr/bin/env bash
# The web console: the weight of each page's first load (every byte the browser fetches before the page shows its
# data: HTML, CSS, the modules, and the page's first admin API answer), and the catalogue API the catalogue page
# calls, with BENCH_TOOLS tools (default 10,000) in the catalogue: p50/p95/max of the first page, of a page deep in
# the list, and of a search. See bench/README.md ("Console").
#
#   bench/console.sh
#   BENCH_TOOLS=2000 BENCH_REQUESTS=100 bench/console.sh
#
# Everything talks to 127.0.0.1 only; the trap stops what this script started and removes its files.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
TOOLS=${BENCH_TOOLS:-10000}
REQUESTS=${BENCH_REQUESTS:-200}
PER_FILE=100
STARTUP_LIMIT_S=600

WORK=$(mktemp -d "${TMPDIR:-/tmp}/caravan-console-bench.XXXXXX")
SERVER_PID=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
cleanup() {
  stop_pid "$SERVER_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_jar

ADMIN_TOKEN=$(random_token)
PORT=$(free_port)
mkdir -p "$WORK/data" "$WORK/routes" "$WORK/connectors"
# TOOLS tools, PER_FILE to a route file, each with a described parameter and tags (as real tools have).
for ((f = 0; f * PER_FILE < TOOLS; f++)); do
  {
    for ((i = f * PER_FILE; i < (f + 1) * PER_FILE && i < TOOLS; i++)); do
      cat <<YAML
- route:
    from:
      uri: ai-tool:bench_tool_$i
      parameters:
        tags: bench,group-$((i % 20))
        description: Benchmark tool number $i; answers the text it is given, for the console benchmark.
        readOnlyHint: true
        parameter.text: string
        parameter.text.description: The text to answer
        parameter.text.required: true
      steps:
        - setBody:
            simple: "\${header.text}"
YAML
    done
  } >"$WORK/routes/bench-$f.yaml"
done

say "== Caravan console benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); tools: $TOOLS in $(ls "$WORK/routes" | wc -l) route files"

CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN java -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" --caravan.connectors-dir="$WORK/connectors" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
AUTH="Authorization: Bearer $ADMIN_TOKEN"
t0=$(now_ns)
await_caravan "$BASE/actuator/health/readiness"
until [[ "$(curl -s -H "$AUTH" "$BASE/admin/api/catalog?limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')" == "$TOOLS" ]]; do
  if (( ($(now_ns) - t0) / 1000000000 > STARTUP_LIMIT_S )); then say "the catalogue did not reach $TOOLS tools"; exit 1; fi
  sleep 0.5
done
say "ready with $TOOLS tools after $(( ($(now_ns) - t0) / 1000000 )) ms"

# Page weight: bytes of a first load, uncompressed (the server sends these files as they are).
bytes() { curl -s -o /dev/null -w '%{size_download}' -H "$AUTH" "$BASE$1"; }
SHELL_BYTES=0
for f in / /console/app.css /console/app.js /console/lib.js; do SHELL_BYTES=$((SHELL_BYTES + $(bytes "$f"))); done
say ""
printf '%-12s %12s %12s %12s %10s\n' page "assets B" "data B" "total B" target
declare -A DATA=([catalogue]="/admin/api/catalog?kind=tools&q=&offset=0&limit=50" [endpoints]="/admin/api/endpoints"
  [routes]="/admin/api/routes" [workspaces]="/admin/api/workspaces" [upstreams]="/admin/api/upstreams"
  [jobs]="/admin/api/imports?limit=50")
for page in catalogue endpoints routes workspaces upstreams jobs; do
  a=$((SHELL_BYTES + $(bytes "/console/pages/$page.js")))
  d=$(bytes "${DATA[$page]}")
  printf '%-12s %12s %12s %12s %10s\n' "$page" "$a" "$d" "$((a + d))" "<= 200000"
done

# Catalogue API latency: one curl (a config file of URLs) keeps one connection; each request's total time, in ms.
latency() {
  local name=$1 n p50 p95 max
  : >"$WORK/urls"
  for ((i = 0; i < REQUESTS + 20; i++)); do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$BASE$(printf "$2" $((RANDOM % (TOOLS / 50) * 50)))" >>"$WORK/urls"
  done
  curl -s -H "$AUTH" -w '%{http_code} %{time_total}\n' -K "$WORK/urls" | tail -n +21 >"$WORK/lat.raw" # 20 warm-up
  if grep -qv '^200 ' "$WORK/lat.raw"; then say "$name: a request did not answer 200"; exit 1; fi
  awk '{print $2 * 1000}' "$WORK/lat.raw" | sort -n >"$WORK/lat"
  n=$(wc -l <"$WORK/lat")
  p50=$(awk -v n="$n" 'NR == int(n * 0.50 + 0.5) {printf "%.1f", $1}' "$WORK/lat")
  p95=$(awk -v n="$n" 'NR == int(n * 0.95 + 0.5) {printf "%.1f", $1}' "$WORK/lat")
  max=$(tail -1 "$WORK/lat" | awk '{printf "%.1f", $1}')
  printf '%-34s %8s %8s %8s %8s %10s\n' "$name" "$n" "$p50" "$p95" "$max" "<= 200"
}
say ""
printf '%-34s %8s %8s %8s %8s %10s\n' "catalogue API ($TOOLS tools)" requests "p50 ms" "p95 ms" "max ms" "p95 target"
latency "first page (50)" "/admin/api/catalog?kind=tools&offset=0&limit=50&n=%s"
latency "a random page (50)" "/admin/api/catalog?kind=tools&offset=%s&limit=50"
latency "search 'tool number 42' (50)" "/admin/api/catalog?kind=tools&q=tool+number+42&offset=0&limit=50&n=%s"
latency "endpoint preview select=group-7" "/admin/api/catalog?kind=tools&select=group-7&limit=20&n=%s"
say ""
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
