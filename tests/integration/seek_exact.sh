# Seek-then-decode equals sequential decode, pixel for pixel, at random
# positions (fixed seed) of several clips: generated edge cases, and the
# shared media when present.
. "$(dirname "$0")/lib.sh"
RANDOM=2024
positions_per_clip=${FT_SEEK_POSITIONS:-6}
run=3

clips=$(clips_in "$FT_CLIPS_DIR" | grep -v /bad/)
if [ -d "${FT_SHARED_DIR:-}/media" ]; then
    clips="$clips
$(clips_in "$FT_SHARED_DIR/media" | grep -E 'faces/(videoretalking|liveportrait_driving_d0|fom)|edge/|scenes/pyscenedetect_counter|bench/')"
else
    echo "note: shared media not found, checking the generated clips only"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r clip; do
    name=$(basename "$clip")
    "$FACETRACK" frames "$clip" > "$tmp/all" || { fail "sequential decode of $name"; continue; }
    total=$(wc -l < "$tmp/all")
    positions="0 $((total - 1)) $((total / 2))"
    for _ in $(seq "$positions_per_clip"); do positions="$positions $((RANDOM % total))"; done
    for k in $positions; do
        want=$(sed -n "$((k + 1)),$((k + run))p" "$tmp/all")
        got=$("$FACETRACK" frames --start "$k" --count $run "$clip")
        if [ "$got" = "$want" ]; then pass "$name: seek to $k of $total"; else
            fail "$name: seek to $k of $total"; diff <(echo "$want") <(echo "$got") | head -4
        fi
    done
    # Seeking past the end is end of stream, not an error.
    past=$("$FACETRACK" frames --start "$total" "$clip" | wc -l)
    check "$name: seek past the end gives no frame" test "$past" -eq 0
done <<<"$clips"
finish
