#!/usr/bin/env bash
# The main job on the built-in sample: installs what is missing, builds,
# makes the sample clip and runs facetrack on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh" release >/dev/null
"$root/scripts/make_sample.sh" "$root/build/sample" >/dev/null
exec "$root/build/release/bin/facetrack" probe --pretty "$root/build/sample/astronaut_pan.mp4"
