#!/bin/sh
# plot.sh RESULTS.txt OUT.png: turns a saved `../shared/bench/compare.sh`
# scenario run (pollen-bench as A, tokio-bench as B) into a bar chart of
# Tokio / pollen per scenario (above 1: pollen faster), with each side's
# median time printed under its bar. `make bench-plot` runs it; the results
# file is kept so the chart can be redrawn without rerunning the benchmark.
#
# It reads the table compare.sh prints after its header line
# `scenario A_median_ns B_median_ns B/A`; rows that show "missing" or
# "failed" are left out, and the geomean line goes into the title.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 RESULTS.txt OUT.png" >&2; exit 2; }
in=$1
out=$2
command -v gnuplot >/dev/null || { echo "$0: gnuplot is missing: apt-get install gnuplot-nox" >&2; exit 1; }

data=$(mktemp "${TMPDIR:-/tmp}/bench-plot.XXXXXX")
trap 'rm -f "$data"' EXIT

# scenario, pollen ms, tokio ms, ratio: one row per scenario that ran on both sides.
awk 'seen && NF == 4 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && $4 ~ /^[0-9.]+$/ {
         printf "%s %.3f %.3f %s\n", $1, $2 / 1e6, $3 / 1e6, $4
     }
     $1 == "scenario" && $4 == "B/A" { seen = 1 }' "$in" >"$data"
[ -s "$data" ] || { echo "$0: no scenario rows in $in (is it compare.sh scenario output?)" >&2; exit 1; }

geomean=$(awk '/^geomean/ && match($0, /scenarios: [0-9.]+/) { print substr($0, RSTART + 11, RLENGTH - 11); exit }' "$in")
setup=$(awk -F'flags: ' '/^rounds=/ { r = $1; sub(/ .*/, "", r); print r ($2 != "" ? ", " $2 : ""); exit }' "$in")
when=$(awk '/^# / { sub(/^# /, ""); print; exit }' "$in")
n=$(wc -l <"$data")

# Two panels on one x axis: the ratio (the figure that matters on a shared
# machine), then both medians on a log scale (scenarios differ by 10^4).
gnuplot <<EOF
set terminal pngcairo size 1280,900 font "sans,10"
set output "$out"
set termoption noenhanced
set multiplot
set xrange [-0.6:$n - 0.4]
set style fill solid 0.85 border -1
set grid ytics lc rgb "#dddddd"
set lmargin 10
set rmargin 3

set origin 0, 0.5
set size 1, 0.5
set tmargin 4
set bmargin 1
set title "pollen vs Tokio per scenario: Tokio median / pollen median (above 1: pollen faster)\n${setup}${geomean:+, geomean $geomean}${when:+   [$when]}"
set boxwidth 0.7
set yrange [0:*]
set ylabel "Tokio / pollen"
set xtics 1 format "" nomirror
set key off
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#444444" dt 2 front
plot "$data" using 0:4:(\$4 >= 1 ? 0x2e8b57 : 0xd2691e) with boxes lc rgb variable, \
     "" using 0:4:(sprintf("%.2f", \$4)) with labels offset 0,0.7 font "sans,9"

set origin 0, 0
set size 1, 0.5
set tmargin 1
set bmargin 10
unset title
unset arrow 1
set boxwidth 0.35
set logscale y
set yrange [*:*]
set ylabel "median per iteration (ms, log scale)"
set xtics rotate by -35 left nomirror format "% g"
set key top left
plot "$data" using (\$0 - 0.18):2:xtic(1) with boxes lc rgb "#4682b4" title "pollen", \
     "" using (\$0 + 0.18):3 with boxes lc rgb "#b0b0b0" title "Tokio"
unset multiplot
EOF
echo "wrote $out from $in ($n scenarios)"
