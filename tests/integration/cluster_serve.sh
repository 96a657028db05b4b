# facetrack serve --executor slurm on a private single-machine Slurm cluster
# (slurm_cluster.sh): a job's steps run as job arrays through `facetrack
# cluster run`, and go through the same API as local ones: the job runs to
# the end with its videos' progress in the event stream and its log, its
# outputs byte-identical to a local `track`; cancelling a running job
# through the API cancels its array (the queue empties) and leaves no
# partial output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slurm_cluster.sh"
why=$(slurm_cluster_missing)
[ -z "$why" ] || skip_test "$why"
command -v curl >/dev/null || skip_test "curl not installed"
npm=${FT_NPM_MODELS_DIR:-}
[ -f "$npm/face_detection_full_range.tflite" ] || skip_test "npm models not installed in '$npm'"
export FACETRACK_MODEL_PATH=$npm
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    slurm_cluster_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
cd "$work" || exit 1

src=${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4
make_clip() { # make_clip NAME FRAMES
    if [ -f "$src" ]; then
        ffmpeg -v error -stream_loop -1 -i "$src" -frames:v "$2" -vf scale=160:160 -c:v libx264 \
            -g 25 -pix_fmt yuv420p -an "$1"
    else
        ffmpeg -v error -f lavfi -i "testsrc2=size=160x160:rate=25" -frames:v "$2" -c:v libx264 \
            -g 25 -pix_fmt yuv420p "$1"
    fi
}
mkdir -p media/clips media/long
for i in 1 2 3; do make_clip "media/clips/c$i.mp4" 20 || fail "cannot make clip $i"; done
long_frames=3000 # cancelled mid-way: its length costs only its encoding
make_clip media/long/long.mp4 $long_frames || fail "cannot make the long clip"

slurm_cluster_start "$work/cluster" || { fail "private Slurm cluster started"; finish; }
"$FACETRACK" serve --port 0 --media-root media --data-dir data --executor slurm \
    --cluster-option --tasks=2 --cluster-option --partition=debug >serve.out 2>&1 &
server=$!
for _ in $(seq 50); do grep -q 'listening on' serve.out && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
[ -n "$base" ] || { cat serve.out; fail "the server starts"; finish; }

post() { curl -s -X POST -H 'Content-Type: application/json' --data-binary "$2" "$base$1"; }
field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
wait_state() { # wait_state ID STATE SECONDS
    local s
    for _ in $(seq $(($3 * 10))); do
        s=$(curl -s "$base/api/jobs/$1" | field 'd["state"]')
        [ "$s" = "$2" ] && return 0
        sleep 0.1
    done
    echo "  job $1 is $s, not $2"
    return 1
}
temps() { find "$@" -name '.*.tmp-*' 2>/dev/null; }

# ---- a track job over 3 clips, on Slurm, to the end
(timeout 90 curl -sN "$base/api/events" >events.txt) &
events=$!
post /api/jobs '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"workers": 1}}' >job1.json
check "the job is created" test "$(field 'd["id"]' <job1.json)" = 1
check "the job succeeds" wait_state 1 succeeded 90
kill $events 2>/dev/null
wait $events 2>/dev/null
curl -s "$base/api/jobs/1" >job1.json
check "its 3 videos are done" test "$(field '[v["state"] for v in d["videos"]]' <job1.json)" = "['done', 'done', 'done']"
check "its log names the Slurm job and the array's tasks" eval \
    'curl -s "$base/api/jobs/1/log" | grep -q "cluster run: Slurm job [0-9]*, 2 tasks"'
check "the event stream followed the videos (running, then done)" eval \
    'grep -q "\"state\":\"running\"" events.txt && grep -q "\"state\":\"succeeded\"" events.txt'
check "the array's state is in the data folder" test -n "$(ls data/cluster/*/job.sh 2>/dev/null)"
mkdir via_slurm
mv media/clips/*.json via_slurm/
"$FACETRACK" track --workers 1 --progress none "$work"/media/clips/c{1,2,3}.mp4 >/dev/null 2>&1
same=0
for c in 1 2 3; do cmp -s "via_slurm/c$c.json" "media/clips/c$c.json" && same=$((same + 1)); done
check "the outputs are byte-identical to a local track ($same of 3)" test $same -eq 3

# ---- cancel a running job through the API
post /api/jobs '{"inputs": [{"root": 0, "path": "long"}], "steps": ["track"], "options": {"workers": 1}}' >job2.json
mid() { curl -s "$base/api/jobs/2" | field 'd["videos"][0]["state"]' | grep -qx running &&
    [ -n "$(temps media/long)" ]; }
running=0
for _ in $(seq 600); do mid && { running=1; break; }; sleep 0.1; done
check "the long clip is being tracked on Slurm (its state through the API)" test $running = 1
check "cancel the running job" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary '{}' "$base/api/jobs/2/cancel")" = 200
check "it is cancelled" wait_state 2 cancelled 30
queue_empty() { [ -z "$(squeue -h -o %i)" ]; }
gone=0
for _ in $(seq 300); do queue_empty && { gone=1; break; }; sleep 0.1; done
check "its array left Slurm's queue" test $gone = 1
no_partial() {
    [ ! -e media/long/long.json ] && [ -z "$(temps media)" ] && return 0
    ls -la media/long | sed 's/^/  /'
    curl -s "$base/api/jobs/2/log" | field 'd["text"]' | sed 's/^/  log: /'
    return 1
}
check "no partial output, no temporary file" no_partial
finish
