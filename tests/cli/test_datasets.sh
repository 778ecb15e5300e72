#!/usr/bin/env bash
# Data sets written the ways data scientists write them (pandas' to_csv with
# and without its index, NumPy's savetxt at %.18e, labels 1..K, words, a
# class missing from the training rows, rows sorted by class, one-hot
# columns named in a header, counts), each trained with the defaults alone:
# the first line says what the targets are, and the model learns what the
# user meant.  The files are made here from scikit-learn's copies of the
# sets (Debian's python3-sklearn and python3-pandas, run as /usr/bin/python3).
# usage: test_datasets.sh XORNET REPO_ROOT
set -u
xornet=$1
root=$2
. "$(dirname "$0")/common.sh"
py=/usr/bin/python3
if ! "$py" -c 'import sklearn, pandas' 2>/dev/null; then
    echo "SKIP: $py lacks scikit-learn or pandas (apt-get install python3-sklearn python3-pandas)"
    exit 77
fi

"$py" - "$tmp" <<'EOF' || { echo "FAIL: making the data sets" >&2; exit 1; }
import sys
import numpy as np, pandas as pd
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.model_selection import train_test_split
out = sys.argv[1]
X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
# the header pandas writes for a frame of column numbers, without and with its index
pd.DataFrame(np.column_stack([Xtr, ytr])).to_csv(out + "/digits_numbered.csv", index=False)
pd.DataFrame(np.column_stack([Xtr, ytr])).to_csv(out + "/digits_indexed.csv")
pd.DataFrame(np.column_stack([Xte, yte])).to_csv(out + "/digits_test.csv", index=False)
order = np.argsort(ytr, kind="stable")  # sorted by class
pd.DataFrame(np.column_stack([Xtr[order], ytr[order]])).to_csv(out + "/digits_sorted.csv", index=False)
# labels 1..10, and a training set without the class 7
np.savetxt(out + "/digits1_train.csv", np.column_stack([Xtr, ytr + 1]), delimiter=",", fmt="%.18e")
np.savetxt(out + "/digits1_test.csv", np.column_stack([Xte, yte + 1]), delimiter=",", fmt="%.18e")
keep = ytr != 6
np.savetxt(out + "/digits_no7.csv", np.column_stack([Xtr[keep], ytr[keep] + 1]), delimiter=",", fmt="%.18e")
# words as labels
iris = load_iris(as_frame=True).frame
iris["species"] = [load_iris().target_names[t] for t in iris.pop("target")]
tr, te = train_test_split(iris, test_size=0.25, random_state=0)
tr.to_csv(out + "/iris_words.csv", index=False)
te.to_csv(out + "/iris_words_test.csv", index=False)
# one-hot targets named in the header
W, w = load_wine(return_X_y=True)
onehot = pd.DataFrame(W[:, :3], columns=["a", "b", "c"])
for k in range(3):
    onehot["y%d" % (k + 1)] = (w == k).astype(int)
onehot.to_csv(out + "/wine_onehot.csv", index=False)
# whole numbers with hundreds of values: prices in cents
rng = np.random.RandomState(0)
x = rng.uniform(0, 1, (600, 3))
cents = np.round(1000 + 800 * x[:, 0] + 300 * x[:, 1] ** 2 + rng.normal(0, 20, 600)).astype(int)
pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "price": cents}).to_csv(out + "/prices.csv", index=False)
# one input: a noisy curve
x = rng.uniform(-2, 2, 400)
pd.DataFrame({"x": x, "y": np.sin(3 * x) + 0.3 * x + rng.normal(0, 0.1, 400)}).to_csv(out + "/curve.csv", index=False)
EOF

# train NAME ARGS...: xornet train --quiet-less run of ARGS, output in $tmp/NAME
train() {
    local name=$1
    shift
    "$xornet" train "$@" >"$tmp/$name" 2>"$tmp/$name.err" || fail "train $*: exit $?: $(cat "$tmp/$name.err")"
}
# score NAME WHICH: the last number of the line "WHICH ..." of run NAME
score() { awk -v w="$2" '$1 == w { print $NF }' "$tmp/$1"; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
says() { grep -q -- "$2" "$tmp/$1" || fail "$1: does not say '$2': $(head -n 2 "$tmp/$1")"; }

# pandas' column numbers as a header; its index column left out
train numbered --data "$tmp/digits_numbered.csv" --test "$tmp/digits_test.csv" --seed 1 --epochs 60
says numbered "line 1 is pandas' column numbers"
says numbered "multiclass, 10 classes .*: 0, 1, 2, 3, 4, ... 9"
train indexed --data "$tmp/digits_indexed.csv" --test "$tmp/digits_test.csv" --seed 1 --epochs 60
says indexed "column 1, pandas' index, left out"
says indexed "1347 rows, 64 inputs"
at_least "$(score numbered test)" 0.95 || fail "digits: test accuracy $(score numbered test)"
[ "$(score numbered test)" = "$(score indexed test)" ] || fail "the index column changed the model"

# rows sorted by class: the stratified split validates on every class, and
# the test accuracy is that of the shuffled file within 0.01
train sorted --data "$tmp/digits_sorted.csv" --test "$tmp/digits_test.csv" --seed 1 --epochs 60
awk -v a="$(score sorted test)" -v b="$(score numbered test)" 'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }' ||
    fail "sorted rows: test accuracy $(score sorted test), shuffled $(score numbered test)"
grep -q "validation rows hold" "$tmp/sorted.err" && fail "sorted rows: validation lacks classes"
# ... where the last rows (Keras' rule) would hold classes training never sees, and say so
train sorted_last --data "$tmp/digits_sorted.csv" --seed 1 --epochs 3 --split last
grep -q "the validation rows hold 2 classes that no training row has" "$tmp/sorted_last.err" ||
    fail "--split last on sorted rows: no warning: $(cat "$tmp/sorted_last.err")"

# labels 1..10 at %.18e: a classifier of the user's labels
train ten --data "$tmp/digits1_train.csv" --test "$tmp/digits1_test.csv" --seed 1 --epochs 60 --save "$tmp/ten.xn"
says ten "multiclass, 10 classes (10 distinct whole numbers, 20 at most): 1, 2, 3, 4, 5, ... 10"
at_least "$(score ten test)" 0.95 || fail "labels 1..10: test accuracy $(score ten test)"
"$xornet" predict --model "$tmp/ten.xn" --data "$tmp/digits1_test.csv" --classes >"$tmp/ten.pred" ||
    fail "predict --classes"
[ "$(sort -n -u "$tmp/ten.pred" | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 " ] ||
    fail "predict --classes gives $(sort -n -u "$tmp/ten.pred" | tr '\n' ' ')"
# a training set without the class 7: nine classes, and a test row of 7 is named
train no7 --data "$tmp/digits_no7.csv" --seed 1 --epochs 20 --save "$tmp/no7.xn"
says no7 "9 classes .*: 1, 2, 3, 4, 5, ... 10"
run eval --model "$tmp/no7.xn" --data "$tmp/digits1_test.csv"
one_line "a class the model never saw" 2 "^xornet: $tmp/digits1_test.csv:[0-9]+: class '7' is not one of the model's 9"

# words as labels
train words --data "$tmp/iris_words.csv" --test "$tmp/iris_words_test.csv" --seed 1 --save "$tmp/words.xn"
says words "target 'species' (column 5): multiclass, 3 classes (3 distinct words): setosa, versicolor, virginica"
at_least "$(score words test)" 0.9 || fail "iris words: test accuracy $(score words test)"
"$xornet" eval --model "$tmp/words.xn" --data "$tmp/iris_words_test.csv" --confusion >"$tmp/words.conf" ||
    fail "eval --confusion"
grep -q '^ *versicolor ' "$tmp/words.conf" || fail "confusion rows not named: $(cat "$tmp/words.conf")"

# one-hot columns named in a header
train onehot --data "$tmp/wine_onehot.csv" --seed 1 --epochs 30
says onehot "3 inputs; a header; 3 target columns (4 to 6): multiclass, 3 classes (3 one-hot columns: classes): y1, y2, y3"
# counts of many values: a regression
train prices --data "$tmp/prices.csv" --seed 1
says prices "regression, [0-9]* distinct whole numbers, more than 20"
at_least "$(score prices val)" 0.9 || fail "prices: validation R^2 $(score prices val)"
# words are never numbers
run train --data "$tmp/iris_words.csv" --task regress
one_line "--task regress on words" 2 "iris_words.csv:2: not a number '[a-z]+' in column 5 \(--task regress reads"
# a header that numbers every column alike: which are targets is the
# file's question, asked at its line, with the fix named
printf 'x1,x2,x3\n1,2,3\n4,5,6\n' >"$tmp/x123.csv"
run train --data "$tmp/x123.csv"
one_line "every column numbered alike" 2 "x123.csv:1: every column is named x<number>: say which are targets \(--target NAME"

# one input: the default initialization fits the curve
train curve --data "$tmp/curve.csv" --seed 1
at_least "$(score curve val)" 0.9 || fail "one-input curve: validation R^2 $(score curve val)"
finish "data sets"
