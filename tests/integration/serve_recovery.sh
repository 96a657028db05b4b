# Crash recovery of facetrack serve: a scenes + track job is running when
# the server is killed with SIGKILL. Its child dies with it; on restart the
# job is interrupted and no partial output remains; retried, it does only
# the videos left, and every output is complete and schema-valid.
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}
command -v curl >/dev/null || skip_test "curl not installed"
[ -d "$shared/media/faces" ] || skip_test "shared media not found at '$shared'"
need_face_models
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip_test "python3-jsonschema is not installed"
validate="/usr/bin/python3 $FT_SOURCE_DIR/tests/tools/validate_json.py"
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1

# 24 names (hard links) of one short face clip; sanitizer builds are slower.
frames=60
[ "${FT_SANITIZED:-0}" = 1 ] && frames=20
mkdir -p media/faces
ffmpeg -v error -i "$shared/media/faces/videoretalking_face_1.mp4" -frames:v "$frames" -c:v libx264 \
    -pix_fmt yuv420p -an media/faces/f00.mp4
for i in $(seq 1 23); do ln media/faces/f00.mp4 "media/faces/f$(printf %02d "$i").mp4"; done

start() {
    "$FACETRACK" serve --port 0 --media-root media --data-dir data >serve.out 2>&1 &
    server=$!
    for _ in $(seq 50); do grep -q 'listening on' serve.out && break; sleep 0.1; done
    base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
}
field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
job() { curl -s "$base/api/jobs/1" | field "$1"; }
track_child() { pgrep -f "track --progress json.*--videos-json $work/data/jobs/" >/dev/null; }

start
curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"inputs": [{"root": 0, "path": "faces"}], "steps": ["scenes", "track"], "options": {"workers": 1}}' \
    "$base/api/jobs" >/dev/null
# Kill it once the track step has finished some videos and works on others.
for _ in $(seq 1200); do
    [ "$(job 'd["step"] == "track" and sum(v["state"] == "done" for v in d["videos"]) > 0')" = True ] && break
    sleep 0.1
done
check "the job is tracking, some videos done" track_child
kill -9 "$server"
wait "$server" 2>/dev/null
server=
for _ in $(seq 50); do track_child || break; sleep 0.1; done
check "SIGKILL of the server: its child dies with it" test -z "$(pgrep -f "track --progress json.*--videos-json $work/data/jobs/")"

start
check "restart: the job is interrupted" test "$(job 'd["state"]')" = interrupted
check "... no temporary file remains" test -z "$(ls -A media/faces | grep '^\.')"
done_before=$(job 'sum(v["state"] == "done" for v in d["videos"])')
check "... its videos: $done_before done, the others pending" \
    test "$done_before" -ge 1 -a "$(job 'sum(v["state"] == "pending" for v in d["videos"])')" -eq $((24 - done_before))
check "resume: the job is queued again (or already running)" \
    grep -qE '^(queued|running)$' <(curl -s -X POST -H 'Content-Type: application/json' -d '{}' \
    "$base/api/jobs/1/retry" | field 'd["state"]')
for _ in $(seq 1800); do [ "$(job 'd["state"]')" = succeeded ] && break; sleep 0.1; done
check "... it succeeds" test "$(job 'd["state"]')" = succeeded
check "... the videos done before were not redone" \
    test "$(grep '^== track: ' data/jobs/1.log | tail -n 1)" = "== track: $((24 - done_before)) videos"
check "... every video has its outputs" test "$(ls media/faces/*.json | wc -l)" -eq 48 -a \
    "$(ls media/faces/*.csv | wc -l)" -eq 24
check "... the tracking outputs are schema-valid" $validate "$FT_SOURCE_DIR/schemas/tracking_raw.schema.json" media/faces/f??.json
check "... and complete: track skips every one of them" \
    grep -q '"skipped":24' <("$FACETRACK" track --progress json media/faces 2>/dev/null)
kill -TERM "$server"
wait "$server"
server=
finish
