#!/usr/bin/env bash
# Every picture xornet draws, by the real gnuplot watched as it runs
# (gnuplot_watched, common.sh): each file is a PNG of the size asked and of
# a sane weight, gnuplot warned about none of them, and what a picture says
# is what the program printed: the epoch whose weights were kept, the loss
# named for what it measures, R^2 and accuracy in the titles (R^2 against
# scikit-learn's r2_score where it is installed), the counts of eval
# --confusion, the class labels on the axes, the outputs of the truth table,
# the knots in the user's count.
# usage: test_pictures.sh XORNET REPO_ROOT
set -u
xornet=$1
repo=$2
. "$(dirname "$0")/common.sh"

# without gnuplot, eval --plot still scores, then says how to get it (exit 1)
mkdir "$tmp/nobin"
PATH="$tmp/nobin" "$xornet" eval --model "$repo/data/nb0_tf_model4.xn" --plot "$tmp/none.png" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q '^accuracy 1$' "$tmp/out" && grep -q 'apt-get install gnuplot-nox' "$tmp/err" &&
    [ ! -e "$tmp/none.png" ] || fail "eval --plot without gnuplot: exit $rc: $(cat "$tmp/out" "$tmp/err")"

if ! gnuplot_watched; then
    echo "SKIP: gnuplot is not installed (apt-get install gnuplot-nox)"
    exit 77
fi

# picture FILE SIZE: a PNG of SIZE (WIDTHxHEIGHT) of 8 kB to 2 MB: drawn,
# not an empty frame, nor a runaway
picture() {
    if ! is_png "$1"; then
        fail "$1: missing or not a PNG"
        return
    fi
    [ "$(png_size "$1")" = "$2" ] || fail "$1: $(png_size "$1"), expected $2"
    local bytes
    bytes=$(stat -c %s "$1")
    [ "$bytes" -ge 8000 ] && [ "$bytes" -le 2000000 ] || fail "$1: $bytes bytes"
}

# kept TITLE: the folder of the last gnuplot run whose script has TITLE
# (fixed text) in it
kept() {
    local f
    f=$(grep -lF -- "$1" "$tmp"/gp/[0-9]*/plot.gp 2>/dev/null | sort -t/ -k1 -V | tail -n 1)
    [ -n "$f" ] || { fail "no picture has '$1'"; echo /nonexistent; return; }
    dirname "$f"
}

# score SET NAME FILE: the value after NAME on the report line of SET
score() { awk -v s="$1" -v k="$2" '$1 == s { for (i = 2; i < NF; i++) if ($i == k) print $(i + 1) }' "$3"; }

have_sklearn() { /usr/bin/python3 -c 'import sklearn' 2>/dev/null; }

# ---- a classifier with words for classes: curves, kept epoch, confusion -----------
# iris with its species named (data/iris-*.csv number them 0, 1, 2)
for part in train test; do
    awk -F, 'BEGIN { OFS = ","; split("setosa versicolor virginica", name, " ") }
             /^#/ { next } NR > 1 && $NF ~ /^[0-9]+$/ { $NF = name[$NF + 1] } { print }' \
        "$repo/data/iris-$part.csv" >"$tmp/iris-$part.csv"
done
run train --data "$tmp/iris-train.csv" --test "$tmp/iris-test.csv" --save "$tmp/iris.xn" --plot "$tmp/iris" --quiet
[ "$rc" -eq 0 ] || fail "train iris --plot: exit $rc: $(cat "$tmp/err")"
cp "$tmp/out" "$tmp/iris.out"
for f in loss metric confusion; do picture "$tmp/iris/$f.png" 800x600; done
[ "$(ls "$tmp/iris" | sort | tr '\n' ' ')" = "confusion.png loss.png metric.png " ] ||
    fail "train iris --plot: $(ls "$tmp/iris")"
# the kept epoch, as the report says, marked on both curves
epoch=$(sed -n 's/.*the weights of epoch \([0-9]*\) are kept$/\1/p' "$tmp/iris.out")
[ -n "$epoch" ] || fail "iris: no kept epoch in the report: $(cat "$tmp/iris.out")"
for title in "iris-train.csv: cce loss" "iris-train.csv: accuracy"; do
    d=$(kept "set title '$title'")
    grep -qF "title 'weights kept: epoch $epoch'" "$d/plot.gp" || fail "$title: the kept epoch $epoch is not in the key"
    grep -qF "set arrow from first $epoch, graph 0 to first $epoch, graph 1" "$d/plot.gp" ||
        fail "$title: no line at epoch $epoch"
    grep -q "set key below" "$d/plot.gp" || fail "$title: the key is not below the frame"
done
grep -qF "set ylabel 'cce loss' . ' (log scale)'" "$(kept "set title 'iris-train.csv: cce loss'")/plot.gp" ||
    fail "iris: the loss axis is not named cce loss"
# the accuracy's range: the curves after their first tenth, 5 % more each side
d=$(kept "set title 'iris-train.csv: accuracy'")
awk -v e="$epoch" 'FNR == 1 { n[FILENAME] = 0 } { x[FILENAME, ++n[FILENAME]] = $1; y[FILENAME, n[FILENAME]] = $2 }
    END { lo = 1e300; hi = -1e300
          for (k in n) for (i = 1; i <= n[k]; i++) if (i > int(n[k] / 10) || x[k, i] == e) {
              if (y[k, i] < lo) lo = y[k, i]; if (y[k, i] > hi) hi = y[k, i] }
          pad = 0.05 * (hi - lo); printf "set yrange [%.6f:%.6f]\n", lo - pad, hi + pad }' \
    "$d/a.dat" "$d/b.dat" >"$tmp/range.want"
sed -n 's/^set yrange \[\([^:]*\):\([^]]*\)\]$/\1 \2/p' "$d/plot.gp" |
    awk '{ printf "set yrange [%.6f:%.6f]\n", $1, $2 }' >"$tmp/range.got"
cmp -s "$tmp/range.want" "$tmp/range.got" || fail "accuracy's range: $(cat "$tmp/range.got"), expected $(cat "$tmp/range.want")"
# the confusion matrix: the test rows, the accuracy of the report, the
# species on both axes, and the counts eval --confusion prints
acc=$(score test accuracy "$tmp/iris.out")
d=$(kept "set title 'iris-train.csv: confusion, 38 test rows, accuracy $acc'")
for axis in x y; do
    grep -qF "set ${axis}tics noenhanced ('setosa' 0, 'versicolor' 1, 'virginica' 2)" "$d/plot.gp" ||
        fail "confusion: the $axis axis is not named by the species"
done
run eval --model "$tmp/iris.xn" --data "$tmp/iris-test.csv" --confusion --plot "$tmp/eval-iris.png"
[ "$rc" -eq 0 ] || fail "eval --plot: exit $rc: $(cat "$tmp/err")"
picture "$tmp/eval-iris.png" 800x600
grep -qx "wrote $tmp/eval-iris.png" "$tmp/out" || fail "eval --plot: the picture is not named"
awk '/^confusion/ { on = 1; getline; next } /^wrote / { on = 0 } on { for (i = 2; i <= NF; i++) printf "%s ", $i; print "" }' \
    "$tmp/out" >"$tmp/text.counts"
for dir in "$d" "$(kept "set title 'iris.xn on iris-test.csv: confusion, 38 rows, accuracy $acc'")"; do
    awk 'NF { c[$2] = c[$2] $4 " " } END { for (t = 0; t in c; t++) print c[t] }' "$dir/a.dat" >"$tmp/picture.counts"
    cmp -s "$tmp/text.counts" "$tmp/picture.counts" ||
        fail "confusion: the picture's counts $(cat "$tmp/picture.counts") are not eval's $(cat "$tmp/text.counts")"
done

# ---- a regression of ten inputs: predicted against actual -----------------------
run train --data "$repo/data/diabetes-train.csv" --test "$repo/data/diabetes-test.csv" --save "$tmp/dia.xn" \
    --plot "$tmp/dia" --quiet
[ "$rc" -eq 0 ] || fail "train diabetes --plot: exit $rc: $(cat "$tmp/err")"
cp "$tmp/out" "$tmp/dia.out"
for f in loss metric predicted; do picture "$tmp/dia/$f.png" 800x600; done
[ "$(ls "$tmp/dia" | wc -l)" -eq 3 ] || fail "train diabetes --plot: $(ls "$tmp/dia")"
# its loss is that of the standardized targets, and the axis says so
d=$(kept "set title 'diabetes-train.csv: mse loss of the standardized targets'")
grep -qF "set ylabel 'mse loss, standardized targets'" "$d/plot.gp" || fail "diabetes: the loss axis: $(grep ylabel "$d/plot.gp")"
r2=$(score test r2 "$tmp/dia.out")
n=$(awk 'NF && !/^#/' "$repo/data/diabetes-test.csv" | tail -n +2 | wc -l)
d=$(kept "set title 'diabetes-train.csv: predicted against actual, $n test rows, R² $r2'")
[ "$(awk NF "$d/a.dat" | wc -l)" -eq "$n" ] || fail "predicted: $(awk NF "$d/a.dat" | wc -l) points, expected $n"
# R^2 of the picture's own points: scikit-learn's where installed, else by
# its definition, 1 - SS_res / SS_tot
if have_sklearn; then
    got=$(/usr/bin/python3 -c '
import sys, numpy as np
from sklearn.metrics import r2_score
a = np.loadtxt(sys.argv[1], ndmin=2)
print("%.4f" % r2_score(a[:, 0], a[:, 1]))' "$d/a.dat")
else
    got=$(awk 'NF { n++; y[n] = $1; p[n] = $2; s += $1 } END { m = s / n
               for (i = 1; i <= n; i++) { r += (y[i] - p[i]) ^ 2; t += (y[i] - m) ^ 2 }
               printf "%.4f\n", 1 - r / t }' "$d/a.dat")
fi
[ "$got" = "$r2" ] || fail "predicted: R² of the points is $got, the report's $r2"
run eval --model "$tmp/dia.xn" --data "$repo/data/diabetes-test.csv" --plot "$tmp/eval-dia.png"
[ "$rc" -eq 0 ] || fail "eval --plot regression: exit $rc: $(cat "$tmp/err")"
picture "$tmp/eval-dia.png" 800x600
kept "set title 'dia.xn on diabetes-test.csv: predicted against actual, $n rows, R² $r2'" >/dev/null
# no kept epoch, no mark
run train --data "$repo/data/diabetes-train.csv" --epochs 5 --plot "$tmp/dia5" --quiet
grep -q 'kept' "$tmp/out" && fail "5 epochs: weights kept: $(cat "$tmp/out")"
grep -q 'weights kept' "$(kept "set title 'diabetes-train.csv: rmse'")/plot.gp" && fail "5 epochs: a kept epoch marked"

# ---- two inputs: the surface and the view from above ----------------------------
run train --plot "$tmp/xor" --quiet
[ "$rc" -eq 0 ] || fail "train --plot: exit $rc: $(cat "$tmp/err")"
picture "$tmp/xor/surface.png" 1200x600
for f in loss metric confusion; do picture "$tmp/xor/$f.png" 800x600; done
d=$(kept "set multiplot title 'xor: learned function'")
grep -Eq '^set view 60, (30|120|210|300)$' "$d/plot.gp" || fail "surface: the view: $(grep 'set view' "$d/plot.gp")"
grep -q '^set view map$' "$d/plot.gp" || fail "surface: no view from above"
# each point labelled with the network's output, as the truth table says it
awk -F' [|] ' '/^[01] [01] \|/ { split($1, x, " "); printf "%s %s %.3f\n", x[1], x[2], $2 }' "$tmp/out" | sort >"$tmp/table"
sed -n "s/^set label [0-9]* '\([^']*\)' at \([^,]*\), \([^ ]*\) .*/\2 \3 \1/p" "$d/plot.gp" | sort >"$tmp/labels"
[ "$(wc -l <"$tmp/table")" -eq 4 ] && cmp -s "$tmp/table" "$tmp/labels" ||
    fail "surface: labels $(cat "$tmp/labels") against the table $(cat "$tmp/table")"
# from the chosen corner every XOR point is in sight
[ "$(awk '$5 == 1 && $6 == 1' "$d/b.dat" | wc -l)" -eq 4 ] || fail "surface: points hidden: $(cat "$d/b.dat")"

# ---- one input: the curve, and predicted against actual -------------------------
run train --data "$repo/data/samples_sin.csv" --layers 1,8,1 --epochs 30 --plot "$tmp/one" --quiet
[ "$rc" -eq 0 ] || fail "train one input --plot: exit $rc: $(cat "$tmp/err")"
for f in loss metric fit predicted; do picture "$tmp/one/$f.png" 800x600; done
grep -q "title 'training rows'" "$(kept "set title 'samples_sin.csv: the network over the training data'")/plot.gp" ||
    fail "fit: the points are not named training rows"

# ---- the notebooks' experiments ---------------------------------------------------
run models --plot "$tmp/models"
[ "$rc" -eq 0 ] || fail "models --plot: exit $rc: $(cat "$tmp/err")"
# a surface an experiment of the table, a loss curve a trained one
want=$(awk '$1 == "name" { on = 1; next } /^\(outputs/ { on = 0 } on { n++; t += $5 != "-" } END { print n + t }' "$tmp/out")
[ "$(ls "$tmp/models" | wc -l)" -eq "$want" ] || fail "models --plot: $(ls "$tmp/models" | wc -l) pictures, expected $want"
for f in "$tmp"/models/*-surface.png; do picture "$f" 1200x600; done
for f in "$tmp"/models/*-loss.png; do picture "$f" 800x600; done

# ---- approximations: the knots in the user's words ------------------------------
csv=$repo/data/samples_sin.csv
run approx --samples "$csv" --knots-at 0.2,0.5,1,1.5,2,2.5,3 --plot "$tmp/at.png"
[ "$rc" -eq 0 ] || fail "approx --knots-at --plot: exit $rc: $(cat "$tmp/err")"
picture "$tmp/at.png" 800x600
d=$(kept "set title 'ReLU least squares, 7 knots given (9 units): $csv'")
grep -qF "title 'knots (7)'" "$d/plot.gp" || fail "--knots-at: the key does not say 7 knots"
[ "$(tr '\n' ' ' <"$d/c.dat" | awk '{ for (i = 1; i <= NF; i += 2) printf "%s,", $i }')" = "0.20000000000000001,0.5,1,1.5,2,2.5,3," ] ||
    fail "--knots-at: the marks are not the knots given: $(cat "$d/c.dat")"
run approx --fn sin --n 200 --noise 0.1 --seed 1 --gcv --gcv-max 40 --plot "$tmp/gcv.png"
picture "$tmp/gcv.png" 800x600
k=$(awk '$1 == "n" { print $2 }' "$tmp/out")
d=$(kept "set title 'ReLU least squares, $k knots chosen by GCV: sin with noise on [0, 3.14159]'")
[ "$(awk NF "$d/c.dat" | wc -l)" -eq "$k" ] || fail "--gcv: $(awk NF "$d/c.dat" | wc -l) knots marked, $k chosen"
run approx --fn runge --a -1 --b 1 --n 12 --plot "$tmp/interp.png"
picture "$tmp/interp.png" 800x600
d=$(kept "set title 'ReLU interpolation of 12 samples: runge on [-1, 1]'")
grep -qF "title 'samples (the knots)'" "$d/plot.gp" || fail "interpolation: the samples are not said to be the knots"
[ -s "$d/c.dat" ] && fail "interpolation: knots marked besides the samples"
run approx --fn sin --tol 1e-3 --plot "$tmp/tol.png"
picture "$tmp/tol.png" 800x600
kept "set title 'ReLU interpolation to --tol 0.001, $(awk '$1 == "n" { print $2 }' "$tmp/out") knots: sin on [0, 3.14159]'" >/dev/null

# ---- gnuplot said nothing about any of them -----------------------------------
[ "$(ls -d "$tmp"/gp/[0-9]* | wc -l)" -ge 35 ] || fail "gnuplot ran $(ls -d "$tmp"/gp/[0-9]* | wc -l) times"
[ -s "$tmp/gp/said" ] && fail "gnuplot warned: $(sort -u "$tmp/gp/said" | head -5)"

finish "pictures"
