# facetrack live: a file played as a camera gives, frame for frame, the
# faces and boxes `facetrack track` gives (landscape, portrait and rotated
# clips); the control channel (ping, pause, resume, get_stats, reset_stats,
# stop) and the shared-memory preview read by both reader examples; two
# sources run as two worker processes, --fps holding them to 5 fps; a UDP
# MPEG-TS stream served by ffmpeg that dies is reconnected to with growing
# delays and recovers; an HTTP stream that ends is a loss, and
# --max-retries gives up; a missing camera retries with 1, 2, 4 s; SIGTERM
# and SIGKILL leave no socket or shared memory behind (the next worker
# cleans what a killed one left).
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
client() { timeout 30 python3 "$FT_SOURCE_DIR/tests/integration/live_client.py" "$@"; }
# wait_for FILE PATTERN [COUNT] [TIMEOUT_S]: until COUNT lines of FILE match
wait_for() {
    local i
    for i in $(seq $((${4:-20} * 20))); do
        [ "$(grep -c -e "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
        sleep 0.05
    done
    echo "  timed out waiting for $3 x '$2' in $1"
    return 1
}
shm_left() { ls /dev/shm | grep -c "^facetrack-live-$1-" ; }

# Usage errors and missing files: one line, no worker.
refused "no source given" -- live
refused "nope.mp4: No such file or directory" -- live nope.mp4
refused "--stdout all takes one source" -- live --stdout all a.mp4 b.mp4
refused "--preview needs WxH" -- live --preview 960 a.mp4

need_face_models
[ -f "${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found"
src=$FT_SHARED_DIR/media/faces/liveportrait_driving_d6.mp4

# --- coordinates: live --every-frame == track, frame by frame -------------
compare() { # compare TRACK_JSON LIVE_JSONL: boxes within 1 px, same faces, pose, blendshapes
    python3 - "$1" "$2" <<'EOF'
import json, math, sys
track = json.load(open(sys.argv[1]))['frames']
live = {}
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e['type'] == 'frame':
        live[e['frame']] = e
if len(live) != len(track):
    sys.exit(f'  {len(live)} live frames, {len(track)} tracked')
ids, worst, faces = {}, 0.0, 0
for fr in track:
    got = live[fr['frame'] - 1]
    T, L = fr['tracked_objects'], got['faces']
    if len(T) != len(L):
        sys.exit(f"  frame {fr['frame']}: {len(L)} faces live, {len(T)} tracked")
    for t in T:
        def dist(f):
            x, y, w, h = f['box']
            return max(abs(math.floor(x) - t['bbox_xmin']), abs(math.ceil(x + w) - t['bbox_xmax']),
                       abs(math.floor(y) - t['bbox_ymin']), abs(math.ceil(y + h) - t['bbox_ymax']))
        f = min(L, key=dist)
        d = dist(f)
        worst = max(worst, d)
        faces += 1
        # the same face keeps the same live id wherever track keeps its id
        if ids.setdefault(t['id'], f['id']) != f['id']:
            sys.exit(f"  frame {fr['frame']}: {t['id']} is live id {f['id']}, was {ids[t['id']]}")
        if d > 1:
            sys.exit(f"  frame {fr['frame']}: box {f['box']} vs track {t['bbox_xmin']}..{t['bbox_xmax']}, "
                     f"{t['bbox_ymin']}..{t['bbox_ymax']}")
        if t.get('head_pose') and f['pose']:
            dp = max(abs(t['head_pose'][k] - f['pose'][k]) for k in ('yaw', 'pitch', 'roll'))
            if dp > 0.011:
                sys.exit(f"  frame {fr['frame']}: pose differs by {dp} degrees")
        if t.get('blendshapes') and f['blendshapes']:
            db = max(abs(t['blendshapes'][k] - f['blendshapes'][k]) for k in t['blendshapes']
                     if k in f['blendshapes'])
            if db > 2e-4:
                sys.exit(f"  frame {fr['frame']}: blendshapes differ by {db}")
if faces < len(track) // 2:
    sys.exit(f'  only {faces} faces in {len(track)} frames: nothing compared')
print(f'  {len(track)} frames, {faces} faces, largest box difference {worst} px')
EOF
}
for size in 320x240 240x320; do
    ffmpeg -v error -i "$src" -frames:v 30 -vf "scale=${size/x/:}" -c:v libx264 -threads 1 -g 25 -pix_fmt yuv420p \
        -an "clip_$size.mp4" || fail "cannot make the $size clip"
    "$FACETRACK" track --workers 1 --chunk-frames 1000 --progress none -o trk "clip_$size.mp4" 2>/dev/null
    timeout 120 "$FACETRACK" live --every-frame --stdout all --no-preview --socket "$work/c.sock" \
        "clip_$size.mp4" >"live_$size.jsonl" 2>"live_$size.err"
    check "live on a $size file exits 0 at its end" test $? -eq 0
    check "live gives track's faces and boxes on every frame ($size)" compare "trk/clip_$size.json" "live_$size.jsonl"
    check "its 'connected' event has the frames' real size ($size)" \
        grep -q "\"connected\".*\"width\":${size%x*},\"height\":${size#*x}" "live_$size.jsonl"
done

# A file with a rotation in its metadata is turned upright, as track does.
ffmpeg -v error -i clip_320x240.mp4 -c copy -metadata:s:v:0 rotate=90 rotated.mp4
"$FACETRACK" track --workers 1 --chunk-frames 1000 --progress none -o trk rotated.mp4 2>/dev/null
timeout 120 "$FACETRACK" live --every-frame --stdout all --no-preview --socket "$work/c.sock" \
    rotated.mp4 >live_rotated.jsonl 2>live_rotated.err
check "a rotated file is played upright (240x320)" grep -q '"connected".*"width":240,"height":320' live_rotated.jsonl
check "and gives track's faces and boxes on every frame" compare trk/rotated.json live_rotated.jsonl

# --- control channel and shared memory, on a looped file played in real time
ffmpeg -v error -i "$src" -frames:v 60 -vf scale=640:360 -c:v libx264 -threads 1 -g 25 -pix_fmt yuv420p -an wide.mp4
timeout 120 "$FACETRACK" live --loop --socket "$work/w.sock" --preview 480x480 wide.mp4 >w.jsonl 2>w.err &
lv=$!
pids+=("$lv")
wait_for w.jsonl '"type":"heartbeat".*"state":"running"' 1 60
client "$work/w.sock" 'send:{"cmd":"ping","id":"p1"}' expect:pong >pong.txt
check "ping is answered by a pong with its id" grep -q '"type": "pong".*"id": "p1"' pong.txt
client "$work/w.sock" frames:3 send:pause expect:ok sleep:0.6 send:get_stats expect:stats sleep:0.8 \
    send:get_stats expect:stats send:resume expect:ok sleep:0.8 send:get_stats expect:stats >pause.txt
check "paused, no frame is analysed; resumed, frames are analysed again" python3 - pause.txt <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l]
a, b, c = (x['frames'] for x in s)
ok = s[0]['state'] == 'paused' and a == b and c > b and s[1]['skipped_paused'] > s[0]['skipped_paused']
print(f'  frames {a} {b} {c}, states {[x["state"] for x in s]}')
sys.exit(0 if ok else 1)
EOF
# (paused, so that no frame is analysed between the reset and the count)
client "$work/w.sock" send:pause expect:ok sleep:0.5 send:reset_stats expect:ok send:get_stats expect:stats \
    send:resume expect:ok send:bogus expect:error >reset.txt
check "reset_stats starts the counters again" grep -q '"type": "stats".*"frames": 0, "faces": 0, "captured": [0-9]' reset.txt
check "an unknown command is an error line" grep -q '"type": "error".*unknown command' reset.txt
name=$(sed -n 's/.*"shm":{"name":"\([^"]*\)".*/\1/p' w.jsonl | head -1)
check "ready names the shared memory" test -n "$name"
if cc -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Werror -o shm_reader "$FT_SOURCE_DIR/examples/live/shm_reader.c" -lrt; then
    ./shm_reader "$name" >shm.txt
    check "the C reader reads a frame of capture size 640x360 in a 480x480 preview" \
        grep -q '"capture":\[640,360\],"preview":\[480,480\],"scale":\[0.750000,1.333333\]' shm.txt
    check "10000 reads while the worker writes: no torn frame" \
        sh -c './shm_reader --check 10000 "$1" | tee check.txt | grep -q "\"torn\":0"' _ "$name"
    cat check.txt
else
    fail "the C reader example does not build"
fi
numpy_python=""
for py in python3 /usr/bin/python3; do
    "$py" -c 'import numpy' 2>/dev/null && { numpy_python=$py; break; }
done
if [ -n "$numpy_python" ]; then
    check "the Python reader reads the same layout" sh -c \
        '"$1" "$2/examples/live/shm_reader.py" --npy p.npy "$3" | grep -q "\"capture\": \[640, 360\], \"preview\": \[480, 480\]"' \
        _ "$numpy_python" "$FT_SOURCE_DIR" "$name"
else
    echo "  (the Python reader is not run: no numpy)"
fi
client "$work/w.sock" send:stop expect:stopped >stop.txt
wait "$lv"
check "stop: 'stopped' to the client, exit 0" test $? -eq 0
check "stopped says why" grep -q '"reason": "stop command"' stop.txt
check "the socket is removed" test ! -e "$work/w.sock"
check "the shared memory is removed" test ! -e "/dev/shm${name}"
check "heartbeats carry fps and latency" grep -q '"heartbeat".*"fps":[0-9.]*,"capture_fps".*"latency_ms":[0-9.]' w.jsonl

# --- two sources: a worker process each, a socket each, one signal stops both
timeout 120 "$FACETRACK" live --loop --no-preview --fps 5 --socket "$work/m.sock" clip_320x240.mp4 wide.mp4 \
    >m.jsonl 2>m.err &
lv=$!
pids+=("$lv")
client "$work/m.sock.0" frames:2 send:ping expect:pong send:reset_stats expect:ok sleep:2 \
    send:get_stats expect:stats >m0.txt
client "$work/m.sock.1" frames:2 send:ping expect:pong >m1.txt
check "--fps 5: at most 5 frames a second analysed, the others skipped" python3 - m0.txt <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][0]
print(f"  {s['fps']} fps analysed, {s['skipped_fps']} skipped, {s['captured']} captured in {s['seconds']} s")
# a machine too busy for 5 fps skips nothing: then it must at least stay under
sys.exit(0 if s['fps'] <= 5.5 and (s['skipped_fps'] > 0 or s['fps'] < 4.5) else 1)
EOF
check "two sources: two workers, each answering on its own socket" \
    sh -c 'grep -q "\"source\": 0" m0.txt && grep -q "\"source\": 1" m1.txt'
check "two sources: two processes" test "$(grep '"type":"ready"' m.jsonl | json_int pid | sort -u | wc -l)" -eq 2
kill -TERM "$lv"
wait "$lv"
check "SIGTERM to the parent: both workers stop, exit 143" test $? -eq 143
check "both say stopped" test "$(grep -c '"type":"stopped".*"reason":"signal 15"' m.jsonl)" -eq 2
check "no socket is left" sh -c '! ls "$1"/m.sock* 2>/dev/null | grep -q .' _ "$work"

# --- several sources and --gpu: the parent asks for the GPUs in a child
# (CUDA does not survive the fork of the workers); without one, the
# original's refusal with STEP5_GPU_FALLBACK_AUTO=0, no worker started
if ! "$FACETRACK" doctor --gpu >/dev/null 2>&1; then
    STEP5_GPU_FALLBACK_AUTO=0 timeout 30 "$FACETRACK" live --gpu --no-preview --socket "$work/g.sock" \
        clip_320x240.mp4 wide.mp4 >g.jsonl 2>g.err
    check "two sources, --gpu, no GPU, no fallback: exit 1 with the reason" \
        sh -c 'test $1 -eq 1 && grep -q "GPU requested but unavailable: .*(STEP5_GPU_FALLBACK_AUTO=0)" g.err' _ $?
    check "... and no worker" test ! -s g.jsonl
fi

# --- a network stream that dies and comes back -----------------------------
port=$((20000 + RANDOM % 20000))
serve_udp() {
    ffmpeg -v error -re -stream_loop -1 -i wide.mp4 -c copy -f mpegts "udp://127.0.0.1:$port?pkt_size=1316" &
    ff=$!
    pids+=("$ff")
}
serve_udp
timeout 120 "$FACETRACK" live --timeout 0.5 --reconnect-initial 0.25 --reconnect-max 0.5 --no-preview \
    --socket "$work/u.sock" "udp://127.0.0.1:$port" >u.jsonl 2>u.err &
lv=$!
pids+=("$lv")
wait_for u.jsonl '"type":"connected"' 1 30
check "the UDP stream connects" grep -q '"connected".*"codec":"h264","width":640,"height":360' u.jsonl
kill "$ff"
wait "$ff" 2>/dev/null
wait_for u.jsonl '"type":"reconnecting"' 3 30
serve_udp
wait_for u.jsonl '"type":"connected"' 2 30
before=$(grep -c '"type":"reconnecting"' u.jsonl)
check "backoff: delays 0.25, 0.5, 0.5 s (doubling, capped) with attempts 1, 2, 3" sh -c \
    "grep '\"type\":\"reconnecting\"' u.jsonl | head -3 | sed 's/.*\"attempt\":\([0-9]*\),\"delay_s\":\([0-9.]*\),.*/\1 \2/' | tr '\n' ' ' | grep -qx '1 0.25 2 0.5 3 0.5 '"
check "each attempt is reported with its reason" grep -q '"type":"reconnecting".*"reason":"udp://127.0.0.1:[0-9]*: ' u.jsonl
frames_then=$(grep '"heartbeat"' u.jsonl | tail -1 | json_int frames)
sleep 1.5
frames_now=$(grep '"heartbeat"' u.jsonl | tail -1 | json_int frames)
check "after the stream is back, frames are analysed again ($frames_then -> $frames_now)" test "$frames_now" -gt "$frames_then"
check "no more reconnecting once connected" test "$(grep -c '"type":"reconnecting"' u.jsonl)" -eq "$before"
kill -TERM "$lv"
wait "$lv"
check "SIGTERM: exit 143" test $? -eq 143
check "SIGTERM: 'stopped' is the last line" sh -c 'tail -1 u.jsonl | grep -q "\"stopped\".*\"reason\":\"signal 15\""'
check "SIGTERM: the socket is removed" test ! -e "$work/u.sock"
kill "$ff" 2>/dev/null

# --- an HTTP stream that ends: a loss like any other, and --max-retries gives up
hport=$((20000 + RANDOM % 20000))
ffmpeg -v error -re -i wide.mp4 -c copy -f mpegts -listen 1 "http://127.0.0.1:$hport/live.ts" 2>/dev/null &
ff=$!
pids+=("$ff")
# until it listens (state 0A in /proc/net/tcp): it serves one client only
for _ in $(seq 100); do
    grep -q ":$(printf '%04X' "$hport") 00000000:0000 0A" /proc/net/tcp && break
    sleep 0.05
done
timeout 60 "$FACETRACK" live --no-preview --timeout 1 --max-retries 1 --reconnect-initial 0.1 \
    --socket "$work/h.sock" "http://127.0.0.1:$hport/live.ts" >h.jsonl 2>h.err
rc=$?
check "HTTP: connected, frames analysed" sh -c 'grep -q "\"connected\".*\"width\":640,\"height\":360" h.jsonl && grep -q "\"heartbeat\".*\"frames\":[1-9]" h.jsonl'
check "HTTP: its end is a loss, retried once" grep -q '"type":"reconnecting","source":0,"wall_time":[0-9.]*,"attempt":1,"delay_s":0.1,"reason":"http://127.0.0.1:[0-9]*/live.ts: end of stream"' h.jsonl
check "HTTP: then given up: exit 1, one line naming the stream" sh -c \
    'test "$1" -eq 1 && test "$(grep -vc ": warn: " h.err)" -eq 1 && grep -q "^facetrack live: http://127.0.0.1:[0-9]*/live.ts: cannot open: .*gave up after 1 attempt" h.err' _ "$rc"
kill "$ff" 2>/dev/null

# --- a camera that is not there ---------------------------------------------
timeout 60 "$FACETRACK" live --socket "$work/d.sock" /dev/video99 >d.jsonl 2>d.err &
lv=$!
pids+=("$lv")
wait_for d.jsonl '"type":"reconnecting"' 3 20
client "$work/d.sock" send:stop expect:stopped >/dev/null
wait "$lv"
check "a missing camera: retried, then stopped cleanly (exit 0)" test $? -eq 0
check "a missing camera: delays 1, 2, 4 s, each naming the device and the reason" sh -c \
    "grep '\"type\":\"reconnecting\"' d.jsonl | head -3 | grep -c '\"delay_s\":[124],\"reason\":\"/dev/video99: cannot open: No such file or directory' | grep -qx 3"
t1=$(grep '"type":"reconnecting"' d.jsonl | sed -n '2s/.*"wall_time":\([0-9.]*\).*/\1/p')
t2=$(grep '"type":"reconnecting"' d.jsonl | sed -n '3s/.*"wall_time":\([0-9.]*\).*/\1/p')
check "the 2 s delay was waited ($t1 -> $t2)" python3 -c "import sys; d=$t2-$t1; sys.exit(0 if 1.9 < d < 2.6 else 1)"
refused "/dev/video99: cannot open: No such file or directory" -- \
    live --max-retries 2 --reconnect-initial 0.05 /dev/video99

# --- a killed worker's leftovers are removed by the next one ---------------
timeout 60 "$FACETRACK" live --loop --socket "$work/k.sock" wide.mp4 >k.jsonl 2>k.err &
lv=$!
pids+=("$lv")
wait_for k.jsonl '"type":"ready"' 1 60
worker=$(grep '"type":"ready"' k.jsonl | json_int pid)
kill -KILL "$worker"
wait "$lv" 2>/dev/null
check "SIGKILL leaves its shared memory (nothing could remove it)" test "$(shm_left "$worker")" -eq 1
timeout 60 "$FACETRACK" live --socket "$work/k.sock" clip_320x240.mp4 >k2.jsonl 2>k2.err
check "the next worker runs on the socket file the killed one left" test $? -eq 0
check "and removed the killed worker's shared memory" test "$(shm_left "$worker")" -eq 0

# Every line any worker wrote above, against the channels' JSON Schema.
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    check "every line written matches schemas/live_event.schema.json" /usr/bin/python3 - \
        "$FT_SOURCE_DIR/schemas/live_event.schema.json" ./*.jsonl pong.txt pause.txt reset.txt stop.txt m0.txt m1.txt <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
lines = bad = 0
types = set()
for path in sys.argv[2:]:
    for n, line in enumerate(open(path), 1):
        if not line.startswith('{'):
            continue
        e = json.loads(line)
        lines += 1
        types.add(e.get('type'))
        for err in list(v.iter_errors(e))[:1]:
            bad += 1
            print(f'  {path}:{n}: {err.json_path}: {err.message[:160]}')
print(f'  {lines} lines, types {sorted(types)}')
sys.exit(1 if bad or lines == 0 else 0)
EOF
else
    echo "  (the schema check is not run: no jsonschema module for /usr/bin/python3)"
fi

finish
