# facetrack scenes --device cuda with 16 videos at once on one GPU (the
# original STEP3 corrupted CUDA's state with two workers): the TransNetV2
# lists (full-size weights made by formula), its --transnet-compat lists
# and the content detector's lists equal the CPU's for every video. Four
# different clips, four copies each, so that a mix-up between videos would
# show. Skips without a usable GPU, saying why.
. "$(dirname "$0")/lib.sh"
if ! why=$("$FACETRACK" doctor --gpu 2>&1); then
    skip_test "no usable GPU: $(grep -m1 -iE 'gpu|cuda|driver' <<<"$why" | cut -c1-120)"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"${FT_WRITE_TRANSNET_WEIGHTS:?}" 16 1024 full.pth || exit 1

# Four clips of the same shots in four orders (tests/clips/make_clips.sh).
clips=${FT_CLIPS_DIR:?}/shots4
mkdir in
for k in 0 1 2 3; do
    [ -f "$clips/clip$k.mp4" ] || { echo "$clips/clip$k.mp4 not found" >&2; exit 1; }
    for c in 1 2 3 4; do cp "$clips/clip$k.mp4" "in/clip${k}_$c.mp4"; done
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
run gpu_cpudec cuda 16 --detector transnetv2 --cpu-decode
check "--cpu-decode (the GPU's network, the CPU's decoder): the CPU's lists" diff -r gpu_cpudec cpu
run gpu_compat cuda 16 --detector transnetv2 --transnet-compat
run cpu_compat cpu 4 --detector transnetv2 --transnet-compat
check "--transnet-compat: the CPU's lists" diff -r gpu_compat cpu_compat
run gpu_content cuda 16 --detector content
check "content detector, 16 videos on the GPU: exit 0" test $? -eq 0
run cpu_content cpu 4 --detector content
check "content detector: the CPU's lists" diff -r gpu_content cpu_content
check "... which found the shots" test "$(awk -F, 'NR > 1' gpu_content/clip0_1.csv | wc -l)" -ge 3
finish
