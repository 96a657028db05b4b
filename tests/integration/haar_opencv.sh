# The opencv_haar engine against OpenCV 4.6 itself (Debian's python3-opencv,
# the original's own detector): on 198 frames of the shared clips and two
# stills (200 images), `facetrack detect --engine opencv_haar` must give the
# boxes cv2.CascadeClassifier.detectMultiScale(gray, 1.1, 5, minSize=(30,
# 30)) gives, with the Haar frontal face cascade (all 200), the LBP one
# (every other image) and the Haar one in OpenCV's old format; then the
# engine under `track` (the original's variables) and its refusals.
. "$(dirname "$0")/lib.sh"
need_shared_media
py=/usr/bin/python3
"$py" -c 'import cv2' 2>/dev/null || skip_test "python3-opencv (the OpenCV 4.6 peer) not installed"
haar=/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml
lbp=/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml
[ -f "$haar" ] && [ -f "$lbp" ] || skip_test "Debian's opencv-data cascades not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
compare=$src/tests/tools/compare_haar_opencv.py
media=$FT_SHARED_DIR/media
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# frames CLIP EVERY COUNT: every EVERY-th frame of CLIP, at most COUNT, as PNG
# (lossless: both programs read the same pixels)
frames() {
    local clip=$1 every=$2 count=$3 stem
    stem=$(basename "$clip" .mp4)
    ffmpeg -v error -i "$clip" -vf "select=not(mod(n\,$every))" -fps_mode passthrough \
        -frames:v "$count" "$work/frames/${stem}_%03d.png"
}
mkdir -p "$work/frames"
frames "$media/faces/liveportrait_driving_d0.mp4" 2 39
frames "$media/faces/liveportrait_driving_d6.mp4" 20 50
frames "$media/faces/videoretalking_face_1.mp4" 4 34
frames "$media/faces/fom_demo_old_08.mp4" 2 60
frames "$media/faces/liveportrait_source_s13.mp4" 15 6
frames "$media/faces/liveportrait_driving_d13.mp4" 100 3
frames "$media/faces/facenet_pytorch_examples_video.mp4" 30 3
frames "$media/bench/bench_1080p25_3faces_20s.mp4" 150 3
for still in "$FT_SHARED_DIR/golden/mediapipe/legacy_face_detection_sergey/sergey.png" \
    "$FT_SHARED_DIR/golden/mediapipe/image_to_tensor/input.jpg"; do
    [ -f "$still" ] && cp "$still" "$work/frames/"
done
images=("$work"/frames/*)
check "at least 200 images (${#images[@]})" test "${#images[@]}" -ge 200

# every K-th of the images; under the sanitizers (several times slower) an
# eighth as many: the numbers are the release build's to check
pick() {
    local k=$1 i
    [ "${FT_SANITIZED:-0}" = 1 ] && k=$((k * 8))
    for ((i = 0; i < ${#images[@]}; i += k)); do echo "${images[$i]}"; done
}
mapfile -t haar_set < <(pick 1)
mapfile -t lbp_set < <(pick 2)
n_haar=${#haar_set[@]}
n_lbp=${#lbp_set[@]}

# Measured (OpenCV 4.6.0+dfsg-12): Haar on the 200 images 222 boxes, LBP on
# 100 of them 100 boxes, every one the same as OpenCV's, box for box
# (recall, precision, mean IoU and identical images all 1.0000). The bounds
# leave no room: the engine computes what OpenCV computes.
"$FACETRACK" detect --engine opencv_haar --num-faces 64 "${haar_set[@]}" >"$work/haar.json"
check "detect --engine opencv_haar: exit 0" test $? -eq 0
check "Haar: the same boxes as OpenCV ($n_haar images)" "$py" "$compare" --cascade "$haar" \
    --ours "$work/haar.json" --min-images "$n_haar" --min-recall 1 --min-precision 1 --min-iou 1 \
    --min-identical 1
"$FACETRACK" detect --engine opencv_haar --detector "$lbp" --num-faces 64 "${lbp_set[@]}" \
    >"$work/lbp.json"
check "detect with the LBP cascade: exit 0" test $? -eq 0
check "LBP: the same boxes as OpenCV ($n_lbp images)" "$py" "$compare" --cascade "$lbp" \
    --ours "$work/lbp.json" --min-images "$n_lbp" --min-recall 1 --min-precision 1 --min-iou 1 \
    --min-identical 1

# the old format (OpenCV converts it on load): the frontal face cascade
# rewritten in it, on talking-head frames
"$py" "$src/tests/tools/cascade_to_old_format.py" "$haar" "$work/old_format.xml"
check "the Haar cascade in the old format" grep -q 'opencv-haar-classifier' "$work/old_format.xml"
small=("$work"/frames/liveportrait_driving_d0_0[0-1]*.png)
[ "${FT_SANITIZED:-0}" = 1 ] && small=("${small[@]:0:5}")
"$FACETRACK" detect --engine opencv_haar --detector "$work/old_format.xml" --num-faces 64 \
    "${small[@]}" >"$work/old.json"
check "old format: the same boxes as OpenCV" "$py" "$compare" --cascade "$work/old_format.xml" \
    --ours "$work/old.json" --min-images "${#small[@]}" --min-recall 1 --min-precision 1 \
    --min-iou 1 --min-identical 1

# engines: listed and available where opencv-data is installed
check "engines: opencv_haar available" \
    bash -c "\"$FACETRACK\" engines | grep -q '^opencv_haar  *available'"

# track: the original's variables
head=$media/faces/liveportrait_driving_d0.mp4
panel_frames=6
if [ "${FT_SANITIZED:-0}" = 1 ]; then # the first 20 frames and a 3-frame panel
    ffmpeg -v error -i "$head" -frames:v 20 -c:v libx264 -preset ultrafast -crf 12 -an \
        "$work/liveportrait_driving_d0.mp4"
    head=$work/liveportrait_driving_d0.mp4
    panel_frames=3
fi
"$FACETRACK" track --force --engine opencv_haar -o "$work/track" "$head" >/dev/null 2>&1
check "track --engine opencv_haar: exit 0" test $? -eq 0
check "track: schema-valid" "$py" "$src/tests/tools/validate_json.py" \
    "$src/schemas/tracking_raw.schema.json" "$work/track/liveportrait_driving_d0.json"
check "track: a face in >= 95 % of frames, confidence 1.0, no blendshapes" "$py" - \
    "$work/track/liveportrait_driving_d0.json" <<'EOF'
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
faces = [o for f in frames for o in f["tracked_objects"]]
seen = sum(1 for f in frames if f["tracked_objects"])
ok = seen >= 0.95 * len(frames) and all(o["confidence"] == 1.0 and o["blendshapes"] is None
                                        and o["source"] == "face_landmarker" for o in faces)
print(f"  {seen}/{len(frames)} frames with a face")
sys.exit(0 if ok else 1)
EOF
ffmpeg -v error -i "$media/bench/bench_1080p25_3faces_20s.mp4" -frames:v "$panel_frames" -c:v libx264 -preset ultrafast \
    -crf 12 -an "$work/panel.mp4"
STEP5_TRACKING_ENGINE=opencv_haar STEP5_OPENCV_MAX_FACES=1 \
    "$FACETRACK" track --force -o "$work/capped" "$work/panel.mp4" >/dev/null 2>&1
check "STEP5_TRACKING_ENGINE=opencv_haar STEP5_OPENCV_MAX_FACES=1: exit 0" test $? -eq 0
check "STEP5_OPENCV_MAX_FACES=1 on 3 people: one face a frame" "$py" - \
    "$work/capped/panel.json" <<'EOF'
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
counts = [len(f["tracked_objects"]) for f in frames]
sys.exit(0 if counts and min(counts) == max(counts) == 1 else 1)
EOF
STEP5_OPENCV_HAAR_CASCADE_PATH=$lbp "$FACETRACK" track --force --engine opencv_haar \
    -o "$work/lbptrack" "$work/panel.mp4" >/dev/null 2>&1
check "STEP5_OPENCV_HAAR_CASCADE_PATH (LBP): 3 faces a frame" "$py" - \
    "$work/lbptrack/panel.json" <<'EOF'
import json, sys
frames = json.load(open(sys.argv[1]))["frames"]
sys.exit(0 if frames and all(len(f["tracked_objects"]) == 3 for f in frames) else 1)
EOF

# refusals: one line naming the file
refused "$work/nope.xml" STEP5_OPENCV_HAAR_CASCADE_PATH="$work/nope.xml" -- \
    track --force --engine opencv_haar -o "$work/x" "$head"
check "a missing cascade is refused naming it" test $? -eq 0
head -c 20000 "$haar" >"$work/truncated.xml"
refused "$work/truncated.xml" -- detect --engine opencv_haar --detector "$work/truncated.xml" \
    "${images[0]}"
check "a truncated cascade is refused naming it" test $? -eq 0
printf '<?xml version="1.0"?>\n<opencv_storage><thing>1</thing></opencv_storage>\n' \
    >"$work/other.xml"
refused "$work/other.xml" -- detect --engine opencv_haar --detector "$work/other.xml" \
    "${images[0]}"
check "an XML file that is no cascade is refused naming it" test $? -eq 0
finish
