# facetrack model info on MediaPipe's npm models (installed by
# scripts/models.sh), custom ops listed by name, packed-assets members.
. "$(dirname "$0")/lib.sh"
dir=${FT_NPM_MODELS_DIR:-}
[ -n "$dir" ] && [ -f "$dir/face_landmark_with_attention.tflite" ] ||
    skip_test "npm models not installed in '$dir' (run scripts/models.sh)"

field_is() { # SPEC FIELD VALUE
    local got
    got=$("$FACETRACK" model info "$1" | json_int "$2")
    [ "$got" = "$3" ] || { echo "  $2 = $got, expected $3"; return 1; }
}
has() { # SPEC TEXT
    "$FACETRACK" model info "$1" | grep -q "$2" || { echo "  no $2 in the info of $1"; return 1; }
}
check "short range: 90 ops" field_is "$dir/face_detection_short_range.tflite" op_count 90
check "full range: 176 ops" field_is "$dir/face_detection_full_range.tflite" op_count 176
check "full range sparse: 160 ops" field_is "$dir/face_detection_full_range_sparse.tflite" op_count 160
check "face_landmark: 97 ops" field_is "$dir/face_landmark.tflite" op_count 97
check "attention: 341 ops" field_is "$dir/face_landmark_with_attention.tflite" op_count 341
check "attention: custom ops by name" has "$dir/face_landmark_with_attention.tflite" '"Landmarks2TransformMatrix":3,"TransformTensorBilinear":3,"TransformLandmarks":5'
packed="$dir/face_mesh_solution_packed_assets.data"
check "packed member: face_landmark" field_is "$packed:face_landmark.tflite" op_count 97
check "packed member: attention" field_is "$packed:face_landmark_with_attention.tflite" op_count 341
one_line_error() { # SPEC TEXT
    local err rc
    err=$("$FACETRACK" model info "$1" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$2"* ]] ||
        { echo "  exit $rc: $err"; return 1; }
}
check "missing packed member is one line" one_line_error "$packed:nope.tflite" "no member 'nope.tflite'"
bench() { "$FACETRACK" model bench --runs 2 "$1" | grep -q '"median_ms":'; }
check "model bench runs the attention model" bench "$dir/face_landmark_with_attention.tflite"
check "model bench runs the sparse detector" bench "$dir/face_detection_full_range_sparse.tflite"
finish
