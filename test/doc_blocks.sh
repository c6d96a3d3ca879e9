#!/bin/sh
# doc_blocks.sh OUTDIR FILE.md...: writes every ```cpp block of the given
# Markdown files to OUTDIR/STEM_N.cpp (STEM: the path without .md, '/' and
# '.' turned into '_'; N counts the file's cpp blocks from 1), so that make
# can compile each one against pollen (see the "docs check" section of the
# Makefile) and test/docs_test.cpp can check that every block has its stamp.
#
# A file is rewritten only when its text changed, so make recompiles only the
# blocks that changed; files of blocks that no longer exist are removed.
#
# Markers: HTML comments (invisible once rendered) on the lines right above a
# fence, documented in docs/README.md:
#   <!-- doccheck: continues -->  the block is compiled after the previous
#                                 cpp block of the same file (a hidden prelude)
#   <!-- doccheck: run -->        the program is also run; it must exit 0
#
# Each file starts with `#line` directives, so a compiler error names the
# Markdown file and line. test/docs_test.cpp builds the same text: keep the
# two in step.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 OUTDIR FILE.md..." >&2; exit 2; }
out=$1
shift
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/doc_blocks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for md in "$@"; do
    stem=$(printf '%s' "${md%.md}" | tr '/.' '__')
    awk -v md="$md" -v stem="$stem" -v dir="$tmp" '
        inblock && /^```/ {
            inblock = 0
            file = dir "/" stem "_" n ".cpp"
            printf "%s%s", (run ? "// doccheck: run\n" : ""), body > file
            close(file)
            prev = body
            markers = ""
            next
        }
        inblock { body = body $0 "\n"; next }
        /^```cpp[ \t]*$/ {
            inblock = 1
            n++
            run = (markers ~ /doccheck: run/)
            body = (markers ~ /doccheck: continues/ ? prev : "") sprintf("#line %d \"%s\"\n", NR + 1, md)
            next
        }
        /^<!-- doccheck: [a-z ]+ -->[ \t]*$/ { markers = markers $0; next }
        { markers = "" }
        END { if (inblock) { printf "%s: unterminated cpp block\n", md > "/dev/stderr"; exit 1 } }
    ' "$md"
done

for f in "$tmp"/*.cpp; do
    [ -e "$f" ] || continue
    dest="$out/$(basename "$f")"
    cmp -s "$f" "$dest" 2>/dev/null || cp "$f" "$dest"
done
for f in "$out"/*.cpp; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .cpp)
    [ -e "$tmp/$name.cpp" ] || rm -f "$f" "$out/$name.ok" "$out/$name.log" "$out/$name.d" "$out/$name.bin"
done
