# facetrack track's progress and logs: the run's percentage over the frames
# of every queued video, counted up front (compared with ffprobe's exact
# counts), never going back and never ahead of the frames done, with
# elapsed time, rate and ETA, in the JSON events, in the original
# manager's lines (the default on a pipe, [Progression-MultiLine]
# included, matching the original web UI's patterns) and in the bar on a
# terminal; --log-dir's manager and per-video logs.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
[ -f "${FT_NPM_MODELS_DIR:-}/face_detection_full_range.tflite" ] ||
    skip_test "npm models not installed in '${FT_NPM_MODELS_DIR:-}'"
export FACETRACK_MODEL_PATH=$FT_NPM_MODELS_DIR
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# Three clips of different lengths, so that the first one done is not a
# third of the run; a Matroska one, whose header states a duration and no
# frame count.
mkdir -p in
seconds=(6 1 3)
[ "${FT_SANITIZED:-0}" = 1 ] && seconds=(3 1 2)
clips=(a.mp4 b.mp4 c.mkv)
for i in 0 1 2; do
    ffmpeg -v error -f lavfi -i "testsrc2=size=320x180:rate=25:duration=${seconds[$i]}" \
        -pix_fmt yuv420p "in/${clips[$i]}" || fail "cannot make clip ${clips[$i]}"
done
total=0
for c in "${clips[@]}"; do total=$((total + $(ffprobe_count "in/$c"))); done

# ---- JSON events ---------------------------------------------------------
"$FACETRACK" track --workers 1 --progress json -o js in >ev.txt 2>err.txt
check "json run: exit 0" test $? -eq 0
check "json: the run's frames, counted up front, the run's percentage honest and monotone" \
    "$py" - ev.txt "$total" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
total = int(sys.argv[2])
start = ev[0]
assert start["event"] == "start" and start["frames"] == total, (start, total)
prog = [e for e in ev if e["event"] == "progress"]
assert len(prog) >= 3, "too few progress events: %d" % len(prog)
last_pct, last_elapsed, last_done = -1, -1, -1
for e in prog:
    assert e["run_frames"] == total, e
    done = e["run_frames_done"]
    assert last_done <= done <= total, e
    assert e["run_percent"] >= last_pct, "went back: %s" % e
    # never ahead of the frames done: the complaint was 96 % with a quarter to do
    assert e["run_percent"] <= 100 * done // total, e
    assert e["elapsed"] >= last_elapsed, e
    assert e["eta"] >= 0, e
    last_pct, last_elapsed, last_done = e["run_percent"], e["elapsed"], done
    # the time left agrees with the rate so far (elapsed is rounded to 0.1 s)
    left = total - done
    low, high = left * (e["elapsed"] - 0.05) / done, left * (e["elapsed"] + 0.05) / done
    assert low - 0.06 <= e["eta"] <= high + 0.06, e
assert ev[-1]["event"] == "summary" and ev[-1]["frames"] == total
PY

# ---- the original's lines, by default on a pipe --------------------------
"$FACETRACK" track --force --workers 1 -o leg in >out.txt 2>err.txt
check "pipe: exit 0" test $? -eq 0
check "pipe: the original manager's lines by default" grep -qx 'Vidéos à traiter: 3' out.txt
check "pipe: [Progression-MultiLine] lines" grep -q '^\[Progression-MultiLine\]' out.txt
check "pipe: lines the original web UI's patterns read" "$py" - out.txt <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
# config/workflow_commands.py, STEP5, applied with re.search, IGNORECASE
total = re.compile(r"Vidéos à traiter: (\d+)", re.I)
internal = re.compile(r"(.*?):\s*(\d+)%", re.I)
success = re.compile(r"\[Gestionnaire\] Succès pour (.*?)$", re.I)
assert any(total.search(l) and total.search(l).group(1) == "3" for l in lines)
names = {m.group(1) for l in lines if (m := success.search(l))}
assert names == {"a.mp4", "b.mp4", "c.mkv"}, names
per_video = [l for l in lines if not l.startswith("[") and internal.search(l)]
assert per_video and all(internal.search(l).group(1) in names for l in per_video), per_video
multi = [l for l in lines if l.startswith("[Progression-MultiLine]")]
part = re.compile(r"^[^|]+: (\d+%|Démarrage\.\.\.)$")
pct = []
for l in multi:
    parts = l[len("[Progression-MultiLine]"):].split(" || ")
    assert all(part.match(p) for p in parts[:-1]), l
    m = re.match(r"^Total (\d+)% \((\d+)/(\d+) frames, \d+ fps, \d+:\d\d, ETA (\d+:\d\d|--:--)\)$", parts[-1])
    assert m, l
    pct.append(int(m.group(1)))
assert pct == sorted(pct), pct
assert lines[-2] == "Traitement terminé. 3/3 jobs réussis.", lines[-2:]
PY

# ---- the bar, on a terminal -----------------------------------------------
if command -v script >/dev/null; then
    script -qec "'$FACETRACK' track --force --workers 1 -o bar in" /dev/null >tty.txt 2>&1
    check "terminal: exit 0" test $? -eq 0
    check "terminal: a bar with the run's percentage, monotone, elapsed time and ETA" \
        "$py" - tty.txt <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
bars = re.findall(r"\[[#.]{25}\] +(\d+)%  (\d+)/3 videos  \d+ fps  (\d+:\d\d)  ETA (\d+:\d\d|--:--)", text)
assert len(bars) >= 3, text[:500]
pct = [int(b[0]) for b in bars]
assert pct == sorted(pct), pct
assert "Vidéos à traiter" not in text
PY
else
    echo "SKIP (part): no script(1) to give the run a terminal"
fi

# ---- log files -----------------------------------------------------------
"$FACETRACK" track --force --workers 1 --progress none --log-dir logs/step5 --log-max-bytes 1024 \
    -o lg in nosuch.mp4 >/dev/null 2>err.txt
check "logs: the run goes on (exit 1 for the missing path)" test $? -eq 1
manager=$(ls logs/step5/manager_tracking_*.log 2>/dev/null | head -1)
check "logs: the manager log, named as the original's" \
    test -n "$manager" -a -n "$(basename "$manager" | grep -E '^manager_tracking_[0-9]{8}_[0-9]{6}\.log$')"
check "logs: one worker log per video" \
    test "$(ls logs/step5 | grep -cE '^worker_CPU_[abc]_[0-9]+\.log$')" -eq 3
check "logs: the manager's lines, timestamped" "$py" - logs/step5 <<'PY'
import glob, re, sys
d = sys.argv[1]
text = "".join(open(f, encoding="utf-8").read()
               for f in sorted(glob.glob(d + "/manager_tracking_*.log*"), reverse=True))
stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - \[MANAGER\] - "
assert re.search(stamp + r"Vidéos à traiter: 3$", text, re.M), text
for n in ("a.mp4", "b.mp4", "c.mkv"):
    assert re.search(stamp + r"\[Gestionnaire\] Succès pour %s$" % re.escape(n), text, re.M), n
assert re.search(stamp + r"Traitement terminé\. 3/3 jobs réussis\.$", text, re.M)
PY
check "logs: a worker's [Progression] lines, as the original's worker printed them" "$py" - logs/step5 <<'PY'
import glob, re, sys
f = glob.glob(sys.argv[1] + "/worker_CPU_a_*.log")[0]
lines = open(f, encoding="utf-8").read().splitlines()
prog = [tuple(map(int, m.groups())) for l in lines
        if (m := re.search(r" - \[WORKER\] - \[Progression\]\|(\d+)\|(\d+)\|(\d+)$", l))]
assert len(prog) >= 2 and prog[-1][0] == 100 and prog[-1][1] == prog[-1][2], prog
assert all(b[1] > a[1] for a, b in zip(prog, prog[1:])), prog
PY
check "logs: no file past --log-max-bytes" \
    test -z "$(find logs -type f -size +1024c)"
"$FACETRACK" track --log-dir /proc/nowhere in >/dev/null 2>err.txt
check "logs: a folder that cannot be made: exit 1, one line naming it" \
    test $? -eq 1 -a "$(wc -l <err.txt)" -eq 1 -a -n "$(grep /proc/nowhere err.txt)"

finish
