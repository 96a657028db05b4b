# An engine plugs in through the registry alone: the test engine
# test_brightspot (tests/engines/, linked into a copy of the program) is
# listed by `engines`, runs under `track` (raw and reduced, several workers,
# shot cuts), `detect` and a `serve` job, and its objects carry its own
# source and label into outputs valid against the schemas.
. "$(dirname "$0")/lib.sh"
: "${FACETRACK_TEST_ENGINES:?FACETRACK_TEST_ENGINES must name the program with the test engines}"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
command -v curl >/dev/null || skip_test "curl not installed"
py=/usr/bin/python3
"$py" -c 'import jsonschema' 2>/dev/null || skip_test "$py with the jsonschema module not found"
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
validate() { "$py" "$src/tests/tools/validate_json.py" "$@" >/dev/null; }
field() { "$py" -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
ft=$FACETRACK_TEST_ENGINES
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p media/clips out

# A white square moving right over grey, 60 frames; at frame 30 (1-based,
# overlay's n) a cut, where it jumps to the right and moves back left.
ffmpeg -v error -f lavfi -i "color=gray:size=320x240:rate=25:duration=2.4" \
    -f lavfi -i "color=white:size=24x24:rate=25:duration=2.4" \
    -filter_complex "[0][1]overlay=x='if(lt(n,30),20+3*n,250-3*(n-30))':y=100" \
    -pix_fmt yuv420p media/clips/spot.mp4
printf 'No,Timecode In,Timecode Out,Frame In,Frame Out\n1,00:00:00.000,00:00:01.120,1,29\n2,00:00:01.160,00:00:02.360,30,60\n' \
    >media/clips/spot.csv

check "engines: the test engine is listed and available" \
    test "$("$ft" engines --json | field '[(e["available"], e["landmarks"], e["source"], e["label"]) for e in d["engines"] if e["name"] == "test_brightspot"][0]')" = \
    "(True, 5, 'object_detector', 'bright_spot')"
check "engines: the program without it does not list it" \
    test "$("$FACETRACK" engines --json | field 'len([e for e in d["engines"] if e["name"] == "test_brightspot"])')" = 0
check "engines: an unknown engine is refused with the list" \
    bash -c "! '$ft' track --engine nosuch media/clips/spot.mp4 2>&1 | grep -q 'unknown engine.*test_brightspot'; [ \${PIPESTATUS[0]} -ne 0 ] || exit 1"

for workers in 1 3; do
    "$ft" track --engine brightspot --workers $workers --force -o out/w$workers media/clips/spot.mp4 \
        >/dev/null 2>out/w$workers.log
    check "track ($workers workers): exit 0" test $? -eq 0
    raw=out/w$workers/spot.json
    check "track ($workers workers): valid raw output" validate "$src/schemas/tracking_raw.schema.json" "$raw"
    check "track ($workers workers): the engine's name, source and label" \
        test "$(field '(d["metadata"]["tracking_engine"], sorted({(o["source"], o["label"]) for f in d["frames"] for o in f["tracked_objects"]}))' <"$raw")" = \
        "('test_brightspot', [('object_detector', 'bright_spot')])"
    check "track ($workers workers): the spot in every frame, following it" \
        test "$(field 'all(len(f["tracked_objects"]) == 1 and abs(f["tracked_objects"][0]["centroid_x"] - ((20 + 3 * (i + 1) + 12) if i < 29 else (250 - 3 * (i - 29) + 12))) <= 10 for i, f in enumerate(d["frames"]))' <"$raw")" = True
    check "track ($workers workers): one ID per shot, a new one after the cut" \
        test "$(field '[sorted({o["id"] for f in d["frames"][a:b] for o in f["tracked_objects"]}) for a, b in ((0, 29), (29, 60))]' <"$raw")" = \
        "[['obj_1'], ['obj_2']]"
done
check "track: 1 and 3 workers write the same file" cmp -s out/w1/spot.json out/w3/spot.json
"$ft" track --engine test_brightspot --format reduced --force -o out/reduced media/clips/spot.mp4 >/dev/null 2>&1
check "track: valid reduced output" \
    validate "$src/schemas/tracking_reduced.schema.json" out/reduced/spot_tracking.json

ffmpeg -v error -i media/clips/spot.mp4 -frames:v 1 still.png
check "detect --engine: one face with 5 landmarks" \
    test "$("$ft" detect --engine test_brightspot still.png | field '[len(f["landmarks"]) for f in d["faces"]]')" = "[5]"

"$ft" serve --port 0 --media-root media --data-dir data >serve.out 2>&1 &
server=$!
for _ in $(seq 50); do grep -q 'listening on' serve.out && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
[ -n "$base" ] || { cat serve.out; fail "the server starts"; finish; }
check "serve: /api/engines lists the test engine as available" \
    test "$(curl -s "$base/api/engines" | field '[e["available"] for e in d["engines"] if e["name"] == "test_brightspot"][0]')" = True
curl -s -X POST -H 'Content-Type: application/json' \
    --data-binary '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"engine": "test_brightspot", "force": true}}' \
    "$base/api/jobs" >job.json
state=
for _ in $(seq 300); do
    state=$(curl -s "$base/api/jobs/1" | field 'd["state"]')
    case $state in succeeded | failed | cancelled) break ;; esac
    sleep 0.1
done
check "serve: a track job with the test engine succeeds" test "$state" = succeeded
check "serve: its output is the engine's" \
    test "$(curl -s "$base/api/results/tracking?root=0&path=clips/spot.mp4" | field 'd["metadata"]["tracking_engine"]')" = test_brightspot
# No model search path names the shared models here: openseeface's are missing.
check "serve: a job naming an engine whose models are missing is refused with the reason" \
    test "$(curl -s -X POST -H 'Content-Type: application/json' --data-binary '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"engine": "openseeface"}}' "$base/api/jobs" | field 'd["error"]["message"].split(":")[0]')" = \
    "engine 'openseeface' is not available"
finish
