# The web UI of `facetrack serve` in a real browser: Debian's chromium,
# driven by playwright-core (pinned in package-lock.json, installed by
# `npm ci` into the build tree, integrity hashes checked). A media root with
# a 2-second clip of a face, the real server (token required), and
# ui_test.mjs: the analysis started from the form (scenes + track),
# followed to success in the job list, the results viewer's overlay checked
# pixel by pixel against the tracking file, seeking, the log and a file name
# with markup shown as text, the keyboard, and a 390 px wide phone screen.
# Skips, saying why, without chromium, node/npm (or the registry, the first
# time), the shared media or the models.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
shared=${FT_SHARED_DIR:-}
chromium=${FT_CHROMIUM:-/usr/bin/chromium}
: "${FT_E2E_DIR:?FT_E2E_DIR must name a folder in the build tree}"
[ -x "$chromium" ] || skip_test "chromium not installed at $chromium (scripts/deps.sh installs it)"
command -v node >/dev/null || skip_test "node is not installed"
command -v npm >/dev/null || skip_test "npm is not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
source_clip=$shared/media/faces/liveportrait_driving_d0.mp4
[ -f "$source_clip" ] || skip_test "shared media not found at '$shared'"
need_face_models

# playwright-core, once per build tree; again only when the lock changes.
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
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The clip's name needs encoding in URLs, and holds markup that the page
# (folder list, job list, log, viewer) must show as text.
clip='faces/<img src=x onerror=window.__xss=1> & smile.mp4'
mkdir -p "$work/media/faces" "$work/data"
ffmpeg -v error -i "$source_clip" -t 2 -c:v libx264 -g 25 -pix_fmt yuv420p -an "$work/media/$clip" ||
    fail "cannot make the test clip"

token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$FACETRACK" serve --port 0 --media-root "$work/media" --data-dir "$work/data" --token "$token" \
    >"$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/serve.out" && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' "$work/serve.out")
[ -n "$base" ] || { cat "$work/serve.out"; fail "the server did not start"; finish; }

rm -f "$FT_E2E_DIR"/results_viewer*.png
FT_BASE=$base FT_TOKEN=$token FT_CLIP=$clip FT_SCREENSHOT_DIR=$FT_E2E_DIR \
    FT_NODE_MODULES=$modules/node_modules FT_CHROMIUM=$chromium FT_JOB_TIMEOUT_S=120 \
    timeout 200 node "$here/ui_test.mjs"
rc=$?
check "the browser test passes (exit $rc)" test "$rc" -eq 0
check "the screenshot is saved" test -s "$FT_E2E_DIR/results_viewer.png"

kill -TERM "$pid"
wait "$pid"
check "the server stops cleanly on SIGTERM" test $? -eq 0
pid=
[ "$failed" -eq 0 ] || { echo "--- server output"; tail -n 40 "$work/serve.out"; }
finish
