#!/usr/bin/env bash
# The program's side of the fuzzers' line check: every input that xornet
# refuses as bad input (exit status 2) is refused with exactly one line,
#     xornet: FILE:LINE: message
# naming the file it was given and a line of it; no input makes it exit
# with another status than 0, 1 or 2 (a crash, a sanitizer's report).  Runs the program over
# folders of inputs: the committed corpora (meson test, suite cli), and in
# CI the inputs the fuzzers found (tests/fuzz/run.sh).
#
# usage: tests/fuzz/cli_lines.sh XORNET REPO_ROOT KIND:FOLDER [LIMIT]...
#   KIND model   each file is a model: xornet predict --model FILE (the
#                built-in XOR data, so a model of another width is refused
#                at its sizes line)
#   KIND csv     each file is fuzz_data_csv's input: a selector byte (1 +
#                byte mod 3 target columns) and the text, which is written
#                to a file of its own: train --data --outputs, and eval
#                against a 2-10-1 model
#   KIND fann    each file is a data file: train --data, eval as above
#   LIMIT        at most this many files of the folder, the newest first
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 XORNET REPO_ROOT KIND:FOLDER[:LIMIT]..." >&2
    exit 2
fi
X=$1
ROOT=$2
shift 2
model=$ROOT/tests/fuzz/corpus/model/valid_xor_2_10_1.xn
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1
failures=0 runs=0 refused=0

# the file name as the program prints it (control characters as '?'),
# then as an extended regular expression
re() { printf '%s' "$1" | tr '\000-\037\177' '?' | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# check FILE ARGS...: runs xornet ARGS; an exit status 2 must come with one
# line "xornet: FILE:LINE: ..."
check() {
    local file=$1
    shift
    timeout 60 "$X" "$@" >/dev/null 2>"$tmp/err" </dev/null
    local rc=$?
    runs=$((runs + 1))
    if [ "$rc" -gt 2 ]; then # a crash, a sanitizer's abort, the timeout
        echo "FAIL: xornet $*: exit status $rc: $(head -c 300 "$tmp/err")" >&2
        failures=$((failures + 1))
        return 0
    fi
    [ "$rc" -eq 2 ] || return 0
    refused=$((refused + 1))
    if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qE "^xornet: $(re "$file"):[0-9]+: " "$tmp/err"; then
        echo "FAIL: xornet $*: exit 2 without one 'FILE:LINE:' line: $(head -c 300 "$tmp/err")" >&2
        failures=$((failures + 1))
    fi
}

for spec in "$@"; do
    kind=${spec%%:*}
    rest=${spec#*:}
    folder=${rest%%:*}
    limit=${rest#"$folder"}
    limit=${limit#:}
    [ -d "$folder" ] || { echo "$0: no folder $folder" >&2; exit 2; }
    # shellcheck disable=SC2012  # names are the fuzzers' hashes or ours
    files=$(ls -t "$folder" | head -n "${limit:-1000000}")
    for name in $files; do
        f=$folder/$name
        case $kind in
        model)
            check "$f" predict --model "$f"
            ;;
        csv)
            sel=$(head -c 1 "$f" | od -An -tu1 | tr -d ' ')
            outputs=$((1 + ${sel:-0} % 3))
            data=$tmp/$name.csv
            tail -c +2 "$f" >"$data"
            check "$data" train --quiet --epochs 1 --data "$data" --outputs "$outputs"
            check "$data" eval --model "$model" --data "$data"
            ;;
        fann)
            check "$f" train --quiet --epochs 1 --data "$f"
            check "$f" eval --model "$model" --data "$f"
            ;;
        *)
            echo "$0: unknown kind '$kind'" >&2
            exit 2
            ;;
        esac
    done
done
echo "cli_lines: $runs runs, $refused refused as bad input, $failures without FILE:LINE"
[ "$refused" -gt 0 ] || { echo "FAIL: no input was refused: nothing was checked" >&2; exit 1; }
[ "$failures" -eq 0 ]
