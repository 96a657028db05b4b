# facetrack track and scenes on bad inputs and hostile conditions: a video
# whose sample table points past its end fails (exit 1, no output) while the
# others are done; a missing path is named and the others still run; list
# files are bounded (a link to /dev/zero, a FIFO, a folder, 65 MiB: refused
# at once); a full disk is named at the first failed write; a 253-byte file
# name works; y.mp4 is not skipped for y.mkv's output; `--` ends the options
# of every command.
. "$(dirname "$0")/lib.sh"
npm=${FT_NPM_MODELS_DIR:-}
[ -f "$npm/face_detection_full_range.tflite" ] || skip_test "npm models not installed in '$npm'"
shared=${FT_SHARED_DIR:-}
[ -f "$shared/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found at '$shared'"
export FACETRACK_MODEL_PATH=$npm
work=$(mktemp -d)
mounted=
trap '[ -n "$mounted" ] && umount "$mounted"; rm -rf "$work"' EXIT
cd "$work" || exit 1
temps() { find "$@" -name '.*.tmp-*' 2>/dev/null; }

mkdir -p in
for i in 1 2; do
    ffmpeg -v error -i "$shared/media/faces/liveportrait_driving_d6.mp4" -frames:v 40 -vf scale=240:240 \
        -c:v libx264 -g 20 -pix_fmt yuv420p -an "in/good$i.mp4" || fail "cannot make clip $i"
done

# ---- A broken sample table: every stco chunk offset past the end of the file.
mkdir -p bad
ffmpeg -v error -f lavfi -i testsrc=size=64x64:rate=10 -frames:v 10 -c:v libx264 -pix_fmt yuv420p \
    bad/stco.mp4 || fail "cannot make the tiny clip"
/usr/bin/python3 - bad/stco.mp4 <<'PY'
import struct, sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
i = d.find(b"stco"); assert i > 0, "no stco box"
n = struct.unpack(">I", d[i + 8:i + 12])[0]; assert n > 0
for k in range(n):
    struct.pack_into(">I", d, i + 12 + 4 * k, len(d) + 1000000 + k)
open(p, "wb").write(d)
PY
"$FACETRACK" probe bad/stco.mp4 >/dev/null 2>&1
check "stco past the end: probe rejects it (exit 1)" test $? -eq 1
"$FACETRACK" track --workers 2 -o o_stco in/good1.mp4 bad/stco.mp4 in/good2.mp4 >out.txt 2>err.txt
check "stco past the end: track exits 1" test $? -eq 1
check "stco past the end: no output for it" test ! -e o_stco/stco.json
check "stco past the end: named with its reason" grep -q 'stco.mp4.*truncated file' err.txt
check "stco past the end: the other videos are done" test -s o_stco/good1.json -a -s o_stco/good2.json
"$FACETRACK" track --workers 2 -o o_stco bad/stco.mp4 >/dev/null 2>&1
check "stco past the end: a later run does not skip it (still exit 1)" test $? -eq 1

# ---- A missing path among good ones: named, the others still done, exit 1.
"$FACETRACK" track --workers 2 -o o_miss in/good1.mp4 nosuch/missing.mp4 in/good2.mp4 >out.txt 2>err.txt
check "track, missing path: exit 1" test $? -eq 1
check "track, missing path: one line naming it" test "$(grep -c 'nosuch/missing.mp4' err.txt)" -eq 1
check "track, missing path: the others are done" test -s o_miss/good1.json -a -s o_miss/good2.json
printf '["%s", "%s", "%s"]' "$work/in/good1.mp4" "$work/gone.mp4" "$work/in/good2.mp4" >list.json
"$FACETRACK" track --workers 2 -o o_missj --videos-json list.json >out.txt 2>err.txt
check "track, missing entry of --videos-json: exit 1" test $? -eq 1
check "track, missing entry: one line naming it" test "$(grep -c 'gone.mp4' err.txt)" -eq 1
check "track, missing entry: the others are done" test -s o_missj/good1.json -a -s o_missj/good2.json
"$FACETRACK" scenes -o s_miss in/good1.mp4 nosuch/missing.mp4 in/good2.mp4 >out.txt 2>err.txt
check "scenes, missing path: exit 1" test $? -eq 1
check "scenes, missing path: one line naming it" test "$(grep -c 'nosuch/missing.mp4' err.txt)" -eq 1
check "scenes, missing path: the others are done" test -s s_miss/good1.csv -a -s s_miss/good2.csv

# ---- List files: only regular files of at most 64 MiB, refused at once.
ln -s /dev/zero zero.json
mkfifo fifo.json
mkdir folder.json
truncate -s 65M big.json
for cmd in track scenes; do
    for list in zero.json fifo.json folder.json big.json; do
        start=$(date +%s)
        timeout 10 "$FACETRACK" $cmd -o o_list --videos-json $list >out.txt 2>err.txt
        rc=$?
        took=$(($(date +%s) - start))
        check "$cmd --videos-json $list: exit 1 at once (exit $rc, ${took}s)" test $rc -eq 1 -a $took -le 3
        check "$cmd --videos-json $list: one line naming it" \
            test "$(grep -c "^facetrack $cmd: " err.txt)" -eq 1 -a -n "$(grep "$list" err.txt)"
    done
done
grep -q 'not a regular file' <("$FACETRACK" track --videos-json zero.json 2>&1)
check "/dev/zero: 'not a regular file'" test $? -eq 0
grep -q 'over 64 MiB' <("$FACETRACK" track --videos-json big.json 2>&1)
check "65 MiB: 'over 64 MiB'" test $? -eq 0

# ---- A full disk: named at the first failed write, the video stopped there.
mkdir -p full
if mount -t tmpfs -o size=200k tmpfs full 2>/dev/null; then
    mounted=$work/full
    ffmpeg -v error -i "$shared/media/faces/liveportrait_driving_d6.mp4" -frames:v 600 -vf scale=240:240 \
        -c:v libx264 -g 20 -pix_fmt yuv420p -an in/long.mp4
    "$FACETRACK" track --verbose-fields --workers 1 --chunk-frames 20 --progress json -o full \
        in/long.mp4 >ev.txt 2>err.txt
    check "full disk: exit 1" test $? -eq 1
    check "full disk: 'no space left on device', naming the output" \
        grep -qi 'full/long.json: cannot write: no space left on device' ev.txt
    check "full disk: stopped at the first failed write, not after the whole video" \
        /usr/bin/python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
f = [e for e in ev if e["event"] == "failed"]
assert f and f[0]["frames"] < 200, f' ev.txt
    check "full disk: nothing left on it" test -z "$(ls -A full)"
    umount full && mounted=
else
    echo "SKIP (part): cannot mount a tmpfs here: the full-disk checks did not run"
fi

# ---- A 253-byte file name: its temporary name must fit NAME_MAX too.
long=$(printf 'a%.0s' $(seq 249)).mp4
mkdir -p longname
cp in/good1.mp4 "longname/$long"
"$FACETRACK" track --workers 2 longname >out.txt 2>err.txt
check "a 253-byte file name: track exits 0" test $? -eq 0
check "a 253-byte file name: its output is written" test -s "longname/${long%.mp4}.json"
"$FACETRACK" scenes longname >out.txt 2>err.txt
check "a 253-byte file name: scenes exits 0" test $? -eq 0 -a -s "longname/${long%.mp4}.csv"
check "a 253-byte file name: no temporary file left" test -z "$(temps longname)"

# ---- Same stem: y.mp4 is not skipped because of y.mkv's output.
mkdir -p stem
cp in/good1.mp4 stem/y.mkv
cp in/good2.mp4 stem/y.mp4
"$FACETRACK" track --workers 2 stem/y.mkv >/dev/null 2>&1
"$FACETRACK" track --workers 2 stem/y.mp4 >out.txt 2>&1
check "y.mp4 after y.mkv: tracked, not skipped" grep -q 'tracked 1 of 1 videos (0 skipped' out.txt
check "y.mp4 after y.mkv: the output is y.mp4's" /usr/bin/python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["metadata"]["video_path"].endswith("/stem/y.mp4")' stem/y.json
"$FACETRACK" track --workers 2 stem/y.mp4 >out.txt 2>&1
check "y.mp4 again: now skipped" grep -q '1 skipped' out.txt
if /usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.t", b"1")' stem/y.mp4 2>/dev/null; then
    "$FACETRACK" track --format reduced --workers 2 stem/y.mkv >/dev/null 2>&1
    "$FACETRACK" track --format reduced --workers 2 stem/y.mp4 >out.txt 2>&1
    check "reduced: y.mp4 after y.mkv: tracked, not skipped" grep -q 'tracked 1 of 1 videos (0 skipped' out.txt
    "$FACETRACK" track --format reduced --workers 2 stem/y.mp4 >out.txt 2>&1
    check "reduced: y.mp4 again: now skipped" grep -q '1 skipped' out.txt
else
    echo "SKIP (part): no user extended attributes here: the reduced same-stem checks did not run"
fi

# ---- `--` ends the options of every command.
mkdir -p dash
cp in/good1.mp4 dash/-x.mp4
ffmpeg -v error -i in/good1.mp4 -frames:v 1 dash/-img.png
cp "$npm/face_detection_full_range.tflite" dash/-m.tflite
cd dash || exit 1
"$FACETRACK" track -o t -- -x.mp4 >/dev/null 2>&1
check "track -- -x.mp4" test $? -eq 0 -a -s t/-x.json
"$FACETRACK" scenes -o s -- -x.mp4 >/dev/null 2>&1
check "scenes -- -x.mp4" test $? -eq 0 -a -s s/-x.csv
"$FACETRACK" probe -- -x.mp4 >/dev/null 2>&1
check "probe -- -x.mp4" test $? -eq 0
"$FACETRACK" frames --count 2 -- -x.mp4 >out.txt 2>&1
check "frames --count 2 -- -x.mp4" test $? -eq 0 -a "$(wc -l <out.txt)" -eq 2
"$FACETRACK" detect -- -img.png >/dev/null 2>&1
check "detect -- -img.png" test $? -eq 0
"$FACETRACK" model info -- -m.tflite >/dev/null 2>&1
check "model info -- -m.tflite" test $? -eq 0
"$FACETRACK" models list -- >/dev/null 2>&1
check "models list --" test $? -eq 0
"$FACETRACK" models pull --dir m -- -nosuch >/dev/null 2>err.txt
check "models pull -- -nosuch: the name is taken as a name" test -z "$(grep 'unknown option' err.txt)"
"$FACETRACK" engines -- >/dev/null 2>&1
check "engines --" test $? -eq 0
"$FACETRACK" engines -- --json >/dev/null 2>&1
check "engines -- --json: an argument, refused (exit 2)" test $? -eq 2
"$FACETRACK" serve --media-root . -- extra >/dev/null 2>err.txt
check "serve -- extra: refused (exit 2)" test $? -eq 2 -a -n "$(grep 'unexpected argument' err.txt)"
cd "$work" || exit 1
finish
