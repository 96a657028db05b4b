# facetrack track and scenes stopped by a signal: SIGINT, SIGTERM, SIGHUP,
# SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1 and SIGUSR2, during planning, in the
# middle of the analysis and while outputs are being written, end the run
# with 128 + the signal, no temporary file and no process left; a progress
# reader that goes away (| head -1) stops the run the same way. Temporary
# files a SIGKILLed run left are removed by the next run (and by `serve` at
# its start), those a live writer holds are not.
. "$(dirname "$0")/lib.sh"
npm=${FT_NPM_MODELS_DIR:-}
[ -f "$npm/face_detection_full_range.tflite" ] || skip_test "npm models not installed in '$npm'"
shared=${FT_SHARED_DIR:-}
[ -f "$shared/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found at '$shared'"
export FACETRACK_MODEL_PATH=$npm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# A long clip (1008 frames, 2016 when not sanitized) and a few short ones.
loops=1
[ "${FT_SANITIZED:-0}" = 1 ] && loops=0
mkdir -p in many
ffmpeg -v error -stream_loop $loops -i "$shared/media/faces/liveportrait_driving_d6.mp4" -vf scale=320:320 \
    -c:v libx264 -g 25 -pix_fmt yuv420p -an in/long.mp4 || fail "cannot make the long clip"
for i in 1 2 3 4 5 6; do
    ffmpeg -v error -i "$shared/media/faces/liveportrait_driving_d6.mp4" -frames:v 150 -vf scale=320:320 \
        -c:v libx264 -g 25 -pix_fmt yuv420p -an "many/clip$i.mp4" || fail "cannot make clip $i"
done

temps() { find "$@" -name '.*.tmp-*' 2>/dev/null; }
# wait_for FILE PATTERN [TIMEOUT_S]: until a line of FILE matches PATTERN
wait_for() {
    local i
    for i in $(seq $((${3:-60} * 20))); do
        grep -q "$1" -e "$2" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# no_process_left: nothing of this test's runs is still alive
no_process_left() { ! pgrep -f "$work" >/dev/null; }
signum() { kill -l "$1"; }

# stop_test NAME SIG MOMENT ARGS...: starts ARGS, signals it at MOMENT,
# checks exit 128 + SIG, no temporary file, no process left.
stop_test() {
    local name=$1 sig=$2 moment=$3 pid rc want out=$work/o_$1
    shift 3
    rm -rf "$out" ev.txt
    "$@" -o "$out" >ev.txt 2>err.txt &
    pid=$!
    local ready=0 i
    for i in $(seq 1200); do
        case $moment in
            planning) # shot detection of the long clip runs before its analysis
                grep -q '"event":"start"' ev.txt && ! grep -q video_started ev.txt && ready=1 ;;
            analysis) # the output is being written as frames are analysed
                grep -q '"event":"progress"' ev.txt && [ -n "$(temps "$out")" ] && ready=1 ;;
            writing) # one output committed, the others being written
                grep -q '"event":"done"' ev.txt && [ -n "$(temps "$out")" ] && ready=1 ;;
        esac
        [ $ready = 1 ] && break
        sleep 0.02
    done
    [ $ready = 1 ] || echo "  ($name: the run was not at the $moment stage when signalled)"
    kill -s "$sig" $pid
    wait $pid
    rc=$?
    want=$((128 + $(signum "$sig")))
    check "$name: SIG$sig during $moment: exit $want (got $rc)" test $rc -eq $want
    check "$name: SIG$sig during $moment: no temporary file left" test -z "$(temps "$out")"
    check "$name: SIG$sig during $moment: no process left" no_process_left
    if [ $moment = writing ]; then
        check "$name: SIG$sig: the committed output is whole" /usr/bin/python3 -c '
import json, sys, glob
outs = glob.glob(sys.argv[1] + "/*.json")
assert outs
for o in outs:
    d = json.load(open(o)); assert len(d["frames"]) == d["metadata"]["total_frames"], o' "$out"
    fi
}

signals="INT TERM HUP QUIT PIPE ALRM USR1 USR2"
track=("$FACETRACK" track --progress json --workers 2 --chunk-frames 50)
for sig in $signals; do
    stop_test track $sig planning "${track[@]}" --scenes in/long.mp4
    stop_test track $sig analysis "${track[@]}" in/long.mp4
    stop_test track $sig writing "${track[@]}" --workers 1 many
done

# nohup: a hang-up ignored from the start does not stop the run.
rm -rf nh ev.txt
(trap '' HUP; exec "$FACETRACK" track --progress json --workers 2 -o nh in/long.mp4 >ev.txt 2>err.txt) &
pid=$!
wait_for ev.txt '"event":"progress"'
kill -s HUP $pid
wait $pid
check "SIGHUP ignored on entry (nohup) stays ignored: the run ends, exit 0" test $? -eq 0 -a -s nh/long.json

# A progress reader that stops reading: the run stops, exit 141, no temporary
# file (and the process is not killed half-way by SIGPIPE).
rm -rf piped
"$FACETRACK" track --progress json --workers 2 -o piped in/long.mp4 2>err.txt | head -1 >/dev/null
rc=${PIPESTATUS[0]}
check "track --progress json | head -1: exit 141 (got $rc)" test "$rc" -eq 141
check "track | head -1: no temporary file left" test -z "$(temps piped)"
check "track | head -1: no process left" no_process_left

# scenes: the same signals in the middle of the analysis, and a closed pipe.
for sig in $signals; do
    rm -rf so ev.txt
    "$FACETRACK" scenes --progress json -o so in/long.mp4 many >ev.txt 2>err.txt &
    pid=$!
    wait_for ev.txt '"event":"progress"' || echo "  (scenes: no progress event before SIG$sig)"
    kill -s $sig $pid
    wait $pid
    rc=$?
    want=$((128 + $(signum $sig)))
    check "scenes: SIG$sig: exit $want (got $rc)" test $rc -eq $want
    check "scenes: SIG$sig: no temporary file left" test -z "$(temps so)"
done
rm -rf so
"$FACETRACK" scenes --progress json -o so in/long.mp4 many 2>err.txt | head -1 >/dev/null
rc=${PIPESTATUS[0]}
check "scenes --progress json | head -1: exit 141 (got $rc)" test "$rc" -eq 141
check "scenes | head -1: no temporary file left" test -z "$(temps so)"

# SIGKILL leaves a temporary file; the next run removes it, but neither one
# that a live writer holds locked nor one of an output it does not write.
rm -rf k ev.txt
"$FACETRACK" track --progress json --workers 2 -o k in/long.mp4 >ev.txt 2>/dev/null &
pid=$!
wait_for ev.txt '"event":"progress"'
kill -KILL $pid
wait $pid 2>/dev/null
stale=$(temps k)
check "SIGKILL leaves a temporary file (what the next run must clean)" test -n "$stale"
printf 'x' >k/.other.json.tmp-AbC123 # not an output of the next run
printf 'x' >k/.long.json.tmp-LiVe01  # held by a live writer, below
/usr/bin/python3 - k/.long.json.tmp-LiVe01 <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(120)
PY
holder=$!
wait_for_file() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }
wait_for_file k/.long.json.tmp-LiVe01.held
rm -f k/.long.json.tmp-LiVe01.held
"$FACETRACK" track --progress none --workers 2 -o k in/long.mp4 >/dev/null 2>err.txt
check "the next run: exit 0" test $? -eq 0
check "the next run removed the stale temporary file" test ! -e "$stale"
check "a temporary file a live writer holds is kept" test -e k/.long.json.tmp-LiVe01
check "a temporary file of another output is kept" test -e k/.other.json.tmp-AbC123
kill $holder 2>/dev/null
wait $holder 2>/dev/null

# scenes removes the stale temporary files of its lists.
mkdir -p sc
printf 'x' >sc/.clip1.csv.tmp-StAlE1
printf 'x' >sc/.clip1_scenes.json.tmp-StAlE2
"$FACETRACK" scenes --json -o sc many/clip1.mp4 >/dev/null 2>&1
check "scenes removes the stale temporary files of its lists" test -z "$(temps sc)" -a -s sc/clip1.csv

# serve removes those under its media roots at its start, and keeps live ones.
mkdir -p media/sub
printf 'x' >media/sub/.v.json.tmp-StAlE3
printf 'x' >media/.w_scenes.json.tmp-LiVe02
/usr/bin/python3 - media/.w_scenes.json.tmp-LiVe02 <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(120)
PY
holder=$!
wait_for_file media/.w_scenes.json.tmp-LiVe02.held
rm -f media/.w_scenes.json.tmp-LiVe02.held
"$FACETRACK" serve --port 0 --media-root media --data-dir data -- >serve.out 2>&1 &
spid=$!
wait_for serve.out 'listening on' 20
check "serve (options ended by --) starts" grep -q 'listening on' serve.out
check "serve removes stale temporary files under its media roots" test ! -e media/sub/.v.json.tmp-StAlE3
check "serve keeps one a live writer holds" test -e media/.w_scenes.json.tmp-LiVe02
kill -TERM $spid
wait $spid 2>/dev/null
kill $holder 2>/dev/null
wait $holder 2>/dev/null
finish
