# facetrack scenes on a small synthetic sweep made at run time
# (bench/make_scene_sweep.py --small: ffmpeg's test sources, a few seconds):
# flashes of 1 and 3 frames, white and black, are no cut; the hard cuts are
# exact; a dissolve, a wipe, an iris, a clock wipe and a slide between moving
# shots are found as gradual transitions; a fast pan, a zoom and a whip pan are no
# cut.
. "$(dirname "$0")/lib.sh"
src=${FT_SOURCE_DIR:?}
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

/usr/bin/python3 "$src/bench/make_scene_sweep.py" --small sweep 2>/dev/null
check "the sweep is made" test -s sweep/truth.json
"$FACETRACK" scenes --json --progress none -o found sweep/*.mp4 sweep/sources/*.mp4 >/dev/null 2>err.txt
check "exit 0" test $? -eq 0
/usr/bin/python3 "$src/bench/score_scene_sweep.py" --json score.json sweep found >table.txt
check "scored" test $? -eq 0

# holds EXPRESSION: the Python expression holds for S, the scores.
holds() {
    /usr/bin/python3 - score.json "$1" <<'PY' || { cat table.txt; return 1; }
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
check "no cut at a flash" holds 's["flash_false_cuts"] == 0'
check "no cut at all in the flash clips" holds 's["flash_clip_false_cuts"] == 0'
check "hard cuts: F1 1" holds 's["hard_cut_f1"] == 1'
check "no cut in the camera moves" holds 's["motion_false_cuts"] == 0'
check "the dissolve is found" holds 's["gradual_recall_by_type"]["dissolve"] == 1'
check "the wipe is found" holds 's["gradual_recall_by_type"]["wipeleft"] == 1'
check "the iris is found" holds 's["gradual_recall_by_type"]["circleopen"] == 1'
check "the clock wipe is found" holds 's["gradual_recall_by_type"]["radial"] == 1'
check "the slide is found" holds 's["gradual_recall_by_type"]["slideleft"] == 1'
check "no false gradual transition" holds 's["gradual_precision"] == 1'
check "a wipe's type in the JSON" grep -q '"type": "wipe"' found/wipeleft_*_scenes.json
finish
