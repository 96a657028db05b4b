# facetrack track on the edge-case clips (B-frames, odd sizes, one frame,
# rotations, VFR, 10-bit, 4:4:4, extra streams, late starts) and on broken
# files: one entry per decoded frame, exactly as many as ffprobe counts, in
# short ranges over two workers; broken files fail alone with one line each,
# whichever worker meets the damage.
. "$(dirname "$0")/lib.sh"
npm=${FT_NPM_MODELS_DIR:-}
[ -f "$npm/face_detection_full_range.tflite" ] || skip_test "npm models not installed in '$npm'"
export FACETRACK_MODEL_PATH=$npm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$FACETRACK" track --chunk-frames 20 --workers 2 -o "$work/out" "$FT_CLIPS_DIR" >"$work/summary" 2>"$work/err"
check "broken files make the run exit 1" test $? -eq 1
dense() { # CLIP: the output has ffprobe's frame count, numbered 1..N
    local want out
    want=$(ffprobe_count "$1")
    out="$work/out/$(basename "${1%.*}").json"
    [ -s "$out" ] && /usr/bin/python3 - "$out" "$want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
ok = d["metadata"]["total_frames"] == n and [f["frame"] for f in d["frames"]] == list(range(1, n + 1))
print("  %s: ffprobe %d, output %d" % (sys.argv[1].rsplit("/", 1)[-1], n, len(d["frames"])))
sys.exit(0 if ok else 1)
PY
}
while read -r clip; do
    check "dense output of $(basename "$clip")" dense "$clip"
done < <(clips_in "$FT_CLIPS_DIR" | grep -v /bad/)
# A damaged video fails whichever worker decodes the damage (ranges of 20
# frames over two workers here): a truncated one too, whose last packet is
# cut.
for bad in garbage text zero_bytes truncated_moov_missing corrupt_payload truncated_faststart; do
    # (warnings may name it too: faceless frames switch objects on)
    check "$bad.mp4 fails with one line naming it" test "$(grep -v ': warn: ' "$work/err" | grep -c "bad/$bad.mp4")" -eq 1 \
        -a ! -e "$work/out/$bad.json"
done
check "the summary lists the failures" test "$(grep -c '^  failed: ' "$work/summary")" -eq 6
check "no temporary files left" test -z "$(find "$work/out" -name '*.tmp*')"
finish
