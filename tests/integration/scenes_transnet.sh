# facetrack scenes --detector transnetv2: where the weights come from
# (--weights, STEP3_TRANSNET_WEIGHTS, the model search path), clear errors
# when they are absent or wrong, and the original's list rules with
# --transnet-compat. The weights are the small test network made by
# formula (its numbers are checked against PyTorch in unit.test_transnet),
# so the checks are about the lists' structure, not about accuracy.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
tiny=$work/tiny.pth
"${FT_WRITE_TRANSNET_WEIGHTS:?}" 2 32 "$tiny" || exit 1
export HOME=$work XDG_CACHE_HOME=$work/cache FACETRACK_MODEL_PATH= FACETRACK_MODELS_DIR=
unset STEP3_TRANSNET_WEIGHTS

# Two 2-second shots at 25 fps: 100 frames.
ffmpeg -v error -f lavfi -i testsrc2=size=160x90:rate=25:duration=2 \
    -f lavfi -i smptebars=size=160x90:rate=25:duration=2 \
    -filter_complex '[0][1]concat=n=2:v=1' -pix_fmt yuv420p clip.mp4 || exit 1

"$FACETRACK" scenes --detector transnetv2 --progress none clip.mp4 >out.txt 2>err.txt
check "no weights: exit 1" test $? -eq 1
check "... one line naming the file and how to give it" test "$(wc -l <err.txt)" -eq 1 -a \
    -n "$(grep 'transnetv2-pytorch-weights.pth' err.txt | grep STEP3_TRANSNET_WEIGHTS)"
check "... and no list" test ! -e clip.csv

printf 'not weights' >bad.pth
"$FACETRACK" scenes --detector transnetv2 --weights bad.pth --progress none clip.mp4 >out.txt 2>err.txt
check "unreadable weights: exit 1, one line naming the file" test $? -eq 1 -a \
    "$(wc -l <err.txt)" -eq 1 -a -n "$(grep 'bad.pth' err.txt)"

STEP3_TRANSNET_WEIGHTS=$tiny "$FACETRACK" scenes --detector transnetv2 --json --progress none \
    clip.mp4 >out.txt 2>err.txt
check "STEP3_TRANSNET_WEIGHTS: exit 0" test $? -eq 0
check "... the original's header" test "$(head -n1 clip.csv)" = "No,Timecode In,Timecode Out,Frame In,Frame Out"
check "... the detector named in the JSON" grep -q '"detector": *"transnetv2"' clip_scenes.json
contiguous() { # scenes 1..n cover frames 1..100 without gap or overlap
    awk -F, 'NR > 1 { if ($4 != next_in) bad = 1; next_in = $5 + 1; n++ }
             END { exit !(n >= 1 && !bad && next_in == 101) }' next_in=1 "$1"
}
check "... scenes cover the 100 frames in order" contiguous clip.csv

mkdir models
cp "$tiny" models/transnetv2-pytorch-weights.pth
FACETRACK_MODEL_PATH=$work/models "$FACETRACK" scenes --detector transnetv2 --force \
    --threshold 1 --progress none clip.mp4 >out.txt 2>err.txt
check "weights found on the model search path; threshold 1: one scene" test $? -eq 0 -a \
    "$(wc -l <clip.csv)" -eq 2

"$FACETRACK" scenes --weights "$tiny" --transnet-compat --threshold 0 --force --progress none \
    clip.mp4 >out.txt 2>err.txt
check "--transnet-compat, threshold 0: every frame ends a shot (100 one-frame scenes)" \
    test $? -eq 0 -a "$(wc -l <clip.csv)" -eq 101 -a "$(sed -n 101p clip.csv)" = "100,00:00:03.960,00:00:03.960,100,100"
check "... contiguous" contiguous clip.csv

"$FACETRACK" scenes --weights "$tiny" --detector transnetv2 --threshold 0 --force --progress none \
    clip.mp4 >out.txt 2>err.txt
check "without compat, frames over the threshold in a row are one transition" \
    test $? -eq 0 -a "$(wc -l <clip.csv)" -le 3
check "... contiguous" contiguous clip.csv

# The original decoded with `ffmpeg -r 25`: compat numbers those frames.
ffmpeg -v error -f lavfi -i testsrc2=size=160x90:rate=30000/1001:duration=3 -pix_fmt yuv420p ntsc.mp4 || exit 1
resampled=$(( $(ffmpeg -v error -i ntsc.mp4 -f rawvideo -pix_fmt rgb24 -s 48x27 -r 25 - | wc -c) / 3888 ))
"$FACETRACK" scenes --weights "$tiny" --transnet-compat --threshold 0 --progress none \
    ntsc.mp4 >out.txt 2>err.txt
check "--transnet-compat on 29.97 fps: ffmpeg's $resampled frames at 25 fps, as the original" \
    test $? -eq 0 -a "$(wc -l <ntsc.csv)" -eq $((resampled + 1)) -a \
    "$(sed -n 3p ntsc.csv)" = "2,00:00:00.040,00:00:00.040,2,2"

"$FACETRACK" scenes --transnet-compat --detector content clip.mp4 >out.txt 2>err.txt
check "--transnet-compat with the content detector: usage error" test $? -eq 2
finish
