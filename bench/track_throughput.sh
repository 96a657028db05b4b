#!/usr/bin/env bash
# The main job's speed: `facetrack track` (478 landmarks, 52 blendshapes and
# head pose for every face in every frame) against decoding alone
# (`ffmpeg -threads W -i CLIP -f null -`), in one run on one machine.
# Reports frames/s, the ratio, peak memory, JSON bytes per frame and where
# the time goes.
# Usage: bench/track_throughput.sh [CLIP] [WORKERS] [REPEATS]
#        (build first: scripts/build.sh release; models: scripts/models.sh and
#        FACETRACK_MODEL_PATH holding face_landmarker.task)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clip=${1:-$root/../shared/media/bench/bench_1080p25_3faces_20s.mp4}
workers=${2:-$(nproc)}
repeats=${3:-3}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
[ -f "$clip" ] || { echo "bench: no clip at $clip" >&2; exit 1; }
[ -x "$ft" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

best() { # best wall seconds and its peak RSS (KB) over REPEATS runs of a command
    local best_s="" best_kb="" s kb
    for _ in $(seq "$repeats"); do
        read -r s kb < <(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1)
        if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best_s=$s
            best_kb=$kb
        fi
    done
    echo "$best_s $best_kb"
}
frames=$("$ft" probe "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
echo "clip: $clip ($frames frames), $(nproc) cores, $workers workers, best of $repeats"
read -r dec_s _ < <(best ffmpeg -v error -threads "$workers" -i "$clip" -f null -)
read -r trk_s trk_kb < <(best "$ft" track --force --progress none --workers "$workers" -o "$out" "$clip")
json="$out/$(basename "${clip%.*}").json"
bytes=$(stat -c %s "$json")
faces=$(grep -o '"id":"obj_' "$json" | wc -l)
awk -v n="$frames" -v d="$dec_s" -v t="$trk_s" -v kb="$trk_kb" -v b="$bytes" -v f="$faces" 'BEGIN {
    printf "decode only (ffmpeg)   %8.1f fps\n", n / d
    printf "facetrack track        %8.1f fps   ratio %.2f of decode-only\n", n / t, d / t
    printf "peak memory            %8.0f MB\n", kb / 1024
    printf "JSON                   %8.0f bytes/frame (%d faces in %d frames, compact)\n", b / n, f, n
}'
"$ft" track --force --progress none --workers 1 --profile -o "$out" "$clip" 2>&1 >/dev/null |
    sed -n 's/^\[PROFILING\] Summary [^:]*: /one worker, per frame: /p'
