# facetrack track with COCO objects: on a clip of the bench video whose last
# six frames are blacked out above the shoulders (no face left, bodies
# still there). Checks the fallback rule (objects only in frames without a
# face unless --objects-every-frame), the settings that turn it on
# (--objects, STEP5_ENABLE_OBJECT_DETECTION, .env), IDs shared with faces,
# the original's object fields in their order, both output formats against
# the schemas, and a bad model named in one line.
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

# Frames 1-6 as they are (three faces); frames 7-12 black above y = 720.
ffmpeg -nostdin -v error -i "$clip" -frames:v 12 \
    -vf "drawbox=x=0:y=0:w=1920:h=720:color=black:t=fill:enable='gte(n,6)'" \
    -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p v.mp4 || fail "make the clip"

"$FACETRACK" track --progress none --workers 2 --objects -o fallback v.mp4 >/dev/null 2>err.txt
check "--objects: exit 0" test $? -eq 0 -a -s fallback/v.json
check "--objects: valid against the raw schema" $validate "$FT_SOURCE_DIR/schemas/tracking_raw.schema.json" fallback/v.json
check "objects only where no face was found, persons where faces are gone" /usr/bin/python3 - fallback/v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
frames = d["frames"]
assert len(frames) == 12
for f in frames:
    src = {o["source"] for o in f["tracked_objects"]}
    assert not ({"face_landmarker", "object_detector"} <= src), f  # never both without every-frame
for f in frames[:6]:
    assert [o["source"] for o in f["tracked_objects"]] == ["face_landmarker"] * 3, f
for f in frames[6:]:
    objs = f["tracked_objects"]
    assert objs and all(o["source"] == "object_detector" for o in objs), f
    assert any(o["label"] == "person" for o in objs), f
PY
check "the original's object fields, in its order" /usr/bin/python3 - fallback/v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
order = ["id", "centroid_x", "centroid_y", "bbox_xmin", "bbox_xmax", "source", "label", "confidence",
         "blendshapes", "bbox_ymin", "bbox_ymax", "bbox_width", "bbox_height", "is_speaking",
         "speaking_confidence", "speaking_method", "speaking_sources"]
seen = 0
for f in d["frames"]:
    for o in f["tracked_objects"]:
        if o["source"] != "object_detector":
            continue
        seen += 1
        assert list(o) == order, list(o)
        assert o["bbox_xmax"] == o["bbox_xmin"] + o["bbox_width"], o
        assert o["bbox_ymax"] == o["bbox_ymin"] + o["bbox_height"], o
        assert o["centroid_x"] == o["bbox_xmin"] + o["bbox_width"] // 2, o
        assert o["centroid_y"] == o["bbox_ymin"] + o["bbox_height"] // 2, o
        assert 0.4 <= o["confidence"] <= 1 and o["blendshapes"] is None, o
        assert o["is_speaking"] is False and o["speaking_method"] == "object_detection_fallback", o
        assert 0 <= o["bbox_xmin"] and o["bbox_xmax"] <= 1920 and o["bbox_ymax"] <= 1080, o
assert seen >= 6, seen
PY
check "IDs: one counter for faces and objects" /usr/bin/python3 - fallback/v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ids = {}
for f in d["frames"]:
    for o in f["tracked_objects"]:
        ids.setdefault(o["id"], set()).add(o["source"])
assert all(len(s) == 1 for s in ids.values()), ids      # an ID is a face or an object
nums = sorted(int(i[4:]) for i in ids)
assert nums == list(range(1, len(nums) + 1)), nums      # obj_1.. with no gap
faces = sorted(int(i[4:]) for i, s in ids.items() if "face_landmarker" in s)
assert faces == [1, 2, 3], faces                       # the faces came first
PY

"$FACETRACK" track --progress none --workers 2 --objects-every-frame -o every v.mp4 >/dev/null 2>>err.txt
check "--objects-every-frame: persons beside the faces" /usr/bin/python3 - every/v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
both = sum(1 for f in d["frames"][:6]
           if {o["source"] for o in f["tracked_objects"]} == {"face_landmarker", "object_detector"})
assert both == 6, both
ids = {}
for f in d["frames"]:
    for o in f["tracked_objects"]:
        ids.setdefault(o["id"], set()).add(o["source"])
assert all(len(s) == 1 for s in ids.values()), ids
nums = sorted(int(i[4:]) for i in ids)
assert nums == list(range(1, len(nums) + 1)), nums
# the three people stay tracked: their person boxes keep their IDs over frames 1-6
persons = [o["id"] for f in d["frames"][:6] for o in f["tracked_objects"] if o["label"] == "person"]
assert len(set(persons)) <= 4, persons
PY

"$FACETRACK" track --progress none --workers 1 -o off v.mp4 >/dev/null 2>>err.txt
check "off by default" /usr/bin/python3 - off/v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert all(o["source"] == "face_landmarker" for f in d["frames"] for o in f["tracked_objects"])
assert all(not f["tracked_objects"] for f in d["frames"][6:])
PY

STEP5_ENABLE_OBJECT_DETECTION=1 "$FACETRACK" track --progress none --workers 2 -o env v.mp4 >/dev/null 2>>err.txt
check "STEP5_ENABLE_OBJECT_DETECTION=1 is --objects" cmp -s <(grep -o '"source":"[a-z_]*","label":"[a-z ]*"' env/v.json) \
    <(grep -o '"source":"[a-z_]*","label":"[a-z ]*"' fallback/v.json)
printf 'STEP5_ENABLE_OBJECT_DETECTION=1\nSTEP5_OBJECT_DETECTOR_MODEL=nanodet\n' >objects.env
"$FACETRACK" track --progress none --workers 2 --env-file objects.env --format reduced -o red v.mp4 >/dev/null 2>>err.txt
check "reduced, from .env with NanoDet: valid, persons in frames 7-12" /usr/bin/python3 - red/v_tracking.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fr = d["frames_analysis"]
assert all(any(o["source"] == "object_detector" and o["label"] == "person" for o in f["tracked_objects"])
           for f in fr[6:]), fr[6:]
PY
check "reduced: valid against its schema" $validate "$FT_SOURCE_DIR/schemas/tracking_reduced.schema.json" red/v_tracking.json
check "the original's model names without their files fall back to the default with a warning" \
    bash -c "STEP5_OBJECT_DETECTOR_MODEL=efficientdet_lite2 '$FACETRACK' track --progress none --workers 1 --objects -o lite v.mp4 2>&1 >/dev/null | grep -q \"'efficientdet_lite2' (the original's) is not available (EfficientDet-Lite2-32.tflite is not on the model search path); using centernet\""
ffmpeg -nostdin -v error -i v.mp4 -frames:v 1 f1.png
"$FACETRACK" detect --objects --object-threshold 0.4 --no-landmarks f1.png >f1.json 2>>err.txt
check "detect --objects: the three faces and the three persons" /usr/bin/python3 - f1.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["faces"]) == 3, d["faces"]
persons = [o for o in d["objects"] if o["label"] == "person"]
assert len(persons) == 3, d["objects"]
for o in d["objects"]:
    assert set(o) == {"label", "class_id", "score", "box"} and 0.4 <= o["score"] <= 1, o
# each face lies inside one person's box
for f in d["faces"]:
    cx, cy = f["box"][0] + f["box"][2] / 2, f["box"][1] + f["box"][3] / 2
    assert sum(1 for p in persons if p["box"][0] <= cx <= p["box"][0] + p["box"][2]
               and p["box"][1] <= cy <= p["box"][1] + p["box"][3]) == 1, (f["box"], persons)
PY
check "detect --object-threshold out of range: usage error" bash -c \
    "'$FACETRACK' detect --objects --object-threshold 2 f1.png >/dev/null 2>&1; test \$? -eq 2"
echo '{"modelTopology": {"node": [' >bad.json
check "a broken model.json: one line naming it" refused "bad.json: not valid JSON" \
    STEP5_OBJECT_DETECTOR_MODEL_PATH=bad.json -- track --progress none --objects -o bad v.mp4
check "an unknown model name: one line" refused "unknown object detector model 'yolo99'" \
    X=1 -- track --progress none --objects --object-model yolo99 -o bad v.mp4
finish
