# facetrack cluster on a real Slurm: a private single-machine cluster
# (slurm_cluster.sh) runs a 3-task array of `track` over 6 clips. Its outputs
# are byte-identical to a local `track` of the same clips; `status` reports
# every task and video; a task cancelled mid-video (scancel) leaves no
# partial output, and `resume` submits only that task, redoes none of the
# complete outputs and completes the job. Slurm's refusals (an unknown
# partition, a time over the partition's limit) and a missing sbatch are one
# line naming the command and Slurm's message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slurm_cluster.sh"
why=$(slurm_cluster_missing)
[ -z "$why" ] || skip_test "$why"
npm=${FT_NPM_MODELS_DIR:-}
[ -f "$npm/face_detection_full_range.tflite" ] || skip_test "npm models not installed in '$npm'"
export FACETRACK_MODEL_PATH=$npm
work=$(mktemp -d)
cleanup() {
    slurm_cluster_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
cd "$work" || exit 1

# Six short clips, one of them long enough to be cancelled mid-video: faces
# from the shared media when there, else ffmpeg's test pattern.
src=${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4
# Long enough that a fast machine (or an idle one running the sanitizer
# build) cannot finish it between the check that task 2 is in it and the
# scancel, a few Slurm commands later; measured at 300 and 900 frames, an
# idle machine's sanitizer build did.
long_frames=3000
make_clip() { # make_clip NAME FRAMES
    if [ -f "$src" ]; then
        ffmpeg -v error -stream_loop -1 -i "$src" -frames:v "$2" -vf scale=160:160 -c:v libx264 \
            -g 25 -pix_fmt yuv420p -an "$1"
    else
        ffmpeg -v error -f lavfi -i "testsrc2=size=160x160:rate=25" -frames:v "$2" -c:v libx264 \
            -g 25 -pix_fmt yuv420p "$1"
    fi
}
mkdir clips
for i in 1 2 3 4 5 6; do
    frames=20
    [ $i = 3 ] && frames=$long_frames # task 2 of 3 (the list's third video) gets it
    make_clip "clips/c$i.mp4" $frames || fail "cannot make clip $i"
done
clips=("$work"/clips/c{1,2,3,4,5,6}.mp4)
opts=(--workers 1 --chunk-frames 100)

"$FACETRACK" track "${opts[@]}" --progress none -o "$work/local" "${clips[@]}" >/dev/null 2>&1
check "local track of the 6 clips" test "$(ls local/*.json 2>/dev/null | wc -l)" -eq 6

t0=$(date +%s.%N)
slurm_cluster_start "$work/cluster" || { fail "private Slurm cluster started"; finish; }
t1=$(date +%s.%N)
echo "  (cluster up in $(echo "$t1 - $t0" | bc) s)"

temps() { find "$@" -name '.*.tmp-*' 2>/dev/null; }
# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s
wait_until() {
    local limit=$1 i
    shift
    for i in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
    return 1
}
queue_empty() { [ -z "$(squeue -h -o %i)" ]; }
task_queued() { squeue -h -r -o %i | grep -qx "$1"; }

# ---- submit; cancel task 2 in the middle of the long clip
id=$("$FACETRACK" cluster submit --tasks 3 --partition debug --time 5 --cpus-per-task 1 \
    --state-dir "$work/st ate" "${opts[@]}" -o "$work/out" "${clips[@]}" 2>submit.err)
rc=$?
check "submit prints a job id (exit $rc: $(cat submit.err))" test $rc -eq 0 -a -n "$id"
[ -n "$id" ] || finish
state="$work/st ate/$id"
check "the batch script, the list and the description are kept in the job's folder" \
    test -f "$state/job.sh" -a -f "$state/videos.json" -a -f "$state/job.json"
check "the script runs 'track --shard I+1/3' over the list" \
    grep -q -- 'track --videos-json "$state/videos.json" --shard "$((task + 1))/3"' "$state/job.sh"
mid_long() { grep -q '"event":"progress","video":"[^"]*c3.mp4"' "$state/task-2.events" 2>/dev/null &&
    [ -n "$(temps out)" ]; }
check "task 2 is in the middle of the long clip" wait_until 60 mid_long
"$FACETRACK" cluster status --state-dir "$work/st ate" "$id" >status.txt 2>&1
check "status: task 2 running, on its first video" \
    grep -q '^task 2 (shard 3/3) RUNNING: 0 done, 1 running, 0 failed, 1 pending' status.txt
"$FACETRACK" cluster resume --state-dir "$work/st ate" "$id" >resume.txt 2>&1
check "resume leaves a task that is still running alone" eval \
    'grep -Eqx "nothing to resume: [0-9]+ tasks? (is|are) still queued or running" resume.txt &&
     [ ! -e "$state/resume-1.sh" ] || { cat resume.txt; false; }'
scancel "${id}_2"
check "the cancelled task leaves the queue" wait_until 30 eval '! task_queued ${id}_2'
check "the cancelled task left no temporary file" test -z "$(temps out)"
check "the cancelled task left no output of the clip it was on" test ! -e out/c3.json
check "the other tasks end" wait_until 90 queue_empty
t2=$(date +%s.%N)

"$FACETRACK" cluster status --state-dir "$work/st ate" "$id" >status.txt 2>&1
cat status.txt | sed 's/^/  | /'
check "status: 4 of the 6 videos done, 2 pending" \
    grep -q "^job $id: track of 6 videos in 3 tasks: 4 done, 0 running, 0 failed, 2 pending" status.txt
check "status: tasks 0 and 1 completed" \
    test "$(grep -c '^task [01] (shard [12]/3) COMPLETED: 2 done' status.txt)" -eq 2
check "status: task 2 cancelled (no accounting: read from the task's own files)" \
    grep -q '^task 2 (shard 3/3) CANCELLED: 0 done, 0 running, 0 failed, 2 pending' status.txt

# ---- resume: only task 2, complete outputs untouched
stamp() { stat -c '%i %Y' out/c1.json out/c2.json out/c4.json out/c5.json; }
before=$(stamp)
rid=$("$FACETRACK" cluster resume --state-dir "$work/st ate" "$id" 2>resume.err)
rc=$?
check "resume prints the new job id (exit $rc: $(cat resume.err))" test $rc -eq 0 -a -n "$rid" -a "$rid" != "$id"
check "resume submits only task 2" grep -qx '#SBATCH --array=2' "$state/resume-1.sh"
check "the resumed task ends" wait_until 90 queue_empty
t3=$(date +%s.%N)
check "resume redid none of the complete outputs" test "$(stamp)" = "$before"
"$FACETRACK" cluster status --state-dir "$work/st ate" "$id" >status.txt 2>&1
cat status.txt | sed 's/^/  | /'
check "status after resume: all 6 done" \
    grep -q "^job $id: track of 6 videos in 3 tasks: 6 done, 0 running, 0 failed, 0 pending" status.txt
check "status after resume: every task completed" test "$(grep -c '^task .* COMPLETED' status.txt)" -eq 3
"$FACETRACK" cluster status --state-dir "$work/st ate" --json "$rid" >status.json
check "status by the resubmission's id finds the job" test $? -eq 0
check "status --json: 6 done" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["videos"] == {"pending": 0, "running": 0, "done": 6, "failed": 0}, s["videos"]
assert [t["state"] for t in s["tasks"]] == ["COMPLETED"] * 3, s["tasks"]' status.json
"$FACETRACK" cluster resume --state-dir "$work/st ate" "$id" >resume.txt 2>&1
check "nothing left to resume" grep -qx 'nothing to resume: every video is complete' resume.txt
same=0
for c in 1 2 3 4 5 6; do cmp -s "local/c$c.json" "out/c$c.json" && same=$((same + 1)); done
check "the cluster's 6 outputs are byte-identical to the local run's ($same of 6)" test $same -eq 6
check "no temporary file anywhere" test -z "$(temps out "$work/st ate")"
echo "  (array of 3 over 6 clips with a cancel: $(echo "$t2 - $t1" | bc) s; resume: $(echo "$t3 - $t2" | bc) s)"

# ---- scenes: 2 tasks, the same shot lists as a local run
"$FACETRACK" scenes --progress none -o "$work/scenes_local" "${clips[@]}" >/dev/null 2>&1
sid=$("$FACETRACK" cluster submit --tasks 2 --state-dir "$work/st ate" scenes -o "$work/scenes" \
    "${clips[@]}" 2>submit.err)
check "scenes: submitted ($(cat submit.err))" test -n "$sid"
check "scenes: the array ends" wait_until 60 queue_empty
same=0
for c in 1 2 3 4 5 6; do cmp -s "scenes_local/c$c.csv" "scenes/c$c.csv" && same=$((same + 1)); done
check "scenes: the 6 shot lists equal the local run's ($same of 6)" test $same -eq 6
"$FACETRACK" cluster status --state-dir "$work/st ate" "$sid" >status.txt 2>&1
check "scenes: status reports them done" \
    grep -q "^job $sid: scenes of 6 videos in 2 tasks: 6 done, 0 running, 0 failed, 0 pending" status.txt

# ---- Slurm missing or refusing
err_is() { # err_is PATTERN RC_FILE ERR_FILE: exit 1, one line on stderr matching PATTERN
    local rc=$(cat "$2") err
    err=$(cat "$3")
    [ "$rc" -eq 1 ] && [ "$(grep -c . "$3")" -eq 1 ] && [[ "$err" == $1 ]] ||
        { echo "  exit $rc: $err"; return 1; }
}
"$FACETRACK" cluster submit --state-dir "$work/state2" --partition nosuch "${clips[0]}" >/dev/null 2>e.txt
echo $? >rc.txt
check "an unknown partition: sbatch's message" \
    err_is "facetrack cluster submit: sbatch failed: *invalid partition*nosuch*" rc.txt e.txt
scontrol update PartitionName=debug MaxTime=1 >/dev/null 2>&1
"$FACETRACK" cluster submit --state-dir "$work/state2" --time 10 "${clips[0]}" >/dev/null 2>e.txt
echo $? >rc.txt
check "a time over the partition's limit: sbatch's message" \
    err_is "facetrack cluster submit: sbatch failed: *time limit*" rc.txt e.txt
"$FACETRACK" cluster submit --state-dir "$work/state2" --cpus-per-task 4096 "${clips[0]}" >/dev/null 2>e.txt
echo $? >rc.txt
check "more CPUs than the cluster has: sbatch's message" \
    err_is "facetrack cluster submit: sbatch failed: *More processors requested than permitted*" rc.txt e.txt
"$FACETRACK" cluster submit --state-dir "$work/state2" --gpus-per-task 1 "${clips[0]}" >/dev/null 2>e.txt
echo $? >rc.txt
check "GPUs on a cluster without them: sbatch's message" \
    err_is "facetrack cluster submit: sbatch failed: *Invalid generic resource*" rc.txt e.txt
check "a refused submission leaves no state behind" test -z "$(ls -A "$work/state2" 2>/dev/null)"
PATH=/nonexistent "$FACETRACK" cluster submit --state-dir "$work/state2" "${clips[0]}" >/dev/null 2>e.txt
echo $? >rc.txt
check "no sbatch on PATH" err_is "facetrack cluster submit: sbatch not found on PATH*" rc.txt e.txt
PATH=/nonexistent "$FACETRACK" cluster status --state-dir "$work/st ate" "$id" >/dev/null 2>e.txt
echo $? >rc.txt
check "status without squeue on PATH" err_is "facetrack cluster status: squeue not found on PATH*" rc.txt e.txt
finish
