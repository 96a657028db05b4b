# facetrack serve's Live view over HTTP: --live-source sources listed,
# started (a `facetrack live` worker each) and stopped; a snapshot is the
# worker's shared-memory preview as a JPEG of the stated size with the same
# frame's faces in capture pixels, where the synthetic clip really has its
# face; a missing camera shows its reconnecting reason; SIGTERM to the
# service stops its workers and leaves no shared memory.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
need_face_models
[ -f "${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir media

# A 4:3 capture (480x360) shown in the 640x360 preview: the scales differ.
ffmpeg -v error -ss 1 -i "$FT_SHARED_DIR/media/faces/liveportrait_driving_d6.mp4" -frames:v 1 \
    -vf "crop=300:340:106:60,scale=150:170" face.png
ffmpeg -v error -f lavfi -i "color=c=0x808080:s=480x360:r=25" -i face.png \
    -filter_complex "[0][1]overlay=x='40+8*n':y='60+2*n'" -frames:v 30 -c:v libx264 -threads 1 -crf 12 \
    -pix_fmt yuv420p moving.mp4

"$FACETRACK" serve --port 0 --data-dir data --media-root media --live-source "$work/moving.mp4" \
    --live-source /dev/video99 >serve.out 2>serve.err &
server=$!
pids+=("$server")
for _ in $(seq 100); do grep -q 'listening on' serve.out && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
check "the service listens" test -n "$base"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
post() { curl -s -X POST -H 'Content-Type: application/json' -d '{}' "$@"; }

curl -s "$base/api/live" >list.json
check "two live sources, both stopped" python3 -c '
import json, sys
s = json.load(open("list.json"))["sources"]
sys.exit(0 if [x["running"] for x in s] == [False, False] and s[1]["source"] == "/dev/video99" else 1)'
check "a snapshot of a source that does not run: 409" test "$(code "$base/api/live/0/snapshot")" = 409
check "an unknown source: 404" test "$(code -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/live/7/start")" = 404
post "$base/api/live/0/start" >start.json
check "start: it runs" grep -q '"running":true' start.json
check "start again: 409" test "$(code -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/live/0/start")" = 409
post "$base/api/live/1/start" >/dev/null

got=0
for _ in $(seq 300); do
    if [ "$(curl -s -o snap.json -w '%{http_code}' "$base/api/live/0/snapshot")" = 200 ] &&
        grep -q '"faces":\[{' snap.json; then
        got=1
        break
    fi
    sleep 0.1
done
check "a snapshot with a face comes" test "$got" = 1
check "the snapshot: a 640x360 JPEG of a 480x360 capture, scale 1.333 x 1, the face where the clip has it" \
    python3 - snap.json <<'EOF'
import base64, json, struct, sys
s = json.load(open(sys.argv[1]))
jpeg = base64.b64decode(s['image'].split(',', 1)[1])
# the JPEG's own size, from its start-of-frame marker
i, size = 2, None
while i < len(jpeg):
    marker, length = jpeg[i + 1], struct.unpack('>H', jpeg[i + 2:i + 4])[0]
    if marker in (0xC0, 0xC1, 0xC2):
        h, w = struct.unpack('>HH', jpeg[i + 5:i + 9])
        size = [w, h]
        break
    i += 2 + length
ok = size == s['preview'] == [640, 360] and s['capture'] == [480, 360]
ok = ok and abs(s['scale'][0] - 4 / 3) < 1e-4 and s['scale'][1] == 1
n = s['frame'] % 30  # the frame of the looped 30-frame clip
x, y, w, h = s['faces'][0]['box']
cx, cy = x + w / 2, y + h / 2
# the face image lies at (40 + 8n, 60 + 2n), 150 x 170, in capture pixels
inside = 40 + 8 * n <= cx <= 40 + 8 * n + 150 and 60 + 2 * n <= cy <= 60 + 2 * n + 170
print(f'  JPEG {size}, frame {s["frame"]} (clip frame {n}), box centre ({cx:.1f}, {cy:.1f}), '
      f'{len(s["faces"][0]["landmarks"])} landmarks')
sys.exit(0 if ok and inside and len(s['faces'][0]['landmarks']) == 478 else 1)
EOF
for _ in $(seq 100); do
    curl -s "$base/api/live/1" >cam.json
    grep -q '"state":"reconnecting"' cam.json && break
    sleep 0.1
done
check "a missing camera: reconnecting, saying why" grep -q '"message":"/dev/video99: cannot open: No such file' cam.json
for _ in $(seq 100); do
    curl -s "$base/api/live/0" >src0.json
    grep -q '"heartbeat":{' src0.json && break
    sleep 0.1
done
worker=$(json_int pid <src0.json)
check "the running source's heartbeat is there" grep -q '"heartbeat":{"type":"heartbeat"' src0.json
post "$base/api/live/0/stop" >stop.json
check "stop: it no longer runs, exit 143 (SIGTERM)" grep -q '"running":false.*"exit_code":143' stop.json
check "its worker is gone" sh -c '! kill -0 "$1" 2>/dev/null' _ "$worker"
check "its shared memory is gone" test "$(ls /dev/shm | grep -c "^facetrack-live-$worker-")" -eq 0
check "stop again: 409" test "$(code -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/live/0/stop")" = 409
camera=$(curl -s "$base/api/live/1" | json_int pid)
kill -TERM "$server"
wait "$server"
check "SIGTERM: the service exits 0" test $? -eq 0
check "and its running worker is stopped" sh -c '! kill -0 "$1" 2>/dev/null' _ "$camera"
check "the service's stderr is clean" test ! -s serve.err

finish
