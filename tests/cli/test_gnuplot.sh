#!/bin/bash
# xornet and gnuplot: gnuplot's warnings never reach the terminal, its
# error becomes the one line of xornet's message (without the temporary
# script's path), a gnuplot that hangs is stopped after
# $XORNET_PLOT_TIMEOUT seconds, a signal stops it too, and neither leaves
# a temporary folder or a process behind; values gnuplot cannot draw
# (beyond 1e300) are refused before it runs.  Stand-in gnuplot scripts
# play the failing, hanging and drawing gnuplot; the real one (if
# installed) shows that a warning stays quiet.
# usage: test_gnuplot.sh XORNET REPO_ROOT
set -u
xornet=$1
. "$(dirname "$0")/common.sh"

# alive PID: the process runs (a zombie, killed but not yet reaped by an
# init that reaps slowly, does not count)
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*zombie' "/proc/$1/status" 2>/dev/null; }

# no_leftovers WHAT: no xornet-plot-* folder in our TMPDIR, no stand-in
# gnuplot (or its child) still running
no_leftovers() {
    local left
    left=$(ls -A "$tmp/tmpdir")
    [ -z "$left" ] || fail "$1: left in TMPDIR: $left"
    for f in "$tmp"/pid.*; do
        [ -e "$f" ] || continue
        # SIGKILL is delivered asynchronously: gnuplot's own child, which
        # xornet cannot wait for, may take a moment to die on a loaded
        # machine (up to 5 s allowed)
        for _ in $(seq 100); do alive "$(cat "$f")" || break; sleep 0.05; done
        if alive "$(cat "$f")"; then
            fail "$1: a gnuplot process ($(cat "$f")) is still running"
            kill -9 "$(cat "$f")" 2>/dev/null
        fi
        rm -f "$f"
    done
}

mkdir "$tmp/tmpdir" "$tmp/failing" "$tmp/hanging" "$tmp/drawing"
export TMPDIR=$tmp/tmpdir
# gnuplot -d SCRIPT: an error naming the temporary script, as gnuplot does
cat >"$tmp/failing/gnuplot" <<'EOF'
#!/bin/sh
echo "Warning: empty y range [1:1], adjusting to [0.99:1.01]" >&2
printf "plot 'a.dat'\n     ^\n\"%s\" line 3: undefined variable: foo\n\n" "$2" >&2
exit 1
EOF
# one that never ends, with a child of its own
cat >"$tmp/hanging/gnuplot" <<EOF
#!/bin/sh
sleep 1000 &
echo \$! >"$tmp/pid.child"
echo \$\$ >"$tmp/pid.gnuplot"
wait
EOF
# one that "draws": writes out.png beside the script, and counts its runs
cat >"$tmp/drawing/gnuplot" <<EOF
#!/bin/sh
printf 'not really a PNG' >"\$(dirname "\$2")/out.png"
echo run >>"$tmp/drawn"
EOF
chmod +x "$tmp"/*/gnuplot

# ---- gnuplot's error: one line, without the temporary path ----------------------
PATH="$tmp/failing:$PATH" "$xornet" train --quiet --epochs 3 --plot "$tmp/pics" >"$tmp/out" 2>"$tmp/err"
rc=$?
one_line "a failing gnuplot" 1 "^xornet: --plot: .*loss\.png: gnuplot failed \(exit status 1\): line 3: undefined variable: foo$"
grep -q 'xornet-plot-' "$tmp/err" && fail "a failing gnuplot: the temporary path is shown: $(cat "$tmp/err")"
grep -q '^final loss' "$tmp/out" || fail "a failing gnuplot: the run's report is missing"
no_leftovers "a failing gnuplot"

# ---- a hanging gnuplot: stopped after the timeout -------------------------------
start=$(date +%s)
XORNET_PLOT_TIMEOUT=1 PATH="$tmp/hanging:$PATH" timeout 20 "$xornet" approx --n 8 --plot "$tmp/fit.png" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
one_line "a hanging gnuplot" 1 "^xornet: --plot: gnuplot did not finish within 1 s and was stopped"
[ $(($(date +%s) - start)) -le 10 ] || fail "a hanging gnuplot: xornet took $(($(date +%s) - start)) s"
no_leftovers "a hanging gnuplot, stopped by the timeout"
# ... and by a signal to xornet while it waits (to the program itself: a
# wrapper such as tests/valgrind-xornet.sh would take the signal)
if [ "$(head -c 4 "$xornet" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    XORNET_PLOT_TIMEOUT=100 PATH="$tmp/hanging:$PATH" "$xornet" approx --n 8 --plot "$tmp/fit.png" \
        >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 100); do [ -s "$tmp/pid.child" ] && break; sleep 0.05; done
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 143 ] || fail "a hanging gnuplot and SIGTERM: exit $rc, expected 143"
    no_leftovers "a hanging gnuplot, stopped by SIGTERM"
else
    skip "a signal while gnuplot runs" "$xornet is a wrapper, which would take the signal"
fi

# ---- values gnuplot cannot draw: refused before it runs -----------------------
printf '0,0,0\n1e301,1,1\n-1e301,0,1\n1,1,0\n' >"$tmp/wide.csv"
rm -f "$tmp/drawn"
PATH="$tmp/drawing:$PATH" "$xornet" train --quiet --epochs 0 --data "$tmp/wide.csv" --plot "$tmp/pics" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
one_line "a surface over inputs of 1e301" 1 "^xornet: --plot: input 2 is too large; gnuplot draws values up to 1e\+300"
[ "$(grep -c run "$tmp/drawn" 2>/dev/null)" = 2 ] || fail "a surface over inputs of 1e301: gnuplot ran $(wc -l <"$tmp/drawn" 2>/dev/null) times, expected twice (the loss and the metric)"
no_leftovers "a surface over inputs of 1e301"

# ---- the real gnuplot: its warnings stay quiet ----------------------------------
if command -v gnuplot >/dev/null 2>&1; then
    # one step: a loss curve of one point, which gnuplot warns about
    "$xornet" train --quiet --epochs 0 --plot "$tmp/real" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] || fail "train --epochs 0 --plot: exit $rc: $(cat "$tmp/err")"
    [ -s "$tmp/real/loss.png" ] && [ -s "$tmp/real/metric.png" ] && [ -s "$tmp/real/surface.png" ] ||
        fail "train --epochs 0 --plot: no pictures"
    no_leftovers "the real gnuplot"
else
    skip "the real gnuplot's warnings" "gnuplot is not installed: apt-get install gnuplot-nox"
fi

finish "gnuplot"
