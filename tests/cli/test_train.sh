#!/usr/bin/env bash
# xornet train from the command line: the main job's output, seed 001's run,
# progress and history, early stopping, saving and continuing, data files,
# and the exit status and one-line message of every kind of bad usage.
# usage: test_train.sh XORNET REPO_ROOT
set -u
xornet=$1
root=$2
. "$(dirname "$0")/common.sh"

# the main job: XOR learned, truth table with rounded == target
expect 0 train
grep -q '^final loss .* accuracy 1 after 1000 epochs$' "$tmp/out" || fail "default train: $(cat "$tmp/out")"
rows=$(grep -cE '^[01] [01] \| [0-9.e+-]+ \| ([01]) \| \1$' "$tmp/out")
[ "$rows" -eq 4 ] || fail "default train: expected 4 truth-table rows with rounded == target, got $rows"
grep -q '^epoch 0 loss ' "$tmp/out" || fail "progress lines missing in a pipe"

# seed 001 (np.random.seed(1), randn, lr 1.5, 500 epochs): the notebook printed
# "Final XOR preds: [[0.04852618] [0.98003239] [0.97855588] [0.01685806]]"
expect 0 train --rng numpy --seed 1 --init normal --lr 1.5 --epochs 500
while read -r x1 x2 want; do
    awk -v x1="$x1" -v x2="$x2" -v want="$want" -F' [|] ' '
        $1 == x1 " " x2 { found = 1; d = $2 - want; ok = d <= 1e-8 && d >= -1e-8 }
        END { exit !(found && ok) }' "$tmp/out" || fail "seed 001 output for $x1 $x2 is not $want to 1e-8"
done <<'EOF'
0 0 0.04852618
0 1 0.98003239
1 0 0.97855588
1 1 0.01685806
EOF
grep -q '^epoch 0 loss 0.3050' "$tmp/out" || fail "seed 001 epoch 0 loss (notebook: 0.3051)"

# --quiet: only the report
expect 0 train --quiet --epochs 10
grep -q '^epoch' "$tmp/out" && fail "--quiet printed progress"
grep -q '^final loss' "$tmp/out" || fail "--quiet lost the final report"
# a data set too large for the table of outputs says where they are, but
# not under --quiet
expect 0 train --data "$root/data/iris-train.csv" --epochs 3
grep -qx '(no table of outputs for 112 rows: xornet predict prints them)' "$tmp/out" ||
    fail "iris: no note about the table of outputs"
expect 0 train --data "$root/data/iris-train.csv" --epochs 3 --quiet
grep -q 'no table of outputs' "$tmp/out" && fail "--quiet printed the table's note"
# a regression's table has no column of classes
expect 0 train --act relu,identity --lr 0.1 --epochs 50 --quiet
grep -qx 'inputs | output | target' "$tmp/out" || fail "regression table header: $(grep inputs "$tmp/out")"
[ "$(grep -cE '^[01] [01] \| [0-9.e+-]+ \| [01]$' "$tmp/out")" -eq 4 ] ||
    fail "regression table rows: $(cat "$tmp/out")"

# --history: a header and one row per epoch 0..E; row 0 is the initial loss
expect 0 train --epochs 20 --history "$tmp/h.csv"
[ "$(head -n 1 "$tmp/h.csv")" = "epoch,loss,accuracy" ] || fail "history header"
[ "$(wc -l <"$tmp/h.csv")" -eq 22 ] || fail "history rows: $(wc -l <"$tmp/h.csv")"
[ "$(sed -n 22p "$tmp/h.csv" | cut -d, -f1)" = 20 ] || fail "history last epoch"
ls "$tmp"/h.csv.tmp* >/dev/null 2>&1 && fail "history left a temporary file"
[ "$(stat -c %a "$tmp/h.csv")" = 644 ] || fail "history mode $(stat -c %a "$tmp/h.csv"), expected 644"
# a run that fails leaves an existing history as it was
echo precious >"$tmp/keep.csv"
expect 1 train --lr 1e308 --act relu,identity --history "$tmp/keep.csv" --quiet
[ "$(cat "$tmp/keep.csv")" = precious ] || fail "a diverged run replaced the history file"
expect 1 train --epochs 5 --history "$tmp/keep.csv" --save "$tmp/no/dir/m.xn" --quiet
[ "$(cat "$tmp/keep.csv")" = precious ] || fail "a run whose save failed replaced the history file"
ls "$tmp"/keep.csv.tmp* >/dev/null 2>&1 && fail "a failed run left a temporary history file"

# --target-loss stops early and says where
expect 0 train --target-loss 0.01 --epochs 100000 --quiet
grep -q '^reached target loss 0.01 at epoch' "$tmp/out" || fail "--target-loss: $(cat "$tmp/out")"

# --save, then eval gives the same loss; --init-from continues from it
expect 0 train --epochs 200 --quiet --save "$tmp/m.xn"
final=$(sed -n 's/^final loss \([^ ]*\) .*/\1/p' "$tmp/out")
expect 0 eval --model "$tmp/m.xn"
loss=$(sed -n 's/^loss //p' "$tmp/out")
awk -v a="$final" -v b="$loss" 'BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }' ||
    fail "eval loss $loss differs from train's final loss $final"
cp "$tmp/m.xn" "$tmp/m0.xn"
expect 0 train --init-from "$tmp/m.xn" --epochs 200 --quiet --save "$tmp/m2.xn"
again=$(sed -n 's/^final loss \([^ ]*\) .*/\1/p' "$tmp/out")
awk -v a="$again" -v b="$final" 'BEGIN { exit !(a < b) }' || fail "--init-from did not continue: $again vs $final"
cmp -s "$tmp/m.xn" "$tmp/m0.xn" || fail "--init-from changed its input file"

# --checkpoint writes the model during training
expect 0 train --epochs 30 --checkpoint 10 --save "$tmp/c.xn" --quiet
[ -s "$tmp/c.xn" ] || fail "--checkpoint wrote nothing"

# a save that cannot happen: exit 1, nothing half-written, old file intact
expect 1 train --epochs 5 --quiet --save "$tmp/no/such/dir/m.xn"
grep -q '^xornet: ' "$tmp/err" || fail "failed save: no message"
mkdir "$tmp/isdir.xn"
expect 1 train --epochs 5 --quiet --save "$tmp/isdir.xn"
[ -d "$tmp/isdir.xn" ] || fail "failed save replaced a directory"

# training data from files: FANN's format and CSV with two outputs
expect 0 train --data "$root/data/xor.data" --quiet
grep -q 'accuracy 1 after' "$tmp/out" || fail "FANN XOR file did not train to accuracy 1: $(cat "$tmp/out")"
printf 'a,b,not,xor\n0,0,0,1\n0,1,1,0\n1,0,1,0\n1,1,0,1\n' >"$tmp/two.csv"
expect 0 train --data "$tmp/two.csv" --outputs 2 --layers 2,8,2 --act tanh,softmax --loss cce --opt adam --lr 0.05 --epochs 300 --quiet
grep -q 'accuracy 1 after' "$tmp/out" || fail "two-output CSV: $(cat "$tmp/out")"

# a FANN file brings its own output count (here 2: one-hot XOR)
printf '4 2 2\n0 0\n1 0\n0 1\n0 1\n1 0\n0 1\n1 1\n1 0\n' >"$tmp/two.data"
expect 0 train --data "$tmp/two.data" --layers 2,8,2 --act relu,softmax --loss cce --opt adam --lr 0.05 --epochs 300 --quiet
grep -q 'accuracy 1 after' "$tmp/out" || fail "two-output FANN file: $(cat "$tmp/out") $(cat "$tmp/err")"

# every kernel and optimizer trains XOR
for k in naive blas auto; do
    expect 0 train --kernel "$k" --quiet
    grep -q 'accuracy 1 after' "$tmp/out" || fail "--kernel $k"
done
expect 0 train --opt momentum --lr 0.5 --momentum 0.9 --quiet
grep -q 'accuracy 1 after' "$tmp/out" || fail "--opt momentum"

# a learning rate that diverges: exit 1, one line, no NaN printed
expect 1 train --lr 1e6 --act relu,identity --epochs 1000
grep -q 'diverged' "$tmp/err" || fail "divergence message: $(cat "$tmp/err")"
grep -qi 'nan' "$tmp/out" && fail "printed NaN while diverging"

# --loss cce on one target column: class ids (here 0/1, two classes)
expect 0 train --loss cce --quiet --epochs 2000
grep -q 'accuracy 1 after' "$tmp/out" || fail "--loss cce on XOR's 0/1 column: $(cat "$tmp/out")"
# ... which must be whole numbers: else the message points at --outputs K
printf '0,0,0\n0,1,0.5\n1,0,1\n' >"$tmp/half.csv"
expect 2 train --data "$tmp/half.csv" --loss cce
one_line_error "train --loss cce on 0.5 targets"
grep -q -- '--outputs K' "$tmp/err" || fail "--loss cce on one column: no hint of --outputs K: $(cat "$tmp/err")"

# bad usage: exit 2 and one line
expect 0 train --help
grep -q '^usage: xornet train' "$tmp/out" || fail "train --help"
while IFS= read -r args; do
    # shellcheck disable=SC2086
    expect 2 train $args
    one_line_error "train $args"
done <<'EOF'
--bogus
--lr
--lr abc
--lr 0
--lr inf
--epochs -3
--epochs 1.5
--layers 2,x,1
--layers 2
--layers 3,4,1
--act relu
--act relu,nope
--act softmax,sigmoid
--loss hinge
--loss bce --act relu,relu
--opt sgd
--init xavier
--rng mt
--order column
--kernel gpu
--momentum 1
--seed -1
--rng numpy --seed 4294967296
--checkpoint 3
--init-from /nonexistent/model.xn
--data /nonexistent/data.csv
--layers 2,2000000000,1
EOF
expect 2 bogus-command
one_line_error "bogus-command"
expect 2
expect 0 --help

finish "train CLI"
