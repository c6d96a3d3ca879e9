#!/bin/sh
# compile_fail.sh CASE.cpp STEM COMPILER [FLAGS...]: checks that a classic
# mistake of test/compile_fail/ is refused with pollen's own words.
#
# CASE.cpp opens with `// expect: TEXT`. The script compiles it with
# `COMPILER FLAGS -c CASE.cpp` (as make compiles a test file) and checks that
#   1. the compilation fails,
#   2. the first line of the output containing `error:` contains TEXT
#      (a static_assert message of pollen's, or for the few mistakes the
#      compiler itself reports first, the compiler's words), and
#   3. the whole output is at most 20 lines: a short error, not pages of
#      template instantiations.
# Optional lines right below it:
#   // then: TEXT2       TEXT2 must also be on a later `error:` line (pollen's
#                        message, where the compiler's own comes first)
#   // max-lines: N      another limit, for a mistake only the compiler
#                        reports (its notes are not ours to shorten)
#
# On success it writes STEM.ok and removes STEM.log; on failure it writes
# what went wrong and the compiler output to STEM.log, removes STEM.ok and
# exits 1. The suite's CompileFail.EveryClassicMistakeGivesPollensMessage
# (test/compile_fail_test.cpp) reports every case without its stamp.
set -u

[ $# -ge 3 ] || { echo "usage: $0 CASE.cpp STEM COMPILER [FLAGS...]" >&2; exit 2; }
src=$1
stem=$2
shift 2

mkdir -p "$(dirname "$stem")"
rm -f "$stem.ok" "$stem.log"

expect=$(sed -n '1s|^// expect: ||p' "$src")
then_text=$(sed -n '2,3s|^// then: ||p' "$src")
max=$(sed -n '2,3s|^// max-lines: ||p' "$src")
max=${max:-20}
fail() {
    { echo "$src: $1"; echo "--- compiler output ($lines lines):"; cat "$stem.out"; } >"$stem.log"
    rm -f "$stem.out"
    exit 1
}

lines=0
: >"$stem.out"
[ -n "$expect" ] || fail "the first line must be \`// expect: <text of the first error>\`"

# LC_ALL=C: plain quotes, and the same words whatever the user's locale.
LC_ALL=C "$@" -fdiagnostics-color=never -c "$src" -o /dev/null >"$stem.out" 2>&1
status=$?
lines=$(wc -l <"$stem.out" | tr -d ' ')

[ "$status" -ne 0 ] || fail "compiled, but this mistake must be refused"
first=$(grep -m1 'error:' "$stem.out")
case $first in
    *"$expect"*) ;;
    *) fail "the first error is not the expected one.
  expected it to contain: $expect
  first error:            $first" ;;
esac
if [ -n "$then_text" ]; then
    grep 'error:' "$stem.out" | tail -n +2 | grep -qF -- "$then_text" ||
        fail "no later error contains: $then_text"
fi
[ "$lines" -le "$max" ] || fail "the compiler output is $lines lines, more than $max"

rm -f "$stem.out"
touch "$stem.ok"
