# opencv_yunet_pyfeat (YuNet boxes, FaceMesh 468, blendshapes) on real
# faces: one talking head with strong jaw movement (liveportrait_driving_d0)
# and the first 60 frames of the 3-person bench clip. Faces in at least 98 %
# of the frames, at most 2 IDs per person, boxes overlapping the MediaPipe
# engine's; meshes within a few percent of the face width of MediaPipe's
# and jawOpen following MediaPipe's; the original's fields and blendshape
# keys; the jawOpen scale and the blendshape throttle; missing and wrong
# models refused in one line naming the file.
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
models=$FT_SHARED_DIR/models
for f in face_detection_yunet_2023mar.onnx facemesh_face_landmark.onnx face_blendshapes.onnx; do
    [ -f "$models/$f" ] || skip_test "$f not in $models"
done
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
py=/usr/bin/python3
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head=$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4
bench=$work/bench60.mp4
ffmpeg -v error -i "$FT_SHARED_DIR/media/bench/bench_1080p25_3faces_20s.mp4" -frames:v 60 \
    -c:v libx264 -preset ultrafast -crf 12 -an "$bench"
check "a 60-frame bench clip" test -s "$bench"

STEP5_EXPORT_VERBOSE_FIELDS=1 "$FACETRACK" track --force -o "$work/mediapipe" "$head" "$bench" \
    >/dev/null 2>&1
check "mediapipe_landmarker: tracks both clips" test -s "$work/mediapipe/bench60.json"

STEP5_EXPORT_VERBOSE_FIELDS=1 "$FACETRACK" track --force --engine opencv_yunet_pyfeat \
    -o "$work/pyfeat" "$head" "$bench" >"$work/pyfeat.log" 2>&1
check "opencv_yunet_pyfeat: exit 0" test $? -eq 0 || cat "$work/pyfeat.log"
check "schema-valid" "$py" "$src/tests/tools/validate_json.py" \
    "$src/schemas/tracking_raw.schema.json" "$work/pyfeat/bench60.json" \
    "$work/pyfeat/liveportrait_driving_d0.json"
for clip in liveportrait_driving_d0:1 bench60:3; do
    name=${clip%:*} persons=${clip#*:}
    check "$name: faces, IDs, boxes" "$py" "$src/tests/tools/compare_engine_faces.py" \
        "$work/pyfeat/$name.json" "$work/mediapipe/$name.json" "$persons"
done
check "liveportrait_driving_d0: meshes and jawOpen like MediaPipe's" \
    "$py" "$src/tests/tools/compare_mesh_engine.py" --jaw 0.6 \
    "$work/pyfeat/liveportrait_driving_d0.json" "$work/mediapipe/liveportrait_driving_d0.json"
check "bench60: meshes like MediaPipe's" "$py" "$src/tests/tools/compare_mesh_engine.py" \
    "$work/pyfeat/bench60.json" "$work/mediapipe/bench60.json"

# The original's fields: source, label, YuNet's score as confidence, the 52
# ARKit keys (tongueOut, no _neutral) on every face, 478 points (the last
# ten repeating the 468th) when verbose.
conventions() {
    "$py" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["metadata"]["tracking_engine"] == "opencv_yunet_pyfeat", d["metadata"]
faces = 0
for f in d["frames"]:
    for o in f["tracked_objects"]:
        faces += 1
        assert o["source"] == "face_landmarker" and o["label"] == "face", o["source"]
        assert 0.7 <= o["confidence"] <= 1.0, o["confidence"]
        bs = o["blendshapes"]
        assert bs and len(bs) == 52, bs
        keys = list(bs)
        assert keys[0] == "eyeBlinkLeft" and keys[-1] == "tongueOut", keys
        assert "_neutral" not in bs and bs["tongueOut"] == 0, keys
        assert all(0 <= v <= 1 for v in bs.values()), bs
        lm = o["landmarks"]
        assert len(lm) == 478 and all(p == lm[467] for p in lm[468:]), len(lm)
        assert all(float(v).is_integer() for p in lm for v in p), "integer pixels"
        inside = sum(o["bbox_xmin"] - 20 <= x <= o["bbox_xmax"] + 20 and
                     o["bbox_ymin"] - 20 <= y <= o["bbox_ymax"] + 20 for x, y, z in lm[:468])
        assert inside >= 460, inside
assert faces > 0
PY
}
check "the original's fields and keys" conventions "$work/pyfeat/bench60.json"

# STEP5_OPENCV_JAWOPEN_SCALE scales jawOpen (then clipped to 1);
# STEP5_MEDIAPIPE_JAWOPEN_SCALE does not touch this engine's.
STEP5_OPENCV_JAWOPEN_SCALE=2 STEP5_MEDIAPIPE_JAWOPEN_SCALE=5 "$FACETRACK" track --force \
    --engine opencv_yunet_pyfeat -o "$work/scaled" "$head" >/dev/null 2>&1
jaws() {
    "$py" - "$1" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["frames"]:
    for o in f["tracked_objects"]:
        print(o["blendshapes"]["jawOpen"])
PY
}
scaled_twice() {
    paste <(jaws "$work/pyfeat/liveportrait_driving_d0.json") <(jaws "$work/scaled/liveportrait_driving_d0.json") |
        awk '{ want = 2 * $1; if (want > 1) want = 1; d = want - $2; if (d < 0) d = -d;
               if (d > 0.0002) bad++ } END { exit bad > 0 || NR < 70 }'
}
check "STEP5_OPENCV_JAWOPEN_SCALE=2 doubles jawOpen" scaled_twice

# STEP5_BLENDSHAPES_THROTTLE_N=5: a face's blendshapes change at most every
# 5th frame.
STEP5_BLENDSHAPES_THROTTLE_N=5 "$FACETRACK" track --force --engine opencv_yunet_pyfeat \
    -o "$work/every5" "$head" >/dev/null 2>&1
throttled() {
    jaws "$work/every5/liveportrait_driving_d0.json" |
        awk 'NR > 1 && $1 != last { changes++ } { last = $1 } END { exit !(NR >= 70 && changes >= 5 && changes <= 16) }'
}
check "STEP5_BLENDSHAPES_THROTTLE_N=5: blendshapes every 5 frames" throttled

# Variables of the original's engine that this one does not act on are
# named in a warning.
STEP5_PYFEAT_MODEL_PATH=/x/face_blendshapes.pth "$FACETRACK" track --force \
    --engine opencv_yunet_pyfeat -o "$work/warn" "$head" >/dev/null 2>"$work/warn.err"
check "STEP5_PYFEAT_MODEL_PATH: named in a warning" grep -q "STEP5_PYFEAT_MODEL_PATH" "$work/warn.err"

only=$work/only_yunet
mkdir -p "$only"
ln -s "$models/face_detection_yunet_2023mar.onnx" "$only/"
no_mesh=(FACETRACK_MODEL_PATH="$only" FACETRACK_MODELS_DIR="$only" XDG_CACHE_HOME="$only" HOME="$only")
check "no FaceMesh model: engines says why" \
    bash -c 'env "$@" | grep -A1 "^opencv_yunet_pyfeat .*unavailable" | grep -q facemesh_face_landmark.onnx' \
    _ "${no_mesh[@]}" "$FACETRACK" engines
check "no FaceMesh model: track refuses it in one line" \
    refused "facemesh_face_landmark.onnx not found" "${no_mesh[@]}" -- \
    track --engine opencv_yunet_pyfeat -o "$work/x" "$head"
check "YuNet given as the mesh: refused by name" \
    refused "face_detection_yunet_2023mar.onnx: input 'input' is not 1x3x192x192" -- \
    track --engine opencv_yunet_pyfeat --landmarks "$models/face_detection_yunet_2023mar.onnx" \
    -o "$work/x" "$head"
check "a missing YuNet file: one line naming it" \
    refused "$work/nope.onnx" STEP5_YUNET_MODEL_PATH="$work/nope.onnx" -- \
    track --engine opencv_yunet_pyfeat -o "$work/x" "$head"
finish
