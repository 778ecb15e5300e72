# Shared by the command-line tests (sourced, not run): a temporary folder
# removed on exit, a failure counter, and the closing summary.
#   fail MESSAGE...   counts a failure and says why on stderr
#   skip PART WHY     a part that cannot run here: says "SKIP: PART (WHY)"
#                     now, and finish then exits 77 (meson's skipped)
#   finish WHAT       exits 1 if anything failed, 77 if a part was skipped,
#                     else says WHAT passed
#   expect STATUS ARGS...  runs $xornet ARGS, output in $tmp/out and
#                     $tmp/err, and checks its exit status
#   one_line_error WHAT    the error is one line on stderr, starting
#                     "xornet: ", and nothing is on stdout
#   run ARGS...       runs $xornet ARGS with no input, leaving its exit
#                     status in $rc and its output in $tmp/out, $tmp/err
#   one_line WHAT STATUS PATTERN   the last run exited STATUS with exactly
#                     one line on stderr, matching the extended regular
#                     expression PATTERN
#   is_png FILE       FILE is there and starts with the PNG signature
#   png_size FILE     "WIDTHxHEIGHT" from its IHDR chunk
#   gnuplot_watched   puts a gnuplot first on PATH that runs the real one
#                     and keeps each run in $tmp/gp/N/: the script
#                     (plot.gp), its data (*.dat) and what gnuplot said
#                     (said; all of it also in $tmp/gp/said).  Returns 1
#                     when there is no gnuplot to watch
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
skipped=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

skip() {
    echo "SKIP: $1 ($2)"
    skipped=$((skipped + 1))
}

# A test with a part skipped is reported as skipped, not passed: the rest
# ran, but the whole did not (CI fails on any skip).
finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    if [ "$skipped" -ne 0 ]; then
        echo "$1: the checks that ran passed; SKIP: $skipped part(s) could not run here"
        exit 77
    fi
    echo "$1: all checks passed"
    exit 0
}

expect() {
    local want=$1
    shift
    "$xornet" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "xornet $* exited $got, expected $want: $(head -c 300 "$tmp/err")"
}

one_line_error() {
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$*: expected one line on stderr, got: $(cat "$tmp/err")"
    grep -q '^xornet: ' "$tmp/err" || fail "$*: error does not start with 'xornet: '"
    [ ! -s "$tmp/out" ] || fail "$*: printed to stdout on error: $(head -c 200 "$tmp/out")"
}

run() {
    "$xornet" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
}

one_line() {
    local lines
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne "$2" ] || [ "$lines" -ne 1 ] || ! grep -qE -- "$3" "$tmp/err"; then
        fail "$1: exit $rc (expected $2), $lines lines on standard error, expected one matching" \
             "'$3': $(head -c 400 "$tmp/err")"
    fi
}

is_png() {
    [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
}

png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }'; }

gnuplot_watched() {
    local real
    real=$(command -v gnuplot) || return 1
    mkdir -p "$tmp/gp/bin"
    : >"$tmp/gp/said"
    # xornet runs "gnuplot -d SCRIPT", the data beside the script
    cat >"$tmp/gp/bin/gnuplot" <<EOF
#!/bin/sh
n=\$(ls -d "$tmp/gp"/[0-9]* 2>/dev/null | wc -l)
d="$tmp/gp/\$((n + 1))"
mkdir "\$d" && cp "\$2" "\$(dirname "\$2")"/*.dat "\$d/" 2>/dev/null
"$real" "\$@" 2>"\$d/said"
rc=\$?
cat "\$d/said" >>"$tmp/gp/said"
cat "\$d/said" >&2
exit \$rc
EOF
    chmod +x "$tmp/gp/bin/gnuplot"
    PATH="$tmp/gp/bin:$PATH"
}
