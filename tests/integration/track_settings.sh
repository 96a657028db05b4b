# facetrack track's settings as the original read them: .env.example lists
# every known setting with its default; an invalid value from .env or the
# environment is named in a warning and the default used, one from the
# command line is an error; variables of the original that are not acted
# upon, and unknown STEP5_/TRACKING_ names, are named in one warning line
# each; the .env is found through --env-file, FACETRACK_ENV_FILE (a file or
# its folder), then the current folder; the original workers' flags are
# accepted.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# ---- .env.example against the table -----------------------------------
"$FACETRACK" track --list-settings >list.tsv
check "--list-settings: exit 0" test $? -eq 0
check "--list-settings: the original's variables, honoured and ignored" "$py" - list.tsv <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
names = {r[0]: r for r in rows}
assert len(names) == len(rows), "a name listed twice"
for n in ("STEP5_TRACKING_ENGINE", "TRACKING_CPU_WORKERS", "STEP5_BLENDSHAPES_PROFILE",
          "STEP5_ENABLE_OBJECT_DETECTION", "STEP5_ONNX_INTRA_OP_THREADS", "STEP5_EOS_MAX_WIDTH"):
    assert n in names, n
assert names["STEP5_BLENDSHAPES_THROTTLE_N"][1:] == ["1", "honoured"]
assert names["STEP5_ONNX_INTRA_OP_THREADS"][2].startswith("ignored: ")
PY
check ".env.example lists every setting with its default, and nothing else" "$py" - list.tsv \
    "$FT_SOURCE_DIR/.env.example" <<'PY'
import re, sys
want = {r[0]: r[1] for r in (l.rstrip("\n").split("\t") for l in open(sys.argv[1]))}
got = {}
for line in open(sys.argv[2]):
    m = re.match(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", line.rstrip("\n"))
    if m:
        assert m.group(1) not in got, "twice: " + m.group(1)
        got[m.group(1)] = m.group(2)
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
assert not missing, "missing from .env.example: %s" % missing
assert not extra, "not known settings: %s" % extra
wrong = [(k, got[k], want[k]) for k in want if got[k] != want[k]]
assert not wrong, "defaults differ: %s" % wrong
PY

# ---- values from .env, the environment and the command line ------------
# `track` over a path that does not exist resolves its settings first:
# a usage error (exit 2) or, settings accepted, the missing path (exit 1).
printf 'STEP5_BLENDSHAPES_THROTTLE_N=0\nSTEP5_MEDIAPIPE_MAX_FACES=many\nFLASK_PORT=5000\n' >.env
"$FACETRACK" track nosuch.mp4 >out.txt 2>err.txt
rc=$?
check "bad values in .env: the run goes on (exit 1 for the missing path, not 2)" test $rc -eq 1
check "bad .env value named with the default used" \
    grep -qx 'facetrack: warn: STEP5_BLENDSHAPES_THROTTLE_N=0 (from .env): must be an integer >= 1; using the default 1' err.txt
check "second bad .env value named too" \
    grep -q '^facetrack: warn: STEP5_MEDIAPIPE_MAX_FACES=many (from .env): .*; using the default 5$' err.txt
check "variables that are not facetrack's are left alone" test -z "$(grep FLASK_PORT err.txt)"
STEP5_MEDIAPIPE_JAWOPEN_SCALE=-1 "$FACETRACK" track nosuch.mp4 >/dev/null 2>err.txt
check "bad value in the environment: warning, default" \
    grep -q '^facetrack: warn: STEP5_MEDIAPIPE_JAWOPEN_SCALE=-1 (from environment): must be a number >= 0; using the default 1.0$' err.txt
rm .env
"$FACETRACK" track --max-faces many nosuch.mp4 >/dev/null 2>err.txt
check "bad value on the command line: exit 2" test $? -eq 2
check "  with one line naming the flag" grep -q -- '--max-faces=many (from command line): must be an integer from 1 to 64' err.txt
"$FACETRACK" track --mp_landmarker_num_faces 0 nosuch.mp4 >/dev/null 2>err.txt
check "the original worker's flag, bad value: exit 2" test $? -eq 2

# ---- ignored and unknown variables --------------------------------------
printf 'STEP5_ONNX_INTRA_OP_THREADS=4\nSTEP5_TRACKING_ENGNE=opencv_yunet\n' >.env
STEP5_INSIGHTFACE_CTX_ID=1 TRACKING_CHUNK_MIN=20 "$FACETRACK" track nosuch.mp4 >/dev/null 2>err.txt
check "ignored variable from .env: one warning line with the reason" \
    test "$(grep -c '^facetrack: warn: ignored: STEP5_ONNX_INTRA_OP_THREADS (not supported: .*)$' err.txt)" -eq 1
check "ignored variable from the environment" \
    grep -q '^facetrack: warn: ignored: STEP5_INSIGHTFACE_CTX_ID (not supported: .*)$' err.txt
check "the original's removed variable" grep -q '^facetrack: warn: ignored: TRACKING_CHUNK_MIN (not supported: ' err.txt
check "a misspelt variable is named" \
    grep -qx 'facetrack: warn: ignored: STEP5_TRACKING_ENGNE (unknown setting, from .env)' err.txt
rm .env
"$FACETRACK" track nosuch.mp4 >/dev/null 2>err.txt
check "nothing set: no warning about settings" test -z "$(grep -e ': warn: ignored' -e 'using the default' err.txt)"

# ---- where the .env is found ---------------------------------------------
mkdir -p root sub
printf 'STEP5_BLENDSHAPES_PROFILE=bogus\n' >root/.env
printf 'STEP5_GPU_MAX_VRAM_MB=1\n' >root/other.env
printf 'STEP5_OPENSEEFACE_MODEL_ID=9\n' >.env
(cd sub && FACETRACK_ENV_FILE=../root "$FACETRACK" track nosuch.mp4 >/dev/null 2>../err.txt)
check "FACETRACK_ENV_FILE names the folder: its .env is read" grep -q 'STEP5_BLENDSHAPES_PROFILE=bogus (from ../root/.env)' err.txt
FACETRACK_ENV_FILE=root/other.env "$FACETRACK" track nosuch.mp4 >/dev/null 2>err.txt
check "FACETRACK_ENV_FILE names a file" grep -q 'STEP5_GPU_MAX_VRAM_MB=1 (from root/other.env)' err.txt
check "  and ./.env is then not read" test -z "$(grep STEP5_OPENSEEFACE_MODEL_ID err.txt)"
FACETRACK_ENV_FILE=root/other.env "$FACETRACK" track --env-file root nosuch.mp4 >/dev/null 2>err.txt
check "--env-file wins over FACETRACK_ENV_FILE" grep -q 'STEP5_BLENDSHAPES_PROFILE=bogus (from root/.env)' err.txt
"$FACETRACK" track nosuch.mp4 >/dev/null 2>err.txt
check "else ./.env" grep -q 'STEP5_OPENSEEFACE_MODEL_ID=9 (from .env)' err.txt
FACETRACK_ENV_FILE=root/missing.env "$FACETRACK" track nosuch.mp4 >/dev/null 2>err.txt
check "a named .env that is missing: exit 2, naming it" test $? -eq 2 -a -n "$(grep root/missing.env err.txt)"
rm .env

# ---- the original workers' flags ------------------------------------------
"$FACETRACK" track --mp_landmarker_num_faces 3 --mp_landmarker_min_face_detection_confidence 0.3 \
    --mp_landmarker_min_face_presence_confidence 0.2 --mp_landmarker_min_tracking_confidence 0.3 \
    --mp_landmarker_output_blendshapes --speaking_detection_enabled --mp_num_workers_internal 2 \
    --chunk_size 0 --models_dir /nowhere --mp_max_distance_tracking 80 --mp_frames_unseen_deregister 7 \
    --speaking_detection_jaw_open_threshold 0.08 --object_score_threshold 0.4 \
    nosuch.mp4 >/dev/null 2>err.txt
check "the original worker's flags: accepted" test $? -eq 1
check "  those not acted upon named once each" \
    test "$(grep -c '^facetrack: warn: ignored: --[a-z_]* (not supported: ' err.txt)" -eq 4
check "  --models_dir among them" grep -q '^facetrack: warn: ignored: --models_dir (not supported: ' err.txt

# ---- a real run: a bad .env value takes the default ------------------------
shared=${FT_SHARED_DIR:-}
npm=${FT_NPM_MODELS_DIR:-}
if [ ! -f "$shared/media/faces/videoretalking_face_1.mp4" ] || [ ! -f "$npm/face_detection_full_range.tflite" ]; then
    echo "SKIP (part): shared media or npm models absent: no run with a bad .env value"
else
    export FACETRACK_MODEL_PATH=$shared/models:$npm
    ffmpeg -v error -i "$shared/media/faces/videoretalking_face_1.mp4" -frames:v 8 -an clip.mp4
    printf 'STEP5_EXPORT_VERBOSE_FIELDS=true\nSTEP5_BLENDSHAPES_PROFILE=bogus\n' >.env
    "$FACETRACK" track --workers 1 -o o clip.mp4 >out.txt 2>err.txt
    check "run with a bad .env value: exit 0" test $? -eq 0
    check "  the valid .env value acted upon, the bad one took its default" "$py" - o/clip.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
faces = [o for f in d["frames"] for o in f["tracked_objects"]]
assert faces, "no face tracked"
assert all("landmarks" in o for o in faces), "STEP5_EXPORT_VERBOSE_FIELDS=true not read"
# the default profile, full: every blendshape (or null without the model)
assert all(o["blendshapes"] is None or len(o["blendshapes"]) == 52 for o in faces)
PY
    rm .env
fi

finish
