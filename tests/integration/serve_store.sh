# facetrack serve's job store and big jobs: /api/jobs in pages of
# summaries; a corrupt jobs.db refused at start (or moved aside with
# --reset-corrupt-db); a failing write answered with a JSON error and
# logged with SQLite's reason; a bad stored options value never reaches the
# API as invalid JSON; a job of 10,000 long video names starts at once, its
# child reads the list from a file, and cancel and SIGTERM work at every
# stage.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
command -v python3 >/dev/null || skip_test "python3 not installed"
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p media/one
ffmpeg -v error -f lavfi -i testsrc2=size=64x36:rate=5:duration=0.4 -pix_fmt yuv420p media/one/clip.mp4

start() { # start ARGS...: sets $base and $pid
    "$FACETRACK" serve --port 0 --media-root media --data-dir data "$@" >serve.out 2>&1 &
    pid=$!
    for _ in $(seq 300); do grep -q 'listening on' serve.out && break; sleep 0.1; done
    base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
    [ -n "$base" ] || { echo "the server did not start:"; cat serve.out; ps -o pid,stat,etime,wchan:30,cmd -p "$pid"; }
}
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; }
alive() { [ -n "$(ps -o stat= -p "$1" 2>/dev/null | grep -v Z)" ]; } # not ended (a zombie has)
ended() { ! alive "$1"; }
# A job's state from its summary (a big job's whole entry is megabytes).
state_of() { curl -s "$base/api/jobs?before=$(($1 + 1))&limit=1" | field 'd["jobs"][0]["state"]'; }
wait_for_state() { # wait_for_state ID STATE SECONDS
    local until=$(($(date +%s) + $3))
    while [ "$(state_of "$1")" != "$2" ] && [ "$(date +%s)" -lt "$until" ]; do sleep 0.1; done
}
diagnose() { # what a failed check needs: the server's log and its children
    echo "  server log (last lines):"; tail -n 5 serve.out | sed 's/^/    /'
    ps -o pid,stat,etime,wchan:24,args --ppid "${pid:-1}" 2>/dev/null | cut -c1-160 | sed 's/^/    /'
}
sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect("data/jobs.db"); c.executescript(sys.argv[1]); c.commit()' "$1"; }
field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
post() { curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$base$1"; }

# ------------------------------------------------------------ paging
start
check "started" test -n "$base"
stop
# 150 ended jobs, the newest of 10,000 videos, written straight into the store.
python3 - <<'EOF'
import sqlite3
c = sqlite3.connect("data/jobs.db")
for i in range(1, 151):
    c.execute("INSERT INTO jobs (id, state, steps, options, created_at, seq) VALUES (?, 'succeeded', 1, '{}', '2026-01-01T00:00:00Z', ?)", (i, i))
c.executemany("INSERT INTO videos (job_id, idx, root, path, file, state) VALUES (150, ?, 0, ?, ?, 'done')",
              [(k, f"one/v{k:05}.mp4", f"/nowhere/one/v{k:05}.mp4") for k in range(10000)])
c.commit()
EOF
start
curl -s "$base/api/jobs" >page1.json
check "/api/jobs: valid JSON" python3 -c 'import json; json.load(open("page1.json"))'
check "... 100 jobs by default, newest first" \
    test "$(field '(len(d["jobs"]), d["jobs"][0]["id"], d["jobs"][-1]["id"])' <page1.json)" = "(100, 150, 51)"
check "... a cursor to the next page" test "$(field 'd["next_before"]' <page1.json)" = 51
check "... the 10,000-video job as a summary: counts, not 10,000 entries" \
    test "$(field '(d["jobs"][0]["video_count"], d["jobs"][0]["videos_by_state"]["done"], len(d["jobs"][0].get("videos", [])) <= 100)' <page1.json)" = "(10000, 10000, True)"
check "... the page is small ($(wc -c <page1.json) bytes)" test "$(wc -c <page1.json)" -lt 200000
check "?before=51&limit=60: the last 50, no next page" \
    test "$(curl -s "$base/api/jobs?before=51&limit=60" | field '(len(d["jobs"]), d["jobs"][0]["id"], d["next_before"])')" = "(50, 50, None)"
check "?limit=1000 is allowed" test "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/jobs?limit=1000")" = 200
for bad in 'limit=0' 'limit=1001' 'limit=x' 'before=-1' 'before=x'; do
    check "?$bad: 400" test "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/jobs?$bad")" = 400
done
check "one job still has all its videos" \
    test "$(curl -s "$base/api/jobs/150" | field 'len(d["videos"])')" = 10000

# ------------------------------------------------------------ stored values
stop
sql "UPDATE jobs SET options = '{\"workers\": ' WHERE id = 149;"
start
curl -s "$base/api/jobs?limit=5" >bad.json
check "a bad stored options value: the list stays valid JSON" python3 -c 'import json; json.load(open("bad.json"))'
check "... that job's options read as null" test "$(field '[j["options"] for j in d["jobs"] if j["id"] == 149]' <bad.json)" = "[None]"
check "... and GET of it is valid JSON too" \
    python3 -c 'import json, sys; json.loads(sys.stdin.read())' < <(curl -s "$base/api/jobs/149")
check "... the server logs it" grep -q 'job 149.*options' serve.out

# ------------------------------------------------------------ failing writes
sql "CREATE TRIGGER frozen BEFORE INSERT ON jobs BEGIN SELECT RAISE(FAIL, 'jobs are frozen'); END;"
post /api/jobs '{"inputs": [{"root": 0, "path": "one"}], "steps": ["scenes"]}' >failed.json
check "a failing write: 500 with a JSON error naming what failed" \
    test "$(field '(d["error"]["status"], "save" in d["error"]["message"])' <failed.json)" = "(500, True)"
check "... the log has SQLite's reason" grep -q 'jobs are frozen' serve.out
sql "DROP TRIGGER frozen;"
stop

# ------------------------------------------------------------ a corrupt database
cp data/jobs.db good.db
python3 - <<'EOF'
# Garbage over pages in the middle of the file (the videos' table).
with open("data/jobs.db", "r+b") as f:
    f.seek(0, 2)
    size = f.tell()
    for offset in range(size // 3, 2 * size // 3, 4096 * 7):
        f.seek(offset)
        f.write(b"\xa5" * 4096)
EOF
"$FACETRACK" serve --port 0 --media-root media --data-dir data >corrupt.out 2>&1 &
cpid=$!
for _ in $(seq 300); do alive "$cpid" || break; sleep 0.1; done
kill -9 "$cpid" 2>/dev/null
wait "$cpid"
rc=$?
check "a corrupt jobs.db: refused at start (status $rc)" test "$rc" = 1
check "... one line naming the file" test "$(wc -l <corrupt.out)" = 1 -a -n "$(grep 'data/jobs.db' corrupt.out)"
start --reset-corrupt-db
check "--reset-corrupt-db: starts" test -n "$base"
check "... the corrupt file kept aside" test -n "$(ls data | grep '^jobs.db.corrupt-')"
check "... and says so" grep -q 'jobs.db.corrupt-' serve.out
check "... a job can be made" \
    test "$(post /api/jobs '{"inputs": [{"root": 0, "path": "one"}], "steps": ["scenes"]}' | field 'd["id"]')" = 1
for _ in $(seq 300); do [ "$(curl -s "$base/api/jobs/1" | field 'd["state"]')" = succeeded ] && break; sleep 0.1; done
stop

# ------------------------------------------------------------ a big job
# 10,000 hard links with long names: their paths (~2.5 MB) are more than a
# command line holds.
long=$(printf 'x%.0s' $(seq 150))
mkdir -p "media/big/$long"
python3 - "$long" <<'EOF'
import os, sys
d = f"media/big/{sys.argv[1]}"
for k in range(10000):
    os.link("media/one/clip.mp4", f"{d}/clip-{k:05}-{sys.argv[1][:40]}.mp4")
EOF
rm -rf data
start
t0=$(date +%s.%N)
post /api/jobs '{"inputs": [{"root": 0, "path": "big"}], "steps": ["scenes"]}' >big.json
t1=$(date +%s.%N)
id=$(field 'd["id"]' <big.json)
check "a job of 10,000 videos is made ($(printf %.1f "$(echo "$t1 - $t0" | bc)") s)" \
    test "$(field 'd["video_count"] if "video_count" in d else len(d["videos"])' <big.json)" = 10000
child=
for _ in $(seq 300); do
    child=$(pgrep -f "scenes --progress json.*--videos-json $work/data/jobs/" | head -n1)
    [ -n "$child" ] && break
    sleep 0.1
done
t2=$(date +%s.%N)
check "... its child starts within 30 s ($(printf %.1f "$(echo "$t2 - $t1" | bc)") s)" test -n "$child"
check "... and gets its list from a file" grep -q -- '--videos-json' <(tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null)
check "... a short command line" test "$(wc -c <"/proc/$child/cmdline" 2>/dev/null || echo 0)" -lt 4096
check "... cancel while it runs: accepted" \
    test "$(post "/api/jobs/$id/cancel" '{}' | field 'd["id"]')" = "$id"
t0=$(date +%s)
wait_for_state "$id" cancelled 60
check "... cancelled ($(($(date +%s) - t0)) s)" \
    test "$(state_of "$id")" = cancelled || diagnose
check "... its list file is gone" test -z "$(ls data/jobs | grep -v '\.log$')"
# Cancel as soon as it runs: during its start (clean-up, list), before any child.
id=$(post /api/jobs '{"inputs": [{"root": 0, "path": "big"}], "steps": ["scenes"]}' | field 'd["id"]')
for _ in $(seq 100); do [ "$(state_of "$id")" = running ] && break; sleep 0.05; done
post "/api/jobs/$id/cancel" '{}' >/dev/null
t0=$(date +%s)
wait_for_state "$id" cancelled 60
check "a job cancelled as it starts: cancelled ($(($(date +%s) - t0)) s)" test "$(state_of "$id")" = cancelled ||
    diagnose
# SIGTERM while a big job starts.
id=$(post /api/jobs '{"inputs": [{"root": 0, "path": "big"}], "steps": ["scenes"]}' | field 'd["id"]')
for _ in $(seq 100); do [ "$(state_of "$id")" = running ] && break; sleep 0.05; done
t0=$(date +%s)
kill -TERM "$pid"
while alive "$pid" && [ $(($(date +%s) - t0)) -lt 60 ]; do sleep 0.1; done
check "SIGTERM with a big job starting: stopped ($(($(date +%s) - t0)) s)" ended "$pid" || diagnose
kill -9 "$pid" 2>/dev/null
pid=
finish
