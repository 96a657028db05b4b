#!/usr/bin/env bash
# Face engine cost on one core: tracking one face on a 1080p frame (warp,
# 478 landmarks, blendshapes, matrix; no detection) and a detection pass
# over the frame, each split by stage, and the short-range pass on the whole
# frame beside the tiles (MediaPipe's own detector, from the .task), then the
# whole engine on the clip, with and without that pass.
# Runs once with the v2 landmark model (face_landmarker.task) and once with
# the npm attention model.
# Usage: bench/face_engine.sh [RUNS] [VIDEO]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-300}
shared=${FT_SHARED_DIR:-$root/../shared}
video=${2:-$shared/media/bench/bench_1080p25_3faces_20s.mp4}
npm_models=${FACETRACK_MODELS_DIR:-$root/build/models}
bin=${FACETRACK_BIN:-$root/build/release/bin}/face_stages
task=$shared/models/face_landmarker_v2_with_blendshapes.task
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
for f in "$video" "$task" "$npm_models/face_detection_full_range.tflite"; do
    [ -f "$f" ] || { echo "bench: $f is missing" >&2; exit 1; }
done
export FACETRACK_MODEL_PATH=$shared/models:$npm_models # the whole-frame pass's model
echo "$(nproc) cores, 1 inference thread; medians of $runs runs; $(basename "$video")"
for landmarks in "$task:face_landmarks_detector.tflite" "$npm_models/face_landmark_with_attention.tflite"; do
    echo
    "$bin" "$video" "$npm_models/face_detection_full_range.tflite" "$landmarks" \
        "$task:face_blendshapes.tflite" "$npm_models/geometry_pipeline_metadata_landmarks.binarypb" "$runs" \
        "$task:face_detector.tflite"
done
