#!/bin/bash
# IDX data and class ids through the program: eval, predict and grad read
# IDX images with --labels (plain and gzipped) and CSV class ids, and give
# exactly the numbers of the same data as CSV with one-hot targets; every
# bad file or option is one line on standard error naming the file, exit 2.
# usage: test_idx.sh XORNET REPO_ROOT   (exits non-zero on any failure)
set -u
X=$1
. "$(dirname "$0")/common.sh"

# A 4-3 softmax network that scores pixel k of a 2x2 image as class k
# (k < 3): the prediction is the brightest of the first three pixels.
cat >"$tmp/m.xn" <<'EOF'
xornet 1
sizes 4 3
activations softmax
loss cce
W1 4 3
1 0 0
0 1 0
0 0 1
0 0 0
b1 3
0 0 0
EOF

# Four 2x2 images (one bright pixel each: 0, 1, 2, 1) labelled 0 1 2 0:
# the last is classified wrong, so the accuracy is 0.75.
hdr_images='\x00\x00\x08\x03\x00\x00\x00\x04\x00\x00\x00\x02\x00\x00\x00\x02'
pixels='\x0a\x00\x00\x00\x00\x0a\x00\x00\x00\x00\x0a\x00\x00\x0a\x00\x00'
hdr_labels='\x00\x00\x08\x01\x00\x00\x00\x04'
printf "$hdr_images$pixels" >"$tmp/images"
printf "$hdr_labels"'\x00\x01\x02\x00' >"$tmp/labels"
gzip -n -c "$tmp/images" >"$tmp/images.gz"
gzip -n -c "$tmp/labels" >"$tmp/labels.gz"
# the same data as CSV: one-hot targets, class ids, inputs only
cat >"$tmp/onehot.csv" <<'EOF'
p0,p1,p2,p3,c0,c1,c2
10,0,0,0,1,0,0
0,10,0,0,0,1,0
0,0,10,0,0,0,1
0,10,0,0,1,0,0
EOF
cat >"$tmp/ids.csv" <<'EOF'
# pixels, then the class id
p0,p1,p2,p3,class
10,0,0,0,0
0,10,0,0,1

0,0,10,0,2
0,10,0,0,0
EOF
cut -d, -f1-4 "$tmp/onehot.csv" >"$tmp/inputs.csv"

# same OUT_A OUT_B WHAT: the two runs printed the same bytes
same() {
    if ! cmp -s "$1" "$2"; then
        fail "$3: $(head -c 200 "$1") differs from $(head -c 200 "$2")"
    fi
}

# run NAME ARGS...: exit 0, output in $tmp/NAME, nothing on standard error
run() {
    local name=$1
    shift
    "$X" "$@" >"$tmp/$name" 2>"$tmp/$name.err"
    local rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$tmp/$name.err" ]; then
        fail "$* exited $rc: $(head -c 300 "$tmp/$name.err")"
    fi
}

run eval_csv eval --model "$tmp/m.xn" --data "$tmp/onehot.csv"
if ! grep -qx 'accuracy 0.75' "$tmp/eval_csv"; then
    fail "eval on the one-hot CSV: $(cat "$tmp/eval_csv")"
fi
run eval_idx eval --model "$tmp/m.xn" --data "$tmp/images" --labels "$tmp/labels"
same "$tmp/eval_idx" "$tmp/eval_csv" "eval of IDX images and labels"
run eval_gz eval --model "$tmp/m.xn" --data "$tmp/images.gz" --labels "$tmp/labels.gz"
same "$tmp/eval_gz" "$tmp/eval_csv" "eval of gzipped IDX files"
run eval_ids eval --model "$tmp/m.xn" --data "$tmp/ids.csv"
same "$tmp/eval_ids" "$tmp/eval_csv" "eval of CSV class ids"

run grad_csv grad --model "$tmp/m.xn" --data "$tmp/onehot.csv"
run grad_idx grad --model "$tmp/m.xn" --data "$tmp/images.gz" --labels "$tmp/labels"
same "$tmp/grad_idx" "$tmp/grad_csv" "grad of IDX data"
run grad_ids grad --model "$tmp/m.xn" --data "$tmp/ids.csv"
same "$tmp/grad_ids" "$tmp/grad_csv" "grad of CSV class ids"

run pred_csv predict --model "$tmp/m.xn" --data "$tmp/inputs.csv"
if [ "$(wc -l <"$tmp/pred_csv")" -ne 4 ]; then
    fail "predict printed $(wc -l <"$tmp/pred_csv") lines, expected 4"
fi
run pred_idx predict --model "$tmp/m.xn" --data "$tmp/images.gz"
same "$tmp/pred_idx" "$tmp/pred_csv" "predict on IDX images"
run pred_lab predict --model "$tmp/m.xn" --data "$tmp/images" --labels "$tmp/labels.gz"
same "$tmp/pred_lab" "$tmp/pred_csv" "predict on IDX images with labels"
run pred_ids predict --model "$tmp/m.xn" --data "$tmp/ids.csv"
same "$tmp/pred_ids" "$tmp/pred_csv" "predict on CSV rows ending in a class id"

for cmd in eval predict grad; do
    "$X" "$cmd" --help >"$tmp/help" 2>&1
    grep -q -- '--labels FILE' "$tmp/help" || fail "xornet $cmd --help does not mention --labels FILE"
done

# expect_refused PATTERN ARGS...: exit status 2, nothing on standard
# output, exactly one line on standard error matching PATTERN.
expect_refused() {
    local pattern=$1
    shift
    "$X" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne 2 ]; then
        fail "$* exited $rc, expected 2: $(head -c 300 "$tmp/err")"
    elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
        fail "$* wrote $(wc -l <"$tmp/err") lines to standard error: $(head -c 300 "$tmp/err")"
    elif ! grep -qE -- "$pattern" "$tmp/err"; then
        fail "$* message does not match '$pattern': $(cat "$tmp/err")"
    elif [ -s "$tmp/out" ]; then
        fail "$* wrote to standard output"
    fi
}

# bad files, each named in its message
printf "$hdr_labels"'\x00\x01\x03\x00' >"$tmp/label3"
printf '\x00\x00\x08\x01\x00\x00\x00\x05\x00\x01\x02\x00\x01' >"$tmp/labels5"
printf "$hdr_images"'\x0a\x00\x00' >"$tmp/short"
printf 'P5\n2 2\n255\n' >"$tmp/pgm"
head -c 20 "$tmp/images.gz" >"$tmp/cut.gz"
cp "$tmp/images.gz" "$tmp/crc.gz"
printf '\xff\xff\xff\xff' | dd of="$tmp/crc.gz" bs=1 seek=$(($(wc -c <"$tmp/images.gz") - 8)) conv=notrunc 2>/dev/null
printf '0,0,0,0,3\n' >>"$tmp/ids3.csv"
printf 'p0,p1,p2,p3,class\n1,0,0,0,0\n0,1,0,0,1.5\n' >"$tmp/idsfrac.csv"
m=$tmp/m.xn
expect_refused "^xornet: $tmp/label3: byte offset 10 \(label index 2\): label 3 is not below the 3 classes$" \
    eval --model "$m" --data "$tmp/images" --labels "$tmp/label3"
expect_refused "^xornet: $tmp/labels5: byte offset 4: 5 labels, but there are 4 images$" \
    eval --model "$m" --data "$tmp/images" --labels "$tmp/labels5"
expect_refused "^xornet: $tmp/short: truncated at byte offset 19: the header declares 4 images" \
    eval --model "$m" --data "$tmp/short" --labels "$tmp/labels"
expect_refused "^xornet: $tmp/short: truncated" predict --model "$m" --data "$tmp/short"
expect_refused "^xornet: $tmp/pgm: not an IDX image file" eval --model "$m" --data "$tmp/pgm" --labels "$tmp/labels"
expect_refused "^xornet: $tmp/cut.gz: the gzip stream is cut short" \
    eval --model "$m" --data "$tmp/cut.gz" --labels "$tmp/labels"
expect_refused "^xornet: $tmp/crc.gz: corrupt gzip data \(incorrect data check\)" \
    predict --model "$m" --data "$tmp/crc.gz" --labels "$tmp/labels"
expect_refused "^xornet: $tmp/images: 1 dimension|^xornet: $tmp/labels: 1 dimension, so a label file" \
    eval --model "$m" --data "$tmp/labels" --labels "$tmp/labels"
expect_refused "^xornet: $tmp/nothing: cannot open: " eval --model "$m" --data "$tmp/images" --labels "$tmp/nothing"
expect_refused "^xornet: $tmp/nothing: cannot open: " eval --model "$m" --data "$tmp/nothing" --labels "$tmp/labels"
expect_refused "^xornet: $tmp/nothing: cannot open: " predict --model "$m" --data "$tmp/nothing"
expect_refused "^xornet: $tmp/images: IDX images: give their labels with --labels FILE$" \
    eval --model "$m" --data "$tmp/images"
# train's validation and test images name their own label options
for set in val test; do
    expect_refused "^xornet: $tmp/images: IDX images: give their labels with --$set-labels FILE$" \
        train --data "$tmp/images" --labels "$tmp/labels" --"$set" "$tmp/images" --epochs 1
done
expect_refused "^xornet: $tmp/ids.csv: not an IDX image file" eval --model "$m" --data "$tmp/ids.csv" --labels "$tmp/labels"
expect_refused "^xornet: eval: --labels FILE needs --data FILE" eval --model "$m" --labels "$tmp/labels"
expect_refused "^xornet: predict: --labels FILE needs --data FILE" predict --model "$m" --xor --labels "$tmp/labels"
expect_refused "^xornet: $tmp/ids3.csv:1: class id 3 is not below the 3 classes$" eval --model "$m" --data "$tmp/ids3.csv"
expect_refused "^xornet: $tmp/idsfrac.csv:3: class id 1.5 is not a whole number$" grad --model "$m" --data "$tmp/idsfrac.csv"
expect_refused "^xornet: --labels needs a value" eval --model "$m" --data "$tmp/images" --labels

# ---- shapes before bytes: a gzip bomb is refused at its header --------------
# 2^20 images of 32x32 bytes (1 GiB) in a file of about 1 MB: one gzip
# member for the header, then 64 members of 16 MiB of zeros (members are
# read back to back, as gzip -d reads them).  Its width against a model's
# inputs, and a label file's count against its images, are refused from
# the headers alone, in well under a second, not after 1 GiB is inflated
# and 8 GiB of doubles asked for.
printf '\x00\x00\x08\x03\x00\x10\x00\x00\x00\x00\x00\x20\x00\x00\x00\x20' | gzip -n -c >"$tmp/bomb.gz"
head -c 16777216 /dev/zero | gzip -9 -n -c >"$tmp/zeros.gz"
for _ in $(seq 64); do cat "$tmp/zeros.gz"; done >>"$tmp/bomb.gz"
[ "$(wc -c <"$tmp/bomb.gz")" -lt 2000000 ] || fail "the bomb is $(wc -c <"$tmp/bomb.gz") bytes"
for args in "predict --model $tmp/m.xn --data $tmp/bomb.gz" \
            "eval --model $tmp/m.xn --data $tmp/bomb.gz --labels $tmp/labels" \
            "train --data $tmp/bomb.gz --labels $tmp/labels"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086  # args is a word list
    timeout 60 "$X" $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    case $args in
    train*) want="^xornet: $tmp/labels: byte offset 4: 4 labels, but there are 1048576 images$" ;;
    *) want="^xornet: $tmp/bomb.gz: images of 1024 values; the model takes 4 inputs$" ;;
    esac
    [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$want" "$tmp/err" ||
        fail "xornet $args: exit $rc, expected 2 and '$want': $(head -c 300 "$tmp/err")"
    [ "$ms" -lt 5000 ] || fail "xornet $args took $ms ms: the bomb was inflated"
done

finish "IDX CLI"
