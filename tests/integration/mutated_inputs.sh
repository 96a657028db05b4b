# Damaged copies of good clips (bytes overwritten or cut at seeded random
# places) never crash or hang the reader: probe and frames end with exit 0 or
# 1, and a failure is one line naming the file.
. "$(dirname "$0")/lib.sh"
RANDOM=4242
mutations=${FT_MUTATIONS:-24}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
noise="$FT_CLIPS_DIR/bad/garbage.mp4"
sources=("$FT_CLIPS_DIR/h264_faststart.mp4" "$FT_CLIPS_DIR/streams_audio_video_subs.mkv"
    "$FT_CLIPS_DIR/vfr.mp4" "$FT_CLIPS_DIR/odd_size_321x241.mkv")

survives() { # CMD FILE
    local err rc
    err=$(timeout 60 "$FACETRACK" "$1" "$2" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" -gt 1 ]; then echo "  exit code $rc: $(echo "$err" | head -3)"; return 1; fi
    if [ "$rc" -eq 1 ] && { [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] ||
        [[ "$err" != *"$2"* ]]; }; then echo "  bad error text: $err"; return 1; fi
    return 0
}
for i in $(seq "$mutations"); do
    src=${sources[$((i % ${#sources[@]}))]}
    size=$(stat -c %s "$src")
    out="$tmp/mutant_$i.${src##*.}"
    cp "$src" "$out"
    if [ $((i % 4)) -eq 0 ]; then
        truncate -s $(( (RANDOM * 32768 + RANDOM) % size )) "$out"
        what="cut"
    else
        for _ in 1 2 3 4; do
            dd if="$noise" of="$out" bs=1 count=$((1 + RANDOM % 64)) skip=$((RANDOM % 4096)) \
                seek=$(( (RANDOM * 32768 + RANDOM) % size )) conv=notrunc status=none
        done
        what="overwritten"
    fi
    check "probe survives $(basename "$src") $what #$i" survives probe "$out"
    check "frames survives $(basename "$src") $what #$i" survives frames "$out"
done
finish
