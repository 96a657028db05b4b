/* facetrack probe: exact metadata of videos as JSON, one object per video. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facetrack.h"
#include "base/json_writer.h"
#include "base/thread_pool.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: facetrack probe [--fast] [--pretty] [--jobs N] VIDEO...\n"
    "\n"
    "Prints one JSON object per video (one per line unless --pretty):\n"
    "  path, container, codec, pixel_format, width, height (upright, after\n"
    "  rotation), coded_width, coded_height, rotation (clockwise degrees\n"
    "  applied), mirrored, fps_average, fps_nominal, frame_count,\n"
    "  frame_count_method, duration, start_time, start_pts, time_base,\n"
    "  bit_rate, stream_index, stream_count.\n"
    "\n"
    "The frame count is exact: every frame is decoded and counted, as\n"
    "ffprobe -count_frames does; fps_average and duration then come from the\n"
    "frames' own timestamps.\n"
    "\n"
    "options:\n"
    "  --fast     use the container's metadata instead of decoding;\n"
    "             frame_count_method says \"container\" or \"estimated\"\n"
    "  --pretty   indented output\n"
    "  --jobs N   probe N videos at a time (default 1; 0 = one per CPU);\n"
    "             results still come out in the order given\n"
    "\n"
    "Exit status: 0 when every video was probed, 1 when one or more failed\n"
    "(each failure is one line on stderr), 2 on a usage error.\n";

typedef struct probe_result {
    int64_t frames;
    const char *method;
    double duration, fps_average;
} probe_result;

/* One video's work, filled in by a pool task and printed in order after. */
typedef struct probe_task {
    const char *path;
    int fast;
    ft_status status;
    char error[512];
    ft_video_info info;
    probe_result result;
} probe_task;

static ft_status measure(ft_video *video, int fast, probe_result *r)
{
    const ft_video_info *in = ft_video_get_info(video);
    r->fps_average = in->fps_average;
    r->duration = in->duration_hint;
    if (fast) {
        if (in->frame_count_hint > 0) {
            r->frames = in->frame_count_hint;
            r->method = "container";
        } else {
            r->frames = in->duration_hint > 0 ? llround(in->duration_hint * in->fps_average) : -1;
            r->method = "estimated";
        }
        return FT_OK;
    }
    ft_status st = ft_video_count_frames(video, &r->frames, &r->duration);
    if (st != FT_OK)
        return st;
    r->method = "decoded";
    /* With one frame there is no interval to measure a rate from. */
    if (r->frames > 1 && r->duration > 0)
        r->fps_average = (double)r->frames / r->duration;
    return FT_OK;
}

static void write_probe(ft_json *w, const char *path, const ft_video_info *in,
                        const probe_result *r)
{
    char time_base[48];
    snprintf(time_base, sizeof time_base, "%d/%d", in->time_base_num, in->time_base_den);
    ft_json_object_begin(w);
    ft_json_kv_string(w, "path", path);
    ft_json_kv_string(w, "container", in->container);
    ft_json_kv_string(w, "codec", in->codec);
    ft_json_kv_string(w, "pixel_format", in->source_pixfmt);
    ft_json_kv_int(w, "width", in->width);
    ft_json_kv_int(w, "height", in->height);
    ft_json_kv_int(w, "coded_width", in->coded_width);
    ft_json_kv_int(w, "coded_height", in->coded_height);
    ft_json_kv_int(w, "rotation", in->rotation);
    ft_json_kv_bool(w, "mirrored", in->mirrored);
    ft_json_key(w, "fps_average");
    ft_json_double_digits(w, r->fps_average, 10);
    ft_json_key(w, "fps_nominal");
    ft_json_double_digits(w, in->fps_nominal, 10);
    ft_json_key(w, "frame_count");
    if (r->frames >= 0)
        ft_json_int(w, r->frames);
    else
        ft_json_null(w);
    ft_json_kv_string(w, "frame_count_method", r->method);
    ft_json_key(w, "duration");
    if (r->duration >= 0)
        ft_json_double_digits(w, r->duration, 10);
    else
        ft_json_null(w);
    ft_json_key(w, "start_time");
    ft_json_double_digits(w, in->start_time, 10);
    ft_json_kv_int(w, "start_pts", in->start_pts);
    ft_json_kv_string(w, "time_base", time_base);
    ft_json_key(w, "bit_rate");
    if (in->bit_rate > 0)
        ft_json_int(w, in->bit_rate);
    else
        ft_json_null(w);
    ft_json_kv_int(w, "stream_index", in->stream_index);
    ft_json_kv_int(w, "stream_count", in->stream_count);
    ft_json_object_end(w);
}

static void probe_one(void *arg)
{
    probe_task *t = arg;
    ft_video_options options;
    ft_video_options_init(&options);
    options.pixfmt = FT_PIXFMT_YUV420P; /* counting needs no RGB */
    ft_video *video = NULL;
    t->status = ft_video_open(t->path, &options, &video, t->error, sizeof t->error);
    if (t->status == FT_OK) {
        t->info = *ft_video_get_info(video);
        if ((t->status = measure(video, t->fast, &t->result)) != FT_OK)
            snprintf(t->error, sizeof t->error, "%s", ft_video_error(video));
    }
    ft_video_close(video);
}

static int run_probe(int argc, char **argv)
{
    int fast = 0, pretty = 0, first_path = 0, failures = 0;
    long long jobs = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fast") == 0) {
            fast = 1;
        } else if (strcmp(argv[i], "--pretty") == 0) {
            pretty = 1;
        } else if (strcmp(argv[i], "--jobs") == 0 || strcmp(argv[i], "-j") == 0) {
            if ((jobs = ft_cli_parse_count(i + 1 < argc ? argv[i + 1] : NULL)) < 0)
                return ft_cli_usage_error("probe", "%s needs a non-negative integer", argv[i]);
            i++;
        } else if (strcmp(argv[i], "--") == 0) {
            first_path = i + 1;
            break;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return ft_cli_usage_error("probe", "unknown option '%s'", argv[i]);
        } else {
            first_path = i;
            break;
        }
    }
    if (!first_path || first_path >= argc)
        return ft_cli_usage_error("probe", "no video given");
    const int count = argc - first_path;
    probe_task *tasks = calloc((size_t)count, sizeof *tasks);
    ft_thread_pool *pool = NULL;
    int threads = jobs == 0 ? ft_cpu_count() : (int)(jobs < count ? jobs : count);
    if (!tasks || ft_thread_pool_create(threads, &pool) != FT_OK) {
        ft_log(FT_LOG_ERROR, "probe: cannot start %d worker threads", threads);
        free(tasks);
        return FT_EXIT_FAILED;
    }
    for (int i = 0; i < count; i++) {
        tasks[i] = (probe_task){.path = argv[first_path + i], .fast = fast};
        if (ft_thread_pool_submit(pool, probe_one, &tasks[i]) != FT_OK)
            probe_one(&tasks[i]);
    }
    ft_thread_pool_destroy(pool); /* waits for every task */
    for (int i = 0; i < count; i++) {
        const probe_task *t = &tasks[i];
        if (t->status != FT_OK) {
            ft_log(FT_LOG_ERROR, "%s", t->error);
            failures++;
            continue;
        }
        ft_json w;
        ft_json_init(&w, stdout, pretty);
        write_probe(&w, t->path, &t->info, &t->result);
        if (ft_json_finish(&w) != FT_OK) {
            ft_log(FT_LOG_ERROR, "%s: cannot write the result to standard output", t->path);
            failures++;
        }
    }
    free(tasks);
    return failures ? FT_EXIT_FAILED : FT_EXIT_OK;
}

const ft_command ft_cmd_probe = {"probe", "exact metadata of videos (frames, fps, rotation)",
                                 usage, run_probe};
