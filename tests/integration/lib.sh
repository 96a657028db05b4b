# Shared helpers of the shell integration tests: sourced, not run.
# Each test prints one line per check and ends with "N passed, N failed".
set -u
: "${FACETRACK:?FACETRACK must name the built program}"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds; its status
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}
skip_test() { echo "SKIP: $*"; exit 77; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

# Skips unless the face models are there (the npm ones and the shared
# face_landmarker.task); then puts both on the model search path.
need_face_models() {
    local shared=${FT_SHARED_DIR:-} npm=${FT_NPM_MODELS_DIR:-}
    [ -f "$npm/face_detection_full_range.tflite" ] || skip_test "npm models not installed in '$npm'"
    [ -f "$shared/models/face_landmarker_v2_with_blendshapes.task" ] ||
        skip_test "face_landmarker.task not in $shared/models"
    export FACETRACK_MODEL_PATH=$shared/models:$npm
}

need_shared_media() {
    [ -d "${FT_SHARED_DIR:-}/media" ] || skip_test "shared media not found at ${FT_SHARED_DIR:-(unset)}/media"
}

# All video clips under a folder, sorted.
clips_in() { find "$1" -type f \( -name '*.mp4' -o -name '*.mkv' -o -name '*.mov' \) | sort; }

# ffprobe's exact decoded frame count of the best video stream.
ffprobe_count() {
    ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
        -of csv=p=0 "$1" | tr -d ',\n'
}

# A JSON integer field of facetrack's compact output.
json_int() { sed -n "s/.*\"$1\":\(-\?[0-9]*\).*/\1/p"; }

# model_field_is SPEC FIELD VALUE: an integer field of `facetrack model info`
model_field_is() {
    local got
    got=$("$FACETRACK" model info "$1" | json_int "$2")
    [ "$got" = "$3" ] || { echo "  $2 = $got, expected $3"; return 1; }
}

# model_error_is SPEC TEXT: `model info` fails with one line containing TEXT
model_error_is() {
    local err rc
    err=$("$FACETRACK" model info "$1" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$2"* ]] ||
        { echo "  exit $rc: $err"; return 1; }
}

# refused LINE_PATTERN VAR=VALUE... -- ARGS: the program run with ARGS in
# that environment exits non-zero with one line on stderr (warnings aside)
# matching LINE_PATTERN. Writes $work/refused.err (the caller's $work).
refused() {
    local want=$1
    shift
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    env "${vars[@]}" "$FACETRACK" "$@" >/dev/null 2>"$work/refused.err"
    local rc=$? err
    err=$(grep -v ': warn: ' "$work/refused.err")
    [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] && [[ "$err" == *"$want"* ]] ||
        { echo "  exit $rc, stderr: $err"; return 1; }
}
