#!/usr/bin/env bash
# run_shards.sh BIN SHARDS LOGDIR: runs the GoogleTest binary BIN as SHARDS
# processes at once (GoogleTest's own sharding: GTEST_TOTAL_SHARDS and
# GTEST_SHARD_INDEX split the tests between them), each into
# LOGDIR/shard-N.log, then prints the logs one after another and ONE line
# "N passed, N failed" summed over the shards (each shard's own such line,
# printed by test/main.cpp, is left out). The exit status is 0 only if every
# shard exited 0 and printed its line: a shard that crashed fails the run
# even though its unfinished tests are counted nowhere.
#
# Why it is safe to run shards side by side: every resource a test shares
# with the outside is per process (temp folders from mkdtemp or named with
# the pid, Unix socket paths and abstract names with the pid, the tmux
# server -L pollen-console-test-PID, ports bound to 0 or taken from
# free_port()); the build folder is only read.
set -u
bin=$1 shards=$2 logs=$3
[ "$shards" -ge 1 ] 2>/dev/null || { echo "run_shards.sh: SHARDS must be a positive number" >&2; exit 2; }
mkdir -p "$logs"
pids=()
for ((i = 0; i < shards; i++)); do
    GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i "$bin" >"$logs/shard-$i.log" 2>&1 &
    pids+=($!)
done
status=0 passed=0 failed=0
for ((i = 0; i < shards; i++)); do
    wait "${pids[$i]}"
    rc=$?
    log=$logs/shard-$i.log
    last=$(tail -n 1 "$log")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        sed '$d' "$log"
        passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
    else
        cat "$log"
        echo "run_shards.sh: shard $i of $shards ended without its summary line (exit status $rc)"
        status=1
    fi
    [ "$rc" -eq 0 ] || status=1
done
echo "$passed passed, $failed failed"
exit $status
