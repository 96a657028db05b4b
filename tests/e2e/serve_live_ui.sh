# The Live view of `facetrack serve` in a real browser: Debian's chromium
# driven by playwright-core (installed by serve_ui.sh's way: `npm ci` of the
# pinned lock into the build tree). A synthetic clip of a face moving over
# grey, served as a --live-source (a 4:3 capture in the 640x360 preview);
# live_ui.mjs starts it, stops it and checks the overlay pixel by pixel.
# Skips, saying why, without chromium, node/npm, the shared media or the models.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
chromium=${FT_CHROMIUM:-/usr/bin/chromium}
: "${FT_E2E_DIR:?FT_E2E_DIR must name a folder in the build tree}"
[ -x "$chromium" ] || skip_test "chromium not installed at $chromium (scripts/deps.sh installs it)"
command -v node >/dev/null || skip_test "node is not installed"
command -v npm >/dev/null || skip_test "npm is not installed"
[ -f "${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4" ] || skip_test "shared media not found"
need_face_models

modules=$FT_E2E_DIR/npm
mkdir -p "$FT_E2E_DIR"
if ! cmp -s "$here/package-lock.json" "$modules/package-lock.json" ||
    [ ! -f "$modules/node_modules/playwright-core/package.json" ]; then
    rm -rf "$modules"
    mkdir -p "$modules"
    cp "$here/package.json" "$here/package-lock.json" "$modules/"
    if ! (cd "$modules" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$FT_E2E_DIR/npm.log" 2>&1; then
        rm -f "$modules/package-lock.json"
        skip_test "npm could not install playwright-core (offline?): $(grep -m1 -i 'error' "$FT_E2E_DIR/npm.log" | cut -c1-160)"
    fi
fi

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/media"
ffmpeg -v error -ss 1 -i "$FT_SHARED_DIR/media/faces/liveportrait_driving_d6.mp4" -frames:v 1 \
    -vf "crop=300:340:106:60,scale=150:170" "$work/face.png"
ffmpeg -v error -f lavfi -i "color=c=0x808080:s=480x360:r=25" -i "$work/face.png" \
    -filter_complex "[0][1]overlay=x='40+4*n':y='60+1*n'" -frames:v 50 -c:v libx264 -threads 1 -crf 12 \
    -pix_fmt yuv420p "$work/moving.mp4" || fail "cannot make the clip"

token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$FACETRACK" serve --port 0 --media-root "$work/media" --data-dir "$work/data" --token "$token" \
    --live-source "$work/moving.mp4" >"$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/serve.out" && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' "$work/serve.out")
[ -n "$base" ] || { cat "$work/serve.out"; fail "the server did not start"; finish; }

rm -f "$FT_E2E_DIR/live_view.png"
FT_BASE=$base FT_TOKEN=$token FT_SCREENSHOT_DIR=$FT_E2E_DIR FT_NODE_MODULES=$modules/node_modules \
    FT_CHROMIUM=$chromium timeout 150 node "$here/live_ui.mjs"
rc=$?
check "the browser test passes (exit $rc)" test "$rc" -eq 0
check "the screenshot is saved" test -s "$FT_E2E_DIR/live_view.png"
kill -TERM "$pid"
wait "$pid"
check "the server stops cleanly on SIGTERM" test $? -eq 0
pid=
[ "$failed" -eq 0 ] || { echo "--- server output"; tail -n 40 "$work/serve.out"; }
finish
