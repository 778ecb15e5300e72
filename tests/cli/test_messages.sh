#!/usr/bin/env bash
# The messages a new user meets first, word for word: an option below or
# above its bound names the bound it crossed, counts agree with their nouns
# ("1 input", "1 output"), and a data file with the wrong separator, or one
# read as FANN, says so.  Each bad run exits 2 with one line on stderr.
# usage: test_messages.sh XORNET REPO_ROOT
set -u
xornet=$1
root=$2
. "$(dirname "$0")/common.sh"

# says WANT ARGS...: xornet ARGS exits 2, prints nothing on stdout and
# exactly the line WANT on stderr
says() {
    local want=$1
    shift
    "$xornet" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq 2 ] || fail "xornet $* exited $rc, expected 2"
    [ "$(cat "$tmp/err")" = "$want" ] || fail "xornet $*: said '$(cat "$tmp/err")', expected '$want'"
    [ ! -s "$tmp/out" ] || fail "xornet $*: printed to stdout: $(head -c 200 "$tmp/out")"
}

# bounds: the one crossed, not a range up to 2^64 - 1
says "xornet: --every: must be at least 1, got '0'" train --every 0
says "xornet: --checkpoint: must be at least 1, got '0'" train --checkpoint 0 --save "$tmp/m.xn"
says "xornet: --threads: must be at least 1, got '0'" train --threads 0
says "xornet: --threads: must be at most 256, got '5000'" train --threads 5000
says "xornet: --seeds: must be at least 1, got '0'" models --seeds 0
says "xornet: --n: must be at least 2, got '1'" approx --n 1
says "xornet: --layers: must be at least 1, got '0'" train --layers 2,0,1

# counts and nouns
says "xornet: --layers: the network maps 3 inputs to 1 output, the data has 2 and 1" train --layers 3,4,1
says "xornet: --layers: the network maps 2 inputs to 2 outputs, the data has 2 and 1" train --layers 2,4,2
printf '0,1\n1,0\n' >"$tmp/one.csv"
says "xornet: $tmp/one.csv:1: 1 input and 1 output a row, but --layers maps 2 to 1" \
    train --data "$tmp/one.csv" --layers 2,4,1
says "xornet: --act: 1 activation for 2 layers; give one per layer" train --act relu
"$xornet" train --epochs 1 --quiet >"$tmp/out" 2>"$tmp/err" || fail "train --epochs 1: $(cat "$tmp/err")"
grep -q '^final loss .* after 1 epoch$' "$tmp/out" || fail "train --epochs 1: $(head -n 1 "$tmp/out")"

# separators: a CSV xornet cannot split says how its fields are separated
printf 'x1;x2;y\n0;0;0\n0;1;1\n' >"$tmp/semi.csv"
says "xornet: $tmp/semi.csv:1: fields are separated by semicolons, not commas: 'x1;x2;y'" train --data "$tmp/semi.csv"
printf '0.5\t0\t0\n0\t1\t1\n' >"$tmp/tabs.csv"
says "xornet: $tmp/tabs.csv:1: fields are separated by tabs, not commas: '0.5?0?0'" train --data "$tmp/tabs.csv"
printf '0 0 0 0\n0 1 1 1\n' >"$tmp/spaces.csv"
says "xornet: $tmp/spaces.csv:1: fields are separated by spaces, not commas: '0 0 0 0'" \
    train --data "$tmp/spaces.csv"
# ... and a file read as FANN because line 1 is three whole numbers says that
printf '0 0 0\n0 1 1\n1 0 1\n1 1 0\n' >"$tmp/xor.txt"
says "xornet: $tmp/xor.txt:1: the pair count is 0 (read as FANN: line 1 is three whole numbers)" \
    train --data "$tmp/xor.txt"
printf '1\t2\t1\n0\t1\t1\n' >"$tmp/xor.tsv"
says "xornet: $tmp/xor.tsv:2: expected 2 input numbers (pair 1), found 3 (read as FANN: line 1 is three whole numbers)" \
    eval --model "$root/data/nb0_tf_model4.xn" --data "$tmp/xor.tsv"

# a validation or test file that does not fit the network says what it has
# (it was read past its end when it had fewer columns: a crash)
says "xornet: $root/data/wine-test.csv:3: 14 columns; --test needs 7 (the model's 4 inputs and 3 targets) or 5 (the inputs and a class id)" \
    train --data "$root/data/iris-train.csv" --test "$root/data/wine-test.csv" --epochs 1
says "xornet: $root/data/xor.csv:3: 3 columns; --val needs 7 (the model's 4 inputs and 3 targets) or 5 (the inputs and a class id)" \
    train --data "$root/data/iris-train.csv" --val "$root/data/xor.csv" --epochs 1
says "xornet: $root/data/iris-test.csv:3: 5 columns; --test needs 11: the model's 10 inputs and 1 target" \
    train --data "$root/data/diabetes-train.csv" --test "$root/data/iris-test.csv" --epochs 1
says "xornet: $root/data/iris-test.csv:3: 5 columns; --test needs 3: the model's 2 inputs and 1 target" \
    train --test "$root/data/iris-test.csv" --epochs 1
# --init-from a network of another shape: the data's own counts, before any
# class ids are read as one-hot targets
"$xornet" train --data "$root/data/iris-train.csv" --epochs 1 --quiet --save "$tmp/iris.xn" >/dev/null 2>&1 ||
    fail "train iris --save"
says "xornet: $tmp/iris.xn:2: the network maps 4 inputs to 3 outputs, the data (XOR) has 2 inputs and 1 target" \
    train --init-from "$tmp/iris.xn"
says "xornet: $root/data/wine-train.csv:3: 13 inputs and 1 target a row, but the network in $tmp/iris.xn maps 4 to 3" \
    train --init-from "$tmp/iris.xn" --data "$root/data/wine-train.csv"

# a file the run writes that is another it writes or reads: refused before
# anything is written (each used to be overwritten, exit 0)
cp "$root/data/xor.csv" "$tmp/d.csv"
says "xornet: --save: $tmp/d.csv is also --data's file, which the run reads" \
    train --data "$tmp/d.csv" --save "$tmp/d.csv"
says "xornet: --history: $tmp/./d.csv is also --data's file, which the run reads" \
    train --data "$tmp/d.csv" --history "$tmp/./d.csv"
cmp -s "$tmp/d.csv" "$root/data/xor.csv" || fail "the data file was changed"
says "xornet: --history: $tmp/h.csv is also --save's file" train --save "$tmp/h.csv" --history "$tmp/h.csv"
says "xornet: --save: $tmp/pics/loss.png is also a picture --plot draws" \
    train --plot "$tmp/pics" --save "$tmp/pics/loss.png"
says "xornet: --c: $tmp/iris.xn is also --model's file, which the run reads" export --model "$tmp/iris.xn" --c "$tmp/iris.xn"
"$xornet" eval --model "$tmp/iris.xn" --data "$root/data/iris-test.csv" >/dev/null 2>&1 ||
    fail "the model file was changed"
printf 'x,f\n0,1\n1,3\n3,2\n' >"$tmp/s.csv"
says "xornet: --save: $tmp/s.csv is also --samples's file, which the run reads" \
    approx --samples "$tmp/s.csv" --save "$tmp/s.csv"

# options a network file fixes are refused, not dropped: the element type
# and standardization of --init-from, the optimizer of --resume
says "xornet: --dtype: --init-from keeps the network's own type, float64 in $tmp/iris.xn" \
    train --init-from "$tmp/iris.xn" --data "$root/data/iris-train.csv" --dtype float32
says "xornet: --no-standardize: --init-from keeps the standardization stored with the network" \
    train --init-from "$tmp/iris.xn" --data "$root/data/iris-train.csv" --no-standardize

# sample and knot files cut short are refused, as data and model files are
printf 'x,f\n0,1\n1,3\n3,2' >"$tmp/cut.csv"
says "xornet: $tmp/cut.csv:4: no newline at the end of the file: it may be cut short (end it with a newline if it is whole)" \
    approx --samples "$tmp/cut.csv"
printf '0.5\n1' >"$tmp/kcut.txt"
says "xornet: $tmp/kcut.txt:2: no newline at the end of the file: it may be cut short (end it with a newline if it is whole)" \
    approx --fn sin --knots-at "$tmp/kcut.txt"

finish "messages"
