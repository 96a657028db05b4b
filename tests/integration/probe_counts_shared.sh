# Exact frame counts on every clip of the shared media: facetrack probe
# equals ffprobe -count_frames; the rotated clip comes out upright.
. "$(dirname "$0")/lib.sh"
need_shared_media
media="$FT_SHARED_DIR/media"

same_count() {
    local want got
    want=$(ffprobe_count "$1")
    got=$("$FACETRACK" probe "$1" | json_int frame_count)
    echo "  ${1#$media/}: ffprobe $want, facetrack $got"
    [ -n "$want" ] && [ "$want" = "$got" ]
}
while read -r clip; do
    check "frame count of ${clip#$media/}" same_count "$clip"
done < <(clips_in "$media")

rotated="$media/edge/pyscenedetect_issue-134-rotate.mp4"
if [ -f "$rotated" ]; then
    upright() {
        local json
        json=$("$FACETRACK" probe --fast "$rotated")
        [ "$(json_int width <<<"$json")" = 544 ] && [ "$(json_int height <<<"$json")" = 1280 ] &&
            [ "$(json_int rotation <<<"$json")" = 90 ]
    }
    check "rotated clip is reported upright 544x1280, rotation 90" upright
fi
finish
