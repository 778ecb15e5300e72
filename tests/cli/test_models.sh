#!/usr/bin/env bash
# CLI tests of `xornet models` (the notebooks' experiments in one table,
# --seeds, --plot) and `xornet train --plot`: numbers in the table against
# the notebooks, exit statuses, and the pictures (when gnuplot is present).
# usage: test_models.sh XORNET_BINARY REPO_DIR
set -u
xornet=${1:?usage: test_models.sh XORNET REPO_DIR}
repo=${2:?usage: test_models.sh XORNET REPO_DIR}
. "$(dirname "$0")/common.sh"

# row NAME FILE: the table row of experiment NAME
row() { awk -v k="$1" '$1 == k { print; exit }' "$2"; }

# col NAME N FILE: field N of NAME's row
col() { awk -v k="$1" -v n="$2" '$1 == k { print $n; exit }' "$3"; }

# expect_col NAME N WANT FILE
expect_col() {
    local got
    got=$(col "$1" "$2" "$4")
    [ "$got" = "$3" ] || fail "$1: column $2 is '$got', expected '$3'"
}

# ---- the table -------------------------------------------------------------
"$xornet" models >"$tmp/table" 2>"$tmp/table.err"
rc=$?
[ $rc -eq 0 ] || fail "models: exit $rc: $(cat "$tmp/table.err")"
[ -s "$tmp/table.err" ] && fail "models: wrote to stderr: $(cat "$tmp/table.err")"
for name in nb0-m1 nb0-m2 nb0-m3 nb0-m4 nb0-tf nb1 nb2 nb2-hand nb3 nb2-lm nb3-lm; do
    [ -n "$(row "$name" "$tmp/table")" ] || fail "models: no row for $name"
done
grep -qi nan "$tmp/table" && fail "models: NaN in the table"
# columns: name layers activations loss opt lr steps loss0 loss acc y00 y01 y10 y11
# notebook 0: "mse1(ws0) Out[ ]: 1.0352035841412506", mse2 0.27642845152006257
expect_col nb0-m1 8 1.035203584 "$tmp/table"
expect_col nb0-m2 8 0.2764284515 "$tmp/table"
expect_col nb0-m3 8 0.2519574938 "$tmp/table"
expect_col nb0-m4 8 0.2575479161 "$tmp/table"
expect_col nb0-m1 2 2-1 "$tmp/table"
expect_col nb0-m4 3 relu,sigmoid "$tmp/table"
expect_col nb0-m4 6 1.5 "$tmp/table"
expect_col nb0-m4 7 500 "$tmp/table"
expect_col nb0-m1 10 0.25 "$tmp/table"
expect_col nb0-m4 10 1.00 "$tmp/table"
expect_col nb0-tf 10 1.00 "$tmp/table"
# notebook 1: "Final XOR preds: [[0.04852618] [0.98003239] [0.97855588] [0.01685806]]"
[ "$(col nb1 11 "$tmp/table") $(col nb1 12 "$tmp/table") $(col nb1 13 "$tmp/table") $(col nb1 14 "$tmp/table")" \
    = "0.04852618 0.98003239 0.97855588 0.01685806" ] || fail "nb1: outputs $(row nb1 "$tmp/table")"
# notebook 2: Goodfellow et al.'s hand-set solution gives 0 1 1 0 exactly
[ "$(row nb2-hand "$tmp/table" | awk '{ print $9, $11, $12, $13, $14 }')" \
    = "0 0.00000000 1.00000000 1.00000000 0.00000000" ] || fail "nb2-hand: $(row nb2-hand "$tmp/table")"
expect_col nb2 4 sse "$tmp/table"
expect_col nb3 4 bce "$tmp/table"
# the same networks and starts, trained by lm: XOR learned
expect_col nb2-lm 5 lm "$tmp/table"
expect_col nb2-lm 6 - "$tmp/table"
expect_col nb2-lm 8 "$(col nb2 8 "$tmp/table")" "$tmp/table"
expect_col nb2-lm 10 1.00 "$tmp/table"
expect_col nb3-lm 10 1.00 "$tmp/table"

# ---- --seeds ----------------------------------------------------------------
"$xornet" models --seeds 3 >"$tmp/seeds" 2>"$tmp/seeds.err"
rc=$?
[ $rc -eq 0 ] || fail "models --seeds 3: exit $rc: $(cat "$tmp/seeds.err")"
grep -q '^seeds 1\.\.3' "$tmp/seeds" || fail "models --seeds 3: no seeds table"
# the seeds table comes after the main one: take the last row of each name
last() { awk -v k="$1" -v n="$2" '$1 == k { v = $n } END { print v }' "$3"; }
[ "$(last nb0-m4 7 "$tmp/seeds")" = "3/3" ] || fail "--seeds 3: nb0-m4 learned $(last nb0-m4 7 "$tmp/seeds")"
[ "$(last nb0-m1 7 "$tmp/seeds")" = "0/3" ] || fail "--seeds 3: nb0-m1 learned $(last nb0-m1 7 "$tmp/seeds")"
[ "$(grep -c '^nb2-hand' "$tmp/seeds")" = 1 ] || fail "--seeds: fixed weights were reseeded"

# ---- bad usage: exit 2 and a one-line message --------------------------------
for args in "--seeds 0" "--seeds x" "--seeds" "--bogus" "--plot="; do
    # shellcheck disable=SC2086
    "$xornet" models $args >"$tmp/bad.out" 2>"$tmp/bad.err"
    rc=$?
    [ $rc -eq 2 ] || fail "models $args: exit $rc, expected 2"
    grep -q '^xornet: ' "$tmp/bad.err" || fail "models $args: no 'xornet: ' message"
done
"$xornet" models --help >"$tmp/help" 2>&1 || fail "models --help: nonzero exit"
grep -q 'nb3' "$tmp/help" || fail "models --help: experiments not listed"

# ---- the TF weights file: missing is a failure, but the table is printed -------
"$xornet" models --data-dir "$tmp/nowhere" >"$tmp/nodata" 2>"$tmp/nodata.err"
rc=$?
[ $rc -eq 1 ] || fail "models --data-dir missing: exit $rc, expected 1"
grep -q 'nb0_tf_model4.xn' "$tmp/nodata.err" || fail "models --data-dir missing: file not named"
[ "$(col nb1 11 "$tmp/nodata")" = 0.04852618 ] || fail "models --data-dir missing: other rows not run"
"$xornet" models --data-dir "$repo/data" >/dev/null 2>&1 || fail "models --data-dir $repo/data failed"

# ---- --plot without gnuplot: the work is done, the hint given, exit 1 ----------
mkdir "$tmp/emptybin"
PATH="$tmp/emptybin" "$xornet" models --plot "$tmp/nopics" >"$tmp/np.out" 2>"$tmp/np.err"
rc=$?
[ $rc -eq 1 ] || fail "models --plot without gnuplot: exit $rc, expected 1"
grep -q 'apt-get install gnuplot-nox' "$tmp/np.err" || fail "models --plot without gnuplot: no hint"
[ "$(col nb1 11 "$tmp/np.out")" = 0.04852618 ] || fail "models --plot without gnuplot: no table"
PATH="$tmp/emptybin" "$xornet" train --quiet --epochs 20 --plot "$tmp/nopics" >"$tmp/np.out" 2>"$tmp/np.err"
rc=$?
[ $rc -eq 1 ] || fail "train --plot without gnuplot: exit $rc, expected 1"
grep -q 'apt-get install gnuplot-nox' "$tmp/np.err" || fail "train --plot without gnuplot: no hint"
# train finds out before it trains, so no run's work is done in vain
grep -q '^final loss' "$tmp/np.out" && fail "train --plot without gnuplot: trained first"

# ---- --plot with gnuplot --------------------------------------------------------
if command -v gnuplot >/dev/null 2>&1; then
    "$xornet" models --plot "$tmp/pics" >"$tmp/plot.out" 2>"$tmp/plot.err"
    rc=$?
    [ $rc -eq 0 ] || fail "models --plot: exit $rc: $(cat "$tmp/plot.err")"
    for f in nb0-m1-loss nb0-m1-surface nb0-m4-loss nb0-m4-surface nb0-tf-surface \
             nb1-loss nb1-surface nb2-hand-surface nb3-loss nb3-surface nb2-lm-loss nb3-lm-surface; do
        is_png "$tmp/pics/$f.png" || fail "models --plot: $f.png missing or not a PNG"
    done
    [ ! -e "$tmp/pics/nb0-tf-loss.png" ] || fail "models --plot: a loss curve for fixed weights"
    [ "$(ls "$tmp/pics" | wc -l)" -eq 20 ] || fail "models --plot: $(ls "$tmp/pics" | wc -l) files, expected 20"

    "$xornet" train --quiet --epochs 200 --plot "$tmp/tp" >"$tmp/tp.out" 2>"$tmp/tp.err"
    rc=$?
    [ $rc -eq 0 ] || fail "train --plot: exit $rc: $(cat "$tmp/tp.err")"
    for f in loss metric surface confusion; do
        is_png "$tmp/tp/$f.png" || fail "train --plot: $f.png"
    done
    grep -q "wrote $tmp/tp/surface.png" "$tmp/tp.out" || fail "train --plot: written files not listed"

    # one input, one output (regression): the curves and the fit through the data
    "$xornet" train --quiet --epochs 20 --data "$repo/data/samples_sin.csv" --layers 1,8,1 \
        --plot "$tmp/tp1" >"$tmp/tp1.out" 2>"$tmp/tp1.err"
    rc=$?
    [ $rc -eq 0 ] || fail "train --plot 1-input: exit $rc: $(cat "$tmp/tp1.err")"
    for f in loss metric fit predicted; do
        is_png "$tmp/tp1/$f.png" || fail "train --plot 1-input: $f.png"
    done
    [ ! -e "$tmp/tp1/surface.png" ] || fail "train --plot 1-input: drew a surface"

    # classes of 4 inputs: training and validation curves and the confusion
    # matrix, no picture of the function
    "$xornet" train --quiet --epochs 20 --data "$repo/data/iris-train.csv" \
        --plot "$tmp/tp4" >"$tmp/tp4.out" 2>"$tmp/tp4.err"
    rc=$?
    [ $rc -eq 0 ] || fail "train --plot iris: exit $rc: $(cat "$tmp/tp4.err")"
    for f in loss metric confusion; do
        is_png "$tmp/tp4/$f.png" || fail "train --plot iris: $f.png"
    done
    [ "$(ls "$tmp/tp4" | wc -l)" -eq 3 ] || fail "train --plot iris: $(ls "$tmp/tp4")"

    # a path whose parent is missing: one level only, exit 1 before training
    "$xornet" train --quiet --epochs 5 --plot "$tmp/a/b" >"$tmp/ab.out" 2>"$tmp/ab.err"
    rc=$?
    [ $rc -eq 1 ] || fail "train --plot a/b: exit $rc, expected 1"
    [ -s "$tmp/ab.out" ] && fail "train --plot a/b: trained first: $(cat "$tmp/ab.out")"
else
    skip "the pictures of models --plot and train --plot" "gnuplot is not installed: apt-get install gnuplot-nox"
fi

finish "models CLI"
