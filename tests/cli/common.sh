# Shared by the command-line tests (sourced, not run): a temporary folder
# removed on exit, a failure counter, and the closing summary.
#   fail MESSAGE...   counts a failure and says why on stderr
#   finish WHAT       exits 1 if anything failed, else says WHAT passed
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    echo "$1: all checks passed"
    exit 0
}
