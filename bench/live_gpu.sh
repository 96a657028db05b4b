#!/usr/bin/env bash
# facetrack live with N sources at once on one machine, on the GPU and on
# the CPU, in one run: each source is the 1080p bench clip played as a
# camera at its own rate (25 frames/s, --loop), analysed for DURATION
# seconds; per source the frames/s analysed and the latency (capture to
# metadata) from its 1 Hz heartbeats, after a warm-up. One table on stdout
# (also $OUT/live_gpu.txt when OUT is set). Without a usable GPU the GPU rows
# say why.
#
# Environment: FACETRACK (the program), CLIP, COUNTS (default "1 4 16"),
# DURATION (default 20), WARMUP (default 5).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$here/../shared}
counts=${COUNTS:-1 4 16}
duration=${DURATION:-20}
warmup=${WARMUP:-5}

first_present() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done; return 1; }
facetrack=${FACETRACK:-$(first_present "$here/bin/facetrack" "$here/build/release/bin/facetrack")} ||
    { echo "live_gpu.sh: no facetrack (bin/facetrack or build/release/bin/facetrack; or set FACETRACK)" >&2; exit 1; }
clip=${CLIP:-$(first_present "$here/bench/bench_1080p25_3faces_20s.mp4" \
    "$shared/media/bench/bench_1080p25_3faces_20s.mp4")} ||
    { echo "live_gpu.sh: no bench_1080p25_3faces_20s.mp4 (set CLIP)" >&2; exit 1; }
gpu_skip=""
if ! why=$("$facetrack" doctor --gpu 2>&1); then
    gpu_skip="doctor --gpu: $(grep -m1 -iE 'GPU' <<<"$why" | cut -c1-100)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/live_gpu.XXXXXX")
trap 'rm -rf "$work"' EXIT
rows=("$(printf '%-5s %3s  %18s  %28s  %s' on N "frames/s per source" "latency median / p95 (ms)" "note")")

live_row() { # MODE N
    local mode=$1 n=$2 sources=() pid
    for _ in $(seq 1 "$n"); do sources+=("$clip"); done
    "$facetrack" live --"$mode" --loop --no-preview --stdout status --socket "$work/sock" \
        "${sources[@]}" >"$work/events.jsonl" 2>"$work/err.log" &
    pid=$!
    sleep "$duration"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rows+=("$(python3 - "$work/events.jsonl" "$mode" "$n" "$warmup" "$(tail -n 1 "$work/err.log" | cut -c1-80)" <<'EOF'
import json, statistics, sys
path, mode, n, warmup, last_err = sys.argv[1:]
beats = {}
for line in open(path):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get('type') == 'heartbeat':
        beats.setdefault(e['source'], []).append(e)
if not beats:
    print(f'{mode:<5} {n:>3}  {"-":>18}  {"-":>28}  no heartbeat: {last_err}')
    sys.exit()
t0 = min(b[0]['wall_time'] for b in beats.values())
fps, lat = [], []
for src, bs in beats.items():
    kept = [b for b in bs if b['wall_time'] - t0 >= float(warmup)]
    fps += [statistics.mean(b['fps'] for b in kept)] if kept else []
    lat += [b['latency_ms'] for b in kept if b.get('latency_ms') is not None]
lat.sort()
p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] if lat else float('nan')
med = statistics.median(lat) if lat else float('nan')
print(f'{mode:<5} {n:>3}  {min(fps):7.1f} to {max(fps):7.1f}  {med:12.1f} / {p95:12.1f}  '
      f'{len(beats)} of {n} sources reported')
EOF
)")
}

for n in $counts; do
    if [ -z "$gpu_skip" ]; then live_row gpu "$n"; fi
    live_row cpu "$n"
done
{
    echo "facetrack: $facetrack; clip: $clip (played at 25 frames/s per source); CPUs: $(nproc)"
    if [ -n "$gpu_skip" ]; then echo "GPU rows skipped: $gpu_skip"; fi
    echo "frames/s: mean of each source's heartbeats after ${warmup} s (slowest to fastest source)"
    printf '%s\n' "${rows[@]}"
} | if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && tee "$OUT/live_gpu.txt"; else cat; fi
