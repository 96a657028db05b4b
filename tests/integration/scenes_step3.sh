# facetrack scenes and the original STEP3's settings: its options (with '_'
# or '-'), config/step3_transnet.json in the current folder or --config
# FILE, in the original's order (defaults < file < options); its
# CONFIG_EFFECTIVE, device and success lines; values facetrack cannot honour
# refused on the command line, warned about in the file.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export HOME=$work XDG_CACHE_HOME=$work/cache FACETRACK_MODEL_PATH= FACETRACK_MODELS_DIR=
unset STEP3_TRANSNET_WEIGHTS

# Two 2-second shots at 25 fps: a cut at frame 50.
ffmpeg -v error -f lavfi -i testsrc2=size=160x90:rate=25:duration=2 \
    -f lavfi -i smptebars=size=160x90:rate=25:duration=2 \
    -filter_complex '[0][1]concat=n=2:v=1' -pix_fmt yuv420p clip.mp4 || exit 1
defaults='threshold=0.5, window=100, stride=50, padding=25, device=auto, ffmpeg_threads=0, mixed_precision=False, amp_dtype=float16, num_workers=[0-9]+, batch_size=16, torchscript=False, warmup=True, warmup_batches=1, torchscript_auto_fallback=True, detector=content, '

"$FACETRACK" scenes --progress legacy clip.mp4 >out.txt 2>err.txt
check "no settings file: exit 0" test $? -eq 0
check "the original's defaults in its CONFIG_EFFECTIVE line" grep -Eq "^CONFIG_EFFECTIVE: $defaults" out.txt
check "no file loaded, none named" test -z "$(grep 'Configuration chargée' out.txt)"
check "its device line" grep -q '^Device sélectionné: CPU (auto-détection)$' out.txt
check "its lines in its order" test "$(awk '{print $1}' out.txt | tr '\n' ' ')" = \
    "CONFIG_EFFECTIVE: TOTAL_VIDEOS_TO_PROCESS: Device PROCESSING_VIDEO: Succès: --- "
check "its success line" grep -q '^Succès: clip.csv créé avec 2 scènes.$' out.txt

# The original's own file (its repository's config/step3_transnet.json).
mkdir config
cat >config/step3_transnet.json <<'JSON'
{
  "threshold": 0.5,
  "window": 100,
  "stride": 50,
  "padding": 25,
  "device": "auto",
  "ffmpeg_threads": 1,
  "mixed_precision": true,
  "amp_dtype": "float16",
  "num_workers": 1,
  "batch_size": 8,
  "torchscript": false,
  "warmup": true,
  "warmup_batches": 2,
  "torchscript_auto_fallback": true
}
JSON
"$FACETRACK" scenes --force --progress legacy clip.mp4 >out.txt 2>err.txt
check "the original's file: exit 0, no warning" test $? -eq 0 -a ! -s err.txt
check "the file is named as loaded" grep -q '^Configuration chargée depuis: config/step3_transnet.json$' out.txt
check "its values in effect" grep -q '^CONFIG_EFFECTIVE: threshold=0.5, window=100, stride=50, padding=25, device=auto, ffmpeg_threads=1, mixed_precision=True, amp_dtype=float16, num_workers=1, batch_size=8, torchscript=False, warmup=True, warmup_batches=2, torchscript_auto_fallback=True, detector=content, content_threshold=0.12, ratio=3, min_scene_len=8, gradual=True$' out.txt

"$FACETRACK" scenes --force --progress legacy --num_workers 2 --device cpu --ffmpeg-threads 3 \
    --batch_size 4 --torchscript --mixed_precision --warmup --warmup_batches 0 \
    --torchscript_auto_fallback --weights_dir somewhere --window 100 --stride 50 --padding 25 \
    clip.mp4 >out.txt 2>err.txt
check "every option of the original accepted: exit 0" test $? -eq 0
check "options over the file" grep -q 'device=cpu, ffmpeg_threads=3, mixed_precision=True, amp_dtype=float16, num_workers=2, batch_size=4, torchscript=True, warmup=True, warmup_batches=0,' out.txt
check "device cpu: its line" grep -q '^Device sélectionné: CPU (forcé par config)$' out.txt
check "the cut as without them" grep -q '^Succès: clip.csv créé avec 2 scènes.$' out.txt

"$FACETRACK" -v scenes --force --device cuda clip.mp4 >out.txt 2>err.txt
check "device cuda: runs, says it runs on the CPU" test $? -eq 0 -a -n "$(grep 'warn: device=cuda' err.txt)"
check "in the log (-v): the success line" grep -q '^facetrack: info: Succès: clip.csv créé avec 2 scènes.$' err.txt
check "in the log (-v): CONFIG_EFFECTIVE" grep -q '^facetrack: info: CONFIG_EFFECTIVE: threshold=0.5, .*device=cuda' err.txt
check "in the log (-v): the no-ops noted" grep -q 'no effect in facetrack.*mixed_precision=True' err.txt

for bad in "--window 64" "--stride 10" "--padding 0" "--device gpu" "--threshold 2" \
    "--num_workers 0" "--ffmpeg_threads x" "--batch_size 0"; do
    # shellcheck disable=SC2086
    check "refused: $bad" refused "${bad%% *}" -- scenes --force $bad clip.mp4
done
check "refused: --window without a value" refused "missing value: '--window'" -- scenes --window

# A file with values facetrack cannot honour: each named, the rest applied.
printf '{"threshold": "abc", "window": 64, "device": 3, "num_workers": "2", "foo": 1, "stride": null}' \
    >config/step3_transnet.json
"$FACETRACK" scenes --force --progress legacy clip.mp4 >out.txt 2>err.txt
check "bad values in the file: exit 0" test $? -eq 0
check "each bad value named with the file" test "$(grep -c '^facetrack: warn: config/step3_transnet.json: \(threshold\|window\|device\): .*; ignored$' err.txt)" -eq 3
check "an unknown key named" grep -q 'config/step3_transnet.json: ignored: foo' err.txt
check "the defaults kept, good values used (\"2\" is int(\"2\"))" grep -q '^CONFIG_EFFECTIVE: threshold=0.5, window=100, stride=50, padding=25, device=auto, .*num_workers=2,' out.txt

printf '{"threshold": 0.5,' >config/step3_transnet.json
"$FACETRACK" scenes --force --progress none clip.mp4 >out.txt 2>err.txt
check "a broken file found by itself: warned, defaults, exit 0" test $? -eq 0 -a \
    -n "$(grep 'warn: config/step3_transnet.json: not valid JSON' err.txt)"
check "a broken file given by --config: exit 1, one line naming it" \
    refused "config/step3_transnet.json: not valid JSON" -- scenes --force --config config/step3_transnet.json clip.mp4
check "a missing --config: exit 1, one line naming it" \
    refused "nope.json" -- scenes --force --config nope.json clip.mp4
printf '[1, 2]' >other.json
check "--config of no object: exit 1" refused "other.json: not a JSON object" -- scenes --force --config other.json clip.mp4
rm -r config

# The file's threshold is TransNetV2's: it decides the network's cuts.
tiny=$work/tiny.pth
"${FT_WRITE_TRANSNET_WEIGHTS:?}" 2 32 "$tiny" || exit 1
printf '{"threshold": 1.0}' >one.json
"$FACETRACK" scenes --detector transnetv2 --weights "$tiny" --config one.json --force \
    --progress legacy clip.mp4 >out.txt 2>err.txt
check "transnetv2: the file's threshold (1.0) in effect: one scene" test $? -eq 0 -a \
    -n "$(grep '^CONFIG_EFFECTIVE: threshold=1.0, .*detector=transnetv2' out.txt)" -a \
    "$(wc -l <clip.csv)" -eq 2
"$FACETRACK" scenes --detector transnetv2 --weights "$tiny" --config one.json --threshold 0 \
    --force --progress legacy clip.mp4 >out.txt 2>err.txt
check "transnetv2: --threshold over the file's" grep -q '^CONFIG_EFFECTIVE: threshold=0.0, ' out.txt

# The original's logs/step3 file: its settings, each video's success line.
"$FACETRACK" scenes --force --progress none --log-dir logs/step3 clip.mp4 >/dev/null 2>err.txt
log=$(ls logs/step3/transnet_pytorch_*.log 2>/dev/null | head -n 1)
check "--log-dir: logs/step3/transnet_pytorch_<time>.log" test -n "$log"
check "  with the settings and the success line" test -n "$(grep 'CONFIG_EFFECTIVE: threshold=' "$log")" -a \
    -n "$(grep 'Succès: clip.csv créé avec' "$log")"
check "--log-dir where no folder can be made: exit 1, naming it" \
    refused "clip.csv/logs" -- scenes --force --log-dir clip.csv/logs clip.mp4
finish
