#!/usr/bin/env bash
# Soak of `facetrack live`: a clip played as a camera (--loop) for DURATION
# seconds; the worker's resident memory sampled every few seconds and the
# latency taken from its 1 Hz heartbeats. Prints the RSS after the warm-up
# and at the end, its drift in %, and the latency's median and p95 over the
# first and the last window; then stops the worker (SIGTERM) and checks that
# it left nothing in /dev/shm.
# Usage: bench/live_soak.sh [DURATION] [CLIP]   (build first: scripts/build.sh release)
# Environment: FACETRACK (the binary), SOAK_SAMPLE_S (5), SOAK_WARMUP_S (30, at
# most a third of DURATION), SOAK_WINDOW_S (60, at most a third of DURATION),
# SOAK_MAX_DRIFT_PCT (exit 1 when the drift is at or above it; unset: report
# only), SOAK_ARGS (more `live` options, e.g. "--fps 10").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-600}
clip=${2:-$root/../shared/media/faces/liveportrait_driving_d6.mp4}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
sample=${SOAK_SAMPLE_S:-5}
warmup=${SOAK_WARMUP_S:-30}
window=${SOAK_WINDOW_S:-60}
[ -f "$clip" ] || { echo "live_soak: no clip at $clip" >&2; exit 1; }
[ -x "$ft" ] || { echo "live_soak: build first (scripts/build.sh release)" >&2; exit 1; }
case $duration in '' | *[!0-9]*) echo "live_soak: DURATION must be whole seconds, not '$duration'" >&2; exit 2 ;; esac
[ "$warmup" -le $((duration / 3)) ] || warmup=$((duration / 3))
[ "$window" -le $((duration / 3)) ] || window=$((duration / 3))

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
: >"$work/events.jsonl" # there before the worker's first line, for the reads below
# shellcheck disable=SC2086 # SOAK_ARGS is a list of options
"$ft" live --loop --stdout status --socket "$work/live.sock" ${SOAK_ARGS:-} -- "$clip" \
    >"$work/events.jsonl" 2>"$work/stderr" &
pid=$!
worker=
for _ in $(seq 600); do # the engine loads: up to 60 s
    worker=$(sed -n 's/.*"type":"ready".*"pid":\([0-9]*\).*/\1/p' "$work/events.jsonl" | head -n1)
    [ -n "$worker" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$worker" ] || { echo "live_soak: the worker did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
echo "clip: $clip, $duration s, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), worker pid $worker"

start=$(date +%s.%N)
: >"$work/rss.tsv"
while :; do
    now=$(date +%s.%N)
    elapsed=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
    awk -v d="$duration" -v e="$elapsed" 'BEGIN { exit !(e >= d) }' && break
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$worker/status" 2>/dev/null || true)
    [ -n "$rss" ] || { echo "live_soak: the worker ended early:" >&2; tail -n 5 "$work/stderr" >&2; exit 1; }
    printf '%s\t%s\n' "$elapsed" "$rss" >>"$work/rss.tsv"
    sleep "$sample"
done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
leftover=$(find /dev/shm -maxdepth 1 -name "facetrack-live-$worker-*" | wc -l)

python3 - "$work/rss.tsv" "$work/events.jsonl" "$warmup" "$window" "$duration" "$status" "$leftover" \
    "${SOAK_MAX_DRIFT_PCT:-}" <<'EOF'
import json, statistics, sys
rss_file, events_file, warmup, window, duration, status, leftover, max_drift = sys.argv[1:]
warmup, window, duration = float(warmup), float(window), float(duration)
rss = [tuple(map(float, line.split())) for line in open(rss_file)]
beats = []
for line in open(events_file):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get('type') == 'heartbeat':
        beats.append(e)
t0 = beats[0]['wall_time'] if beats else 0
after = [r for r in rss if r[0] >= warmup] or rss[-1:]
start_kb, end_kb, peak_kb = after[0][1], rss[-1][1], max(r[1] for r in after)
drift = 100.0 * (end_kb - start_kb) / start_kb

def window_stats(lo, hi):
    lat = [b['latency_ms'] for b in beats
           if lo <= b['wall_time'] - t0 < hi and b.get('latency_ms') is not None]
    fps = [b['fps'] for b in beats if lo <= b['wall_time'] - t0 < hi]
    if not lat:
        return 'no frames'
    p95 = sorted(lat)[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    return (f'latency median {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms, '
            f'{statistics.mean(fps):.1f} fps analysed ({len(lat)} heartbeats)')

last = beats[-1] if beats else {}
print(f'samples: {len(rss)} RSS readings, {len(beats)} heartbeats, '
      f'{last.get("frames", 0)} frames analysed, {last.get("dropped", 0)} dropped')
print(f'RSS after {warmup:.0f} s warm-up: {start_kb:.0f} kB; at the end ({rss[-1][0]:.0f} s): '
      f'{end_kb:.0f} kB; peak {peak_kb:.0f} kB; drift {drift:+.2f} %')
print(f'start ({warmup:.0f}-{warmup + window:.0f} s): {window_stats(warmup, warmup + window)}')
print(f'end ({duration - window:.0f}-{duration:.0f} s): {window_stats(duration - window, duration)}')
print(f'stop: exit {status} (143 = SIGTERM, clean), /dev/shm leftovers: {leftover}')
print(f'soak: rss_start_kb={start_kb:.0f} rss_end_kb={end_kb:.0f} drift_pct={drift:.2f} '
      f'exit={status} shm_leftovers={leftover}')
bad = int(status) != 143 or int(leftover) != 0
if max_drift and drift >= float(max_drift):
    print(f'live_soak: RSS drift {drift:+.2f} % is at or over {max_drift} %', file=sys.stderr)
    bad = True
sys.exit(1 if bad else 0)
EOF
