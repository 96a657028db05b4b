# The openseeface engine on real faces: one talking head
# (liveportrait_driving_d0) and the first 60 frames of the 3-person bench
# clip. It finds a face in at least 98 % of the frames, gives at most 2 IDs
# per person, and its boxes overlap the MediaPipe engine's by IoU >= 0.5;
# its objects carry the original's fields (66 landmarks when verbose,
# blendshapes all zero but jawOpen); the STEP5_OPENSEEFACE_* variables act;
# missing and wrong models are refused in one line naming the file.
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
models=$FT_SHARED_DIR/models
for f in openseeface_mnv3_detection_opt.onnx openseeface_lm_model0_opt.onnx; do
    [ -f "$models/$f" ] || skip_test "$f not in $models"
done
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
py=/usr/bin/python3
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
compare=$src/tests/tools/compare_engine_faces.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head=$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4
bench=$work/bench60.mp4
ffmpeg -v error -i "$FT_SHARED_DIR/media/bench/bench_1080p25_3faces_20s.mp4" -frames:v 60 \
    -c:v libx264 -preset ultrafast -crf 12 -an "$bench"
check "a 60-frame bench clip" test -s "$bench"

"$FACETRACK" track --force -o "$work/mediapipe" "$head" "$bench" >/dev/null 2>&1
check "mediapipe_landmarker: tracks both clips" test -s "$work/mediapipe/bench60.json"

# The original's default: one face per frame.
"$FACETRACK" track --force --engine openseeface -o "$work/osf" "$head" "$bench" \
    >"$work/osf.log" 2>&1
check "openseeface: exit 0" test $? -eq 0
check "openseeface: schema-valid" "$py" "$src/tests/tools/validate_json.py" \
    "$src/schemas/tracking_raw.schema.json" "$work/osf/bench60.json" \
    "$work/osf/liveportrait_driving_d0.json"
check "openseeface: 1 person: faces, IDs, IoU" "$py" "$compare" \
    "$work/osf/liveportrait_driving_d0.json" "$work/mediapipe/liveportrait_driving_d0.json" 1

# most FACES faces in any frame of FILE
at_most() {
    "$py" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
most = max(len(f["tracked_objects"]) for f in d["frames"])
assert most <= int(sys.argv[2]), most
PY
}
check "STEP5_OPENSEEFACE_MAX_FACES unset: one face per frame" at_most "$work/osf/bench60.json" 1

STEP5_OPENSEEFACE_MAX_FACES=3 "$FACETRACK" track --force --engine openseeface -o "$work/osf3" \
    "$bench" >/dev/null 2>&1
check "STEP5_OPENSEEFACE_MAX_FACES=3: 3 persons: faces, IDs, IoU" "$py" "$compare" \
    "$work/osf3/bench60.json" "$work/mediapipe/bench60.json" 3

# The original's fields: source, label, the mean landmark confidence, the
# box centre as centroid, 52 blendshapes all zero but jawOpen, the engine in
# the metadata, no landmarks unless verbose.
conventions() {
    "$py" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["metadata"]["tracking_engine"] == "openseeface", d["metadata"]
jaws = []
for f in d["frames"]:
    for o in f["tracked_objects"]:
        assert o["source"] == "face_landmarker" and o["label"] == "face", o
        assert 0.5 < o["confidence"] <= 1.0, o
        b = o["blendshapes"]
        assert len(b) == 52, len(b)
        assert all(v == 0 for k, v in b.items() if k != "jawOpen"), b
        assert 0.0 <= b["jawOpen"] <= 1.0, b
        jaws.append(b["jawOpen"])
        assert abs(o["centroid_x"] - (o["bbox_xmin"] + o["bbox_xmax"]) / 2) <= 1, o
        assert abs(o["centroid_y"] - (o["bbox_ymin"] + o["bbox_ymax"]) / 2) <= 1, o
        assert "landmarks" not in o, o
# a talking head opens its mouth
assert max(jaws) > 0.3 and min(jaws) < max(jaws), (min(jaws), max(jaws))
PY
}
check "openseeface: the original's fields" conventions "$work/osf/liveportrait_driving_d0.json"

# STEP5_OPENSEEFACE_JAWOPEN_SCALE scales jawOpen (0: always closed).
STEP5_OPENSEEFACE_JAWOPEN_SCALE=0 "$FACETRACK" track --force --engine openseeface \
    -o "$work/jaw0" "$head" >/dev/null 2>&1
check "STEP5_OPENSEEFACE_JAWOPEN_SCALE=0: jawOpen 0" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert all(o["blendshapes"]["jawOpen"] == 0 for f in d["frames"] for o in f["tracked_objects"])
assert any(f["tracked_objects"] for f in d["frames"])' "$work/jaw0/liveportrait_driving_d0.json"

# Verbose fields: 66 points (z 0) around the box they bound.
STEP5_EXPORT_VERBOSE_FIELDS=1 "$FACETRACK" track --force --engine openseeface -o "$work/verbose" \
    "$head" >/dev/null 2>&1
points66() {
    "$py" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for f in d["frames"]:
    for o in f["tracked_objects"]:
        pts = o["landmarks"]
        assert len(pts) == 66, len(pts)
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        assert all(p[2] == 0 for p in pts), pts
        assert abs(min(xs) - o["bbox_xmin"]) <= 1 and abs(max(xs) - o["bbox_xmax"]) <= 1, o
        assert abs(min(ys) - o["bbox_ymin"]) <= 1 and abs(max(ys) - o["bbox_ymax"]) <= 1, o
        # jaw line 0-16 below the brows 17-26; the nose tip 30 inside the box
        assert sum(ys[0:17]) / 17 > sum(ys[17:27]) / 10, o
        assert o["bbox_xmin"] < xs[30] < o["bbox_xmax"], o
        n += 1
assert n > 0
PY
}
check "verbose: 66 points bound the box" points66 "$work/verbose/liveportrait_driving_d0.json"

# A smaller work frame still finds the faces.
STEP5_OPENSEEFACE_MAX_WIDTH=480 STEP5_OPENSEEFACE_MAX_FACES=3 "$FACETRACK" track --force \
    --engine openseeface -o "$work/w480" "$bench" >/dev/null 2>&1
check "STEP5_OPENSEEFACE_MAX_WIDTH=480: 3 persons" "$py" "$compare" \
    "$work/w480/bench60.json" "$work/mediapipe/bench60.json" 3

# The models by folder and id, as the original names them.
STEP5_OPENSEEFACE_MODELS_DIR=$models STEP5_OPENSEEFACE_MODEL_ID=0 "$FACETRACK" track --force \
    --engine openseeface -o "$work/dir" "$head" >/dev/null 2>&1
check "STEP5_OPENSEEFACE_MODELS_DIR + MODEL_ID=0: the same faces" cmp -s \
    "$work/dir/liveportrait_driving_d0.json" "$work/osf/liveportrait_driving_d0.json"

# A variable the engine does not act on is named in a warning.
STEP5_ONNX_INTRA_OP_THREADS=4 "$FACETRACK" track --force --engine openseeface -o "$work/thr" \
    "$head" >/dev/null 2>"$work/thr.err"
check "STEP5_ONNX_INTRA_OP_THREADS: named in a warning" grep -q "STEP5_ONNX_INTRA_OP_THREADS" \
    "$work/thr.err"

empty=$work/empty
mkdir -p "$empty"
no_models=(FACETRACK_MODEL_PATH="$empty" FACETRACK_MODELS_DIR="$empty" XDG_CACHE_HOME="$empty" HOME="$empty")
check "no models: engines says why" \
    bash -c 'env "$@" | grep -A1 "^openseeface .*unavailable" | grep -q mnv3_detection_opt.onnx' \
    _ "${no_models[@]}" "$FACETRACK" engines
only_detector=$work/only_detector
mkdir -p "$only_detector"
ln -s "$models/openseeface_mnv3_detection_opt.onnx" "$only_detector/"
check "no landmark model: engines says why" \
    bash -c 'env "$@" | grep -A1 "^openseeface .*unavailable" | grep -q "landmark model"' \
    _ FACETRACK_MODEL_PATH="$only_detector" FACETRACK_MODELS_DIR="$empty" XDG_CACHE_HOME="$empty" \
    HOME="$empty" "$FACETRACK" engines
check "no models: track refuses it in one line" \
    refused "mnv3_detection_opt.onnx" "${no_models[@]}" -- \
    track --engine openseeface -o "$work/x" "$head"
check "a model id that is not there: one line naming the file" \
    refused "lm_model3_opt.onnx not found" STEP5_OPENSEEFACE_MODEL_ID=3 -- \
    track --engine openseeface -o "$work/x" "$head"
check "a models folder without the detector: one line naming the file" \
    refused "$empty/mnv3_detection_opt.onnx not found" STEP5_OPENSEEFACE_MODELS_DIR="$empty" -- \
    track --engine openseeface -o "$work/x" "$head"
check "a missing named landmark model: one line naming it" \
    refused "$work/nope.onnx" STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH="$work/nope.onnx" -- \
    track --engine openseeface -o "$work/x" "$head"
check "the landmark model given as detector: refused by name" \
    refused "openseeface_lm_model0_opt.onnx: 1 outputs, not the score map" \
    STEP5_OPENSEEFACE_DETECTION_MODEL_PATH="$models/openseeface_lm_model0_opt.onnx" -- \
    track --engine openseeface -o "$work/x" "$head"
check "YuNet given as landmark model: refused by name" \
    refused "face_detection_yunet_2023mar.onnx: not an OpenSeeFace 66-point landmark model" \
    STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH="$models/face_detection_yunet_2023mar.onnx" -- \
    track --engine openseeface -o "$work/x" "$head"
# A bad value from the environment warns and takes the default (the
# original's rule); from the command line it is refused (track_settings).
model_id_warned() {
    STEP5_OPENSEEFACE_MODEL_ID=7 "$FACETRACK" track --force --engine openseeface \
        -o "$work/id7" "$head" >/dev/null 2>"$work/id7.err" &&
        grep -q "STEP5_OPENSEEFACE_MODEL_ID=7 (from environment): .*using the default 1" "$work/id7.err" &&
        test -s "$work/id7/$(basename "${head%.*}").json"
}
check "STEP5_OPENSEEFACE_MODEL_ID=7: a warning, the default" model_id_warned
finish
