# The JSON Schemas of the tracking outputs: the original system's real
# outputs (shared reference files) pass, and copies broken on purpose (a
# required key gone, a wrong type, a bad id, a misspelt key) fail, naming
# the place in the document.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
ref="${FT_SHARED_DIR:-}/reference/original"
[ -d "$ref" ] || skip_test "reference outputs not found at $ref"
[ -x "$py" ] && "$py" -c 'import jsonschema' 2>/dev/null ||
    skip_test "$py with the jsonschema module not found"
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
raw_schema="$src/schemas/tracking_raw.schema.json"
reduced_schema="$src/schemas/tracking_reduced.schema.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

validate() { "$py" "$src/tests/tools/validate_json.py" "$@"; }

passes() { # passes SCHEMA FILE
    local out
    out=$(validate "$1" "$2") || { echo "$out" | sed 's/^/  /'; return 1; }
    [ "$out" = "ok $2" ] || { echo "  unexpected output: $out"; return 1; }
}

# fails_at SCHEMA FILE WHERE: exit 1 and a FAIL line about WHERE ($.a[0].b)
fails_at() {
    local out rc
    out=$(validate "$1" "$2")
    rc=$?
    [ "$rc" -eq 1 ] && grep -qF "FAIL $2: $3: " <<<"$out" ||
        { echo "  exit $rc, expected a failure at $3:"; echo "$out" | sed 's/^/  /'; return 1; }
}

# broken SRC NAME CODE: $tmp/NAME.json, a copy of SRC after the Python
# statement CODE ran on it as `d`
broken() {
    "$py" - "$1" "$tmp/$2.json" "$3" <<'EOF'
import json, sys
src, dest, code = sys.argv[1:]
with open(src, encoding="utf-8") as f:
    d = json.load(f)
exec(code)
with open(dest, "w", encoding="utf-8") as f:
    json.dump(d, f, indent=2)
EOF
    echo "$tmp/$2.json"
}

check "the schemas are valid draft 2020-12 schemas" "$py" -c '
import json, sys, jsonschema
for path in sys.argv[1:]:
    jsonschema.Draft202012Validator.check_schema(json.load(open(path)))' \
    "$raw_schema" "$reduced_schema"

# Every reference output against its format's schema; audio and CSV files
# are other formats.
checked=0
for f in "$ref"/*.json; do
    case ${f##*/} in
        raw_step5_*) schema=$raw_schema ;;
        reduced_step6_*) schema=$reduced_schema ;;
        *) continue ;;
    esac
    check "${f##*/} matches ${schema##*/}" passes "$schema" "$f"
    checked=$((checked + 1))
done
check "reference outputs were found ($checked)" test "$checked" -gt 0

raw="$ref/raw_step5_mediapipe_faces_excerpt_Goonies.json"
raw_objects="$ref/raw_step5_insightface_run_IDLT_RS_alpha.json"
reduced="$ref/reduced_step6_tracking_excerpt_Malcolm.json"
obj0='d["frames"][0]["tracked_objects"][0]'
red0='d["frames_analysis"][0]["tracked_objects"][0]'
obj29='d["frames"][29]["tracked_objects"][0]' # the first object of the insightface run
alignment='{"video_total_frames": 1076, "audio_total_frames": 1076, "video_fps": 25.0,
    "audio_fps": 25.0, "warnings": []}'
if [ -f "$raw" ]; then
    check "raw: metadata.total_frames missing" fails_at "$raw_schema" \
        "$(broken "$raw" no_total 'del d["metadata"]["total_frames"]')" '$.metadata'
    check "raw: frame number as a string" fails_at "$raw_schema" \
        "$(broken "$raw" frame_string 'd["frames"][2]["frame"] = "3"')" '$.frames[2].frame'
    check "raw: frame number 0" fails_at "$raw_schema" \
        "$(broken "$raw" frame_zero 'd["frames"][0]["frame"] = 0')" '$.frames[0].frame'
    check "raw: bad id" fails_at "$raw_schema" \
        "$(broken "$raw" bad_id "$obj0"'["id"] = "face_1"')" '$.frames[0].tracked_objects[0].id'
    check "raw: centroid_x a float" fails_at "$raw_schema" \
        "$(broken "$raw" centroid_float "$obj0"'["centroid_x"] = 1030.5')" \
        '$.frames[0].tracked_objects[0].centroid_x'
    check "raw: misspelt key" fails_at "$raw_schema" \
        "$(broken "$raw" typo "$obj0"'["centriod_x"] = '"$obj0"'.pop("centroid_x")')" \
        '$.frames[0].tracked_objects[0]'
    check "raw: unknown speaking_method" fails_at "$raw_schema" \
        "$(broken "$raw" method "$obj0"'["speaking_method"] = "lip_reading"')" \
        '$.frames[0].tracked_objects[0].speaking_method'
    check "raw: blendshape score as a string" fails_at "$raw_schema" \
        "$(broken "$raw" blendshape "$obj0"'["blendshapes"]["jawOpen"] = "0.4"')" \
        '$.frames[0].tracked_objects[0].blendshapes.jawOpen'
    check "raw: audio speakers not a list" fails_at "$raw_schema" \
        "$(broken "$raw" speakers "$obj0"'["speaking_sources"]["audio"]["active_speakers"] = ""')" \
        '$.frames[0].tracked_objects[0].speaking_sources.audio.active_speakers'
    check "raw: centroid_y without bbox_ymin" fails_at "$raw_schema" \
        "$(broken "$raw" half_y "$obj0"'["centroid_y"] = 500')" '$.frames[0].tracked_objects[0]'
    check "raw: unknown top-level key" fails_at "$raw_schema" \
        "$(broken "$raw" top_key 'd["note"] = "x"')" '$'
    additions='.update(head_pose={"yaw": 1.5, "pitch": -3, "roll": 0.25},
        landmarks=[[1.0, 2.0, 0.5], [3, 4, 0]], eos={"shape": [0.1]})'
    check "raw: facetrack's head pose, landmarks and eos pass" passes "$raw_schema" \
        "$(broken "$raw" additions "$obj0$additions")"
    check "raw: head pose without roll" fails_at "$raw_schema" \
        "$(broken "$raw" pose "$obj0"'["head_pose"] = {"yaw": 1, "pitch": 2}')" \
        '$.frames[0].tracked_objects[0].head_pose'
    check "raw: a landmark of four numbers" fails_at "$raw_schema" \
        "$(broken "$raw" landmark4 "$obj0"'["landmarks"] = [[1, 2, 3, 4]]')" \
        '$.frames[0].tracked_objects[0].landmarks[0]'
fi
if [ -f "$raw_objects" ]; then
    check "raw: object without blendshapes" fails_at "$raw_schema" \
        "$(broken "$raw_objects" no_blendshapes "del $obj29"'["blendshapes"]')" \
        '$.frames[29].tracked_objects[0]'
    check "raw: bad source" fails_at "$raw_schema" \
        "$(broken "$raw_objects" source "$obj29"'["source"] = "yolo"')" \
        '$.frames[29].tracked_objects[0].source'
    check "a raw file is not a reduced one" fails_at "$reduced_schema" "$raw_objects" '$'
fi
if [ -f "$reduced" ]; then
    check "reduced: label missing" fails_at "$reduced_schema" \
        "$(broken "$reduced" no_label "del $red0"'["label"]')" \
        '$.frames_analysis[0].tracked_objects[0]'
    check "reduced: centroid_x as a string" fails_at "$reduced_schema" \
        "$(broken "$reduced" centroid_string "$red0"'["centroid_x"] = "321"')" \
        '$.frames_analysis[0].tracked_objects[0].centroid_x'
    check "reduced: bad id" fails_at "$reduced_schema" \
        "$(broken "$reduced" bad_id "$red0"'["id"] = "obj-3"')" \
        '$.frames_analysis[0].tracked_objects[0].id'
    check "reduced: bbox_width without bbox_height" fails_at "$reduced_schema" \
        "$(broken "$reduced" half_bbox "del $red0"'["bbox_height"]')" \
        '$.frames_analysis[0].tracked_objects[0]'
    check "reduced: total_frames negative" fails_at "$reduced_schema" \
        "$(broken "$reduced" total 'd["total_frames"] = -1')" '$.total_frames'
    check "reduced: warnings not a list" fails_at "$reduced_schema" \
        "$(broken "$reduced" alignment \
            "d['temporal_alignment'] = $alignment; d['temporal_alignment']['warnings'] = 'none'")" \
        '$.temporal_alignment.warnings'
    check "reduced: totals, fps, confidence and alignment pass" passes "$reduced_schema" \
        "$(broken "$reduced" current \
            "$red0['confidence'] = 0.79; d.update(fps=25.0, total_frames=1076,
                temporal_alignment=$alignment)")"
fi
printf '{"frames_analysis": [' >"$tmp/cut.json"
check "a file that is not JSON fails" fails_at "$reduced_schema" "$tmp/cut.json" '$'
check "several files: exit 1 when one fails" eval \
    '! validate "$reduced_schema" "$reduced" "$tmp/cut.json" >/dev/null'
finish
