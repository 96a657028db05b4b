# facetrack serve's web UI files over HTTP: served at / and /ui/ without the
# token (they hold no data) while the API still needs it, with their media
# types and the security headers (CSP without inline code, nosniff, no
# referrer), and a JSON 404 for unknown files.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir media
"$FACETRACK" serve --port 0 --data-dir data --media-root media --token s3cret >serve.out 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q 'listening on' serve.out && break; sleep 0.1; done
base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
check "listening" test -n "$base"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
header() { curl -s -D - -o /dev/null "$2" | tr -d '\r' | sed -n "s/^$1: //Ip"; }

check "/ without the token: 200" test "$(code "$base/")" = 200
check "... the page, as HTML" grep -q '<script type="module" src="/ui/app.js">' <(curl -s "$base/")
check "... text/html" test "$(header content-type "$base/")" = "text/html; charset=utf-8"
csp="default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
check "... its Content-Security-Policy" test "$(header content-security-policy "$base/")" = "$csp"
check "... nosniff, no referrer, no-cache" test "$(header x-content-type-options "$base/")" = nosniff -a \
    "$(header referrer-policy "$base/")" = no-referrer -a "$(header cache-control "$base/")" = no-cache
check "a script: text/javascript" test "$(header content-type "$base/ui/app.js")" = "text/javascript; charset=utf-8"
check "the style sheet: text/css" test "$(header content-type "$base/ui/app.css")" = "text/css; charset=utf-8"
for f in app.js app.css index.html; do
    check "/ui/$f is the source file" cmp -s <(curl -s "$base/ui/$f") "$FT_SOURCE_DIR/src/serve/web/$f"
done
check "every module the page imports is served" bash -c '
    for m in $(grep -ho "from '\''\./[a-z_]*\.js'\''" "$1"/src/serve/web/*.js | sed "s/.*\.\/\(.*\)'\''/\1/" | sort -u); do
        [ "$(curl -s -o /dev/null -w "%{http_code}" "$2/ui/$m")" = 200 ] || { echo "  $m missing"; exit 1; }
    done' _ "$FT_SOURCE_DIR" "$base"
check "no inline script or style in the page" test -z "$(curl -s "$base/" | grep -E '<script>|<style|style=| on[a-z]+=')"
check "HEAD /: 200" test "$(code -I "$base/")" = 200
check "an unknown file: 404 JSON" test "$(curl -s "$base/ui/nope.js")" = \
    '{"error":{"status":404,"message":"no such file of the web UI: nope.js"}}'
check "/ui/../api/health is not the API" test "$(code --path-as-is "$base/ui/../api/health")" != 200
check "/anything-else: 401 (the root is exact, not a prefix)" test "$(code "$base/nope")" = 401
check "the API still needs the token" test "$(code "$base/api/health")" = 401 -a \
    "$(code -H 'Authorization: Bearer s3cret' "$base/api/health")" = 200
check "POST /: refused" test "$(code -X POST -H 'Content-Type: application/json' -d '{}' "$base/")" = 405
finish
