#!/usr/bin/env bash
# Decoding on a GPU machine: NVDEC against the CPU, in one run.
#  1. Equality: every clip given (default: the bundle's or the shared face
#     clips, the bench clip and the codec clips of the bundle) decoded with
#     `facetrack frames --nvdec 0` and on the CPU: the same MD5 for every
#     frame, and whether NVDEC took the stream at all.
#  2. Speed: decode-only frames/s (frames delivered to the host as yuv420p,
#     no hashing) of N concurrent copies of the 1080p bench clip, N = 1, 4,
#     16, 32, on NVDEC (streams spread over the visible GPUs) and on the CPU
#     (every core shared among the N decoders).
# One table on stdout (also $OUT/gpu_decode.txt when OUT is set). Without a
# usable GPU the NVDEC rows say why.
#
# Environment: FACETRACK (the program), CLIP (the bench clip), COUNTS
# (default "1 4 16 32"), CLIPS (the equality clips, space-separated).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$here/../shared}
counts=${COUNTS:-1 4 16 32}
cpus=$(nproc)

first_present() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done; return 1; }
facetrack=${FACETRACK:-$(first_present "$here/bin/facetrack" "$here/build/release/bin/facetrack")} ||
    { echo "gpu_decode.sh: no facetrack (bin/facetrack or build/release/bin/facetrack; or set FACETRACK)" >&2; exit 1; }
clip=${CLIP:-$(first_present "$here/bench/bench_1080p25_3faces_20s.mp4" \
    "$shared/media/bench/bench_1080p25_3faces_20s.mp4")} ||
    { echo "gpu_decode.sh: no bench_1080p25_3faces_20s.mp4 (set CLIP)" >&2; exit 1; }
if [ -z "${CLIPS:-}" ]; then
    CLIPS=$clip
    for f in "$here"/shared/media/faces/*.mp4 "$here"/bench/codecs/*; do
        if [ -f "$f" ]; then CLIPS="$CLIPS $f"; fi
    done
fi
gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu_decode.XXXXXX")
trap 'rm -rf "$work"' EXIT
lines=()
say() { lines+=("$*"); }

say "facetrack: $facetrack; CPUs: $cpus; GPUs: $gpus"
say ""
say "equality (frames --nvdec 0 against the CPU decoder, rgb24 MD5 of every frame):"
for c in $CLIPS; do
    name=$(basename "$c")
    "$facetrack" frames "$c" >"$work/cpu.txt" 2>"$work/cpu.err" || { say "  $name: CPU decoding failed: $(tail -n 1 "$work/cpu.err")"; continue; }
    if ! "$facetrack" -v frames --nvdec 0 "$c" >"$work/gpu.txt" 2>"$work/gpu.err"; then
        say "  $name: NVDEC run failed: $(tail -n 1 "$work/gpu.err")"
        continue
    fi
    where="NVDEC"
    if grep -q "decoding on the CPU" "$work/gpu.err"; then
        where="CPU fallback ($(grep -m1 -o 'decoding on the CPU.*' "$work/gpu.err" | cut -c1-90))"
    fi
    n=$(wc -l <"$work/cpu.txt")
    if cmp -s "$work/cpu.txt" "$work/gpu.txt"; then
        say "  $name: $n frames identical [$where]"
    else
        first=$(diff <(cut -d' ' -f1-4 "$work/cpu.txt") <(cut -d' ' -f1-4 "$work/gpu.txt") | grep -m1 '^[<>]' || true)
        say "  $name: DIFFERENT ($(wc -l <"$work/gpu.txt") of $n frames; first: $first) [$where]"
    fi
done

frames_per_clip=$("$facetrack" frames --no-md5 --pixfmt yuv420p "$clip" | wc -l)
decode_row() { # MODE N
    local mode=$1 n=$2 i s e pids=() args
    local threads=$(((cpus + n - 1) / n))
    s=$(date +%s.%N)
    for i in $(seq 0 $((n - 1))); do
        if [ "$mode" = nvdec ]; then
            args=(--nvdec $((i % (gpus > 0 ? gpus : 1))))
        else
            args=(--threads "$threads")
        fi
        "$facetrack" frames "${args[@]}" --no-md5 --pixfmt yuv420p "$clip" >"$work/out_$i" 2>"$work/err_$i" &
        pids+=($!)
    done
    local failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    e=$(date +%s.%N)
    local got fell
    got=$(cat "$work"/out_* | wc -l)
    fell=$(grep -l "decoding on the CPU" "$work"/err_* 2>/dev/null | wc -l)
    rm -f "$work"/out_* "$work"/err_*
    awk -v m="$mode" -v n="$n" -v f="$got" -v want=$((frames_per_clip * n)) -v s="$s" -v e="$e" \
        -v failed="$failed" -v fell="$fell" 'BEGIN {
        short = (f != want || failed) ? "  (INCOMPLETE: " f " of " want " frames)" : ""
        back = (fell > 0) ? "  (" fell " streams fell back to the CPU)" : ""
        printf "  %-6s N=%-3d %8.1f frames/s  %7.1f per stream%s%s\n", m, n, f / (e - s), f / (e - s) / n,
            short, back }'
}
say ""
say "decode only, $frames_per_clip-frame 1080p clip, N concurrent streams (frames/s of all streams):"
for n in $counts; do
    if [ "$gpus" -gt 0 ]; then say "$(decode_row nvdec "$n")"; fi
    say "$(decode_row cpu "$n")"
done
printf '%s\n' "${lines[@]}" | if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && tee "$OUT/gpu_decode.txt"; else cat; fi
