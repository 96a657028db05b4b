#!/usr/bin/env bash
# Makes the small deterministic clips the tests need for cases the shared
# media do not cover, with the ffmpeg command line. Usage: make_clips.sh OUTDIR
# Idempotent: a clip already present is kept (delete OUTDIR to remake).
set -euo pipefail
out=${1:?usage: make_clips.sh OUTDIR}
mkdir -p "$out"
cd "$out"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
src() { echo "testsrc2=size=$1:rate=${2:-25}"; }
x264() { echo "-c:v libx264 -preset veryfast -threads 1"; }

make() { # make NAME COMMAND...: run COMMAND (which writes NAME) unless NAME exists
    local name=$1; shift
    [ -s "$name" ] && return 0
    "$@"
    [ -e "$name" ] || { echo "make_clips: $name was not made" >&2; exit 1; }
}

# --- clips that must decode -------------------------------------------------
make h264_bframes.mp4 ff -f lavfi -i "$(src 320x240)" -frames:v 120 $(x264) \
    -bf 3 -g 30 -x264-params open-gop=1 -pix_fmt yuv420p h264_bframes.mp4
make h264_faststart.mp4 ff -i h264_bframes.mp4 -c copy -movflags +faststart h264_faststart.mp4
# H.264 refuses odd 4:2:0 sizes; FFV1 keeps them (chroma planes round up).
make odd_size_321x241.mkv ff -f lavfi -i "$(src 322x242)" -vf crop=321:241:0:0:exact=1 \
    -frames:v 30 -c:v ffv1 -pix_fmt yuv420p odd_size_321x241.mkv
make one_frame.mp4 ff -f lavfi -i "$(src 320x240)" -frames:v 1 $(x264) -pix_fmt yuv420p one_frame.mp4
make yuv420p10.mp4 ff -f lavfi -i "$(src 320x240)" -frames:v 40 $(x264) -pix_fmt yuv420p10le yuv420p10.mp4
make yuv444p.mp4 ff -f lavfi -i "$(src 320x240)" -frames:v 40 $(x264) -pix_fmt yuv444p yuv444p.mp4
# Variable frame rate: every 7th frame is followed by a 3-frame gap.
make vfr.mp4 ff -f lavfi -i "$(src 320x240)" -frames:v 90 \
    -vf "setpts='(N+floor(N/7)*3)/(25*TB)'" -fps_mode passthrough $(x264) -bf 2 -g 20 \
    -pix_fmt yuv420p vfr.mp4
make start_offset.mp4 ff -f lavfi -i "$(src 320x240)" -frames:v 50 $(x264) -pix_fmt yuv420p \
    -output_ts_offset 2.5 start_offset.mp4
for r in 90 180 270; do
    make rotate_$r.mp4 ff -i h264_bframes.mp4 -c copy \
        -metadata:s:v:0 rotate=$r rotate_$r.mp4
done
# Audio comes first so that picking "the" stream is not enough; a subtitle
# stream rides along.
printf '1\n00:00:00,000 --> 00:00:01,000\nhello\n' > subs.srt
make streams_audio_video_subs.mkv ff -f lavfi -i "sine=frequency=440:duration=2" \
    -f lavfi -i "$(src 320x240 30)" -i subs.srt -map 0:a -map 1:v -map 2:s -t 2 \
    -c:a libvorbis -c:v libx264 -preset veryfast -threads 1 -pix_fmt yuv420p -c:s srt \
    streams_audio_video_subs.mkv

# --- shot changes, gradual and not, and camera moves that are none ---------
# 25 fps: a dissolve (xfade, frames 50..74 mixed, its middle at 62.5), a fade
# out to black (50..74), black (75..85) and a fade in (86..109), a hard cut
# at frame 50, and a fast pan, a zoom and a whip pan (still, 15 frames of
# 64 px each, still) of one picture.
mkdir -p scenes
make scenes/dissolve.mp4 ff -f lavfi -i "$(src 320x240)" -f lavfi -i "mandelbrot=size=320x240:rate=25" \
    -filter_complex "[0]trim=duration=4[a];[1]trim=duration=4,setpts=PTS-STARTPTS[b];[a][b]xfade=transition=fade:duration=1:offset=2,format=yuv420p" \
    $(x264) scenes/dissolve.mp4
make scenes/fade_black.mp4 ff -f lavfi -i "$(src 320x240)" -f lavfi -i "color=black:size=320x240:rate=25" \
    -f lavfi -i "smptebars=size=320x240:rate=25" \
    -filter_complex "[0]trim=duration=3,fade=t=out:st=2:d=1[a];[1]trim=duration=0.4[k];[2]trim=duration=3,fade=t=in:st=0:d=1[c];[a][k][c]concat=n=3:v=1,format=yuv420p" \
    $(x264) scenes/fade_black.mp4
make scenes/hard_cut.mp4 ff -f lavfi -i "$(src 320x240)" -f lavfi -i "smptebars=size=320x240:rate=25" \
    -filter_complex "[0]trim=duration=2[a];[1]trim=duration=2[b];[a][b]concat=n=2:v=1,format=yuv420p" \
    $(x264) scenes/hard_cut.mp4
make scenes/pan.mp4 ff -f lavfi -i "$(src 1280x240)" -frames:v 100 \
    -vf "crop=320:240:x='min(960,t*320)':y=0,format=yuv420p" $(x264) scenes/pan.mp4
make scenes/zoom.mp4 ff -f lavfi -i "$(src 640x480)" -frames:v 100 \
    -vf "zoompan=z='min(1+0.02*in,3)':d=1:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=320x240:fps=25,format=yuv420p" \
    $(x264) scenes/zoom.mp4
make scenes/whip_pan.mp4 ff -f lavfi -i "$(src 1280x240)" -frames:v 100 \
    -vf "crop=320:240:x='if(lt(t,1.5),0,if(lt(t,2.1),(t-1.5)*1600,960))':y=0,format=yuv420p" \
    $(x264) scenes/whip_pan.mp4
# Four 8-second clips of the same four shots (3, 2, 2 and 1 s) in four
# orders, for the GPU shots test (many videos whose lists differ).
mkdir -p shots4
shot_src() { case $1 in a) echo testsrc2 3 ;; b) echo smptebars 2 ;; c) echo mandelbrot 2 ;; d) echo rgbtestsrc 1 ;; esac; }
shots4() { # NAME ORDER...
    local name=$1 inputs=() graph="" i=0 s
    shift
    for s in "$@"; do
        read -r filter seconds <<<"$(shot_src "$s")"
        inputs+=(-f lavfi -t "$seconds" -i "$filter=size=320x180:rate=25")
        graph+="[$i]"
        i=$((i + 1))
    done
    ff "${inputs[@]}" -filter_complex "${graph}concat=n=$#:v=1,format=yuv420p" $(x264) "shots4/$name"
}
make shots4/clip0.mp4 shots4 clip0.mp4 a b c d
make shots4/clip1.mp4 shots4 clip1.mp4 c a d b
make shots4/clip2.mp4 shots4 clip2.mp4 b d a c
make shots4/clip3.mp4 shots4 clip3.mp4 d c b a

# --- inputs that must fail with a clear error ------------------------------
mkdir -p bad
size=$(stat -c %s h264_faststart.mp4)
make bad/truncated_moov_missing.mp4 head -c $((size / 2)) h264_bframes.mp4 > bad/truncated_moov_missing.mp4
make bad/truncated_faststart.mp4 head -c $((size * 6 / 10)) h264_faststart.mp4 > bad/truncated_faststart.mp4
make bad/zero_bytes.mp4 touch bad/zero_bytes.mp4
[ -e bad/zero_bytes.mp4 ] || : > bad/zero_bytes.mp4
make bad/garbage.mp4 ff -f lavfi -i "anoisesrc=seed=42:duration=1" -f s16le bad/garbage.mp4
make bad/text.mp4 sh -c 'printf "this is not a video\n" > bad/text.mp4'
make bad/audio_only.m4a ff -f lavfi -i "sine=frequency=440:duration=1" -c:a aac bad/audio_only.m4a
# A valid header whose video payload is overwritten with noise.
if [ ! -s bad/corrupt_payload.mp4 ]; then
    cp h264_faststart.mp4 bad/corrupt_payload.mp4
    dd if=bad/garbage.mp4 of=bad/corrupt_payload.mp4 bs=1 seek=$((size / 4)) \
        count=$((size / 2)) conv=notrunc status=none
fi
mkdir -p bad/a_directory.mp4
rm -f subs.srt
echo "clips ready in $out"
