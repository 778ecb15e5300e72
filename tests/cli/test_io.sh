#!/bin/bash
# xornet predict, eval and grad from the command line: every malformed file
# in tests/corpus is refused with exit status 2 and one line on standard
# error naming the file (and the line, for a reader's error); the shipped
# XOR files give the built-in table's results; grad's numbers agree with
# central differences of eval's loss.
# usage: test_io.sh XORNET REPO_ROOT   (exits non-zero on any failure)
set -u
X=$1
ROOT=$2
C=$ROOT/tests/corpus
. "$(dirname "$0")/common.sh"

cat >"$tmp/good.xn" <<'EOF'
# a 2-2-1 network
xornet 1
sizes 2 2 1
activations tanh sigmoid
loss mse
W1 2 2
1.5 -1
-1 1.25
b1 2
0 0.5
W2 2 1
1
2
b2 1
-0.5
EOF

# expect_refused FILE PATTERN ARGS...: exit status 2, nothing on standard
# output, exactly one line on standard error matching PATTERN.
expect_refused() {
    local file=$1 pattern=$2
    shift 2
    "$X" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    local lines
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ]; then
        fail "$* exited $rc, expected 2: $(head -c 300 "$tmp/err")"
    elif [ "$lines" -ne 1 ]; then
        fail "$* wrote $lines lines to standard error: $(head -c 300 "$tmp/err")"
    elif ! grep -qE -- "$pattern" "$tmp/err"; then
        fail "$* message does not match '$pattern': $(cat "$tmp/err")"
    elif [ -s "$tmp/out" ]; then
        fail "$* wrote to standard output"
    fi
}

# the file name in an extended regular expression
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

count=0
for f in "$C"/model_*.xn; do
    count=$((count + 1))
    expect_refused "$f" "^xornet: $(re "$f"):[0-9]+: " eval --model "$f"
    expect_refused "$f" "^xornet: $(re "$f"):[0-9]+: " predict --model "$f" --xor
done
[ "$count" -ge 20 ] || fail "only $count model files in the corpus"

count=0
for f in "$C"/data_*.csv "$C"/fann_*.data; do
    count=$((count + 1))
    # a file that reads but does not fit the 2-2-1 model says what it has
    # and what the model takes, at the line of its first row
    case $f in
    *data_no_inputs*) pattern="^xornet: $(re "$f"):[0-9]+: 1 column; CMD needs 3: the model's 2 inputs and 1 target$" ;;
    *data_wrong_inputs*) pattern="^xornet: $(re "$f"):[0-9]+: 4 columns; CMD needs 3: the model's 2 inputs and 1 target$" ;;
    *fann_wrong_inputs*) pattern="^xornet: $(re "$f"):2: pairs of 3 inputs and 1 output; the model maps 2 inputs to 1 output$" ;;
    *fann_outputs_conflict*) pattern="^xornet: $(re "$f"):2: pairs of 2 inputs and 2 outputs; the model maps 2 inputs to 1 output$" ;;
    *) pattern="^xornet: $(re "$f"):[0-9]+: " ;;
    esac
    expect_refused "$f" "${pattern//CMD/eval}" eval --model "$tmp/good.xn" --data "$f"
    expect_refused "$f" "${pattern//CMD/grad}" grad --model "$tmp/good.xn" --data "$f"
done
[ "$count" -ge 15 ] || fail "only $count data files in the corpus"

for f in "$C"/random_*.bin; do
    expect_refused "$f" "^xornet: $(re "$f"):[0-9]+: " eval --model "$f"
    expect_refused "$f" "^xornet: $(re "$f")(:[0-9]+)?: " eval --model "$tmp/good.xn" --data "$f"
    expect_refused "$f" "^xornet: $(re "$f")(:[0-9]+)?: " predict --model "$tmp/good.xn" --data "$f"
done

# a few line numbers, exactly
expect_refused x "^xornet: $(re "$C/model_short_row.xn"):6: expected 2 numbers, found 1$" \
    eval --model "$C/model_short_row.xn"
expect_refused x "^xornet: $(re "$C/model_nan.xn"):11: non-finite number 'nan' in column 1$" \
    eval --model "$C/model_nan.xn"
expect_refused x "^xornet: $(re "$C/data_ragged.csv"):3: expected 3 columns \(as on line 1\), found 2$" \
    eval --model "$tmp/good.xn" --data "$C/data_ragged.csv"
expect_refused x "^xornet: $(re "$C/fann_short.data"):8: expected 2 input numbers \(pair 4\), found 1 \(read as FANN: line 1 is three whole numbers\)$" \
    eval --model "$tmp/good.xn" --data "$C/fann_short.data"

# files that are not there, or are folders
expect_refused x "^xornet: $(re "$tmp/none.xn"): cannot open: " eval --model "$tmp/none.xn"
expect_refused x "^xornet: $(re "$tmp"): cannot read: " eval --model "$tmp"
expect_refused x "^xornet: $(re "$tmp/none.csv"): cannot open: " eval --model "$tmp/good.xn" --data "$tmp/none.csv"

# usage errors
expect_refused x "--model FILE is required" eval
expect_refused x "unknown option '--bogus'" grad --model "$tmp/good.xn" --bogus
expect_refused x "unknown option 'extra'" predict --model "$tmp/good.xn" extra
expect_refused x "exclude each other" predict --model "$tmp/good.xn" --xor --data "$ROOT/data/xor.csv"
expect_refused x "--outputs" predict --model "$tmp/good.xn" --outputs x
expect_refused x "--model needs a value" eval --model
expect_refused x "unknown option '--outputs'" eval --model "$tmp/good.xn" --outputs 1
sed 's/^sizes 2 2 1/sizes 3 2 1/; s/^W1 2 2/W1 3 2/; s/^-1 1.25/-1 1.25\n0 0/' "$tmp/good.xn" >"$tmp/three.xn"
sed 's/^sizes 2 2 1/sizes 1 2 1/; s/^W1 2 2/W1 1 2/; /^-1 1.25/d' "$tmp/good.xn" >"$tmp/one.xn"
# without --data a model that is not XOR's needs its data
expect_refused x "^xornet: $(re "$tmp/three.xn"):3: the model maps 3 inputs to 1 output, not XOR's 2 to 1: give eval its data with --data FILE$" \
    eval --model "$tmp/three.xn"
expect_refused x "^xornet: $(re "$tmp/three.xn"):3: the model maps 3 inputs to 1 output, not XOR's 2 to 1: give grad its data with --data FILE$" \
    grad --model "$tmp/three.xn" --xor
expect_refused x "^xornet: $(re "$tmp/three.xn"):3: the model takes 3 inputs, not XOR's 2: give predict its data with --data FILE$" \
    predict --model "$tmp/three.xn"

# column counts: what the file has and what the model takes
printf '1,2,3,4,5\n' >"$tmp/five.csv"
for cmd in eval grad; do
    expect_refused x "^xornet: $(re "$tmp/five.csv"):1: 5 columns; $cmd needs 4: the model's 3 inputs and 1 target$" \
        $cmd --model "$tmp/three.xn" --data "$tmp/five.csv"
done
expect_refused x "^xornet: $(re "$tmp/five.csv"):1: 5 columns; predict needs 3 \(the model's inputs\) or 4 \(inputs and 1 target\)$" \
    predict --model "$tmp/three.xn" --data "$tmp/five.csv"
expect_refused x "^xornet: $(re "$tmp/five.csv"):1: 3 inputs a row besides the 2 targets of --outputs; the model takes 2$" \
    predict --model "$tmp/good.xn" --data "$tmp/five.csv" --outputs 2
printf '1,2,3\n' >"$tmp/three.csv"
expect_refused x "^xornet: $(re "$tmp/three.csv"):1: 3 columns; predict needs 1 \(the model's input\) or 2 \(input and 1 target\)$" \
    predict --model "$tmp/one.xn" --data "$tmp/three.csv"
# with several outputs a row may also end in a class id
cat >"$tmp/two.xn" <<'EOF'
xornet 1
sizes 2 2 2
activations tanh softmax
loss cce
W1 2 2
1 0
0 1
b1 2
0 0
W2 2 2
1 0
0 1
b2 2
0 0
EOF
expect_refused x "^xornet: $(re "$tmp/five.csv"):1: 5 columns; eval needs 4 \(the model's 2 inputs and 2 targets\) or 3 \(the inputs and a class id\)$" \
    eval --model "$tmp/two.xn" --data "$tmp/five.csv"
expect_refused x "^xornet: $(re "$tmp/five.csv"):1: 5 columns; predict needs 2 \(the model's inputs\), 4 \(inputs and 2 targets\) or 3 \(inputs and a class id\)$" \
    predict --model "$tmp/two.xn" --data "$tmp/five.csv"
printf '1 3 1\n1 2 3\n1\n' >"$tmp/three.data"
expect_refused x "^xornet: $(re "$tmp/three.data"):2: pairs of 3 inputs; the model takes 2$" \
    predict --model "$tmp/good.xn" --data "$tmp/three.data"
# the same files fit a model of their shape, with or without the targets
[ "$("$X" predict --model "$tmp/three.xn" --data "$tmp/three.data" | wc -l)" -eq 1 ] || fail "predict on three.data"
"$X" eval --model "$tmp/three.xn" --data "$tmp/three.data" >/dev/null || fail "eval on three.data"
[ "$("$X" predict --model "$tmp/one.xn" --data "$tmp/three.csv" --outputs 2 | wc -l)" -eq 1 ] ||
    fail "predict --outputs 2 on three.csv"
for cmd in predict eval grad; do
    "$X" $cmd --help >"$tmp/out" 2>&1 && grep -q "usage: xornet $cmd" "$tmp/out" ||
        fail "$cmd --help"
done

# the shipped XOR files and the built-in table give the same results
run() { "$X" "$@" 2>"$tmp/err" || fail "$* exited $?: $(cat "$tmp/err")"; }
run predict --model "$tmp/good.xn" >"$tmp/p_xor"
run predict --model "$tmp/good.xn" --data "$ROOT/data/xor.csv" >"$tmp/p_csv"
run predict --model "$tmp/good.xn" --data "$ROOT/data/xor.data" >"$tmp/p_fann"
printf '0,0\n0,1\n1,0\n1,1\n' >"$tmp/inputs.csv"
run predict --model "$tmp/good.xn" --data "$tmp/inputs.csv" >"$tmp/p_in"
run predict --model "$tmp/good.xn" --data "$tmp/inputs.csv" --outputs 0 >"$tmp/p_in0"
run predict --model "$tmp/good.xn" --data "$ROOT/data/xor.csv" --outputs 1 >"$tmp/p_csv1"
[ "$(wc -l <"$tmp/p_xor")" -eq 4 ] || fail "predict printed $(wc -l <"$tmp/p_xor") lines, expected 4"
grep -qvE '^-?[0-9.]+(e[-+][0-9]+)?$' "$tmp/p_xor" && fail "predict printed a line that is not one number"
for f in p_csv p_fann p_in p_in0 p_csv1; do
    cmp -s "$tmp/p_xor" "$tmp/$f" || fail "predict on $f differs from --xor"
done
run eval --model "$tmp/good.xn" >"$tmp/e_xor"
run eval --model "$tmp/good.xn" --data "$ROOT/data/xor.csv" >"$tmp/e_csv"
run eval --model "$tmp/good.xn" --data "$ROOT/data/xor.data" >"$tmp/e_fann"
grep -qE '^loss [0-9.e-]+$' "$tmp/e_xor" && grep -qE '^accuracy (0|0\.25|0\.5|0\.75|1)$' "$tmp/e_xor" &&
    [ "$(wc -l <"$tmp/e_xor")" -eq 2 ] || fail "eval output: $(cat "$tmp/e_xor")"
cmp -s "$tmp/e_xor" "$tmp/e_csv" || fail "eval on xor.csv differs from --xor"
cmp -s "$tmp/e_xor" "$tmp/e_fann" || fail "eval on xor.data differs from --xor"

# grad: laid out like the model file, its loss is eval's, and each number is
# the central difference of eval's loss when that parameter is moved
run grad --model "$tmp/good.xn" >"$tmp/g"
[ "$(wc -l <"$tmp/g")" -eq 11 ] || fail "grad printed $(wc -l <"$tmp/g") lines, expected 11"
[ "$(sed -n 1p "$tmp/g")" = "$(sed -n 1p "$tmp/e_xor")" ] || fail "grad's loss differs from eval's"
[ "$(sed -n 2p "$tmp/g")" = "dW1 2 2" ] && [ "$(sed -n 5p "$tmp/g")" = "db1 2" ] &&
    [ "$(sed -n 7p "$tmp/g")" = "dW2 2 1" ] && [ "$(sed -n 10p "$tmp/g")" = "db2 1" ] ||
    fail "grad block headers: $(cat "$tmp/g")"
h=1e-5
# model line, field, grad line, field
for spec in "7 1 3 1" "8 2 4 2" "10 2 6 2" "12 1 8 1" "13 1 9 1" "15 1 11 1"; do
    set -- $spec
    for sign in + -; do
        awk -v n="$1" -v k="$2" -v d="$sign$h" 'NR == n { $k = sprintf("%.17g", $k + d) } { print }' \
            "$tmp/good.xn" >"$tmp/moved$sign.xn"
        run eval --model "$tmp/moved$sign.xn" >"$tmp/l$sign"
    done
    lp=$(awk '/^loss/ { print $2 }' "$tmp/l+")
    lm=$(awk '/^loss/ { print $2 }' "$tmp/l-")
    g=$(awk -v n="$3" -v k="$4" 'NR == n { print $k }' "$tmp/g")
    awk -v lp="$lp" -v lm="$lm" -v g="$g" -v h="$h" 'BEGIN {
        fd = (lp - lm) / (2 * h); d = fd - g; if (d < 0) d = -d; a = g < 0 ? -g : g
        exit !(d <= 1e-7 + 1e-4 * a && a > 1e-6) }' ||
        fail "grad line $3 field $4 is $g, central difference ($lp - $lm) / 2h"
done

finish "io CLI"
