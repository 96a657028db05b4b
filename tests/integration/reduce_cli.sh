# facetrack reduce: STEP6 of the original on existing files. Exact bytes of
# small hand-made inputs; the original's reference files (reduced outputs
# re-read, raw STEP5 files) value for value and in their layout; a raw file
# written by `facetrack track` against `track --format reduced`; bad inputs,
# skipping and --force, -o, usage errors.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
ref=${FT_SHARED_DIR:-}/reference/original
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# ---- exact bytes of a small raw file and an audio analysis ----------------
mkdir -p d
cat >d/clip.json <<'EOF'
{"metadata": {"video_path": "/videos/clip.mp4", "total_frames": 3, "fps": 25},
 "frames": [
  {"frame": 1, "tracked_objects": [
    {"id": "obj_1", "centroid_x": 640, "centroid_y": 360, "bbox_xmin": 600, "bbox_xmax": 680,
     "source": "face_landmarker", "label": "face", "confidence": 0.0, "blendshapes": {"jawOpen": 0.5},
     "bbox_ymin": 300, "bbox_ymax": 420, "bbox_width": 80, "bbox_height": 120,
     "is_speaking": true, "speaking_confidence": 0.94,
     "speaking_sources": {"audio": {"is_speech_present": true, "active_speakers": ["SPEAKER_01"]}}},
    {"id": "obj_2", "centroid_x": 900, "source": "object_detector", "label": "chaise \u00e9",
     "confidence": 0.793, "bbox_width": 151, "bbox_height": null}]},
  {"frame": 2, "tracked_objects": []},
  {"frame": 3, "tracked_objects": [{"id": "obj_1", "centroid_x": 1e-05, "confidence": 1,
     "active_speakers": ["SPEAKER_00"], "speaking_sources": {"visual": {}}}]}
 ]}
EOF
printf '%s' '{
  "frames_analysis": [
    {
      "frame": 1,
      "tracked_objects": [
        {
          "id": "obj_1",
          "centroid_x": 640,
          "source": "face_landmarker",
          "label": "face",
          "confidence": 0.0,
          "active_speakers": [
            "SPEAKER_01"
          ],
          "bbox_width": 80,
          "bbox_height": 120
        },
        {
          "id": "obj_2",
          "centroid_x": 900,
          "source": "object_detector",
          "label": "chaise é",
          "confidence": 0.793,
          "active_speakers": []
        }
      ]
    },
    {
      "frame": 2,
      "tracked_objects": []
    },
    {
      "frame": 3,
      "tracked_objects": [
        {
          "id": "obj_1",
          "centroid_x": 1e-05,
          "source": null,
          "label": null,
          "confidence": 1,
          "active_speakers": [
            "SPEAKER_00"
          ]
        }
      ]
    }
  ],
  "fps": 25.0,
  "total_frames": 3,
  "temporal_alignment": {
    "video_total_frames": 3,
    "audio_total_frames": 4,
    "video_fps": 25.0,
    "audio_fps": 30.0,
    "warnings": [
      "frame_count_mismatch video=3 audio=4",
      "fps_mismatch video=25.0 audio=30.0"
    ]
  }
}' >clip_tracking.expected
cat >d/clip_audio.json <<'EOF'
{"video_filename": "clip.mp4", "total_frames": 4, "fps": 30,
 "frames_analysis": [
  {"frame": 1, "audio_info": {"is_speech_present": false, "num_distinct_speakers_audio": 0, "active_speaker_labels": [], "timecode_sec": 0.0}},
  {"frame": 2, "audio_info": {"is_speech_present": true, "num_distinct_speakers_audio": 2, "active_speaker_labels": ["SPEAKER_01", "SPEAKER_00"], "timecode_sec": 0.04}},
  {"frame": 3, "audio_info": null},
  {"frame": 4, "audio_info": {"num_distinct_speakers_audio": 1, "active_speaker_labels": ["SPEAKER_01", ""]}}
 ]}
EOF
printf '%s' '{
  "frames_analysis": [
    {
      "frame": 1,
      "audio_info": {
        "is_speech_present": false,
        "active_speaker_labels": [],
        "timecode_sec": 0.0
      }
    },
    {
      "frame": 2,
      "audio_info": {
        "is_speech_present": true,
        "active_speaker_labels": [
          "SPEAKER_01",
          "SPEAKER_00"
        ],
        "timecode_sec": 0.04
      }
    },
    {
      "frame": 4,
      "audio_info": {
        "is_speech_present": false,
        "active_speaker_labels": [
          "SPEAKER_01",
          ""
        ]
      }
    }
  ],
  "fps": 30.0,
  "total_frames": 4,
  "speaker_stats": {
    "unique_speakers": [
      "SPEAKER_00",
      "SPEAKER_01"
    ],
    "speaker_frame_counts": {
      "SPEAKER_01": 2,
      "SPEAKER_00": 1
    }
  }
}' >clip_audio.expected
echo '{"name": "not ours", "frames_count": 3}' >d/other.json
cp d/clip.json clip_raw.json
cp d/clip_audio.json clip_audio_raw.json

"$FACETRACK" reduce --pretty d >out.txt 2>err.txt
check "a folder: exit 0" test $? -eq 0
check "a folder: nothing on stderr" test ! -s err.txt
check "a folder: both files reduced, the other JSON left alone" \
    grep -qx 'reduced 2 of 2 files (0 skipped, 0 failed)' out.txt
check "tracking: exactly the original's bytes (--pretty)" cmp d/clip_tracking.json clip_tracking.expected
check "audio: reduced in place, exactly the original's bytes" cmp d/clip_audio.json clip_audio.expected
check "the other JSON is untouched" grep -q 'not ours' d/other.json
check "no temporary files left" test -z "$(find d -name '.*')"

# Again: both outputs are complete now.
inode=$(stat -c %i d/clip_tracking.json)
"$FACETRACK" reduce --pretty d >out.txt 2>&1
check "again: both skipped" grep -qx 'reduced 0 of 2 files (2 skipped, 0 failed)' out.txt
check "again: the output was not rewritten" test "$(stat -c %i d/clip_tracking.json)" = "$inode"
"$FACETRACK" reduce --pretty --force d/clip.json >out.txt 2>&1
check "--force: redone" grep -qx 'reduced 1 of 1 files (0 skipped, 0 failed)' out.txt
check "--force: a new file" test "$(stat -c %i d/clip_tracking.json)" != "$inode"
check "--force: the same bytes" cmp d/clip_tracking.json clip_tracking.expected
touch -d '+1 hour' d/clip.json
"$FACETRACK" reduce --pretty d/clip.json >out.txt 2>&1
check "an input newer than its output: redone" grep -q '^reduced d/clip.json -> d/clip_tracking.json' out.txt
cp clip_raw.json d/clip.json

# Compact by default: the same values, one line, no newline after it.
mkdir -p c
cp clip_raw.json c/clip.json
cp clip_audio_raw.json c/clip_audio.json
"$FACETRACK" reduce c/clip.json c/clip_audio.json >/dev/null 2>&1
check "compact: same values as the original's" "$py" - c/clip_tracking.json clip_tracking.expected c/clip_audio.json clip_audio.expected <<'PY'
import json, sys
for got, want in zip(sys.argv[1::2], sys.argv[2::2]):
    text = open(got, encoding="utf-8").read()
    assert "\n" not in text, got
    assert json.loads(text) == json.load(open(want, encoding="utf-8")), got
PY

# -o: outputs go there; the inputs stay as they were.
"$FACETRACK" reduce -o out/sub --pretty c/clip.json clip_audio_raw.json >/dev/null 2>&1
check "-o: tracking output there" cmp out/sub/clip_tracking.json clip_tracking.expected
check "-o: audio output there (no alignment beside c/clip.json's audio)" test -s out/sub/clip_audio_raw.json
check "-o: the audio input untouched" grep -q num_distinct_speakers_audio clip_audio_raw.json

# ---- bad inputs ---------------------------------------------------------
mkdir -p bad
head -c 700 clip_raw.json >bad/cut.json
printf 'not json at all' >bad/garbage.json
: >bad/empty.json
echo '[1, 2]' >bad/array.json
echo '{"frames": [1]}' >bad/frame_number.json
cp clip_raw.json bad/good.json
for f in cut garbage empty array frame_number; do
    "$FACETRACK" reduce bad/$f.json bad/good.json >out.txt 2>err.txt
    rc=$?
    check "$f: exit 1" test $rc -eq 1
    check "$f: one line on stderr, naming the file" \
        test "$(wc -l <err.txt)" -eq 1 -a -n "$(grep -F "bad/$f.json" err.txt)"
    check "$f: no output for it" test ! -e bad/${f}_tracking.json
    check "$f: the good file still reduced" grep -q '^reduced bad/good.json' out.txt
    rm -f bad/good_tracking.json
done
"$FACETRACK" reduce bad/cut.json 2>err.txt >/dev/null
check "cut short: says so" grep -q 'truncated' err.txt
"$FACETRACK" reduce bad/garbage.json 2>err.txt >/dev/null
check "garbage: invalid JSON, where" grep -q 'invalid JSON at line 1, column' err.txt
"$FACETRACK" reduce bad/empty.json 2>err.txt >/dev/null
check "empty: says so" grep -q 'the file is empty' err.txt
"$FACETRACK" reduce bad/array.json 2>err.txt >/dev/null
check "an array: not an object" grep -q 'not an object' err.txt
"$FACETRACK" reduce d/other.json 2>err.txt >/dev/null
check "other JSON given by name: exit 1, says what it is not" \
    grep -q 'neither a tracking file' err.txt
check "no temporary files left by failures" test -z "$(find bad -name '.*')"
"$FACETRACK" reduce bad >out.txt 2>err.txt
check "a folder with broken files: exit 1" test $? -eq 1
check "a folder with broken files: the good one still reduced" grep -q '^reduced bad/good.json' out.txt

# ---- usage -------------------------------------------------------------
"$FACETRACK" reduce >/dev/null 2>&1
check "no file: usage error (2)" test $? -eq 2
"$FACETRACK" reduce --bogus d >/dev/null 2>&1
check "unknown option: usage error (2)" test $? -eq 2
"$FACETRACK" reduce d -o >/dev/null 2>&1
check "-o without a folder: usage error (2)" test $? -eq 2
"$FACETRACK" reduce missing.json >/dev/null 2>err.txt
check "a missing path: exit 1, named" test $? -eq 1 -a -n "$(grep -F missing.json err.txt)"
"$FACETRACK" help reduce | grep -q 'usage: facetrack reduce'
check "help reduce" test $? -eq 0

# ---- the original's reference files ------------------------------------
if [ ! -d "$ref" ]; then
    echo "SKIP (part): the original's reference files are not at '$ref'"
else
    mkdir -p r
    cp "$ref"/reduced_step6_tracking_excerpt_Malcolm.json r/malcolm_tracking.json
    # (not named malcolm_audio.json: recognised by its content, and no
    # sibling of the tracking file, which would add a temporal alignment)
    cp "$ref"/reduced_step4_audio_excerpt_Malcolm.json r/malcolm_sound.json
    cp "$ref"/raw_step5_mediapipe_faces_excerpt_Goonies.json r/goonies.json
    cp "$ref"/raw_step5_insightface_run_IDLT_RS_alpha.json r/IDLT_RS_alpha.json
    chmod u+w r/*.json
    "$FACETRACK" reduce --pretty --force r/malcolm_tracking.json r/malcolm_sound.json \
        r/goonies.json r/IDLT_RS_alpha.json >out.txt 2>err.txt
    check "reference files: exit 0" test $? -eq 0
    check "reference files: all four reduced" grep -qx 'reduced 4 of 4 files (0 skipped, 0 failed)' out.txt

    # The excerpts are the original's first 60 frames, dumped with indent 2
    # and an "_excerpt_note" in place of what followed. Reduced again, the
    # original's reducer keeps every value, adds "confidence" (null: these
    # files predate it) and "total_frames" (the highest frame): so the
    # bytes are the excerpt's with exactly those changes.
    sed -e 's/^\( *\)"label": \(.*\),$/&\n\1"confidence": null,/' \
        -e 's/^  "_excerpt_note": .*/  "total_frames": 60/' "$ref"/reduced_step6_tracking_excerpt_Malcolm.json \
        >malcolm_tracking.expected
    sed -e 's/^  "_excerpt_note": .*/  "total_frames": 60/' "$ref"/reduced_step4_audio_excerpt_Malcolm.json \
        >malcolm_audio.expected
    check "Malcolm tracking excerpt: the original's layout, byte for byte" \
        cmp r/malcolm_tracking.json malcolm_tracking.expected
    check "Malcolm audio excerpt: the original's layout, byte for byte" \
        cmp r/malcolm_sound.json malcolm_audio.expected
    check "Malcolm: every value of the excerpts kept" "$py" - "$ref" r <<'PY'
import json, sys
ref, out = sys.argv[1], sys.argv[2]
want = json.load(open(f"{ref}/reduced_step6_tracking_excerpt_Malcolm.json"))["frames_analysis"]
got = json.load(open(f"{out}/malcolm_tracking.json"))["frames_analysis"]
assert len(got) == len(want) == 60
for g, w in zip(got, want):
    for o in g["tracked_objects"]:
        assert o.pop("confidence") is None
    assert g == w, (g, w)
want = json.load(open(f"{ref}/reduced_step4_audio_excerpt_Malcolm.json"))["frames_analysis"]
assert json.load(open(f"{out}/malcolm_sound.json"))["frames_analysis"] == want
PY

    # Raw STEP5 files: every object by the reducer's rules, fps as the
    # original wrote it (a float), total_frames from the metadata (951 of
    # Goonies' 1701 frames were exported; the excerpt holds the first 40).
    check "raw reference files: reduced by the rules, value for value" "$py" - r <<'PY'
import json, sys
d = sys.argv[1]
for stem, frames, total in (("goonies", 40, 1701), ("IDLT_RS_alpha", 279, 279)):
    raw = json.load(open(f"{d}/{stem}.json"))
    red = json.load(open(f"{d}/{stem}_tracking.json"))
    assert list(red) == ["frames_analysis", "fps", "total_frames"], list(red)
    assert red["total_frames"] == total and red["fps"] == 25.0
    assert len(red["frames_analysis"]) == frames
    for rf, f in zip(red["frames_analysis"], raw["frames"]):
        assert rf["frame"] == f["frame"]
        want = []
        for o in f["tracked_objects"]:
            speakers = o.get("speaking_sources", {}).get("audio", {}).get("active_speakers", [])
            want.append({"id": o["id"], "centroid_x": o["centroid_x"], "source": o["source"],
                         "label": o["label"], "confidence": o["confidence"],
                         "active_speakers": speakers, "bbox_width": o["bbox_width"],
                         "bbox_height": o["bbox_height"]})
        assert rf["tracked_objects"] == want, (rf, want)
        for o in rf["tracked_objects"]:
            assert list(o) == ["id", "centroid_x", "source", "label", "confidence",
                               "active_speakers", "bbox_width", "bbox_height"], list(o)
kites = [o for f in json.load(open(f"{d}/IDLT_RS_alpha_tracking.json"))["frames_analysis"]
         for o in f["tracked_objects"]]
assert [(o["id"], o["confidence"]) for o in kites] == [("obj_1", 0.793), ("obj_2", 0.793), ("obj_3", 0.844)]
PY
    if "$py" -c 'import jsonschema' 2>/dev/null; then
        check "reference outputs valid against the reduced schema" "$py" \
            "$FT_SOURCE_DIR/tests/tools/validate_json.py" "$FT_SOURCE_DIR/schemas/tracking_reduced.schema.json" \
            r/malcolm_tracking.json r/goonies_tracking.json r/IDLT_RS_alpha_tracking.json
    else
        echo "SKIP (part): python3-jsonschema is not installed: outputs not checked against the schema"
    fi
    check "raw reference: floats written as the original wrote them" \
        grep -q '^  "fps": 25.0,$' r/goonies_tracking.json
    check "raw reference: confidence 0.0 stays 0.0" \
        grep -q '^          "confidence": 0.0,$' r/goonies_tracking.json
fi

# ---- a raw file written by facetrack track ------------------------------
shared=${FT_SHARED_DIR:-}
clip=$shared/media/faces/videoretalking_face_1.mp4
if [ ! -f "$clip" ]; then
    echo "SKIP (part): shared media not found at '$shared/media': no track output reduced"
elif [ ! -f "${FT_NPM_MODELS_DIR:-}/face_detection_full_range.tflite" ] ||
    [ ! -f "$shared/models/face_landmarker_v2_with_blendshapes.task" ]; then
    echo "SKIP (part): face models not installed: no track output reduced"
else
    export FACETRACK_MODEL_PATH=$shared/models:$FT_NPM_MODELS_DIR
    frames=30
    [ "${FT_SANITIZED:-0}" = 1 ] && frames=12
    mkdir -p v
    ffmpeg -v error -i "$clip" -frames:v $frames -c:v libx264 -pix_fmt yuv420p -an v/face.mp4
    "$FACETRACK" track --workers 2 --pretty -o raw v/face.mp4 >/dev/null 2>&1
    check "track: raw output" test -s raw/face.json
    "$FACETRACK" track --workers 2 --pretty --format reduced -o direct v/face.mp4 >/dev/null 2>&1
    check "track --format reduced: output" test -s direct/face_tracking.json
    "$FACETRACK" reduce --pretty -o reduced raw/face.json >/dev/null 2>&1
    check "reduce of track's raw output: exit 0" test $? -eq 0
    check "reduce of track's raw output = track --format reduced, byte for byte" \
        cmp reduced/face_tracking.json direct/face_tracking.json
    check "reduce of track's raw output: faces in it" "$py" - reduced/face_tracking.json "$frames" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total_frames"] == int(sys.argv[2]) == len(d["frames_analysis"])
assert any(f["tracked_objects"] for f in d["frames_analysis"])
PY
fi
finish
