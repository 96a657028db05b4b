#!/usr/bin/env bash
# Head pose of every engine that gives one against the MediaPipe engine's
# (its pose from the whole mesh by MediaPipe's geometry pipeline), on the
# shared face clips: `track` with each engine, faces paired by box overlap,
# median and 90th percentile of |yaw|, |pitch| and |roll| differences.
# Usage: bench/pose_agreement.sh [CLIP...]   (default: ../shared/media/faces/*.mp4)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$root/../shared}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
[ -x "$ft" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
export FACETRACK_MODEL_PATH=${FACETRACK_MODEL_PATH:-$shared/models:$root/build/models}
clips=("$@")
[ ${#clips[@]} -gt 0 ] || clips=("$shared"/media/faces/*.mp4)
engines=(opencv_yunet insightface openseeface opencv_yunet_pyfeat)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

track() { # ENGINE CLIP
    "$ft" track --force --progress none --engine "$1" -o "$out/$1" "$2" >/dev/null 2>"$out/$1.err" ||
        { echo "bench: $1 failed on $2: $(tail -n 1 "$out/$1.err")" >&2; return 1; }
}
for clip in "${clips[@]}"; do
    stem=$(basename "${clip%.*}")
    track mediapipe_landmarker "$clip"
    for e in "${engines[@]}"; do
        track "$e" "$clip" || continue
        python3 "$root/tests/tools/compare_pose.py" "$out/mediapipe_landmarker/$stem.json" \
            "$out/$e/$stem.json" | awk -v c="$stem" -v e="$e" '{ print c, e, $0 }'
    done
done
