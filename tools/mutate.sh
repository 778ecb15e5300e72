#!/usr/bin/env bash
# How strong the test suite is: each patch in tools/mutants/ plants one
# bug (its first line says which), and the suite must fail on it.  The
# tracked files of the checkout are copied once into a scratch folder and
# built there; each patch is applied, the build brought up to date, the
# suite run, and the patch taken back out.  A mutant is killed when a test
# fails or times out, survived when the suite passes, and invalid when it
# does not apply or build (the code moved: refresh the patch).  The
# checkout itself is never touched.
#
# usage: tools/mutate.sh [--slow] [--keep] [PATCH...]
#   --slow   run the slow suite too (Fashion-MNIST, 20 s more a mutant)
#   --keep   leave the scratch folder (its path is printed)
#   PATCH    the patches to try (default: every tools/mutants/*.patch)
# Prints one line a mutant and a summary; exits 1 if any survived or was
# invalid, 2 if the unmutated suite already fails.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
suites=(--no-suite slow)
keep=false
patches=()
for arg in "$@"; do
    case $arg in
    --slow) suites=() ;;
    --keep) keep=true ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) patches+=("$(realpath "$arg")") ;;
    esac
done
[ ${#patches[@]} -gt 0 ] || patches=("$root"/tools/mutants/*.patch)

scratch=$(mktemp -d /tmp/xornet-mutate.XXXXXX) || exit 2
$keep || trap 'rm -rf "$scratch"' EXIT
echo "mutate: copying the checkout to $scratch"
(cd "$root" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$scratch" || exit 2
build=$scratch/build
if ! meson setup "$build" "$scratch" -Dbench=false >"$scratch/setup.log" 2>&1 || ! ninja -C "$build" >"$scratch/build.log" 2>&1; then
    echo "mutate: the unmutated tree does not build: $scratch/build.log" >&2
    exit 2
fi

# suite LOG: runs the suite; its failing tests (name and result) on stdout
suite() {
    meson test -C "$build" "${suites[@]}" >"$1" 2>&1
    local rc=$?
    sed -n 's/^{"name": "[^/]*\/ \([^"]*\)".*"result": "\([A-Z]*\)".*/\1 \2/p' \
        "$build/meson-logs/testlog.json" | grep -v ' OK$' | grep -v ' SKIP$' | tr '\n' ' '
    return $rc
}

echo "mutate: the suite on the unmutated tree"
if ! failing=$(suite "$scratch/baseline.log"); then
    echo "mutate: the suite fails without a mutant ($failing): $scratch/baseline.log" >&2
    exit 2
fi

killed=0 survived=0 invalid=0
for p in "${patches[@]}"; do
    name=$(basename "$p" .patch)
    what=$(head -n 1 "$p")
    start=$(date +%s)
    if ! patch -d "$scratch" -p1 --quiet --forward <"$p" >"$scratch/$name.patch.log" 2>&1; then
        echo "INVALID  $name: does not apply ($what)"
        invalid=$((invalid + 1))
        continue
    fi
    if ! ninja -C "$build" >"$scratch/$name.build.log" 2>&1; then
        echo "INVALID  $name: does not build ($what)"
        invalid=$((invalid + 1))
    elif failing=$(suite "$scratch/$name.log"); then
        echo "SURVIVED $name: $what ($(($(date +%s) - start)) s)"
        survived=$((survived + 1))
    else
        echo "KILLED   $name by $failing($(($(date +%s) - start)) s)"
        killed=$((killed + 1))
    fi
    patch -d "$scratch" -p1 --quiet -R <"$p" || { echo "mutate: cannot take $name back out" >&2; exit 2; }
done
total=$((killed + survived + invalid))
echo "mutate: $killed of $total killed, $survived survived, $invalid invalid"
[ "$survived" -eq 0 ] && [ "$invalid" -eq 0 ]
