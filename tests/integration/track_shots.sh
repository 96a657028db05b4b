# facetrack track with the original's sibling files: a <stem>.csv shot list
# restarts IDs at its cuts (one ID per person and shot), a <stem>_audio.json
# fills the speaking fields and the reduced output's active speakers.
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}
clip=$shared/media/scenes/synthetic_faces_hardcuts_8shots.mp4
[ -f "$clip" ] || skip_test "shared media not found at '$shared'"
need_face_models
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip_test "python3-jsonschema is not installed"
validate="/usr/bin/python3 $FT_SOURCE_DIR/tests/tools/validate_json.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# 8 shots of 50 frames, one person each (the clip's ground truth).
cp "$clip" s8.mp4
/usr/bin/python3 - <<'PY'
import json
def tc(f): return "00:00:%06.3f" % (f / 25)
rows = ["No,Timecode In,Timecode Out,Frame In,Frame Out"]
for i in range(8):
    rows.append("%d,%s,%s,%d,%d" % (i + 1, tc(50 * i), tc(50 * i + 49), 50 * i + 1, 50 * i + 50))
open("s8.csv", "w").write("\n".join(rows) + "\n")
# Speech by SPEAKER_00 in frames 1..100, silence after (STEP4's raw format).
frames = [{"frame": k, "audio_info": {"is_speech_present": k <= 100,
           "num_distinct_speakers_audio": 1 if k <= 100 else 0,
           "active_speaker_labels": ["SPEAKER_00"] if k <= 100 else [],
           "timecode_sec": round((k - 1) / 25, 3)}} for k in range(1, 401)]
json.dump({"video_filename": "s8.mp4", "total_frames": 400, "fps": 25, "frames_analysis": frames},
          open("s8_audio.json", "w"))
PY

"$FACETRACK" track --workers 2 s8.mp4 >/dev/null 2>err.txt
check "exit 0, output next to the video" test $? -eq 0 -a -s s8.json
check "valid against the raw schema" $validate "$FT_SOURCE_DIR/schemas/tracking_raw.schema.json" s8.json
check "one ID per shot, a new one after each cut" /usr/bin/python3 - s8.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
shots = {}
for f in d["frames"]:
    for o in f["tracked_objects"]:
        shots.setdefault((f["frame"] - 1) // 50, set()).add(o["id"])
assert len(shots) == 8 and all(len(ids) == 1 for ids in shots.values()), shots
assert len(set.union(*shots.values())) == 8, shots
PY
check "speaking from the audio and the shot list" /usr/bin/python3 - s8.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
o = d["frames"][9]["tracked_objects"][0]       # frame 10: speech
s = o["speaking_sources"]
assert s["audio"] == {"is_speech_present": True, "num_speakers": 1, "active_speakers": ["SPEAKER_00"],
                      "confidence": 0.9}, s
assert o["is_speaking"] and o["speaking_confidence"] >= 0.54, o
assert s["segment"] == {"segment_id": 1, "frame_position": 0.1837, "segment_duration": 49,
                        "is_zero_duration": False}, s["segment"]
q = d["frames"][209]["tracked_objects"][0]     # frame 210: silence, shot 5
assert q["speaking_sources"]["audio"]["is_speech_present"] is False
assert q["speaking_sources"]["segment"]["segment_id"] == 5
PY

"$FACETRACK" track --workers 2 --format reduced s8.mp4 >/dev/null 2>&1
check "reduced output valid against its schema" $validate "$FT_SOURCE_DIR/schemas/tracking_reduced.schema.json" s8_tracking.json
check "reduced: frame-level speakers, totals and the audio alignment" /usr/bin/python3 - s8_tracking.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total_frames"] == 400 and d["fps"] == 25 and len(d["frames_analysis"]) == 400
assert d["frames_analysis"][9]["tracked_objects"][0]["active_speakers"] == ["SPEAKER_00"]
assert d["frames_analysis"][209]["tracked_objects"][0]["active_speakers"] == []
t = d["temporal_alignment"]
assert t["video_total_frames"] == 400 and t["audio_total_frames"] == 400 and t["warnings"] == [], t
PY
finish
