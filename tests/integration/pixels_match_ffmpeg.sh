# Our decoded, upright RGB frames are the ffmpeg command line's, byte for
# byte: per-frame MD5 of facetrack frames vs ffmpeg -f framemd5 (which
# applies the display-matrix rotation too).
. "$(dirname "$0")/lib.sh"
max_frames=${FT_PIXEL_CHECK_FRAMES:-60}

same_pixels() { # CLIP PIXFMT
    local ours theirs
    ours=$("$FACETRACK" frames --count "$max_frames" --pixfmt "$2" "$1" | awk '{print $4}')
    theirs=$(ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -frames:v "$max_frames" \
        -fps_mode passthrough -pix_fmt "$2" -f framemd5 - | grep -v '^#' | awk -F', *' '{print $6}')
    [ -n "$ours" ] && [ "$ours" = "$theirs" ] ||
        { echo "  $(diff <(echo "$ours") <(echo "$theirs") | head -4)"; return 1; }
}
clips=$(clips_in "$FT_CLIPS_DIR" | grep -v /bad/)
if [ -d "${FT_SHARED_DIR:-}/media" ]; then
    clips="$clips
$(clips_in "$FT_SHARED_DIR/media")"
else
    echo "note: shared media not found, checking the generated clips only"
fi
while read -r clip; do
    check "rgb24 pixels of $(basename "$clip")" same_pixels "$clip" rgb24
done <<<"$clips"
for clip in "$FT_CLIPS_DIR/yuv444p.mp4" "$FT_CLIPS_DIR/odd_size_321x241.mkv" \
    "$FT_CLIPS_DIR/rotate_90.mp4" "$FT_CLIPS_DIR/yuv420p10.mp4"; do
    for fmt in gray yuv420p bgr24 rgba; do
        check "$fmt pixels of $(basename "$clip")" same_pixels "$clip" $fmt
    done
done
finish
