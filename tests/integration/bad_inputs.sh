# Every bad input ends with one line on stderr naming the file, exit code 1,
# and no crash (sanitizer reports or signals would change the exit code).
. "$(dirname "$0")/lib.sh"
bad="$FT_CLIPS_DIR/bad"

expect_one_line_error() { # CMD FILE [EXPECTED-TEXT]
    local cmd=$1 file=$2 want=${3:-} err rc
    err=$(timeout 60 "$FACETRACK" "$cmd" "$file" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" -ne 1 ]; then echo "  exit code $rc: $err"; return 1; fi
    if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then echo "  not one line: $err"; return 1; fi
    case "$err" in *"$file"*) ;; *) echo "  file not named: $err"; return 1 ;; esac
    if [ -n "$want" ]; then
        case "$err" in *"$want"*) ;; *) echo "  reason lacks '$want': $err"; return 1 ;; esac
    fi
    echo "  $err"
}

for cmd in probe frames; do
    check "$cmd: missing file" expect_one_line_error $cmd "$bad/does_not_exist.mp4" "no such file"
    check "$cmd: zero-byte file" expect_one_line_error $cmd "$bad/zero_bytes.mp4" "empty file"
    check "$cmd: directory" expect_one_line_error $cmd "$bad/a_directory.mp4" "directory"
    check "$cmd: text file" expect_one_line_error $cmd "$bad/text.mp4"
    check "$cmd: random bytes" expect_one_line_error $cmd "$bad/garbage.mp4"
    check "$cmd: audio only" expect_one_line_error $cmd "$bad/audio_only.m4a" "no video stream"
    check "$cmd: truncated, index missing" expect_one_line_error $cmd "$bad/truncated_moov_missing.mp4"
    check "$cmd: truncated, index present" expect_one_line_error $cmd "$bad/truncated_faststart.mp4" "truncated"
    check "$cmd: corrupt payload" expect_one_line_error $cmd "$bad/corrupt_payload.mp4"
done
check "probe --fast: missing file" expect_one_line_error probe "$bad/does_not_exist.mp4"

# One bad file among good ones: the good ones are still probed.
mixed() {
    local out rc
    out=$("$FACETRACK" probe "$FT_CLIPS_DIR/one_frame.mp4" "$bad/text.mp4" \
        "$FT_CLIPS_DIR/yuv444p.mp4" 2>/dev/null)
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
}
check "probe: a bad file does not stop the others" mixed
if [ "$(id -u)" -ne 0 ]; then
    cp "$FT_CLIPS_DIR/one_frame.mp4" "$FT_CLIPS_DIR/bad/unreadable.mp4"
    chmod 000 "$FT_CLIPS_DIR/bad/unreadable.mp4"
    check "probe: unreadable file" expect_one_line_error probe "$bad/unreadable.mp4" "cannot read"
    rm -f "$FT_CLIPS_DIR/bad/unreadable.mp4"
else
    echo "note: running as root, the permission-denied case is covered by the directory case"
fi
finish
