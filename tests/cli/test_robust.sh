#!/bin/bash
# Robustness of the xornet program: training that diverges stops
# with one "diverged" line and exit status 1, never printing NaN or
# infinity (on either stream; a residual that overflows neither); NaN and
# infinity in data, sample and model files are refused at load time with
# exit status 2 and file:line; saturated sigmoid, softmax and cross-entropy
# stay finite; and sizes too large for the limits or for memory fail with one
# clean line instead of a crash or an attempt to allocate.
# usage: test_robust.sh XORNET REPO_ROOT   (exits non-zero on any failure)
set -u
xornet=$1
ROOT=$2
. "$(dirname "$0")/common.sh"

# NaN or infinity as printf prints them, as whole words
has_nonfinite() { grep -qEiw -- '-?(nan|inf|infinity)' "$1"; }

# expect_error STATUS PATTERN ARGS...: exit status STATUS (a regular
# expression: "1|2" takes either), one line on standard error matching
# PATTERN, no NaN on standard output.
expect_error() {
    local want=$1 pattern=$2
    shift 2
    run "$@"
    local lines
    lines=$(wc -l <"$tmp/err")
    if ! [[ $rc =~ ^($want)$ ]]; then
        fail "$* exited $rc, expected $want: $(head -c 300 "$tmp/err")"
    elif [ "$lines" -ne 1 ]; then
        fail "$* wrote $lines lines to standard error, expected 1: $(head -c 300 "$tmp/err")"
    elif ! grep -qE -- "$pattern" "$tmp/err"; then
        fail "$* message does not match '$pattern': $(cat "$tmp/err")"
    elif has_nonfinite "$tmp/out"; then
        fail "$* printed NaN or infinity on standard output: $(grep -Eiw 'nan|inf' "$tmp/out" | head -n 3)"
    fi
}

# the file name in an extended regular expression
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# ---- divergence -------------------------------------------------------------
# An identity output under mse with a huge learning rate overflows to inf
# within a few dozen steps; sigmoid outputs would only saturate.
for args in "--layers 2,8,1 --act relu,identity" \
            "--layers 2,8,1 --act tanh,identity --opt momentum" \
            "--layers 2,8,1 --act relu,identity --loss sse --kernel naive" \
            "--layers 2,8,8,1 --act relu,relu,identity --opt gd --data $ROOT/data/xor.csv"; do
    # shellcheck disable=SC2086  # args is a word list
    expect_error 1 'diverged' train --lr 1e6 $args --save "$tmp/diverged.xn"
    if [ -e "$tmp/diverged.xn" ]; then
        fail "train --lr 1e6 $args: saved the diverged network"
        rm -f "$tmp/diverged.xn"
    fi
done
# the message says "not finite" in words, never "loss inf" or "loss nan"
run train --lr 1e6 --layers 2,8,1 --act relu,identity
grep -q 'diverged' "$tmp/err" && ! has_nonfinite "$tmp/err" ||
    fail "train --lr 1e6: the message prints a non-finite loss: $(cat "$tmp/err")"
# approx: residuals that overflow are reported in words as well
printf '0,1.7e308\n1,-1.7e308\n2,1.7e308\n3,-1.7e308\n4,1.7e308\n' >"$tmp/huge_f.samples"
run approx --samples "$tmp/huge_f.samples" --knots 2
[[ $rc =~ ^(0|1|2)$ ]] && ! has_nonfinite "$tmp/out" && ! has_nonfinite "$tmp/err" ||
    fail "approx with residuals near 1e308: exit $rc or inf/nan printed: $(cat "$tmp/out" "$tmp/err")"
# the progress lines before the divergence are there and finite
run train --lr 1e6 --layers 2,8,1 --act relu,identity --every 1
grep -q '^epoch 0 loss' "$tmp/out" || fail "train --lr 1e6 --every 1: no progress before the divergence"
has_nonfinite "$tmp/out" && fail "train --lr 1e6 --every 1: NaN or infinity in the progress lines"
# a history file keeps only finite losses
run train --lr 1e6 --layers 2,8,1 --act relu,identity --history "$tmp/hist.csv"
[ "$rc" -eq 1 ] || fail "train --lr 1e6 --history: exit $rc, expected 1"
if [ -e "$tmp/hist.csv" ] && has_nonfinite "$tmp/hist.csv"; then
    fail "train --lr 1e6 --history: NaN or infinity in the history"
fi
# data near the largest double: their mean and deviation are summed scaled
# and the run trains; a value further from its column's mean than a double
# holds is bad input at its line, not a divergence to blame on --lr
printf '1e308,1\n1.5e308,0\n1.7e308,1\n1.2e308,0\n' >"$tmp/near_max.csv"
run train --data "$tmp/near_max.csv" --epochs 3 --quiet
[ "$rc" -eq 0 ] && ! has_nonfinite "$tmp/out" || fail "data near 1e308: exit $rc: $(cat "$tmp/err")"
printf '1e308,1\n1.5e308,0\n-1.7e308,1\n1.7e308,0\n' >"$tmp/too_wide.csv"
expect_error 2 "^xornet: $(re "$tmp/too_wide.csv"):3: input column 1 cannot be standardized: -1.7e\\+308 is further" \
    train --data "$tmp/too_wide.csv" --epochs 3
grep -q -- '--lr' "$tmp/err" && fail "data too wide: the message blames the learning rate: $(cat "$tmp/err")"
# Adam's steps are bounded by the learning rate: it must not diverge at all
run train --lr 1 --opt adam --epochs 200 --quiet
[ "$rc" -eq 0 ] || fail "train --opt adam --lr 1: exit $rc: $(cat "$tmp/err")"

# ---- NaN and infinity in files: refused at load, with file:line ------------
printf 'x1,x2,y\n0,0,0\n0,nan,1\n' >"$tmp/nan_input.csv"
printf '0,0,0\n0,1,1\n1,0,inf\n' >"$tmp/inf_target.csv"
printf '# comment\n0,0,0\n-inf,1,1\n' >"$tmp/minus_inf.csv"
printf '0,0,0\n0,1,1e999\n' >"$tmp/overflow.csv"
printf '0,0,0\n0,1,1\n1,0,1\n1,1,NaN\n' >"$tmp/nan_upper.csv"
printf '0,0,0\nInfinity,1,1\n' >"$tmp/infinity.csv"
printf '2 2 1\n0 0\n0\n0 nan\n1\n' >"$tmp/nan_input.data"
printf '2 2 1\n0 0\ninf\n0 1\n1\n' >"$tmp/inf_output.data"
for spec in nan_input.csv:3 inf_target.csv:3 minus_inf.csv:3 overflow.csv:2 nan_upper.csv:4 \
            infinity.csv:2 nan_input.data:4 inf_output.data:3; do
    f=$tmp/${spec%:*} line=${spec##*:}
    expect_error 2 "^xornet: $(re "$f"):$line: " train --data "$f" --epochs 1
    expect_error 2 "^xornet: $(re "$f"):$line: " eval --model "$ROOT/tests/fuzz/corpus/model/valid_xor_2_10_1.xn" --data "$f"
done

# approx samples (a file and standard input)
printf 'x,f\n0,0\n1,nan\n' >"$tmp/nan.samples"
printf '0,1\ninf,2\n' >"$tmp/inf.samples"
expect_error 2 "^xornet: $(re "$tmp/nan.samples"):3: " approx --samples "$tmp/nan.samples"
expect_error 2 "^xornet: $(re "$tmp/inf.samples"):2: " approx --samples "$tmp/inf.samples"
"$xornet" approx --samples - <"$tmp/nan.samples" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q ':3: ' "$tmp/err" ||
    fail "approx --samples - with nan: exit $rc, $(cat "$tmp/err")"

# model files
model() { # model FILE W B: a 1-1 sigmoid/bce network
    printf 'xornet 1\nsizes 1 1\nactivations sigmoid\nloss bce\nW1 1 1\n%s\nb1 1\n%s\n' "$2" "$3" >"$1"
}
model "$tmp/nan_w.xn" nan 0
model "$tmp/inf_b.xn" 1 -inf
expect_error 2 "^xornet: $(re "$tmp/nan_w.xn"):6: " predict --model "$tmp/nan_w.xn"
expect_error 2 "^xornet: $(re "$tmp/inf_b.xn"):8: " eval --model "$tmp/inf_b.xn"
expect_error 2 "^xornet: $(re "$tmp/nan_w.xn"):6: " train --init-from "$tmp/nan_w.xn" --epochs 1

# ---- saturation: sigmoid, softmax and cross-entropy at +-1000 ---------------
model "$tmp/sat.xn" 1000 0
printf '1,0\n-1,1\n' >"$tmp/wrong.csv"   # outputs exactly 1 and 0, opposite targets
printf '1,1\n-1,0\n' >"$tmp/right.csv"
run predict --model "$tmp/sat.xn" --data "$tmp/wrong.csv"
[ "$rc" -eq 0 ] && [ "$(tr '\n' ' ' <"$tmp/out")" = "1 0 " ] ||
    fail "predict: sigmoid(+-1000) should print exactly 1 and 0, got exit $rc: $(cat "$tmp/out" "$tmp/err")"
run eval --model "$tmp/sat.xn" --data "$tmp/wrong.csv"
# bce from the logits: (softplus(1000) + softplus(1000)) / 2 = 1000
[ "$rc" -eq 0 ] && grep -qx 'loss 1000' "$tmp/out" && ! has_nonfinite "$tmp/out" ||
    fail "eval: bce at outputs 1 and 0 against 0 and 1 should be 1000: exit $rc: $(cat "$tmp/out" "$tmp/err")"
run eval --model "$tmp/sat.xn" --data "$tmp/right.csv"
[ "$rc" -eq 0 ] && grep -qx 'loss 0' "$tmp/out" ||
    fail "eval: bce at outputs 1 and 0 against the same should be 0: exit $rc: $(cat "$tmp/out" "$tmp/err")"
run grad --model "$tmp/sat.xn" --data "$tmp/wrong.csv"
[ "$rc" -eq 0 ] && ! has_nonfinite "$tmp/out" ||
    fail "grad: saturated bce: exit $rc or a non-finite gradient: $(cat "$tmp/out" "$tmp/err")"
run train --init-from "$tmp/sat.xn" --data "$tmp/wrong.csv" --epochs 20 --lr 0.5
[ "$rc" -eq 0 ] && ! has_nonfinite "$tmp/out" ||
    fail "train from a saturated network: exit $rc: $(cat "$tmp/out" "$tmp/err")"
# tanh at +-1000 under mse
printf 'xornet 1\nsizes 1 1\nactivations tanh\nloss mse\nW1 1 1\n1000\nb1 1\n0\n' >"$tmp/tanh.xn"
run eval --model "$tmp/tanh.xn" --data "$tmp/wrong.csv"
[ "$rc" -eq 0 ] && ! has_nonfinite "$tmp/out" || fail "eval: tanh(+-1000): exit $rc: $(cat "$tmp/out" "$tmp/err")"
# softmax + cce at logits 1000, -1000, 0 with the target on the -1000 one
printf 'xornet 1\nsizes 1 3\nactivations softmax\nloss cce\nW1 1 3\n1000 -1000 0\nb1 3\n0 0 0\n' >"$tmp/soft.xn"
printf '1,0,1,0\n' >"$tmp/soft.csv"
run eval --model "$tmp/soft.xn" --data "$tmp/soft.csv"
[ "$rc" -eq 0 ] && grep -qx 'loss 2000' "$tmp/out" ||
    fail "eval: cce at logits +-1000 should be 2000: exit $rc: $(cat "$tmp/out" "$tmp/err")"

# ---- sizes: limits checked before allocating ---------------------------------
printf 'xornet 1\nsizes 100000 100000 100000\nactivations relu sigmoid\nloss mse\nW1 100000 100000\n0 0\n' \
    >"$tmp/huge.xn"
expect_error 2 "^xornet: $(re "$tmp/huge.xn"):2: .*(limit|too)" predict --model "$tmp/huge.xn"
expect_error 2 "^xornet: $(re "$tmp/huge.xn"):2: " train --init-from "$tmp/huge.xn"
# within the parameter limit but far longer than the file: refused unread
printf 'xornet 1\nsizes 16000 16000 1\nactivations relu sigmoid\nloss mse\nW1 16000 16000\n0 0\n' \
    >"$tmp/short.xn"
expect_error 2 "^xornet: $(re "$tmp/short.xn"):[0-9]+: " eval --model "$tmp/short.xn"
# a size over INT_MAX, and more layers than the limit
printf 'xornet 1\nsizes 1 4294967297\nactivations sigmoid\nloss mse\n' >"$tmp/wide.xn"
expect_error 2 "^xornet: $(re "$tmp/wide.xn"):2: " eval --model "$tmp/wide.xn"
{ printf 'xornet 1\nsizes'; for _ in $(seq 70); do printf ' 1'; done; printf '\n'; } >"$tmp/deep.xn"
expect_error 2 "^xornet: $(re "$tmp/deep.xn"):2: " eval --model "$tmp/deep.xn"

# --layers: products over the limit (2 is bad usage; 1 would do as well)
for layers in 2,2000000000,1 2,65536,65536,1 2,2147483648,1 2,99999999999999999999,1 \
              "$(seq -s, 70 | sed 's/[0-9]*/2/g')"; do
    expect_error '1|2' '^xornet: ' train --layers "$layers" --epochs 1
done

# FANN counts at and over the limits, with the rows not there
printf '18446744073709551615 1 1\n0\n0\n' >"$tmp/pairs.data"
printf '99999999999999999999 1 1\n0\n0\n' >"$tmp/pairs_over.data"
printf '1 2147483648 1\n0\n0\n' >"$tmp/inputs_over.data"
printf '1 2147483647 1\n0\n0\n' >"$tmp/inputs_max.data"
for f in pairs.data pairs_over.data inputs_over.data inputs_max.data; do
    expect_error 2 "^xornet: $(re "$tmp/$f"):[0-9]+: " train --data "$tmp/$f" --epochs 1
done

# approx: dense systems over XN_APPROX_MAX_DENSE, counts over the range
expect_error '1|2' '^xornet: .*(limit|large|range)' approx --fn sin --n 100000 --method lapacke
expect_error '1|2' '^xornet: .*(limit|large|range)' approx --fn sin --n 100000 --knots 100000
expect_error 2 '^xornet: ' approx --fn sin --n 18446744073709551615
expect_error 2 '^xornet: ' approx --fn sin --n 100 --knots 18446744073709551616

# least squares over x spanning nearly all doubles: the knots' matrix would
# hold inf (hi - b_1 = (hi - lo) + h overflows), on which LAPACK's dgelsd
# never returns and its xerbla prints to the terminal.  Refused before
# LAPACK, in one line (the fuzzer found both; tests/fuzz/corpus/samples).
printf '12,4\n3,802\n1.5762e308,1\n1e308,1\n0,1\n' >"$tmp/wide.samples"
printf '0,1\n1e308,2\n1.7e308,3\n' >"$tmp/wide2.samples"
for spec in wide.samples:4 wide2.samples:2; do
    f=$tmp/${spec%:*} knots=${spec##*:}
    timeout 120 "$xornet" approx --samples "$f" --knots "$knots" --min-norm >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -eq 124 ]; then
        fail "approx --samples ${spec%:*} --knots $knots: still running after 120 s"
    elif ! [[ $rc =~ ^(1|2)$ ]] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || grep -q 'On entry' "$tmp/out" "$tmp/err"; then
        fail "approx --samples ${spec%:*} --knots $knots: exit $rc, expected 1 or 2 and one line:" \
             "$(head -c 300 "$tmp/err") $(head -c 300 "$tmp/out")"
    fi
done

# A network that overflows on its input: predict and grad report it (exit 1,
# one line) instead of printing inf or nan.  1 -> 1 -> 1 identity with
# w1 = 1e300: at x = 1e10 the output overflows; at x = 1 with w2 = 1e-300
# and target -1e10 the loss is finite but dL/dw2 ~ 2e310 is not.
printf 'xornet 1\nsizes 1 1 1\nactivations identity identity\nloss mse\nW1 1 1\n1e300\nb1 1\n0\nW2 1 1\n1e-300\nb2 1\n0\n' >"$tmp/big.xn"
printf '1e10,0\n' >"$tmp/big_in.csv"
printf '1,-1e10\n' >"$tmp/big_grad.csv"
"$xornet" predict --model "$tmp/big.xn" --data "$tmp/big_in.csv" --outputs 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || has_nonfinite "$tmp/out"; then
    fail "predict on an overflowing network: exit $rc, expected 1, one line, no inf/nan: $(cat "$tmp/out" "$tmp/err")"
fi
"$xornet" grad --model "$tmp/big.xn" --data "$tmp/big_grad.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || has_nonfinite "$tmp/out"; then
    fail "grad with an overflowing gradient: exit $rc, expected 1, one line, no inf/nan: $(cat "$tmp/out" "$tmp/err")"
fi

# Within every limit but beyond the memory allowed (2 GB of address space
# for an 8 GB network): a clean "out of memory", exit 1.  Only for a plain
# executable: AddressSanitizer reserves terabytes of address space and
# valgrind (the wrapper is a script) its own.
if [ "$(head -c 4 "$xornet" | od -An -c | tr -d ' ')" = '177ELF' ] && ! grep -q __asan_init "$xornet"; then
    (ulimit -v 2000000 && exec "$xornet" train --layers 2,16000,16000,1 --epochs 1) >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q 'memory' "$tmp/err"; then
        fail "train --layers 2,16000,16000,1 under ulimit -v 2000000: exit $rc, expected 1 and" \
             "one 'out of memory' line: $(head -c 300 "$tmp/err")"
    fi
else
    skip "train under ulimit -v" "a sanitized or wrapped program reserves more address space than the limit"
fi

finish "robustness"
