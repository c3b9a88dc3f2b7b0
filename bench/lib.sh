# Shared by the bench/*.sh scripts (sourced, not run): output, ports, tokens, a quiet machine, stopping a process,
# a scratch folder cleaned up on exit, building the jar and the load generators, timing and medians, warming memory, awaiting Caravan, its peak heap. Expects ROOT and BENCH_DIR to be set.

say() { printf '%s\n' "$*"; }

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  say "no free port found" >&2; return 1
}

random_token() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A scratch folder ($WORK) and a list of processes to stop ($PIDS), both cleaned up however the script ends. A
# script with more to undo defines on_exit, which runs once those processes are stopped.
use_scratch() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/caravan-$1.XXXXXX")
  PIDS=()
  trap scratch_cleanup EXIT
  trap 'exit 130' INT TERM
}

scratch_cleanup() {
  for pid in "${PIDS[@]}"; do
    stop_pid "$pid"
  done
  if declare -F on_exit >/dev/null; then on_exit; fi
  rm -rf "$WORK"
}

# Stops a process: TERM, up to 15 s for it to finish, then KILL.
stop_pid() {
  local pid=$1
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

# CPU in use on the machine, in hundredths of a core, over one second (from /proc/stat; steal counts as used).
machine_busy() {
  local a b
  a=$(awk 'NR==1 {print $2+$3+$4+$7+$8+$9}' /proc/stat); sleep 1; b=$(awk 'NR==1 {print $2+$3+$4+$7+$8+$9}' /proc/stat)
  echo $((b - a))
}

# Waits, within BENCH_QUIET_WAIT seconds, for the machine to be quiet: other work skews every figure here.
wait_quiet() {
  local limit=${BENCH_QUIET_WAIT:-300} waited=0 busy
  while busy=$(machine_busy); (( busy > 25 )); do
    if (( waited == 0 )); then say "the machine is busy (other processes use $busy% of a core); waiting up to ${limit} s for it to quiet down..."; fi
    if (( waited >= limit )); then say "still busy ($busy% of a core) after ${limit} s; measuring anyway, expect low figures"; return 0; fi
    sleep 4; waited=$((waited + 5))
  done
}

# Builds $JAR when it is missing, or when it is the project's own and older than a source (so a benchmark never
# measures a stale build).
build_jar() {
  if [[ ! -f "$JAR" ]] || [[ "$JAR" == "$ROOT/target/caravan.jar"
        && -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$JAR" -type f | head -1)" ]]; then
    say "building $JAR (mvn package -DskipTests)..."
    (cd "$ROOT" && mvn -B -q -Dtest-peers.skip=true package -DskipTests)
  fi
}

# Sets CP to the application's runtime classpath (cached under target/bench) and compiles the load generators from
# the given source folders (default bench/src/main/java) into $WORK/classes; CP_EXTRA is appended to CP.
build_load_generator() {
  local cache="$ROOT/target/bench"
  mkdir -p "$cache"
  if [[ ! -s "$cache/classpath.txt" || "$ROOT/pom.xml" -nt "$cache/classpath.txt" ]]; then
    say "resolving the load generator's classpath (mvn dependency:build-classpath)..."
    (cd "$ROOT" && mvn -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cache/classpath.txt")
  fi
  CP=$(cat "$cache/classpath.txt")${CP_EXTRA:+:$CP_EXTRA}
  mkdir -p "$WORK/classes"
  # shellcheck disable=SC2046
  javac -nowarn -encoding UTF-8 -d "$WORK/classes" -cp "$CP" $(find "${@:-$BENCH_DIR/src/main/java}" -name '*.java')
  cp "$BENCH_DIR/src/main/resources/logback.xml" "$WORK/classes/"
}

now_ns() { date +%s%N; }
# MB/s for $1 bytes in $2 nanoseconds.
mbps() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.0f", b / 1048576 / (ns / 1e9) }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# This machine is a Firecracker VM with free page reporting: memory freed for longer than about 2 s is handed back
# to the host, and touching it again costs a host fault per page. Each timed copy fills SIZE_MB of new page cache,
# so whichever one happened to follow a pause would run up to 3x slower. prime() writes and frees a scratch file in
# $WORK/copies just before each timed copy, so every copy starts with the same warm free memory.
prime() {
  sync
  dd if=/dev/zero of="$WORK/copies/prime" bs=1M count="$((SIZE_MB + SIZE_MB / 8))" status=none
  rm -f "$WORK/copies/prime"
}

# Waits until Caravan (SERVER_PID, logging to $WORK/server.log) answers $1 with 200 to ADMIN_TOKEN, for at most
# STARTUP_LIMIT_S seconds; stops the run, with the end of the server's log, when it exits first.
await_caravan() {
  local url=$1 t0
  t0=$(now_ns)
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" "$url" 2>/dev/null)" == 200 ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then say "Caravan exited during startup:"; tail -40 "$WORK/server.log"; exit 1; fi
    if (( ($(now_ns) - t0) / 1000000000 > STARTUP_LIMIT_S )); then say "Caravan did not answer $url in time"; exit 1; fi
    sleep 0.2
  done
}

# The peak heap in use in $WORK/heap.samples (jstat -gc lines: survivor + eden + old used, KB), e.g. "180 MB".
peak_heap() {
  local kb
  kb=$(awk '$1 ~ /^[0-9.]+$/ {printf "%.0f\n", $3+$4+$6+$8}' "$WORK/heap.samples" | sort -n | tail -1)
  awk -v k="${kb:-0}" 'BEGIN {printf "%.0f MB", k/1024}'
}
