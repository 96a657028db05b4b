# The original's auto-enabled objects: its MediaPipe path switched the
# object detector on by itself when fewer than 10 % of the frames so far had
# a face, checked after every 50th frame. On a clip made here from the bench
# video with everything above the shoulders blacked out (no face, bodies
# left), 60 frames in ranges of 20: objects only from frame 51 on, with the
# boxes an --objects run finds on the same frames, the same output with 1
# and 3 workers, a log line saying so; none with --no-auto-objects,
# STEP5_AUTO_OBJECT_DETECTION=0, another engine, or on the clip with faces
# (55 frames: one check passed, frames after it).
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}
clip=$shared/media/bench/bench_1080p25_3faces_20s.mp4
[ -f "$clip" ] || skip_test "shared media not found at '$shared'"
need_face_models
[ -f "${FT_NPM_MODELS_DIR:-}/centernet.json" ] || skip_test "centernet.json not installed (scripts/models.sh)"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip_test "python3-jsonschema is not installed"
validate="/usr/bin/python3 $FT_SOURCE_DIR/tests/tools/validate_json.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

ffmpeg -nostdin -v error -i "$clip" -frames:v 60 \
    -vf "scale=640:360,drawbox=x=0:y=0:w=640:h=240:color=black:t=fill" \
    -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p noface.mp4 || fail "make the faceless clip"
ffmpeg -nostdin -v error -i "$clip" -frames:v 55 -vf scale=640:360 \
    -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p faces.mp4 || fail "make the clip with faces"

run() { # run NAME [ARGS...]: track into NAME/, stderr into NAME.err
    local name=$1; shift
    "$FACETRACK" track --progress none --chunk-frames 20 -o "$name" "$@" >/dev/null 2>"$name.err"
}

run auto --workers 3 noface.mp4
check "faceless clip: exit 0" test $? -eq 0 -a -s auto/noface.json
check "faceless clip: valid against the raw schema" $validate "$FT_SOURCE_DIR/schemas/tracking_raw.schema.json" auto/noface.json
check "one line says objects were switched on from frame 51" \
    grep -q "of the first 50 frames have a face (under 10 %): object detection switched on from frame 51" auto.err
check "no objects before frame 51, persons after it where no face is" /usr/bin/python3 - auto/noface.json <<'PY'
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
assert len(frames) == 60
faces = sum(any(o["source"] == "face_landmarker" for o in f["tracked_objects"]) for f in frames[:50])
assert faces < 5, faces                                   # under 10 % of 50
for f in frames[:50]:
    assert all(o["source"] == "face_landmarker" for o in f["tracked_objects"]), f
late = [f for f in frames[50:] if not any(o["source"] == "face_landmarker" for o in f["tracked_objects"])]
assert len(late) >= 8, len(late)
for f in late:
    objs = f["tracked_objects"]
    assert objs and any(o["label"] == "person" for o in objs), f
    assert all(o["source"] == "object_detector" for o in objs), f
PY

run asked --workers 3 --objects noface.mp4
check "the same boxes and scores as --objects on frames 51-60" /usr/bin/python3 - auto/noface.json asked/noface.json <<'PY'
import json, sys
a, b = (json.load(open(p))["frames"] for p in sys.argv[1:3])
key = lambda f: sorted((o["label"], o["bbox_xmin"], o["bbox_ymin"], o["bbox_width"], o["bbox_height"],
                        o["confidence"]) for o in f["tracked_objects"] if o["source"] == "object_detector")
assert any(key(f) for f in b[:50])                        # --objects finds them earlier too
for i in range(50, 60):
    assert key(a[i]) == key(b[i]), (i + 1, key(a[i]), key(b[i]))
PY

run one --workers 1 noface.mp4
check "1 worker: the same frames as 3" /usr/bin/python3 - auto/noface.json one/noface.json <<'PY'
import json, sys
a, b = (json.load(open(p))["frames"] for p in sys.argv[1:3])
assert a == b
PY

none_found() { # none_found NAME: no object_detector entry, no switch-on line
    /usr/bin/python3 - "$1" <<'PY' && ! grep -q "switched on" "$(dirname "$1").err"
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
assert frames and not any(o["source"] == "object_detector" for f in frames for o in f["tracked_objects"])
PY
}
run off --workers 3 --no-auto-objects noface.mp4
check "--no-auto-objects: no objects" none_found off/noface.json
STEP5_AUTO_OBJECT_DETECTION=0 run offenv --workers 3 noface.mp4
check "STEP5_AUTO_OBJECT_DETECTION=0: no objects" none_found offenv/noface.json
run haar --workers 3 --engine opencv_haar noface.mp4
check "another engine (opencv_haar): no objects" none_found haar/noface.json
run faces --workers 3 faces.mp4
check "clip with faces: exit 0" test -s faces/faces.json
check "clip with faces: no objects" none_found faces/faces.json
check "clip with faces: faces found" /usr/bin/python3 - faces/faces.json <<'PY'
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
assert sum(any(o["source"] == "face_landmarker" for o in f["tracked_objects"]) for f in frames) >= 50
PY
finish
