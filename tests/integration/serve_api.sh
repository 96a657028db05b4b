# facetrack serve over real HTTP on loopback: every endpoint so far, JSON
# errors, paths kept inside the media roots (.., encoded .., absolute paths,
# a link leading out), Range requests, the token, request size limits,
# POST rules, 200 concurrent clients, a clean stop on SIGTERM, and the GPUs
# reported as they are.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
command -v python3 >/dev/null || skip_test "python3 not installed"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p media/sub media/.hidden outside
ffmpeg -v error -f lavfi -i testsrc2=size=160x90:rate=25:duration=1 -pix_fmt yuv420p media/sub/clip.mp4
echo 'not for clients' >outside/secret.txt
ln -s ../outside media/escape
ln -s ../../outside/secret.txt media/sub/secret.mp4

# start NAME ARGS...: runs the server on a free port; sets $base
start() {
    local out=$1; shift
    "$FACETRACK" serve --port 0 --data-dir data "$@" >"$out" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do
        grep -q 'listening on' "$out" && break
        sleep 0.1
    done
    base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' "$out")
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

start serve.out --media-root media
check "listening on loopback" test -n "$base"
check "health" test "$(curl -s "$base/api/health")" = '{"status":"ok"}'
check "version" grep -q '"name":"facetrack","version":"' <(curl -s "$base/api/version")
check "system status: CPUs, memory, disk" grep -q '"cpus":[0-9]*,"load":\[.*"memory":{"total_bytes":[0-9]' \
    <(curl -s "$base/api/system")
# The GPUs as they are: each with its name, utilisation and VRAM (null
# where NVML is absent), and a cuda line that never claims one that is not
# there; the same line in /api/version.
system_gpus() {
    curl -s "$base/api/system" >system.json && curl -s "$base/api/version" >version.json &&
        python3 - system.json version.json <<'PY'
import json, re, sys
s, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
keys = ["index", "name", "compute_capability", "memory_total_bytes", "memory_used_bytes",
        "memory_free_bytes", "utilization_percent", "memory_utilization_percent"]
assert isinstance(s["gpus"], list), s
for g in s["gpus"]:
    assert all(k in g for k in keys), g
    assert isinstance(g["name"], str) and g["memory_total_bytes"] > 0, g
    assert g["utilization_percent"] is None or 0 <= g["utilization_percent"] <= 100, g
    assert (g["memory_used_bytes"] is None) == (g["memory_free_bytes"] is None), g
assert s["cuda"] == v["cuda"], (s["cuda"], v["cuda"])
if s["gpus"]:
    assert re.match(r"%d GPUs? \(" % len(s["gpus"]), s["cuda"]), s["cuda"]
else:
    assert s["cuda"] == "not built" or s["cuda"].startswith("built, no GPU found"), s["cuda"]
    assert v["gpu_support"] is False and v["cuda_devices"] == 0, v
assert v["cuda_built"] == (s["cuda"] != "not built"), v
PY
}
check "system status: GPUs with utilisation and VRAM, the cuda line true" system_gpus
check "media roots" grep -q '"roots":\[{"root":0,"name":"media"' <(curl -s "$base/api/roots")
check "browse the root: folders, no hidden ones, no link leading out" \
    test "$(curl -s "$base/api/browse?root=0")" = '{"root":0,"path":"","folders":[{"name":"sub","path":"sub"}],"videos":[]}'
check "browse a folder: its video with its size" \
    grep -q '"videos":\[{"name":"clip.mp4","path":"sub/clip.mp4","size_bytes":[0-9]*}\]' \
    <(curl -s "$base/api/browse?root=0&path=sub")
for path in '../outside' '%2e%2e/outside' 'sub/../../outside' '/etc' 'escape'; do
    check "browse '$path': 404, as a missing folder" test "$(code "$base/api/browse?root=0&path=$path")" = 404
done
check "browse a missing folder: 404" test "$(code "$base/api/browse?root=0&path=nothing")" = 404
check "browse an unknown root: 404" test "$(code "$base/api/browse?root=7")" = 404
check "browse with a bad root: 400" test "$(code "$base/api/browse?root=x")" = 400
check "the error is JSON" test "$(curl -s "$base/api/browse?root=0&path=nothing")" = \
    '{"error":{"status":404,"message":"no such file or folder in root 0"}}'

size=$(stat -c %s media/sub/clip.mp4)
check "a video, whole" test "$(curl -s "$base/media/0/sub/clip.mp4" | cmp - media/sub/clip.mp4 && echo same)" = same
check "a range: 206 and its 100 bytes" test "$(code -H 'Range: bytes=100-199' "$base/media/0/sub/clip.mp4")" = 206 -a \
    "$(curl -s -H 'Range: bytes=100-199' "$base/media/0/sub/clip.mp4" | cmp - <(tail -c +101 media/sub/clip.mp4 | head -c 100) && echo same)" = same
check "... Content-Range" grep -qi "^content-range: bytes 100-199/$size" \
    <(curl -s -D - -o /dev/null -H 'Range: bytes=100-199' "$base/media/0/sub/clip.mp4" | tr -d '\r')
check "an open range and a suffix range" test "$(code -H 'Range: bytes=10-' "$base/media/0/sub/clip.mp4")" = 206 -a \
    "$(curl -s -H 'Range: bytes=-10' "$base/media/0/sub/clip.mp4" | wc -c)" -eq 10
check "a range past the end: 416" test "$(code -H "Range: bytes=$size-" "$base/media/0/sub/clip.mp4")" = 416
check "media through a link leading out: 404" test "$(code "$base/media/0/sub/secret.mp4")" = 404
check "media with ..: 403 or 404, never the file" \
    test -z "$(curl -s --path-as-is "$base/media/0/../outside/secret.txt" | grep 'not for clients')"
check "unknown resource: 404 JSON" grep -q '"status":404' <(curl -s "$base/nope")
check "wrong method: 405" test "$(code -X DELETE "$base/api/health")" = 405
check "POST that is not JSON: 403" test "$(code -X POST -d 'x=1' "$base/api/health")" = 403
check "POST from another origin: 403" test "$(code -X POST -H 'Content-Type: application/json' \
    -H 'Origin: http://evil.example' -d '{}' "$base/api/health")" = 403
head -c 2000000 /dev/zero | tr '\0' 'a' >big.json
check "a body over the limit: 413" test "$(code -X POST -H 'Content-Type: application/json' \
    --data-binary @big.json "$base/api/health")" = 413

# 200 clients at once, bounded in time.
seq 200 | timeout 60 xargs -P 50 -I{} curl -s -m 20 -o /dev/null -w '%{http_code}\n' "$base/api/health" >codes.txt
check "200 concurrent clients all answered" test "$(grep -c '^200$' codes.txt)" -eq 200

kill -TERM "${pids[0]}"
for _ in $(seq 50); do kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops it" test -n "$(kill -0 "${pids[0]}" 2>&1)"

# A server that sees no GPU (CUDA_VISIBLE_DEVICES hides any) says so.
CUDA_VISIBLE_DEVICES=-1 start nogpu.out --media-root media
no_gpu() {
    curl -s "$base/api/system" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["gpus"] == [], s
assert s["cuda"] == "not built" or s["cuda"].startswith("built, no GPU found"), s["cuda"]' ||
        { echo "  $(curl -s "$base/api/system")"; return 1; }
}
check "no GPU visible: gpus empty, the cuda line says none was found" no_gpu

"$FACETRACK" serve --media-root media --host 0.0.0.0 --port 0 >out.txt 2>&1
check "another address without a token: usage error" test $? -eq 2
FACETRACK_TOKEN=s3cret start token.out --media-root media --host 0.0.0.0
base=${base/0.0.0.0/127.0.0.1}
check "with a token: 401 without it" test "$(code "$base/api/health")" = 401
check "... 401 with a wrong one" test "$(code -H 'Authorization: Bearer s3creT' "$base/api/health")" = 401
check "... 200 with it" test "$(code -H 'Authorization: Bearer s3cret' "$base/api/health")" = 200
check "... or as ?token= (media players, event streams)" \
    test "$(code "$base/media/0/sub/clip.mp4?token=s3cret")" = 200

"$FACETRACK" serve --media-root nowhere >out.txt 2>&1
check "a missing media root: usage error naming it" test $? -eq 2 -a -n "$(grep nowhere out.txt)"
finish
