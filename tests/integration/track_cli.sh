# facetrack track: the original STEP5 outputs, dense and schema-valid; the
# same result whatever the worker count; skipping, forcing, settings from
# .env, progress protocols, bad videos and interruption.
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}
[ -d "$shared/media/faces" ] || skip_test "shared media not found at '$shared'"
need_face_models
validate="/usr/bin/python3 $FT_SOURCE_DIR/tests/tools/validate_json.py"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip_test "python3-jsonschema is not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# Short clips with key frames every 20 frames, so that ranges of 40 frames
# start on key frames and between them. Sanitizer builds are ~10x slower.
frames=120
[ "${FT_SANITIZED:-0}" = 1 ] && frames=45
mkdir -p in
for clip in liveportrait_driving_d0 videoretalking_face_1; do
    ffmpeg -v error -i "$shared/media/faces/$clip.mp4" -frames:v "$frames" -c:v libx264 -g 20 \
        -pix_fmt yuv420p -an "in/$clip.mp4" || fail "cannot make a test clip from $clip"
done
one=in/liveportrait_driving_d0.mp4

# Dense output, schema-valid, one ID for one person.
"$FACETRACK" track --workers 2 --chunk-frames 40 -o w2 in >out.txt 2>err.txt
check "two videos: exit 0" test $? -eq 0
check "nothing on stderr" test ! -s err.txt
check "a summary on stdout" grep -q 'tracked 2 of 2 videos' out.txt
check "raw output valid against the schema" $validate "$FT_SOURCE_DIR/schemas/tracking_raw.schema.json" w2/liveportrait_driving_d0.json w2/videoretalking_face_1.json
n=$(ffprobe_count "$one")
check "one entry per decoded frame ($n), numbered 1..N" /usr/bin/python3 - w2/liveportrait_driving_d0.json "$n" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
assert d["metadata"]["total_frames"] == n, d["metadata"]
assert [f["frame"] for f in d["frames"]] == list(range(1, n + 1))
PY
check "a face in every frame of the portrait clip, always obj_1" /usr/bin/python3 - w2/liveportrait_driving_d0.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ids = [[o["id"] for o in f["tracked_objects"]] for f in d["frames"]]
assert all(i == ["obj_1"] for i in ids), ids
o = d["frames"][0]["tracked_objects"][0]
keys = list(o)
assert keys[:17] == ["id", "centroid_x", "centroid_y", "bbox_xmin", "bbox_xmax", "source", "label",
    "confidence", "blendshapes", "bbox_ymin", "bbox_ymax", "bbox_width", "bbox_height", "is_speaking",
    "speaking_confidence", "speaking_method", "speaking_sources"], keys
assert len(o["blendshapes"]) == 52 and 0 < o["confidence"] <= 1 and "head_pose" in o
assert o["bbox_xmax"] - o["bbox_xmin"] == o["bbox_width"] and o["speaking_method"] == "visual_motion"
PY

# The worker count changes nothing, nor decoding ahead on a thread of its
# own (what GPU workers do).
for w in 1 3; do
    "$FACETRACK" track --workers $w --chunk-frames 40 -o w$w in >/dev/null 2>&1
done
FACETRACK_DECODE_AHEAD=2 "$FACETRACK" track --workers 3 --chunk-frames 40 -o ahead in >/dev/null 2>&1
# Nor each frame's blendshapes, matrix and pose computed beside the next
# frame's tracking, with the detector beside the tracked faces' landmarks
# (what GPU workers do), blendshapes every other frame.
for a in 0 1; do
    FACETRACK_FINISH_AHEAD=$a FACETRACK_DETECT_BESIDE=$a "$FACETRACK" track --workers 2 \
        --chunk-frames 40 --verbose-fields --blendshapes-every 2 -o finish$a in >/dev/null 2>&1
done
for f in liveportrait_driving_d0 videoretalking_face_1; do
    check "$f: 1, 2 and 3 workers give identical outputs" cmp -s w1/$f.json w2/$f.json
    check "$f: 3 workers too" cmp -s w1/$f.json w3/$f.json
    check "$f: frames decoded ahead too" cmp -s w1/$f.json ahead/$f.json
    check "$f: finishing and detecting beside the landmarks too" \
        eval "grep -q '\"jawOpen\"' finish1/$f.json && cmp -s finish0/$f.json finish1/$f.json"
done
"$FACETRACK" track --workers 1 --chunk-frames 1000 -o whole "$one" >/dev/null 2>&1
check "ranges vs one pass: same faces, boxes within 2 px" /usr/bin/python3 - whole/liveportrait_driving_d0.json w2/liveportrait_driving_d0.json <<'PY'
import json, sys
a, b = (json.load(open(p))["frames"] for p in sys.argv[1:])
for fa, fb in zip(a, b):
    oa, ob = fa["tracked_objects"], fb["tracked_objects"]
    assert [o["id"] for o in oa] == [o["id"] for o in ob], fa["frame"]
    for x, y in zip(oa, ob):
        for k in ("bbox_xmin", "bbox_xmax", "bbox_ymin", "bbox_ymax"):
            assert abs(x[k] - y[k]) <= 2, (fa["frame"], k, x[k], y[k])
PY

# Complete outputs are skipped; --force redoes them; a truncated one is redone.
before=$(stat -c %Y.%s w2/videoretalking_face_1.json)
sleep 1
"$FACETRACK" track --workers 2 --chunk-frames 40 -o w2 in >out.txt 2>&1
check "second run skips both" grep -q '2 skipped' out.txt
check "a skipped output is untouched" test "$(stat -c %Y.%s w2/videoretalking_face_1.json)" = "$before"
head -c 2000 w1/videoretalking_face_1.json >w2/videoretalking_face_1.json
"$FACETRACK" track --workers 2 --chunk-frames 40 -o w2 in >out.txt 2>&1
check "a truncated output is redone" cmp -s w1/videoretalking_face_1.json w2/videoretalking_face_1.json
"$FACETRACK" track --force --progress none --workers 2 -o w2 "$one" >out.txt 2>&1
check "--force redoes a complete one" grep -q 'tracked 1 of 1 videos (0 skipped' out.txt

# Reduced format.
"$FACETRACK" track --format reduced --workers 2 -o red "$one" >/dev/null 2>&1
check "reduced output valid against its schema" $validate "$FT_SOURCE_DIR/schemas/tracking_reduced.schema.json" red/liveportrait_driving_d0_tracking.json

# Settings: .env, environment, command line, in that order of strength.
printf 'STEP5_BLENDSHAPES_PROFILE=none\nSTEP5_EXPORT_VERBOSE_FIELDS=true\n' >.env
"$FACETRACK" track --workers 2 -o envd "$one" >/dev/null 2>&1
check ".env: blendshapes null, landmarks exported" /usr/bin/python3 - envd/liveportrait_driving_d0.json <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["frames"][0]["tracked_objects"][0]
assert o["blendshapes"] is None and len(o["landmarks"]) == 478 and len(o["landmarks"][0]) == 3
PY
STEP5_BLENDSHAPES_PROFILE=mouth "$FACETRACK" track --force --workers 2 -o envd "$one" >/dev/null 2>&1
check "environment beats .env: mouth profile" /usr/bin/python3 - envd/liveportrait_driving_d0.json <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["frames"][0]["tracked_objects"][0]
assert o["blendshapes"] and all(k.startswith(("mouth", "jaw")) for k in o["blendshapes"]), o["blendshapes"]
PY
rm .env
STEP5_BLENDSHAPES_THROTTLE_N=0 "$FACETRACK" track -o bad nosuch.mp4 >/dev/null 2>err.txt
check "invalid value in the environment: a warning naming it, the default used" test $? -eq 1 -a -n "$(grep 'STEP5_BLENDSHAPES_THROTTLE_N=0 (from environment).*using the default 1' err.txt)"
"$FACETRACK" track --blendshapes-every 0 -o bad "$one" >/dev/null 2>err.txt
check "invalid value on the command line: exit 2, names the flag" test $? -eq 2 -a -n "$(grep -- --blendshapes-every err.txt)"
STEP5_TRACKING_ENGINE=nosuch "$FACETRACK" track -o bad "$one" >/dev/null 2>err.txt
check "unknown engine: exit 2" test $? -eq 2 -a -n "$(grep nosuch err.txt)"
STEP5_ENABLE_GPU=1 STEP5_GPU_ENGINES=all "$FACETRACK" track --force -o gpu "$one" >/dev/null 2>err.txt
check "GPU request falls back to the CPU, saying so" grep -q 'Auto-fallback to CPU enabled' err.txt
STEP5_ENABLE_GPU=1 STEP5_GPU_ENGINES=all STEP5_GPU_FALLBACK_AUTO=0 "$FACETRACK" track --force -o gpu "$one" >/dev/null 2>err.txt
check "GPU request without fallback fails" test $? -eq 1

# Progress protocols.
"$FACETRACK" track --force --progress legacy -o leg "$one" >out.txt 2>/dev/null
check "legacy lines" grep -q '^Vidéos à traiter: 1$' out.txt
check "legacy success line" grep -q '^\[Gestionnaire\] Succès pour liveportrait_driving_d0.mp4$' out.txt
check "legacy final line" grep -q '^Traitement terminé. 1/1 jobs réussis.$' out.txt
"$FACETRACK" track --force --progress json -o js "$one" >out.txt 2>/dev/null
check "json events, one per line" /usr/bin/python3 - out.txt <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
assert names[0] == "start" and names[-1] == "summary" and "done" in names, names
assert ev[-1]["succeeded"] == 1 and ev[-1]["failed"] == 0
PY
STEP5_ENABLE_PROFILING=1 "$FACETRACK" track --force --workers 1 -o prof "$one" >/dev/null 2>err.txt
check "profiling lines every 20 frames" grep -q '^\[PROFILING\] Frame 20: detection=.*ms, landmarks=.*ms, blendshapes=.*ms, total=.*ms$' err.txt

# --max-faces and --blendshapes-every, on three faces.
mkdir -p three
ffmpeg -v error -i "$shared/media/bench/bench_1080p25_3faces_20s.mp4" -frames:v 30 -vf scale=960:540 \
    -c:v libx264 -pix_fmt yuv420p -an three/three.mp4 || fail "cannot make the three-face clip"
"$FACETRACK" track --workers 2 -o three three/three.mp4 >/dev/null 2>&1
"$FACETRACK" track --workers 2 --max-faces 1 --blendshapes-every 5 -o one three/three.mp4 >/dev/null 2>&1
check "three faces by default, one with --max-faces 1" /usr/bin/python3 - three/three.json one/three.json <<'PY'
import json, sys
a, b = (json.load(open(p))["frames"] for p in sys.argv[1:])
assert sum(len(f["tracked_objects"]) == 3 for f in a) >= 28, [len(f["tracked_objects"]) for f in a]
assert all(len(f["tracked_objects"]) == 1 for f in b), [len(f["tracked_objects"]) for f in b]
PY
check "--blendshapes-every 5: a face's blendshapes change every 5 frames" /usr/bin/python3 - one/three.json <<'PY'
import json, sys
shapes = [f["tracked_objects"][0]["blendshapes"] for f in json.load(open(sys.argv[1]))["frames"]]
changes = [i for i in range(1, len(shapes)) if shapes[i] != shapes[i - 1]]
assert changes == list(range(5, len(shapes), 5)), changes
PY

# Input lists and shards.
printf '{"videos": ["%s"]}' "$work/$one" >list.json
"$FACETRACK" track --force --videos-json list.json -o lst >out.txt 2>&1
check "--videos-json {\"videos\": [...]}" test -s lst/liveportrait_driving_d0.json
printf '["%s"]' "$work/$one" >array.json
"$FACETRACK" track --force --videos-json array.json -o arr >out.txt 2>&1
check "--videos-json [...]" test -s arr/liveportrait_driving_d0.json
"$FACETRACK" track --force --shard 2/2 --progress json -o sh in >out.txt 2>&1
check "--shard 2/2 takes the second video only" test "$(grep -c '"event":"done"' out.txt)" -eq 1 -a -s sh/videoretalking_face_1.json

# Names with spaces, accents and quotes; one --output-dir for two videos of
# the same name is refused before anything runs.
mkdir -p names/a names/b
cp "$one" "names/a/Gulli - Scène \"culte\" l'été.mp4"
cp "$one" "names/b/Gulli - Scène \"culte\" l'été.mp4"
"$FACETRACK" track --workers 2 names >/dev/null 2>&1
check "a name with spaces, accents and quotes" /usr/bin/python3 - "names/a/Gulli - Scène \"culte\" l'été.json" <<'PY'
import json, sys
assert json.load(open(sys.argv[1]))["metadata"]["video_path"].endswith("/names/a/Gulli - Scène \"culte\" l'été.mp4")
PY
"$FACETRACK" track --force -o clash names >/dev/null 2>err.txt
check "two outputs of one name in one folder: exit 2, nothing written" test $? -eq 2 -a ! -e clash -a -n "$(grep 'would both write' err.txt)"

# A bad video does not stop the others; no output for it.
printf 'not a video' >in/broken.mp4
head -c 30000 "$one" >in/truncated.mp4
"$FACETRACK" track --force --workers 2 -o bad in >out.txt 2>err.txt
check "bad videos: exit 1" test $? -eq 1
check "the good ones are written" test -s bad/liveportrait_driving_d0.json -a -s bad/videoretalking_face_1.json
check "no output for the unreadable one" test ! -e bad/broken.json
check "the failure named with its reason" grep -q 'broken.mp4' err.txt
check "no temporary files left" test -z "$(find bad -name '*.tmp*')"
rm in/broken.mp4 in/truncated.mp4

# Interrupted: no partial output, no temporary file, exit 143.
"$FACETRACK" track --force --workers 2 -o int "$shared/media/faces" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM: exit 143" test "$rc" -eq 143
check "SIGTERM: no partial output or temporary file" test -z "$(find int -name '*.tmp*' 2>/dev/null)"
finish
