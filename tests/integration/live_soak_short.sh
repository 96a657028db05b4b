# bench/live_soak.sh for 20 s instead of 10 minutes: a clip looped as a
# camera, the worker's RSS sampled every 2 s, its heartbeat latencies at the
# start and the end; passes when the worker stops cleanly on SIGTERM (exit
# 143), leaves nothing in /dev/shm and its RSS grew less than 10 % after
# the warm-up (bench/live_soak.sh fails otherwise).
. "$(dirname "$0")/lib.sh"
need_face_models
clip=${FT_SHARED_DIR:-}/media/faces/liveportrait_driving_d6.mp4
[ -f "$clip" ] || skip_test "shared media not found"
soak=$(cd "$(dirname "$0")/../.." && pwd)/bench/live_soak.sh
# Under ASan, freed memory waits in a quarantine of 256 MB that fills for
# minutes: a small one keeps the RSS a measure of what the worker holds.
[ "${FT_SANITIZED:-0}" = 1 ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
out=$(SOAK_SAMPLE_S=2 SOAK_MAX_DRIFT_PCT=10 bash "$soak" 20 "$clip" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  /'
check "20 s looped: stopped cleanly, no /dev/shm leftovers, RSS drift under 10 %" test "$rc" -eq 0
check "latencies from the heartbeats at the start and at the end" \
    sh -c 'printf "%s\n" "$1" | grep -q "^start .*latency median" && printf "%s\n" "$1" | grep -q "^end .*latency median"' _ "$out"
finish
