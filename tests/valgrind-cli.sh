#!/usr/bin/env bash
# The command-line tests under valgrind memcheck: every tests/cli/test_*.sh (or
# the scripts named) runs with tests/valgrind-xornet.sh standing in for the
# program, then `xornet train`, `xornet models` and `xornet approx` run
# under it directly.  Fails if a script fails, if a script never ran the
# program (so nothing was checked), or if valgrind reported anything, even
# in a run whose exit status the script expected to be non-zero.  A script
# that exits 77 could not run, in whole or in part, with a wrapper for a
# program (test_signals.sh: the signals would reach the wrapper) or on this
# machine: its SKIP lines are reported, as meson reports a skip, and the
# runs it made are checked.
#
# usage: tests/valgrind-cli.sh XORNET [SCRIPT...]
set -u
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 XORNET [SCRIPT...]   (XORNET: the built program)" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
export XORNET_REAL
XORNET_REAL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
wrapper=$root/tests/valgrind-xornet.sh
export XN_VALGRIND_PATH=$PATH   # the wrapper's own tools, whatever PATH a test sets
scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
    # all but the MPI tests (mpirun's processes are not the program's to
    # check), Fashion-MNIST (hours under memcheck) and the library example's
    # test (its subject is examples/train_iris.c, a meson target this script
    # is not given; CI runs that example under memcheck itself)
    for s in "$root"/tests/cli/test_*.sh; do
        case $(basename "$s") in test_mpi*.sh | test_fashion.sh | test_example.sh) ;; *) scripts+=("$s") ;; esac
    done
fi
out=$(mktemp -d /tmp/xornet-valgrind.XXXXXX)
failed=0

# check NAME: the records in $XN_VALGRIND_DIR after a script or a run
check() {
    if [ -e "$XN_VALGRIND_DIR/errors.log" ]; then
        echo "valgrind: $1: memcheck reported errors or leaks:" >&2
        head -n 60 "$XN_VALGRIND_DIR/errors.log" >&2
        echo "valgrind: $1: full report $XN_VALGRIND_DIR/errors.log" >&2
        failed=1
    fi
    if [ ! -s "$XN_VALGRIND_DIR/calls.log" ]; then
        echo "valgrind: $1: the program never ran under valgrind (does the script use \$1?)" >&2
        failed=1
    fi
}

# one script: its records and log in $out/NAME
run_script() {
    local s=$1 name
    name=$(basename "$s" .sh)
    export XN_VALGRIND_DIR=$out/$name
    mkdir -p "$XN_VALGRIND_DIR"
    local start rc
    start=$(date +%s)
    bash "$s" "$wrapper" "$root" >"$XN_VALGRIND_DIR/test.log" 2>&1
    rc=$?
    echo "$rc $(($(date +%s) - start))" >"$XN_VALGRIND_DIR/status"
}

# The scripts in parallel, one a core: memcheck is single-threaded.
jobs_max=$(nproc 2>/dev/null || echo 2)
for s in "${scripts[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n
    done
    run_script "$s" &
done
wait
for s in "${scripts[@]}"; do
    name=$(basename "$s" .sh)
    export XN_VALGRIND_DIR=$out/$name
    read -r rc secs <"$XN_VALGRIND_DIR/status" || { rc=1; secs=?; }
    echo "valgrind: $name: exit $rc, $({ wc -l <"$XN_VALGRIND_DIR/calls.log"; } 2>/dev/null || echo 0)" \
         "runs of xornet, ${secs}s"
    # 77: the script, or a part of it, cannot run here (it says why, on
    # its SKIP lines), as under meson; what did run is checked
    if [ "$rc" -eq 77 ]; then
        grep '^SKIP' "$XN_VALGRIND_DIR/test.log" | sed "s/^/valgrind: $name: /"
        [ -s "$XN_VALGRIND_DIR/calls.log" ] && check "$name"
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        echo "valgrind: $name: the script failed under valgrind:" >&2
        tail -n 30 "$XN_VALGRIND_DIR/test.log" >&2
        failed=1
    fi
    check "$name"
done

# The commands a user runs first, directly, in a scratch folder.
export XN_VALGRIND_DIR=$out/direct
mkdir -p "$XN_VALGRIND_DIR/work"
while read -r args; do
    start=$(date +%s)
    # shellcheck disable=SC2086  # args is a word list
    (cd "$XN_VALGRIND_DIR/work" && "$wrapper" $args) >"$XN_VALGRIND_DIR/last.log" 2>&1
    rc=$?
    echo "valgrind: xornet $args: exit $rc, $(($(date +%s) - start))s"
    if [ $rc -ne 0 ]; then
        tail -n 20 "$XN_VALGRIND_DIR/last.log" >&2
        failed=1
    fi
done <<'EOF'
train
train --layers 2,4,4,1 --act tanh,relu,sigmoid --loss bce --opt adam --epochs 300 --save net.xn --history hist.csv
models
approx --fn sin --n 100
EOF
check direct

if [ $failed -eq 0 ]; then
    rm -rf "$out"
    echo "valgrind: no errors, no leaks"
else
    echo "valgrind: FAILED; records in $out" >&2
fi
exit $failed
