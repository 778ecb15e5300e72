#!/usr/bin/env bash
# xornet train under mpirun: 2, 3 and 4 ranks end with the weights of one
# process (to 1e-12 relative) and equal to the bit on every rank (the
# program compares them after every epoch with --check-ranks, and exits 1
# if they differ); a checkpointed run resumes under MPI as it does alone;
# a rank that fails alone stops every rank with one message, and a killed
# rank ends the job, never a hang.
# usage: test_mpi.sh XORNET REPO_ROOT MPIRUN
set -u
xornet=$1
root=$2
mpirun=$3
. "$(dirname "$0")/common.sh"

# ranks NP ARGS...: xornet under mpirun with NP ranks, output in $tmp/out, $tmp/err
ranks() {
    local np=$1
    shift
    timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np "$np" "$xornet" "$@" \
        >"$tmp/out" 2>"$tmp/err"
}

# same_weights A B: every number of model file A within 1e-12 (relative,
# and absolute below 1) of B's, every word the same
same_weights() {
    awk 'NR == FNR { a[FNR] = $0; next }
         { if (split(a[FNR], x) != split($0, y)) { bad = 1; exit }
           for (i = 1; i in x; i++) {
               if (x[i] ~ /^[-+0-9.eE]+$/ && y[i] ~ /^[-+0-9.eE]+$/) {
                   d = x[i] - y[i]; if (d < 0) d = -d
                   s = x[i] < 0 ? -x[i] : x[i]; if (s < 1) s = 1
                   if (d > 1e-12 * s) bad = 1
               } else if (x[i] != y[i]) bad = 1
           } }
         END { exit bad }' "$1" "$2"
}

# ---- equality with one process ----------------------------------------------
# XOR as the notebooks train it (whole batch of 4: slices of 2+2, 1+1+2,
# 1+1+1+1), and iris with the defaults for data (shuffled batches of 32,
# standardized, a validation split scored across the ranks)
while IFS='|' read -r name args; do
    # shellcheck disable=SC2086
    "$xornet" train $args --quiet --save "$tmp/$name-1.xn" >/dev/null 2>&1 ||
        fail "$name: one process failed"
    for np in 2 3 4; do
        # shellcheck disable=SC2086
        ranks "$np" train $args --quiet --check-ranks --save "$tmp/$name-$np.xn" ||
            fail "$name with $np ranks: exit $? $(head -c 300 "$tmp/err")"
        same_weights "$tmp/$name-1.xn" "$tmp/$name-$np.xn" ||
            fail "$name with $np ranks: the weights are not those of one process"
        grep -q '^train ' "$tmp/out" || [ "$name" = xor ] ||
            fail "$name with $np ranks: no report from rank 0"
        [ "$(grep -c '^train ' "$tmp/out")" -le 1 ] || fail "$name with $np ranks: more than one rank reported"
    done
done <<EOF
xor|--epochs 300
xor-adam|--epochs 200 --opt adam --batch 2 --shuffle --dtype float32
iris|--data $root/data/iris-train.csv --epochs 40 --seed 5
EOF

# ---- a killed run resumes under MPI ----------------------------------------
# 2 ranks write a checkpoint every epoch into a FIFO.  Each read below takes
# a checkpoint; between reads rank 0 waits in the FIFO's open, so after the
# third read the job can go no further, and is killed there, whatever the
# load.  Going on from the third checkpoint ends
# where the straight run does, to the bit.
awk 'BEGIN { for (i = 0; i < 6000; i++) { a = (i * 7919 % 1000) / 1000; b = (i * 104729 % 997) / 997;
             print a "," b "," (a > b ? 1 : 0) } }' >"$tmp/mid.csv"
run=(--data "$tmp/mid.csv" --layers 2,64,1 --epochs 200 --seed 2 --quiet)
ranks 2 train "${run[@]}" --save "$tmp/straight.xn" || fail "straight run: $(cat "$tmp/err")"
mkfifo "$tmp/ck.pipe"
setsid "$mpirun" --allow-run-as-root --oversubscribe -np 2 "$xornet" train "${run[@]}" --checkpoint 1 \
    --save "$tmp/ck.pipe" >/dev/null 2>&1 &
job=$!
for _ in 1 2 3; do
    timeout 60 cat "$tmp/ck.pipe" >"$tmp/part.xn" || break
    # a read holds one checkpoint, or more when rank 0 opened the FIFO again
    # before cat saw the end of the last: keep the last whole one
    awk '/^xornet / { buf = "" } { buf = buf $0 "\n" } /^end$/ { last = buf } END { printf "%s", last }' \
        "$tmp/part.xn" >"$tmp/last.xn"
    [ -s "$tmp/last.xn" ] && mv "$tmp/last.xn" "$tmp/ck.xn"
done
kill -KILL -- "-$job" 2>/dev/null
wait "$job" 2>/dev/null
epoch=$(awk '$1 == "fit" && $2 == "epoch" { print $3 }' "$tmp/ck.xn" 2>/dev/null)
[ -n "$epoch" ] && [ "$epoch" -ge 1 ] && [ "$epoch" -lt 200 ] ||
    fail "the killed MPI run left no checkpoint from the middle of the run (epoch '$epoch')"
ranks 2 train "${run[@]}" --resume "$tmp/ck.xn" --save "$tmp/resumed.xn" || fail "resume: $(cat "$tmp/err")"
cmp -s "$tmp/straight.xn" "$tmp/resumed.xn" ||
    fail "the run resumed under MPI from epoch $epoch ends elsewhere than the straight one"
echo "killed after epoch $epoch of 200, resumed under MPI: the same bits"

# ---- faults: never a hang ---------------------------------------------------
# rank 1 alone meets a missing file: every rank stops, one message, exit 2
printf '#!/bin/sh\nif [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then d=/nonexistent/x.csv; else d=%s; fi\n' \
    "$root/data/iris-train.csv" >"$tmp/onebad.sh"
printf 'exec "%s" train --data "$d" --epochs 5 --quiet\n' "$xornet" >>"$tmp/onebad.sh"
chmod +x "$tmp/onebad.sh"
timeout 60 "$mpirun" --allow-run-as-root --oversubscribe -np 3 "$tmp/onebad.sh" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "one bad rank: exit $rc (124: it hung)"
[ "$(grep -c '^xornet: ' "$tmp/err")" -eq 1 ] || fail "one bad rank: not one message: $(grep '^xornet' "$tmp/err")"
grep -q '^xornet: /nonexistent/x.csv: ' "$tmp/err" || fail "one bad rank: the message does not name the file"
# a rank killed during training ends the job
awk 'BEGIN { for (i = 0; i < 20000; i++) { a = (i * 7919 % 1000) / 1000; b = (i * 104729 % 997) / 997;
             print a "," b "," (a > b ? 1 : 0) } }' >"$tmp/big.csv"
printf '#!/bin/sh\nif [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then (sleep 1; kill -9 $$) & fi\n' >"$tmp/killed.sh"
printf 'exec "%s" train --data "%s" --epochs 500 --quiet --layers 2,64,1\n' "$xornet" "$tmp/big.csv" >>"$tmp/killed.sh"
chmod +x "$tmp/killed.sh"
timeout 60 "$mpirun" --allow-run-as-root --oversubscribe -np 2 "$tmp/killed.sh" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a killed rank: exit $rc (124: the others hung)"

finish "MPI"
