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

# ---- the run's files and a signal, phase by phase ------------------------------
# The end of a run draws the pictures, each where the old ones stay, then
# commits its files with the signals held: the model, the history and the
# pictures (docs/robustness.md).  A gnuplot that waits on a FIFO nobody
# opens holds the run in the drawing whatever the load; a --save into a
# FIFO holds it in the commit until the test reads the model.
if [ "$(head -c 4 "$xornet" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    mkdir "$tmp/waiting" "$tmp/phase"
    mkfifo "$tmp/gate"
    cat >"$tmp/waiting/gnuplot" <<EOF
#!/bin/sh
echo \$\$ >"$tmp/pid.gnuplot"
read line <"$tmp/gate"
EOF
    chmod +x "$tmp/waiting/gnuplot"
    "$xornet" train --quiet --epochs 3 --save "$tmp/phase/m.xn" >/dev/null 2>&1 || fail "cannot make the old model"
    cp "$tmp/phase/m.xn" "$tmp/old.xn"
    printf 'old history\n' >"$tmp/phase/h.csv"
    mkdir "$tmp/phase/pics"
    printf 'old picture' >"$tmp/phase/pics/loss.png"
    # after_gnuplot_starts PID SIG: the signal once gnuplot is drawing
    after_gnuplot_starts() {
        for _ in $(seq 200); do [ -s "$tmp/pid.gnuplot" ] && break; sleep 0.05; done
        [ -s "$tmp/pid.gnuplot" ] || fail "$2 while drawing: gnuplot never started"
        kill -s "$2" "$1"
    }
    for plot in pics new-pics; do
        rm -f "$tmp/pid.gnuplot"
        PATH="$tmp/waiting:$PATH" "$xornet" train --quiet --epochs 5 --save "$tmp/phase/m.xn" \
            --history "$tmp/phase/h.csv" --plot "$tmp/phase/$plot" >"$tmp/out" 2>"$tmp/err" &
        pid=$!
        after_gnuplot_starts "$pid" TERM
        wait "$pid"
        rc=$?
        what="SIGTERM while drawing into $plot"
        [ "$rc" -eq 143 ] || fail "$what: exit $rc, expected 143: $(head -c 300 "$tmp/err")"
        cmp -s "$tmp/phase/m.xn" "$tmp/old.xn" || fail "$what: the model was replaced"
        [ "$(cat "$tmp/phase/h.csv")" = "old history" ] || fail "$what: the history was replaced"
        [ "$(cat "$tmp/phase/pics/loss.png")" = "old picture" ] && [ "$(ls -A "$tmp/phase/pics")" = loss.png ] ||
            fail "$what: the old pictures' folder holds $(ls -A "$tmp/phase/pics")"
        [ ! -e "$tmp/phase/new-pics" ] || fail "$what: the folder the run made is left: $(ls -A "$tmp/phase/new-pics")"
        [ "$(ls -A "$tmp/phase" | sort | tr '\n' ' ')" = "h.csv m.xn pics " ] ||
            fail "$what: left $(ls -A "$tmp/phase")"
        no_leftovers "$what"
    done
    # a signal during the commit waits for its end: everything is new
    mkfifo "$tmp/phase/m.pipe"
    PATH="$tmp/drawing:$PATH" "$xornet" train --quiet --epochs 5 --save "$tmp/phase/m.pipe" \
        --history "$tmp/phase/h.csv" --plot "$tmp/phase/pics" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    # the pictures are drawn (the stand-in takes a moment each) when their
    # count stops growing: the save then waits for a reader of the FIFO,
    # the signals held
    drawn=-1
    for _ in $(seq 60); do
        now=$(grep -c run "$tmp/drawn" 2>/dev/null)
        [ "${now:-0}" -gt 0 ] && [ "$now" = "$drawn" ] && break
        drawn=$now
        sleep 0.5
    done
    kill -s TERM "$pid"
    timeout 30 cat "$tmp/phase/m.pipe" >"$tmp/phase/m.xn"
    wait "$pid"
    rc=$?
    what="SIGTERM during the commit"
    [ "$rc" -eq 143 ] || fail "$what: exit $rc, expected 143: $(head -c 300 "$tmp/err")"
    "$xornet" eval --model "$tmp/phase/m.xn" >/dev/null 2>&1 || fail "$what: the model read from the FIFO is not whole"
    grep -q '^epoch,loss' "$tmp/phase/h.csv" || fail "$what: the history is not the new one"
    [ "$(cat "$tmp/phase/pics/loss.png")" = "not really a PNG" ] && [ -e "$tmp/phase/pics/surface.png" ] ||
        fail "$what: the pictures are not the new ones: $(ls -A "$tmp/phase/pics")"
    rm -f "$tmp/phase/m.pipe" "$tmp/drawn"
    no_leftovers "$what"
    # a run whose model cannot be written removes the --plot folder it made
    printf 'old history\n' >"$tmp/phase/h.csv"
    PATH="$tmp/drawing:$PATH" "$xornet" train --quiet --epochs 5 --save /dev/full --history "$tmp/phase/h.csv" \
        --plot "$tmp/phase/made" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    one_line "a failed save with --plot" 1 "^xornet: /dev/full: cannot write: No space left on device$"
    [ ! -e "$tmp/phase/made" ] || fail "a failed save left the --plot folder it made: $(ls -A "$tmp/phase/made")"
    [ "$(cat "$tmp/phase/h.csv")" = "old history" ] || fail "a failed save replaced the history"
    rm -f "$tmp/drawn"
    no_leftovers "a failed save with --plot"
else
    skip "signals while the pictures are drawn and committed" "$xornet is a wrapper, which would take the signals"
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
