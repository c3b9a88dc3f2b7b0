#!/usr/bin/env bash
# URL import against curl: a 1 GiB file imported from a local HTTP server into a local workspace (admin API, job
# polled to its end, the server fsyncs before the job is done) beside `curl -o` of the same URL to the same disk
# (then sync) in the same run; then 50 small imports at once, each of which must end `done`. Server JVM at
# -Xmx256m; prints MB/s, the ratio, the CPU seconds each side used (curl and sync; the whole server JVM while the
# job ran, its job polls included), and the server's peak heap. See bench/README.md ("URL import").
#
#   bench/imports.sh                      # 1 GiB, 3 rounds, 50 small imports
#   BENCH_FILE_MB=256 BENCH_ROUNDS=1 BENCH_SMALL=20 bench/imports.sh
#
# The HTTP server is Python's http.server on 127.0.0.1 (the import allow-list names 127.0.0.1 for this run only).
# The trap stops what this script started and removes its files.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
SIZE_MB=${BENCH_FILE_MB:-1024}
ROUNDS=${BENCH_ROUNDS:-3}
SMALL=${BENCH_SMALL:-50}
HEAP=${BENCH_FILE_HEAP:--Xmx256m}
STARTUP_LIMIT_S=120

WORK=$(mktemp -d "${TMPDIR:-/tmp}/caravan-imports-bench.XXXXXX")
SERVER_PID=""
ORIGIN_PID=""
SAMPLER_PID=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
cleanup() {
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  stop_pid "$SERVER_PID"
  stop_pid "$ORIGIN_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_jar

ADMIN_TOKEN=$(random_token)
PORT=$(free_port)
ORIGIN_PORT=$(free_port)
mkdir -p "$WORK/data" "$WORK/routes" "$WORK/connectors" "$WORK/copies" "$WORK/origin/small"
cat > "$WORK/connectors/workspaces.yaml" <<YAML
workspaces:
  - name: bench
    backend: local
    root: $WORK/ws
    versions: 0
YAML

say "== Caravan URL import benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "server JVM: $HEAP; file: $SIZE_MB MiB; rounds: $ROUNDS; small imports: $SMALL"

SRC="$WORK/origin/source.bin"
head -c "$((SIZE_MB * 1048576))" /dev/urandom >"$SRC"
for i in $(seq 1 "$SMALL"); do head -c 4096 /dev/urandom >"$WORK/origin/small/s-$i.bin"; done
sync
BYTES=$(stat -c %s "$SRC")
SRC_SUM=$(sha256sum "$SRC" | cut -d' ' -f1)
(cd "$WORK/origin" && exec python3 -m http.server "$ORIGIN_PORT" --bind 127.0.0.1 >"$WORK/origin.log" 2>&1) &
ORIGIN_PID=$!
ORIGIN="http://127.0.0.1:$ORIGIN_PORT"

CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN java $HEAP -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" --caravan.connectors-dir="$WORK/connectors" \
  --caravan.import.allowed-hosts=127.0.0.1 --caravan.import.poll-interval=500ms \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
API="http://127.0.0.1:$PORT/admin/api/imports"
AUTH="Authorization: Bearer $ADMIN_TOKEN"
await_caravan "$API"
jstat -gc "$SERVER_PID" 200 >"$WORK/heap.samples" 2>/dev/null &
SAMPLER_PID=$!

# Starts an import ($1 url, $2 path) and prints the job id.
start_import() {
  curl -sS -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"workspace\":\"bench\",\"url\":\"$1\",\"path\":\"$2\",\"onConflict\":\"overwrite\"}" "$API" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"])'
}
# Polls the jobs named as arguments every 20 ms, on one keep-alive connection from one process (a process per poll
# would compete with the server for the CPU), until all have ended; prints "done" or "failed" per job.
await_jobs() {
  python3 - "$PORT" "$ADMIN_TOKEN" "$@" <<'PY'
import http.client, json, sys, time
port, token, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
for job in ids:
    while True:
        conn.request("GET", "/admin/api/imports/" + job, headers={"Authorization": "Bearer " + token})
        state = json.loads(conn.getresponse().read())["state"]
        if state in ("done", "failed"):
            print(state)
            break
        time.sleep(0.02)
PY
}

# Notes the CPU time this shell's finished children have used (the builtin `times`, second line) in $WORK/times.$1;
# run it in this shell, not in $(...), whose subshell has children of its own. children_cpu A B: seconds between.
note_times() { times >"$WORK/times.$1"; }
children_cpu() {
  awk 'FNR == 2 {for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t[FILENAME] += a[1] * 60 + a[2]}}
       END {printf "%.2f", t[ARGV[2]] - t[ARGV[1]]}' "$WORK/times.$1" "$WORK/times.$2"
}
# CPU seconds the server process has used so far (utime + stime from /proc, in clock ticks).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"; }

say ""
printf '%-6s %10s %12s %8s %14s\n' round "curl MB/s" "import MB/s" "import/curl" "CPU s curl/jvm"
CURL_ALL=(); IMP_ALL=(); RATIO=()
for round in $(seq 1 "$ROUNDS"); do
  prime
  note_times before
  t=$(now_ns); curl -sS -o "$WORK/copies/curl.bin" "$ORIGIN/source.bin"; sync "$WORK/copies/curl.bin"; curl_ns=$(( $(now_ns) - t ))
  note_times after
  curl_cpu=$(children_cpu before after)
  rm -f "$WORK/copies/curl.bin"
  prime
  s0=$(server_cpu)
  t=$(now_ns)
  id=$(start_import "$ORIGIN/source.bin" "big-$round.bin")
  state=$(await_jobs "$id")
  imp_ns=$(( $(now_ns) - t ))
  jvm_cpu=$(awk -v a="$s0" -v b="$(server_cpu)" 'BEGIN {printf "%.2f", b - a}')
  [[ "$state" == done ]] || { say "the import ended $state:"; curl -sS -H "$AUTH" "$API/$id"; exit 1; }
  if [[ "$round" == 1 ]]; then
    [[ "$(sha256sum "$WORK/ws/big-1.bin" | cut -d' ' -f1)" == "$SRC_SUM" ]] || { say "the imported file differs"; exit 1; }
  fi
  rm -f "$WORK/ws/big-$round.bin"
  c=$(mbps "$BYTES" "$curl_ns"); i=$(mbps "$BYTES" "$imp_ns")
  CURL_ALL+=("$c"); IMP_ALL+=("$i"); RATIO+=("$(awk -v a="$i" -v b="$c" 'BEGIN {printf "%.0f", 100*a/b}')")
  printf '%-6s %10s %12s %7s%% %14s\n' "$round" "$c" "$i" "${RATIO[-1]}" "$curl_cpu/$jvm_cpu"
done
say "median: curl $(median "${CURL_ALL[@]}") MB/s, import $(median "${IMP_ALL[@]}") MB/s; import/curl $(median "${RATIO[@]}")% (median of the rounds' ratios)   target: >= 80%"
say "content check: sha256 of the imported file matches the source"

say ""
t=$(now_ns)
IDS=()
for i in $(seq 1 "$SMALL"); do IDS+=("$(start_import "$ORIGIN/small/s-$i.bin" "small/")")  ; done
submit_ms=$(( ($(now_ns) - t) / 1000000 ))
DONE=0; FAILED=0
STATES=$(await_jobs "${IDS[@]}")
DONE=$(grep -c '^done$' <<<"$STATES" || true); FAILED=$(grep -c '^failed$' <<<"$STATES" || true)
small_ms=$(( ($(now_ns) - t) / 1000000 ))
say "$SMALL small imports (4 KiB) started at once: $DONE done, $FAILED failed, all ended within $small_ms ms (submitting them, a curl and a python3 per job, took $submit_ms ms of it)   target: every one done"

kill "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
say "server heap in use, peak of samples every 200 ms: $(peak_heap) (of $HEAP)   target: <= 256 MB"
say "server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER_PID/status")"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
