# What the MediaPipe engine finds on the shared clips stays what it was when
# recorded (tests/fixtures/track_regression, made by the engine before it
# became a registry class over the shared tracker): the same objects with
# the same IDs in every frame, pixels within 1 and scores within 0.01, with
# 1 and 3 workers.
. "$(dirname "$0")/lib.sh"
need_face_models
need_shared_media
[ "${FT_SANITIZED:-0}" = 1 ] &&
    skip_test "runs in the release build (the sanitizer build runs the same code in track_cli)"
py=/usr/bin/python3
src=${FT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fixtures=$src/tests/fixtures/track_regression
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clips=()
for f in "$fixtures"/*.tsv; do
    stem=$(basename "$f" .tsv)
    clip=$(find "$FT_SHARED_DIR/media" -name "$stem.*" \( -name '*.mp4' -o -name '*.mkv' \) | head -n 1)
    [ -n "$clip" ] && clips+=("$clip")
done
[ ${#clips[@]} -gt 0 ] || skip_test "none of the recorded clips in $FT_SHARED_DIR/media"
for workers in 1 3; do
    "$FACETRACK" track --force --workers $workers -o "$work/w$workers" "${clips[@]}" >/dev/null 2>&1
    check "track with $workers workers: exit 0" test $? -eq 0
    for clip in "${clips[@]}"; do
        stem=$(basename "${clip%.*}")
        check "$stem ($workers workers): as recorded" \
            "$py" "$src/tests/tools/track_fingerprint.py" compare "$work/w$workers/$stem.json" "$fixtures/$stem.tsv"
    done
done
finish
