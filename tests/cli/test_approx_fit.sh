#!/usr/bin/env bash
# CLI tests of `xornet approx`'s fits beyond plain interpolation and
# equidistant least squares: knots given (--knots-at), the knot count by
# GCV, noisy samples, adaptive refinement (--tol), --extrapolate and
# --print, with their usage errors.  (test_approx.sh has the rest; two
# scripts so that each stays short under valgrind.)
# usage: test_approx_fit.sh XORNET_BINARY REPO_DIR
set -u
xornet=${1:?usage: test_approx_fit.sh XORNET REPO_DIR}
repo=${2:?usage: test_approx_fit.sh XORNET REPO_DIR}
. "$(dirname "$0")/common.sh"

# field NAME FILE: the value after "NAME" in the report
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# awk_true EXPR: exit 0 if the awk expression is true
awk_true() { awk "BEGIN { exit !($1) }"; }

# run_ok NAME ARGS...: expects exit 0, output in $tmp/NAME.out
run_ok() {
    local name=$1
    shift
    "$xornet" approx "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    local rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name: exit $rc, expected 0: $(cat "$tmp/$name.err")"
        return 1
    fi
    if grep -qi nan "$tmp/$name.out"; then
        fail "$name: NaN in the output"
    fi
    return 0
}

# run_bad NAME PATTERN ARGS...: expects exit 2 and PATTERN (grep -E) on stderr
run_bad() {
    local name=$1 pattern=$2
    shift 2
    "$xornet" approx "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    local rc=$?
    [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2"
    grep -Eq -e "$pattern" "$tmp/$name.err" ||
        fail "$name: stderr '$(cat "$tmp/$name.err")' does not match '$pattern'"
}


csv=$repo/data/samples_sin.csv

# ---- usage ----------------------------------------------------------------------

run_bad knots_twice '--knots-at cannot be combined with --knots' --knots 4 --knots-at 0,1
run_bad gcv_tol '--tol cannot be combined with --gcv' --gcv --tol 1e-3
run_bad tol_samples '--tol refines a built-in function' --samples "$csv" --tol 1e-3
run_bad tol_zero '--tol: the tolerance must be > 0' --tol 0
run_bad gcv_max_alone '--gcv-max applies to --gcv only' --gcv-max 10
run_bad max_n_alone '--max-n applies to --tol only' --max-n 10
run_bad seed_alone '--seed applies to --noise only' --seed 3
run_bad noise_neg '--noise: the standard deviation must be >= 0' --noise -1
run_bad noise_samples '--samples cannot be combined' --samples "$csv" --noise 0.1
run_bad extrap_unknown "--extrapolate: unknown choice 'zero'" --extrapolate zero

# ---- knots given: --knots-at LIST|FILE ------------------------------------

# |x| with a knot at its kink is fitted exactly; 4 equidistant knots
# (breakpoints -1, -1/3, 1/3, 1) miss it
if run_ok abs_at --fn abs --a -1 --b 1 --n 101 --knots-at '-1, 0,1' &&
    run_ok abs_4 --fn abs --a -1 --b 1 --n 101 --knots 4; then
    grep -q 'least squares, dgels, rank 3, .*knots given' "$tmp/abs_at.out" || fail "abs_at: fit line"
    e=$(field max_error "$tmp/abs_at.out")
    awk_true "$e <= 1e-14" || fail "abs_at: max_error $e with a knot at the kink"
    e4=$(field max_error "$tmp/abs_4.out")
    awk_true "$e4 > 0.1" || fail "abs_4: max_error $e4"
fi
# a file of knots, one a line, with a header and comments; its errors name
# its lines, and the list's errors its items
printf '# breakpoints\nknot\n0.5\n\n1.5\n' >"$tmp/knots.txt"
run_ok knots_file --samples "$csv" --knots-at "$tmp/knots.txt" &&
    { [ "$(field n "$tmp/knots_file.out")" = 4 ] || fail "knots_file: n is not 4 (2 inner + 2)"; }
printf 'knot\n0.5\n1.5\n1.2\n' >"$tmp/down.txt"
run_bad knots_down 'down.txt:4: knot 3 \(1.2\) is below the knot before it: knots must increase$' \
    --samples "$csv" --knots-at "$tmp/down.txt"
printf '0.5\n9\n' >"$tmp/far.txt"
run_bad knots_far 'far.txt:2: knot 2 \(9\) is outside the samples.* range \[0, 3.14159' \
    --samples "$csv" --knots-at "$tmp/far.txt"
printf '0.5\nnan\n' >"$tmp/nan.txt"
run_bad knots_nan "nan.txt:2: non-finite number 'nan'" --samples "$csv" --knots-at "$tmp/nan.txt"
run_bad knots_missing 'nowhere.txt: cannot open' --samples "$csv" --knots-at "$tmp/nowhere.txt"
run_bad knots_list_order '^xornet: --knots-at: knot 3 \(1\) repeats the knot before it$' \
    --samples "$csv" --knots-at 0.5,1,1
run_bad knots_list_word "^xornet: --knots-at: item 2: not a number 'x'$" --samples "$csv" --knots-at 1,x
run_bad knots_list_empty "^xornet: --knots-at: item 2: empty item" --samples "$csv" --knots-at 1,,2
run_ok knots_one --samples "$csv" --knots-at 1 &&
    { [ "$(field n "$tmp/knots_one.out")" = 3 ] || fail "knots_one: n is not 3"; }
grep -qx "knots      1 given, inside the samples' range" "$tmp/knots_one.out" &&
    grep -qx 'n          3  (units: the knot inside, and x_min and x_min - d, where the line starts)' \
        "$tmp/knots_one.out" || fail "knots_one: $(grep '^knots\|^n ' "$tmp/knots_one.out")"
# the knots are reported in the user's count, the units beside it: 7 inside
# the range make 9 units; 3 of 5 at the ends make 4 (x_min's unit is one)
if run_ok knots_seven --samples "$csv" --knots-at 0.2,0.5,1,1.5,2,2.5,3; then
    grep -qx "knots      7 given, all inside the samples' range" "$tmp/knots_seven.out" ||
        fail "knots_seven: $(grep '^knots' "$tmp/knots_seven.out")"
    grep -qx 'n          9  (units: the 7 knots inside, and x_min and x_min - d, where the line starts)' \
        "$tmp/knots_seven.out" || fail "knots_seven: $(grep '^n ' "$tmp/knots_seven.out")"
fi
run_ok knots_ends --samples "$csv" --knots-at 0,0.5,1,3.141592653589793 &&
    { grep -qx "knots      4 given, 2 inside the samples' range and 2 at its ends" "$tmp/knots_ends.out" &&
      [ "$(field n "$tmp/knots_ends.out")" = 4 ] || fail "knots_ends: $(grep '^knots\|^n ' "$tmp/knots_ends.out")"; }

# ---- knot count by GCV --------------------------------------------------------

# noisy samples of sin (NumPy's np.random.seed(1) normals, sd 0.05): with
# --gcv-table the table lists every count, the minimum is marked, and the
# fit uses it
if run_ok gcv --fn sin --n 200 --noise 0.05 --seed 1 --gcv --gcv-max 30 --gcv-table; then
    [ "$(grep -c '^gcv        [0-9]' "$tmp/gcv.out")" = 29 ] || fail "gcv: not 29 rows for 2..30"
    grep -q 'gcv-table prints' "$tmp/gcv.out" && fail "gcv --gcv-table: says rows are left out"
    kmin=$(awk '$1 == "gcv" && $2 ~ /^[0-9]+$/ { if (best == "" || $4 < best) { best = $4; k = $2 } } END { print k }' "$tmp/gcv.out")
    marked=$(awk '/<- minimum/ { print $2 }' "$tmp/gcv.out")
    [ "$kmin" = "$marked" ] || fail "gcv: minimum at $kmin, marked $marked"
    [ "$(field n "$tmp/gcv.out")" = "$kmin" ] || fail "gcv: fitted n is not $kmin"
    grep -q 'knots chosen by GCV' "$tmp/gcv.out" || fail "gcv: fit line"
    # without --gcv-table: the chosen count and three neighbours each side,
    # rows of the whole table, and one line saying how to see the rest
    if run_ok gcv_short --fn sin --n 200 --noise 0.05 --seed 1 --gcv --gcv-max 30; then
        want=$(awk -v k="$kmin" '$1 == "gcv" && $2 ~ /^[0-9]+$/ && $2 >= k - 3 && $2 <= k + 3' "$tmp/gcv.out")
        got=$(awk '$1 == "gcv" && $2 ~ /^[0-9]+$/' "$tmp/gcv_short.out")
        [ "$got" = "$want" ] || fail "gcv: the short table is not the rows around $kmin: $got"
        [ "$(echo "$got" | wc -l)" = 7 ] || fail "gcv: the short table has $(echo "$got" | wc -l) rows, expected 7"
        grep -qx 'gcv        (7 of the 29 counts tried, 2 to 30, shown; --gcv-table prints them all)' \
            "$tmp/gcv_short.out" || fail "gcv: no line about the rows left out: $(cat "$tmp/gcv_short.out")"
        diff <(grep -v '^gcv\|^time' "$tmp/gcv.out") <(grep -v '^gcv\|^time' "$tmp/gcv_short.out") >/dev/null ||
            fail "gcv: the fit differs with --gcv-table"
    fi
    # against the true function the GCV fit beats interpolating the noise,
    # and interpolation says so: 200 samples that zigzag
    if run_ok gcv_interp --fn sin --n 200 --noise 0.05 --seed 1; then
        eg=$(field rms_error "$tmp/gcv.out") ei=$(field rms_error "$tmp/gcv_interp.out")
        awk_true "$eg < $ei / 2" || fail "gcv: rms error $eg, interpolation $ei"
        grep -Eq '^hint       these samples look noisy \([0-9]+% of the steps .*--gcv or --knots N' "$tmp/gcv_interp.out" ||
            fail "interpolating 200 noisy samples: no hint: $(cat "$tmp/gcv_interp.out")"
    fi
fi
run_bad gcv_table_alone '--gcv-table applies to --gcv only' --gcv-table

# the hint: not for a smooth curve, nor for fewer than 50 samples, nor a fit
# that already smooths; the share it names is NumPy's count of the turns
run_ok smooth200 --fn sin --n 200 && grep -q '^hint' "$tmp/smooth200.out" &&
    fail "interpolating 200 samples of sin: a hint about noise: $(grep '^hint' "$tmp/smooth200.out")"
run_ok noisy49 --fn sin --n 49 --noise 0.3 && grep -q '^hint' "$tmp/noisy49.out" && fail "49 noisy samples: a hint"
run_ok noisy50 --fn sin --n 50 --noise 0.3 && ! grep -q '^hint' "$tmp/noisy50.out" && fail "50 noisy samples: no hint"
run_ok noisy_knots --fn sin --n 500 --noise 0.3 --knots 6 && grep -q '^hint' "$tmp/noisy_knots.out" &&
    fail "--knots on noisy samples: a hint"
# ... and from a file: 300 samples of a line with uniform noise (an LCG's)
awk 'BEGIN { s = 7; print "x,f"; for (i = 0; i < 300; i++) { s = (s * 1103515245 + 12345) % 2147483648
             printf "%.17g,%.17g\n", i / 100, i / 300 + 0.5 * (s / 2147483648 - 0.5) } }' >"$tmp/noisy.csv"
run_ok noisy_file --samples "$tmp/noisy.csv" && ! grep -q '^hint       these samples look noisy' "$tmp/noisy_file.out" &&
    fail "300 noisy samples from a file: no hint"
if run_ok noisy500 --fn sin --n 500 --noise 0.3 && [ -x /usr/bin/python3 ] &&
    /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    want=$(/usr/bin/python3 -c '
import numpy as np
np.random.seed(1)
x = np.linspace(0, np.pi, 500)
d = np.diff(np.sin(x) + 0.3 * np.random.randn(500))
print("%.0f%%" % (100 * np.mean(d[1:] * d[:-1] < 0)))')
    grep -q "^hint       these samples look noisy ($want of the steps" "$tmp/noisy500.out" ||
        fail "500 noisy samples: the hint does not say $want (NumPy): $(grep '^hint' "$tmp/noisy500.out")"
fi
run_bad gcv_small 'GCV needs 2 <= largest knot count < samples' --samples "$csv" --gcv --gcv-max 25

# ---- noise: NumPy's legacy normals -------------------------------------------

# np.random.seed(1); np.random.randn(2) = 1.6243453636632417,
# -0.6117564136500754 (NumPy 1.24): samples 1 and 2 of sin on [0, 1]
# (x = 0, 0.5) with sd 1; interpolation's NN at the knots 0 and 0.5
if run_ok noise --fn sin --a 0 --b 1 --n 3 --noise 1 --seed 1 --print; then
    awk '$1 == "knot" && $2 == 2 { v2 = $5 } $1 == "knot" && $2 == 3 { v3 = $5 }
         END { d2 = v2 - 1.6243453636632417; d3 = v3 - (0.479425538604203 - 0.6117564136500754)
               exit !(d2 * d2 < 1e-26 && d3 * d3 < 1e-26) }' "$tmp/noise.out" ||
        fail "noise: the samples are not sin + NumPy's normals: $(grep '^knot' "$tmp/noise.out" | tr '\n' ' ')"
fi

# ---- adaptive refinement: --tol -----------------------------------------------

# sin on [0, pi] to 1e-6: the h^2/8 bound needs 1112 equidistant knots;
# refinement needs fewer (at most 1.1x), meets the tolerance, and observes
# the h^2 rate (order 2)
if run_ok tol --fn sin --tol 1e-6; then
    n=$(field n "$tmp/tol.out") e=$(field max_error "$tmp/tol.out") p=$(field order "$tmp/tol.out")
    awk_true "$n <= 1.1 * 1112" || fail "tol: $n knots"
    awk_true "$e <= 1e-6" || fail "tol: max_error $e"
    awk_true "$p >= 1.9 && $p <= 2.1" || fail "tol: order $p"
    grep -q '^fit        interpolation, adaptive' "$tmp/tol.out" || fail "tol: fit line"
fi
"$xornet" approx --fn sin --tol 1e-9 --max-n 100 >"$tmp/tol_cap.out" 2>"$tmp/tol_cap.err"
[ $? -eq 1 ] || fail "tol_cap: expected exit 1"
grep -q '^xornet: --tol 1e-09 not reached: refining to 1e-09 stopped at the most knots allowed, 100$' "$tmp/tol_cap.err" ||
    fail "tol_cap: $(cat "$tmp/tol_cap.err")"
grep -q '^max_error' "$tmp/tol_cap.out" || fail "tol_cap: no report"
run_bad tol_sqrt 'sqrt: the function is not finite at x = -1' --fn sqrt --a -1 --b 1 --tol 1e-3

# ---- outside the range: --extrapolate, and the report says where NN is valid --

printf 'x,f\n0,1\n1,3\n3,2\n' >"$tmp/hand.csv"
printf 'x,f\n-3,0\n-0.5,0\n5,0\n0.5,0\n' >"$tmp/outside.csv"
# by hand (docs/approx.md): slopes 2 on [0, 1], -1/2 on [1, 3], bare knot b_1 = -1
for spec in 'bare:0 0.5 1 2' 'linear:-5 0 1 2' 'constant:1 1 2 2'; do
    e=${spec%%:*} want=${spec#*:}
    if run_ok "ex_$e" --samples "$tmp/hand.csv" --extrapolate "$e" --save "$tmp/ex_$e.model"; then
        grep -q "^valid      \[0, 3\]; outside: .*(--extrapolate $e)$" "$tmp/ex_$e.out" ||
            fail "ex_$e: $(grep valid "$tmp/ex_$e.out")"
        got=$("$xornet" predict --model "$tmp/ex_$e.model" --data "$tmp/outside.csv" --outputs 1 | tr '\n' ' ')
        [ "$got" = "$want " ] || fail "ex_$e: predict gives '$got', expected '$want '"
    fi
done
grep -q 'outside: 0 left of the first knot -1, linear right' "$tmp/ex_bare.out" || fail "ex_bare: valid line"

# ---- --print: every unit's knot, lambda and value ------------------------------

# the hand example: knots -1, 0, 1, lambda 1, 1, -5/2, NN at them 0, 1, 3
if run_ok print --samples "$tmp/hand.csv" --print; then
    [ "$(grep -c '^knot ' "$tmp/print.out")" = 3 ] || fail "print: not 3 knot lines"
    awk '$1 == "knot" { k[$2] = $3 " " $4 " " $5 }
         END { exit !(k[1] == "-1 1 0" && k[2] == "0 1 1" && k[3] == "1 -2.5 3") }' "$tmp/print.out" ||
        fail "print: $(grep '^knot' "$tmp/print.out" | tr '\n' ' ')"
    grep -q '^b2         0$' "$tmp/print.out" || fail "print: no b2 line"
fi
if run_ok print_lin --samples "$tmp/hand.csv" --print --extrapolate linear; then
    grep -q '^knot       1  0  -2  1  left$' "$tmp/print_lin.out" ||
        fail "print_lin: $(grep '^knot' "$tmp/print_lin.out" | head -1)"
    grep -q '^b2         1$' "$tmp/print_lin.out" || fail "print_lin: b2"
fi

finish "approx CLI: knots, GCV, refinement"
