#!/usr/bin/env bash
# Builds the libFuzzer targets with ASan and runs each for SECONDS, then prints executions,
# exec/s, coverage and crashes per target. Exits non-zero if any target crashed (a libFuzzer
# crash, an ASan report, a failed invariant, a leak, a timeout or running out of memory).
#
#   Tests/Fuzz/run.sh SECONDS [TARGET ...]     default: every target in TARGETS
#   FUZZ_ARGS='-runs=1000000' Tests/Fuzz/run.sh 0 FuzzEKTField   extra libFuzzer flags
#
# Each target starts from its committed seeds (Corpus/<target>/) plus what earlier local runs
# found (.build/fuzz-corpus/<target>/, not committed). Crashing inputs are written to
# .build/fuzz-artifacts/<target>/<run>/; reproduce one with
# `SWIFT_BACKTRACE=enable=no .build/debug/<target> <file>`.
set -euo pipefail
cd "$(dirname "$0")"

# One line per target: its directory under Sources/ and its seeds under Corpus/.
TARGETS=(
    FuzzRTPHeader
    FuzzSRTPUnprotect
    FuzzSRTCPUnprotect
    FuzzSRTPRoundTrip
    FuzzEKTField
    FuzzEncryptionKeyHeader
    FuzzDTLSEKT
    FuzzSRTPStream
    FuzzOHB
    FuzzDoubleReceive
    FuzzRelay
)

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET ...]" >&2
    exit 2
fi
seconds=$1
shift
if [[ $# -gt 0 ]]; then TARGETS=("$@"); fi

# Both flags are needed: SwiftPM's --sanitize instruments the C shims and links libFuzzer, the
# -Xswiftc flag instruments the Swift code. -O (bounds and overflow checks kept; not the
# -Ounchecked of the library's release configuration) runs about six times faster than -Onone.
# Package.swift finds the targets by listing Sources/, so its evaluation must not be cached.
echo "==== Building fuzz targets (libFuzzer + ASan)"
swift build --manifest-cache none --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -O 2>&1 |
    { grep -v "Cannot export local symbol '__asan" || true; }
bin=$(swift build --manifest-cache none --show-bin-path)
for target in "${TARGETS[@]}"; do
    [[ -x $bin/$target ]] || { echo "error: $bin/$target was not built" >&2; exit 1; }
done

# The Swift backtracer would catch the traps of failed invariants before libFuzzer sees them.
export SWIFT_BACKTRACE=enable=no

run=$(date +%Y%m%d-%H%M%S)
failed=0
rows=()
for target in "${TARGETS[@]}"; do
    corpus=.build/fuzz-corpus/$target
    artifacts=.build/fuzz-artifacts/$target/$run/
    log=.build/fuzz-logs/$target.log
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    flags=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10
        -artifact_prefix="$artifacts")
    if [[ -f Dictionaries/$target.dict ]]; then flags+=(-dict="Dictionaries/$target.dict"); fi
    seeds=()
    if [[ -d Corpus/$target ]]; then seeds=("Corpus/$target"); fi
    echo "==== $target: ${seconds}s ${FUZZ_ARGS:-}"
    status=0
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags.
    "$bin/$target" "${flags[@]}" ${FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o ' cov: [0-9]*' "$log" | tail -1 | tr -dc '0-9')
    features=$(grep -o ' ft: [0-9]*' "$log" | tail -1 | tr -dc '0-9')
    crashes=$(find "$artifacts" -type f | wc -l)
    if [[ $status -ne 0 || $crashes -ne 0 ]]; then
        failed=1
        echo "FAILED (exit $status): $log"
        grep -E "ERROR: |SUMMARY: |Fatal error|fuzz invariant|Test unit written" "$log" | head -20
    else
        rmdir "$artifacts"
    fi
    rows+=("$(printf '%-24s %12s %9s %7s %7s %8s' "$target" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${features:-?}" "$crashes")")
done

echo
printf '%-24s %12s %9s %7s %7s %8s\n' target executions exec/s cov ft crashes
printf '%s\n' "${rows[@]}"
if [[ $failed -ne 0 ]]; then
    echo "fuzzing FAILED: crashing inputs are in .build/fuzz-artifacts/"
    exit 1
fi
echo "fuzzing passed: no crashes"
