# The original Flask app's routes in facetrack serve: /run, /status, /stop,
# /cancel, /api/step_status, /sequence/status and /api/system_monitor
# answer in the original's JSON shapes (the keys its web UI reads), STEP5
# and STEP3 run as jobs over the media roots, the steps facetrack does not
# run answer 501 naming them, unknown ones 404; the original UI's bodiless
# POSTs are accepted; the host, origin and token guards hold on these
# routes too; a track job writes the original's logs/step5 files.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip_test "curl not installed"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
py=/usr/bin/python3
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p media/clips
for n in a b; do
    ffmpeg -v error -f lavfi -i "testsrc2=size=320x180:rate=25:duration=4" -pix_fmt yuv420p \
        "media/clips/$n.mp4"
done

start_server() { # start_server ARGS...: sets $server and $base
    rm -f serve.out
    "$FACETRACK" serve --port 0 --media-root media --data-dir data "$@" >serve.out 2>&1 &
    server=$!
    for _ in $(seq 50); do grep -q 'listening on' serve.out && break; sleep 0.1; done
    base=$(sed -n 's#.*listening on \(http://[0-9.:]*\)/.*#\1#p' serve.out)
}
start_server
[ -n "$base" ] || { cat serve.out; fail "the server starts"; finish; }

# field EXPR: a Python expression over the JSON document d read from stdin
field() { "$py" -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
answer() { curl -s -w ' %{http_code}' "$@" | tr -d '\n'; } # the body, a space, the status

# The keys of the original's answers (routes/workflow_routes.py,
# services/workflow_service.py, services/monitoring_service.py).
status_keys="['step', 'display_name', 'status', 'return_code', 'progress_current', 'progress_total', 'progress_current_fractional', 'progress_text', 'duration_str', 'is_any_sequence_running', 'log']"

check "status of a step never run: idle, the original's keys" \
    test "$(curl -s "$base/status/STEP5" | field "(sorted(d) == sorted($status_keys), d['status'], d['display_name'])")" = \
    "(True, 'idle', '5. Analyse du tracking')"
check "step_status: the same without the log" \
    test "$(curl -s "$base/api/step_status/STEP3" | field "sorted(d) == sorted(k for k in $status_keys if k != 'log')")" = True
check "status of an unknown step: 404" test "$(code "$base/status/STEP9")" = 404
for s in STEP1 STEP2 STEP4 STEP6 STEP7; do
    got=$(answer -X POST "$base/run/$s")
    check "run $s: 501 naming the step" test "${got##* }" = 501 -a -n "$(echo "$got" | grep "\"$s ")"
done
got=$(answer -X POST "$base/run/STEP9")
check "run of an unknown step: 404, the original's message" test "${got##* }" = 404 -a -n "$(echo "$got" | grep 'Étape inconnue')"
got=$(answer -X POST "$base/stop/STEP5")
check "stop of a step not running: the original's 200 and error" \
    test "$got" = '{"status":"error","message":"Step '"'"'STEP5'"'"' is not running"} 200'
check "cancel of a step not running: 400" test "$(code -X POST "$base/cancel/STEP5")" = 400

# ---- the guards hold on these routes -------------------------------------
check "guard: a foreign Host is refused (421)" test "$(code -H 'Host: evil.example' "$base/status/STEP5")" = 421
check "guard: a foreign Host cannot run a step" \
    test "$(code -X POST -H 'Host: evil.example' "$base/run/STEP5")" = 421
check "guard: another site's page cannot run a step (403)" \
    test "$(code -X POST -H 'Origin: http://evil.example' "$base/run/STEP5")" = 403
check "guard: a POST with a body must still be JSON (403)" \
    test "$(code -X POST -H 'Content-Type: text/plain' --data-binary x "$base/run/STEP5")" = 403
check "guard: nothing was started by the refused requests" \
    test "$(curl -s "$base/status/STEP5" | field 'd["status"]')" = idle

# ---- a STEP5 run, as the original UI drives it ---------------------------
port=${base##*:}
got=$(answer -X POST -H "Origin: http://127.0.0.1:$port" "$base/run/STEP5")
check "run STEP5 from the server's own page, no body: 202 initiated" \
    test "$got" = '{"status":"initiated","message":"Lancement de: 5. Analyse du tracking"} 202'
check "run STEP5 again while it runs: 409" test "$(code -X POST "$base/run/STEP5")" = 409
seen_running=0
for _ in $(seq 600); do
    curl -s "$base/status/STEP5" >st.json
    s=$(field 'd["status"]' <st.json)
    if [ "$s" = running ]; then
        seen_running=1
        cp st.json running.json
    fi
    [ "$s" = completed ] || [ "$s" = failed ] && break
    sleep 0.1
done
check "STEP5 completes, return code 0, both videos counted" \
    test "$(field '(d["status"], d["return_code"], d["progress_current"], d["progress_total"])' <st.json)" = "('completed', 0, 2, 2)"
check "the log: the job's lines, as the original's deque" \
    test "$(field 'any("track done" in l for l in d["log"]) and len(d["log"]) <= 300' <st.json)" = True
check "duration as the original wrote it" test -n "$(field 'd["duration_str"]' <st.json | grep -E '^[0-9]+s$')"
if [ "$seen_running" = 1 ]; then
    check "while running: fractional progress within the videos, and a progress text" "$py" - running.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["return_code"] is None and d["progress_total"] == 2
f = d["progress_current_fractional"]
assert f is None or d["progress_current"] <= f <= 2, d
PY
else
    echo "SKIP (part): the run ended between two polls"
fi
check "the job is one of the server's own, over the media roots" \
    test "$(curl -s "$base/api/jobs/1" | field '(d["steps"], d["video_count"], d["state"])')" = "(['track'], 2, 'succeeded')"
check "logs/step5: the manager log and a worker log per video" \
    test "$(ls data/logs/step5 | grep -c '^manager_tracking_')" -eq 1 -a "$(ls data/logs/step5 | grep -c '^worker_CPU_[ab]_')" -eq 2
check "specific log 0 of STEP5: the newest manager log's last lines, the original's keys" "$py" - "$base" <<'PY'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/get_specific_log/STEP5/0"))
assert sorted(d) == ["content", "error", "lines_requested", "path", "type"], d
assert d["error"] is None and d["type"] == "directory_latest" and d["lines_requested"] == 100
assert "/logs/step5/manager_tracking_" in d["path"], d["path"]
assert "Traitement terminé. 2/2 jobs réussis." in d["content"], d["content"]
assert len(d["content"].splitlines()) <= 100
d = json.load(urllib.request.urlopen(sys.argv[1] + "/get_specific_log/STEP5/1"))
assert "/worker_CPU_" in d["path"] and "[Progression]|100|" in d["content"], d
d = json.load(urllib.request.urlopen(sys.argv[1] + "/get_specific_log/STEP5/2"))
assert d["error"] == "Aucun fichier trouvé", d  # no GPU worker ran
PY
check "specific log out of range: 404" test "$(code "$base/get_specific_log/STEP5/3")" = 404

# ---- STEP3, and stopping it -----------------------------------------------
check "run STEP3: 202" test "$(code -X POST "$base/run/STEP3")" = 202
for _ in $(seq 100); do
    s=$(curl -s "$base/status/STEP3" | field 'd["status"]')
    [ "$s" = starting ] || [ "$s" = running ] || break
    sleep 0.1
done
check "STEP3 ends (its shot lists written)" test -s media/clips/a.csv -a -s media/clips/b.csv
check "logs/step3: the original's lines, in its specific log" "$py" - "$base" <<'PY'
import json, re, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/get_specific_log/STEP3/0"))
assert d["error"] is None and "/logs/step3/transnet_pytorch_" in d["path"], d
lines = d["content"].splitlines()
stamp = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - "
assert any(re.match(stamp + r"TOTAL_VIDEOS_TO_PROCESS: 2$", l) for l in lines), lines
# the patterns of the original web UI's STEP3 (config/workflow_commands.py)
assert sum(bool(re.search(r"PROCESSING[_ ]VIDEO:\s*(.*)$", l, re.I)) for l in lines) == 2, lines
done = [m.group(1) for l in lines if (m := re.search(r"Succès:\s*(.*?)(?:\.csv|\.json)\s+créé", l, re.I))]
assert sorted(done) == ["a", "b"], lines
assert re.match(stamp + r"--- Analyse terminée\. 2/2 réussie\(s\)\. ---$", lines[-1]), lines
PY

rm -f media/clips/*.json
curl -s -X POST "$base/run/STEP5" >/dev/null
for _ in $(seq 100); do
    [ "$(curl -s "$base/status/STEP5" | field 'd["status"]')" = running ] && break
    sleep 0.05
done
got=$(answer -X POST "$base/stop/STEP5")
if [ "$got" = '{"status":"success","message":"Step '"'"'STEP5'"'"' stopped successfully"} 200' ]; then
    for _ in $(seq 100); do
        s=$(curl -s "$base/status/STEP5" | field '(d["status"], d["return_code"])')
        [ "$s" = "('stopped', -1)" ] && break
        sleep 0.1
    done
    check "stop STEP5 while it runs: stopped, return code -1" test "$s" = "('stopped', -1)"
else
    echo "SKIP (part): the run ended before it could be stopped ($got)"
fi

check "sequence status: the original's keys" \
    test "$(curl -s "$base/sequence/status" | field 'sorted(d)')" = "['current_step', 'is_running', 'last_outcome', 'progress']"

# ---- a custom sequence: one job of both steps ------------------------------
post() { curl -s -X POST -H 'Content-Type: application/json' --data-binary "$2" -w ' %{http_code}' "$base$1" | tr -d '\n'; }
check "sequence: not a list: 400" test "$(post /run_custom_sequence '{"steps": "STEP5"}')" = '{"status":"error","message":"Invalid steps list"} 400'
got=$(post /run_custom_sequence '{"steps": ["STEP3", "STEP4", "STEP5"]}')
check "sequence with a step not run here: 501 naming it" test "${got##* }" = 501 -a -n "$(echo "$got" | grep STEP4)"
check "sequence with an unknown step: 400" test "$(post /run_custom_sequence '{"steps": ["STEP8"]}' | sed 's/.* //')" = 400
rm -f media/clips/*.csv media/clips/*.json
got=$(post /run_custom_sequence '{"steps": ["STEP3", "STEP5"]}')
check "sequence STEP3 + STEP5: 202" test "$got" = '{"status":"initiated","message":"Séquence personnalisée lancée avec 2 étapes."} 202'
check "  while it runs, another: 409" test "$(post /run_custom_sequence '{"steps": ["STEP5"]}' | sed 's/.* //')" = 409
for _ in $(seq 600); do
    s=$(curl -s "$base/sequence/status" | field 'd["is_running"]')
    [ "$s" = False ] && break
    sleep 0.1
done
check "  ends: both steps completed, one job" \
    test "$(curl -s "$base/sequence/status" | field '(d["progress"], d["last_outcome"])')" = "({'current': 2, 'total': 2}, {'status': 'success'})"
check "  each step's status: completed" \
    test "$(curl -s "$base/status/STEP3" | field 'd["status"]')/$(curl -s "$base/status/STEP5" | field 'd["status"]')" = completed/completed
check "  its outputs: the shot lists and the tracking files" \
    test -s media/clips/a.csv -a -s media/clips/b.json
got=$(answer -X POST "$base/sequence/stop")
check "stop of a sequence not running: 409, the original's message" \
    test "$got" = '{"status":"error","message":"Aucune séquence en cours d'"'"'exécution"} 409'
rm -f media/clips/*.csv media/clips/*.json
post /run_custom_sequence '{"steps": ["STEP3", "STEP5"]}' >/dev/null
got=$(answer -X POST "$base/sequence/stop")
check "stop of a running sequence: success, naming the step it was in" \
    test -n "$(echo "$got" | grep -E '^\{"status":"success","message":"Sequence stopped. Stopped steps: (STEP3|STEP5|none)"\} 200$')"
for _ in $(seq 100); do
    s=$(curl -s "$base/sequence/status" | field '(d["is_running"], d["last_outcome"])')
    [ "$s" = "(False, {'status': 'stopped'})" ] && break
    sleep 0.1
done
check "  the sequence is over, stopped" test "$s" = "(False, {'status': 'stopped'})"
check "system monitor: the original's shape" "$py" - "$base" <<'PY'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/system_monitor"))
assert sorted(d) == ["cpu_percent", "disk", "gpu", "memory", "timestamp"], d
assert 0 <= d["cpu_percent"] <= 100
assert sorted(d["memory"]) == ["available_gb", "percent", "total_gb", "used_gb"]
assert 0 < d["memory"]["total_gb"] and 0 <= d["memory"]["percent"] <= 100
assert sorted(d["disk"]) == ["free_gb", "percent", "total_gb", "used_gb"] and d["disk"]["total_gb"] > 0
g = d["gpu"]
assert g is None or {"name", "utilization_percent", "memory"} <= set(g), g
assert d["timestamp"].endswith("+00:00")
PY

# ---- with a token, these routes need it too --------------------------------
kill "$server"; wait "$server" 2>/dev/null
start_server --token sesame
check "token: the original's routes without it: 401" test "$(code "$base/status/STEP5")" = 401
check "token: run without it: 401" test "$(code -X POST "$base/run/STEP5")" = 401
check "token: with it: 200" test "$(code -H 'Authorization: Bearer sesame' "$base/api/system_monitor")" = 200

finish
