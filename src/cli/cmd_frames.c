/* facetrack frames: decode frames and print their index, timestamp and MD5;
 * the check that our pixels equal ffmpeg's and that seeking is exact. */
#include <stdio.h>
#include <string.h>

#include "facetrack.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: facetrack frames [--start N] [--count N] [--pixfmt FMT] [--ppm DIR] [--nvdec GPU]\n"
    "                        [--threads N] [--no-md5] [--] VIDEO\n"
    "\n"
    "Decodes frames (upright) and prints one line per frame:\n"
    "  INDEX PTS TIME MD5\n"
    "INDEX is 0-based, PTS in the stream's time base, TIME in seconds since the\n"
    "stream start, MD5 of the packed pixels (as ffmpeg -f framemd5 computes).\n"
    "\n"
    "options:\n"
    "  --start N     seek to frame N first (exact: same pixels as reading on)\n"
    "  --count N     stop after N frames\n"
    "  --pixfmt FMT  rgb24 (default), bgr24, rgba, gray, yuv420p\n"
    "  --ppm DIR     also write each frame as DIR/frame_INDEX.ppm (rgb24, gray)\n"
    "  --nvdec GPU   decode on that GPU's NVDEC (CUDA numbering); a stream it cannot\n"
    "                take is decoded on the CPU, with an info line. Same lines.\n"
    "  --threads N   CPU decoding threads (default: one per CPU)\n"
    "  --no-md5      print INDEX PTS TIME only (decoding speed without hashing)\n";

static int write_ppm(const char *dir, const ft_frame *f)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/frame_%06lld.ppm", dir, (long long)f->index);
    FILE *out = fopen(path, "wb");
    if (!out)
        return -1;
    int gray = f->format == FT_PIXFMT_GRAY8;
    fprintf(out, "P%d\n%d %d\n255\n", gray ? 5 : 6, f->width, f->height);
    size_t row = (size_t)f->width * (gray ? 1 : 3);
    for (int y = 0; y < f->height; y++)
        fwrite(f->data[0] + (size_t)y * f->linesize[0], 1, row, out);
    return fclose(out) == 0 ? 0 : -1;
}

static int run_frames(int argc, char **argv)
{
    long long start = 0, count = -1;
    const char *path = NULL, *ppm_dir = NULL;
    ft_video_options options;
    ft_video_options_init(&options);
    int only_paths = 0, md5_wanted = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!only_paths && strcmp(a, "--") == 0) {
            only_paths = 1; /* what follows is the video, even "-x.mp4" */
        } else if (only_paths) {
            if (path)
                return ft_cli_usage_error("frames", "one video at a time");
            path = a;
        } else if (strcmp(a, "--start") == 0 || strcmp(a, "--count") == 0) {
            long long n = ft_cli_parse_count(value);
            if (n < 0)
                return ft_cli_usage_error("frames", "%s needs a non-negative integer", a);
            *(a[2] == 's' ? &start : &count) = n;
            i++;
        } else if (strcmp(a, "--pixfmt") == 0) {
            if (!value || ft_pixfmt_parse(value, &options.pixfmt) != FT_OK)
                return ft_cli_usage_error("frames", "unknown pixel format '%s'",
                                          value ? value : "");
            i++;
        } else if (strcmp(a, "--nvdec") == 0 || strcmp(a, "--threads") == 0) {
            long long n = ft_cli_parse_count(value);
            if (n < 0 || n > 4096)
                return ft_cli_usage_error("frames", "%s needs a non-negative integer", a);
            if (a[2] == 'n') {
                options.nvdec = 1;
                options.nvdec_device = (int)n;
            } else {
                options.decode_threads = (int)n;
            }
            i++;
        } else if (strcmp(a, "--no-md5") == 0) {
            md5_wanted = 0;
        } else if (strcmp(a, "--ppm") == 0 && value) {
            ppm_dir = value;
            i++;
        } else if (a[0] == '-' && a[1]) {
            return ft_cli_usage_error("frames", "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return ft_cli_usage_error("frames", "one video at a time");
        }
    }
    if (!path)
        return ft_cli_usage_error("frames", "no video given");
    if (ppm_dir && options.pixfmt != FT_PIXFMT_RGB24 && options.pixfmt != FT_PIXFMT_GRAY8)
        return ft_cli_usage_error("frames", "--ppm needs --pixfmt rgb24 or gray");

    ft_video *video = NULL;
    char err[512];
    ft_status st = ft_video_open(path, &options, &video, err, sizeof err);
    if (st != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s", err);
        return FT_EXIT_FAILED;
    }
    if (start > 0)
        st = ft_video_seek(video, start);
    ft_frame frame;
    for (long long n = 0; st == FT_OK && (count < 0 || n < count); n++) {
        if ((st = ft_video_read(video, &frame)) != FT_OK)
            break;
        char md5[33] = "";
        if (md5_wanted)
            ft_frame_md5(&frame, md5);
        printf("%lld %lld %.6f%s%s\n", (long long)frame.index, (long long)frame.pts, frame.time,
               md5_wanted ? " " : "", md5);
        if (ppm_dir && write_ppm(ppm_dir, &frame) != 0) {
            ft_log(FT_LOG_ERROR, "%s: cannot write frame %lld as PPM", ppm_dir,
                   (long long)frame.index);
            st = FT_ERR_IO;
        }
    }
    int rc = FT_EXIT_OK;
    if (st != FT_OK && st != FT_EOF) {
        if (st != FT_ERR_IO)
            ft_log(FT_LOG_ERROR, "%s", ft_video_error(video));
        rc = FT_EXIT_FAILED;
    }
    ft_video_close(video);
    if (fflush(stdout) != 0)
        rc = FT_EXIT_FAILED;
    return rc;
}

const ft_command ft_cmd_frames = {"frames", "decode frames: index, timestamp, pixel MD5", usage,
                                  run_frames};
