#!/usr/bin/env bash
# Decode throughput of facetrack against the ffmpeg tools on the same clip,
# in one run on one machine, reported as frames/s and ratios.
#   count: facetrack probe (decode + count) vs ffprobe -count_frames
#   rgb:   facetrack frames (decode + RGB24 + MD5) vs ffmpeg -pix_fmt rgb24 -f framemd5
# Usage: bench/decode_throughput.sh [CLIP] [REPEATS]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clip=${1:-$root/../shared/media/bench/bench_1080p25_3faces_20s.mp4}
repeats=${2:-3}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
[ -f "$clip" ] || { echo "bench: no clip at $clip" >&2; exit 1; }
[ -x "$ft" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }

best_seconds() { # best wall time of REPEATS runs of a command
    local best="" t0 t1 s
    for _ in $(seq "$repeats"); do
        t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
        best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
            'BEGIN { s = b - a; print (best == "" || s < best) ? s : best }')
    done
    echo "$best"
}
frames=$("$ft" probe "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
report() { # NAME OURS THEIRS
    awk -v name="$1" -v n="$frames" -v ours="$2" -v theirs="$3" 'BEGIN {
        printf "%-6s facetrack %7.1f fps   ffmpeg %7.1f fps   speed ratio %.2f\n",
            name, n / ours, n / theirs, theirs / ours }'
}
echo "clip: $clip ($frames frames), $(nproc) cores, best of $repeats"
report count "$(best_seconds "$ft" probe "$clip")" \
    "$(best_seconds ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames "$clip")"
report rgb "$(best_seconds "$ft" frames "$clip")" \
    "$(best_seconds ffmpeg -nostdin -v error -i "$clip" -fps_mode passthrough -pix_fmt rgb24 -f framemd5 -)"
