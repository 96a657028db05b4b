#!/usr/bin/env bash
# Two builds of facetrack side by side on one clip, in one run on one
# machine: `track` throughput of each (interleaved runs, best of REPEATS)
# and the ratio, then the peak memory of each with 1, 2 and 4 workers and
# what each extra worker adds. Use it to measure a change: build the
# previous commit elsewhere and pass its program as BASELINE.
# Usage: bench/track_compare.sh BASELINE [CANDIDATE] [CLIP] [REPEATS]
#        (models: FACETRACK_MODEL_PATH holding face_landmarker.task and the npm models)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: track_compare.sh BASELINE [CANDIDATE] [CLIP] [REPEATS]}
cand=${2:-$root/build/release/bin/facetrack}
clip=${3:-$root/../shared/media/bench/bench_1080p25_3faces_20s.mp4}
repeats=${4:-3}
[ -f "$clip" ] || { echo "bench: no clip at $clip" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # run PROGRAM WORKERS: "seconds peak-KB"
    /usr/bin/time -f '%e %M' "$1" track --force --progress none --workers "$2" -o "$out" "$clip" \
        2>&1 >/dev/null | tail -n 1
}
frames=$("$cand" probe "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
echo "clip: $(basename "$clip") ($frames frames), $(nproc) cores, best of $repeats interleaved runs"
best_b="" best_c=""
for _ in $(seq "$repeats"); do
    read -r s _ < <(run "$base" 1)
    [ -z "$best_b" ] || awk -v a="$s" -v b="$best_b" 'BEGIN { exit !(a < b) }' && best_b=$s
    read -r s _ < <(run "$cand" 1)
    [ -z "$best_c" ] || awk -v a="$s" -v b="$best_c" 'BEGIN { exit !(a < b) }' && best_c=$s
done
awk -v n="$frames" -v b="$best_b" -v c="$best_c" 'BEGIN {
    printf "track, 1 worker:  baseline %6.1f fps   candidate %6.1f fps   candidate/baseline %.3f\n",
        n / b, n / c, b / c }'
for prog in baseline candidate; do
    p=$base
    [ "$prog" = candidate ] && p=$cand
    line="$prog peak memory:"
    prev=""
    for w in 1 2 4; do
        read -r _ kb < <(run "$p" "$w")
        line="$line  ${w}w $((kb / 1024)) MB"
        [ -n "$prev" ] && line="$line (+$(((kb - prev) / 1024 / (w == 2 ? 1 : 2))) MB/worker)"
        prev=$kb
    done
    echo "$line"
done
