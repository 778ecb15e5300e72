#!/usr/bin/env bash
# Runs every libFuzzer target of a -Dfuzz=true build: first once over its
# committed corpus (a regression test: fixed crashes stay fixed), then for
# SECONDS of fuzzing, then the program over the newest inputs the fuzzing
# found, whose exit-2 messages must all read "FILE:LINE: ..."
# (tests/fuzz/cli_lines.sh).  New inputs go to BUILD_DIR/fuzz-out/<target>/new, a
# scratch folder listed before the committed corpus, so fuzzing reads the
# corpus but never grows the repository.  Any crash, leak, timeout or
# out-of-memory fails the run and prints the input's path.
#
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#        (targets: fuzz_model fuzz_data_csv fuzz_data_fann fuzz_samples fuzz_idx)
set -uo pipefail

if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

declare -A corpus_of=([fuzz_model]=model [fuzz_data_csv]=csv [fuzz_data_fann]=fann
                      [fuzz_samples]=samples [fuzz_idx]=idx)
# how tests/fuzz/cli_lines.sh runs the program on a target's inputs
declare -A cli_kind_of=([fuzz_model]=model [fuzz_data_csv]=csv [fuzz_data_fann]=fann)
declare -A dict_of=([fuzz_model]=model.dict [fuzz_data_csv]=numbers.dict
                    [fuzz_data_fann]=numbers.dict [fuzz_samples]=numbers.dict [fuzz_idx]=idx.dict)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_model fuzz_data_csv fuzz_data_fann fuzz_samples fuzz_idx)

# One BLAS thread: the fuzzed sizes are tiny, and threads only add noise.
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for t in "${targets[@]}"; do
    exe=$build/tests/fuzz/$t
    seeds=$here/corpus/${corpus_of[$t]:-}
    if [ -z "${corpus_of[$t]:-}" ] || [ ! -x "$exe" ] || [ ! -d "$seeds" ]; then
        echo "fuzz: $t: no executable $exe or no corpus $seeds (configure with -Dfuzz=true)" >&2
        failed=1
        continue
    fi
    out=$build/fuzz-out/$t
    rm -rf "$out"
    mkdir -p "$out/new"
    common=(-timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -max_len=8192
            -artifact_prefix="$out/")

    echo "fuzz: $t: the committed corpus ($(ls "$seeds" | wc -l) inputs), once"
    if ! "$exe" "${common[@]}" -runs=0 "$seeds" >"$out/regression.log" 2>&1; then
        echo "fuzz: $t: FAILED on the committed corpus; log $out/regression.log:" >&2
        tail -n 40 "$out/regression.log" >&2
        failed=1
    fi

    echo "fuzz: $t: fuzzing for ${seconds}s"
    start=$(date +%s)
    "$exe" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -dict="$here/${dict_of[$t]}" \
        "$out/new" "$seeds" >"$out/fuzz.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -n 1)
    echo "fuzz: $t: exit $rc after $(($(date +%s) - start))s, ${runs:-?} executions," \
         "$(ls "$out/new" | wc -l) new inputs (not kept)"
    # libFuzzer names what it saved crash-, leak-, timeout- or oom-<sha1>
    found=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
            -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [ $rc -ne 0 ] || [ -n "$found" ]; then
        echo "fuzz: $t: FAILED (exit $rc); log $out/fuzz.log:" >&2
        grep -E 'ERROR|SUMMARY|contract broken|runtime error|==[0-9]+==' "$out/fuzz.log" | head -n 20 >&2
        tail -n 30 "$out/fuzz.log" >&2
        for f in $found; do
            echo "fuzz: $t: failing input: $f" >&2
            echo "fuzz:   reproduce: $exe $f" >&2
            echo "fuzz:   once fixed, keep it: cp $f $seeds/" >&2
        done
        failed=1
    fi

    # The program on what the fuzzing found (the newest 100): one
    # "FILE:LINE:" line for every input refused with exit status 2.
    kind=${cli_kind_of[$t]:-}
    if [ -n "$kind" ] && [ -x "$build/src/cli/xornet" ]; then
        if ! "$here/cli_lines.sh" "$build/src/cli/xornet" "$here/../.." "$kind:$out/new:100" \
            >"$out/cli_lines.log" 2>&1; then
            echo "fuzz: $t: the program's messages FAILED; log $out/cli_lines.log:" >&2
            grep FAIL "$out/cli_lines.log" | head -n 20 >&2
            failed=1
        else
            echo "fuzz: $t: $(tail -n 1 "$out/cli_lines.log")"
        fi
    fi
done
exit $failed
