/* facetrack track: batch face tracking of videos into the original STEP5
 * outputs (<stem>.json) or STEP6's reduced <stem>_tracking.json. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "cli/batch_io.h"
#include "cli/cli.h"
#include "cli/run_logs.h"
#include "cli/track_progress.h"
#include "facetrack.h"
#include "engines/engine_json.h"
#include "gpu/device_info.h"
#include "track/gpu_plan.h"
#include "track/batch.h"
#include "track/output_complete.h"
#include "track/outputs.h"
#include "track/track_config.h"
#include "track/video_list.h"

static const char usage[] =
    "usage: facetrack track [options] [--] VIDEO|FOLDER...\n"
    "\n"
    "Tracks the faces of videos: 478 landmarks, 52 blendshapes, head pose and\n"
    "stable IDs in every frame. Writes <stem>.json next to each video (or in\n"
    "--output-dir) in the original STEP5 schema, frame by frame, 1..N; with\n"
    "--format reduced, STEP6's <stem>_tracking.json instead. A <stem>.csv shot\n"
    "list beside a video restarts IDs at its cuts; a <stem>_audio.json\n"
    "(STEP4) fills the speaking fields. Folders are searched recursively for\n"
    ".mp4 .avi .mov .mkv .webm. A video whose output is already complete is\n"
    "skipped unless --force.\n"
    "\n"
    "inputs:\n"
    "  --videos-json FILE        a JSON array of paths, or {\"videos\": [...]}\n"
    "  --shard K/N               only the K-th of N slices of the input list\n"
    "output:\n"
    "  -o, --output-dir DIR      where outputs go (default: next to each video)\n"
    "  --format raw|reduced      raw <stem>.json (default) or <stem>_tracking.json\n"
    "  --verbose-fields          also each face's 478 landmarks [x, y, z] in pixels\n"
    "                            (STEP5_EXPORT_VERBOSE_FIELDS)\n"
    "  --pretty                  indented JSON (default: compact)\n"
    "  --force                   redo videos whose output is complete\n"
    "analysis:\n"
    "  --engine NAME             STEP5_TRACKING_ENGINE (default mediapipe_landmarker)\n"
    "  --max-faces N             STEP5_MEDIAPIPE_MAX_FACES (default 5)\n"
    "  --detect-every N          look for new faces every N frames (default 10)\n"
    "  --blendshapes-every N     STEP5_BLENDSHAPES_THROTTLE_N (default 1)\n"
    "  --min-detection-confidence X  --min-presence-confidence X\n"
    "  --min-tracking-confidence X   thresholds (default 0.5 each)\n"
    "  --landmarks MODEL         landmark model instead of the default\n"
    "  --scenes                  without a <stem>.csv, find the shot cuts first\n"
    "                            (as `facetrack scenes` does) and restart IDs there\n"
    "objects (COCO: persons, chairs, ...; see docs/objects.md):\n"
    "  --objects                 STEP5_ENABLE_OBJECT_DETECTION: in frames without a face\n"
    "  --objects-every-frame     ... in every frame\n"
    "  --object-model NAME       STEP5_OBJECT_DETECTOR_MODEL (default centernet)\n"
    "  --object-threshold X      minimum score (default 0.4 on the CPU, 0.5 on a GPU)\n"
    "  --object-max-results N    per frame (default 5)\n"
    "  --object-distance PX      tracking radius of objects (default 80)\n"
    "  --no-auto-objects         no objects switched on in faceless videos\n"
    "resources:\n"
    "  --workers N               TRACKING_CPU_WORKERS (default: the CPU count)\n"
    "  --cpu                     TRACKING_DISABLE_GPU=1\n"
    "  --gpu                     STEP5_ENABLE_GPU=1: models on the GPUs, workers\n"
    "                            spread round-robin over the visible devices\n"
    "  --gpu-device N            only CUDA device N\n"
    "  --gpu-fp16                fp16 storage on the GPU (fp32 arithmetic)\n"
    "  --cpu-decode              decode on the CPU under --gpu (default: NVDEC)\n"
    "  --chunk-frames N          frame range a worker takes at a time (default 250)\n"
    "operation:\n"
    "  --progress MODE           auto (a bar on a terminal), bar, json (one event\n"
    "                            per line on stdout), legacy (the original\n"
    "                            manager's lines), none\n"
    "  --profile                 STEP5_ENABLE_PROFILING: [PROFILING] lines on stderr\n"
    "  --log-dir DIR             a manager log and one per video (as logs/step5)\n"
    "  --log-max-bytes N         rotate log files past N bytes (default 10 MiB)\n"
    "  --env-file FILE|DIR       settings file, or the folder of its .env (default:\n"
    "                            $FACETRACK_ENV_FILE, else ./.env when present)\n"
    "  --list-settings           the original's variables, defaults, and which act\n"
    "\n"
    "Settings: command line, else environment, else .env, else the default (a\n"
    "bad value outside the command line warns and takes the default). The\n"
    "original's flags are accepted; what is not acted upon is named in a warning.\n"
    "\n"
    "Exit status: 0 when every video succeeded (or was skipped), 1 when some\n"
    "failed or a path is missing (each named; the others are still done), 2 on\n"
    "a usage error, 128 + the signal when a signal stops the run: no partial\n"
    "output or temporary file is left behind. See docs/batch_tracking.md.\n";

/* Flags that set a configuration value, by the name the configuration
 * knows them by; a switch (no value) sets it to "1". */
typedef struct flag {
    const char *flag, *alias;
    const char *setting;
    int takes_value;
} flag;

static const flag flags[] = {
    {"--output-dir", "-o", "output-dir", 1},
    {"--format", NULL, "format", 1},
    {"--verbose-fields", NULL, "STEP5_EXPORT_VERBOSE_FIELDS", 0},
    {"--pretty", NULL, "pretty", 0},
    {"--force", NULL, "force", 0},
    {"--scenes", NULL, "scenes", 0},
    {"--engine", "--tracking_engine", "STEP5_TRACKING_ENGINE", 1},
    {"--max-faces", NULL, "STEP5_MEDIAPIPE_MAX_FACES", 1},
    {"--detect-every", NULL, "detect-every", 1},
    {"--blendshapes-every", NULL, "STEP5_BLENDSHAPES_THROTTLE_N", 1},
    {"--min-detection-confidence", NULL, "min-detection-confidence", 1},
    {"--min-presence-confidence", NULL, "min-presence-confidence", 1},
    {"--min-tracking-confidence", NULL, "min-tracking-confidence", 1},
    {"--workers", "--cpu_internal_workers", "TRACKING_CPU_WORKERS", 1},
    {"--cpu", "--disable_gpu", "TRACKING_DISABLE_GPU", 0},
    {"--gpu", NULL, "STEP5_ENABLE_GPU", 0},
    {"--gpu-device", NULL, "gpu-device", 1},
    {"--gpu-fp16", NULL, "gpu-fp16", 0},
    {"--cpu-decode", NULL, "cpu-decode", 0},
    {"--progress", NULL, "progress", 1},
    {"--profile", NULL, "STEP5_ENABLE_PROFILING", 0},
    {"--shard", NULL, "shard", 1},
    {"--objects", NULL, "STEP5_ENABLE_OBJECT_DETECTION", 0},
    {"--objects-every-frame", NULL, "objects-every-frame", 0},
    {"--object-model", NULL, "STEP5_OBJECT_DETECTOR_MODEL", 1},
    {"--object-threshold", NULL, "object-threshold", 1},
    {"--object-max-results", NULL, "object-max-results", 1},
    {"--object-distance", NULL, "object-distance", 1},
    {"--no-auto-objects", NULL, "no-auto-objects", 0},
};
#define FLAG_COUNT (sizeof flags / sizeof flags[0])

typedef struct track_args {
    ft_config_value values[FLAG_COUNT]; /* one per setting given */
    size_t value_count;
    const char *env_file;
    const char *videos_json;
    const char *landmark_model;
    long long chunk_frames;
    char **inputs;
    int input_count;
    int list_settings;       /* --list-settings: print the known settings */
    const char *log_dir;     /* --log-dir: the run's log files */
    long long log_max_bytes; /* --log-max-bytes: each log file rotated past this size */
    const char *ignored_flags[16]; /* the original workers' flags not acted upon */
    size_t ignored_count;
} track_args;

static const flag *find_flag(const char *o)
{
    for (size_t i = 0; i < FLAG_COUNT; i++)
        if (strcmp(o, flags[i].flag) == 0 || (flags[i].alias && strcmp(o, flags[i].alias) == 0))
            return &flags[i];
    return NULL;
}

static void set_value(track_args *a, const char *setting, const char *value)
{
    for (size_t i = 0; i < a->value_count; i++)
        if (strcmp(a->values[i].name, setting) == 0) { /* the last one given wins */
            a->values[i].value = value;
            return;
        }
    a->values[a->value_count++] = (ft_config_value){setting, value};
}

/* O (value V) when it is a flag of the original worker scripts: sets its
 * setting, or remembers it (once) to name it in a warning, and advances *I
 * past its value. 1 when taken, 0 when O is none of them, -1 when its
 * value is missing. */
static int original_flag(track_args *a, const char *o, const char *v, int *i)
{
    const char *setting, *why;
    int takes_value;
    if (!ft_track_original_flag(o, &setting, &takes_value, &why))
        return 0;
    if (takes_value && !v)
        return -1;
    int known = 0;
    for (size_t k = 0; k < a->ignored_count && !known; k++)
        known = strcmp(a->ignored_flags[k], o) == 0;
    if (setting)
        set_value(a, setting, takes_value ? v : "1");
    else if (why && !known &&
             a->ignored_count < sizeof a->ignored_flags / sizeof a->ignored_flags[0])
        a->ignored_flags[a->ignored_count++] = o;
    *i += takes_value;
    return 1;
}

/* --list-settings: NAME, default and whether it is acted upon, one a line,
 * tab-separated; the list .env.example follows. */
static int list_settings(void)
{
    const char *name, *def, *why;
    for (size_t i = 0; ft_track_config_known(i, &name, &def, &why); i++)
        printf("%s\t%s\t%s%s\n", name, def ? def : "", why ? "ignored: " : "honoured",
               why ? why : "");
    return fflush(stdout) == 0 ? FT_EXIT_OK : FT_EXIT_FAILED;
}

static int parse_args(int argc, char **argv, track_args *a)
{
    memset(a, 0, sizeof *a);
    a->chunk_frames = 250;
    a->log_max_bytes = 10 << 20;
    a->inputs = calloc((size_t)argc, sizeof *a->inputs);
    if (!a->inputs)
        return FT_EXIT_FAILED;
    int only_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (only_paths || o[0] != '-' || strcmp(o, "-") == 0) {
            a->inputs[a->input_count++] = argv[i];
            continue;
        }
        if (strcmp(o, "--") == 0) {
            only_paths = 1;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const flag *f = find_flag(o);
        if (f) {
            if (f->takes_value && !v)
                return ft_cli_usage_error("track", "%s needs a value", o);
            set_value(a, f->setting, f->takes_value ? v : "1");
            i += f->takes_value;
        } else if (strcmp(o, "--videos-json") == 0 || strcmp(o, "--videos_json_path") == 0 ||
                   strcmp(o, "--env-file") == 0 || strcmp(o, "--landmarks") == 0) {
            if (!v)
                return ft_cli_usage_error("track", "%s needs a value", o);
            if (strcmp(o, "--env-file") == 0)
                a->env_file = v;
            else if (strcmp(o, "--landmarks") == 0)
                a->landmark_model = v;
            else
                a->videos_json = v;
            i++;
        } else if (strcmp(o, "--chunk-frames") == 0 || strcmp(o, "--chunk_size") == 0) {
            a->chunk_frames = ft_cli_parse_count(v);
            if (strcmp(o, "--chunk_size") == 0 && a->chunk_frames == 0)
                a->chunk_frames = 250; /* the original's 0: sizes chosen per video */
            else if (a->chunk_frames < 20)
                return ft_cli_usage_error("track", "%s needs an integer >= 20", o);
            i++;
        } else if (strcmp(o, "--list-settings") == 0) {
            a->list_settings = 1;
        } else if (strcmp(o, "--log-dir") == 0) {
            if (!v)
                return ft_cli_usage_error("track", "%s needs a value", o);
            a->log_dir = v;
            i++;
        } else if (strcmp(o, "--log-max-bytes") == 0) {
            a->log_max_bytes = ft_cli_parse_count(v);
            if (a->log_max_bytes < 1024)
                return ft_cli_usage_error("track", "--log-max-bytes needs an integer >= 1024");
            i++;
        } else {
            const int taken = original_flag(a, o, v, &i);
            if (taken < 0)
                return ft_cli_usage_error("track", "%s needs a value", o);
            if (!taken)
                return ft_cli_usage_error("track", "unknown option '%s'", o);
        }
    }
    if (a->input_count == 0 && !a->videos_json && !a->list_settings)
        return ft_cli_usage_error("track", "no video, folder or --videos-json given");
    return FT_EXIT_OK;
}

/* The original's GPU rules (track/gpu_plan.h) and its log lines: a GPU
 * that cannot be used falls back to the CPU, saying so, or fails when
 * fallback is off. */
static int check_gpu(const ft_track_config *c, ft_gpu_plan *plan)
{
    char why[512];
    switch (ft_gpu_plan_decide(c, plan, why, sizeof why)) {
    case FT_GPU_NOT_ASKED: return FT_EXIT_OK;
    case FT_GPU_NOT_LISTED:
        ft_log(FT_LOG_WARN, "GPU mode is reserved for the engines in STEP5_GPU_ENGINES. Engine '%s' will run in CPU-only mode.",
               c->engine);
        return FT_EXIT_OK;
    case FT_GPU_FALLBACK:
        ft_log(FT_LOG_WARN, "GPU requested but unavailable: %s", why);
        ft_log(FT_LOG_WARN, "Auto-fallback to CPU enabled");
        return FT_EXIT_OK;
    case FT_GPU_REFUSED:
        fprintf(stderr, "facetrack track: GPU requested but unavailable: %s (STEP5_GPU_FALLBACK_AUTO=0)\n",
                why);
        return FT_EXIT_FAILED;
    case FT_GPU_GRANTED: break;
    }
    for (int d = plan->first; d < plan->first + plan->count; d++) {
        char name[256] = "";
        ft_gpu_device_name(d, name, sizeof name);
        ft_log(FT_LOG_INFO, "engine %s on GPU %d (%s), at most %d MiB of it", c->engine, d, name,
               c->gpu_max_vram_mb);
    }
    return FT_EXIT_OK;
}

/* Outputs of LIST: the videos to do (TODO, OUTPUTS) and those skipped
 * because their output is complete (SKIPPED, SKIPPED_OUTPUTS). */
typedef struct work {
    const char **todo, **skipped;
    char **outputs, **skipped_outputs;
    size_t n, ns;
} work;

static void free_work(work *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->outputs[i]);
    for (size_t i = 0; i < w->ns; i++)
        free(w->skipped_outputs[i]);
    free(w->todo);
    free(w->skipped);
    free(w->outputs);
    free(w->skipped_outputs);
}

/* 1 (and says so) when VIDEO's output PATH is already one of OUTPUTS[0..n):
 * the same stem in two folders, written into one --output-dir. */
static int clash(const char **videos, char **outputs, size_t n, const char *video, const char *path)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(outputs[k], path) == 0) {
            fprintf(stderr, "facetrack track: %s and %s would both write %s\n", videos[k], video,
                    path);
            return 1;
        }
    return 0;
}

static int sort_work(const ft_track_config *cfg, const ft_video_list *list, work *w)
{
    const char *suffix =
        ft_output_suffix(cfg->format == FT_TRACK_FORMAT_RAW ? FT_OUTPUT_TRACKING : FT_OUTPUT_REDUCED);
    const size_t cap = list->count + 1;
    w->todo = calloc(cap, sizeof *w->todo);
    w->skipped = calloc(cap, sizeof *w->skipped);
    w->outputs = calloc(cap, sizeof *w->outputs);
    w->skipped_outputs = calloc(cap, sizeof *w->skipped_outputs);
    if (!w->todo || !w->skipped || !w->outputs || !w->skipped_outputs)
        return FT_EXIT_FAILED;
    for (size_t i = 0; i < list->count; i++) {
        char path[4096];
        if (ft_output_path(list->paths[i], cfg->output_dir, suffix, path, sizeof path) != FT_OK) {
            fprintf(stderr, "facetrack track: %s: output name too long\n", list->paths[i]);
            return FT_EXIT_FAILED;
        }
        if (clash(w->todo, w->outputs, w->n, list->paths[i], path) ||
            clash(w->skipped, w->skipped_outputs, w->ns, list->paths[i], path))
            return FT_EXIT_USAGE;
        if (atomic_load(&ft_cli_stop_signal))
            return 128 + atomic_load(&ft_cli_stop_signal);
        const int done = !cfg->force && ft_tracking_output_complete_for(path, list->paths[i]);
        char *copy = strdup(path);
        if (!copy)
            return FT_EXIT_FAILED;
        if (done) {
            w->skipped[w->ns] = list->paths[i];
            w->skipped_outputs[w->ns++] = copy;
        } else {
            w->todo[w->n] = list->paths[i];
            w->outputs[w->n++] = copy;
        }
    }
    return FT_EXIT_OK;
}

static int run_batch(const track_args *a, const ft_track_config *cfg, const ft_gpu_plan *gpus,
                     const ft_video_list *list, ft_run_logs *logs)
{
    work w = {0};
    int rc = sort_work(cfg, list, &w);
    if (rc == FT_EXIT_OK && cfg->output_dir[0] && ft_cli_make_dirs(cfg->output_dir) != 0) {
        fprintf(stderr, "facetrack track: %s: cannot create the output folder: %s\n", cfg->output_dir,
                strerror(errno));
        rc = FT_EXIT_FAILED;
    }
    ft_progress *progress =
        rc == FT_EXIT_OK ? ft_progress_create(cfg->progress, w.todo, w.n, cfg->profiling, logs,
                                              gpus->count > 0)
                         : NULL;
    if (!progress) {
        free_work(&w);
        return rc != FT_EXIT_OK ? rc : FT_EXIT_FAILED;
    }
    for (size_t i = 0; i < w.ns; i++)
        ft_progress_skipped(progress, w.skipped[i], w.skipped_outputs[i]);
    const ft_batch_options bo = {.config = cfg, .chunk_frames = a->chunk_frames, .warmup_frames = 10,
                                 .landmark_model = a->landmark_model, .stop = &ft_cli_stop_signal,
                                 .gpus = *gpus};
    const ft_batch_callbacks cb = ft_progress_callbacks(progress);
    char err[1024] = "";
    /* What a killed run left beside the outputs this one writes. */
    ft_atomic_file_remove_stale((const char *const *)w.outputs, w.n);
    ft_atomic_file_remove_stale((const char *const *)w.skipped_outputs, w.ns);
    ft_status st = ft_batch_run(&bo, w.todo, (const char *const *)w.outputs, w.n, &cb, err, sizeof err);
    const int stopped = atomic_load(&ft_cli_stop_signal);
    const size_t failed = ft_progress_finish(progress, stopped != 0);
    if (st != FT_OK)
        fprintf(stderr, "facetrack track: %s\n", err);
    free_work(&w);
    if (stopped)
        return 128 + stopped;
    return st != FT_OK || failed ? FT_EXIT_FAILED : FT_EXIT_OK;
}

/* Whether ENGINE's blendshapes come from a blendshape model file (it takes
 * the blendshape_model option): engines that compute them otherwise (eos's
 * jawOpen from its points) need none. */
static int takes_blendshape_model(const char *engine)
{
    const ft_engine_info *info = ft_engine_find(engine);
    if (!info || !info->blendshapes)
        return 0;
    for (const char *const *o = info->options; o && *o; o++)
        if (strcmp(*o, "blendshape_model") == 0)
            return 1;
    return 0;
}

static int run_track(int argc, char **argv)
{
    track_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != FT_EXIT_OK) {
        free(a.inputs);
        return rc;
    }
    if (a.list_settings) {
        free(a.inputs);
        return list_settings();
    }
    ft_track_config cfg;
    char err[1024];
    /* Open first, so that the settings' warnings are in the manager log too. */
    ft_run_logs *logs = NULL;
    if (a.log_dir && ft_run_logs_open(a.log_dir, "manager_tracking", a.log_max_bytes, 5, &logs, err,
                                      sizeof err) != FT_OK) {
        free(a.inputs);
        fprintf(stderr, "facetrack track: %s\n", err);
        return FT_EXIT_FAILED;
    }
    ft_status st =
        ft_track_config_resolve_run(&cfg, a.values, a.value_count, a.env_file, err, sizeof err);
    if (st != FT_OK) {
        ft_run_logs_manager(logs, "%s", err);
        ft_run_logs_close(logs);
        free(a.inputs);
        return ft_cli_usage_error("track", "%s", err);
    }
    ft_run_logs_manager(logs, "engine %s, %d workers%s, output %s%s", cfg.engine, cfg.workers,
                        cfg.disable_gpu ? ", GPU disabled" : "",
                        cfg.format == FT_TRACK_FORMAT_RAW ? "raw" : "reduced",
                        cfg.output_dir[0] ? " into the output folder" : " beside each video");
    for (size_t i = 0; i < a.ignored_count; i++) {
        const char *setting, *why;
        int takes_value;
        ft_track_original_flag(a.ignored_flags[i], &setting, &takes_value, &why);
        ft_log(FT_LOG_WARN, "ignored: %s (not supported: %s)", a.ignored_flags[i], why);
    }
    char why[256], usable[512];
    /* models named in the settings are checked when the engine opens them */
    const int named = cfg.detector_model[0] || cfg.eos_models_dir[0] || cfg.eos_shape[0];
    if (!named && !ft_engine_available(ft_engine_find(cfg.engine), why, sizeof why)) {
        free(a.inputs);
        ft_engine_available_names(usable, sizeof usable);
        fprintf(stderr, "facetrack track: engine '%s' is not available: %s (available: %s)\n",
                cfg.engine, why, usable);
        ft_run_logs_manager(logs, "engine '%s' is not available: %s", cfg.engine, why);
        ft_run_logs_close(logs);
        return FT_EXIT_USAGE;
    }
    char model[1024];
    if (cfg.blendshape_profile != FT_BLENDSHAPES_NONE && takes_blendshape_model(cfg.engine) &&
        ft_face_default_model("blendshapes", model, sizeof model) != FT_OK)
        ft_log(FT_LOG_WARN, "no blendshape model on the model search path: blendshapes will be null "
                            "(`facetrack models pull face_landmarker.task` installs it)");
    ft_video_list list = {0};
    size_t rejected = 0;
    ft_cli_catch_batch_signals(); /* from here on a signal stops the run cleanly */
    ft_gpu_plan gpus;
    rc = check_gpu(&cfg, &gpus);
    if (rc == FT_EXIT_OK)
        rc = ft_cli_collect_videos("track", a.inputs, a.input_count, a.videos_json, cfg.shard_index,
                                   cfg.shard_count, &list, &rejected);
    if (rc == FT_EXIT_OK && atomic_load(&ft_cli_stop_signal))
        rc = 128 + atomic_load(&ft_cli_stop_signal);
    if (rc == FT_EXIT_OK)
        rc = run_batch(&a, &cfg, &gpus, &list, logs);
    if (rc == FT_EXIT_OK && rejected > 0)
        rc = FT_EXIT_FAILED; /* the missing paths, each named above */
    ft_run_logs_manager(logs, "exit status %d", rc);
    ft_run_logs_close(logs);
    ft_video_list_free(&list);
    free(a.inputs);
    return rc;
}

const ft_command ft_cmd_track = {"track", "track the faces of videos into STEP5/STEP6 JSON outputs",
                                 usage, run_track};
