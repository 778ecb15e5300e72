#!/bin/bash
# Stands in for the xornet program in the command-line tests
# (tests/cli/*.sh take the program as $1): runs the real one under valgrind
# memcheck and records any memory error or leak in a marker file, so a
# finding cannot be lost even where a test expects a failing exit status.
#
# Environment:
#   XORNET_REAL        the real xornet executable (required)
#   XN_VALGRIND_DIR    a folder for the records (required): every run
#                      appends its arguments to calls.log; a run with a
#                      valgrind report appends the report to errors.log
#                      (the marker: the caller fails if it exists)
#   XN_VALGRIND_ARGS   extra valgrind options (optional), e.g.
#                      --track-origins=yes to trace an uninitialised value
#                      (left out by default: it costs 0.8 s a run)
#
# The program's standard output, standard error and exit status pass
# through unchanged, except that a valgrind report makes the status 99.
# valgrind's own output goes to a log file, never to the program's streams,
# which the tests compare.
#
# Tests may run the program with a PATH that hides a tool (gnuplot, say):
# the wrapper (hence #!/bin/bash, not env) finds its own tools on
# XN_VALGRIND_PATH (default: the usual system folders) and hands the
# caller's PATH on to the program unchanged.
set -u
caller_path=${PATH-}
PATH=${XN_VALGRIND_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
valgrind=$(command -v valgrind) || { echo "valgrind-xornet.sh: valgrind not found" >&2; exit 98; }
real=${XORNET_REAL:?set XORNET_REAL to the xornet executable}
dir=${XN_VALGRIND_DIR:?set XN_VALGRIND_DIR to a folder for the valgrind records}
mkdir -p "$dir" || exit 98

# One BLAS thread: memcheck runs threads one at a time anyway, and idle
# OpenBLAS workers spinning under it cost minutes.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

log=$(mktemp "$dir/run.XXXXXX") || exit 98
printf '%s\n' "$*" >>"$dir/calls.log"
# shellcheck disable=SC2086  # XN_VALGRIND_ARGS is a list of options
PATH=$caller_path "$valgrind" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --quiet \
    ${XN_VALGRIND_ARGS:-} --log-file="$log" "$real" "$@"
rc=$?
# With --quiet the log holds only reports; the status alone could be
# mistaken for the program's own 99, the log alone could miss a report
# valgrind counts but writes elsewhere: either one marks the run.
if [ "$rc" -eq 99 ] || [ -s "$log" ]; then
    {
        echo "==== valgrind: exit $rc: xornet $*"
        echo "==== cwd: $PWD"
        cat "$log"
    } >>"$dir/errors.log"
    rc=99
fi
rm -f "$log"
exit "$rc"
