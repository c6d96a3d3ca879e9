#!/bin/sh
# docs/screenshots.sh [BUILD]: regenerates the pictures of docs/debugging.md
# (docs/images/*.png) from the real programs: `make docs-screenshots`.
#
# The console pictures: each debugging sample runs with POLLEN_CONSOLE=1,
# pollen-console attaches to it in a tmux pane of its own server (-L), and
# once the screen shows what the picture is for (a warning), the pane is
# captured with its colours (capture-pane -e), turned into an HTML page (a
# dark <pre>, the SGR colours as spans) and screenshot by headless Chromium.
# The timeline pictures: each sample runs a few seconds with POLLEN_TRACE,
# samples/trace_timeline draws the trace as HTML, Chromium screenshots it.
#
# Needs tmux, chromium and perl, and the samples built:
#   make build/samples/pollen-console build/samples/trace_timeline \
#        build/samples/blocking_call build/samples/lost_wake build/samples/starved_task
set -eu

BUILD=${1:-build}
OUT=docs/images
S=$(cd "$BUILD/samples" && pwd)
tmp=$(mktemp -d)
sock=pollen-shots-$$
pid=
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p "$OUT"

# shoot HTML PNG WIDTH HEIGHT
shoot() {
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --user-data-dir="$tmp/profile" --window-size="$3,$4" --screenshot="$2" "file://$(realpath "$1")" \
        >"$tmp/chromium.log" 2>&1 || { cat "$tmp/chromium.log"; exit 1; }
    [ -s "$2" ] || { echo "screenshots.sh: no $2"; cat "$tmp/chromium.log"; exit 1; }
    echo "$2: $(wc -c <"$2") bytes"
}

# A tmux capture with escapes (stdin) as an HTML page (stdout): SGR bold,
# reverse, red and yellow, as pollen-console uses them; TITLE above it.
ansi_to_html() {
    perl -e '
        my $title = shift;
        my %fg = (31 => "#ff6b6b", 32 => "#8fd18f", 33 => "#f2c94c", 34 => "#6fa8ff", 36 => "#66d9e8");
        my ($bold, $rev, $col) = (0, 0, "");
        sub esc { my $t = shift; $t =~ s/&/&amp;/g; $t =~ s/</&lt;/g; $t =~ s/>/&gt;/g; $t }
        sub open_span {
            my ($f, $b) = ($col || "#d8dee9", "#1d2129");
            ($f, $b) = ($b, $f) if $rev;
            my $s = "color:$f;" . ($rev ? "background:$b;" : "") . ($bold ? "font-weight:bold;" : "");
            return "<span style=\"$s\">";
        }
        print "<!doctype html><meta charset=utf-8><style>body{margin:0;background:#fff;font-family:sans-serif}",
              "h1{font-size:14px;margin:8px 12px;color:#333}",
              "pre{margin:0 12px 12px;padding:10px 12px;background:#1d2129;color:#d8dee9;",
              "font:13px/17px \"DejaVu Sans Mono\",monospace;border-radius:6px;display:inline-block}</style>",
              "<h1>", esc($title), "</h1><pre>";
        while (my $line = <STDIN>) {
            chomp $line;
            my $html = open_span();
            for my $part (split /(\e\[[0-9;]*m)/, $line) {
                if ($part =~ /^\e\[([0-9;]*)m$/) {
                    for my $c (split /;/, ($1 eq "" ? "0" : $1)) {
                        if ($c == 0) { ($bold, $rev, $col) = (0, 0, "") }
                        elsif ($c == 1) { $bold = 1 } elsif ($c == 22) { $bold = 0 }
                        elsif ($c == 7) { $rev = 1 } elsif ($c == 27) { $rev = 0 }
                        elsif ($c == 39) { $col = "" } elsif (exists $fg{$c}) { $col = $fg{$c} }
                    }
                    $html .= "</span>" . open_span();
                } else {
                    $html .= esc($part);
                }
            }
            print $html, "</span>\n";
        }
        print "</pre>\n";
    ' "$1"
}

# console SAMPLE PNG ROWS PATTERN TITLE [KEYS]: the console attached to
# SAMPLE, captured once its screen matches the extended regex PATTERN
# (after typing KEYS, if given).
console() {
    sample=$1 png=$2 rows=$3 pattern=$4 title=$5 keys=${6:-}
    POLLEN_CONSOLE=1 "$S/$sample" --seconds 60 >"$tmp/$sample.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do grep -qs . "$tmp/$sample.out" && break; sleep 0.1; done
    tmux -L "$sock" new-session -d -s shot -x 132 -y "$rows" "$S/pollen-console --interval 170 $pid"
    sleep 1
    if [ -n "$keys" ]; then tmux -L "$sock" send-keys -t shot $keys; fi
    found=
    for _ in $(seq 200); do
        # one capture, matched without its escapes and drawn with them
        tmux -L "$sock" capture-pane -e -p -t shot >"$tmp/screen"
        if sed 's/\x1b\[[0-9;]*m//g' "$tmp/screen" | grep -Eq "$pattern"; then found=1; break; fi
        sleep 0.1
    done
    [ -n "$found" ] || { echo "screenshots.sh: $sample: the console never showed /$pattern/:"; cat "$tmp/screen"; exit 1; }
    ansi_to_html "$title" <"$tmp/screen" >"$tmp/$sample.html"
    tmux -L "$sock" kill-server
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    shoot "$tmp/$sample.html" "$png" 1120 $((rows * 17 + 70))
}

# timeline SAMPLE PNG SECONDS [ARGS]: the sample's trace, drawn.
timeline() {
    sample=$1 png=$2 seconds=$3; shift 3
    # (lost_wake exits 1: the batcher never finished, which is the point)
    POLLEN_TRACE="$tmp/$sample.json" "$S/$sample" --seconds "$seconds" "$@" >/dev/null || true
    [ -s "$tmp/$sample.json" ] || { echo "screenshots.sh: $sample wrote no trace"; exit 1; }
    # from inside $tmp, so that the page's title names just the trace file
    (cd "$tmp" && "$S/trace_timeline" "$sample.json" "$sample-timeline.html" >/dev/null)
    # The page's height: its last text line (the legend) plus a margin.
    bottom=$(grep -o '<text x="[0-9.]*" y="[0-9.]*"' "$tmp/$sample-timeline.html" | sed 's/.*y="\([0-9.]*\)"/\1/' | sort -n | tail -1)
    shoot "$tmp/$sample-timeline.html" "$png" 1600 $((${bottom%.*} + 16))
}

console blocking_call "$OUT/console-blocking-call.png" 14 'long_poll: task 2 "handler".*in one poll for 2[0-9]{2}' \
    'pollen-console attached to build/samples/blocking_call: the handler is inside a blocking call'
console lost_wake "$OUT/console-lost-wake.png" 14 'no_waker: task 2 "batcher"' \
    'pollen-console attached to build/samples/lost_wake: the batcher lost its waker'
console lost_wake "$OUT/console-lost-wake-dump.png" 14 'NextBatch: batch of 3' \
    'pollen-console attached to build/samples/lost_wake, key d: the task dump' d
console starved_task "$OUT/console-starved-task.png" 15 'long_poll: task 2 "indexer".*in one poll for [0-9]{3}' \
    'pollen-console attached to build/samples/starved_task: the indexer never yields'
timeline blocking_call "$OUT/timeline-blocking-call.png" 2
timeline blocking_call "$OUT/timeline-blocking-call-fixed.png" 2 --fixed
timeline starved_task "$OUT/timeline-starved-task.png" 3
