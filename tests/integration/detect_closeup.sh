# facetrack detect on close-ups: a still filled by one face (a shared
# clip's frame cropped to the middle of the face, scaled to 160 and 256 px), in colour
# and gray, is found by default as by MediaPipe's configuration (--no-tiles
# --no-whole-frame with the short-range detector), while the full-range
# tiles alone (--no-whole-frame) miss it.
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
command -v ffmpeg >/dev/null || skip_test "ffmpeg not found"
clip=$FT_SHARED_DIR/media/faces/liveportrait_driving_d0.mp4
[ -f "$clip" ] || skip_test "$clip not found"
short_range=$FT_SHARED_DIR/models/face_landmarker_v2_with_blendshapes.task:face_detector.tflite
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Frame 20 (512 x 512): the face box is about 231 x 276 px at (142, 159);
# the crop is a square of 0.9 times its height about its centre (MediaPipe's
# detector scores it 0.8 to 0.9, the full-range tiles below 0.45).
for size in 160 256; do
    ffmpeg -nostdin -v error -y -i "$clip" -vf "select=eq(n\,20),crop=250:250:132:172,scale=$size:$size" \
        -frames:v 1 "$work/colour_$size.png" &&
        ffmpeg -nostdin -v error -y -i "$work/colour_$size.png" -vf format=gray "$work/gray_$size.png"
    check "ffmpeg made the $size px stills" test -s "$work/colour_$size.png" -a -s "$work/gray_$size.png"
done

# faces IMAGE OPTION...: the number of faces detect finds
faces() {
    local image=$1; shift
    "$FACETRACK" detect --no-landmarks "$@" "$image" | grep -o '"detection_score"' | wc -l
}
# box IMAGE OPTION...: the first face's box, rounded, as "x y w h"
box() {
    local image=$1; shift
    "$FACETRACK" detect --no-landmarks "$@" "$image" |
        sed -n 's/.*"box":\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | awk '{ printf "%d ", $1 + 0.5 }'
}
near() { # near "x y w h" "x y w h": every number within 4 % of the side
    awk -v a="$1" -v b="$2" -v side="$3" 'BEGIN { split(a, p); split(b, q)
        for (i = 1; i <= 4; i++) if (p[i] - q[i] > side * 0.04 || q[i] - p[i] > side * 0.04) exit 1 }'
}
for size in 160 256; do
    for kind in colour gray; do
        image=$work/${kind}_$size.png
        check "$kind $size px: MediaPipe's configuration finds one face" \
            test "$(faces "$image" --no-tiles --no-whole-frame --detector "$short_range")" -eq 1
        check "$kind $size px: the default finds it" test "$(faces "$image")" -eq 1
        mp=$(box "$image" --no-tiles --no-whole-frame --detector "$short_range")
        ours=$(box "$image")
        check "$kind $size px: the same face ($ours vs $mp)" near "$ours" "$mp" "$size"
    done
done
# Tiles alone miss the face (the reason for the whole-frame pass).
for size in 160 256; do
    for kind in colour gray; do
        check "$kind $size px: tiles alone find nothing" \
            test "$(faces "$work/${kind}_$size.png" --no-whole-frame)" -eq 0
    done
done
finish
