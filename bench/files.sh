#!/usr/bin/env bash
# The HTTP file API against cp: a 1 GiB file written (PUT) and read (GET) through /files/WORKSPACE/PATH on the local
# backend, with the server JVM at -Xmx256m, beside cp of the same file on the same file system in the same run.
# Prints MB/s for each, the ratios, and the server's peak heap and RSS. See bench/README.md ("File API").
#
#   bench/files.sh                      # 1 GiB, 5 rounds
#   BENCH_FILE_MB=256 BENCH_ROUNDS=1 bench/files.sh
#
# Every copy is fsynced before its clock stops (cp: `sync FILE`; PUT: the server fsyncs before answering; GET: the
# client's file is synced), so all three pay for the same disk writes. Everything talks to 127.0.0.1 only; the trap
# stops what this script started and removes its files.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${CARAVAN_JAR:-$ROOT/target/caravan.jar}
SIZE_MB=${BENCH_FILE_MB:-1024}
ROUNDS=${BENCH_ROUNDS:-5}
HEAP=${BENCH_FILE_HEAP:--Xmx256m}
STARTUP_LIMIT_S=120

WORK=$(mktemp -d "${TMPDIR:-/tmp}/caravan-files-bench.XXXXXX")
SERVER_PID=""
SAMPLER_PID=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
cleanup() {
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  stop_pid "$SERVER_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_jar

ADMIN_TOKEN=$(random_token)
PORT=$(free_port)
mkdir -p "$WORK/data" "$WORK/routes" "$WORK/connectors" "$WORK/copies"
cat > "$WORK/connectors/workspaces.yaml" <<YAML
workspaces:
  - name: bench
    backend: local
    root: $WORK/ws
    versions: 0
YAML

say "== Caravan file API benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); file system of $WORK: $(df -hT "$WORK" | awk 'NR==2 {print $2, $1}')"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "server JVM: $HEAP; file: $SIZE_MB MiB; rounds: $ROUNDS"

CARAVAN_ADMIN_TOKEN=$ADMIN_TOKEN java $HEAP -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" \
  --caravan.routes-dir="$WORK/routes" --caravan.data-dir="$WORK/data" --caravan.connectors-dir="$WORK/connectors" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
await_caravan "http://127.0.0.1:$PORT/files/bench/"

# Heap in use, sampled every 200 ms while the transfers run (jstat: survivor + eden + old used, KB). One jstat
# process samples throughout: starting a jstat JVM per sample would keep a core busy beside the transfers.
jstat -gc "$SERVER_PID" 200 >"$WORK/heap.samples" 2>/dev/null &
SAMPLER_PID=$!

SRC="$WORK/source.bin"
say "writing a $SIZE_MB MiB source file of random bytes..."
head -c "$((SIZE_MB * 1048576))" /dev/urandom >"$SRC"
sync "$SRC"
BYTES=$(stat -c %s "$SRC")
SRC_SUM=$(sha256sum "$SRC" | cut -d' ' -f1)
# Stops the run when a file read back ($1, by the client named $2) differs from the source.
same_as_source() {
  [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$SRC_SUM" ]] || { say "the file read back by $2 differs from the one written"; exit 1; }
}
URL="http://127.0.0.1:$PORT/files/bench"
AUTH="Authorization: Bearer $ADMIN_TOKEN"

# The server's CPU time (user + system, in clock ticks) so far.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
TICK_MS=$((1000 / $(getconf CLK_TCK)))

say ""
printf '%-6s %9s %9s %9s %9s %9s %7s %7s %7s %13s %13s %11s\n' round "cp MB/s" "pipe MB/s" "PUT MB/s" "GET MB/s" \
  "GETs MB/s" PUT/cp GET/cp GETs/cp "PUT srv CPU" "GET srv CPU" "GET>null"
CP_ALL=(); PIPE_ALL=(); PUT_ALL=(); GET_ALL=(); SPLICE_ALL=(); PUT_CPU_ALL=(); GET_CPU_ALL=(); NULL_ALL=()
PUT_RATIO=(); GET_RATIO=(); SPLICE_RATIO=()
for round in $(seq 1 "$ROUNDS"); do
  # cp: read the source, write a copy, fsync it.
  prime
  t=$(now_ns); cp "$SRC" "$WORK/copies/cp.bin"; sync "$WORK/copies/cp.bin"; cp_ns=$(( $(now_ns) - t ))
  rm -f "$WORK/copies/cp.bin"
  # pipe: for reference only, two processes moving the bytes through user space (as curl and the server do).
  prime
  t=$(now_ns); cat "$SRC" | cat >"$WORK/copies/pipe.bin"; sync "$WORK/copies/pipe.bin"; pipe_ns=$(( $(now_ns) - t ))
  rm -f "$WORK/copies/pipe.bin"
  # PUT: curl reads the source and sends it; the server streams it into a temp file, fsyncs, renames, answers.
  prime
  c0=$(server_ticks); t=$(now_ns)
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/octet-stream' -T "$SRC" "$URL/put-$round.bin")
  put_ns=$(( $(now_ns) - t )); put_cpu=$(( ($(server_ticks) - c0) * TICK_MS ))
  [[ "$code" == 201 ]] || { say "PUT answered $code"; tail -20 "$WORK/server.log"; exit 1; }
  # GET: the server sends the file; curl writes it to a file, which is fsynced.
  prime
  c0=$(server_ticks); t=$(now_ns)
  code=$(curl -sS -o "$WORK/copies/get.bin" -w '%{http_code}' -H "$AUTH" "$URL/put-$round.bin")
  sync "$WORK/copies/get.bin"; get_ns=$(( $(now_ns) - t )); get_cpu=$(( ($(server_ticks) - c0) * TICK_MS ))
  [[ "$code" == 200 ]] || { say "GET answered $code"; exit 1; }
  if [[ "$round" == 1 ]]; then same_as_source "$WORK/copies/get.bin" "GET"; fi
  rm -f "$WORK/copies/get.bin"
  # GETs: the same GET with a client that moves the body from the socket to its file inside the kernel (splice), as
  # cp does, and fsyncs it: what the server's GET achieves when the client is not the slower side.
  prime
  t=$(now_ns)
  code=$(python3 "$BENCH_DIR/splice_get.py" "$URL/put-$round.bin" "$WORK/copies/get.bin" "$AUTH")
  splice_ns=$(( $(now_ns) - t ))
  [[ "$code" == 200 ]] || { say "GET (splice) answered $code"; exit 1; }
  if [[ "$round" == 1 ]]; then same_as_source "$WORK/copies/get.bin" "GETs"; fi
  rm -f "$WORK/copies/get.bin"
  # GET>null, for reference: the same GET with curl discarding the bytes, i.e. without the client's disk writes.
  t=$(now_ns); curl -sS -o /dev/null -H "$AUTH" "$URL/put-$round.bin"; null_ns=$(( $(now_ns) - t ))
  curl -sS -o /dev/null -X DELETE -H "$AUTH" "$URL/put-$round.bin"
  c=$(mbps "$BYTES" "$cp_ns"); q=$(mbps "$BYTES" "$pipe_ns"); p=$(mbps "$BYTES" "$put_ns"); g=$(mbps "$BYTES" "$get_ns")
  n=$(mbps "$BYTES" "$null_ns"); s=$(mbps "$BYTES" "$splice_ns")
  CP_ALL+=("$c"); PIPE_ALL+=("$q"); PUT_ALL+=("$p"); GET_ALL+=("$g"); PUT_CPU_ALL+=("$put_cpu"); GET_CPU_ALL+=("$get_cpu")
  NULL_ALL+=("$n"); SPLICE_ALL+=("$s")
  PUT_RATIO+=("$(awk -v a="$p" -v b="$c" 'BEGIN {printf "%.0f", 100*a/b}')")
  GET_RATIO+=("$(awk -v a="$g" -v b="$c" 'BEGIN {printf "%.0f", 100*a/b}')")
  SPLICE_RATIO+=("$(awk -v a="$s" -v b="$c" 'BEGIN {printf "%.0f", 100*a/b}')")
  printf '%-6s %9s %9s %9s %9s %9s %6s%% %6s%% %6s%% %10s ms %10s ms %11s\n' "$round" "$c" "$q" "$p" "$g" "$s" \
    "${PUT_RATIO[-1]}" "${GET_RATIO[-1]}" "${SPLICE_RATIO[-1]}" "$put_cpu" "$get_cpu" "$n"
done

MC=$(median "${CP_ALL[@]}"); MQ=$(median "${PIPE_ALL[@]}"); MP=$(median "${PUT_ALL[@]}"); MG=$(median "${GET_ALL[@]}")
say ""
# The ratios are paired: each round's PUT and GET against that round's cp, then the median of those.
say "median: cp $MC MB/s, PUT $MP MB/s, GET $MG MB/s (curl), GETs $(median "${SPLICE_ALL[@]}") MB/s (splice client); PUT/cp $(median "${PUT_RATIO[@]}")%, GET/cp $(median "${GET_RATIO[@]}")%, GETs/cp $(median "${SPLICE_RATIO[@]}")% (median of the rounds' ratios)   target: >= 70%"
say "for reference, against the user-space pipe ($MQ MB/s): PUT $(awk -v a="$MP" -v b="$MQ" 'BEGIN {printf "%.0f", 100*a/b}')%, GET $(awk -v a="$MG" -v b="$MQ" 'BEGIN {printf "%.0f", 100*a/b}')%"
say "server CPU per transfer (user + system), median: PUT $(median "${PUT_CPU_ALL[@]}") ms, GET $(median "${GET_CPU_ALL[@]}") ms; GET to /dev/null $(median "${NULL_ALL[@]}") MB/s"
say "content check: sha256 of the file read back matches the source ($SRC_SUM)"

kill "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
say "server heap in use, peak of samples every 200 ms: $(peak_heap) (of $HEAP)"
say "server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER_PID/status")"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
