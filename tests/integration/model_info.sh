# facetrack model info on the bundled MediaPipe models, and its errors.
. "$(dirname "$0")/lib.sh"
need_shared_media
task="$FT_SHARED_DIR/models/face_landmarker_v2_with_blendshapes.task"
[ -f "$task" ] || skip_test "$task not found"

check "face_detector: 90 ops" model_field_is "$task:face_detector.tflite" op_count 90
check "face_landmarks_detector: 220 ops" model_field_is "$task:face_landmarks_detector.tflite" op_count 220
check "face_blendshapes: 133 ops" model_field_is "$task:face_blendshapes.tflite" op_count 133
check "face_detector: 101390 parameters" model_field_is "$task:face_detector.tflite" parameters 101390

check "missing member is one line" model_error_is "$task:nope.tflite" "no member 'nope.tflite'"
check "a video is not a model" model_error_is "$FT_CLIPS_DIR/one_frame.mp4" "not a model format"
check "missing file is one line" model_error_is "/nonexistent/x.tflite" "/nonexistent/x.tflite"
bench_runs() {
    local out
    out=$("$FACETRACK" model bench --runs 3 --threads "$2" "$task:$1") || return 1
    [[ "$out" == *'"backend":"xnnpack"'* && "$out" == *'"median_ms":'* ]] || { echo "  $out"; return 1; }
}
check "model bench runs the detector, 1 thread" bench_runs face_detector.tflite 1
check "model bench runs the blendshapes, 2 threads" bench_runs face_blendshapes.tflite 2
ref_bench() { "$FACETRACK" model bench --runs 1 --backend reference "$task:face_detector.tflite" | grep -q '"backend":"reference"'; }
check "model bench --backend reference" ref_bench
usage() { "$FACETRACK" model "$@" >/dev/null 2>&1; [ $? -eq 2 ]; }
check "model without subcommand is a usage error" usage
check "model info without model is a usage error" usage info
check "model bench --threads x is a usage error" usage bench --threads x "$task:face_detector.tflite"
check "model bench --backend gpu is a usage error" usage bench --backend gpu "$task:face_detector.tflite"
finish
