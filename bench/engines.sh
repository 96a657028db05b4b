#!/usr/bin/env bash
# Every engine in one table: frames/s of `facetrack track --engine E` on the
# 1080p bench clip with 2 workers (full analysis as each engine gives it),
# and each ONNX model's latency on our runtime (xnnpack, 1 thread) against
# ONNX Runtime's (the npm package onnxruntime-node, CPU, 1 thread: a peer in
# this benchmark only) on the same model, in the same run on one machine.
# The target: no model slower than ONNX Runtime (ratio <= 1).
# Usage: [ROUNDS=3] bench/engines.sh [CLIP] [WORKERS] [RUNS]
#        (build first: scripts/build.sh release; models: ../shared/models and
#        FACETRACK_MODEL_PATH as the tests set it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$root/../shared}
clip=${1:-$shared/media/bench/bench_1080p25_3faces_20s.mp4}
workers=${2:-2}
runs=${3:-50}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
[ -x "$ft" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
[ -f "$clip" ] || { echo "bench: no clip at $clip" >&2; exit 1; }
export FACETRACK_MODEL_PATH=${FACETRACK_MODEL_PATH:-$shared/models:$root/build/models}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

frames=$("$ft" probe "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
echo "clip: $(basename "$clip") ($frames frames), $(nproc) cores, $workers workers"
printf '%-22s %10s\n' engine "track fps"
"$ft" engines | awk '$2 == "available" { print $1 }' | while read -r engine; do
    start=$(date +%s.%N)
    if "$ft" track --force --progress none --engine "$engine" --workers "$workers" -o "$out/$engine" \
        "$clip" >/dev/null 2>"$out/$engine.err"; then
        end=$(date +%s.%N)
        awk -v e="$engine" -v n="$frames" -v a="$start" -v b="$end" 'BEGIN { printf "%-22s %10.1f\n", e, n / (b - a) }'
    else
        printf '%-22s %10s  (%s)\n' "$engine" failed "$(tail -n 1 "$out/$engine.err")"
    fi
done

modules=$(bash "$root/tests/onnxruntime/install.sh" "$root/build/onnxruntime-peer") || {
    echo "model latency: $modules"
    exit 0
}
export FT_ORT_MODULES=$modules
# Ours and ONNX Runtime's take turns, ROUNDS times, and each keeps its best
# median: on a shared machine a burst of load then hits both alike.
rounds=${ROUNDS:-3}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > 0 && (b <= 0 || a < b)) ? a : b }'; }
echo
printf '%-36s %12s %12s %8s\n' model "ours ms" "ort ms" ratio
for model in "$shared"/models/*.onnx; do
    ours=0 ort=0
    for _ in $(seq "$rounds"); do
        ours=$(best "$("$ft" model bench --threads 1 --runs "$runs" "$model" 2>/dev/null |
            sed -n 's/.*"median_ms":\([0-9.]*\).*/\1/p')" "$ours")
        ort=$(best "$(node "$root/tests/onnxruntime/ort_run.mjs" --time "$runs" "$model" "$out" 2>/dev/null |
            sed -n 's/.*"median_ms":\([0-9.]*\).*/\1/p')" "$ort")
    done
    awk -v m="$(basename "$model")" -v a="${ours:-0}" -v b="${ort:-0}" 'BEGIN {
        if (a > 0 && b > 0) printf "%-36s %12.3f %12.3f %8.2f\n", m, a, b, a / b
        else printf "%-36s %12s %12s\n", m, (a > 0 ? a : "failed"), (b > 0 ? b : "failed") }'
done
