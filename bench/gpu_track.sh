#!/usr/bin/env bash
# The main job on a GPU machine, against the same job on all of its CPU
# cores, in one run: `facetrack track` with the full analysis (478 landmarks
# in every record, 52 blendshapes, head pose) over N copies of the 1080p
# 3-face clip at once, in aggregate frames/s, with peak GPU memory per video
# where nvidia-smi is present; then the 478-landmark model alone in faces/s
# at batch 1, 8, 64 and 256 on the cuda row and on the CPU (xnnpack, one
# thread per core). One table on stdout (also $OUT/gpu_track.txt when OUT is
# set).
#
# Runs from the device bundle (bash bench/gpu_track.sh, with bin/facetrack)
# or from a checkout (build/release/bin/facetrack, the shared clip).
# Without a usable GPU the GPU rows are skipped, saying why.
#
# Environment: FACETRACK (the program), CLIP, COUNTS (default "1 4 16"),
# BATCHES (default "1 8 64 256"), GPU_WORKERS (default: the CPU count, as
# the CPU rows: the workers' faces share the GPU's runs),
# CPU_WORKERS (default: the CPU count), CHUNK_FRAMES (default: what gives
# every worker a range, 50 to 250), MODEL_CPU (0: no xnnpack rows of the
# model alone), VARIANTS (default: FACETRACK_FINISH_AHEAD=0,
# FACETRACK_DETECT_BESIDE=0, FACETRACK_GPU_BYTE_INPUT=1 and
# FACETRACK_GPU_FRAMES=1; "" for none: GPU
# rows at the largest count with one setting of the environment changed,
# against the default row).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$here/../shared}
counts=${COUNTS:-1 4 16}
batches=${BATCHES:-1 8 64 256}
cpus=$(nproc)
cpu_workers=${CPU_WORKERS:-$cpus}

first_present() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done; return 1; }
facetrack=${FACETRACK:-$(first_present "$here/bin/facetrack" "$here/build/release/bin/facetrack")} ||
    { echo "gpu_track.sh: no facetrack (bin/facetrack or build/release/bin/facetrack; or set FACETRACK)" >&2; exit 1; }
clip=${CLIP:-$(first_present "$here/bench/bench_1080p25_3faces_20s.mp4" \
    "$shared/media/bench/bench_1080p25_3faces_20s.mp4")} ||
    { echo "gpu_track.sh: no bench_1080p25_3faces_20s.mp4 (set CLIP)" >&2; exit 1; }
clip=$(cd "$(dirname "$clip")" && pwd)/$(basename "$clip")

version=$("$facetrack" --version)
gpu_skip=""
if ! why=$("$facetrack" doctor --gpu 2>&1); then
    gpu_skip="no usable GPU ($(grep -m1 -iE 'no working GPU|fail' <<<"$why" | cut -c1-120))"
elif ! command -v nvidia-smi >/dev/null; then
    gpu_skip="nvidia-smi is not on PATH"
fi

# The landmark model: the v2 model of face_landmarker.task, wherever the
# program finds the bundle; in a checkout, the shared models serve (for the
# track runs' blendshapes too).
find_task() {
    "$facetrack" models list --json | tr '{' '\n' |
        sed -n 's/.*"name":"face_landmarker.task".*"path":"\([^"]*\)".*/\1/p' | head -n 1
}
task=$(find_task)
if [ -z "$task" ] && [ -f "$shared/models/face_landmarker_v2_with_blendshapes.task" ]; then
    shared_models=$(cd "$shared/models" && pwd)
    export FACETRACK_MODEL_PATH="${FACETRACK_MODEL_PATH:+$FACETRACK_MODEL_PATH:}$shared_models"
    task=$(find_task)
fi
[ -n "$task" ] || { echo "gpu_track.sh: face_landmarker.task is not on the model search path" >&2; exit 1; }
landmark_model=$task:face_landmarks_detector.tflite

# fp16 only where the program has a precision option.
model_help=$("$facetrack" help model 2>&1 || true)
fp16_flag=()
if grep -q -- '--precision' <<<"$model_help"; then
    fp16_flag=(--precision fp16)
elif grep -q -- '--fp16' <<<"$model_help"; then
    fp16_flag=(--fp16)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu_track.XXXXXX")
trap 'rm -rf "$work"' EXIT
frames_per_clip=$("$facetrack" probe --fast "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')

rows=()
row() { rows+=("$(printf '%-26s %-7s %5s %7s %12s %12s %11s  %s' "$@")"); }
row "what" "on" "N" "workers" "per second" "per video" "VRAM/video" "note"

# Peak GPU memory of process PID, sampled every 0.2 s while it runs (MiB).
vram_peak() {
    local pid=$1 peak=0 used
    while kill -0 "$pid" 2>/dev/null; do
        used=$(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null |
            awk -F', *' -v p="$pid" '$1 == p {s += $2} END {print s + 0}')
        if [ "$used" -gt "$peak" ]; then peak=$used; fi
        sleep 0.2
    done
    echo "$peak"
}

track_row() { # MODE(gpu|cpu) N WORKERS [FLAG]   (TRACK_ENV: VAR=VALUE for this row)
    local mode=$1 n=$2 workers=$3 flag=${4:-} in=$work/in_$2 out=$work/out log=$work/track.log
    mkdir -p "$in"
    # Copies, not links: track does a file named twice once.
    for i in $(seq -w 1 "$n"); do [ -f "$in/clip_$i.mp4" ] || cp "$clip" "$in/clip_$i.mp4"; done
    rm -rf "$out"
    # Ranges small enough that every worker has one (a range is the unit of
    # work of a worker), at most the default 250 frames.
    local chunk=$(((frames_per_clip * n + workers - 1) / workers))
    chunk=${CHUNK_FRAMES:-$((chunk > 250 ? 250 : chunk < 50 ? 50 : chunk))}
    local start end pid rc=0 peak="n/a"
    start=$(date +%s.%N)
    # A GPU request that the build cannot honour fails rather than running
    # on the CPU under a GPU label.
    (cd "$work" && exec env STEP5_GPU_FALLBACK_AUTO=0 STEP5_GPU_ENGINES=all ${TRACK_ENV:-} "$facetrack" track --"$mode" ${flag:+"$flag"} \
        --workers "$workers" --chunk-frames "$chunk" --verbose-fields --force --progress none -o "$out" "$in" >"$log" 2>&1) &
    pid=$!
    if [ "$mode" = gpu ]; then
        peak=$(vram_peak "$pid")
    fi
    wait "$pid" || rc=$?
    end=$(date +%s.%N)
    if [ $rc -ne 0 ]; then
        row "track, full analysis${flag:+ $flag}${TRACK_ENV:+ $TRACK_ENV}" "$mode" "$n" "$workers" "-" "-" "-" \
            "failed ($rc): $(grep -v '^tracked' "$log" | tail -n 1 | cut -c1-100)"
        return 0
    fi
    local fps per_video vram_per
    fps=$(awk -v f="$frames_per_clip" -v n="$n" -v s="$start" -v e="$end" 'BEGIN {printf "%.1f fps", f * n / (e - s)}')
    per_video=$(awk -v f="$frames_per_clip" -v s="$start" -v e="$end" 'BEGIN {printf "%.1f fps", f / (e - s)}')
    vram_per="-"
    [ "$peak" != "n/a" ] && vram_per=$(awk -v p="$peak" -v n="$n" 'BEGIN {printf "%.0f MiB", p / n}')
    row "track, full analysis${flag:+ $flag}${TRACK_ENV:+ $TRACK_ENV}" "$mode" "$n" "$workers" "$fps" "$per_video" "$vram_per" \
        "$frames_per_clip frames a video, ranges of $chunk"
    rm -rf "$out"
}

for n in $counts; do
    if [ -z "$gpu_skip" ]; then
        track_row gpu "$n" "${GPU_WORKERS:-$cpu_workers}"
        track_row gpu "$n" "${GPU_WORKERS:-$cpu_workers}" --gpu-fp16
    fi
    track_row cpu "$n" "$cpu_workers"
done
# What the GPU rows' defaults are worth: one setting changed, at the largest count.
largest=$(tr ' ' '\n' <<<"$counts" | sort -n | tail -n 1)
if [ -z "$gpu_skip" ]; then
    for variant in ${VARIANTS-FACETRACK_FINISH_AHEAD=0 FACETRACK_DETECT_BESIDE=0 FACETRACK_GPU_BYTE_INPUT=1 FACETRACK_GPU_FRAMES=1}; do
        TRACK_ENV=$variant track_row gpu "$largest" "${GPU_WORKERS:-$cpu_workers}"
    done
fi

model_row() { # BACKEND BATCH THREADS [FLAGS...]
    local backend=$1 batch=$2 threads=$3 runs json per_item
    shift 3
    runs=$((batch >= 64 ? 20 : 100))
    if ! json=$("$facetrack" model bench --backend "$backend" --threads "$threads" --batch "$batch" \
        --runs "$runs" "$@" "$landmark_model" 2>"$work/bench.log"); then
        row "landmarks 256px model" "$backend" "$batch" "-" "-" "-" "-" "failed: $(tail -n 1 "$work/bench.log" | cut -c1-100)"
        return 0
    fi
    per_item=$(sed -n 's/.*"per_item_median_ms":\([0-9.e+-]*\).*/\1/p' <<<"$json")
    row "landmarks 256px model${*:+ $*}" "$backend" "$batch" "$([ "$threads" = 0 ] && echo "$cpus" || echo "$threads")" \
        "$(awk -v m="$per_item" 'BEGIN {printf "%.0f faces", 1000 / m}')" "-" "-" \
        "batch $batch, $per_item ms a face, $runs runs"
}

for b in $batches; do
    if [ -z "$gpu_skip" ]; then
        model_row cuda "$b" 1
        if [ ${#fp16_flag[@]} -gt 0 ]; then
            model_row cuda "$b" 1 "${fp16_flag[@]}"
        fi
        # the crops as the face engine sends them: bytes, mapped on the GPU
        if grep -q -- '--byte-input' <<<"$model_help"; then
            model_row cuda "$b" 1 --byte-input
            if [ ${#fp16_flag[@]} -gt 0 ]; then
                model_row cuda "$b" 1 "${fp16_flag[@]}" --byte-input
            fi
        fi
    fi
    [ "${MODEL_CPU:-1}" = 0 ] || model_row xnnpack "$b" 0
done

{
    echo "facetrack: $facetrack"
    head -n 2 <<<"$version"
    grep '^cuda: ' <<<"$version" || true
    echo "clip: $clip ($frames_per_clip frames); CPUs: $cpus; landmark model: $landmark_model"
    if [ -n "$gpu_skip" ]; then echo "GPU rows skipped: $gpu_skip"; fi
    if [ ${#fp16_flag[@]} -eq 0 ]; then echo "fp16: not available in this build"; fi
    echo "track: N videos at once in one process (one worker per CPU, on the GPU and on the CPU);"
    echo "  per second = frames of all N videos / wall time, model load included; VRAM = the process's peak / N"
    echo "model: workers = threads; faces/s = 1 / the median time per face"
    echo
    printf '%s\n' "${rows[@]}"
} | if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && tee "$OUT/gpu_track.txt"; else cat; fi
