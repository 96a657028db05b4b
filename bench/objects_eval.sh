#!/usr/bin/env bash
# COCO object detection on frames of the shared clips, by both TF.js
# detectors facetrack runs (CenterNet, the default, and NanoDet): every
# 25th frame of each clip in media/faces and of the bench clip. Each clip
# shows a known number of people (a table below), so a frame's persons
# found at the default threshold (0.4, the original's CPU setting) measure
# recall; persons beyond that number, and CenterNet's person boxes without
# a NanoDet person box of IoU >= 0.5 (and the reverse), measure agreement.
# Times one detection per frame on one thread (`facetrack detect`, model
# load included, divided by the frame count).
# Prints one markdown row per clip and model, then the totals.
# Usage: bench/objects_eval.sh [WORKDIR]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${FT_SHARED_DIR:-$root/../shared}
bin=${FACETRACK_BIN:-$root/build/release/bin}/facetrack
media=$shared/media
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "bench: ffmpeg is missing" >&2; exit 1; }
[ -d "$media/faces" ] || { echo "bench: $media/faces is missing" >&2; exit 1; }
work=${1:-$(mktemp -d)}
mkdir -p "$work"
# people visible in every frame of each clip (looked at, not measured)
declare -A people=(
    [liveportrait_driving_d0]=1 [liveportrait_driving_d6]=1 [liveportrait_driving_d13]=1
    [liveportrait_source_s13]=1 [videoretalking_face_1]=1 [fom_demo_old_08]=1
    [bench_1080p25_3faces_20s]=3
)
clips=("$media"/faces/*.mp4 "$media/bench/bench_1080p25_3faces_20s.mp4")
for clip in "${clips[@]}"; do
    stem=$(basename "$clip" .mp4)
    [ -n "${people[$stem]:-}" ] || continue
    mkdir -p "$work/$stem"
    ffmpeg -nostdin -v error -y -i "$clip" -vf 'select=not(mod(n\,25))' -fps_mode passthrough \
        "$work/$stem/%03d.png"
    for model in centernet nanodet; do
        start=$(date +%s.%N)
        "$bin" detect --only-objects --object-model "$model" --object-threshold 0.4 \
            --object-max 10 "$work/$stem"/*.png >"$work/$stem.$model.jsonl"
        end=$(date +%s.%N)
        n=$(ls "$work/$stem"/*.png | wc -l)
        echo "$stem $model $n $(echo "($end - $start) * 1000 / $n" | bc -l)" >>"$work/times"
    done
done
python3 - "$work" <<'PY'
import json, sys, collections
work = sys.argv[1]
people = {}
times = {}
for line in open(f"{work}/times"):
    stem, model, n, ms = line.split()
    times[(stem, model)] = float(ms)
expect = {"bench_1080p25_3faces_20s": 3}
def persons(path):
    out = {}
    for line in open(path):
        d = json.loads(line)
        out[d["path"]] = [o for o in d["objects"] if o["label"] == "person"]
    return out
def iou(a, b):
    ax, ay, aw, ah = a; bx, by, bw, bh = b
    ix = min(ax + aw, bx + bw) - max(ax, bx); iy = min(ay + ah, by + bh) - max(ay, by)
    if ix <= 0 or iy <= 0: return 0.0
    i = ix * iy
    return i / (aw * ah + bw * bh - i)
def matched(boxes, others):
    return sum(1 for b in boxes if any(iou(b["box"], o["box"]) >= 0.5 for o in others))
tot = collections.Counter()
print("| clip | model | frames | people | persons found (recall) | extra persons | agree with the other (IoU >= 0.5) | other labels | ms/frame |")
print("|---|---|---|---|---|---|---|---|---|")
for stem in sorted({s for s, _ in times}):
    k = expect.get(stem, 1)
    res = {m: persons(f"{work}/{stem}.{m}.jsonl") for m in ("centernet", "nanodet")}
    labels = {}
    for m in res:
        c = collections.Counter()
        for line in open(f"{work}/{stem}.{m}.jsonl"):
            for o in json.loads(line)["objects"]:
                if o["label"] != "person": c[o["label"]] += 1
        labels[m] = ", ".join(f"{l} {n}" for l, n in c.most_common(3)) or "-"
    for m, other in (("centernet", "nanodet"), ("nanodet", "centernet")):
        frames = len(res[m]); found = sum(min(len(v), k) for v in res[m].values())
        extra = sum(max(len(v) - k, 0) for v in res[m].values())
        agree = sum(matched(res[m][p], res[other][p]) for p in res[m])
        total = sum(len(v) for v in res[m].values())
        tot[(m, "frames")] += frames; tot[(m, "want")] += frames * k; tot[(m, "found")] += found
        tot[(m, "extra")] += extra; tot[(m, "agree")] += agree; tot[(m, "total")] += total
        tot[(m, "ms")] += times[(stem, m)] * frames
        print(f"| {stem} | {m} | {frames} | {k} | {found}/{frames*k} ({found/(frames*k):.0%}) | {extra} | {agree}/{total} | {labels[m]} | {times[(stem, m)]:.0f} |")
for m in ("centernet", "nanodet"):
    print(f"| **all** | {m} | {tot[(m,'frames')]} | | {tot[(m,'found')]}/{tot[(m,'want')]} ({tot[(m,'found')]/tot[(m,'want')]:.0%}) | {tot[(m,'extra')]} | {tot[(m,'agree')]}/{tot[(m,'total')]} | | {tot[(m,'ms')]/tot[(m,'frames')]:.0f} |")
PY
