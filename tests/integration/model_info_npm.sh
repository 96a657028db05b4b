# facetrack model info on MediaPipe's npm models (installed by
# scripts/models.sh), custom ops listed by name, packed-assets members.
. "$(dirname "$0")/lib.sh"
dir=${FT_NPM_MODELS_DIR:-}
[ -n "$dir" ] && [ -f "$dir/face_landmark_with_attention.tflite" ] ||
    skip_test "npm models not installed in '$dir' (run scripts/models.sh)"

has() { # SPEC TEXT
    "$FACETRACK" model info "$1" | grep -q "$2" || { echo "  no $2 in the info of $1"; return 1; }
}
check "short range: 90 ops" model_field_is "$dir/face_detection_short_range.tflite" op_count 90
check "full range: 176 ops" model_field_is "$dir/face_detection_full_range.tflite" op_count 176
check "full range sparse: 160 ops" model_field_is "$dir/face_detection_full_range_sparse.tflite" op_count 160
check "face_landmark: 97 ops" model_field_is "$dir/face_landmark.tflite" op_count 97
check "attention: 341 ops" model_field_is "$dir/face_landmark_with_attention.tflite" op_count 341
check "attention: custom ops by name" has "$dir/face_landmark_with_attention.tflite" '"Landmarks2TransformMatrix":3,"TransformTensorBilinear":3,"TransformLandmarks":5'
packed="$dir/face_mesh_solution_packed_assets.data"
check "packed member: face_landmark" model_field_is "$packed:face_landmark.tflite" op_count 97
check "packed member: attention" model_field_is "$packed:face_landmark_with_attention.tflite" op_count 341
check "missing packed member is one line" model_error_is "$packed:nope.tflite" "no member 'nope.tflite'"
bench() { "$FACETRACK" model bench --runs 2 "$1" | grep -q '"median_ms":'; }
check "model bench runs the attention model" bench "$dir/face_landmark_with_attention.tflite"
check "model bench runs the sparse detector" bench "$dir/face_detection_full_range_sparse.tflite"
finish
