# facetrack live's coordinates, proven on synthetic sources of known
# motion: a face image moved along a known path over a grey canvas (a
# landscape, a portrait and a 4:3 capture; previews of other aspects). In
# every frame, the box centre scaled to the preview stays within 2 preview
# pixels of the true position (the path, plus the face's fixed offset
# within its image); a still face's box centre moves less than 1 preview
# pixel from frame to frame. Each preview is also read from the shared
# memory and its scale checked against the capture and preview sizes.
. "$(dirname "$0")/lib.sh"
need_face_models
[ -f "${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# The face: one frame of a shared clip, cropped around the face.
ffmpeg -v error -ss 1 -i "$FT_SHARED_DIR/media/faces/liveportrait_driving_d6.mp4" -frames:v 1 \
    -vf "crop=300:340:106:60,scale=150:170" face.png || fail "cannot cut the face image"

# make_source NAME WxH X0 Y0 DX DY: 30 frames, the face at (X0 + DX n, Y0 + DY n) in frame n
make_source() {
    ffmpeg -v error -f lavfi -i "color=c=0x808080:s=$2:r=25" -i face.png \
        -filter_complex "[0][1]overlay=x='$3+$5*n':y='$4+$6*n'" -frames:v 30 -c:v libx264 -threads 1 -crf 12 \
        -pix_fmt yuv420p "$1.mp4" || fail "cannot make $1"
}

# path_check NAME DX DY PREVIEW: the box centres against the path, at preview scale
path_check() {
    python3 - "$1.jsonl" "$2" "$3" "$4" <<'EOF'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
dx, dy = float(sys.argv[2]), float(sys.argv[3])
pw, ph = (int(v) for v in sys.argv[4].split('x'))
ready = next(l for l in lines if l['type'] == 'ready')
if (ready['shm']['preview_width'], ready['shm']['preview_height']) != (pw, ph):
    sys.exit(f"  ready says preview {ready['shm']}")
frames = [l for l in lines if l['type'] == 'frame']
if len(frames) != 30 or any(len(f['faces']) != 1 for f in frames):
    sys.exit(f'  {len(frames)} frames, faces {[len(f["faces"]) for f in frames]}')
sx, sy = pw / frames[0]['width'], ph / frames[0]['height']
centre = [((f['faces'][0]['box'][0] + f['faces'][0]['box'][2] / 2) * sx,
           (f['faces'][0]['box'][1] + f['faces'][0]['box'][3] / 2) * sy) for f in frames]
# the true position: the path, plus the face's fixed offset in its image
# (the median over frames of centre minus path)
path = [(dx * f['frame'] * sx, dy * f['frame'] * sy) for f in frames]
ox = statistics.median(c[0] - p[0] for c, p in zip(centre, path))
oy = statistics.median(c[1] - p[1] for c, p in zip(centre, path))
err = [max(abs(c[0] - p[0] - ox), abs(c[1] - p[1] - oy)) for c, p in zip(centre, path)]
jitter = [max(abs(a[0] - b[0] - (p[0] - q[0])), abs(a[1] - b[1] - (p[1] - q[1])))
          for a, b, p, q in zip(centre[1:], centre, path[1:], path)]
print(f'  scale {sx:.4f} x {sy:.4f}: largest error {max(err):.2f} px, '
      f'largest frame-to-frame deviation {max(jitter):.2f} px (preview pixels)')
if max(err) > 2.0:
    sys.exit(1)
if dx == 0 and dy == 0 and max(jitter) >= 1.0:
    sys.exit(1)
EOF
}

# run NAME PREVIEW: live on the clip, every frame, metadata on stdout; the
# shared memory's last frame read by the C reader example meanwhile
run() {
    timeout 120 "$FACETRACK" live --every-frame --stdout all --preview "$2" --socket "$work/s.sock" \
        "$1.mp4" >"$1.jsonl" 2>"$1.err"
}

make_source landscape 640x360 60 40 8 3
run landscape 960x540
check "a moving face in a 640x360 capture, 960x540 preview: within 2 px of its path" \
    path_check landscape 8 3 960x540
make_source portrait 480x640 100 40 -2 12
run portrait 960x540
check "a moving face in a 480x640 capture (portrait), 960x540 preview: within 2 px" \
    path_check portrait -2 12 960x540
make_source still 800x600 300 200 0 0
run still 960x540
check "a still face in an 800x600 capture, 960x540 preview: within 2 px, jitter under 1 px" \
    path_check still 0 0 960x540
make_source wide 1280x720 900 100 -10 5
run wide 320x320
check "a moving face in a 1280x720 capture, a square 320x320 preview: within 2 px" \
    path_check wide -10 5 320x320

# The same scale, read from the shared memory of a running worker.
if cc -std=c11 -D_DEFAULT_SOURCE -O2 -o shm_reader "$FT_SOURCE_DIR/examples/live/shm_reader.c" -lrt; then
    timeout 60 "$FACETRACK" live --loop --preview 960x540 --socket "$work/p.sock" portrait.mp4 >p.jsonl 2>p.err &
    lv=$!
    for _ in $(seq 600); do grep -q '"type":"ready"' p.jsonl && break; sleep 0.05; done
    name=$(sed -n 's/.*"shm":{"name":"\([^"]*\)".*/\1/p' p.jsonl | head -1)
    ./shm_reader "$name" >shm.txt
    check "shared memory: capture 480x640 (w, h not swapped), preview 960x540, scale 2 x 0.84375" \
        grep -q '"capture":\[480,640\],"preview":\[960,540\],"scale":\[2.000000,0.843750\]' shm.txt
    kill -TERM "$lv"
    wait "$lv"
else
    fail "the C reader example does not build"
fi

finish
