#!/usr/bin/env bash
# The main job on the built-in sample: installs what is missing, builds,
# makes the sample clip and the models, then tracks the faces of the clip
# with `facetrack track` (the STEP5 output, <stem>.json, next to it) and
# prints the run's summary and the first frame of the output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh" release >/dev/null
"$root/scripts/make_sample.sh" "$root/build/sample" >/dev/null
"$root/scripts/models.sh" >/dev/null
facetrack=$root/build/release/bin/facetrack
sample=$root/build/sample/astronaut_pan.mp4
"$facetrack" track --force --progress none "$sample"
output=${sample%.mp4}.json
echo "output: $output ($(stat -c %s "$output") bytes); its first frame:"
sed -e 's/^{"metadata":\({[^}]*}\),"frames":\[\({"frame":1,[^]]*]}\).*/  metadata \1\n  frame 1  \2/' \
    "$output" | cut -c1-600
