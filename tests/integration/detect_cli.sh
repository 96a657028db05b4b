# facetrack detect on stills: faces with landmarks, blendshapes and pose as
# JSON; default models found on the model search path; one-line errors.
. "$(dirname "$0")/lib.sh"
shared=${FT_SHARED_DIR:-}
npm=${FT_NPM_MODELS_DIR:-}
sergey=$shared/golden/mediapipe/legacy_face_detection_sergey/sergey.png
[ -f "$sergey" ] || skip_test "shared test data not found at '$shared'"
need_face_models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

count() { grep -o "$1" | wc -l; }
"$FACETRACK" detect "$sergey" >"$work/one.json" 2>"$work/err"
check "one image: exit 0, nothing on stderr" test $? -eq 0 -a ! -s "$work/err"
check "one face with id 0" test "$(count '"id":0' <"$work/one.json")" -eq 1
check "478 landmarks twice (pixels, normalised)" test "$(grep -o '\],\[' "$work/one.json" | wc -l)" -ge $((2 * 477))
check "52 blendshapes by name" test "$(grep -o '"blendshapes":{[^}]*}' "$work/one.json" | grep -o '"[A-Za-z_]*":[-0-9]' | wc -l)" -eq 52
check "head pose and matrix" grep -q '"yaw":.*"pitch":.*"roll":.*"transformation_matrix":\[' "$work/one.json"
score=$(sed -n 's/.*"detection_score":\([0-9.]*\).*/\1/p' "$work/one.json")
check "a real detection score ($score)" awk -v s="$score" 'BEGIN { exit !(s > 0.5 && s <= 1) }'
check "size of the image" grep -q '"width":600,"height":600' "$work/one.json"

# A batch with a bad file: the others still come out, exit 1, one line.
printf 'not an image' >"$work/bad.png"
"$FACETRACK" detect --no-landmarks "$sergey" "$work/bad.png" "$sergey" >"$work/batch.json" 2>"$work/err"
rc=$?
check "batch with a bad file exits 1" test "$rc" -eq 1
check "two results for the good files" test "$(wc -l <"$work/batch.json")" -eq 2
check "one error line naming the bad file" test "$(wc -l <"$work/err")" -eq 1 -a -n "$(grep -F "$work/bad.png" "$work/err")"
check "--no-landmarks leaves them out" test "$(count '"landmarks"' <"$work/batch.json")" -eq 0

"$FACETRACK" detect --output "$work/out.json" "$sergey" && out_ok=1 || out_ok=0
check "--output writes the file" test "$out_ok" -eq 1 -a -s "$work/out.json"
check "no temporary files left" test "$(ls -A "$work" | grep -c '\.tmp')" -eq 0
"$FACETRACK" detect --output "$work/nothing.json" "$work/missing.png" 2>/dev/null
check "missing image: exit 1" test $? -eq 1

"$FACETRACK" detect 2>/dev/null
check "no image: usage error 2" test $? -eq 2
"$FACETRACK" detect --num-faces 0 "$sergey" 2>/dev/null
check "--num-faces 0: usage error 2" test $? -eq 2
err=$("$FACETRACK" detect --landmarks "$work/bad.png" "$sergey" 2>&1 >/dev/null)
check "a bad model: exit 1, one line naming it" test $? -eq 1 -a "$(printf '%s\n' "$err" | wc -l)" -eq 1 -a -n "$(grep -F "$work/bad.png" <<<"$err")"
err=$(FACETRACK_MODEL_PATH=$work FACETRACK_MODELS_DIR=$work XDG_CACHE_HOME=$work HOME=$work \
      "$FACETRACK" detect --detector "$npm/face_detection_full_range.tflite" \
      --landmarks "$npm/face_landmark_with_attention.tflite" --blendshapes "" --geometry "" "$sergey")
check "npm attention model, no blendshapes or matrix" test -n "$(grep '"id":0' <<<"$err")" -a -z "$(grep blendshapes <<<"$err")"
finish
