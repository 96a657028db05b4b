# The detection-only engines, opencv_yunet (YuNet) and insightface (SCRFD
# 500m and 2.5g), on real faces: one talking head (liveportrait_driving_d0)
# and the first 50 frames of the 3-person bench clip. Each finds a face in
# at least 98 % of the frames, gives at most 2 IDs per person, and its boxes
# overlap the MediaPipe engine's by IoU >= 0.5 on every face; outputs follow
# the original's conventions. Missing and wrong models are refused in one
# line naming the file.
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
models=$FT_SHARED_DIR/models
for f in face_detection_yunet_2023mar.onnx scrfd_500m_kps_640.onnx scrfd_2.5g_kps_640.onnx; do
    [ -f "$models/$f" ] || skip_test "$f not in $models"
done
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
py=/usr/bin/python3
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
compare=$src/tests/tools/compare_engine_faces.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head=$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4
bench=$work/bench50.mp4
ffmpeg -v error -i "$FT_SHARED_DIR/media/bench/bench_1080p25_3faces_20s.mp4" -frames:v 50 \
    -c:v libx264 -preset ultrafast -crf 12 -an "$bench"
check "a 50-frame bench clip" test -s "$bench"

"$FACETRACK" track --force -o "$work/mediapipe" "$head" "$bench" >/dev/null 2>&1
check "mediapipe_landmarker: tracks both clips" test -s "$work/mediapipe/bench50.json"

# run NAME ENGINE [VAR=VALUE...]: tracks both clips into $work/NAME
run() {
    local name=$1 engine=$2
    shift 2
    env "$@" "$FACETRACK" track --force --engine "$engine" -o "$work/$name" "$head" "$bench" \
        >"$work/$name.log" 2>&1
    check "$name: exit 0" test $? -eq 0
    check "$name: schema-valid" "$py" "$src/tests/tools/validate_json.py" \
        "$src/schemas/tracking_raw.schema.json" "$work/$name/bench50.json" "$work/$name/liveportrait_driving_d0.json"
    check "$name: 1 person: faces, IDs, IoU" "$py" "$compare" \
        "$work/$name/liveportrait_driving_d0.json" "$work/mediapipe/liveportrait_driving_d0.json" 1
    check "$name: 3 persons: faces, IDs, IoU" "$py" "$compare" \
        "$work/$name/bench50.json" "$work/mediapipe/bench50.json" 3
}

run yunet opencv_yunet
run scrfd_500m insightface STEP5_INSIGHTFACE_MODEL_PATH=$models/scrfd_500m_kps_640.onnx
run scrfd_2.5g insightface STEP5_INSIGHTFACE_MODEL_PATH=$models/scrfd_2.5g_kps_640.onnx

# The original's fields: source, label, a rounded score as confidence, the
# box centre as centroid, no blendshapes, the engine in the metadata.
conventions() {
    "$py" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["metadata"]["tracking_engine"] == sys.argv[2], d["metadata"]
for f in d["frames"]:
    for o in f["tracked_objects"]:
        assert o["source"] == "face_landmarker" and o["label"] == "face", o
        assert 0.5 <= o["confidence"] <= 1.0, o
        assert o["blendshapes"] is None, o
        assert abs(o["centroid_x"] - (o["bbox_xmin"] + o["bbox_xmax"]) / 2) <= 1, o
        assert abs(o["centroid_y"] - (o["bbox_ymin"] + o["bbox_ymax"]) / 2) <= 1, o
        assert "landmarks" not in o, o
PY
}
check "yunet: the original's fields" conventions "$work/yunet/bench50.json" opencv_yunet
check "insightface: the original's fields" conventions "$work/scrfd_500m/bench50.json" insightface

# Verbose fields: the 5 keypoints by name, inside their face's box.
STEP5_EXPORT_VERBOSE_FIELDS=1 "$FACETRACK" track --force --engine opencv_yunet -o "$work/verbose" \
    "$head" >/dev/null 2>&1
named() {
    "$py" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = ["right_eye", "left_eye", "nose_tip", "right_mouth_corner", "left_mouth_corner"]
for f in d["frames"]:
    for o in f["tracked_objects"]:
        assert o["landmark_names"] == names, o
        assert len(o["landmarks"]) == 5, o
        for x, y, z in o["landmarks"]:
            assert o["bbox_xmin"] <= x <= o["bbox_xmax"] and o["bbox_ymin"] <= y <= o["bbox_ymax"], o
        (rx, _, _), (lx, _, _) = o["landmarks"][:2]
        assert rx < lx, "the subject's right eye is on the image's left"
PY
}
check "verbose: 5 named keypoints in the box" named "$work/verbose/liveportrait_driving_d0.json"

# The throttle: with STEP5_INSIGHTFACE_DETECT_EVERY_N=5 the engine still
# follows the face, with one ID.
STEP5_INSIGHTFACE_DETECT_EVERY_N=5 STEP5_INSIGHTFACE_MODEL_PATH=$models/scrfd_500m_kps_640.onnx \
    "$FACETRACK" track --force --engine insightface -o "$work/every5" "$head" >/dev/null 2>&1
check "insightface every 5 frames: faces, IDs, IoU" "$py" "$compare" \
    "$work/every5/liveportrait_driving_d0.json" "$work/mediapipe/liveportrait_driving_d0.json" 1

# A variable the engine does not act on is named in a warning.
STEP5_INSIGHTFACE_CTX_ID=0 STEP5_INSIGHTFACE_MODEL_PATH=$models/scrfd_500m_kps_640.onnx \
    "$FACETRACK" track --force --engine insightface -o "$work/ctx" "$head" >/dev/null 2>"$work/ctx.err"
check "STEP5_INSIGHTFACE_CTX_ID: named in a warning" grep -q "STEP5_INSIGHTFACE_CTX_ID" "$work/ctx.err"

empty=$work/empty
mkdir -p "$empty"
no_models=(FACETRACK_MODEL_PATH="$empty" FACETRACK_MODELS_DIR="$empty" XDG_CACHE_HOME="$empty" HOME="$empty")
check "no YuNet model: engines says why" \
    bash -c 'env "$@" | grep -A1 "^opencv_yunet .*unavailable" | grep -q face_detection_yunet_2023mar.onnx' \
    _ "${no_models[@]}" "$FACETRACK" engines
check "no SCRFD model: engines says why" \
    bash -c 'env "$@" | grep -A1 "^insightface .*unavailable" | grep -q "no SCRFD detector"' \
    _ "${no_models[@]}" "$FACETRACK" engines
check "no YuNet model: track refuses it in one line" \
    refused "face_detection_yunet_2023mar.onnx not found" "${no_models[@]}" -- \
    track --engine opencv_yunet -o "$work/x" "$head"
check "a missing named model: one line naming it" \
    refused "$work/nope.onnx" STEP5_YUNET_MODEL_PATH="$work/nope.onnx" -- \
    track --engine opencv_yunet -o "$work/x" "$head"
check "YuNet given to insightface: refused by name" \
    refused "face_detection_yunet_2023mar.onnx: 12 outputs, not the 9 of an SCRFD" \
    STEP5_INSIGHTFACE_MODEL_PATH="$models/face_detection_yunet_2023mar.onnx" -- \
    track --engine insightface -o "$work/x" "$head"
check "SCRFD given to opencv_yunet: refused by name" \
    refused "scrfd_500m_kps_640.onnx: no output 'cls_8'" \
    STEP5_YUNET_MODEL_PATH="$models/scrfd_500m_kps_640.onnx" -- \
    track --engine opencv_yunet -o "$work/x" "$head"
# A bad value in the environment warns and takes the default, as the
# original did; on the command line it is refused (track_settings).
det_size_warned() {
    STEP5_INSIGHTFACE_DET_SIZE=100 "$FACETRACK" track --force --engine insightface \
        -o "$work/det100" "$head" >/dev/null 2>"$work/det100.err" &&
        grep -q "STEP5_INSIGHTFACE_DET_SIZE=100 (from environment): must be a multiple of 32.*using the default 640" \
            "$work/det100.err" && test -s "$work/det100/$(basename "${head%.*}").json"
}
check "STEP5_INSIGHTFACE_DET_SIZE not a multiple of 32: a warning, the default" det_size_warned
finish
