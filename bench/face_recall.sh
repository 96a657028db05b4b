#!/usr/bin/env bash
# Faces found on stills by three detector configurations of the MediaPipe
# engine: (a) MediaPipe's own (short-range detector, one pass over the
# letterboxed image), (b) full range on tiles only (--no-whole-frame), (c)
# the default (tiles plus the whole-frame short-range pass). Stills are
# frames of the shared clips, made here with ffmpeg: frame 20 of every clip
# in media/faces, close-up crops of each face found there (square, 1.3, 1.0
# and 0.8 times the face box, scaled to 160 and 256 px, in colour and gray),
# the first 100 frames of the bench clip, every 10th frame of the face and
# edge clips. Every still is detected afresh (`facetrack detect`).
# Prints one markdown row per set: faces found / stills with a face, the
# stills where (a) finds more faces than (c), and those where (c) finds
# fewer than (b).
# Usage: bench/face_recall.sh [WORKDIR]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$root/../shared}
npm_models=${FACETRACK_MODELS_DIR:-$root/build/models}
bin=${FACETRACK_BIN:-$root/build/release/bin}/facetrack
task=$shared/models/face_landmarker_v2_with_blendshapes.task
media=$shared/media
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
for f in "$task" "$npm_models/face_detection_full_range.tflite" "$media/bench/bench_1080p25_3faces_20s.mp4"; do
    [ -f "$f" ] || { echo "bench: $f is missing" >&2; exit 1; }
done
command -v ffmpeg >/dev/null || { echo "bench: ffmpeg is missing" >&2; exit 1; }
export FACETRACK_MODEL_PATH=$shared/models:$npm_models
work=${1:-$(mktemp -d)}
mkdir -p "$work"
ff() { ffmpeg -nostdin -v error -y "$@"; }

# The sets, one folder each.
mkdir -p "$work"/{stills,closeup,closeup_gray,bench,clips,edge}
for clip in "$media"/faces/*.mp4; do
    stem=$(basename "$clip" .mp4)
    ff -i "$clip" -vf 'select=eq(n\,20)' -frames:v 1 "$work/stills/$stem.png"
    ff -i "$clip" -vf "select=not(mod(n\,10))" -fps_mode passthrough "$work/clips/${stem}_%03d.png"
done
for clip in "$media"/edge/*; do
    stem=$(basename "${clip%.*}")
    ff -i "$clip" -vf "select=not(mod(n\,10))" -fps_mode passthrough "$work/edge/${stem}_%03d.png"
done
ff -i "$media/bench/bench_1080p25_3faces_20s.mp4" -frames:v 100 "$work/bench/f_%03d.png"
# Close-ups: each face (two at most) that tiles find on the stills, cropped
# square around its box centre.
"$bin" detect --no-landmarks --no-whole-frame "$work"/stills/*.png |
    python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    for k, f in enumerate(d["faces"][:2]):
        x, y, w, h = f["box"]
        for scale in (1.3, 1.0, 0.8):
            s = max(w, h) * scale
            x0 = max(0, int(x + w / 2 - s / 2)); y0 = max(0, int(y + h / 2 - s / 2))
            s = int(min(s, d["width"] - x0, d["height"] - y0))
            print(d["path"], k, scale, x0, y0, s)' |
    while read -r path k scale x0 y0 s; do
        stem=$(basename "$path" .png)_f${k}_x$scale
        for size in 160 256; do
            ff -i "$path" -vf "crop=$s:$s:$x0:$y0,scale=$size:$size" "$work/closeup/${stem}_$size.png"
            ff -i "$path" -vf "crop=$s:$s:$x0:$y0,scale=$size:$size,format=gray" \
                "$work/closeup_gray/${stem}_$size.png"
        done
    done

# Faces per still, per configuration: "name count" lines.
count() {
    local set=$1; shift
    "$bin" detect --no-landmarks "$@" "$work/$set"/*.png |
        python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print(d["path"].rsplit("/", 1)[-1], len(d["faces"]))'
}
# One row from the three counts of SET.
table_row() {
    paste "$work/$1.a" "$work/$1.b" "$work/$1.c" | awk -v set="$1" '
        function cell(f, s) { return f " / " s }
        { n++; fa += $2; fb += $4; fc += $6; sa += $2 > 0; sb += $4 > 0; sc += $6 > 0
          if ($2 > $6) { missed++; m = m " " $1 }
          if ($6 < $4) { lost++; l = l " " $1 } }
        END { printf "| %s | %d | %s | %s | %s | %d%s | %d%s |\n", set, n, cell(fa, sa), cell(fb, sb),
                     cell(fc, sc), missed, missed ? ":" m : "", lost, lost ? ":" l : "" }'
}
echo "| set | stills | (a) MediaPipe: short range, whole image | (b) tiles only (before) | (c) default: tiles + whole-frame short range | (a) finds more than (c) | (c) finds fewer than (b) |"
echo "|---|---|---|---|---|---|---|"
for set in stills closeup closeup_gray bench clips edge; do
    count "$set" --no-tiles --no-whole-frame --detector "$task:face_detector.tflite" >"$work/$set.a"
    count "$set" --no-whole-frame >"$work/$set.b"
    count "$set" >"$work/$set.c"
    table_row "$set"
done
