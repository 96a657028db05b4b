# facetrack serve against hostile clients on loopback: DNS rebinding (Host
# and Origin of another name, on every route), requests refused from their
# headers before any body byte (Expect: 100-continue), a request deadline
# that trickling cannot extend, ~1,100 slow and 200 half-sent connections
# that never keep an authenticated client out for more than a second nor
# grow the server's memory past a bound, paths outside the roots that
# answer as missing ones do, hidden files and the data folder never served.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
command -v python3 >/dev/null || skip_test "python3 not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
attack="python3 $FT_SOURCE_DIR/tests/tools/serve_attack.py"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p media/sub media/.hidden outside
ffmpeg -v error -f lavfi -i testsrc2=size=160x90:rate=25:duration=1 -pix_fmt yuv420p media/sub/clip.mp4
cp media/sub/clip.mp4 media/.hidden/clip.mp4
ln -s .hidden/clip.mp4 media/visible.mp4
echo 'not for clients' >outside/secret.txt
ln -s ../../outside/secret.txt media/sub/secret.mp4

# start OUT ARGS...: runs the server on a free port; sets $base, $port, $pid
start() {
    local out=$1; shift
    "$FACETRACK" serve --port 0 "$@" >"$out" 2>&1 &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 50); do
        grep -q 'listening on' "$out" && break
        sleep 0.1
    done
    port=$(sed -n 's#.*listening on http://[0-9.]*:\([0-9]*\)/.*#\1#p' "$out")
    base=http://127.0.0.1:$port
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }

# ------------------------------------------------------------ hosts and origins
start serve.out --media-root media --data-dir data --allowed-host films.lan
check "started with --allowed-host" test -n "$port"
for route in /api/health /api/roots "/api/browse?root=0" /api/jobs /media/0/sub/clip.mp4 / /ui/app.js \
    "/api/results?root=0&path=sub/clip.mp4"; do
    check "rebinding: Host evil.example on $route refused (421)" \
        test "$(code -H "Host: evil.example:$port" "$base$route")" = 421
done
check "rebinding: a POST of Host and Origin evil.example refused" \
    test "$(code -X POST -H "Host: evil.example:$port" -H "Origin: http://evil.example:$port" \
        -H 'Content-Type: application/json' -d '{}' "$base/api/jobs")" = 421
check "rebinding: the refusal shows no path of the roots" \
    test -z "$(curl -s -H "Host: evil.example:$port" "$base/api/roots" | grep "$work")"
check "Host 127.0.0.1:PORT accepted" test "$(code "$base/api/health")" = 200
check "Host localhost:PORT accepted" test "$(code -H "Host: localhost:$port" "$base/api/health")" = 200
check "Host of --allowed-host accepted" test "$(code -H "Host: films.lan:$port" "$base/api/health")" = 200
check "no Host at all (HTTP/1.1): refused" test "$(code -H 'Host:' "$base/api/health")" != 200
check "an IP literal other than the bound one: refused on loopback" \
    test "$(code -H "Host: 10.1.2.3:$port" "$base/api/health")" = 421
check "Origin of another site on a POST: 403, whatever Host says" \
    test "$(code -X POST -H 'Origin: http://evil.example' -H 'Content-Type: application/json' \
        -d '{}' "$base/api/jobs")" = 403
check "Origin equal to an attacker's Host (old check): 403" \
    test "$(code -X POST -H "Host: films.lan:$port" -H "Origin: http://evil.example:$port" \
        -H 'Content-Type: application/json' -d '{}' "$base/api/jobs")" = 403
check "Origin of another port: 403" \
    test "$(code -X POST -H 'Origin: http://127.0.0.1:1' -H 'Content-Type: application/json' \
        -d '{}' "$base/api/jobs")" = 403
check "Origin null: 403" \
    test "$(code -X POST -H 'Origin: null' -H 'Content-Type: application/json' -d '{}' "$base/api/jobs")" = 403
check "Origin of the server itself: past the origin check (400: not a job)" \
    test "$(code -X POST -H "Origin: http://127.0.0.1:$port" -H 'Content-Type: application/json' \
        -d '{}' "$base/api/jobs")" = 400
check "Origin of localhost with the server's port: accepted" \
    test "$(code -X POST -H "Origin: http://localhost:$port" -H 'Content-Type: application/json' \
        -d '{}' "$base/api/jobs")" = 400
check "a GET with another site's Origin: 403" \
    test "$(code -H 'Origin: http://evil.example' "$base/api/roots")" = 403

# ------------------------------------------------------------ paths
body_of() { curl -s --path-as-is "$@"; }
status_of() { curl -s -o /dev/null -w '%{http_code}' --path-as-is "$@"; }
check "browse: outside the roots answers as a missing folder does" \
    test "$(status_of "$base/api/browse?root=0&path=../outside")|$(body_of "$base/api/browse?root=0&path=../outside")" = \
         "$(status_of "$base/api/browse?root=0&path=../nothing")|$(body_of "$base/api/browse?root=0&path=../nothing")"
check "media: a link out answers as a missing file does" \
    test "$(status_of "$base/media/0/sub/secret.mp4")|$(body_of "$base/media/0/sub/secret.mp4")" = \
         "$(status_of "$base/media/0/sub/nothing.mp4")|$(body_of "$base/media/0/sub/nothing.mp4")"
check "media: .. out of the root answers as a missing file does" \
    test "$(status_of "$base/media/0/../outside/secret.txt")|$(body_of "$base/media/0/../outside/secret.txt")" = \
         "$(status_of "$base/media/0/../outside/nothing.txt")|$(body_of "$base/media/0/../outside/nothing.txt")"
check "an unknown root answers as a missing path does" \
    test "$(status_of "$base/api/browse?root=7")" = 404
check "a hidden file is not served" test "$(code "$base/media/0/.hidden/clip.mp4")" = 404
check "... nor through a link of a visible name" test "$(code "$base/media/0/visible.mp4")" = 404
check "... nor browsed" test "$(code "$base/api/browse?root=0&path=.hidden")" = 404
check "... nor its results" test "$(code "$base/api/results?root=0&path=.hidden/clip.mp4")" = 404
check "... nor listed" test -z "$(curl -s "$base/api/browse?root=0" | grep visible)"
stop
start dot.out --media-root . --data-dir data
check "media root '.' holding the data folder: started" test -n "$port"
check "the job database is not served" test "$(code "$base/media/0/data/jobs.db")" = 404
check "the data folder is not browsed" test "$(code "$base/api/browse?root=0&path=data")" = 404
check "... nor listed" test -z "$(curl -s "$base/api/browse?root=0" | grep '"data"')"
check "a job over the data folder is refused" \
    test "$(code -X POST -H 'Content-Type: application/json' \
        -d '{"inputs":[{"root":0,"path":"data"}],"steps":["scenes"]}' "$base/api/jobs")" = 404
stop

# ------------------------------------------------------------ before the body
start token.out --media-root media --data-dir data --host 0.0.0.0 --token s3cret
check "token mode: started" test -n "$port"
check "token mode: Host of an IP literal accepted" \
    test "$(code -H 'Authorization: Bearer s3cret' -H "Host: 10.1.2.3:$port" "$base/api/health")" = 200
check "token mode: Host of a name refused" \
    test "$(code -H 'Authorization: Bearer s3cret' -H "Host: evil.example:$port" "$base/api/health")" = 421
$attack expect100 "$port" >expect.txt
check "Expect: 100-continue, huge body, no token: 401 and no 100" \
    test "$(head -n1 expect.txt)" = "HTTP/1.1 401 Unauthorized" -a -z "$(grep ' 100 ' expect.txt)"
$attack expect100 "$port" s3cret >expect.txt
check "... with the token: 413 and no 100" \
    test "$(head -n1 expect.txt | cut -d' ' -f2)" = 413 -a -z "$(grep ' 100 ' expect.txt)"
got=$($attack deadline "$port")
check "a request trickled byte by byte is cut at its deadline (10 s): closed after ${got}s" \
    awk -v t="$got" 'BEGIN { exit !(t != "open" && t >= 8 && t <= 13) }'

# ~1,100 tricklers (more than the old limit of 1024 connections) and 200
# half-sent 1 MiB bodies, 12 s, all from 127.0.0.1 like the client.
$attack flood "$port" s3cret "$pid" 12 1100 200 >flood.json
echo "flood: $(cat flood.json)"
worst=$(sed -n 's/.*"worst_latency_s": \([0-9.]*\).*/\1/p' flood.json)
failures=$(sed -n 's/.*"failures": \([0-9]*\).*/\1/p' flood.json)
growth=$(python3 -c 'import json,sys; d=json.load(open("flood.json")); print(d["rss_worst_kib"]-d["rss_before_kib"])')
check "under attack every authenticated request is answered ($failures failed)" test "$failures" = 0
check "... each within a second (worst ${worst}s)" awk -v t="$worst" 'BEGIN { exit !(t < 1.0) }'
limit_kib=$((64 * 1024))
[ "${FT_SANITIZED:-0}" = 1 ] && limit_kib=$((256 * 1024)) # ASan's shadow and quarantine
check "... and the server grew by ${growth} KiB (bound: $limit_kib KiB)" test "$growth" -lt "$limit_kib"
check "it still answers afterwards" \
    test "$(code -H 'Authorization: Bearer s3cret' "$base/api/health")" = 200
stop
# A public file (no token needed) asked with a body that never comes does
# not shield its connection from shedding.
start shield.out --media-root media --data-dir data --host 0.0.0.0 --token s3cret --max-client-connections 16
read -r latency answered < <($attack shield "$port" s3cret 20)
check "16 stalled bodies to a public file: an authenticated request still answered (${latency}s)" \
    test "$answered" = 1 -a "$(awk -v t="$latency" 'BEGIN { print (t < 1.0) }')" = 1
stop
finish
