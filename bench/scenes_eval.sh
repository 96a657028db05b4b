#!/usr/bin/env bash
# Accuracy and speed of `facetrack scenes` on the shared clips, for each
# detector: cuts against each clip's reference (the 8-shot clip's ground
# truth, PySceneDetect's checked ContentDetector cuts on its test video and
# the dissolve those miss, none in the single-shot face clips), matched
# within +-1 frame, as precision / recall / F1, with how many found cuts are
# gradual (dissolves, fades); then the bench clip's speed against decoding
# alone, in the same run. TransNetV2 is measured when its weights are found
# (STEP3_TRANSNET_WEIGHTS, or transnetv2-pytorch-weights.pth on the model
# search path); with other weights than the original's, only its speed
# means something.
# Then the synthetic sweep (bench/make_scene_sweep.py, made at run time in a
# temporary folder: every xfade transition between moving shots, hard cuts,
# flashes, camera moves; about a minute to make on 2 cores), scored by
# bench/score_scene_sweep.py: precision and recall per transition type and
# family, hard-cut F1, false cuts at flashes and in camera moves, gradual
# recall. SCENES_SWEEP=0 skips it.
# Usage: bench/scenes_eval.sh [SHARED_DIR]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$root/../shared}
ft=${FACETRACK:-$root/build/release/bin/facetrack}
[ -d "$shared/media" ] || { echo "bench: no shared media at $shared" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

clips=("$shared/media/scenes/synthetic_faces_hardcuts_8shots.mp4"
       "$shared/media/scenes/pyscenedetect_testvideo.mp4"
       "$shared"/media/faces/*.mp4)
detectors=(content)
if "$ft" scenes --detector transnetv2 --progress none -o "$out/probe" \
    "$shared/media/scenes/pyscenedetect_counter.mp4" >/dev/null 2>"$out/probe.err"; then
    detectors+=(transnetv2)
else
    echo "transnetv2: not measured: $(cat "$out/probe.err")"
fi
clip=$shared/media/bench/bench_1080p25_3faces_20s.mp4
t0=$(date +%s.%N); ffmpeg -v error -threads "$(nproc)" -i "$clip" -f null -; t1=$(date +%s.%N)
for detector in "${detectors[@]}"; do
echo "== $detector"
"$ft" scenes --detector "$detector" --json --progress none -o "$out/$detector" "${clips[@]}" >/dev/null
/usr/bin/python3 - "$shared" "$out/$detector" "${clips[@]}" <<'PY'
import json, os, sys
shared, out, clips = sys.argv[1], sys.argv[2], sys.argv[3:]
def reference(clip):
    name = os.path.basename(clip)
    if name.startswith("synthetic_faces_hardcuts"):
        return json.load(open(clip[:-4] + ".gt.json"))["cuts"]
    if name == "pyscenedetect_testvideo.mp4":
        golden = os.path.join(shared, "media/scenes/pyscenedetect_goldens/testvideo.mp4.ContentDetector.default.json")
        # Frames 529..558 dissolve one photo into another (seen frame by
        # frame); its ContentDetector reports none: the new shot starts at
        # the middle, 544. Its fades pass through black next to 180 and 394,
        # or close the video: no more cuts.
        return json.load(open(golden))["cuts"] + [544]
    return []  # single-shot clips
tp = fp = fn = 0
print("%-42s %9s %9s %7s %3s %3s %3s" % ("clip", "reference", "found", "gradual", "TP", "FP", "FN"))
for clip in clips:
    stem = os.path.basename(clip)[:-4]
    cuts = json.load(open(os.path.join(out, stem + "_scenes.json")))["cuts"]
    found = [c["frame"] - 1 for c in cuts]
    gradual = sum(c.get("type") in ("dissolve", "fade") for c in cuts)
    ref = reference(clip)
    unmatched = list(ref)
    t = 0
    for f in found:
        hit = next((r for r in unmatched if abs(r - f) <= 1), None)
        if hit is not None:
            unmatched.remove(hit)
            t += 1
    tp, fp, fn = tp + t, fp + len(found) - t, fn + len(unmatched)
    print("%-42s %9d %9d %7d %3d %3d %3d" % (stem[:42], len(ref), len(found), gradual, t, len(found) - t, len(unmatched)))
p = tp / (tp + fp) if tp + fp else 1.0
r = tp / (tp + fn) if tp + fn else 1.0
print("precision %.3f  recall %.3f  F1 %.3f" % (p, r, 2 * p * r / (p + r) if p + r else 0))
PY
t2=$(date +%s.%N)
"$ft" scenes --detector "$detector" --force --progress none -o "$out/$detector" "$clip" >/dev/null
t3=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
    printf "bench clip: decode only %.2f s, %.2f s: %.2f x decode-only throughput\n",
        b - a, d - c, (b - a) / (d - c) }'
done

if [ "${SCENES_SWEEP:-1}" != 0 ]; then
    echo "== synthetic sweep (content)"
    /usr/bin/python3 "$root/bench/make_scene_sweep.py" --shared "$shared" "$out/sweep"
    "$ft" scenes --json --progress none -o "$out/sweep_found" "$out"/sweep/*.mp4 \
        "$out"/sweep/sources/*.mp4 >/dev/null
    /usr/bin/python3 "$root/bench/score_scene_sweep.py" "$out/sweep" "$out/sweep_found"
fi
