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
