# Exact frame counts on the generated edge-case clips: facetrack probe
# equals ffprobe -count_frames, and the upright size follows the rotation.
. "$(dirname "$0")/lib.sh"

same_count() {
    local want got
    want=$(ffprobe_count "$1")
    got=$("$FACETRACK" probe "$1" | json_int frame_count)
    echo "  $(basename "$1"): ffprobe $want, facetrack $got"
    [ -n "$want" ] && [ "$want" = "$got" ]
}
while read -r clip; do
    check "frame count of $(basename "$clip")" same_count "$clip"
done < <(clips_in "$FT_CLIPS_DIR" | grep -v /bad/)

field_is() { # CLIP FIELD VALUE
    local got
    got=$("$FACETRACK" probe "$1" | json_int "$2")
    [ "$got" = "$3" ] || { echo "  $2 = $got, expected $3"; return 1; }
}
check "rotate_90 is upright 240x320" sh -c "$(declare -f json_int field_is); \
    field_is '$FT_CLIPS_DIR/rotate_90.mp4' width 240 && field_is '$FT_CLIPS_DIR/rotate_90.mp4' height 320"
check "rotate_180 keeps 320x240" field_is "$FT_CLIPS_DIR/rotate_180.mp4" width 320
check "one_frame has one frame" field_is "$FT_CLIPS_DIR/one_frame.mp4" frame_count 1
check "odd size is 321 wide" field_is "$FT_CLIPS_DIR/odd_size_321x241.mkv" width 321
check "start offset is reported" sh -c "'$FACETRACK' probe '$FT_CLIPS_DIR/start_offset.mp4' | grep -q '\"start_time\":2.5'"
check "--fast says it did not count" sh -c "'$FACETRACK' probe --fast '$FT_CLIPS_DIR/vfr.mp4' | grep -q '\"frame_count_method\":\"container\"'"
parallel_same_as_serial() {
    local clips
    mapfile -t clips < <(clips_in "$FT_CLIPS_DIR" | grep -v /bad/)
    [ "$("$FACETRACK" probe --jobs 4 "${clips[@]}")" = "$("$FACETRACK" probe "${clips[@]}")" ]
}
check "probe --jobs 4 prints the same, in the same order, as --jobs 1" parallel_same_as_serial
finish
