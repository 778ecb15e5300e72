#!/bin/bash
# What the xornet program does with the files it reads and writes
# (docs/robustness.md): devices, FIFOs, symbolic links and /dev/stdout as
# targets; files cut short; reading bounded by the size limit; standard
# output on a full device; byte-order marks; the order in which a run
# commits its files; line numbers and file names in messages; the umask,
# long names and the errno of a failed write.
# usage: test_files.sh XORNET REPO_ROOT   (exits non-zero on any failure)
set -u
xornet=$1
ROOT=$2
. "$(dirname "$0")/common.sh"

# the file name in an extended regular expression
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# no_temps DIR WHAT: no temporary file (NAME.tmp-XXXXXX) left in DIR
no_temps() {
    local left
    left=$(find "$1" -maxdepth 1 -name '*.tmp-*' | head -n 3)
    [ -z "$left" ] || fail "$2: temporary files left: $left"
}

# the program itself (not a wrapper such as tests/valgrind-xornet.sh, whose
# own files would meet a file size limit) runs under ulimit -f; a plain one
# (not sanitized either: AddressSanitizer reserves terabytes) under ulimit -v
itself=false plain=false
if [ "$(head -c 4 "$xornet" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    itself=true
    grep -q __asan_init "$xornet" || plain=true
fi

d=$tmp/w
mkdir "$d"
"$xornet" train --quiet --epochs 20 --save "$d/m.xn" >/dev/null || fail "train --save m.xn"

# ---- 1. devices, FIFOs, links and streams are not renamed over ---------------
# A FIFO is written into: a reader gets the whole model, and the FIFO stays.
mkfifo "$d/fifo"
for what in save history; do
    timeout 60 cat "$d/fifo" >"$d/from_fifo" &
    reader=$!
    run train --quiet --epochs 20 "--$what" "$d/fifo"
    [ -p "$d/fifo" ] || { fail "train --$what FIFO: the FIFO was replaced"; rm -f "$d/fifo"; mkfifo "$d/fifo"; }
    [ "$rc" -eq 0 ] || fail "train --$what FIFO: exit $rc: $(cat "$tmp/err")"
    wait "$reader"
    if [ "$what" = save ]; then
        "$xornet" eval --model "$d/from_fifo" >/dev/null 2>&1 || fail "train --save FIFO: the model read from it does not load"
    else
        [ "$(head -n 1 "$d/from_fifo")" = epoch,loss,accuracy ] && [ "$(wc -l <"$d/from_fifo")" -eq 22 ] ||
            fail "train --history FIFO: read $(wc -l <"$d/from_fifo") lines"
    fi
done
timeout 60 cat "$d/fifo" >"$d/from_fifo" &
reader=$!
run approx --n 8 --save "$d/fifo"
wait "$reader"
printf '0.5\n' >"$d/half.csv"
[ -p "$d/fifo" ] && [ "$rc" -eq 0 ] && "$xornet" predict --model "$d/from_fifo" --data "$d/half.csv" >/dev/null 2>&1 ||
    fail "approx --save FIFO: exit $rc, FIFO kept: $([ -p "$d/fifo" ] && echo yes || echo no)"

# A symbolic link to /dev/null: written through, the link and /dev/null stay.
ln -s /dev/null "$d/null"
run train --quiet --epochs 5 --save "$d/null" --history "$d/null"
[ "$rc" -eq 0 ] || fail "train --save LINK-TO-/dev/null: exit $rc: $(cat "$tmp/err")"
run approx --n 8 --save "$d/null"
[ "$rc" -eq 0 ] || fail "approx --save LINK-TO-/dev/null: exit $rc: $(cat "$tmp/err")"
[ -L "$d/null" ] && [ "$(readlink "$d/null")" = /dev/null ] || fail "the link to /dev/null was replaced"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
no_temps "$d" "saves into a FIFO and a link to /dev/null"

# The program's own standard output, by the names of /dev/fd and
# /proc/self/fd: the model follows what the run printed, on the same stream
# (a file here, where opening the name again would write from its start).
# /dev/stdout itself is tried in test_devices.sh, inside a private mount
# namespace: a program that renamed over it would break the machine's.
for name in /dev/fd/1 /proc/self/fd/1; do
    "$xornet" train --quiet --epochs 5 --save "$name" >"$d/stdout.txt" 2>"$tmp/err" ||
        fail "train --save $name: $(cat "$tmp/err")"
    grep -q '^final loss' "$d/stdout.txt" || fail "train --save $name: the report is missing"
    sed -n '/^xornet [0-9]*$/,$p' "$d/stdout.txt" >"$d/from_stdout.xn"
    "$xornet" eval --model "$d/from_stdout.xn" >/dev/null 2>&1 || fail "train --save $name: no whole model after the report"
done

# A folder is refused before the run starts (no progress printed).
run train --epochs 5 --every 1 --save "$d"
one_line "train --save FOLDER" 1 "^xornet: $(re "$d"): is a directory$"
[ -s "$tmp/out" ] && fail "train --save FOLDER: trained before refusing"
run train --epochs 5 --history "$d/none/h.csv"
one_line "train --history in a missing folder" 1 "^xornet: $(re "$d/none/h.csv"): cannot create a file in its folder"

# Data read from a pipe, standard input ("-" or /dev/stdin) and a FIFO is
# read once, as text: the same predictions as from the file.
"$xornet" predict --model "$d/m.xn" --data "$ROOT/data/xor.csv" >"$d/p_file" 2>&1 || fail "predict xor.csv"
for src in - /dev/stdin; do
    "$xornet" predict --model "$d/m.xn" --data "$src" <"$ROOT/data/xor.csv" >"$d/p_in" 2>&1
    cmp -s "$d/p_file" "$d/p_in" || fail "predict --data $src: $(head -c 300 "$d/p_in")"
done
cat "$ROOT/data/xor.csv" | "$xornet" eval --model "$d/m.xn" --data - >"$d/e_pipe" 2>&1 ||
    fail "eval --data - from a pipe: $(head -c 300 "$d/e_pipe")"
mkfifo "$d/in_fifo"
timeout 60 cp "$ROOT/data/xor.csv" "$d/in_fifo" &
writer=$!
timeout 60 "$xornet" train --quiet --epochs 20 --data "$d/in_fifo" >"$d/t_fifo" 2>&1
rc=$?
wait "$writer"
[ "$rc" -eq 0 ] || fail "train --data FIFO: exit $rc: $(head -c 300 "$d/t_fifo")"
rm -f "$d/in_fifo"

# ---- 2. files cut short are refused -----------------------------------------
# Cut before its final newline: refused at the last line, as a cut inside
# the last number of a format 1 file ("-1.53..." read as "-1" before);
# every cut of a model likewise.
size=$(wc -c <"$d/m.xn")
last=$(wc -l <"$d/m.xn")
head -c $((size - 1)) "$d/m.xn" >"$d/cut.xn"
run eval --model "$d/cut.xn"
one_line "eval of a model without its final newline" 2 "^xornet: $(re "$d/cut.xn"):$last: .*cut short"
printf 'xornet 1\nsizes 1 1\nactivations identity\nloss mse\nW1 1 1\n0.5\nb1 1\n-1.53' >"$d/cut1.xn"
run predict --model "$d/cut1.xn" --data "$d/half.csv"
one_line "predict with a format 1 model cut inside its last number" 2 "^xornet: $(re "$d/cut1.xn"):8: .*cut short"
# (tests/test_io.c cuts a model at every byte; here a few, through the program)
for n in 1 $((size / 3)) $((size / 2)) $((size - 20)) $((size - 1)); do
    head -c "$n" "$d/m.xn" >"$d/cut.xn"
    "$xornet" predict --model "$d/cut.xn" >/dev/null 2>&1 && fail "a model cut to $n of $size bytes loads"
done
# CSV and FANN without their final newline, as a cut inside the last row
printf 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0' >"$d/cut.csv"
run train --quiet --epochs 1 --data "$d/cut.csv"
one_line "train on a CSV cut short" 2 "^xornet: $(re "$d/cut.csv"):5: no newline at the end"
printf '2 2 1\n0 0\n0\n1 1\n1' >"$d/cut.data"
run eval --model "$d/m.xn" --data "$d/cut.data"
one_line "eval on a FANN file cut short" 2 "^xornet: $(re "$d/cut.data"):5: no newline at the end"

# ---- 3. reading stops at the limit -------------------------------------------
# /dev/zero is not text: refused at its first bytes, not after 8 GiB.
if $plain; then
    (ulimit -v 1000000 && exec timeout 60 "$xornet" train --data /dev/zero) >"$tmp/out" 2>"$tmp/err"
else
    timeout 60 "$xornet" train --data /dev/zero >"$tmp/out" 2>"$tmp/err"
fi
rc=$?
one_line "train --data /dev/zero" 2 "^xornet: /dev/zero:1: a NUL byte: not a text file$"
# A regular file over the limit is refused by its size, unread (a sparse
# file: no disk is used).
if truncate -s 9G "$d/huge.csv" 2>/dev/null; then
    start=$(date +%s)
    if $plain; then
        (ulimit -v 1000000 && exec timeout 60 "$xornet" train --data "$d/huge.csv") >"$tmp/out" 2>"$tmp/err"
    else
        timeout 60 "$xornet" train --data "$d/huge.csv" >"$tmp/out" 2>"$tmp/err"
    fi
    rc=$?
    one_line "train --data on a 9 GiB file" 2 "^xornet: $(re "$d/huge.csv"): file is larger than the limit of [0-9]+ bytes"
    [ $(($(date +%s) - start)) -le 5 ] || fail "train --data on a 9 GiB file took $(($(date +%s) - start)) s"
    rm -f "$d/huge.csv"
else
    skip "a 9 GiB data file" "this file system makes no sparse file of 9 GiB"
fi

# ---- 5. every command checks its standard output --------------------------------
if [ -w /dev/full ]; then
    while read -r args; do
        # shellcheck disable=SC2086  # args is a word list
        "$xornet" $args >/dev/full 2>"$tmp/err" </dev/null
        rc=$?
        one_line "xornet $args >/dev/full" 1 "^xornet: standard output: No space left on device$"
    done <<EOF
--help
--version
train --help
train --quiet --epochs 5
train --epochs 5 --save $d/full.xn --history $d/full.csv
predict --help
predict --model $d/m.xn
eval --model $d/m.xn
grad --model $d/m.xn
approx --help
approx --n 8
models --help
models
export --model $d/m.xn --c -
EOF
else
    skip "standard output on a full device" "/dev/full cannot be written here"
fi

# ---- 6. a byte-order mark is skipped -----------------------------------------------
printf '\357\273\277x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n' >"$d/bom.csv"
printf '\357\273\277' | cat - "$d/m.xn" >"$d/bom.xn"
run eval --model "$d/bom.xn" --data "$d/bom.csv"
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" <("$xornet" eval --model "$d/m.xn") ||
    fail "eval with byte-order marks: exit $rc: $(cat "$tmp/out" "$tmp/err")"

# ---- 7. a run that fails has replaced nothing ----------------------------------------
# A file size limit of 8 KiB: the history of 2000 steps (~90 KB) cannot be
# written, the model (1 KB) could.  The history is written first, so the
# model is not replaced; the error names the history and its errno.
# (test_devices.sh does the same on a full disk.)
if $itself; then
    cp "$d/m.xn" "$d/keep.xn"
    printf 'old history\n' >"$d/h.csv"
    (ulimit -f 8 && trap '' XFSZ && exec "$xornet" train --quiet --epochs 2000 --seed 5 --save "$d/m.xn" \
        --history "$d/h.csv") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    one_line "train --save --history under a file size limit" 1 "^xornet: $(re "$d/h.csv"): cannot write: File too large$"
    cmp -s "$d/m.xn" "$d/keep.xn" || fail "train with a history that cannot be written replaced the model"
    [ "$(cat "$d/h.csv")" = "old history" ] || fail "the failed history replaced the old one"
    no_temps "$d" "a run that failed for lack of space"
    # the other way round: a model too big for the limit, a history that fits
    (ulimit -f 8 && trap '' XFSZ && exec "$xornet" train --quiet --epochs 3 --layers 2,200,1 --save "$d/m.xn" \
        --history "$d/h.csv") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    one_line "train with a model too big for the limit" 1 "^xornet: $(re "$d/m.xn"): cannot write: File too large$"
    cmp -s "$d/m.xn" "$d/keep.xn" && [ "$(cat "$d/h.csv")" = "old history" ] ||
        fail "train whose model cannot be written replaced a file"
    no_temps "$d" "a run whose model could not be written"
else
    skip "runs under a file size limit" "$xornet is a wrapper, whose own files would meet the limit"
fi

# ---- 11. messages name the line, and stay one line -------------------------------
printf '0,0,0,0\n1,1,1,0\n' >"$d/three.csv"
run eval --model "$d/m.xn" --data "$d/three.csv"
one_line "eval with a data file of the wrong width" 2 "^xornet: $(re "$d/three.csv"):1: 4 columns; eval needs 3"
run train --quiet --init-from "$d/m.xn" --data "$d/three.csv"
one_line "train --init-from with data of the wrong width" 2 "^xornet: $(re "$d/three.csv"):1: "
run train --quiet --layers 3,4,1 --data "$ROOT/data/xor.csv"
one_line "train --layers against data of the other width" 2 "^xornet: $(re "$ROOT/data/xor.csv"):[0-9]+: "
sed 's/^sizes 2 10 1$/sizes 3 10 1/; s/^W1 2 10$/W1 3 10/' "$d/m.xn" | awk '{ print } /^W1 / { getline; print; print }' >"$d/m3.xn"
run predict --model "$d/m3.xn"
one_line "predict with a 3-input model on the XOR table" 2 "^xornet: $(re "$d/m3.xn"):2: the model takes 3 inputs, not XOR's 2"
# a newline in a file name: one line, the newline shown as '?'
nl_name="$d/bad
name.csv"
printf '0,0,0\n0,x,1\n' >"$nl_name"
run train --data "$nl_name"
one_line "train --data with a newline in the file name" 2 "^xornet: $(re "$d/bad")\?name\.csv:2: not a number 'x'"
run eval --model "$nl_name"
one_line "eval --model with a newline in the file name" 2 "^xornet: $(re "$d/bad")\?name\.csv:1: "

# ---- 12. the umask, long names, the errno of a failed write ------------------------
(umask 077 && exec "$xornet" train --quiet --epochs 3 --save "$d/private.xn" --history "$d/private.csv") >/dev/null 2>&1
for f in private.xn private.csv; do
    mode=$(stat -c %a "$d/$f" 2>/dev/null)
    [ "$mode" = 600 ] || fail "$f written under umask 077 has mode $mode, expected 600"
done
(umask 022 && exec "$xornet" train --quiet --epochs 3 --save "$d/public.xn") >/dev/null 2>&1
[ "$(stat -c %a "$d/public.xn")" = 644 ] || fail "public.xn under umask 022: mode $(stat -c %a "$d/public.xn")"
long=$(printf 'n%.0s' $(seq 247)).xn
run train --quiet --epochs 3 --save "$d/$long" --history "$d/${long%.xn}.csv"
[ "$rc" -eq 0 ] && "$xornet" eval --model "$d/$long" >/dev/null 2>&1 ||
    fail "train --save with a 250-byte name: exit $rc: $(cat "$tmp/err")"
no_temps "$d" "saves with 250-byte names"
# a write that fails after the stdio buffer: its errno, not "write error"
if $itself; then
    (ulimit -f 4 && trap '' XFSZ && exec "$xornet" train --quiet --epochs 1 --layers 2,400,1 --save "$d/big.xn") \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    one_line "a save larger than the file size limit" 1 "^xornet: $(re "$d/big.xn"): cannot write: File too large$"
    no_temps "$d" "a save over the file size limit"
else
    skip "a save over the file size limit" "$xornet is a wrapper, whose own files would meet the limit"
fi

finish "files"
