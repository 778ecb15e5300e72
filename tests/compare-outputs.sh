#!/usr/bin/env bash
# Runs the README's examples with two builds of xornet and compares every
# byte they print and write: a change that must not change any result (a
# refactor, a speed-up) is checked with the build before it and after it.
# usage: tests/compare-outputs.sh OLD_XORNET NEW_XORNET
#   exits 0 when every output is byte-identical, 1 with a diff otherwise.
set -u
old=$(realpath "$1") || exit 2
new=$(realpath "$2") || exit 2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d) || exit 1
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
differ=0

# run NAME ARGS...: runs both builds in their own folder (the same relative
# paths), keeping the exit status, standard output and error, and any file
# written there.
run() {
    local name=$1
    shift
    for side in old new; do
        local bin dir="$work/$side/$name"
        [ "$side" = old ] && bin=$old || bin=$new
        mkdir -p "$dir"
        (cd "$dir" && "$bin" "$@" >stdout 2>stderr; echo "$?" >status)
        # wall-clock times, never equal: the time line and each epoch's "(0.01s)"
        sed -i -e '/^time  *[0-9.]* s$/d' -e 's/ ([0-9.]*s)$//' "$dir/stdout"
    done
    if ! diff -r "$work/old/$name" "$work/new/$name" >"$work/diff" 2>&1; then
        echo "DIFFERS: xornet $*" >&2
        head -n 8 "$work/diff" >&2
        differ=1
    fi
}

data=$root/data
# two larger data sets, made here: 3000 rows of 8 inputs with one output
# (the fused width-1 passes and the row blocks) and with three one-hot
# outputs (softmax, cce, the BLAS products)
awk 'BEGIN { s = 12345; for (i = 0; i < 3000; i++) { t = 0; line = "";
        for (j = 0; j < 8; j++) { s = (s * 1103515245 + 12345) % 2147483648;
            v = s / 2147483648 - 0.5; t += v * (j + 1); line = line v "," }
        print line (t > 0 ? 1 : 0) } }' >"$work/wide1.csv"
awk -F, '{ c = $9 == 1 ? ($1 > 0 ? "1,0,0" : "0,1,0") : "0,0,1"; $9 = c; print }' OFS=, \
    "$work/wide1.csv" >"$work/wide3.csv"
run train train --save m.xn
run train-numpy train --rng numpy --init normal --epochs 500 --save m.xn
run train-sigmoid train --layers 2,2,1 --act sigmoid,sigmoid --loss bce --lr 1 --seed 3 --save m.xn
run train-python train --rng python --seed 7 --init he_normal --order neuron --bias-init drawn --epochs 300 --save m.xn
run train-momentum train --opt momentum --lr 0.5 --momentum 0.9 --epochs 200 --save m.xn
run train-adam train --opt adam --epochs 300 --seed 4 --save m.xn
run train-tanh train --layers 2,8,8,1 --act tanh,tanh,sigmoid --loss mse --epochs 200 --save m.xn
run train-naive train --kernel naive --epochs 200 --save m.xn
run train-blas train --kernel blas --epochs 200 --save m.xn
run train-softmax train --data "$data/xor.data" --epochs 50 --save m.xn
run train-target train --target-loss 0.05 --every 50
run train-wide1 train --data "$work/wide1.csv" --layers 8,64,1 --act tanh,sigmoid --loss bce --lr 0.5 --epochs 40 --save m.xn
run train-wide1-naive train --data "$work/wide1.csv" --layers 8,64,1 --act tanh,sigmoid --loss bce --lr 0.5 --epochs 40 --kernel naive --save m.xn
run train-wide3 train --data "$work/wide3.csv" --outputs 3 --layers 8,32,16,3 --act relu,relu,softmax --loss cce --opt adam --epochs 40 --save m.xn
run train-wide3-mse train --data "$work/wide3.csv" --outputs 3 --layers 8,32,3 --act sigmoid,softmax --loss mse --opt momentum --lr 0.3 --epochs 40 --save m.xn
run train-save train --data "$data/xor.data" --save xor.xn --history h.csv --epochs 300
for side in old new; do
    bin=$old
    [ "$side" = new ] && bin=$new
    (cd "$work/$side/train-save" && "$bin" predict --model xor.xn --data "$data/xor.csv" >predict.out 2>&1
     "$bin" eval --model xor.xn >eval.out 2>&1
     "$bin" grad --model xor.xn >grad.out 2>&1
     "$bin" train --init-from xor.xn --epochs 50 --opt adam --save again.xn >continue.out 2>&1)
    (cd "$work/$side/train-wide3" && "$bin" predict --model m.xn --data "$work/wide3.csv" >predict.out 2>&1
     "$bin" eval --model m.xn --data "$work/wide3.csv" >eval.out 2>&1
     "$bin" grad --model m.xn --data "$work/wide3.csv" >grad.out 2>&1)
done
for name in train-save train-wide3; do
    diff -r "$work/old/$name" "$work/new/$name" >/dev/null ||
        { echo "DIFFERS: predict, eval, grad or --init-from in $name" >&2; differ=1; }
done
run grad-tf grad --model "$data/nb0_tf_model4.xn"
run approx approx --fn runge --a -1 --b 1 --n 12
run approx-samples approx --samples "$data/samples_abs_noisy.csv" --knots 6
run models models
run models-seeds models --seeds 20

if [ "$differ" -ne 0 ]; then
    echo "compare-outputs: the two builds print or write different bytes" >&2
    exit 1
fi
echo "compare-outputs: every output byte-identical"
