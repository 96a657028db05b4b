#!/usr/bin/env bash
# opencv_haar against OpenCV 4.6's CascadeClassifier (Debian's python3-opencv)
# on one core, in the same run: per frame, the median CPU time of RUNS
# detections (BGR/RGB to gray, then detectMultiScale(1.1, 5, minSize 30x30);
# decoding left out, cv2.setNumThreads(1)), for the Haar frontal face
# cascade and the LBP one; prints both, the ratio OpenCV / facetrack, and
# whether the boxes are the same.
# Usage: bench/haar.sh [RUNS] [VIDEO...]   (build first: scripts/build.sh release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
shift || true
shared=${FT_SHARED_DIR:-$root/../shared}
bin=${FACETRACK_BIN:-$root/build/release/bin}/haar_detect
py=/usr/bin/python3
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release)" >&2; exit 1; }
"$py" -c 'import cv2' 2>/dev/null || { echo "bench: python3-opencv is not installed" >&2; exit 1; }
videos=("$@")
[ ${#videos[@]} -gt 0 ] || videos=("$shared/media/bench/bench_1080p25_3faces_20s.mp4"
    "$shared/media/faces/liveportrait_driving_d13.mp4" "$shared/media/faces/liveportrait_driving_d0.mp4")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
images=()
for v in "${videos[@]}"; do
    out=$work/$(basename "${v%.*}").png
    ffmpeg -v error -ss 1 -i "$v" -frames:v 1 "$out"
    images+=("$out")
done
echo "1 thread, median CPU time of $runs runs per frame ($(nproc) cores on this machine)"
for cascade in /usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml \
    /usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml; do
    echo
    echo "$(basename "$cascade")"
    "$bin" "$cascade" "$runs" "${images[@]}" >"$work/ours.txt"
    "$py" - "$cascade" "$runs" "$work/ours.txt" <<'PY'
import statistics, sys, time
import cv2
cv2.setNumThreads(1)
cascade, runs, ours = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cc = cv2.CascadeClassifier(cascade)
tot_ours = tot_cv = 0.0
for line in open(ours):
    f = line.split()
    path, w, h, ms = f[0], f[1], f[2], float(f[3])
    boxes = sorted(tuple(map(int, b.split(","))) for b in f[4:])
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        ref = cc.detectMultiScale(gray, 1.1, 5, minSize=(30, 30))
        times.append((time.process_time() - t0) * 1e3)
    cv_ms = statistics.median(times)
    ref = sorted(tuple(map(int, r)) for r in ref)
    tot_ours += ms
    tot_cv += cv_ms
    print(f"  {w}x{h}: facetrack {ms:7.1f} ms, OpenCV {cv_ms:7.1f} ms, ratio {cv_ms / ms:4.2f}x, "
          f"{len(boxes)} boxes, {'the same as' if boxes == ref else 'NOT the same as'} OpenCV's")
print(f"  all frames: OpenCV / facetrack = {tot_cv / tot_ours:.2f}x")
PY
done
