#!/usr/bin/env bash
# examples/train_iris.c and `xornet train` make one decision and train one
# network: the C program on the library's description and defaults
# (xn_data_read, xn_plan_defaults) ends where the program does, at the same
# epoch with the same test accuracy.
# usage: test_example.sh XORNET TRAIN_IRIS REPO_ROOT
set -u
xornet=$1
example=$2
root=$3
. "$(dirname "$0")/common.sh"
"$example" "$root/data" >"$tmp/c" 2>&1 || fail "train_iris: exit $?: $(tail -n 3 "$tmp/c")"
"$xornet" train --data "$root/data/iris-train.csv" --test "$root/data/iris-test.csv" --seed 1 >"$tmp/p" 2>&1 ||
    fail "xornet train: exit $?: $(tail -n 3 "$tmp/p")"
c_acc=$(sed -n 's/.*test accuracy \([0-9.]*\)$/\1/p' "$tmp/c")
p_acc=$(awk '$1 == "test" { print $NF }' "$tmp/p")
c_epoch=$(sed -n 's/.*the weights of epoch \([0-9]*\).*/\1/p' "$tmp/c")
p_epoch=$(sed -n 's/.*the weights of epoch \([0-9]*\) are kept.*/\1/p' "$tmp/p")
[ -n "$c_acc" ] && [ "$c_acc" = "$p_acc" ] || fail "test accuracy: C $c_acc, program $p_acc"
[ -n "$c_epoch" ] && [ "$c_epoch" = "$p_epoch" ] || fail "kept epoch: C $c_epoch, program $p_epoch"
# the epochs run, and the last one's validation loss to its printed digits
[ "$(grep -c '^epoch' "$tmp/c")" = "$(grep -c '^epoch' "$tmp/p")" ] || fail "epochs: C and program differ"
c_val=$(grep '^epoch' "$tmp/c" | tail -n 1 | awk '{ print $8 }')
p_val=$(grep '^epoch' "$tmp/p" | tail -n 1 | awk '{ print $8 }')
awk -v a="$c_val" -v b="$p_val" 'BEGIN { d = a - b; exit !(d < 1e-4 && d > -1e-4) }' ||
    fail "last validation loss: C $c_val, program $p_val"
finish "example and program"
