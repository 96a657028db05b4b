# facetrack scenes --device cuda with 16 videos at once on one GPU (the
# original STEP3 corrupted CUDA's state with two workers): the TransNetV2
# lists (full-size weights made by formula), its --transnet-compat lists
# and the content detector's lists equal the CPU's for every video. Four
# different clips, four copies each, so that a mix-up between videos would
# show. Skips without a usable GPU, saying why.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_test "ffmpeg not installed"
if ! why=$("$FACETRACK" doctor --gpu 2>&1); then
    skip_test "no usable GPU: $(grep -m1 -iE 'gpu|cuda|driver' <<<"$why" | cut -c1-120)"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"${FT_WRITE_TRANSNET_WEIGHTS:?}" 16 1024 full.pth || exit 1

# Shots of 1 to 3 seconds at 25 fps, in four orders.
shot() { ffmpeg -v error -f lavfi -i "$1=size=320x180:rate=25" -t "$2" -pix_fmt yuv420p "$3"; }
shot testsrc2 3 a.mp4 && shot smptebars 2 b.mp4 && shot mandelbrot 2 c.mp4 && shot rgbtestsrc 1 d.mp4 || exit 1
mkdir in
order=("a b c d" "c a d b" "b d a c" "d c b a")
for k in 0 1 2 3; do
    # shellcheck disable=SC2086
    set -- ${order[$k]}
    ffmpeg -v error -i "$1.mp4" -i "$2.mp4" -i "$3.mp4" -i "$4.mp4" \
        -filter_complex '[0][1][2][3]concat=n=4:v=1' -pix_fmt yuv420p "clip$k.mp4" || exit 1
    for c in 1 2 3 4; do cp "clip$k.mp4" "in/clip${k}_$c.mp4"; done
done

run() { # OUT DEVICE WORKERS [OPTIONS...]
    local out=$1 device=$2 workers=$3
    shift 3
    "$FACETRACK" -v scenes --weights full.pth --device "$device" --workers "$workers" \
        --progress none --force -o "$out" "$@" in >"$out.log" 2>&1
}
run gpu cuda 16 --detector transnetv2
check "transnetv2, 16 videos on the GPU: exit 0" test $? -eq 0
check "... on the GPU" grep -q 'shots found on 1 GPU' gpu.log
check "... no fallback to the CPU" test -z "$(grep 'fallback CPU' gpu.log)"
run cpu cpu 4 --detector transnetv2
check "transnetv2: the CPU's lists, every video" diff -r gpu cpu
check "... 16 lists" test "$(find gpu -name '*.csv' | wc -l)" -eq 16
run gpu_compat cuda 16 --detector transnetv2 --transnet-compat
run cpu_compat cpu 4 --detector transnetv2 --transnet-compat
check "--transnet-compat: the CPU's lists" diff -r gpu_compat cpu_compat
run gpu_content cuda 16 --detector content
check "content detector, 16 videos on the GPU: exit 0" test $? -eq 0
run cpu_content cpu 4 --detector content
check "content detector: the CPU's lists" diff -r gpu_content cpu_content
check "... which found the shots" test "$(awk -F, 'NR > 1' gpu_content/clip0_1.csv | wc -l)" -ge 3
finish
