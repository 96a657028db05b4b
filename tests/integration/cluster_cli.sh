# facetrack cluster without a cluster: the batch script `submit --dry-run`
# prints (the array, the resources as #SBATCH lines, the step over its
# shard, the options passed on), and the refusals: bad options, missing
# inputs, unknown jobs, and no sbatch or squeue on PATH (Slurm absent).
. "$(dirname "$0")/lib.sh"
clips=${FT_CLIPS_DIR:-}
[ -f "$clips/one_frame.mp4" ] || skip_test "generated clips not found in '$clips'"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
mkdir -p v/sub
for n in a b c; do cp "$clips/one_frame.mp4" "v/$n.mp4"; done
cp "$clips/one_frame.mp4" v/sub/d.mkv

"$FACETRACK" cluster submit --dry-run --tasks 3 --partition gpu --cpus-per-task 4 \
    --gpus-per-task 1 --time 1:00:00 --account lab --extra-sbatch --qos=high \
    --extra-sbatch "--comment=two words" --state-dir "$work/st" --force --max-faces 3 \
    -o out v >script.sh 2>err.txt
rc=$?
check "dry run: exit 0 ($(cat err.txt))" test $rc -eq 0
has() { grep -qxF -- "$1" script.sh || { echo "  missing: $1"; return 1; }; }
check "dry run: a bash script" bash -n script.sh
check "dry run: an array of 3 tasks" has '#SBATCH --array=0-2'
check "dry run: the resources" eval 'has "#SBATCH --partition=gpu" && has "#SBATCH --cpus-per-task=4" &&
    has "#SBATCH --gres=gpu:1" && has "#SBATCH --time=1:00:00" && has "#SBATCH --account=lab"'
check "dry run: the extra sbatch arguments, quoted when they hold blanks" \
    eval 'has "#SBATCH --qos=high" && has "#SBATCH --comment=\"two words\""'
check "dry run: outputs of Slurm into the state folder" has "#SBATCH --output=$work/st/%A/task-%a.log"
check "dry run: the tasks run where it was submitted" has "#SBATCH --chdir=$work"
line=$(grep -- '--videos-json' script.sh)
want="track --videos-json \"\$state/videos.json\" --shard \"\$((task + 1))/3\" --progress json --force --max-faces 3 --workers 4 --gpu -o $work/out"
check "dry run: task I tracks shard I+1/3 with the options, -o absolute, workers from the CPUs, --gpu" \
    eval '[[ "$line" == *"$want"* ]] || { echo "  $line"; false; }'
check "dry run: nothing written" test ! -e st -a ! -e out

"$FACETRACK" cluster submit --dry-run --tasks 9 --state-dir st scenes --detector content v/a.mp4 v/b.mp4 >s2.sh
check "dry run: no more tasks than videos" grep -qx '#SBATCH --array=0-1' s2.sh
check "dry run: scenes" grep -q -- 'scenes --videos-json "$state/videos.json" --shard "$((task + 1))/2" --progress json --detector content' s2.sh
check "dry run: a value with a quote is shell-quoted" \
    sh -c "'$FACETRACK' cluster submit --dry-run --engine \"it's\" v/a.mp4 | grep -qF \"'it'\\''s'\""

# The step's options are told from its help: values are not taken for inputs.
"$FACETRACK" cluster submit --dry-run --chunk-frames 100 --pretty --min-tracking-confidence 0.4 \
    --tracking_engine mediapipe v/a.mp4 >s3.sh
check "the step's options with values and switches, read from its help" grep -q -- \
    '--progress json --chunk-frames 100 --pretty --min-tracking-confidence 0.4 --tracking_engine mediapipe >' s3.sh
check "the cluster's options in one word" sh -c "'$FACETRACK' cluster submit --dry-run --tasks=2 \
    --partition=gpu v/a.mp4 v/b.mp4 | grep -qx '#SBATCH --partition=gpu'"

# Refusals: exit 2 (usage) or 1 (inputs, Slurm), one line naming the command.
check "no action" refused "facetrack cluster: submit, run, status or resume?" -- cluster
check "an unknown action" refused "unknown action 'launch'" -- cluster launch
check "no input" refused "no video, folder or --videos-json given" -- cluster submit --tasks 2
check "--shard is the cluster's" refused "--shard is set by the cluster run itself" -- cluster submit --shard 1/2 v
check "--progress is the cluster's" refused "--progress is set by the cluster run itself" -- cluster submit --progress bar v
check "an option of neither" refused "'--bogus' is an option of neither cluster nor track" -- cluster submit --bogus v
check "an option of track is none of scenes" refused "'--max-faces' is an option of neither cluster nor scenes" -- cluster submit scenes --max-faces 2 v
check "--tasks 0" refused "--tasks needs a positive integer" -- cluster submit --tasks 0 v
check "--time without a value" refused "--time needs a value" -- cluster submit v --time
check "an #SBATCH value with a line break" refused "an #SBATCH line cannot carry" -- cluster submit --account "$(printf 'a\nb')" v
check "--format other than raw or reduced" refused "--format is raw or reduced" -- cluster submit --format csv v
"$FACETRACK" cluster submit --state-dir st v/a.mp4 v/nope.mp4 >out.txt 2>err.txt
rc=$?
check "a missing input: exit 1, nothing submitted" eval '[ $rc -eq 1 ] && [ ! -s out.txt ] && [ ! -e st ]'
check "a missing input: named with its reason, then that nothing was submitted" diff - err.txt <<END
facetrack cluster submit: v/nope.mp4: no such file or folder
facetrack cluster submit: 1 input is missing or unusable (named above): nothing submitted
END
mkdir empty
check "no video in the inputs" refused "no video found in the inputs" -- cluster submit empty
check "status: a job id is a number" refused "'abc' is no job id" -- cluster status abc
check "status: an unknown job" refused "no job 4242 under $work/st" -- cluster status --state-dir st 4242
check "resume: an unknown job" refused "no job 4242 under" -- cluster resume --state-dir st 4242
check "status: a job whose state is not ours" eval 'mkdir -p st/77 && echo "{" >st/77/job.json &&
    refused "st/77/job.json: not valid JSON" -- cluster status --state-dir st 77'

# Slurm absent: PATH without its commands (the program itself is named by path).
check "submit without sbatch on PATH" \
    refused "facetrack cluster submit: sbatch not found on PATH" PATH=/nonexistent -- cluster submit --state-dir st v
check "nothing kept of a submission that did not happen" test -z "$(ls -A st | grep -v '^77$')"
finish
