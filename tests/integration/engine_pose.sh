# Head pose of the engines without a face mesh of their own, fitted from
# their landmarks (5 keypoints: opencv_yunet, insightface; 66 points:
# openseeface), against the MediaPipe engine's pose from its whole mesh on
# a talking head (liveportrait_driving_d0, 78 frames): every face carries a
# head_pose, and the median differences stay within 5 degrees for yaw and
# roll and 12 for pitch. Measured on this clip: yaw 0.5-1.2, roll 0.3-2.0,
# pitch 5.2-8.7 degrees; pitch is the weak angle of a fit to a few 2D
# points of a mean face, since a person's nose and mouth proportions shift
# it (docs/engines.md, "Head pose"; bench/pose_agreement.sh gives every
# shared clip).
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
compare=$src/tests/tools/compare_pose.py
[ -f "$FT_NPM_MODELS_DIR/geometry_pipeline_metadata_landmarks.binarypb" ] ||
    skip_test "geometry metadata not installed in $FT_NPM_MODELS_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head=$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4

"$FACETRACK" track --force --progress none -o "$work/mediapipe_landmarker" "$head" >/dev/null 2>&1
check "mediapipe_landmarker tracks the clip" test -s "$work/mediapipe_landmarker/liveportrait_driving_d0.json"

every_face_has_a_pose() {
    python3 - "$1" <<'PY'
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
faces = [o for f in frames for o in f["tracked_objects"]]
assert faces and all("head_pose" in o for o in faces), sys.argv[1]
PY
}

for engine in opencv_yunet insightface openseeface; do
    if ! "$FACETRACK" engines | grep -q "^$engine *available"; then
        echo "($engine not available here: $("$FACETRACK" engines | grep "^$engine"))"
        continue
    fi
    "$FACETRACK" track --force --progress none --engine "$engine" -o "$work/$engine" "$head" \
        >/dev/null 2>"$work/$engine.err"
    out=$work/$engine/liveportrait_driving_d0.json
    check "$engine: tracks the clip" test -s "$out"
    check "$engine: every face has a head_pose" every_face_has_a_pose "$out"
    check "$engine: pose near the mesh's (median yaw, roll 5, pitch 12 degrees)" python3 "$compare" \
        "$work/mediapipe_landmarker/liveportrait_driving_d0.json" "$out" --min-pairs 70 \
        --max-median-yaw 5 --max-median-pitch 12 --max-median-roll 5
done

finish
