/* facetrack live: real-time face tracking of cameras, network streams and
 * files played as cameras, one worker process per source (src/live/). */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/batch_io.h"
#include "cli/cli.h"
#include "engines/engine_json.h"
#include "facetrack.h"
#include "gpu/device_info.h"
#include "live/source.h"
#include "live/worker.h"
#include "track/gpu_plan.h"
#include "track/track_config.h"

static const char usage[] =
    "usage: facetrack live [options] [--] SOURCE...\n"
    "\n"
    "Tracks the faces of live sources in real time: 478 landmarks, 52\n"
    "blendshapes, head pose and stable IDs, frame by frame, with the newest\n"
    "frame always winning so the latency never builds up. A SOURCE is a V4L2\n"
    "camera (/dev/videoN), a network stream libavformat reads (rtsp://,\n"
    "http://, udp://, srt://, tcp://, ...) or a video file played as a camera\n"
    "at its own rate. One worker process per source. Each worker speaks JSON\n"
    "lines on a Unix socket: commands stop, pause, resume, ping, get_stats,\n"
    "reset_stats; status events ready, connected, heartbeat (1 Hz), error,\n"
    "warning, reconnecting, pong, stats, stopped; and a metadata line per\n"
    "analysed frame. A lost source is reopened with exponential backoff.\n"
    "See docs/live.md.\n"
    "\n"
    "source:\n"
    "  --loop                    files: start again at the end\n"
    "  --fps X                   analyse at most X frames a second (cameras are\n"
    "                            also asked for X)\n"
    "  --video-size WxH          cameras: the size to ask for\n"
    "  --input-format F          cameras: mjpeg, yuyv422, h264, ...\n"
    "  --every-frame             analyse every frame, the capture waiting for the\n"
    "                            analysis (files are then read unpaced): replays, tests\n"
    "  --reconnect-initial S     first reconnection delay (default 1)\n"
    "  --reconnect-max S         longest delay, the doubling stops there (default 30)\n"
    "  --max-retries N           give up (exit 1) after N failed attempts (default 0:\n"
    "                            never)\n"
    "  --timeout S               no frame for S seconds is a loss (default 5)\n"
    "channels:\n"
    "  --socket PATH             the worker's socket (default\n"
    "                            $XDG_RUNTIME_DIR or /tmp/facetrack-live-PID-N.sock);\n"
    "                            with several sources, PATH.N for source N\n"
    "  --stdout MODE             status (default): status events on stdout; all:\n"
    "                            and every frame's metadata (one source only); none\n"
    "  --metadata-landmarks      metadata carries each face's landmarks too\n"
    "  --preview WxH             the shared-memory preview's size (default 960x540)\n"
    "  --preview-format rgb|bgr  its pixels (default rgb)\n"
    "  --no-preview              no shared-memory preview\n"
    "analysis (as in `facetrack track`):\n"
    "  --engine NAME  --max-faces N  --detect-every N  --blendshapes-every N\n"
    "  --min-detection-confidence X  --min-presence-confidence X\n"
    "  --min-tracking-confidence X  --landmarks MODEL  --env-file FILE\n"
    "  --cpu  --gpu  --gpu-device N  --gpu-fp16   (sources go round-robin over the GPUs)\n"
    "\n"
    "Exit status: 0 after a stop command or the end of a file, 1 when a source\n"
    "failed for good (one line on stderr naming it and the reason), 2 on a usage\n"
    "error, 128 + the signal after SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM,\n"
    "SIGUSR1 or SIGUSR2 (the worker still says \"stopped\" and removes its socket\n"
    "and shared memory). With several sources, the highest of the workers'\n"
    "statuses.\n";

typedef struct flag {
    const char *flag, *alias;
    const char *setting;
    int takes_value;
} flag;

/* The settings `live` shares with `track`, by the names track_config.h
 * resolves them by. */
static const flag track_flags[] = {
    {"--engine", "--tracking_engine", "STEP5_TRACKING_ENGINE", 1},
    {"--max-faces", NULL, "STEP5_MEDIAPIPE_MAX_FACES", 1},
    {"--detect-every", NULL, "detect-every", 1},
    {"--blendshapes-every", NULL, "STEP5_BLENDSHAPES_THROTTLE_N", 1},
    {"--min-detection-confidence", NULL, "min-detection-confidence", 1},
    {"--min-presence-confidence", NULL, "min-presence-confidence", 1},
    {"--min-tracking-confidence", NULL, "min-tracking-confidence", 1},
    {"--cpu", "--disable_gpu", "TRACKING_DISABLE_GPU", 0},
    {"--gpu", NULL, "STEP5_ENABLE_GPU", 0},
    {"--gpu-device", NULL, "gpu-device", 1},
    {"--gpu-fp16", NULL, "gpu-fp16", 0},
};
#define TRACK_FLAG_COUNT (sizeof track_flags / sizeof track_flags[0])

typedef struct live_args {
    ft_config_value values[TRACK_FLAG_COUNT];
    size_t value_count;
    const char *env_file, *landmark_model, *socket, *video_size, *input_format;
    int loop, every_frame, metadata_landmarks, max_retries;
    int preview, preview_width, preview_height, preview_bgr;
    ft_live_stdout stdout_mode;
    double fps, reconnect_initial, reconnect_max, timeout;
    char **sources;
    int source_count;
} live_args;

static void set_value(live_args *a, const char *setting, const char *value)
{
    for (size_t i = 0; i < a->value_count; i++)
        if (strcmp(a->values[i].name, setting) == 0) {
            a->values[i].value = value;
            return;
        }
    a->values[a->value_count++] = (ft_config_value){setting, value};
}

/* A positive number of seconds or frames per second; -1 when not one. */
static double parse_positive(const char *v)
{
    char *end;
    errno = 0;
    const double x = v ? strtod(v, &end) : -1;
    return v && !errno && end != v && !*end && x > 0 && x < 1e6 ? x : -1;
}

static int parse_args(int argc, char **argv, live_args *a)
{
    memset(a, 0, sizeof *a);
    a->stdout_mode = FT_LIVE_STDOUT_STATUS;
    a->reconnect_initial = 1;
    a->reconnect_max = 30;
    a->timeout = 5;
    a->preview = 1;
    a->preview_width = 960;
    a->preview_height = 540;
    a->sources = calloc((size_t)argc, sizeof *a->sources);
    if (!a->sources)
        return FT_EXIT_FAILED;
    int only_sources = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (only_sources || o[0] != '-') {
            a->sources[a->source_count++] = argv[i];
            continue;
        }
        if (strcmp(o, "--") == 0) {
            only_sources = 1;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const flag *f = NULL;
        for (size_t k = 0; k < TRACK_FLAG_COUNT; k++)
            if (strcmp(o, track_flags[k].flag) == 0 ||
                (track_flags[k].alias && strcmp(o, track_flags[k].alias) == 0))
                f = &track_flags[k];
        if (f) {
            if (f->takes_value && !v)
                return ft_cli_usage_error("live", "%s needs a value", o);
            set_value(a, f->setting, f->takes_value ? v : "1");
            i += f->takes_value;
            continue;
        }
        if (strcmp(o, "--loop") == 0) {
            a->loop = 1;
            continue;
        }
        if (strcmp(o, "--every-frame") == 0) {
            a->every_frame = 1;
            continue;
        }
        if (strcmp(o, "--metadata-landmarks") == 0) {
            a->metadata_landmarks = 1;
            continue;
        }
        if (strcmp(o, "--no-preview") == 0) {
            a->preview = 0;
            continue;
        }
        if (!v)
            return ft_cli_usage_error("live", strncmp(o, "--", 2) == 0 ? "unknown option '%s' or it needs a value" : "unknown option '%s'", o);
        i++;
        if (strcmp(o, "--env-file") == 0) {
            a->env_file = v;
        } else if (strcmp(o, "--landmarks") == 0) {
            a->landmark_model = v;
        } else if (strcmp(o, "--socket") == 0) {
            a->socket = v;
        } else if (strcmp(o, "--video-size") == 0) {
            int w, h;
            char c;
            if (sscanf(v, "%dx%d%c", &w, &h, &c) != 2 || w <= 0 || h <= 0)
                return ft_cli_usage_error("live", "--video-size needs WxH, e.g. 1280x720");
            a->video_size = v;
        } else if (strcmp(o, "--preview") == 0) {
            char c;
            if (sscanf(v, "%dx%d%c", &a->preview_width, &a->preview_height, &c) != 2 ||
                a->preview_width < 16 || a->preview_height < 16 || a->preview_width > 7680 ||
                a->preview_height > 4320)
                return ft_cli_usage_error("live", "--preview needs WxH between 16x16 and 7680x4320");
        } else if (strcmp(o, "--preview-format") == 0) {
            if (strcmp(v, "rgb") != 0 && strcmp(v, "bgr") != 0)
                return ft_cli_usage_error("live", "--preview-format takes rgb or bgr");
            a->preview_bgr = strcmp(v, "bgr") == 0;
        } else if (strcmp(o, "--input-format") == 0) {
            a->input_format = v;
        } else if (strcmp(o, "--stdout") == 0) {
            if (strcmp(v, "status") == 0)
                a->stdout_mode = FT_LIVE_STDOUT_STATUS;
            else if (strcmp(v, "all") == 0)
                a->stdout_mode = FT_LIVE_STDOUT_ALL;
            else if (strcmp(v, "none") == 0)
                a->stdout_mode = FT_LIVE_STDOUT_NONE;
            else
                return ft_cli_usage_error("live", "--stdout takes status, all or none");
        } else if (strcmp(o, "--max-retries") == 0) {
            const long long n = ft_cli_parse_count(v);
            if (n < 0 || n > 1000000)
                return ft_cli_usage_error("live", "--max-retries needs an integer >= 0");
            a->max_retries = (int)n;
        } else {
            double *target = strcmp(o, "--fps") == 0                 ? &a->fps
                             : strcmp(o, "--reconnect-initial") == 0 ? &a->reconnect_initial
                             : strcmp(o, "--reconnect-max") == 0     ? &a->reconnect_max
                             : strcmp(o, "--timeout") == 0           ? &a->timeout
                                                                     : NULL;
            if (!target)
                return ft_cli_usage_error("live", "unknown option '%s'", o);
            if ((*target = parse_positive(v)) < 0)
                return ft_cli_usage_error("live", "%s needs a positive number", o);
        }
    }
    if (a->source_count == 0)
        return ft_cli_usage_error("live", "no source given");
    if (a->stdout_mode == FT_LIVE_STDOUT_ALL && a->source_count > 1)
        return ft_cli_usage_error("live", "--stdout all takes one source (each worker has its socket)");
    if (a->reconnect_max < a->reconnect_initial)
        return ft_cli_usage_error("live", "--reconnect-max is shorter than --reconnect-initial");
    return FT_EXIT_OK;
}

/* A file source must be there now; cameras and streams may come later. */
static int check_sources(const live_args *a)
{
    for (int i = 0; i < a->source_count; i++) {
        const char *s = a->sources[i];
        if (ft_live_source_classify(s) != FT_LIVE_FILE)
            continue;
        const char *path = strncmp(s, "file://", 7) == 0 ? s + 7 : s;
        struct stat st;
        if (stat(path, &st) != 0) {
            fprintf(stderr, "facetrack live: %s: %s\n", s, strerror(errno));
            return FT_EXIT_FAILED;
        }
        if (!S_ISREG(st.st_mode)) {
            fprintf(stderr, "facetrack live: %s: not a regular file\n", s);
            return FT_EXIT_FAILED;
        }
    }
    return FT_EXIT_OK;
}

static void socket_path(const live_args *a, int index, char *out, size_t n)
{
    if (a->socket && a->source_count == 1)
        snprintf(out, n, "%s", a->socket);
    else if (a->socket)
        snprintf(out, n, "%s.%d", a->socket, index);
    else {
        const char *dir = getenv("XDG_RUNTIME_DIR");
        snprintf(out, n, "%s/facetrack-live-%ld-%d.sock", dir && *dir ? dir : "/tmp",
                 (long)getpid(), index);
    }
}

static void face_options(const ft_track_config *c, const live_args *a, const ft_gpu_plan *gpus,
                         int index, ft_face_options *fo)
{
    ft_track_config_face_options(c, fo);
    if (a->landmark_model)
        fo->landmark_model = a->landmark_model;
    fo->threads = 1;
    /* Each frame's faces at once: the preview draws them on that frame's
     * pixels, and a frame's delay is what live is judged by. */
    fo->finish_ahead = 0;
    if (gpus->count > 0) { /* round-robin: source i on device first + i % count */
        fo->gpu_device = gpus->first + index % gpus->count;
        fo->gpu_fp16 = c->gpu_fp16;
    }
}

static int run_worker(const live_args *a, const ft_track_config *cfg, const ft_gpu_plan *gpus,
                      int index, const char *socket)
{
    ft_live_worker_options o = {
        .index = index,
        .capture = {.source = a->sources[index],
                    .source_options = {.open_timeout_s = a->timeout * 2,
                                       .read_timeout_s = a->timeout,
                                       .device_fps = a->fps,
                                       .video_size = a->video_size,
                                       .input_format = a->input_format},
                    .loop = a->loop,
                    .every_frame = a->every_frame,
                    .backoff_initial_s = a->reconnect_initial,
                    .backoff_max_s = a->reconnect_max,
                    .max_retries = a->max_retries},
        .socket_path = socket,
        .stdout_mode = a->stdout_mode,
        .max_fps = a->fps,
        .metadata_landmarks = a->metadata_landmarks,
        .preview = a->preview,
        .preview_width = a->preview_width,
        .preview_height = a->preview_height,
        .preview_bgr = a->preview_bgr,
        .signal = &ft_cli_stop_signal,
    };
    face_options(cfg, a, gpus, index, &o.face);
    return ft_live_worker_run(&o);
}

/* Several sources: one child per source, signals passed on, the highest
 * exit status returned. */
static int run_workers(const live_args *a, const ft_track_config *cfg, const ft_gpu_plan *gpus)
{
    pid_t *pids = calloc((size_t)a->source_count, sizeof *pids);
    if (!pids)
        return FT_EXIT_FAILED;
    fflush(NULL);
    int running = 0, worst = 0;
    for (int i = 0; i < a->source_count; i++) {
        char path[4096];
        socket_path(a, i, path, sizeof path);
        pid_t pid = fork();
        if (pid == 0) {
            const int code = run_worker(a, cfg, gpus, i, path);
            fflush(NULL);
            _exit(code);
        }
        if (pid < 0) {
            fprintf(stderr, "facetrack live: cannot start the worker of %s: %s\n", a->sources[i],
                    strerror(errno));
            worst = FT_EXIT_FAILED;
            break;
        }
        pids[i] = pid;
        running++;
    }
    int forwarded = 0;
    while (running > 0) {
        const int sig = atomic_load(&ft_cli_stop_signal);
        if (sig && !forwarded) {
            for (int i = 0; i < a->source_count; i++)
                if (pids[i] > 0)
                    kill(pids[i], sig);
            forwarded = 1;
        }
        int status;
        pid_t done = waitpid(-1, &status, 0);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < a->source_count; i++)
            if (pids[i] == done) {
                pids[i] = 0;
                running--;
                const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                if (code > worst)
                    worst = code;
            }
    }
    free(pids);
    return worst;
}

static int run_live(int argc, char **argv)
{
    live_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == FT_EXIT_OK)
        rc = check_sources(&a);
    if (rc != FT_EXIT_OK) {
        free(a.sources);
        return rc;
    }
    ft_track_config cfg;
    char err[1024];
    if (ft_track_config_resolve(&cfg, a.values, a.value_count, a.env_file, err, sizeof err) != FT_OK) {
        free(a.sources);
        return ft_cli_usage_error("live", "%s", err);
    }
    char why[256], usable[512];
    if (!cfg.detector_model[0] && !ft_engine_available(ft_engine_find(cfg.engine), why, sizeof why)) {
        free(a.sources);
        ft_engine_available_names(usable, sizeof usable);
        fprintf(stderr, "facetrack live: engine '%s' is not available: %s (available: %s)\n",
                cfg.engine, why, usable);
        return FT_EXIT_USAGE;
    }
    ft_gpu_plan gpus = {0};
    /* Several sources: one forked worker each, so this process leaves CUDA
     * alone (it does not survive a fork). */
    const ft_gpu_decision gpu = a.source_count == 1
                                    ? ft_gpu_plan_decide(&cfg, &gpus, why, sizeof why)
                                    : ft_gpu_plan_decide_apart(&cfg, &gpus, why, sizeof why);
    switch (gpu) {
    case FT_GPU_FALLBACK:
        ft_log(FT_LOG_WARN, "GPU requested but unavailable: %s; the CPU is used", why);
        break;
    case FT_GPU_REFUSED:
        fprintf(stderr, "facetrack live: GPU requested but unavailable: %s (STEP5_GPU_FALLBACK_AUTO=0)\n",
                why);
        free(a.sources);
        return FT_EXIT_FAILED;
    default: break;
    }
    ft_cli_catch_batch_signals(); /* each of them stops a worker cleanly (SIGPIPE is ignored there) */
    if (a.source_count == 1) {
        char path[4096];
        socket_path(&a, 0, path, sizeof path);
        rc = run_worker(&a, &cfg, &gpus, 0, path);
    } else {
        rc = run_workers(&a, &cfg, &gpus);
    }
    free(a.sources);
    return rc;
}

const ft_command ft_cmd_live = {"live", "track the faces of cameras and streams in real time",
                                usage, run_live};
