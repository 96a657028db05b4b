# facetrack scenes: the original STEP3 <stem>.csv, with the shared clips'
# known cuts (and the test video's fade and dissolve in the JSON), timecodes
# from the frames' own timestamps (29.97 and 10 fps),
# no cut in single-shot clips; skipping, legacy and JSON progress, broken
# files; and `facetrack track` restarting IDs at the cuts it finds.
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}
[ -d "$shared/media/scenes" ] || skip_test "shared media not found at '$shared'"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
mkdir in
cp "$shared"/media/scenes/*.mp4 "$shared/media/faces/liveportrait_driving_d0.mp4" \
    "$shared/media/faces/fom_demo_old_08.mp4" in/

"$FACETRACK" scenes --json --progress legacy in >out.txt 2>err.txt
check "exit 0" test $? -eq 0
expected_8shots() {
    echo "No,Timecode In,Timecode Out,Frame In,Frame Out"
    for i in 0 1 2 3 4 5 6 7; do
        printf '%d,00:00:%02d.000,00:00:%02d.960,%d,%d\n' $((i + 1)) $((2 * i)) $((2 * i + 1)) \
            $((50 * i + 1)) $((50 * i + 50))
    done
}
check "8-shot clip: its 7 cuts at the exact frames, 25 fps timecodes" \
    cmp -s in/synthetic_faces_hardcuts_8shots.csv <(expected_8shots)
check "test video: PySceneDetect's cuts 30, 180, 394, at 29.97 fps" \
    grep -qz '2,00:00:01.001,00:00:05.973,31,180.3,00:00:06.006,00:00:13.113,181,394.4,00:00:13.146,' \
    <(tr '\n' '.' <in/pyscenedetect_testvideo.csv)
check "counter clip at 10 fps: scene 2 starts at 1.000 s, frame 11" \
    grep -q '^2,00:00:01.000,00:00:01.900,11,20$' in/pyscenedetect_counter.csv
check "single-shot face clips: one scene" test "$(wc -l <in/fom_demo_old_08.csv)" -eq 2 -a \
    "$(wc -l <in/liveportrait_driving_d0.csv)" -eq 2
check "JSON with the cuts and their scores" grep -q '"cuts": \[' in/pyscenedetect_testvideo_scenes.json
# 394 ends a fade-out, black and a fade-in (331..423): one fade; 529..558
# dissolve one photo into another: a cut at the middle, 1-based 545.
check "test video JSON: hard cuts, a fade through black, a dissolve" /usr/bin/python3 -c '
import json, sys
cuts = json.load(open(sys.argv[1]))["cuts"]
got = [(c["frame"], c["type"]) for c in cuts]
sys.exit(not (got[:3] == [(31, "cut"), (181, "cut"), (395, "fade")] and len(got) == 4
              and got[3][1] == "dissolve" and abs(got[3][0] - 545) <= 1))' in/pyscenedetect_testvideo_scenes.json
check "legacy lines" grep -q '^TOTAL_VIDEOS_TO_PROCESS: 5$' out.txt
check "legacy success line" grep -q '^Succès: synthetic_faces_hardcuts_8shots.csv créé avec 8 scènes.$' out.txt
check "legacy final line" grep -q '^--- Analyse terminée. 5/5 réussie(s). ---$' out.txt

"$FACETRACK" scenes --progress json in >out.txt 2>&1
check "existing lists are skipped" grep -q '"skipped":5' out.txt
"$FACETRACK" scenes --force --progress json -o again in/pyscenedetect_counter.mp4 >out.txt 2>&1
check "--force and -o" test -s again/pyscenedetect_counter.csv -a -n "$(grep '"event":"done"' out.txt)"

printf 'not a video' >in/broken.mp4
"$FACETRACK" scenes --force in >out.txt 2>err.txt
check "a broken file: exit 1, one line naming it, no list" test $? -eq 1 -a \
    "$(grep -c broken.mp4 err.txt)" -eq 1 -a ! -e in/broken.csv
check "no temporary files left" test -z "$(find . -name '*.tmp*')"

# The shots feed the tracker: one ID per shot.
npm=${FT_NPM_MODELS_DIR:-}
one_id_per_shot() {
    /usr/bin/python3 - "$1" <<'PY'
import json, sys
shots = {}
for f in json.load(open(sys.argv[1]))["frames"]:
    for o in f["tracked_objects"]:
        shots.setdefault((f["frame"] - 1) // 50, set()).add(o["id"])
assert len(shots) == 8 and all(len(s) == 1 for s in shots.values()), shots
assert len(set.union(*shots.values())) == 8, shots
PY
}
if [ -f "$npm/face_detection_full_range.tflite" ]; then
    export FACETRACK_MODEL_PATH=$npm
    "$FACETRACK" track --workers 2 in/synthetic_faces_hardcuts_8shots.mp4 >/dev/null 2>&1
    check "track after scenes: one ID per shot" one_id_per_shot in/synthetic_faces_hardcuts_8shots.json
    mkdir bare && cp in/synthetic_faces_hardcuts_8shots.mp4 bare/
    "$FACETRACK" track --scenes --workers 2 bare >/dev/null 2>&1
    check "track --scenes without a list: one ID per shot" one_id_per_shot bare/synthetic_faces_hardcuts_8shots.json
fi
finish
