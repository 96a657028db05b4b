# facetrack serve's MJPEG stream of a live source (GET /api/live/N/stream),
# with a token: live_stream_check.py reads it as HTTP clients do and checks
# the parts, the frame ids, the results against the synthetic clip's known
# motion, stalled and departing clients, the end when the worker stops;
# then SIGTERM to the service with a stream open: exit 0, no shared memory left.
. "$(dirname "$0")/lib.sh"
need_face_models
[ -f "${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir media

# The clip of serve_live.sh: a 4:3 capture (480x360) in the 640x360 preview.
ffmpeg -v error -ss 1 -i "$FT_SHARED_DIR/media/faces/liveportrait_driving_d6.mp4" -frames:v 1 \
    -vf "crop=300:340:106:60,scale=150:170" face.png
ffmpeg -v error -f lavfi -i "color=c=0x808080:s=480x360:r=25" -i face.png \
    -filter_complex "[0][1]overlay=x='40+8*n':y='60+2*n'" -frames:v 30 -c:v libx264 -threads 1 -crf 12 \
    -pix_fmt yuv420p moving.mp4

token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$FACETRACK" serve --port 0 --data-dir data --media-root media --token "$token" \
    --live-source "$work/moving.mp4" >serve.out 2>serve.err &
server=$!
for _ in $(seq 100); do grep -q 'listening on' serve.out && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
check "the service listens" test -n "$base"

timeout 150 python3 "$here/live_stream_check.py" "$base" "$token" "$server"
check "the stream's checks (above) pass" test $? -eq 0

# SIGTERM with a stream open: the service stops it, its worker, and exits 0.
curl -s -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    "$base/api/live/0/start" >start.json
worker=$(json_int pid <start.json)
for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
        "$base/api/live/0/snapshot")" = 200 ] && break
    sleep 0.1
done
# A player that knows nothing of the part headers: ffmpeg's MJPEG demuxer.
timeout 30 ffmpeg -v error -f mpjpeg -i "$base/api/live/0/stream?token=$token" -frames:v 5 \
    -f framemd5 - >player.txt 2>player.err
check "ffmpeg plays the stream as plain MJPEG: 5 frames of 640x360" \
    sh -c 'grep -q "^#dimensions 0: 640x360" player.txt && [ "$(grep -c "^0," player.txt)" -eq 5 ]'
curl -s -N -H "Authorization: Bearer $token" "$base/api/live/0/stream" >open_stream.bin &
reader=$!
sleep 1
kill -TERM "$server"
t0=$(date +%s.%N)
wait "$server"
status=$?
server=
check "SIGTERM with a stream open: exit 0 (after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s)" \
    test "$status" -eq 0
wait "$reader"
check "the open stream had received parts" grep -aq 'X-Frame-Id' open_stream.bin
check "the worker is gone" sh -c '! kill -0 "$1" 2>/dev/null' _ "$worker"
check "no shared memory left" test "$(ls /dev/shm | grep -c "^facetrack-live-$worker-")" -eq 0
check "the service's stderr is clean" test ! -s serve.err
[ -s serve.err ] && head -n 5 serve.err
finish
