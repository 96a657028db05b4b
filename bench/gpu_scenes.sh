#!/usr/bin/env bash
# Shots on a GPU machine, against its CPUs, in one run: `facetrack scenes`
# over N copies of the 1080p bench clip (N = 1 and 16 by default), with
# TransNetV2 (full-size weights made by formula: write_transnet_weights, as
# the tests make them) and with the content detector, on --device cuda and
# on --device cpu; aggregate frames/s, and whether the lists the GPU run
# wrote equal the CPU run's (--transnet-compat lists too). One table on
# stdout (also $OUT/gpu_scenes.txt when OUT is set). Without a usable GPU the
# cuda rows run on the CPU and say so.
#
# Environment: FACETRACK (the program), WRITE_WEIGHTS (the weights writer),
# CLIP, COUNTS (default "1 16").
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$here/../shared}
counts=${COUNTS:-1 16}

first_present() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done; return 1; }
facetrack=${FACETRACK:-$(first_present "$here/bin/facetrack" "$here/build/release/bin/facetrack")} ||
    { echo "gpu_scenes.sh: no facetrack (set FACETRACK)" >&2; exit 1; }
write_weights=${WRITE_WEIGHTS:-$(first_present "$here/write_transnet_weights" \
    "$here/build/release/tests/write_transnet_weights")} ||
    { echo "gpu_scenes.sh: no write_transnet_weights (set WRITE_WEIGHTS)" >&2; exit 1; }
clip=${CLIP:-$(first_present "$here/bench/bench_1080p25_3faces_20s.mp4" \
    "$shared/media/bench/bench_1080p25_3faces_20s.mp4")} ||
    { echo "gpu_scenes.sh: no bench clip (set CLIP)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu_scenes.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$write_weights" 16 1024 "$work/transnetv2.pth"
frames=$("$facetrack" probe --fast "$clip" | sed -n 's/.*"frame_count":\([0-9]*\).*/\1/p')
rows=("$(printf '%-11s %-5s %3s %7s %12s  %s' detector device N workers frames/s note)")

scenes_row() { # DETECTOR DEVICE N WORKERS [EXTRA...]
    local detector=$1 device=$2 n=$3 workers=$4 in=$work/in_$3 out s e rc=0
    shift 4
    out=$work/out_${detector}_${device}_$n${1:+_${1#--}}
    mkdir -p "$in" "$out"
    for i in $(seq -w 1 "$n"); do [ -f "$in/clip_$i.mp4" ] || cp "$clip" "$in/clip_$i.mp4"; done
    s=$(date +%s.%N)
    "$facetrack" -v scenes --detector "$detector" --weights "$work/transnetv2.pth" --device "$device" \
        --workers "$workers" --progress none --force -o "$out" "$@" "$in" >"$work/log" 2>&1 || rc=$?
    e=$(date +%s.%N)
    local note
    note=$(grep -m1 -oE 'shots found on [0-9]+ GPUs?|no usable GPU[^;]*|fallback CPU' "$work/log" || true)
    [ $rc -eq 0 ] || note="failed ($rc): $(tail -n 1 "$work/log" | cut -c1-80)"
    rows+=("$(awk -v d="$detector${1:+ $1}" -v dev="$device" -v n="$n" -v w="$workers" -v f="$frames" \
        -v s="$s" -v e="$e" -v note="$note" \
        'BEGIN {printf "%-11s %-5s %3d %7d %12.1f  %s", d, dev, n, w, f * n / (e - s), note}')")
}

same_lists() { # A B
    if diff -r "$1" "$2" >/dev/null; then echo "identical"; else echo "DIFFERENT"; fi
}

for n in $counts; do
    scenes_row transnetv2 cuda "$n" "$n"
    scenes_row transnetv2 cuda "$n" "$n" --cpu-decode
    scenes_row transnetv2 cpu "$n" 1
    scenes_row content cuda "$n" "$n"
    scenes_row content cpu "$n" "$(nproc)"
done
first=$(awk '{print $1}' <<<"$counts")
scenes_row transnetv2 cuda "$first" 1 --transnet-compat
scenes_row transnetv2 cpu "$first" 1 --transnet-compat
{
    echo "facetrack: $facetrack; clip: $clip ($frames frames, N copies at once); CPUs: $(nproc)"
    printf '%s\n' "${rows[@]}"
    echo
    for n in $counts; do
        echo "N=$n transnetv2 lists, cuda against cpu: $(same_lists "$work/out_transnetv2_cuda_$n" "$work/out_transnetv2_cpu_$n")"
        echo "N=$n transnetv2 lists, cuda --cpu-decode against cpu: $(same_lists "$work/out_transnetv2_cuda_${n}_cpu-decode" "$work/out_transnetv2_cpu_$n")"
        echo "N=$n content lists, cuda against cpu: $(same_lists "$work/out_content_cuda_$n" "$work/out_content_cpu_$n")"
    done
    echo "transnet-compat lists, cuda against cpu: $(same_lists "$work/out_transnetv2_cuda_${first}_transnet-compat" "$work/out_transnetv2_cpu_${first}_transnet-compat")"
} | if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && tee "$OUT/gpu_scenes.txt"; else cat; fi
