#!/bin/bash
# Device nodes, /dev/stdout and a really full disk, where the test can
# make them without touching the machine: in a private mount namespace
# (unshare -m, as root), on a tmpfs of its own, with a /dev of its own
# bound over /dev.  Anywhere else it is skipped (exit status 77).
#   - a character device (null, full) is written into, never renamed over;
#   - a block device is refused and left alone;
#   - /dev/stdout writes to the program's standard output and stays a link;
#   - a full disk is reported as "No space left on device", and a run that
#     meets it has replaced neither its model nor its history.
# usage: test_devices.sh XORNET REPO_ROOT
set -u
X=$1
ROOT=$2
. "$(dirname "$0")/common.sh"

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
    echo "SKIP: needs root and a private mount namespace (unshare -m)"
    exit 77
fi

cat >"$tmp/inner.sh" <<'INNER'
set -u
X=$1
work=$2
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# A tmpfs of our own, with device nodes on it (a mount of the machine's
# /tmp may forbid them).
mount -t tmpfs -o size=8m,mode=755 xornet-test "$work" || exit 77
dev=$work/dev
mkdir "$dev" "$work/d" || exit 1
mknod "$dev/null" c 1 3 && mknod "$dev/zero" c 1 5 && mknod "$dev/full" c 1 7 &&
    mknod "$dev/blk" b 7 250 || exit 77
ln -s /proc/self/fd "$dev/fd"
ln -s /proc/self/fd/0 "$dev/stdin"
ln -s /proc/self/fd/1 "$dev/stdout"
ln -s /proc/self/fd/2 "$dev/stderr"
d=$work/d

# character devices: written into
"$X" train --quiet --epochs 5 --save "$dev/null" --history "$dev/null" >/dev/null 2>"$d/err" ||
    fail "train --save DEV/null: $(cat "$d/err")"
"$X" approx --n 8 --save "$dev/null" >/dev/null 2>"$d/err" || fail "approx --save DEV/null: $(cat "$d/err")"
if command -v gnuplot >/dev/null 2>&1; then
    "$X" approx --n 8 --plot "$dev/null" >/dev/null 2>"$d/err" || fail "approx --plot DEV/null: $(cat "$d/err")"
else
    echo "approx --plot into a character device" >>"$3/skipped" # told outside
fi
[ -c "$dev/null" ] && [ "$(stat -c %t,%T "$dev/null")" = 1,3 ] || fail "DEV/null is no longer the null device"
"$X" train --quiet --epochs 5 --save "$dev/full" >/dev/null 2>"$d/err"
rc=$?
[ $rc -eq 1 ] && [ "$(cat "$d/err")" = "xornet: $dev/full: cannot write: No space left on device" ] ||
    fail "train --save DEV/full: exit $rc: $(cat "$d/err")"
[ -c "$dev/full" ] || fail "DEV/full is no longer a device"

# a block device: refused, untouched
"$X" train --quiet --epochs 5 --save "$dev/blk" >"$d/out" 2>"$d/err"
rc=$?
[ $rc -eq 1 ] && grep -q "^xornet: $dev/blk: is a block device" "$d/err" && [ ! -s "$d/out" ] ||
    fail "train --save DEV/blk: exit $rc: $(cat "$d/err")"
[ -b "$dev/blk" ] || fail "DEV/blk is no longer a block device"
[ -z "$(ls "$dev" | grep tmp)" ] || fail "temporary files in DEV: $(ls "$dev")"

# /dev/stdout, with our /dev bound over the machine's
mount --bind "$dev" /dev || exit 77
"$X" train --quiet --epochs 5 --save /dev/stdout >"$d/stdout.txt" 2>"$d/err" ||
    fail "train --save /dev/stdout: $(cat "$d/err")"
[ -L /dev/stdout ] && [ "$(readlink /dev/stdout)" = /proc/self/fd/1 ] || fail "/dev/stdout was replaced"
sed -n '/^xornet [0-9]*$/,$p' "$d/stdout.txt" >"$d/from_stdout.xn"
"$X" eval --model "$d/from_stdout.xn" >/dev/null 2>&1 || fail "train --save /dev/stdout: no whole model"
"$X" train --quiet --epochs 5 --history /dev/stdout >"$d/stdout.txt" 2>"$d/err" &&
    grep -q '^epoch,loss,accuracy$' "$d/stdout.txt" || fail "train --history /dev/stdout: $(cat "$d/err")"
[ -z "$(ls /dev | grep tmp)" ] || fail "temporary files in /dev: $(ls /dev)"
umount /dev

# a full disk: "No space left on device", and nothing replaced (the
# program's output goes to $logs, outside the full tmpfs)
logs=$3
"$X" train --quiet --epochs 5 --save "$d/m.xn" >/dev/null || fail "train --save m.xn"
cp "$d/m.xn" "$d/keep.xn"
printf 'old history\n' >"$d/h.csv"
head -c 16m /dev/zero >"$d/fill" 2>/dev/null # fills the tmpfs
for args in "--save $d/m.xn" "--save $d/m.xn --history $d/h.csv" "--history $d/h.csv"; do
    # shellcheck disable=SC2086  # args is a word list
    "$X" train --quiet --epochs 500 --layers 2,50,1 $args >"$logs/out" 2>"$logs/err"
    rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l <"$logs/err")" -eq 1 ] && grep -q ': No space left on device$' "$logs/err" ||
        fail "train $args on a full disk: exit $rc: $(cat "$logs/err")"
    cmp -s "$d/m.xn" "$d/keep.xn" || fail "train $args on a full disk replaced the model"
    [ "$(cat "$d/h.csv")" = "old history" ] || fail "train $args on a full disk replaced the history"
    [ -z "$(ls "$d" | grep '\.tmp-')" ] || fail "train $args on a full disk left $(ls "$d")"
done
# pictures on a full disk: the first that fails ends the drawing, one line
if command -v gnuplot >/dev/null 2>&1; then
    mkdir "$d/pics" 2>/dev/null
    "$X" models --plot "$d/pics" >"$logs/out" 2>"$logs/err"
    rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l <"$logs/err")" -eq 1 ] && grep -q 'No space left on device$' "$logs/err" ||
        fail "models --plot on a full disk: exit $rc, expected 1 and one line: $(head -c 300 "$logs/err")"
    [ -z "$(ls "$d/pics" 2>/dev/null | grep '\.tmp-')" ] || fail "models --plot on a full disk left $(ls "$d/pics")"
else
    echo "models --plot on a full disk" >>"$3/skipped"
fi
exit $((failures != 0))
INNER

mkdir "$tmp/mnt"
unshare -m --propagation private bash "$tmp/inner.sh" "$X" "$tmp/mnt" "$tmp"
rc=$?
if [ $rc -eq 77 ]; then
    echo "SKIP: cannot mount a tmpfs or make device nodes here"
    exit 77
fi
[ $rc -eq 0 ] || fail "checks inside the private mount namespace failed"
while read -r part; do
    skip "$part" "gnuplot is not installed: apt-get install gnuplot-nox"
done < <(cat "$tmp/skipped" 2>/dev/null)
finish "devices"
