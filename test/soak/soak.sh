#!/usr/bin/env bash
# soak.sh: pollen's servers under real load for a bounded time (`make soak`).
#
#     test/soak/soak.sh BUILD_DIR [MINUTES]
#
# Runs BUILD_DIR/samples/echo_server, and BUILD_DIR/samples/mini_redis when it
# exists, side by side:
#   1. echo throughput with 8 active connections, alone;
#   2. the same with 10,000 idle connections held open on the echo server;
#   3. for the rest of the time, active echo plus churn (connections opening,
#      closing, resetting with SO_LINGER 0, resetting mid-message), while
#      redis-benchmark loops against mini_redis.
# Every few seconds it samples each server's RSS (/proc/PID/status VmRSS) and
# open fds (/proc/PID/fd). At the end it checks: RSS flat (the last sample
# within 20% + 8 MiB of the one after warm-up), fds back to their baseline
# once the clients are gone, no client error, a clean exit on SIGTERM.
# Prints a summary table; exits 1 if a check failed.
set -uo pipefail

BUILD=${1:?usage: soak.sh BUILD_DIR [MINUTES]}
MINUTES=${2:-10}
TOTAL=$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')
IDLE=${SOAK_IDLE:-10000}
SAMPLE_EVERY=5
LOAD="$BUILD/soak/echo_load"
WORK=$(mktemp -d /tmp/pollen-soak-XXXXXX)
START=$(date +%s)
failures=()

# Each side of 10,000 connections needs as many descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE + 1000)) ]; then
    IDLE=$(( $(ulimit -n) - 1000 ))
    echo "soak: ulimit -n is $(ulimit -n); holding $IDLE idle connections instead"
fi

say() { printf 'soak [%4ds] %s\n' $(( $(date +%s) - START )) "$*"; }
fail() { failures+=("$*"); say "FAIL: $*"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# start NAME BINARY: runs it on a free port, sets NAME_pid and NAME_port.
start() {
    local name=$1 bin=$2
    "$bin" --port 0 --threads 2 >"$WORK/$name.out" 2>"$WORK/$name.err" &
    local pid=$!
    for _ in $(seq 100); do
        grep -q '^listening port=' "$WORK/$name.out" 2>/dev/null && break
        sleep 0.1
    done
    local port
    port=$(sed -n 's/^listening port=//p' "$WORK/$name.out")
    [ -n "$port" ] || { echo "soak: $name did not start"; cat "$WORK/$name.err"; exit 1; }
    printf -v "${name}_pid" %s "$pid"
    printf -v "${name}_port" %s "$port"
}

stop_server() {  # stop_server NAME PID: SIGTERM, then its exit status must be 0
    local name=$1 pid=$2
    kill -TERM "$pid" 2>/dev/null
    local status=0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$name did not exit within 10 s of SIGTERM"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"; status=$?
    [ "$status" = 0 ] || fail "$name exited with status $status"
}

servers=(echo)
start echo "$BUILD/samples/echo_server"
if [ -x "$BUILD/samples/mini_redis" ] && command -v redis-benchmark >/dev/null; then
    start redis "$BUILD/samples/mini_redis"
    servers+=(redis)
else
    say "mini_redis or redis-benchmark missing: soaking echo_server alone"
fi
sleep 1
for s in "${servers[@]}"; do
    pid_var=${s}_pid
    printf -v "${s}_fd_base" %s "$(fds "${!pid_var}")"
done

# The sampler: "seconds echo_rss_kb echo_fds [redis_rss_kb redis_fds]" lines.
(
    while :; do
        line="$(( $(date +%s) - START ))"
        for s in "${servers[@]}"; do
            pid_var=${s}_pid
            line+=" $(rss_kb "${!pid_var}") $(fds "${!pid_var}")"
        done
        echo "$line"
        sleep "$SAMPLE_EVERY"
    done
) >"$WORK/samples.txt" &
sampler=$!

# ---- 1. throughput without idle connections
say "echo: 8 active connections, 20 s"
"$LOAD" --port "$echo_port" --seconds 20 --active 8 >"$WORK/phase1.txt" 2>>"$WORK/load.err" ||
    fail "echo load (phase 1): $(cat "$WORK/phase1.txt")"
rps_alone=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' "$WORK/phase1.txt")
say "echo: $(cat "$WORK/phase1.txt")"

# ---- 2. the same with IDLE idle connections held open to the end
remaining=$(( TOTAL - ($(date +%s) - START) ))
hold=$(( remaining > 60 ? remaining - 10 : 50 ))
say "echo: opening $IDLE idle connections, held for ${hold}s"
"$LOAD" --port "$echo_port" --seconds "$hold" --idle "$IDLE" >"$WORK/idle.txt" 2>"$WORK/idle.err" &
idle_pid=$!
for _ in $(seq 600); do grep -q 'holding' "$WORK/idle.err" 2>/dev/null && break; sleep 0.5; done
held_open=$(sed -n 's/.*holding \([0-9]*\).*/\1/p' "$WORK/idle.err")
echo_fd_peak=$(fds "$echo_pid")
say "echo: ${held_open:-0} idle connections open; server fds $echo_fd_peak"
"$LOAD" --port "$echo_port" --seconds 20 --active 8 >"$WORK/phase2.txt" 2>>"$WORK/load.err" ||
    fail "echo load (phase 2): $(cat "$WORK/phase2.txt")"
rps_idle=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' "$WORK/phase2.txt")
say "echo: $(cat "$WORK/phase2.txt")"

# ---- 3. churn and redis-benchmark for the rest of the time
remaining=$(( TOTAL - ($(date +%s) - START) ))
[ "$remaining" -lt 30 ] && remaining=30
warm_at=$(( $(date +%s) - START + remaining / 4 ))
say "echo: active + churn for ${remaining}s; warm-up sample at ${warm_at}s"
"$LOAD" --port "$echo_port" --seconds "$remaining" --active 4 --churn 4 >"$WORK/phase3.txt" 2>>"$WORK/load.err" &
churn_pid=$!
redis_runs=0 redis_errors=0
if [ -n "${redis_port:-}" ]; then
    end=$(( $(date +%s) + remaining ))
    while [ "$(date +%s)" -lt "$end" ]; do
        if ! timeout 120 redis-benchmark -p "$redis_port" -q -n 20000 -c 20 -P 8 -r 10000 -t set,get,incr,ping \
            >>"$WORK/redis-bench.txt" 2>&1; then
            redis_errors=$((redis_errors + 1))
        fi
        redis_runs=$((redis_runs + 1))
        [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] || redis_errors=$((redis_errors + 1))
    done
    grep -qi 'error' "$WORK/redis-bench.txt" && redis_errors=$((redis_errors + $(grep -ci error "$WORK/redis-bench.txt")))
fi
wait "$churn_pid" || fail "echo load (phase 3): $(cat "$WORK/phase3.txt")"
say "echo: $(cat "$WORK/phase3.txt")"
load_end=$(( $(date +%s) - START ))
wait "$idle_pid" || fail "idle holder: $(cat "$WORK/idle.txt")"
say "echo idle: $(cat "$WORK/idle.txt")"

# ---- checks
sleep "$SAMPLE_EVERY"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
# fds settle once the clients are gone (closing is asynchronous on the server).
for s in "${servers[@]}"; do
    pid_var=${s}_pid base_var=${s}_fd_base
    for _ in $(seq 50); do [ "$(fds "${!pid_var}")" -le "${!base_var}" ] && break; sleep 0.2; done
    printf -v "${s}_fd_end" %s "$(fds "${!pid_var}")"
done

col=0
printf '\n%-12s %8s %10s %10s %8s %9s %9s %8s %10s %7s\n' server minutes "rss_warm" "rss_end" growth \
    fds_base fds_peak fds_end held errors
for s in "${servers[@]}"; do
    c_rss=$((2 + 2 * col)) c_fd=$((3 + 2 * col))
    warm=$(awk -v t="$warm_at" -v c="$c_rss" '$1 >= t { print $c; exit }' "$WORK/samples.txt")
    last=$(awk -v t="$load_end" -v c="$c_rss" '$1 <= t { v = $c } END { print v }' "$WORK/samples.txt")
    peak=$(awk -v c="$c_fd" 'BEGIN { m = 0 } $c > m { m = $c } END { print m }' "$WORK/samples.txt")
    base_var=${s}_fd_base end_var=${s}_fd_end
    warm=${warm:-0} last=${last:-0}
    if [ "$s" = echo ]; then
        held=${held_open:-0}
        errs=$(cat "$WORK"/phase*.txt "$WORK/idle.txt" 2>/dev/null | sed -n 's/.*errors=\([0-9]*\).*/\1/p' |
               awk '{ s += $1 } END { print s + 0 }')
    else
        held=-
        errs=$redis_errors
    fi
    growth=$(awk -v w="$warm" -v l="$last" 'BEGIN { if (w > 0) printf "%+.1f%%", (l - w) * 100 / w; else print "?" }')
    printf '%-12s %8s %8dMB %8dMB %8s %9s %9s %8s %10s %7s\n' "$s" "$MINUTES" $((warm / 1024)) $((last / 1024)) \
        "$growth" "${!base_var}" "$peak" "${!end_var}" "$held" "$errs"
    awk -v w="$warm" -v l="$last" 'BEGIN { exit !(l <= w * 1.2 + 8192) }' ||
        fail "$s: RSS grew from ${warm} kB after warm-up to ${last} kB"
    [ "${!end_var}" -le "${!base_var}" ] || fail "$s: ${!end_var} fds open after the clients left (baseline ${!base_var})"
    [ "$errs" = 0 ] || fail "$s: $errs client errors"
    col=$((col + 1))
done
printf '\necho throughput: %s round trips/s with 8 active connections alone, %s with %s idle ones held open\n' \
    "${rps_alone:-?}" "${rps_idle:-?}" "${held_open:-0}"
[ "${held_open:-0}" -ge "$IDLE" ] || fail "only ${held_open:-0} of $IDLE idle connections could be opened"
if [ -n "${redis_port:-}" ]; then
    printf 'mini_redis: %s redis-benchmark runs; last: %s\n' "$redis_runs" \
        "$(tr '\r' '\n' <"$WORK/redis-bench.txt" | grep 'requests per second' | tail -n 4 | cut -d, -f1 | paste -sd';')"
fi

for s in "${servers[@]}"; do
    pid_var=${s}_pid
    stop_server "$s" "${!pid_var}"
done
echo "samples: $WORK/samples.txt"
if [ "${#failures[@]}" -gt 0 ]; then
    printf 'soak: FAILED (%d):\n' "${#failures[@]}"
    printf '  %s\n' "${failures[@]}"
    exit 1
fi
echo "soak: passed"
