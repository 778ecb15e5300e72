#!/bin/bash
# Signals at random moments of `xornet train --save M --checkpoint 1
# --history H` on a network whose model file is 1.4 MB (so that a save,
# with its fsync, takes a good part of each step and signals land inside
# saves as well as between them): 20 runs each of SIGINT, SIGTERM and
# SIGKILL.  After every run M is the old model byte for byte or a new one
# that loads whole, H is the old history (the run did not finish), the
# program died by the signal, and no temporary file is left, except after
# SIGKILL, which cannot be caught (docs/robustness.md; counted, not failed).
# Then a history longer than the block kept in memory: a signal removes its
# temporary file, and a run that finishes writes it whole.
# usage: test_signals.sh XORNET REPO_ROOT
set -u
X=$1
. "$(dirname "$0")/common.sh"

# The signals must reach the program itself, not a wrapper around it.
if [ "$(head -c 4 "$X" | od -An -c | tr -d ' ')" != '177ELF' ]; then
    echo "SKIP: $X is not the program itself (a wrapper would take the signals)"
    exit 77
fi
# Job control: a background job gets its own process group and keeps
# SIGINT (without it, bash starts background jobs with SIGINT ignored).
set -m

layers=2,256,256,1
d=$tmp/run
mkdir "$d"
"$X" train --quiet --layers $layers --epochs 0 --seed 7 --save "$tmp/old.xn" >/dev/null ||
    fail "cannot make the old model"
printf 'epoch,loss,accuracy\nold history\n' >"$tmp/old.csv"
RANDOM=20251130 # the same moments on every run of the test
left_after_kill=0 new=0 old=0
for i in $(seq 20); do
    for sig in INT TERM KILL; do
        rm -rf "$d"
        mkdir "$d"
        cp "$tmp/old.xn" "$d/m.xn"
        cp "$tmp/old.csv" "$d/h.csv"
        "$X" train --quiet --layers $layers --epochs 1000000 --checkpoint 1 \
            --save "$d/m.xn" --history "$d/h.csv" >/dev/null 2>"$tmp/err" &
        pid=$!
        sleep "0.$(printf '%03d' $((30 + RANDOM % 370)))"
        kill -s "$sig" "$pid"
        { wait "$pid"; } 2>/dev/null # bash would report each job killed
        rc=$?
        want=$((128 + $(kill -l "$sig")))
        what="run $i, SIG$sig"
        [ "$rc" -eq "$want" ] || fail "$what: exit status $rc, expected $want: $(head -c 300 "$tmp/err")"
        if cmp -s "$d/m.xn" "$tmp/old.xn"; then
            old=$((old + 1))
        elif "$X" eval --model "$d/m.xn" >/dev/null 2>"$tmp/err"; then
            new=$((new + 1))
        else
            fail "$what: the model is neither the old one nor a whole new one: $(cat "$tmp/err")"
        fi
        cmp -s "$d/h.csv" "$tmp/old.csv" || fail "$what: the history of an unfinished run replaced the old one"
        extra=$(ls -A "$d" | grep -vxE 'm\.xn|h\.csv')
        if [ "$sig" = KILL ]; then
            [ -z "$extra" ] || left_after_kill=$((left_after_kill + 1))
            [ -z "$(printf '%s\n' "$extra" | grep -v '\.tmp-......$')" ] ||
                fail "$what: left files that are not temporary files: $extra"
        else
            [ -z "$extra" ] || fail "$what: left $extra"
        fi
    done
done
# A long run's history goes to its temporary file a block (1 MiB) at a
# time: the file is there between blocks, and a signal removes it.
rm -rf "$d"
mkdir "$d"
cp "$tmp/old.csv" "$d/h.csv"
"$X" train --quiet --epochs 100000000 --history "$d/h.csv" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 200); do
    [ -n "$(ls "$d" | grep '\.tmp-')" ] && break
    sleep 0.05
done
[ -n "$(ls "$d" | grep '\.tmp-')" ] || fail "a long history: no block written after 10 s"
kill -s TERM "$pid"
{ wait "$pid"; } 2>/dev/null
rc=$?
[ "$rc" -eq 143 ] || fail "a long history and SIGTERM: exit status $rc"
[ "$(ls -A "$d")" = h.csv ] || fail "a long history and SIGTERM: left $(ls -A "$d")"
cmp -s "$d/h.csv" "$tmp/old.csv" || fail "a long history stopped by SIGTERM replaced the old one"
# ... and one that finishes is whole
"$X" train --quiet --epochs 50000 --history "$d/h.csv" >/dev/null 2>"$tmp/err" ||
    fail "train --epochs 50000 --history: $(cat "$tmp/err")"
[ "$(wc -l <"$d/h.csv")" -eq 50002 ] && [ "$(tail -n 1 "$d/h.csv" | cut -d, -f1)" = 50000 ] ||
    fail "a history of 50000 steps has $(wc -l <"$d/h.csv") lines, expected 50002"

# export holds the signals around its save: a header into a FIFO keeps
# the save waiting (the source's temporary file written, the header's
# open waiting for a reader) while SIGINT arrives; the save finishes once
# the FIFO is read, then the signal ends the program: the source whole,
# no temporary file.
rm -rf "$d"
mkdir "$d"
"$X" train --quiet --epochs 3 --save "$d/m.xn" >/dev/null || fail "cannot make a model to export"
mkfifo "$d/h.pipe"
"$X" export --model "$d/m.xn" --c "$d/net.c" --header "$d/h.pipe" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 200); do [ -n "$(ls "$d" | grep '\.tmp-')" ] && break; sleep 0.05; done
[ -n "$(ls "$d" | grep '\.tmp-')" ] || fail "export: the source's temporary file never appeared"
kill -s INT "$pid"
sleep 0.2
timeout 30 cat "$d/h.pipe" >"$d/net.h"
{ wait "$pid"; } 2>/dev/null
rc=$?
[ "$rc" -eq 130 ] || fail "export and SIGINT during its save: exit $rc, expected 130: $(cat "$tmp/err")"
grep -q 'net_predict_batch' "$d/net.c" && grep -q '#endif' "$d/net.h" ||
    fail "export and SIGINT during its save: the files are not whole"
[ -z "$(ls "$d" | grep '\.tmp-')" ] || fail "export and SIGINT during its save: left $(ls "$d")"

echo "60 runs: the old model kept $old times, a new whole model $new times;" \
     "SIGKILL left a temporary file $left_after_kill times out of 20"
[ "$new" -ge 20 ] || fail "only $new runs had saved a checkpoint: the signals came too early to test saves"
finish "signals"
