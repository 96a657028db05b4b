# The eos engine through the program on a real talking head
# (liveportrait_driving_d0): `engines` lists it available; `detect --engine
# eos` gives a face with its pose, 68 points and the fit's coefficients;
# `track --engine eos` writes the original's fields (jawOpen the only
# blendshape, the box centre as centroid, 68 points with z 0 and
# eos: {shape_coeffs, expression_coeffs} when verbose), its pose within a
# few degrees of yaw of the MediaPipe engine's; STEP5_EOS_FIT_EVERY_N
# repeats a fit, STEP5_EOS_JAWOPEN_SCALE scales jawOpen, STEP5_EOS_MODELS_DIR
# and the path variables find the files; missing, truncated and malformed
# model files are refused in one line naming the file.
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
models=$FT_SHARED_DIR/models
for f in face_detection_yunet_2023mar.onnx facemesh_face_landmark.onnx eos/sfm_shape_3448.bin \
    eos/expression_blendshapes_3448.bin eos/ibug_to_sfm.txt eos/sfm_3448_edge_topology.json \
    eos/sfm_model_contours.json; do
    [ -f "$models/$f" ] || skip_test "$f not in $models"
done
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
py=/usr/bin/python3
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head=$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4

check "engines: eos available, 68 points, blendshapes, pose" \
    bash -c '"$1" engines | grep -q "^eos .*available .*landmarks 68 .*blendshapes yes pose yes"' \
    _ "$FACETRACK"

# detect on a still: one face, pose, 68 points, 63 + 6 coefficients, a fit
# within 4 % of the face's width of its points
ffmpeg -v error -i "$head" -frames:v 1 "$work/still.png"
"$FACETRACK" detect --engine eos "$work/still.png" >"$work/still.json" 2>"$work/still.err"
check "detect --engine eos: exit 0" test $? -eq 0
still() {
    "$py" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["faces"]) == 1, d["faces"]
f = d["faces"][0]
assert len(f["landmarks"]) == 68 and all(p[2] == 0 for p in f["landmarks"]), f["landmarks"]
e = f["eos"]
assert len(e["shape_coeffs"]) == 63 and len(e["expression_coeffs"]) == 6, e
assert all(v >= 0 for v in e["expression_coeffs"]), e
assert 0 < e["fit_error_px"] < 0.04 * f["box"][2], (e["fit_error_px"], f["box"])
assert abs(f["yaw"]) < 20 and abs(f["roll"]) < 10, f
PY
}
check "detect --engine eos: a face, 68 points, the fit's coefficients" still "$work/still.json"

"$FACETRACK" track --force -o "$work/mediapipe" "$head" >/dev/null 2>&1
check "mediapipe_landmarker: tracks the clip" test -s "$work/mediapipe/liveportrait_driving_d0.json"
STEP5_EXPORT_VERBOSE_FIELDS=1 "$FACETRACK" track --force --engine eos -o "$work/eos" "$head" \
    >"$work/eos.log" 2>&1
check "track --engine eos: exit 0" test $? -eq 0
check "track --engine eos: schema-valid" "$py" "$src/tests/tools/validate_json.py" \
    "$src/schemas/tracking_raw.schema.json" "$work/eos/liveportrait_driving_d0.json"

# The original's fields, and the pose against MediaPipe's, frame by frame.
conventions() {
    "$py" - "$1" "$2" <<'PY'
import json, sys, statistics
d = json.load(open(sys.argv[1]))
mp = json.load(open(sys.argv[2]))
assert d["metadata"]["tracking_engine"] == "eos", d["metadata"]
jaws, dyaw, droll, ids = [], [], [], set()
for f, g in zip(d["frames"], mp["frames"]):
    assert len(f["tracked_objects"]) == 1, f
    o = f["tracked_objects"][0]
    ids.add(o["id"])
    assert o["source"] == "face_landmarker" and o["label"] == "face", o
    b = o["blendshapes"]
    assert len(b) == 52 and all(v == 0 for k, v in b.items() if k != "jawOpen"), b
    jaws.append(b["jawOpen"])
    assert abs(o["centroid_x"] - (o["bbox_xmin"] + o["bbox_xmax"]) / 2) <= 1, o
    pts = o["landmarks"]
    assert len(pts) == 68 and all(p[2] == 0 for p in pts), pts
    # the nose tip (30) inside the box, the chin (8) below the brows
    assert o["bbox_xmin"] < pts[30][0] < o["bbox_xmax"], o
    assert pts[8][1] > max(p[1] for p in pts[17:27]), o
    e = o["eos"]
    assert list(e) == ["shape_coeffs", "expression_coeffs"], list(e)
    assert len(e["shape_coeffs"]) == 63 and len(e["expression_coeffs"]) == 6, e
    if g["tracked_objects"] and "head_pose" in g["tracked_objects"][0]:
        p, q = o["head_pose"], g["tracked_objects"][0]["head_pose"]
        dyaw.append(abs(p["yaw"] - q["yaw"]))
        droll.append(abs(p["roll"] - q["roll"]))
assert len(ids) == 1, ids
assert max(jaws) > 0.1 and min(jaws) < max(jaws), (min(jaws), max(jaws))
# measured on this clip: yaw 2.9, roll 0.4 degrees apart (medians)
assert len(dyaw) > 70, len(dyaw)
print("  yaw median %.2f, roll median %.2f degrees from MediaPipe" % (
    statistics.median(dyaw), statistics.median(droll)))
assert statistics.median(dyaw) < 5 and statistics.median(droll) < 3, (dyaw, droll)
PY
}
check "track --engine eos: the original's fields, pose near MediaPipe's" conventions \
    "$work/eos/liveportrait_driving_d0.json" "$work/mediapipe/liveportrait_driving_d0.json"

# Not verbose: no landmarks, no eos.
"$FACETRACK" track --force --engine eos -o "$work/plain" "$head" >/dev/null 2>&1
check "not verbose: no landmarks, no eos" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
objs = [o for f in d["frames"] for o in f["tracked_objects"]]
assert objs and all("landmarks" not in o and "eos" not in o for o in objs)' \
    "$work/plain/liveportrait_driving_d0.json"

# STEP5_EOS_FIT_EVERY_N=4: a fit every 4 frames, repeated in between.
STEP5_EOS_FIT_EVERY_N=4 STEP5_EXPORT_VERBOSE_FIELDS=1 "$FACETRACK" track --force --engine eos \
    -o "$work/every4" "$head" >/dev/null 2>&1
check "STEP5_EOS_FIT_EVERY_N=4: fits repeated for 4 frames" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = [f["tracked_objects"][0]["eos"]["shape_coeffs"] for f in d["frames"]]
assert all(e[i] == e[i - i % 4] for i in range(len(e))), "not repeated"
assert len({tuple(x) for x in e}) >= len(e) // 4 - 1, "not refitted"' \
    "$work/every4/liveportrait_driving_d0.json"

STEP5_EOS_JAWOPEN_SCALE=0 "$FACETRACK" track --force --engine eos -o "$work/jaw0" "$head" \
    >/dev/null 2>&1
check "STEP5_EOS_JAWOPEN_SCALE=0: jawOpen 0" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
objs = [o for f in d["frames"] for o in f["tracked_objects"]]
assert objs and all(o["blendshapes"]["jawOpen"] == 0 for o in objs)' \
    "$work/jaw0/liveportrait_driving_d0.json"

# The files by folder and by path, off the search path.
only_nets=$work/only_nets
mkdir -p "$only_nets"
ln -s "$models/face_detection_yunet_2023mar.onnx" "$models/facemesh_face_landmark.onnx" "$only_nets/"
npm=${FT_NPM_MODELS_DIR:-}
STEP5_EOS_MODELS_DIR=$models/eos FACETRACK_MODEL_PATH=$only_nets:$npm STEP5_EXPORT_VERBOSE_FIELDS=1 \
    "$FACETRACK" track --force --engine eos -o "$work/dir" "$head" >/dev/null 2>"$work/dir.err"
check "STEP5_EOS_MODELS_DIR: the same output" cmp -s "$work/dir/liveportrait_driving_d0.json" \
    "$work/eos/liveportrait_driving_d0.json"
check "without MediaPipe's blendshape model: no warning (jawOpen comes from the points)" \
    bash -c '! grep -q "blendshape model" "$1"' _ "$work/dir.err"

empty=$work/empty
mkdir -p "$empty"
check "no eos files: engines says which" \
    bash -c 'env "$@" | grep -A1 "^eos .*unavailable" | grep -q sfm_shape_3448.bin' \
    _ FACETRACK_MODEL_PATH="$only_nets:$npm" FACETRACK_MODELS_DIR="$empty" \
    XDG_CACHE_HOME="$empty" HOME="$empty" "$FACETRACK" engines
check "no eos files: track refuses it in one line" \
    refused "sfm_shape_3448.bin" FACETRACK_MODEL_PATH="$only_nets:$npm" \
    FACETRACK_MODELS_DIR="$empty" XDG_CACHE_HOME="$empty" HOME="$empty" -- \
    track --engine eos -o "$work/x" "$head"
check "a folder without the files: one line naming the file" \
    refused "$empty/sfm_shape_3448.bin" STEP5_EOS_MODELS_DIR="$empty" -- \
    track --engine eos -o "$work/x" "$head"
head -c 100000 "$models/eos/sfm_shape_3448.bin" >"$work/short.bin"
check "a truncated shape model: one line naming it" \
    refused "$work/short.bin: truncated in the shape model's basis" \
    STEP5_EOS_SFM_MODEL_PATH="$work/short.bin" -- track --engine eos -o "$work/x" "$head"
head -c 1000 "$models/eos/expression_blendshapes_3448.bin" >"$work/short_bs.bin"
check "truncated blendshapes: one line naming them" \
    refused "$work/short_bs.bin: truncated" \
    STEP5_EOS_EXPRESSION_BLENDSHAPES_PATH="$work/short_bs.bin" -- \
    track --engine eos -o "$work/x" "$head"
printf '[landmark_mappings]\n9 = banana\n' >"$work/bad_mapper.txt"
check "a malformed mapper: one line naming it and the line" \
    refused "$work/bad_mapper.txt: line 2" STEP5_EOS_LANDMARK_MAPPER_PATH="$work/bad_mapper.txt" -- \
    track --engine eos -o "$work/x" "$head"
head -c 5000 "$models/eos/sfm_3448_edge_topology.json" >"$work/short.json"
check "a truncated edge topology: one line naming it" \
    refused "$work/short.json: invalid JSON" STEP5_EOS_EDGE_TOPOLOGY_PATH="$work/short.json" -- \
    track --engine eos -o "$work/x" "$head"
finish
