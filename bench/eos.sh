#!/usr/bin/env bash
# The eos engine's cost: time per fit (the Surrey Face Model to 68 points,
# eos's defaults) on the points of a real clip, the engine's time per frame
# by stage, and `facetrack track` frames/s with eos against
# opencv_yunet_pyfeat (the same YuNet and FaceMesh, no fit) in the same run.
# Usage: bench/eos.sh [CLIP] [FRAMES] [WORKERS]
#        (build first: scripts/build.sh release; models: ../shared/models and
#        FACETRACK_MODEL_PATH as the tests set it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$root/../shared}
clip=${1:-$shared/media/faces/liveportrait_driving_d6.mp4}
frames=${2:-100}
workers=${3:-1}
bin=$root/build/release/bin
[ -x "$bin/eos_fit" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
[ -f "$clip" ] || { echo "bench: no clip at $clip" >&2; exit 1; }
export FACETRACK_MODEL_PATH=${FACETRACK_MODEL_PATH:-$shared/models:$root/build/models}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$bin/eos_fit" "$clip" "$frames" 5
echo
total=$("$bin/facetrack" probe "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
printf '%-22s %10s   (%s, %s frames, %s workers)\n' engine "track fps" "$(basename "$clip")" "$total" "$workers"
for engine in eos opencv_yunet_pyfeat; do
    start=$(date +%s.%N)
    if "$bin/facetrack" track --force --progress none --engine "$engine" --workers "$workers" \
        -o "$out/$engine" "$clip" >/dev/null 2>"$out/$engine.err"; then
        end=$(date +%s.%N)
        awk -v e="$engine" -v n="$total" -v a="$start" -v b="$end" 'BEGIN { printf "%-22s %10.1f\n", e, n / (b - a) }'
    else
        printf '%-22s %10s  (%s)\n' "$engine" failed "$(tail -n 1 "$out/$engine.err")"
    fi
done
