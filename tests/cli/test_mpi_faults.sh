#!/usr/bin/env bash
# Ranks that disagree, under mpirun: each rank is given one thing other
# than rank 0 (its data, the rows, a stale copy of the data, --epochs,
# --batch, --dtype, --patience, --check-ranks, --seed, --epochs 0), and
# every case must end, under a timeout, with one line naming the setting
# and the ranks, a non-zero exit status on every rank and no model written:
# never a hang, never Open MPI's dump of a failed collective, never a heap
# overrun (rank 0 with iris, rank 1 with wine corrupted the heap).  Then a
# bar on rank 0's terminal alone (a pseudo-terminal, as srun --pty gives)
# must not desynchronize the ranks.
# usage: test_mpi_faults.sh XORNET REPO_ROOT MPIRUN
set -u
xornet=$1
root=$2
mpirun=$3
. "$(dirname "$0")/common.sh"
data=$root/data

# Each rank runs the common arguments and its own from $case/args.RANK (one
# a line), and leaves its exit status in $case/rc.RANK.
cat >"$tmp/rank.sh" <<'EOF'
#!/usr/bin/env bash
r=$OMPI_COMM_WORLD_RANK
extra=()
[ -f "$XN_CASE/args.$r" ] && mapfile -t extra <"$XN_CASE/args.$r"
if [ -f "$XN_CASE/pty.$r" ]; then # this rank's output on a terminal of its own
    script -qefc "$(printf '%q ' "$XN_XORNET" "$@" "${extra[@]}")" /dev/null
else
    "$XN_XORNET" "$@" "${extra[@]}"
fi
rc=$?
echo "$rc" >"$XN_CASE/rc.$r"
exit "$rc"
EOF
chmod +x "$tmp/rank.sh"

# ranks NP CASE ARGS...: NP ranks of $tmp/rank.sh with the case's files.
# Open MPI kills the other ranks once one exits non-zero; here it lets
# each end by itself, so that each one's own status is seen.
ranks() {
    local np=$1 case=$2
    shift 2
    XN_CASE=$case XN_XORNET=$xornet timeout 60 "$mpirun" --allow-run-as-root --oversubscribe -np "$np" \
        --mca orte_abort_on_non_zero_status 0 -x XN_CASE -x XN_XORNET "$tmp/rank.sh" "$@" \
        >"$case/out" 2>"$case/err"
}

# refused NAME NP PATTERN RANK ARGS... -- COMMON...: rank RANK of NP gets
# ARGS (one argument a line) on top of COMMON; the run must fail on every
# rank with one line matching PATTERN and write no model
refused() {
    local name=$1 np=$2 pattern=$3 odd=$4
    shift 4
    local case=$tmp/$name own=()
    mkdir "$case"
    while [ "$1" != -- ]; do
        own+=("$1")
        shift
    done
    shift
    [ ${#own[@]} -eq 0 ] || printf '%s\n' "${own[@]}" >"$case/args.$odd"
    ranks "$np" "$case" train --quiet --save "$case/m.xn" "$@"
    local rc=$? lines
    lines=$(grep -c '^xornet: ' "$case/err")
    # mpirun's own status is 0 here (it lets each rank end): each rank's is
    # checked below
    if [ "$rc" -eq 124 ]; then
        fail "$name: the job hung (killed after 60 s)"
    elif [ "$lines" -ne 1 ] || ! grep -qE -- "^xornet: .*$pattern" "$case/err"; then
        fail "$name: $lines xornet lines, expected one matching '$pattern': $(grep '^xornet' "$case/err" | head -c 400)"
    fi
    grep -qi 'MPI_ERR\|An error occurred in MPI_' "$case/err" && fail "$name: Open MPI's error dump: $(head -c 300 "$case/err")"
    for ((r = 0; r < np; r++)); do
        local got
        got=$(cat "$case/rc.$r" 2>/dev/null)
        [ -n "$got" ] && [ "$got" -ne 0 ] || fail "$name: rank $r exited with status '${got:-none}', expected non-zero"
    done
    [ ! -e "$case/m.xn" ] || fail "$name: a model was written"
}

iris=(--data "$data/iris-train.csv" --epochs 5)
head -n -10 "$data/iris-train.csv" >"$tmp/iris-short.csv"
# a stale copy: 12 values of the first column changed by 0.01
awk -F, -v OFS=, 'NR >= 5 && NR < 17 { $1 = $1 + 0.01 } { print }' "$data/iris-train.csv" >"$tmp/iris-stale.csv"
[ "$(cmp -l "$data/iris-train.csv" "$tmp/iris-stale.csv" 2>/dev/null | wc -l)" -gt 0 ] || fail "the stale copy is the same"

refused data 2 'rank 1 has 13 inputs, rank 0 has 4' 1 --data "$data/wine-train.csv" -- "${iris[@]}"
refused rows 2 'rank 1 has [0-9]+ training rows, rank 0 has [0-9]+' 1 --data "$tmp/iris-short.csv" -- "${iris[@]}"
refused stale 2 'rank 1 has other training data than rank 0' 1 --data "$tmp/iris-stale.csv" -- "${iris[@]}"
refused epochs 2 'rank 1 has 6 epochs, rank 0 has 5' 1 --epochs 6 -- "${iris[@]}"
refused batch 2 'rank 1 has 16 rows a batch, rank 0 has 32' 1 --batch 16 -- "${iris[@]}"
refused dtype 2 'rank 1 has element type float32, rank 0 has float64' 1 --dtype float32 -- "${iris[@]}"
refused patience 2 'rank 1 has patience 3, rank 0 has 20' 1 --patience 3 -- "${iris[@]}"
refused check_ranks 2 'rank 1 has --check-ranks on, rank 0 has it off' 1 --check-ranks -- "${iris[@]}"
refused seed 3 'rank 2 has --seed 9, rank 0 has 1' 2 --seed 9 -- "${iris[@]}"
refused no_epochs 2 'epochs' 1 --epochs 0 -- "${iris[@]}"
refused xor_epochs 3 'rank 1 has 7 epochs, rank 0 has 300' 1 --epochs 7 -- --epochs 300

# rank 0's output on a terminal draws a bar from a batch callback; the other
# ranks must make its sums too, and the run ends as one without the bar
case=$tmp/pty
mkdir "$case"
touch "$case/pty.0"
ranks 2 "$case" train "${iris[@]}" --save "$case/m.xn"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$case/rc.0" "$case/rc.1" 2>/dev/null)" = "$(printf '0\n0')" ] ||
    fail "a bar on rank 0's terminal: exit $rc (124: it hung): $(head -c 300 "$case/err")"
grep -q 'batch [0-9]*/[0-9]* loss' "$case/out" || fail "a bar on rank 0's terminal: no bar drawn: $(head -c 300 "$case/out")"
ranks 2 "$tmp" train "${iris[@]}" --save "$tmp/plain.xn"
cmp -s "$case/m.xn" "$tmp/plain.xn" || fail "a bar on rank 0's terminal changed the model"

finish "MPI faults"
