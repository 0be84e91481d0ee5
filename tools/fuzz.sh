#!/usr/bin/env bash
# Runs the libFuzzer targets built in $FUZZ_DIR (default build-fuzz/) for a
# bounded time each (docs/fuzzing.md). Called by make fuzz and make fuzz-smoke.
#
#   tools/fuzz.sh [target...]        default: every target in $FUZZ_DIR/fuzz/targets.txt
# Environment:
#   FUZZ_DIR       build tree configured with -DWALOR_FUZZ=ON (default build-fuzz)
#   FUZZ_SECONDS   -max_total_time per target (default 60)
#   FUZZ_JOBS      targets run side by side (default: nproc)
#   FUZZ_ARGS      extra libFuzzer flags (e.g. "-max_len=4096")
#
# Each target starts from the committed seeds in fuzz/corpus/<target>/ and
# grows a corpus of its own in $FUZZ_DIR/fuzz/corpus/<target>/ (kept between
# runs, never committed). A crash, leak, sanitizer report or timeout fails
# the run and leaves the input in $FUZZ_DIR/fuzz/artifacts/<target>/; see
# docs/fuzzing.md for minimizing it into fuzz/crashes/<target>/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
FUZZ_ARGS=${FUZZ_ARGS:-}
BIN=$FUZZ_DIR/fuzz

[[ -f $BIN/targets.txt ]] || { echo "fuzz: $BIN/targets.txt missing: run make fuzz (configures $FUZZ_DIR)" >&2; exit 2; }
if (($#)); then
    TARGETS=("$@")
else
    mapfile -t TARGETS < "$BIN/targets.txt"
fi

run_one() {
    local t=$1
    local exe=$BIN/$t
    [[ -x $exe ]] || { echo "fuzz: $exe is not built" >&2; return 2; }
    local work=$BIN/corpus/$t art=$BIN/artifacts/$t/ log=$BIN/logs/$t.log
    mkdir -p "$work" "$art" "$(dirname "$log")"
    local seeds=()
    [[ -d fuzz/corpus/$t ]] && seeds=("fuzz/corpus/$t")
    local start=$SECONDS rc=0
    # leaks are errors too; a UBSan report aborts (the tree is built with
    # -fno-sanitize-recover=undefined)
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$exe" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
               -print_final_stats=1 -artifact_prefix="$art" $FUZZ_ARGS \
               "$work" "${seeds[@]}" >"$log" 2>&1 || rc=$?
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    local cov
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    if ((rc == 0)); then
        printf 'fuzz: %-14s ok    %3ds  %s runs  %s\n' "$t" $((SECONDS - start)) "${execs:-?}" "$cov"
    else
        printf 'fuzz: %-14s FAIL  exit %d after %ds: input in %s\n' "$t" "$rc" $((SECONDS - start)) "$art" >&2
        grep -E '^==[0-9]+==ERROR|runtime error:|SUMMARY:|^    #[0-9] ' "$log" | head -25 | sed 's/^/    /' >&2
        echo "    full log: $log" >&2
        return 1
    fi
}
export -f run_one
export BIN FUZZ_SECONDS FUZZ_ARGS

echo "fuzz: ${#TARGETS[@]} targets, ${FUZZ_SECONDS}s each, $FUZZ_JOBS at a time"
if printf '%s\n' "${TARGETS[@]}" | xargs -P "$FUZZ_JOBS" -I{} bash -c 'run_one "$@"' _ {}; then
    echo "fuzz: OK"
else
    echo "fuzz: FAILED (see above; docs/fuzzing.md says how to minimize and file a crash)" >&2
    exit 1
fi
