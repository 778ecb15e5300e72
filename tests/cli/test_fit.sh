#!/usr/bin/env bash
# xornet train on real data sets: the defaults on the shipped sets (scored
# against scikit-learn's defaults on the same split, bench/RESULTS.md),
# progress and history with validation, regression reported without an
# accuracy, targets that do not fit the output refused with their line, a
# run that learns nothing warned about, a killed run resumed from its
# checkpoint to the bits of the uninterrupted one, float32, and predict
# --classes and eval --confusion.
# usage: test_fit.sh XORNET REPO_ROOT
set -u
xornet=$1
root=$2
. "$(dirname "$0")/common.sh"
data=$root/data

# at_least A B: A >= B as numbers
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# ---- the defaults on the shipped data sets ----------------------------------
# scikit-learn's MLPClassifier / MLPRegressor with their defaults on the same
# split (bench/sklearn_baseline.py; medians over random_state 0-4): iris
# 0.9211, wine 0.9333, breast cancer 0.9301, diabetes R^2 0.3144; the last
# field of the test line is the accuracy, or R^2 for regression
while read -r set floor; do
    expect 0 train --data "$data/$set-train.csv" --test "$data/$set-test.csv" --quiet
    score=$(awk '$1 == "test" { print $NF }' "$tmp/out")
    [ -n "$score" ] && at_least "$score" "$floor" ||
        fail "$set: test score '$score' under scikit-learn's $floor"
done <<'EOF'
iris 0.9211
wine 0.9333
breast-cancer 0.9301
diabetes 0.3144
EOF
# regression: rmse, mae and r2, never an accuracy
expect 0 train --data "$data/diabetes-train.csv" --test "$data/diabetes-test.csv" --every 5
grep -qi 'accuracy' "$tmp/out" && fail "regression printed an accuracy: $(cat "$tmp/out")"
grep -q '^test .* rmse .* mae .* r2 ' "$tmp/out" || fail "regression report: $(cat "$tmp/out")"
grep -q '^epoch 5/200 loss .* rmse .* val_rmse ' "$tmp/out" || fail "regression progress: $(cat "$tmp/out")"

# ---- progress, validation, history ------------------------------------------
expect 0 train --data "$data/iris-train.csv" --epochs 12 --history "$tmp/h.csv" --seed 4
grep -q '^epoch 12/12 loss [0-9.]* accuracy [0-9.]* val_loss [0-9.]* val_accuracy [0-9.]* ([0-9.]*s)$' \
    "$tmp/out" || fail "epoch line: $(cat "$tmp/out")"
[ "$(head -n 1 "$tmp/h.csv")" = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds" ] ||
    fail "history header: $(head -n 1 "$tmp/h.csv")"
[ "$(wc -l <"$tmp/h.csv")" -eq 13 ] || fail "history rows: $(wc -l <"$tmp/h.csv")"
awk -F, 'NR > 1 && (NF != 7 || $6 != 0.001) { bad = 1 } END { exit bad }' "$tmp/h.csv" ||
    fail "history rows: 7 fields, Adam's rate: $(sed -n 2p "$tmp/h.csv")"
grep -q '^train  loss .* accuracy ' "$tmp/out" && grep -q '^val    loss .* accuracy ' "$tmp/out" ||
    fail "the report's train and val lines: $(cat "$tmp/out")"
# a schedule shows in the history's rate column
expect 0 train --data "$data/iris-train.csv" --epochs 4 --lr-schedule step:2:0.5 --history "$tmp/s.csv" --quiet
awk -F, 'NR > 1 { want = NR <= 3 ? 0.001 : 0.0005; d = $6 - want; if (d * d > 1e-30) bad = 1 } END { exit bad }' \
    "$tmp/s.csv" || fail "step schedule: $(cut -d, -f6 "$tmp/s.csv" | tr '\n' ' ')"
# early stopping keeps the best epoch and says so
expect 0 train --data "$data/iris-train.csv" --epochs 300 --lr 0.05 --patience 5 --quiet
grep -q '^stopped early after epoch [0-9]*: no better val_loss for 5 epochs; the weights of epoch [0-9]* are kept$' \
    "$tmp/out" || fail "early stopping: $(cat "$tmp/out")"

# ---- targets that do not fit the output -------------------------------------
printf 'a,b,y\n1,2,0.5\n2,3,3\n' >"$tmp/range.csv"
expect 2 train --data "$tmp/range.csv" --loss bce
one_line_error "bce on a target of 3"
grep -q "^xornet: $tmp/range.csv:3: target 3 is outside \[0, 1\]" "$tmp/err" || fail "range: $(cat "$tmp/err")"
# classes on sigmoids: one a class, each learned apart (one-vs-rest)
expect 0 train --data "$data/iris-train.csv" --act relu,sigmoid --epochs 20 --quiet --save "$tmp/ovr.xn"
grep -q '^activations relu sigmoid$' "$tmp/ovr.xn" && grep -q '^sizes 4 100 3$' "$tmp/ovr.xn" ||
    fail "classes on sigmoids: $(head -n 3 "$tmp/ovr.xn")"
printf '0,1,0.5,0.5\n1,0,1,1\n' >"$tmp/soft.csv"
expect 2 train --data "$tmp/soft.csv" --outputs 2 --loss cce
one_line_error "cce on rows that are not one-hot"
grep -q "soft.csv:2: the 2 targets are not one-hot" "$tmp/err" || fail "one-hot: $(cat "$tmp/err")"
for bad in "--lr-schedule step:0:0.5" "--lr-schedule exp:2" "--lr-schedule sine" "--val-split 1" \
           "--val $data/iris-test.csv --val-split 0.2" "--weight-decay -1" "--dtype float16" "--batch x"; do
    # shellcheck disable=SC2086
    expect 2 train --data "$data/iris-train.csv" $bad
    one_line_error "train $bad"
done

# ---- a run that learns nothing is warned about ------------------------------
expect 0 train --data "$data/iris-train.csv" --init zeros --layers 4,10,3 --epochs 30 --quiet
grep -q '^xornet: warning: the loss stayed at 1\.09[0-9]*, ln 3' "$tmp/err" || fail "flat loss: $(cat "$tmp/err")"

# ---- a killed run resumes from its checkpoint, to the bit -------------------
# The killed run writes a checkpoint every epoch and a progress line every
# epoch into a FIFO that is opened but never read: once the pipe's 64 KiB
# are full (about 700 lines) the run blocks in a write, long before its
# 1000 epochs end, so the SIGKILL, sent once a first checkpoint is there,
# lands mid-run whatever the load.
awk 'BEGIN { for (i = 0; i < 2000; i++) { a = (i * 7919 % 1000) / 1000; b = (i * 104729 % 997) / 997;
             print a "," b "," (a > b ? 1 : 0) } }' >"$tmp/mid.csv"
run=(train --data "$tmp/mid.csv" --layers 2,16,1 --epochs 1000 --patience 0 --seed 3 --lr-schedule cosine)
"$xornet" "${run[@]}" --quiet --save "$tmp/straight.xn" >/dev/null 2>&1 || fail "the straight run failed"
mkfifo "$tmp/progress"
# its own process group, so the kill reaches whatever runs the program
setsid "$xornet" "${run[@]}" --every 1 --checkpoint 1 --save "$tmp/ck.xn" >"$tmp/progress" 2>/dev/null &
job=$!
exec 3<"$tmp/progress"
# up to a minute (valgrind) for a checkpoint from epoch 2 on: at epoch 1
# every schedule has run at lr0, so "another schedule" below could not show
for _ in $(seq 600); do
    awk '$1 == "fit" && $2 == "epoch" && $3 >= 2 { found = 1 } END { exit !found }' "$tmp/ck.xn" 2>/dev/null && break
    sleep 0.1
done
kill -KILL -- "-$job" 2>/dev/null
wait "$job" 2>/dev/null
exec 3<&-
epoch=$(awk '$1 == "fit" && $2 == "epoch" { print $3 }' "$tmp/ck.xn" 2>/dev/null)
[ -n "$epoch" ] && [ "$epoch" -ge 2 ] && [ "$epoch" -lt 1000 ] ||
    fail "the killed run left no checkpoint from the middle of the run (epoch '$epoch')"
"$xornet" "${run[@]}" --quiet --resume "$tmp/ck.xn" --save "$tmp/resumed.xn" >/dev/null 2>"$tmp/err" ||
    fail "resume: $(cat "$tmp/err")"
cmp -s "$tmp/straight.xn" "$tmp/resumed.xn" ||
    fail "the run resumed from epoch $epoch ends elsewhere than the straight one"
echo "killed after epoch $epoch of 1000, resumed: the same bits"
epoch_ck=$epoch
expect 2 train --data "$tmp/mid.csv" --layers 2,32,1 --resume "$tmp/ck.xn"
one_line_error "resume with another network"
# the optimizer the checkpoint holds (Adam at 1e-3) may be repeated, not changed
expect 2 train --data "$tmp/mid.csv" --resume "$tmp/ck.xn" --lr 0.5
one_line_error "resume with another rate"
grep -q -- "^xornet: --lr: differs from the run in $tmp/ck.xn" "$tmp/err" || fail "resume --lr: $(cat "$tmp/err")"
expect 2 train --data "$tmp/mid.csv" --resume "$tmp/ck.xn" --opt gd
one_line_error "resume with another optimizer"
expect 2 train --data "$tmp/mid.csv" --resume "$tmp/ck.xn" --dtype float32
one_line_error "resume with another type"

# ---- a resumed run is not taken for one that learned nothing ----------------
# A checkpoint from the second half of a 20-epoch run at a rate of 1e-9,
# read from a FIFO the test holds open at both ends: the run's saves never
# wait for a reader nor meet a closed one, the reading stops at the first
# whole checkpoint from epoch 10 on, and the run then waits on the full
# pipe, whatever the load, until it is killed.  The resumed part barely
# moves the loss, which the warning compared over the whole run's 20
# epochs: "learned nothing" of a network that starts from saved weights.
mkfifo "$tmp/flat.pipe"
exec 4<>"$tmp/flat.pipe"
flat=(train --data "$data/iris-train.csv" --epochs 20 --lr 1e-9 --seed 2)
setsid "$xornet" "${flat[@]}" --quiet --checkpoint 1 --save "$tmp/flat.pipe" >/dev/null 2>&1 &
job=$!
timeout 120 awk '/^xornet / { buf = ""; ck = 0 } { buf = buf $0 "\n" }
                 $1 == "fit" && $2 == "epoch" { ck = $3 }
                 /^end$/ && ck >= 10 { printf "%s", buf; exit }' <&4 >"$tmp/flat.xn"
kill -KILL -- "-$job" 2>/dev/null
wait "$job" 2>/dev/null
exec 4<&-
epoch=$(awk '$1 == "fit" && $2 == "epoch" { print $3 }' "$tmp/flat.xn" 2>/dev/null)
if [ -n "$epoch" ] && [ "$epoch" -ge 10 ] && [ "$epoch" -lt 20 ]; then
    expect 0 "${flat[@]}" --quiet --resume "$tmp/flat.xn"
    grep -q 'learned nothing' "$tmp/err" && fail "a run resumed at epoch $epoch of 20: $(cat "$tmp/err")"
else
    fail "no checkpoint from epochs 10 to 19 of the flat run (epoch '$epoch')"
fi
# ... and a resume under another schedule is refused, not run into the ground
expect 2 train --data "$tmp/mid.csv" --layers 2,16,1 --epochs 1000 --patience 0 --seed 3 --resume "$tmp/ck.xn" --quiet
one_line_error "resume with another schedule"
grep -q -- "the run ran epoch $epoch_ck at rate .* (another schedule, or a damaged checkpoint)" "$tmp/err" ||
    fail "resume with another schedule: $(cat "$tmp/err")"

# ---- float32 ----------------------------------------------------------------
expect 0 train --dtype float32 --quiet --save "$tmp/f32.xn"
grep -q 'accuracy 1 after 1000 epochs' "$tmp/out" || fail "float32 XOR: $(cat "$tmp/out")"
grep -q '^dtype float32$' "$tmp/f32.xn" || fail "the float32 model file says no dtype"
expect 0 eval --model "$tmp/f32.xn"
grep -q '^accuracy 1$' "$tmp/out" || fail "eval of the float32 model: $(cat "$tmp/out")"
# grad of a float32 model (it has no double views of its gradient: it crashed):
# the loss eval gives, and every block of the 2-10-1 network
eval_loss=$(awk '$1 == "loss" { print $2 }' "$tmp/out")
expect 0 grad --model "$tmp/f32.xn"
[ "$(awk '$1 == "loss" { print $2 }' "$tmp/out")" = "$eval_loss" ] &&
    [ "$(grep -c '^d[Wb][12] ' "$tmp/out")" -eq 4 ] && [ "$(wc -l <"$tmp/out")" -eq 19 ] ||
    fail "grad of the float32 model: $(head -c 300 "$tmp/out")"

# ---- a class missing from the training rows: --layers names the classes ------
awk -F, '$5 != 2' "$data/iris-train.csv" >"$tmp/iris01.csv"
expect 0 train --data "$tmp/iris01.csv" --layers 4,16,3 --act relu,softmax --epochs 2 --quiet --save "$tmp/i3.xn"
grep -q '^sizes 4 16 3$' "$tmp/i3.xn" || fail "3 classes by --layers, 2 in the rows: $(head -3 "$tmp/i3.xn")"
expect 0 eval --model "$tmp/i3.xn" --data "$data/iris-test.csv"

# ---- predict --classes, eval --confusion ------------------------------------
"$xornet" train --data "$data/iris-train.csv" --quiet --save "$tmp/iris.xn" >/dev/null 2>&1 || fail "iris model"
expect 0 predict --model "$tmp/iris.xn" --data "$data/iris-test.csv" --classes
[ "$(wc -l <"$tmp/out")" -eq 38 ] && ! grep -qv '^[012]$' "$tmp/out" || fail "--classes: $(head -5 "$tmp/out")"
expect 0 eval --model "$tmp/iris.xn" --data "$data/iris-test.csv" --confusion
total=$(awk '/^confusion/ { on = 1; getline; next } on { for (i = 2; i <= NF; i++) s += $i } END { print s }' "$tmp/out")
[ "$total" = 38 ] || fail "the confusion matrix counts $total rows, not 38: $(cat "$tmp/out")"
diagonal=$(awk '/^confusion/ { on = 1; getline; next } on { s += $($1 + 2) } END { print s }' "$tmp/out")
acc=$(awk '$1 == "accuracy" { print $2 }' "$tmp/out")
awk -v d="$diagonal" -v a="$acc" 'BEGIN { exit !(d / 38 == a + 0 || (d / 38 - a) ^ 2 < 1e-24) }' ||
    fail "the matrix's diagonal ($diagonal) is not the accuracy ($acc)"
"$xornet" train --data "$data/diabetes-train.csv" --quiet --epochs 5 --save "$tmp/reg.xn" >/dev/null 2>&1
expect 2 predict --model "$tmp/reg.xn" --data "$data/diabetes-test.csv" --classes
one_line_error "--classes on a regression"
# a table too large to hold or read (65,536 classes: 32 GiB of counts) is
# refused before any work, with what to use instead, not "out of memory"
awk 'BEGIN { K = 65536; z = "0"; for (i = 1; i < K; i++) z = z " 0"
             print "xornet 2\nsizes 1 " K "\nactivations softmax\nloss cce\nW1 1 " K
             print z; print "b1 " K; print z; print "end" }' >"$tmp/k65536.xn"
printf '0.5,3\n0.1,65535\n' >"$tmp/k.csv"
expect 2 eval --model "$tmp/k65536.xn" --data "$tmp/k.csv" --confusion
one_line_error "eval --confusion with 65536 classes"
grep -q -- '^xornet: --confusion: the model has 65536 classes; the table is printed for up to 1024' "$tmp/err" ||
    fail "eval --confusion with 65536 classes: $(cat "$tmp/err")"

# ---- the second-order solvers from the program ----------------------------------
# lm learns XOR's 2-10-1 whole-batch and says how it ended
expect 0 train --opt lm --quiet
grep -q '^lm: [0-9]* iterations, [0-9]* evaluations, [0-9]* Jacobians, 0 QR steps, mu [0-9.e+-]*; stopped: ' "$tmp/out" ||
    fail "lm's report line: $(cat "$tmp/out")"
grep -q '^final loss .* accuracy 1 after' "$tmp/out" || fail "lm on XOR: $(cat "$tmp/out")"
# lbfgs on a data set: whole batch, no shuffling by default; the loop's
# settings that cannot apply are refused by their flags
expect 0 train --data "$data/iris-train.csv" --test "$data/iris-test.csv" --opt lbfgs --quiet
grep -q '^lbfgs: .*; stopped: ' "$tmp/out" || fail "lbfgs' report line: $(cat "$tmp/out")"
expect 2 train --data "$data/iris-train.csv" --opt lbfgs --batch 32
grep -q '^xornet: --batch: lbfgs takes the whole training set a step' "$tmp/err" || fail "lbfgs --batch: $(cat "$tmp/err")"
expect 2 train --data "$data/iris-train.csv" --opt lbfgs --shuffle
grep -q '^xornet: --shuffle: ' "$tmp/err" || fail "lbfgs --shuffle: $(cat "$tmp/err")"
expect 2 train --opt lm --mu 0
grep -q '^xornet: --mu: ' "$tmp/err" || fail "lm --mu 0: $(cat "$tmp/err")"
finish "train on data sets"
