/* facetrack scenes: shot cuts of videos into the original STEP3 <stem>.csv. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/file_read.h"
#include "base/thread_pool.h"
#include "cli/batch_io.h"
#include "cli/cli.h"
#include "cli/run_logs.h"
#include "facetrack.h"
#include "gpu/device_info.h"
#include "models/model_path.h"
#include "nn/backend.h"
#include "scenes/scene_writer.h"
#include "scenes/shot_detect.h"
#include "scenes/step3_config.h"
#include "scenes/transnet_model.h"
#include "track/outputs.h"
#include "track/progress_events.h"
#include "track/video_list.h"

static const char usage[] =
    "usage: facetrack scenes [options] [--] VIDEO|FOLDER...\n"
    "\n"
    "Finds the shot cuts of videos and writes <stem>.csv next to each (or in\n"
    "--output-dir), in the original STEP3 format: No,Timecode In,Timecode Out,\n"
    "Frame In,Frame Out, frames 1-based and inclusive, timecodes from the\n"
    "frames' own timestamps. The default detector needs no model: colour histograms\n"
    "and the layout of each frame against the one before, with a threshold\n"
    "that adapts to motion; flashes are not cuts. Dissolves and fades\n"
    "(frames that mix the shots before and after) and wipes (the new picture\n"
    "replaces the old place by place: wipes, irises, clocks, slices, slides)\n"
    "are found too: the new shot starts at the transition's middle. Folders\n"
    "are searched recursively for .mp4 .avi .mov .mkv .webm; one whose\n"
    "<stem>.csv exists is skipped unless --force.\n"
    "\n"
    "With --detector transnetv2 the original's network finds the cuts, from\n"
    "its PyTorch weights: --weights FILE, else $STEP3_TRANSNET_WEIGHTS, else\n"
    "" FT_TRANSNET_WEIGHTS_FILE " on the model search path; with\n"
    "--transnet-compat its lists are the original's (frames of a 25 fps\n"
    "resampling, as its ffmpeg made them).\n"
    "\n"
    "options:\n"
    "  --videos-json FILE    a JSON array of paths, or {\"videos\": [...]}\n"
    "  --shard K/N           only the K-th of N slices of the input list\n"
    "  -o, --output-dir DIR  where the lists go (default: next to each video)\n"
    "  --json                also <stem>_scenes.json: scenes, and cuts with their\n"
    "                        type (cut, dissolve, fade, wipe), span and score (transnetv2:\n"
    "                        its probability)\n"
    "  --force               redo videos whose list exists\n"
    "  --detector NAME       content (default) or transnetv2\n"
    "  --weights FILE        TransNetV2's weights (a file, or a name on the model path)\n"
    "  --transnet-compat     TransNetV2 with the original's lists: every frame over\n"
    "                        the threshold ends a shot (1-frame scenes included)\n"
    "  --threshold X         content: a cut's difference is at least X (default 0.12);\n"
    "                        transnetv2: a shot's last frame has probability > X (0.5)\n"
    "  --ratio X             content: ... and X times its neighbours' (default 3)\n"
    "  --min-scene-len N     frames; of two closer cuts the stronger stays (default 8)\n"
    "  --no-gradual          content: hard cuts only, no dissolves, fades or wipes\n"
    "  --workers N           videos at a time (default: the CPU count; 1 with\n"
    "                        transnetv2, whose network uses every core)\n"
    "  --progress MODE       auto (a bar on a terminal), json (events on stdout),\n"
    "                        legacy (the original STEP3 lines), none\n"
    "  --log-dir DIR         also a transnet_pytorch_<time>.log there, as the\n"
    "                        original's logs/step3 (rotated past 10 MiB)\n"
    "\n"
    "the original STEP3's settings (run_transnet.py), over its defaults in this\n"
    "order: config/step3_transnet.json in the current folder (or --config FILE),\n"
    "then these options (with '_' or '-'); the effective ones are logged as its\n"
    "CONFIG_EFFECTIVE line (on stdout with --progress legacy, else with -v):\n"
    "  --config FILE         the JSON file of settings (its keys are the options')\n"
    "  --threshold X         as above; the file's threshold is TransNetV2's\n"
    "  --num_workers N       the same as --workers\n"
    "  --ffmpeg_threads N    decoding threads per video (0: automatic)\n"
    "  --device D            auto (GPUs where they work), cpu or cuda: TransNetV2\n"
    "                        and NVDEC decoding on the GPUs (--cpu-decode: not)\n"
    "  --window 100, --stride 50, --padding 25\n"
    "                        TransNetV2's windows: only its own values\n"
    "  --batch_size N, --warmup_batches N, --mixed_precision, --torchscript,\n"
    "  --warmup, --torchscript_auto_fallback, --weights_dir DIR\n"
    "                        accepted, without effect (they tuned PyTorch)\n"
    "\n"
    "Exit status: 0 when every video succeeded (or was skipped), 1 when some\n"
    "failed or a path is missing (each named with its reason; the others are\n"
    "still done), 2 on a usage error, 128 + the signal when stopped by SIGINT,\n"
    "SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1 or SIGUSR2 (no partial\n"
    "list or temporary file is left behind). See docs/scenes.md.\n";

enum progress_mode { PROGRESS_NONE, PROGRESS_LINE, PROGRESS_JSON, PROGRESS_LEGACY };

typedef struct scenes_run {
    ft_shot_options shot;
    ft_step3_config step3; /* the original's settings, as in effect */
    const char *detector_name;
    const char *output_dir;
    int json, force;
    int gpus; /* videos go round-robin over GPUs 0 .. gpus - 1; 0: the CPU */
    int cpu_decode; /* with GPUs: decode on the CPU (16 cores outrun NVDEC on H.264) */
    enum progress_mode progress;
    pthread_mutex_t lock; /* progress output and counters */
    size_t total, started, succeeded, failed;
} scenes_run;

typedef struct scenes_job {
    scenes_run *run;
    const char *video;
    char *output;
    char error[2048];
    int ok;
} scenes_job;

/* A bar on a terminal: the current video's share of its frames. */
static void draw_bar(scenes_run *r, const char *video, int64_t done, int64_t total)
{
    enum { WIDTH = 24 };
    const double share = total > 0 ? (double)(done < total ? done : total) / (double)total : 0;
    char bar[WIDTH + 1];
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < (int)(share * WIDTH) ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\rscenes [%s] %3d%%  video %zu/%zu  %.32s  ", bar, (int)(share * 100),
            r->succeeded + r->failed + 1, r->total, ft_cli_base_name(video));
}

/* Progress of one video (called every 100 frames; events every 500). */
static void on_frames(void *user, int64_t done, int64_t total)
{
    scenes_job *job = user;
    scenes_run *r = job->run;
    /* JSON events feed the web service's progress bars: more often. */
    const int every = r->progress == PROGRESS_JSON ? 100 : 500;
    if (r->progress == PROGRESS_NONE || (r->progress != PROGRESS_LINE && done % every != 0))
        return;
    pthread_mutex_lock(&r->lock);
    if (r->progress == PROGRESS_LEGACY) {
        /* The original's unit: windows of 50 frames. */
        printf("INTERNAL_PROGRESS: %lld batches - %s\n", (long long)(done / 50), ft_cli_base_name(job->video));
    } else if (r->progress == PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_PROGRESS);
        e.video = job->video;
        e.frames_done = done;
        if (total > 0)
            e.frames = total;
        ft_progress_event_write(stdout, &e);
    } else {
        draw_bar(r, job->video, done, total);
    }
    fflush(stdout);
    pthread_mutex_unlock(&r->lock);
}

static void report(scenes_job *job, size_t scenes)
{
    scenes_run *r = job->run;
    pthread_mutex_lock(&r->lock);
    if (job->ok) {
        r->succeeded++;
        ft_log(FT_LOG_INFO, "Succès: %s créé avec %zu scènes.", ft_cli_base_name(job->output),
               scenes);
    } else {
        r->failed++;
    }
    if (r->progress == PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, job->ok ? FT_EVENT_DONE : FT_EVENT_FAILED);
        e.video = job->video;
        if (job->ok) {
            e.output = job->output;
            e.scenes = (int64_t)scenes;
        } else {
            e.reason = job->error;
        }
        ft_progress_event_write(stdout, &e);
    } else if (r->progress == PROGRESS_LEGACY && job->ok) {
        const char *name = ft_cli_base_name(job->output);
        printf("Succès: %s créé avec %zu scènes.\n", name, scenes);
    }
    if (!job->ok && r->progress != PROGRESS_JSON) {
        if (r->progress == PROGRESS_LINE)
            fprintf(stderr, "\r%96s\r", ""); /* the bar's line */
        fprintf(stderr, "facetrack scenes: %s\n", job->error);
    }
    fflush(stdout);
    pthread_mutex_unlock(&r->lock);
}

static void run_job(void *arg)
{
    scenes_job *job = arg;
    scenes_run *r = job->run;
    if (r->shot.stop && atomic_load(r->shot.stop)) {
        /* Stopped: the videos not begun are reported at once, unopened, so
         * that a run of 10,000 ends within moments of its signal. */
        snprintf(job->error, sizeof job->error, "%s: interrupted", job->video);
        job->ok = 0;
        report(job, 0);
        return;
    }
    pthread_mutex_lock(&r->lock);
    const size_t number = ++r->started;
    if (r->progress == PROGRESS_LEGACY)
        printf("Device sélectionné: %s (%s)\n", r->gpus > 0 ? "CUDA" : "CPU",
               strcmp(r->step3.device, "auto") == 0 ? "auto-détection" : "forcé par config");
    if (r->progress == PROGRESS_LEGACY)
        printf("PROCESSING_VIDEO: %zu/%zu: %s\n", number, r->total, ft_cli_base_name(job->video));
    else if (r->progress == PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_VIDEO_STARTED);
        e.video = job->video;
        ft_progress_event_write(stdout, &e);
    }
    fflush(stdout);
    pthread_mutex_unlock(&r->lock);
    ft_shot_options o = r->shot;
    o.user = job;
    o.gpu = r->gpus > 0;
    o.gpu_device = r->gpus > 0 ? (int)((number - 1) % (size_t)r->gpus) : 0;
    o.cpu_decode = r->cpu_decode;
    ft_shots shots;
    ft_status st = ft_shots_detect(job->video, &o, &shots, job->error, sizeof job->error);
    if (o.gpu && (st == FT_ERR_INTERNAL || st == FT_ERR_NO_DEVICE || st == FT_ERR_NOMEM) &&
        !(o.stop && atomic_load(o.stop))) {
        /* The original STEP3's rule: a video that fails on CUDA is tried
         * once more on the CPU. */
        ft_log(FT_LOG_WARN, "Erreur avec CUDA pour %s, tentative de fallback CPU... (%s)",
               ft_cli_base_name(job->video), job->error);
        o.gpu = 0;
        st = ft_shots_detect(job->video, &o, &shots, job->error, sizeof job->error);
    }
    size_t scenes = 0;
    if (st == FT_OK) {
        const ft_shot_list list = {job->video, shots.frame_count, shots.times, shots.cuts,
                                   shots.info, shots.cut_count, r->detector_name};
        scenes = shots.frame_count > 0 ? shots.cut_count + 1 : 0;
        st = ft_shot_list_write_csv(&list, job->output, job->error, sizeof job->error);
        if (st == FT_OK && r->json) {
            char path[4096];
            if (ft_output_path_of(job->video, r->output_dir, FT_OUTPUT_SCENES_JSON, path,
                                  sizeof path) == FT_OK)
                st = ft_shot_list_write_json(&list, path, job->error, sizeof job->error);
        }
        ft_shots_free(&shots);
    }
    job->ok = st == FT_OK;
    report(job, scenes);
}

static int parse_double(const char *text, double lo, double hi, double *out)
{
    char *end;
    if (!text)
        return -1;
    errno = 0;
    const double v = strtod(text, &end);
    if (end == text || *end || errno || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

typedef struct scenes_args {
    const char *videos_json;
    const char *weights;
    const char *config; /* --config FILE */
    const char *log_dir; /* --log-dir DIR */
    double threshold; /* < 0: the detector's default */
    int shard_k, shard_n;
    long long workers;
    char **inputs;
    int input_count;
    /* the original's settings given as options, applied over its file's */
    const char **step3_keys, **step3_values;
    int step3_count;
} scenes_args;

static int parse_args(int argc, char **argv, scenes_run *r, scenes_args *a)
{
    a->inputs = calloc((size_t)argc, sizeof *a->inputs);
    a->step3_keys = calloc((size_t)argc, sizeof *a->step3_keys);
    a->step3_values = calloc((size_t)argc, sizeof *a->step3_values);
    if (!a->inputs || !a->step3_keys || !a->step3_values)
        return FT_EXIT_FAILED;
    char key[64];
    r->progress = isatty(STDERR_FILENO) ? PROGRESS_LINE : PROGRESS_NONE;
    int only_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (only_paths || o[0] != '-' || strcmp(o, "-") == 0) {
            a->inputs[a->input_count++] = argv[i];
        } else if (strcmp(o, "--") == 0) {
            only_paths = 1; /* the rest are paths, even those starting with '-' */
        } else if (strcmp(o, "--json") == 0) {
            r->json = 1;
        } else if (strcmp(o, "--force") == 0) {
            r->force = 1;
        } else if (strcmp(o, "--transnet-compat") == 0) {
            r->detector_name = "transnetv2";
            r->shot.transnet_options.compat = 1;
        } else if (strcmp(o, "--no-gradual") == 0) {
            r->shot.content.gradual = 0;
        } else if (strcmp(o, "--cpu-decode") == 0) {
            r->cpu_decode = 1;
        } else if (strcmp(o, "--threshold") && strcmp(o, "--num_workers") &&
                   strcmp(o, "--num-workers") && ft_step3_config_key(o + 2, key, sizeof key)) {
            /* the original's settings: checked once its file is read */
            const int flag = ft_step3_config_is_flag(key);
            if (!flag && !v)
                return ft_cli_usage_error("scenes", "missing value: '%s'", o);
            a->step3_keys[a->step3_count] = o + 2;
            a->step3_values[a->step3_count++] = flag ? NULL : argv[++i];
        } else if (!v) {
            return ft_cli_usage_error("scenes", "unknown option or missing value: '%s'", o);
        } else if (strcmp(o, "--videos-json") == 0) {
            a->videos_json = argv[++i];
        } else if (strcmp(o, "-o") == 0 || strcmp(o, "--output-dir") == 0) {
            r->output_dir = argv[++i];
        } else if (strcmp(o, "--detector") == 0) {
            r->detector_name = argv[++i];
            if (strcmp(r->detector_name, "content") && strcmp(r->detector_name, "transnetv2"))
                return ft_cli_usage_error("scenes", "--detector is content or transnetv2");
        } else if (strcmp(o, "--weights") == 0) {
            a->weights = argv[++i];
        } else if (strcmp(o, "--config") == 0) {
            a->config = argv[++i];
        } else if (strcmp(o, "--log-dir") == 0) {
            a->log_dir = argv[++i];
        } else if (strcmp(o, "--weights_dir") == 0 || strcmp(o, "--weights-dir") == 0) {
            ++i; /* the original ignored it too: its weights had a fixed path */
            ft_log(FT_LOG_INFO, "--weights_dir ignored (as in the original); --weights names the file");
        } else if (strcmp(o, "--threshold") == 0) {
            if (parse_double(argv[++i], 0, 1, &a->threshold))
                return ft_cli_usage_error("scenes", "--threshold needs a number from 0 to 1");
        } else if (strcmp(o, "--ratio") == 0) {
            if (parse_double(argv[++i], 1, 100, &r->shot.content.ratio))
                return ft_cli_usage_error("scenes", "--ratio needs a number from 1 to 100");
        } else if (strcmp(o, "--min-scene-len") == 0) {
            const long long n = ft_cli_parse_count(argv[++i]);
            if (n < 1 || n > 100000)
                return ft_cli_usage_error("scenes", "--min-scene-len needs an integer >= 1");
            r->shot.content.min_scene_len = r->shot.transnet_options.min_scene_len = (int)n;
        } else if (strcmp(o, "--workers") == 0 || strcmp(o, "--num_workers") == 0 ||
                   strcmp(o, "--num-workers") == 0) {
            a->workers = ft_cli_parse_count(argv[++i]);
            if (a->workers < 1 || a->workers > 256)
                return ft_cli_usage_error("scenes", "%s needs an integer from 1 to 256", o);
        } else if (strcmp(o, "--shard") == 0) {
            char tail;
            if (sscanf(argv[++i], "%d/%d%c", &a->shard_k, &a->shard_n, &tail) != 2 ||
                a->shard_k < 1 || a->shard_k > a->shard_n)
                return ft_cli_usage_error("scenes", "--shard needs K/N with 1 <= K <= N");
        } else if (strcmp(o, "--progress") == 0) {
            const char *m = argv[++i];
            if (strcmp(m, "auto") == 0)
                continue;
            else if (strcmp(m, "json") == 0)
                r->progress = PROGRESS_JSON;
            else if (strcmp(m, "legacy") == 0)
                r->progress = PROGRESS_LEGACY;
            else if (strcmp(m, "none") == 0)
                r->progress = PROGRESS_NONE;
            else
                return ft_cli_usage_error("scenes", "--progress is auto, json, legacy or none");
        } else {
            return ft_cli_usage_error("scenes", "unknown option '%s'", o);
        }
    }
    if (a->input_count == 0 && !a->videos_json)
        return ft_cli_usage_error("scenes", "no video, folder or --videos-json given");
    if (r->shot.transnet_options.compat && strcmp(r->detector_name, "transnetv2"))
        return ft_cli_usage_error("scenes", "--transnet-compat is for --detector transnetv2");
    if (a->threshold >= 0 && strcmp(r->detector_name, "transnetv2") != 0)
        r->shot.content.min_score = a->threshold;
    return FT_EXIT_OK;
}

/* Where the original found its settings file, from its working root. */
#define STEP3_CONFIG_FILE "config/step3_transnet.json"

/* How many GPUs the run spreads its videos over: device cuda or auto where
 * the cuda row works here (CUDA_VISIBLE_DEVICES narrows them), else none,
 * cuda saying why, as the original did before going on with the CPU. */
static int usable_gpus(const char *device)
{
    if (strcmp(device, "cpu") == 0)
        return 0;
    const ft_nn_backend_def *cuda = ft_nn_backend_find("cuda");
    char why[256] = "this build of facetrack has no CUDA support";
    const int count = cuda && cuda->init(why, sizeof why) == FT_OK ? ft_gpu_device_count() : 0;
    if (count > 0)
        ft_log(FT_LOG_INFO, "device=%s: shots found on %d GPU%s", device, count, count == 1 ? "" : "s");
    else if (strcmp(device, "cuda") == 0)
        ft_log(FT_LOG_WARN, "device=cuda: no usable GPU (%s); going on with the CPU", why);
    return count;
}

/* The original's settings: its defaults, then its JSON file (--config, else
 * config/step3_transnet.json when there is one), then its options. A file
 * named by --config must be read; the one found by itself is only warned
 * about (the original went on with its defaults). *LOADED: the file read. */
static int settle_step3(scenes_run *r, scenes_args *a, const char **loaded)
{
    ft_step3_config *c = &r->step3;
    ft_step3_config_init(c);
    *loaded = NULL;
    struct stat sb;
    const char *path = a->config ? a->config
                       : stat(STEP3_CONFIG_FILE, &sb) == 0 ? STEP3_CONFIG_FILE
                                                           : NULL;
    char err[1024];
    if (path) {
        char *data = NULL;
        size_t size = 0;
        ft_status st = ft_read_file(path, 1 << 20, "a STEP3 settings file", &data, &size, err,
                                    sizeof err);
        if (st == FT_OK)
            st = ft_step3_config_read_json(c, path, data, size, err, sizeof err);
        free(data);
        if (st != FT_OK && a->config) {
            fprintf(stderr, "facetrack scenes: %s\n", err);
            return FT_EXIT_FAILED;
        }
        if (st != FT_OK)
            ft_log(FT_LOG_WARN, "%s; the defaults are used", err);
        else
            *loaded = path;
    }
    const unsigned from_file = c->given;
    for (int i = 0; i < a->step3_count; i++) {
        char key[64];
        ft_step3_config_key(a->step3_keys[i], key, sizeof key);
        if (ft_step3_config_set(c, key, a->step3_values[i], err, sizeof err) != FT_OK)
            return ft_cli_usage_error("scenes", "%s", err);
    }
    const int transnet = strcmp(r->detector_name, "transnetv2") == 0;
    if (a->threshold >= 0 && transnet) {
        c->threshold = a->threshold;
        c->given |= FT_STEP3_GIVEN_THRESHOLD;
    }
    r->shot.transnet_options.threshold = c->threshold;
    if (!transnet && (from_file & FT_STEP3_GIVEN_THRESHOLD))
        ft_log(FT_LOG_INFO, "%s: threshold is TransNetV2's probability; the content detector "
               "keeps its own (--threshold)", *loaded ? *loaded : "settings");
    /* auto gives the GPUs to TransNetV2 only: the content detector computes
     * on the CPU, and there NVDEC decodes more slowly than the cores (an
     * H100 with 16 cores: 930 frames/s against 1,424 for 4 videos). */
    r->gpus = transnet || strcmp(c->device, "cuda") == 0 ? usable_gpus(c->device) : 0;
    if (a->workers <= 0 && (c->given & FT_STEP3_GIVEN_NUM_WORKERS))
        a->workers = c->num_workers;
    return FT_EXIT_OK;
}

/* The original's configuration lines: on stdout in its own form with
 * --progress legacy, and in the log (with -v) whatever the mode. */
static void print_settings(const scenes_run *r, const char *loaded)
{
    char line[1024], own[512], noops[512];
    ft_step3_config_describe(&r->step3, line, sizeof line);
    const ft_content_options *co = &r->shot.content;
    if (r->shot.transnet)
        snprintf(own, sizeof own, "detector=transnetv2, min_scene_len=%d%s",
                 r->shot.transnet_options.min_scene_len,
                 r->shot.transnet_options.compat ? ", transnet_compat=True" : "");
    else
        snprintf(own, sizeof own,
                 "detector=content, content_threshold=%g, ratio=%g, min_scene_len=%d, gradual=%s",
                 co->min_score, co->ratio, co->min_scene_len, co->gradual ? "True" : "False");
    ft_step3_config_describe_noops(&r->step3, noops, sizeof noops);
    if (r->progress == PROGRESS_LEGACY) {
        if (loaded)
            printf("Configuration chargée depuis: %s\n", loaded);
        printf("CONFIG_EFFECTIVE: %s, %s\n", line, own);
        fflush(stdout);
    }
    if (loaded)
        ft_log(FT_LOG_INFO, "Configuration chargée depuis: %s", loaded);
    ft_log(FT_LOG_INFO, "CONFIG_EFFECTIVE: %s, %s", line, own);
    ft_log(FT_LOG_INFO, "no effect in facetrack (they tuned PyTorch): %s", noops);
}

/* TransNetV2's weights: --weights, $STEP3_TRANSNET_WEIGHTS, or the default
 * file; a bare name is looked up on the model search path. */
static int load_transnet(const char *weights, ft_nn_graph *graph)
{
    const char *name = weights ? weights : getenv("STEP3_TRANSNET_WEIGHTS");
    if (!name || !*name)
        name = FT_TRANSNET_WEIGHTS_FILE;
    char path[4096], err[1024];
    struct stat sb;
    if (stat(name, &sb) != 0 && !strchr(name, '/')) {
        if (ft_model_find(name, path, sizeof path) != FT_OK) {
            fprintf(stderr,
                    "facetrack scenes: TransNetV2 weights '%s' not found on the model search path "
                    "(see `facetrack models list`); give --weights FILE or STEP3_TRANSNET_WEIGHTS\n",
                    name);
            return FT_EXIT_FAILED;
        }
        name = path;
    }
    if (ft_transnet_load(name, graph, err, sizeof err) != FT_OK) {
        fprintf(stderr, "facetrack scenes: %s\n", err);
        return FT_EXIT_FAILED;
    }
    return FT_EXIT_OK;
}

static void summary(scenes_run *r, size_t skipped)
{
    if (r->progress == PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_SUMMARY);
        e.videos = (int64_t)(r->total + skipped);
        e.succeeded = (int64_t)r->succeeded;
        e.failed = (int64_t)(r->total - r->succeeded);
        e.skipped = (int64_t)skipped;
        e.interrupted = atomic_load(&ft_cli_stop_signal) != 0;
        ft_progress_event_write(stdout, &e);
    } else if (r->progress == PROGRESS_LEGACY) {
        printf("--- Analyse terminée. %zu/%zu réussie(s). ---\n", r->succeeded, r->total);
    } else {
        if (r->progress == PROGRESS_LINE)
            fprintf(stderr, "\r%96s\r", "");
        printf("scenes of %zu of %zu videos (%zu skipped, %zu failed)\n", r->succeeded,
               r->total + skipped, skipped, r->total - r->succeeded);
    }
    fflush(stdout);
}

static int run_scenes(int argc, char **argv)
{
    scenes_run r = {.detector_name = "content"};
    ft_content_options_init(&r.shot.content);
    ft_transnet_options_init(&r.shot.transnet_options);
    r.shot.on_frames = on_frames;
    r.shot.stop = &ft_cli_stop_signal;
    scenes_args a = {.threshold = -1};
    int rc = parse_args(argc, argv, &r, &a);
    /* The original STEP3's log: its settings, each video's outcome (the
     * info lines), the summary. */
    ft_run_logs *logs = NULL;
    char err[1024];
    if (rc == FT_EXIT_OK && a.log_dir &&
        ft_run_logs_open(a.log_dir, "transnet_pytorch", (int64_t)10 << 20, 5, &logs, err,
                         sizeof err) != FT_OK) {
        fprintf(stderr, "facetrack scenes: %s\n", err);
        rc = FT_EXIT_FAILED;
    }
    const char *settings_file = NULL;
    if (rc == FT_EXIT_OK)
        rc = settle_step3(&r, &a, &settings_file);
    ft_nn_graph transnet = {0};
    if (rc == FT_EXIT_OK && strcmp(r.detector_name, "transnetv2") == 0 &&
        (rc = load_transnet(a.weights, &transnet)) == FT_EXIT_OK)
        r.shot.transnet = &transnet;
    ft_video_list list = {0};
    size_t rejected = 0;
    ft_cli_catch_batch_signals(); /* from here on a signal stops the run cleanly */
    if (rc == FT_EXIT_OK)
        rc = ft_cli_collect_videos("scenes", a.inputs, a.input_count, a.videos_json, a.shard_k,
                                   a.shard_n, &list, &rejected);
    if (rc == FT_EXIT_OK && atomic_load(&ft_cli_stop_signal))
        rc = 128 + atomic_load(&ft_cli_stop_signal);
    if (rc == FT_EXIT_OK && r.output_dir && ft_cli_make_dirs(r.output_dir) != 0) {
        fprintf(stderr, "facetrack scenes: %s: cannot create the output folder: %s\n",
                r.output_dir, strerror(errno));
        rc = FT_EXIT_FAILED;
    }
    scenes_job *jobs = rc == FT_EXIT_OK ? calloc(list.count + 1, sizeof *jobs) : NULL;
    if (rc == FT_EXIT_OK && !jobs)
        rc = FT_EXIT_FAILED;
    size_t skipped = 0;
    /* The lists this run may write, whose stale temporary files (what a
     * killed run left) are removed before it starts. */
    char **stale_names = calloc(2 * list.count + 1, sizeof *stale_names);
    size_t stale_count = 0;
    for (size_t i = 0; rc == FT_EXIT_OK && i < list.count; i++) {
        char path[4096], json_path[4096];
        struct stat sb;
        if (ft_output_path_of(list.paths[i], r.output_dir, FT_OUTPUT_SCENES_CSV, path,
                              sizeof path) != FT_OK) {
            fprintf(stderr, "facetrack scenes: %s: output name too long\n", list.paths[i]);
            rejected++;
            continue;
        }
        if (stale_names) { /* removed below, each folder read once */
            stale_names[stale_count++] = strdup(path);
            if (ft_output_path_of(list.paths[i], r.output_dir, FT_OUTPUT_SCENES_JSON, json_path,
                                  sizeof json_path) == FT_OK)
                stale_names[stale_count++] = strdup(json_path);
        }
        if (!r.force && stat(path, &sb) == 0) { /* the original's rule: the list exists */
            skipped++;
            if (r.progress == PROGRESS_JSON) {
                ft_progress_event e;
                ft_progress_event_init(&e, FT_EVENT_SKIPPED);
                e.video = list.paths[i];
                e.output = path;
                e.reason = "the shot list exists (use --force to redo it)";
                ft_progress_event_write(stdout, &e);
            }
            continue;
        }
        jobs[r.total] = (scenes_job){.run = &r, .video = list.paths[i], .output = strdup(path)};
        r.total++;
    }
    size_t named = 0; /* the names strdup could copy */
    for (size_t i = 0; i < stale_count; i++)
        if (stale_names[i])
            stale_names[named++] = stale_names[i];
    ft_atomic_file_remove_stale((const char *const *)stale_names, named);
    for (size_t i = 0; i < named; i++)
        free(stale_names[i]);
    free(stale_names);
    if (rc == FT_EXIT_OK) {
        /* TransNetV2 spreads over every core by itself, and holds about
         * 0.8 GB a video: one video at a time unless told otherwise. */
        const int cores = ft_cpu_count();
        int workers = a.workers > 0 ? (int)a.workers : r.shot.transnet ? 1 : cores;
        /* Each video's decoder (and network) gets its share of the cores. */
        const int videos = r.total > 0 ? (r.total < (size_t)workers ? (int)r.total : workers) : 1;
        r.shot.decode_threads = r.shot.nn_threads = cores / videos > 0 ? cores / videos : 1;
        if (r.step3.ffmpeg_threads > 0)
            r.shot.decode_threads = r.step3.ffmpeg_threads;
        r.step3.num_workers = workers;
        workers = videos;
        pthread_mutex_init(&r.lock, NULL);
        print_settings(&r, settings_file);
        if (r.progress == PROGRESS_LEGACY)
            printf("TOTAL_VIDEOS_TO_PROCESS: %zu\n", r.total);
        else if (r.progress == PROGRESS_JSON) {
            ft_progress_event e;
            ft_progress_event_init(&e, FT_EVENT_START);
            e.videos = (int64_t)r.total;
            ft_progress_event_write(stdout, &e);
        }
        ft_thread_pool *pool = NULL;
        if (ft_thread_pool_create(workers, &pool) == FT_OK) {
            for (size_t i = 0; i < r.total; i++)
                ft_thread_pool_submit(pool, run_job, &jobs[i]);
            ft_thread_pool_destroy(pool);
        } else {
            for (size_t i = 0; i < r.total; i++)
                run_job(&jobs[i]);
        }
        summary(&r, skipped);
        pthread_mutex_destroy(&r.lock);
        const int stopped = atomic_load(&ft_cli_stop_signal);
        rc = stopped                                   ? 128 + stopped
             : r.succeeded < r.total || rejected > 0 ? FT_EXIT_FAILED
                                                     : FT_EXIT_OK;
    }
    ft_run_logs_manager(logs, "exit status %d", rc);
    ft_run_logs_close(logs);
    for (size_t i = 0; jobs && i < r.total; i++)
        free(jobs[i].output);
    free(jobs);
    ft_video_list_free(&list);
    ft_nn_graph_free(&transnet);
    free(a.inputs);
    free(a.step3_keys);
    free(a.step3_values);
    return rc;
}

const ft_command ft_cmd_scenes = {"scenes", "shot cuts of videos into STEP3 <stem>.csv lists", usage,
                                  run_scenes};
