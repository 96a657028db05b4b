# The job service of facetrack serve over real HTTP on loopback: creating
# jobs (and every way a request can be wrong), running them to the end,
# their list, logs and results, the event stream and its reconnection,
# cancelling a running and a queued job, and retrying what was cancelled.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
command -v python3 >/dev/null || skip_test "python3 not installed"
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p media/clips media/empty outside
for n in a b; do
    ffmpeg -v error -f lavfi -i "testsrc2=size=160x90:rate=25:duration=2" -pix_fmt yuv420p "media/clips/$n.mp4"
done
echo 'not a video' >outside/x.mp4

"$FACETRACK" serve --port 0 --media-root media --data-dir data >serve.out 2>&1 &
server=$!
for _ in $(seq 50); do grep -q 'listening on' serve.out && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
[ -n "$base" ] || { cat serve.out; fail "the server starts"; finish; }

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
post() { curl -s -X POST -H 'Content-Type: application/json' --data-binary "$2" "$base$1"; }
post_code() { code -X POST -H 'Content-Type: application/json' --data-binary "$2" "$base$1"; }
# field EXPR: a Python expression over the JSON document d read from stdin
field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# wait_state ID STATE [SECONDS]: polls the job until it is in STATE
wait_state() {
    local s
    for _ in $(seq $((${3:-60} * 10))); do
        s=$(curl -s "$base/api/jobs/$1" | field 'd["state"]')
        [ "$s" = "$2" ] && return 0
        sleep 0.1
    done
    echo "  job $1 is $s, not $2"
    return 1
}

check "engines: the MediaPipe landmarker is available" \
    test "$(curl -s "$base/api/engines" | field '[e["available"] for e in d["engines"] if e["name"] == "mediapipe_landmarker"][0]')" = True

# Requests that are wrong, each with its status and a JSON error.
bad() { # bad STATUS BODY DESCRIPTION
    local got
    got=$(post_code /api/jobs "$2")
    [ "$got" = "$1" ] || echo "  got $got"
    check "create, $3: $1" test "$got" = "$1"
}
bad 400 '{"inputs": [' "malformed JSON"
bad 400 '{"inputs": []} x' "trailing garbage"
bad 400 '[1, 2]' "not an object"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["scenes"], "colour": 1}' "an unknown field"
bad 400 '{"steps": ["scenes"]}' "no inputs"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}]}' "no steps"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["dance"]}' "an unknown step"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"speed": 9}}' "an unknown option"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"max_faces": "5"}}' "an option of the wrong type"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"max_faces": 0}}' "an option out of range"
bad 400 '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["track"], "options": {"engine": "eos"}}' "an engine this build lacks"
bad 400 '{"inputs": [{"root": 0}], "steps": ["scenes"]}' "an input without a path"
bad 400 '{"inputs": [{"root": 0, "path": "empty"}], "steps": ["scenes"]}' "a folder without videos"
bad 404 '{"inputs": [{"root": 0, "path": "../outside/x.mp4"}], "steps": ["scenes"]}' "a path leaving the root"
bad 404 '{"inputs": [{"root": 0, "path": "/etc/passwd"}], "steps": ["scenes"]}' "an absolute path"
bad 404 '{"inputs": [{"root": 5, "path": "clips"}], "steps": ["scenes"]}' "an unknown root"
bad 404 '{"inputs": [{"root": 0, "path": "clips/none.mp4"}], "steps": ["scenes"]}' "a missing video"
mkfifo media/empty/pipe.mp4
bad 400 '{"inputs": [{"root": 0, "path": "empty/pipe.mp4"}], "steps": ["scenes"]}' "a FIFO named like a video"
check "the error is JSON with its status" test "$(post /api/jobs '{"steps": ["scenes"]}' | field 'd["error"]["status"]')" = 400
check "a job without Content-Type JSON: 403" \
    test "$(code -X POST -d '{"steps": ["scenes"]}' "$base/api/jobs")" = 403

# A scenes job over a folder runs to the end.
post /api/jobs '{"inputs": [{"root": 0, "path": "clips"}], "steps": ["scenes"], "options": {"workers": 1}}' >job1.json
check "create: the job, queued, with the folder's two videos" \
    test "$(field '(d["id"], d["state"] in ("queued", "running"), [v["path"] for v in d["videos"]])' <job1.json)" = \
    "(1, True, ['clips/a.mp4', 'clips/b.mp4'])"
check "create answers 201" test "$(post_code /api/jobs '{"inputs": [{"root": 0, "path": "clips/a.mp4"}], "steps": ["scenes"]}')" = 201
wait_state 1 succeeded && pass "the job succeeds" || fail "the job succeeds"
check "... its videos are done, at 100 %" \
    test "$(curl -s "$base/api/jobs/1" | field '[(v["state"], v["percent"]) for v in d["videos"]] + [d["progress"]]')" = \
    "[('done', 100), ('done', 100), 100]"
check "... the shot lists are beside the videos" test -s media/clips/a.csv -a -s media/clips/b_scenes.json
wait_state 2 succeeded && pass "the second job succeeds" || fail "the second job succeeds"
check "... its video was skipped: its outputs were complete" \
    test "$(curl -s "$base/api/jobs/2" | field 'd["videos"][0]["state"]')" = skipped
check "list: newest first" test "$(curl -s "$base/api/jobs" | field '[j["id"] for j in d["jobs"]]')" = "[2, 1]"
check "an unknown job: 404" test "$(code "$base/api/jobs/99")" = 404
check "a job number that is not one: 404" test "$(code "$base/api/jobs/x1")" = 404
check "the log says what ran" grep -q 'clips/b.mp4: scenes done' <(curl -s "$base/api/jobs/1/log" | field 'd["text"]')
check "the log from an offset" \
    test "$(curl -s "$base/api/jobs/1/log?offset=3" | field 'd["text"][:7], d["offset"]')" = "('job 1 s', 3)"
check "the log past its end: empty" \
    test "$(curl -s "$base/api/jobs/1/log?offset=999999" | field 'd["text"], d["more"]')" = "('', False)"
check "the log with a bad offset: 400" test "$(code "$base/api/jobs/1/log?offset=-4")" = 400
check "retry a job that succeeded: 409" test "$(post_code /api/jobs/1/retry '{}')" = 409
check "cancel a job that ended: 409" test "$(post_code /api/jobs/1/cancel '{}')" = 409
check "cancel an unknown job: 404" test "$(post_code /api/jobs/77/cancel '{}')" = 404
check "an unknown action: 404" test "$(post_code /api/jobs/1/pause '{}')" = 404

# Results.
check "results: what a video has" \
    test "$(curl -s "$base/api/results?root=0&path=clips/a.mp4" | field 'd["files"]')" = \
    "{'tracking': False, 'reduced': False, 'scenes_csv': True, 'scenes_json': True}"
check "results: the shot list itself" \
    cmp -s <(curl -s "$base/api/results/scenes.csv?root=0&path=clips/a.mp4") media/clips/a.csv
check "results: the scenes JSON" \
    test "$(curl -s "$base/api/results/scenes.json?root=0&path=clips/a.mp4" | field 'd["scenes"][0]["frame_in"], d["scenes"][-1]["frame_out"]')" = "(1, 50)"
check "results not made yet: 404" test "$(code "$base/api/results/tracking?root=0&path=clips/a.mp4")" = 404
check "results of an unknown kind: 404" test "$(code "$base/api/results/secret?root=0&path=clips/a.mp4")" = 404
check "results outside the root: 404, as a missing video" test "$(code "$base/api/results?root=0&path=../outside/x.mp4")" = 404
ln -s ../../outside/x.mp4 media/clips/c.csv
ln -s ../../outside/x.mp4 media/clips/c.mp4
check "results through a link leading out: 404, as a missing one" \
    test "$(code "$base/api/results/scenes.csv?root=0&path=clips/c.mp4")" = 404

# Events: every job on connecting, then only what changed after the last id.
timeout 3 curl -sN "$base/api/events" >events1.txt
check "events: one message per job, with ids" test "$(grep -c '^event: job$' events1.txt)" -eq 2 -a \
    "$(grep -c '^id: [0-9]*$' events1.txt)" -eq 2
last=$(sed -n 's/^id: //p' events1.txt | tail -n 1)
timeout 2 curl -sN -H "Last-Event-ID: $last" "$base/api/events" >events2.txt
check "events: reconnecting with Last-Event-ID gets nothing old" test "$(grep -c '^event: job' events2.txt)" -eq 0
(timeout 6 curl -sN -H "Last-Event-ID: $last" "$base/api/events" >events3.txt) &
watcher=$!
sleep 1
post /api/jobs '{"inputs": [{"root": 0, "path": "clips/b.mp4"}], "steps": ["scenes"]}' >/dev/null
wait "$watcher"
check "events: ... and then what changed since" grep -q '^data: {"id":3,' events3.txt
check "events: ?last_event_id= as well" \
    test "$(timeout 2 curl -sN "$base/api/events?last_event_id=0&job=1" | grep -c '^data: {"id":1,')" -eq 1
check "events of an unknown job: 404" test "$(code "$base/api/events?job=42")" = 404

# Cancelling: a running job's process group is stopped, a queued job never
# starts; retrying the cancelled job does only what was left. The long job
# is 40 names (hard links) of one clip.
mkdir media/many
ffmpeg -v error -f lavfi -i "testsrc2=size=640x360:rate=25:duration=20" -pix_fmt yuv420p \
    -c:v libx264 -preset ultrafast media/many/v00.mp4
for i in $(seq 1 39); do ln media/many/v00.mp4 "media/many/v$(printf %02d "$i").mp4"; done
post /api/jobs '{"inputs": [{"root": 0, "path": "many"}], "steps": ["scenes"], "options": {"workers": 1}}' >/dev/null
post /api/jobs '{"inputs": [{"root": 0, "path": "clips/a.mp4"}], "steps": ["scenes"], "options": {"force": true}}' >/dev/null
# The child reads its videos from a list in the data folder: found by that.
long_child() { pgrep -f "scenes --progress json.*--videos-json $work/data/jobs/4-" >/dev/null; }
wait_state 4 running 30 && pass "the long job runs" || fail "the long job runs"
check "one job at a time: the next one waits" test "$(curl -s "$base/api/jobs/5" | field 'd["state"]')" = queued
check "cancel the queued job" test "$(post /api/jobs/5/cancel '{}' | field 'd["state"]')" = cancelled
for _ in $(seq 100); do
    [ "$(curl -s "$base/api/jobs/4" | field 'd["videos"][0]["state"]')" = done ] && break
    sleep 0.1
done
check "... the long job's child runs" long_child
check "cancel the running job" test "$(post_code /api/jobs/4/cancel '{}')" = 200
wait_state 4 cancelled 20 && pass "... it is cancelled" || fail "... it is cancelled"
check "... its child process is gone" test -z "$(pgrep -f "scenes --progress json.*--videos-json $work/data/jobs/4-")"
check "... no temporary file left" test -z "$(ls -A media/many | grep '^\.')"
curl -s "$base/api/jobs/4" >cancelled.json
done_before=$(field 'sum(v["state"] == "done" for v in d["videos"])' <cancelled.json)
check "... some videos done, the others wait for a retry" \
    test "$done_before" -ge 1 -a "$(field 'sum(v["state"] == "pending" for v in d["videos"])' <cancelled.json)" -eq $((40 - done_before))
check "... and only those have a shot list" test "$(ls media/many/*.csv | wc -l)" -eq "$done_before"
check "the cancelled queued job never ran" test "$(curl -s "$base/api/jobs/5" | field 'd["started_at"]')" = None
check "retry the cancelled job" grep -qE '^(queued|running)$' <(post /api/jobs/4/retry '{}' | field 'd["state"]')
wait_state 4 succeeded 120 && pass "... it finishes" || fail "... it finishes"
check "... every video has its shot list" test "$(ls media/many/*.csv | wc -l)" -eq 40
check "... the retry ran only the videos left" \
    test "$(grep -c '^== scenes: ' data/jobs/4.log)" -eq 2 -a \
    "$(grep '^== scenes: ' data/jobs/4.log | tail -n 1)" = "== scenes: $((40 - done_before)) videos"

# Many clients at once, reading jobs and events.
seq 100 | timeout 60 xargs -P 25 -I{} curl -s -m 20 -o /dev/null -w '%{http_code}\n' "$base/api/jobs" >codes.txt
check "100 concurrent job listings all answered" test "$(grep -c '^200$' codes.txt)" -eq 100

timeout 20 curl -sN "$base/api/events" >/dev/null &
stream=$!
sleep 0.5
kill -TERM "$server"
for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops it, open event streams too" test -n "$(kill -0 "$server" 2>&1)"
wait "$stream"
check "... the stream ends, not cut by its timeout" test $? -ne 124
server=
finish
