#!/usr/bin/env bash
# The main job on the built-in sample: installs what is missing, builds,
# makes the sample clip, and runs facetrack on it: the clip's exact
# metadata, then the face in the sample photo (landmarks left out for
# brevity) with the models set-up installs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh" release >/dev/null
"$root/scripts/make_sample.sh" "$root/build/sample" >/dev/null
facetrack=$root/build/release/bin/facetrack
"$facetrack" probe --pretty "$root/build/sample/astronaut_pan.mp4"
if "$root/scripts/models.sh"; then
    "$facetrack" detect --pretty --no-landmarks "$root/build/sample/astronaut.png"
else
    echo "demo: the face models could not be installed; face detection skipped" >&2
fi
