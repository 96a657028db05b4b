#!/usr/bin/env bash
# Inference latency of every model found, with facetrack's fast backend at 1
# and 2 threads, and our overhead over the kernel library's own runtimes on
# the same graph (timed alternately in the same run, so the ratio holds
# however busy the machine is).
# Usage: bench/nn_latency.sh [RUNS]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-500}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
shared=${FT_SHARED_DIR:-$root/../shared}
npm_models=${FACETRACK_MODELS_DIR:-$root/build/models}
[ -x "$ft" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }

task=$shared/models/face_landmarker_v2_with_blendshapes.task
models=(
    "$task:face_detector.tflite" "$task:face_landmarks_detector.tflite" "$task:face_blendshapes.tflite"
    "$npm_models/face_detection_short_range.tflite" "$npm_models/face_detection_full_range.tflite"
    "$npm_models/face_detection_full_range_sparse.tflite" "$npm_models/face_landmark.tflite"
    "$npm_models/face_landmark_with_attention.tflite"
    "$shared/models/face_detection_yunet_2023mar.onnx" "$shared/models/scrfd_500m_kps_640.onnx"
    "$shared/models/scrfd_2.5g_kps_640.onnx" "$shared/models/facemesh_face_landmark.onnx"
    "$shared/models/face_blendshapes.onnx" "$shared/models/openseeface_mnv3_detection_opt.onnx"
    "$shared/models/openseeface_lm_model0_opt.onnx"
)
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
echo "$(nproc) cores; median of $runs runs after 20 warm-up runs; ms"
printf "%-40s %9s %9s %9s %9s %7s\n" model 1-thread library overhead 2-threads ops
for m in "${models[@]}"; do
    file=${m%%:*.tflite}
    [ -f "$file" ] || { printf "%-40s (absent)\n" "$(basename "${m##*:}")"; continue; }
    one=$("$ft" model bench --runs "$runs" --threads 1 "$m") || { echo "$(basename "$m"): failed"; continue; }
    two=$("$ft" model bench --runs "$runs" --threads 2 "$m")
    printf "%-40s %9s %9s %8.1f%% %9s %7s\n" "$(basename "${m##*:}")" "$(field median_ms <<<"$one")" \
        "$(field library_median_ms <<<"$one")" "$(awk -v o="$(field overhead <<<"$one")" 'BEGIN{print 100*o}')" \
        "$(field median_ms <<<"$two")" "$(field fast_ops <<<"$one")/$(field ops <<<"$one")"
done
