#!/usr/bin/env bash
# What the face tracker's own threads give one worker (face/face_tracker.h:
# finish_ahead, a frame's blendshapes and pose beside the next frame;
# detect_beside, the detector beside the tracked faces' landmarks): one
# video on one worker, whose engine is single-threaded, so that the threads
# have an idle core beside it, as a GPU worker's thread is idle while it
# waits for the device. Each of the four settings REPEATS times, in turn;
# the median frames/s, its ratio to both off, and whether the output is
# byte for byte the same.
# Usage: bench/tracker_threads.sh [CLIP] [REPEATS]
#        (build first: scripts/build.sh release; models: scripts/models.sh and
#        FACETRACK_MODEL_PATH holding face_landmarker.task)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clip=${1:-$root/../shared/media/bench/bench_1080p25_3faces_20s.mp4}
repeats=${2:-4}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
[ -f "$clip" ] || { echo "bench: no clip at $clip" >&2; exit 1; }
[ -x "$ft" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench: one core: the threads have nowhere to run" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
frames=$("$ft" probe "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
settings="0,0 1,0 0,1 1,1" # finish_ahead,detect_beside
declare -A runs
for _ in $(seq "$repeats"); do
    for s in $settings; do
        start=$(date +%s.%N)
        FACETRACK_FINISH_AHEAD=${s%,*} FACETRACK_DETECT_BESIDE=${s#*,} "$ft" track --cpu --workers 1 \
            --verbose-fields --force --progress none -o "$out/$s" "$clip" >/dev/null
        end=$(date +%s.%N)
        runs[$s]+=" $(awk -v n="$frames" -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", n / (b - a)}')"
    done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
json=$(basename "${clip%.*}").json
base=$(median "${runs[0,0]}")
echo "clip: $clip ($frames frames), $(nproc) cores, one worker, median of $repeats"
printf '%-14s %-14s %10s %7s  %s\n' finish_ahead detect_beside frames/s ratio output
for s in $settings; do
    m=$(median "${runs[$s]}")
    same=$(cmp -s "$out/0,0/$json" "$out/$s/$json" && echo "same" || echo "DIFFERS")
    printf '%-14s %-14s %10.1f %6.2fx  %s  (runs:%s)\n' "${s%,*}" "${s#*,}" "$m" \
        "$(awk -v a="$m" -v b="$base" 'BEGIN {print a / b}')" "$same" "${runs[$s]}"
done
