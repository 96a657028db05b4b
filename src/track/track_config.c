/* Settings of `facetrack track`: one table row per setting says where it is
 * looked up, how its text is parsed and checked, and which field it fills.
 * Defaults are text too and go through the same parsers as any value. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dotenv.h"
#include "base/thread_pool.h"
#include "models/model_path.h"
#include "track/track_config.h"

/* Enum fields are filled through an int pointer, like the int fields. */
_Static_assert(sizeof(ft_track_format) == sizeof(int), "enum size");
_Static_assert(sizeof(ft_progress_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(ft_blendshape_profile) == sizeof(int), "enum size");

/* The canonical spelling of NAME (a registry name or alias), or NULL. */
static const char *canonical_engine(const char *name)
{
    const ft_engine_info *info = ft_engine_find(name);
    return info ? info->name : NULL;
}

/* Appends TEXT to BUF (SIZE bytes, NUL-terminated), cutting it if need be. */
static void append(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 < size)
        snprintf(buf + used, size - used, "%s", text);
}

/* "mediapipe_landmarker, mediapipe, opencv_haar, ...": what the settings
 * accept, each alias next to the name it stands for. */
static void list_engines(char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < ft_engine_count(); i++) {
        const ft_engine_info *info = ft_engine_at(i);
        if (i > 0)
            append(buf, size, ", ");
        append(buf, size, info->name);
        for (const char *const *alias = info->aliases; alias && *alias; alias++) {
            append(buf, size, ", ");
            append(buf, size, *alias);
        }
    }
}

/* TEXT in lower case into OUT; 0 when it does not fit. */
static int lower_copy(const char *text, char *out, size_t size)
{
    size_t len = strlen(text);
    if (len >= size)
        return 0;
    for (size_t i = 0; i <= len; i++)
        out[i] = (char)tolower((unsigned char)text[i]);
    return 1;
}

/* A whole string as a base-10 integer: no blanks, junk or overflow. */
static int parse_long(const char *text, long *out)
{
    if (!isdigit((unsigned char)text[0]) && text[0] != '-' && text[0] != '+')
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

/* ---- the table ------------------------------------------------------- */

typedef struct choice {
    const char *name; /* lower case */
    int value;
} choice;

typedef struct setting setting;

/* Parses TEXT into CFG; 0 with the reason in WHY when it is invalid. */
typedef int (*parse_fn)(const setting *s, const char *text, ft_track_config *cfg, char *why,
                        size_t why_size);

struct setting {
    const char *name;       /* the environment variable, or for CLI-only
                               settings the flag */
    const char *flag;       /* the long flag without dashes, NULL if none */
    int env;                /* also looked up in the environment and .env */
    parse_fn parse;
    const char *def;        /* NULL: the number of CPUs */
    int min, max;           /* bounds of numbers */
    const choice *choices;  /* NULL-terminated, for parse_choice */
    int raw;                /* keep surrounding blanks (paths) */
    int strict;             /* invalid from anywhere is an error: the original
                               failed too (an unknown engine) */
    size_t offset, size;    /* the field filled; unused by parsers that
                               fill a pair of fields */
};

#define NO_MAX INT_MAX

static void *field(ft_track_config *cfg, const setting *s)
{
    return (char *)cfg + s->offset;
}

static int parse_int(const setting *s, const char *text, ft_track_config *cfg, char *why,
                     size_t why_size)
{
    long v;
    if (parse_long(text, &v) && v >= s->min && v <= s->max) {
        *(int *)field(cfg, s) = (int)v;
        return 1;
    }
    if (s->max == NO_MAX)
        snprintf(why, why_size, "must be an integer >= %d", s->min);
    else
        snprintf(why, why_size, "must be an integer from %d to %d", s->min, s->max);
    return 0;
}

/* A width to downscale to, or 0 for none. */
static int parse_width(const setting *s, const char *text, ft_track_config *cfg, char *why,
                       size_t why_size)
{
    long v;
    if (parse_long(text, &v) && (v == 0 || (v >= s->min && v <= s->max))) {
        *(int *)field(cfg, s) = (int)v;
        return 1;
    }
    snprintf(why, why_size, "must be 0 or an integer >= %d", s->min);
    return 0;
}

static int parse_float(const setting *s, const char *text, ft_track_config *cfg, char *why,
                       size_t why_size)
{
    char *end = NULL;
    double v = text[0] ? strtod(text, &end) : 0.0;
    /* FLT_MAX: a larger double does not convert to float. */
    if (end && *end == '\0' && isfinite(v) && v >= s->min && (s->max == NO_MAX || v <= s->max) &&
        v <= FLT_MAX) {
        *(float *)field(cfg, s) = (float)v;
        return 1;
    }
    if (s->max == NO_MAX)
        snprintf(why, why_size, "must be a number >= %d", s->min);
    else
        snprintf(why, why_size, "must be a number from %d to %d", s->min, s->max);
    return 0;
}

/* The original's booleans, any case: 1 true, 0 false, -1 neither. */
static int bool_value(const char *text)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcasecmp(text, yes[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcasecmp(text, no[i]) == 0)
            return 0;
    return -1;
}

static int parse_bool(const setting *s, const char *text, ft_track_config *cfg, char *why,
                      size_t why_size)
{
    int v = bool_value(text);
    if (v < 0) {
        snprintf(why, why_size, "must be a boolean (1, true, yes, on or 0, false, no, off)");
        return 0;
    }
    *(int *)field(cfg, s) = v;
    return 1;
}

/* STEP5_EXPORT_VERBOSE_FIELDS also takes "all" for true. */
static int parse_bool_or_all(const setting *s, const char *text, ft_track_config *cfg, char *why,
                             size_t why_size)
{
    int v = strcasecmp(text, "all") == 0 ? 1 : bool_value(text);
    if (v < 0) {
        snprintf(why, why_size, "must be a boolean (1, true, yes, on, all or 0, false, no, off)");
        return 0;
    }
    *(int *)field(cfg, s) = v;
    return 1;
}

/* STEP5_ENABLE_GPU as the original reads it: on only for exactly "1",
 * anything else is off, never an error. */
static int parse_exactly_one(const setting *s, const char *text, ft_track_config *cfg,
                             char *why, size_t why_size)
{
    (void)why;
    (void)why_size;
    *(int *)field(cfg, s) = strcmp(text, "1") == 0;
    return 1;
}

static int parse_choice(const setting *s, const char *text, ft_track_config *cfg, char *why,
                        size_t why_size)
{
    char low[32];
    if (lower_copy(text, low, sizeof low))
        for (const choice *c = s->choices; c->name; c++)
            if (strcmp(low, c->name) == 0) {
                *(int *)field(cfg, s) = c->value;
                return 1;
            }
    snprintf(why, why_size, "must be one of");
    const char *sep = " ";
    for (const choice *c = s->choices; c->name; c++) {
        if (!c->name[0])
            continue; /* "" is accepted but reads badly in a list */
        append(why, why_size, sep);
        append(why, why_size, c->name);
        sep = ", ";
    }
    return 0;
}

static int parse_engine(const setting *s, const char *text, ft_track_config *cfg, char *why,
                        size_t why_size)
{
    char low[64];
    const char *name = lower_copy(text, low, sizeof low) ? canonical_engine(low) : NULL;
    if (!name) {
        char known[512];
        list_engines(known, sizeof known);
        snprintf(why, why_size, "unknown engine (known: %s)", known);
        return 0;
    }
    snprintf(field(cfg, s), s->size, "%s", name);
    return 1;
}

/* A comma list of engines or "all": blanks dropped, lower case, aliases
 * replaced by their names, empty entries skipped. */
static int parse_engine_list(const setting *s, const char *text, ft_track_config *cfg,
                             char *why, size_t why_size)
{
    char squeezed[256], out[256] = "";
    size_t len = 0;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (len + 1 >= sizeof squeezed) {
            snprintf(why, why_size, "too long (%zu characters at most)", s->size - 1);
            return 0;
        }
        squeezed[len++] = (char)tolower((unsigned char)*p);
    }
    squeezed[len] = '\0';
    for (char *entry = squeezed; entry;) {
        char *comma = strchr(entry, ',');
        if (comma)
            *comma = '\0';
        if (*entry) {
            const char *name = strcmp(entry, "all") == 0 ? "all" : canonical_engine(entry);
            if (!name) {
                char known[512];
                list_engines(known, sizeof known);
                snprintf(why, why_size, "unknown engine '%s' (known: %s, all)", entry, known);
                return 0;
            }
            size_t used = strlen(out);
            if (used + 1 + strlen(name) >= sizeof out) {
                snprintf(why, why_size, "too long (%zu characters at most)", s->size - 1);
                return 0;
            }
            snprintf(out + used, sizeof out - used, "%s%s", used ? "," : "", name);
        }
        entry = comma ? comma + 1 : NULL;
    }
    if (strlen(out) >= s->size) {
        snprintf(why, why_size, "too long (%zu characters at most)", s->size - 1);
        return 0;
    }
    memcpy(field(cfg, s), out, strlen(out) + 1);
    return 1;
}

/* 1 when NAME is a blendshape the exporter knows: MediaPipe's 52 or tongueOut. */
static int known_blendshape(const char *name)
{
    if (strcmp(name, "tongueOut") == 0)
        return 1;
    for (int i = 0; ft_face_blendshape_name(i); i++)
        if (strcmp(name, ft_face_blendshape_name(i)) == 0)
            return 1;
    return 0;
}

/* The custom profile's comma list: names trimmed, empty entries skipped,
 * repeats kept once. Fills export_keys and export_key_count. */
static int parse_keys(const setting *s, const char *text, ft_track_config *cfg, char *why,
                      size_t why_size)
{
    (void)s;
    cfg->export_key_count = 0;
    for (const char *p = text; p;) {
        const char *comma = strchr(p, ',');
        const char *stop = comma ? comma : p + strlen(p);
        while (p < stop && isspace((unsigned char)*p))
            p++;
        while (stop > p && isspace((unsigned char)stop[-1]))
            stop--;
        size_t len = (size_t)(stop - p);
        if (len > 0) {
            char key[sizeof cfg->export_keys[0]] = "";
            if (len < sizeof key) {
                memcpy(key, p, len);
                key[len] = '\0';
            }
            if (!known_blendshape(key)) {
                snprintf(why, why_size,
                         "unknown blendshape '%.*s' "
                         "(MediaPipe's names, e.g. jawOpen, or tongueOut)",
                         (int)len, p);
                return 0;
            }
            int seen = 0;
            for (int i = 0; i < cfg->export_key_count && !seen; i++)
                seen = strcmp(cfg->export_keys[i], key) == 0;
            /* Known names are fewer than the slots, so none is ever dropped. */
            if (!seen && cfg->export_key_count < FT_TRACK_MAX_KEYS)
                memcpy(cfg->export_keys[cfg->export_key_count++], key, len + 1);
        }
        p = comma ? comma + 1 : NULL;
    }
    return 1;
}

static int parse_path(const setting *s, const char *text, ft_track_config *cfg, char *why,
                      size_t why_size)
{
    if (strlen(text) >= s->size) {
        snprintf(why, why_size, "too long (%zu bytes at most)", s->size - 1);
        return 0;
    }
    memcpy(field(cfg, s), text, strlen(text) + 1);
    return 1;
}

/* "K/N", 1 <= K <= N. Fills shard_index and shard_count. */
static int parse_shard(const setting *s, const char *text, ft_track_config *cfg, char *why,
                       size_t why_size)
{
    (void)s;
    const char *slash = strchr(text, '/');
    char head[24];
    long k, n;
    size_t head_len = slash ? (size_t)(slash - text) : 0;
    if (slash && head_len < sizeof head) {
        memcpy(head, text, head_len);
        head[head_len] = '\0';
        if (parse_long(head, &k) && parse_long(slash + 1, &n) && k >= 1 && k <= n &&
            n <= INT_MAX) {
            cfg->shard_index = (int)k;
            cfg->shard_count = (int)n;
            return 1;
        }
    }
    snprintf(why, why_size, "must be K/N with 1 <= K <= N (e.g. 2/4)");
    return 0;
}

static const choice profiles[] = {
    {"full", FT_BLENDSHAPES_FULL},   {"all", FT_BLENDSHAPES_FULL},
    {"", FT_BLENDSHAPES_FULL},       {"none", FT_BLENDSHAPES_NONE},
    {"off", FT_BLENDSHAPES_NONE},    {"0", FT_BLENDSHAPES_NONE},
    {"false", FT_BLENDSHAPES_NONE},  {"no", FT_BLENDSHAPES_NONE},
    {"mouth", FT_BLENDSHAPES_MOUTH}, {"mediapipe", FT_BLENDSHAPES_MEDIAPIPE},
    {"custom", FT_BLENDSHAPES_CUSTOM}, {NULL, 0}};

static const choice formats[] = {
    {"raw", FT_TRACK_FORMAT_RAW}, {"reduced", FT_TRACK_FORMAT_REDUCED}, {NULL, 0}};

static const choice progress_modes[] = {
    {"auto", FT_PROGRESS_AUTO}, {"bar", FT_PROGRESS_BAR},       {"json", FT_PROGRESS_JSON},
    {"legacy", FT_PROGRESS_LEGACY}, {"none", FT_PROGRESS_NONE}, {NULL, 0}};

#define ENV(var, flag_) .name = var, .flag = flag_, .env = 1
#define CLI(flag_) .name = flag_, .flag = flag_
#define AT(f) .offset = offsetof(ft_track_config, f), .size = sizeof(((ft_track_config *)0)->f)
#define INT(lo, hi) .parse = parse_int, .min = lo, .max = hi
#define FLOAT(lo, hi) .parse = parse_float, .min = lo, .max = hi
#define WIDTH(lo) .parse = parse_width, .min = lo, .max = NO_MAX
#define BOOL .parse = parse_bool
#define CHOICE(list) .parse = parse_choice, .choices = list

static const setting settings[] = {
    /* engine */
    {ENV("STEP5_TRACKING_ENGINE", "engine"), .parse = parse_engine, .strict = 1,
     .def = "mediapipe_landmarker", AT(engine)},
    {ENV("STEP5_MEDIAPIPE_MAX_FACES", "max-faces"), INT(1, 64), .def = "5", AT(max_faces)},
    {CLI("min-detection-confidence"), FLOAT(0, 1), .def = "0.5", AT(min_detection_confidence)},
    {CLI("min-presence-confidence"), FLOAT(0, 1), .def = "0.5", AT(min_presence_confidence)},
    {CLI("min-tracking-confidence"), FLOAT(0, 1), .def = "0.5", AT(min_tracking_confidence)},
    {CLI("detect-every"), INT(1, NO_MAX), .def = "10", AT(detect_every)},
    {ENV("STEP5_MEDIAPIPE_MAX_WIDTH", "max-width"), WIDTH(16), .def = "0", AT(max_width)},
    {ENV("STEP5_YUNET_MAX_WIDTH", NULL), INT(16, NO_MAX), .def = "640", AT(yunet_max_width)},
    {ENV("STEP5_MEDIAPIPE_JAWOPEN_SCALE", NULL), FLOAT(0, NO_MAX), .def = "1.0",
     AT(jawopen_scale)},
    {ENV("STEP5_BLENDSHAPES_THROTTLE_N", "blendshapes-every"), INT(1, NO_MAX), .def = "1",
     AT(blendshapes_every)},
    {ENV("STEP5_BLENDSHAPES_PROFILE", NULL), CHOICE(profiles), .def = "full",
     AT(blendshape_profile)},
    {ENV("STEP5_BLENDSHAPES_INCLUDE_TONGUE", NULL), BOOL, .def = "0", AT(include_tongue)},
    {ENV("STEP5_BLENDSHAPES_EXPORT_KEYS", NULL), .parse = parse_keys, .def = ""},
    /* the detection-only engines */
    {ENV("STEP5_YUNET_MODEL_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(yunet_model)},
    {ENV("STEP5_OPENCV_MAX_FACES", NULL), .parse = parse_width, .min = 1, .max = 64, .def = "0",
     AT(opencv_max_faces)},
    {ENV("STEP5_OPENCV_JAWOPEN_SCALE", NULL), FLOAT(0, NO_MAX), .def = "1.0",
     AT(opencv_jawopen_scale)},
    {ENV("STEP5_OPENCV_HAAR_CASCADE_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(haar_cascade)},
    {ENV("STEP5_INSIGHTFACE_MODEL_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(insightface_model)},
    {ENV("INSIGHTFACE_HOME", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(insightface_home)},
    {ENV("STEP5_INSIGHTFACE_MODEL_NAME", NULL), .parse = parse_path, .def = "antelopev2",
     AT(insightface_pack)},
    {ENV("STEP5_INSIGHTFACE_DET_SIZE", NULL), INT(64, 4096), .def = "640",
     AT(insightface_det_size)},
    {ENV("STEP5_INSIGHTFACE_MAX_WIDTH", NULL), WIDTH(16), .def = "0", AT(insightface_max_width)},
    {ENV("STEP5_INSIGHTFACE_MAX_FACES", NULL), .parse = parse_width, .min = 1, .max = 64,
     .def = "0", AT(insightface_max_faces)},
    {ENV("STEP5_INSIGHTFACE_DETECT_EVERY_N", NULL), WIDTH(1), .def = "0", AT(insightface_every)},
    {ENV("STEP5_INSIGHTFACE_JAWOPEN_SCALE", NULL), FLOAT(0, NO_MAX), .def = "1.0",
     AT(insightface_jawopen_scale)},
    {ENV("STEP5_INSIGHTFACE_ALLOWED_MODULES", NULL), .parse = parse_path, .def = "",
     AT(insightface_modules)},
    /* openseeface */
    {ENV("STEP5_OPENSEEFACE_MODELS_DIR", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(osf_models_dir)},
    {ENV("STEP5_OPENSEEFACE_MODEL_ID", NULL), INT(0, 4), .def = "1", AT(osf_model_id)},
    {ENV("STEP5_OPENSEEFACE_DETECTION_MODEL_PATH", NULL), .parse = parse_path, .raw = 1,
     .def = "", AT(osf_detector)},
    {ENV("STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH", NULL), .parse = parse_path, .raw = 1,
     .def = "", AT(osf_landmarks)},
    {ENV("STEP5_OPENSEEFACE_DETECT_EVERY_N", NULL), WIDTH(1), .def = "0", AT(osf_every)},
    {ENV("STEP5_OPENSEEFACE_DETECTION_THRESHOLD", NULL), FLOAT(0, 1), .def = "0.6",
     AT(osf_threshold)},
    {ENV("STEP5_OPENSEEFACE_MAX_FACES", NULL), INT(1, 64), .def = "1", AT(osf_max_faces)},
    {ENV("STEP5_OPENSEEFACE_MAX_WIDTH", NULL), WIDTH(16), .def = "0", AT(osf_max_width)},
    {ENV("STEP5_OPENSEEFACE_JAWOPEN_SCALE", NULL), FLOAT(0, NO_MAX), .def = "1.0",
     AT(osf_jawopen_scale)},
    /* eos */
    {ENV("STEP5_EOS_MODELS_DIR", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(eos_models_dir)},
    {ENV("STEP5_EOS_SFM_MODEL_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(eos_shape)},
    {ENV("STEP5_EOS_EXPRESSION_BLENDSHAPES_PATH", NULL), .parse = parse_path, .raw = 1,
     .def = "", AT(eos_expressions)},
    {ENV("STEP5_EOS_LANDMARK_MAPPER_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(eos_mapper)},
    {ENV("STEP5_EOS_EDGE_TOPOLOGY_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(eos_edges)},
    {ENV("STEP5_EOS_MODEL_CONTOUR_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(eos_contour)},
    {ENV("STEP5_EOS_CONTOUR_LANDMARKS_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(eos_contour_landmarks)},
    {ENV("STEP5_EOS_FIT_EVERY_N", NULL), WIDTH(1), .def = "0", AT(eos_every)},
    {ENV("STEP5_EOS_MAX_FACES", NULL), .parse = parse_width, .min = 1, .max = 64, .def = "0",
     AT(eos_max_faces)},
    {ENV("STEP5_EOS_MAX_WIDTH", NULL), WIDTH(16), .def = "1280", AT(eos_max_width)},
    {ENV("STEP5_EOS_JAWOPEN_SCALE", NULL), FLOAT(0, NO_MAX), .def = "1.0",
     AT(eos_jawopen_scale)},
    /* resources */
    {ENV("TRACKING_CPU_WORKERS", "workers"), INT(1, 256), .def = NULL, AT(workers)},
    {ENV("TRACKING_DISABLE_GPU", "cpu"), BOOL, .def = "0", AT(disable_gpu)},
    {ENV("STEP5_ENABLE_GPU", "gpu"), .parse = parse_exactly_one, .def = "0", AT(enable_gpu)},
    {ENV("STEP5_GPU_ENGINES", NULL), .parse = parse_engine_list, .def = "", AT(gpu_engines)},
    {ENV("STEP5_GPU_FALLBACK_AUTO", NULL), BOOL, .def = "1", AT(gpu_fallback_auto)},
    {ENV("STEP5_GPU_MAX_VRAM_MB", NULL), INT(256, NO_MAX), .def = "2048", AT(gpu_max_vram_mb)},
    {CLI("gpu-device"), INT(-1, 255), .def = "-1", AT(gpu_device)},
    {CLI("gpu-fp16"), BOOL, .def = "0", AT(gpu_fp16)},
    {CLI("cpu-decode"), BOOL, .def = "0", AT(cpu_decode)},
    {ENV("STEP5_GPU_PROFILING", NULL), BOOL, .def = "0", AT(gpu_profiling)},
    /* output */
    {CLI("format"), CHOICE(formats), .def = "raw", AT(format)},
    {ENV("STEP5_EXPORT_VERBOSE_FIELDS", "verbose-fields"), .parse = parse_bool_or_all,
     .def = "0", AT(verbose_fields)},
    {CLI("pretty"), BOOL, .def = "0", AT(pretty)},
    {CLI("force"), BOOL, .def = "0", AT(force)},
    {CLI("scenes"), BOOL, .def = "0", AT(detect_scenes)},
    {CLI("output-dir"), .parse = parse_path, .raw = 1, .def = "", AT(output_dir)},
    /* operation */
    {ENV("STEP5_ENABLE_PROFILING", "profile"), BOOL, .def = "0", AT(profiling)},
    {CLI("progress"), CHOICE(progress_modes), .def = "auto", AT(progress)},
    {CLI("shard"), .parse = parse_shard, .def = "1/1"},
    /* objects */
    {ENV("STEP5_ENABLE_OBJECT_DETECTION", "objects"), BOOL, .def = "0", AT(enable_objects)},
    {ENV("STEP5_OBJECT_DETECTOR_MODEL", "object-model"), .parse = parse_path, .def = "",
     AT(object_model)},
    {ENV("STEP5_OBJECT_DETECTOR_MODEL_PATH", NULL), .parse = parse_path, .raw = 1, .def = "",
     AT(object_model_path)},
    {CLI("object-threshold"), FLOAT(-1, 1), .def = "-1", AT(object_threshold)},
    {CLI("object-max-results"), INT(1, 100), .def = "5", AT(object_max_results)},
    {CLI("objects-every-frame"), BOOL, .def = "0", AT(objects_every_frame)},
    {CLI("object-distance"), FLOAT(1, 100000), .def = "80", AT(object_distance)},
    {ENV("STEP5_AUTO_OBJECT_DETECTION", NULL), BOOL, .def = "1", AT(auto_objects)},
    {CLI("no-auto-objects"), BOOL, .def = "0", AT(no_auto_objects)},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

/* ---- resolving ------------------------------------------------------- */

static const char from_cli[] = "command line";
static const char from_env[] = "environment";
static const char from_default[] = "default";

static const setting *find_setting(const char *name)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

typedef struct layers {
    const ft_config_value *cli;
    size_t n;
    const ft_dotenv *dotenv;
    const char *dotenv_name; /* as messages call it */
    char cpus[16];           /* the default of TRACKING_CPU_WORKERS */
    int lenient;             /* invalid values outside the command line: warn, use the default */
} layers;

/* The text of S from the first layer that has one; *FROM names the layer. */
static const char *lookup(const setting *s, const layers *l, const char **from)
{
    for (size_t i = l->n; i-- > 0;) /* a repeated flag: the last one counts */
        if (strcmp(l->cli[i].name, s->name) == 0) {
            *from = from_cli;
            return l->cli[i].value;
        }
    if (s->env) {
        const char *v = getenv(s->name);
        if (v) {
            *from = from_env;
            return v;
        }
        v = ft_dotenv_get(l->dotenv, s->name);
        if (v) {
            *from = l->dotenv_name;
            return v;
        }
    }
    *from = from_default;
    return s->def ? s->def : l->cpus;
}

/* TEXT less leading and trailing blanks, in a new string. */
static char *trimmed_copy(const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    return strndup(text, len);
}

/* "NAME=VALUE (from FROM): WHY" into ERR, control characters of VALUE
 * shown as '?' so that the message stays one line. */
static void report(char *err, size_t err_size, const setting *s, const char *from,
                   const char *value, const char *why)
{
    if (!err || err_size == 0)
        return;
    char shown[160];
    size_t i = 0;
    for (; value[i] && i + 4 < sizeof shown; i++)
        shown[i] = (unsigned char)value[i] < 0x20 || value[i] == 0x7f ? '?' : value[i];
    shown[i] = '\0';
    if (value[i])
        append(shown, sizeof shown, "...");
    if (from == from_cli && s->flag)
        snprintf(err, err_size, "--%s=%s (from %s): %s", s->flag, shown, from, why);
    else
        snprintf(err, err_size, "%s=%s (from %s): %s", s->name, shown, from, why);
}

/* Parses S's value into CFG; *FROM and *TEXT tell where it came from. */
static ft_status resolve_one(const setting *s, const layers *l, ft_track_config *cfg,
                             const char **from, const char **text, char *err, size_t err_size)
{
    *text = lookup(s, l, from);
    char *value = s->raw ? strdup(*text) : trimmed_copy(*text);
    if (!value)
        return FT_ERR_NOMEM;
    char why[384] = "";
    int ok = s->parse(s, value, cfg, why, sizeof why);
    free(value);
    if (ok)
        return FT_OK;
    if (l->lenient && *from != from_cli && !s->strict) {
        /* As the original did: the default, and a word about it. */
        char line[1024];
        const char *def = s->def ? s->def : l->cpus;
        report(line, sizeof line, s, *from, *text, why);
        ft_log(FT_LOG_WARN, "%s; using the default %s", line, def[0] ? def : "(none)");
        *from = from_default;
        *text = def;
        return s->parse(s, def, cfg, why, sizeof why) ? FT_OK : FT_ERR_INTERNAL;
    }
    report(err, err_size, s, *from, *text, why);
    return FT_ERR_INVALID_ARG;
}

/* Every name on the command line must be a setting: a mistake of the
 * caller, not of the user. */
static ft_status check_cli(const ft_config_value *cli, size_t n, char *err, size_t err_size)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = cli[i].name ? cli[i].name : "(null)";
        const char *why = !cli[i].name || !find_setting(name) ? "unknown setting"
                          : !cli[i].value                     ? "no value for setting"
                                                              : NULL;
        if (!why)
            continue;
        if (err && err_size > 0)
            snprintf(err, err_size, "internal error: %s '%s' from the command line", why, name);
        return FT_ERR_INVALID_ARG;
    }
    return FT_OK;
}

/* ---- the detection-only engines ---------------------------------------- */

/* Whether setting NAME came from the command line, environment or .env. */
static int given(const char *name, const char *const *from)
{
    const setting *s = find_setting(name);
    return s && from[s - settings] != from_default;
}

/* Variables the original read that this build does not act on, each named
 * in a warning when set, never silently dropped. ENGINE NULL: whatever the
 * engine, unless the settings table above knows the name (then it is
 * honoured); else only while that engine runs, whatever the table says. */
typedef struct ignored_setting {
    const char *engine, *name, *def, *why;
} ignored_setting;

#define NO_PYTHON "no Python interpreter is used: every engine runs inside facetrack"
#define ONE_THREAD "each worker runs its models on one thread; --workers sets the parallelism"

static const ignored_setting ignored_settings[] = {
    {NULL, "STEP5_TF_GPU_ENV_PYTHON", "", NO_PYTHON},
    {NULL, "STEP5_EOS_ENV_PYTHON", "", NO_PYTHON},
    {NULL, "STEP5_INSIGHTFACE_ENV_PYTHON", "", NO_PYTHON},
    {NULL, "STEP5_CUDA_LIB_PATH", "",
     "the CUDA libraries are found by the dynamic loader (see docs/gpu.md)"},
    {NULL, "STEP5_CUDA_HOME", "", "the CUDA libraries are found by the dynamic loader (see docs/gpu.md)"},
    {NULL, "STEP5_FACEMESH_ONNX_PATH", "",
     "the face mesh model is found on the model search path, or named by --landmarks"},
    {NULL, "STEP5_PYFEAT_MODEL_PATH", "",
     "py-feat's PyTorch weights are not read: the same network runs from face_blendshapes.onnx "
     "(or face_landmarker.task) on the model search path"},
    {NULL, "STEP5_PYFEAT_STRICT", "0", "a missing or unreadable blendshape model always stops the engine"},
    {NULL, "STEP5_ONNX_INTRA_OP_THREADS", "2", ONE_THREAD},
    {NULL, "STEP5_ONNX_INTER_OP_THREADS", "1", ONE_THREAD},
    {NULL, "STEP5_INSIGHTFACE_CTX_ID", "0", "--gpu with --gpu-device N chooses the GPU"},
    {NULL, "TRACKING_CHUNK_MIN", "",
     "removed from the original in January 2026; frame ranges are planned per video "
     "(--chunk-frames)"},
    {NULL, "TRACKING_CHUNK_MAX", "",
     "removed from the original in January 2026; frame ranges are planned per video "
     "(--chunk-frames)"},
    /* honoured, except by one engine */
    {"mediapipe_landmarker", "STEP5_MEDIAPIPE_MAX_WIDTH", NULL,
     "the mediapipe_landmarker engine takes its crops from the full-resolution frame"},
    {"opencv_yunet", "STEP5_OPENCV_JAWOPEN_SCALE", NULL,
     "the opencv_yunet engine gives no blendshapes"},
    {"opencv_haar", "STEP5_OPENCV_JAWOPEN_SCALE", NULL,
     "the opencv_haar engine gives no blendshapes"},
};
#define IGNORED_COUNT (sizeof ignored_settings / sizeof ignored_settings[0])

/* Whether NAME is set in the environment or the .env file. */
static int is_set(const layers *l, const char *name)
{
    return getenv(name) || ft_dotenv_get(l->dotenv, name);
}

/* Whether NAME is one of the original's STEP5_* / TRACKING_* variables or
 * a setting of this program. */
static int known_name(const char *name)
{
    if (find_setting(name))
        return 1;
    for (size_t i = 0; i < IGNORED_COUNT; i++)
        if (strcmp(ignored_settings[i].name, name) == 0)
            return 1;
    return 0;
}

static int ours(const char *name)
{
    return strncmp(name, "STEP5_", 6) == 0 || strncmp(name, "TRACKING_", 9) == 0;
}

/* One warning line per variable that is set but not acted upon, and per
 * STEP5_* / TRACKING_* name that no setting has (a typo, or a variable of
 * a newer original): each environment name and .env key occurs once. */
static void warn_ignored(const ft_track_config *c, const layers *l)
{
    for (size_t i = 0; i < IGNORED_COUNT; i++) {
        const ignored_setting *g = &ignored_settings[i];
        const int applies = g->engine ? strcmp(c->engine, g->engine) == 0 : !find_setting(g->name);
        if (applies && is_set(l, g->name))
            ft_log(FT_LOG_WARN, "ignored: %s (not supported: %s)", g->name, g->why);
    }
    extern char **environ;
    for (char **e = environ; e && *e; e++) {
        char name[128];
        const char *eq = strchr(*e, '=');
        const size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
        if (len >= sizeof name)
            continue;
        memcpy(name, *e, len);
        name[len] = '\0';
        if (ours(name) && !known_name(name))
            ft_log(FT_LOG_WARN, "ignored: %s (unknown setting, from %s)", name, from_env);
    }
    for (size_t i = 0; i < l->dotenv->count; i++) {
        const char *name = l->dotenv->pairs[i].key;
        if (ours(name) && !known_name(name) && !getenv(name))
            ft_log(FT_LOG_WARN, "ignored: %s (unknown setting, from %s)", name, l->dotenv_name);
    }
}

/* The detector of an InsightFace model pack folder, as FaceAnalysis finds
 * it there, into OUT; 0 when the folder has none. */
static int pack_detector(const char *folder, char *out, size_t size)
{
    static const char *const files[] = {"scrfd_10g_bnkps.onnx", "det_10g.onnx",
                                        "scrfd_2.5g_bnkps.onnx", "det_2.5g.onnx",
                                        "scrfd_500m_bnkps.onnx", "det_500m.onnx"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        int n = snprintf(out, size, "%s/%s", folder, files[i]);
        if (n > 0 && (size_t)n < size && access(out, R_OK) == 0)
            return 1;
    }
    out[0] = '\0';
    return 0;
}

/* Whether STEP5_INSIGHTFACE_ALLOWED_MODULES (a comma list of FaceAnalysis
 * module names; "" = all) lets MODULE run. */
static int module_allowed(const char *modules, const char *module)
{
    if (!*modules)
        return 1;
    const size_t n = strlen(module);
    for (const char *p = modules; (p = strstr(p, module)) != NULL; p += n) {
        const int starts = p == modules || p[-1] == ',' || p[-1] == ' ';
        const int ends = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

/* The landmark model of an InsightFace pack folder that the allowed
 * modules let run (1k3d68, what the original exported, else 2d106det)
 * into OUT; 0 when none. */
static int pack_landmarks(const char *folder, const char *modules, char *out, size_t size)
{
    static const struct {
        const char *module, *file;
    } models[] = {{"landmark_3d_68", "1k3d68.onnx"}, {"landmark_2d_106", "2d106det.onnx"}};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        const int n = snprintf(out, size, "%s/%s", folder, models[i].file);
        if (module_allowed(modules, models[i].module) && n > 0 && (size_t)n < size &&
            access(out, R_OK) == 0)
            return 1;
    }
    out[0] = '\0';
    return 0;
}

/* The model FILE (or its openseeface_-prefixed name, as a shared models
 * folder holds it) in DIR, else on the model search path when DIR is "",
 * into OUT; 0 when neither is there (OUT: the path asked for). */
static int openseeface_file(const char *dir, const char *file, char *out, size_t size)
{
    char prefixed[128];
    snprintf(prefixed, sizeof prefixed, "openseeface_%s", file);
    const char *names[2] = {file, prefixed};
    for (int i = 0; i < 2; i++) {
        if (!*dir && ft_model_find(names[i], out, size) == FT_OK)
            return 1;
        if (*dir) {
            int n = snprintf(out, size, "%s/%s", dir, names[i]);
            if (n > 0 && (size_t)n < size && access(out, R_OK) == 0)
                return 1;
        }
    }
    if (*dir)
        snprintf(out, size, "%s/%s", dir, file);
    else
        snprintf(out, size, "%s", file);
    return 0;
}

/* OpenSeeFace's models, as the original picks them: a path variable wins;
 * else the file in STEP5_OPENSEEFACE_MODELS_DIR (the landmark model
 * lm_model{STEP5_OPENSEEFACE_MODEL_ID}_opt.onnx); else, when the id is
 * given, that model on the model search path; else the engine's defaults
 * (landmarks: model 1, else 0, 2, 3, 4). A file the settings name but that
 * is not there is an error naming it. */
static ft_status resolve_openseeface_models(ft_track_config *c, const char *const *from,
                                            char *err, size_t err_size)
{
    const char *dir = c->osf_models_dir;
    if (c->osf_detector[0]) {
        snprintf(c->detector_model, sizeof c->detector_model, "%s", c->osf_detector);
    } else if (*dir && !openseeface_file(dir, "mnv3_detection_opt.onnx", c->detector_model,
                                         sizeof c->detector_model)) {
        if (err && err_size)
            snprintf(err, err_size, "%s not found (STEP5_OPENSEEFACE_MODELS_DIR)",
                     c->detector_model);
        return FT_ERR_NOT_FOUND;
    }
    char file[64];
    snprintf(file, sizeof file, "lm_model%d_opt.onnx", c->osf_model_id);
    if (c->osf_landmarks[0]) {
        snprintf(c->landmark_model, sizeof c->landmark_model, "%s", c->osf_landmarks);
    } else if ((*dir || given("STEP5_OPENSEEFACE_MODEL_ID", from)) &&
               !openseeface_file(dir, file, c->landmark_model, sizeof c->landmark_model)) {
        if (err && err_size)
            snprintf(err, err_size, "%s not found %s STEP5_OPENSEEFACE_MODEL_ID=%d)",
                     c->landmark_model,
                     *dir ? "(STEP5_OPENSEEFACE_MODELS_DIR," : "on the model search path (with",
                     c->osf_model_id);
        return FT_ERR_NOT_FOUND;
    }
    return FT_OK;
}

/* openseeface's settings from its own variables with the original's
 * fallbacks: max width, else STEP5_YUNET_MAX_WIDTH, else 640; at most
 * STEP5_OPENSEEFACE_MAX_FACES faces (1) unless --max-faces says otherwise;
 * its detection threshold (0.6) and jawOpen scale. The detector runs
 * every STEP5_OPENSEEFACE_DETECT_EVERY_N frames to find faces that enter
 * while fewer than the maximum are followed (landmarks follow each face
 * every frame). */
static ft_status resolve_openseeface(ft_track_config *c, const char *const *from, char *err,
                                     size_t err_size)
{
    c->engine_max_width = c->osf_max_width > 0 ? c->osf_max_width : c->yunet_max_width;
    const setting *faces = find_setting("STEP5_MEDIAPIPE_MAX_FACES");
    if (given("STEP5_OPENSEEFACE_MAX_FACES", from) || from[faces - settings] != from_cli)
        c->max_faces = c->osf_max_faces;
    const setting *conf = find_setting("min-detection-confidence");
    if (given("STEP5_OPENSEEFACE_DETECTION_THRESHOLD", from) || from[conf - settings] != from_cli)
        c->min_detection_confidence = c->osf_threshold;
    if (c->osf_every > 0)
        c->detect_every = c->osf_every;
    c->jawopen_scale = c->osf_jawopen_scale;
    return resolve_openseeface_models(c, from, err, err_size);
}

/* What the engine in use gets: its model, throttle, downscale width, input
 * size and face cap, from its own variables with the original's fallbacks. */
static ft_status resolve_detection_engine(ft_track_config *c, const layers *l,
                                          const char *const *from, const char *const *text,
                                          char *err, size_t err_size)
{
    c->detector_model[0] = '\0';
    c->landmark_model[0] = '\0';
    c->landmarks_off = 0;
    c->detect_every_n = 1;
    c->engine_max_width = 0;
    c->detector_size = 0;
    const int every_given = given("detect-every", from);
    const int pyfeat = strcmp(c->engine, "opencv_yunet_pyfeat") == 0;
    if (strcmp(c->engine, "opencv_yunet") == 0 || pyfeat) {
        snprintf(c->detector_model, sizeof c->detector_model, "%s", c->yunet_model);
        if (pyfeat) /* its jawOpen scale replaces MediaPipe's */
            c->jawopen_scale = c->opencv_jawopen_scale;
        c->engine_max_width = c->yunet_max_width;
        if (c->opencv_max_faces > 0)
            c->max_faces = c->opencv_max_faces;
        /* the original's YuNet detects every frame */
        c->detect_every_n = every_given ? c->detect_every : 1;
    } else if (strcmp(c->engine, "opencv_haar") == 0) {
        snprintf(c->detector_model, sizeof c->detector_model, "%s", c->haar_cascade);
        if (c->opencv_max_faces > 0)
            c->max_faces = c->opencv_max_faces;
        /* the original's Haar engine detects every frame */
        c->detect_every_n = every_given ? c->detect_every : 1;
    } else if (strcmp(c->engine, "insightface") == 0) {
        if (c->insightface_det_size % 32 != 0) {
            const setting *s = find_setting("STEP5_INSIGHTFACE_DET_SIZE");
            const char *why = "must be a multiple of 32 (the detector's coarsest stride)";
            if (l->lenient && from[s - settings] != from_cli) {
                char line[1024];
                report(line, sizeof line, s, from[s - settings], text[s - settings], why);
                ft_log(FT_LOG_WARN, "%s; using the default %s", line, s->def);
                c->insightface_det_size = atoi(s->def);
            } else {
                report(err, err_size, s, from[s - settings], text[s - settings], why);
                return FT_ERR_INVALID_ARG;
            }
        }
        c->detector_size = c->insightface_det_size;
        /* STEP5_INSIGHTFACE_MAX_WIDTH, else STEP5_YUNET_MAX_WIDTH when set, else 1280 */
        c->engine_max_width = c->insightface_max_width > 0          ? c->insightface_max_width
                              : given("STEP5_YUNET_MAX_WIDTH", from) ? c->yunet_max_width
                                                                     : 1280;
        if (c->insightface_max_faces > 0)
            c->max_faces = c->insightface_max_faces;
        /* STEP5_INSIGHTFACE_DETECT_EVERY_N, else STEP5_BLENDSHAPES_THROTTLE_N */
        c->detect_every_n = c->insightface_every > 0 ? c->insightface_every
                            : every_given            ? c->detect_every
                                                     : c->blendshapes_every;
        c->jawopen_scale = c->insightface_jawopen_scale;
        c->landmarks_off = !module_allowed(c->insightface_modules, "landmark_3d_68") &&
                           !module_allowed(c->insightface_modules, "landmark_2d_106");
        if (c->insightface_model[0]) {
            snprintf(c->detector_model, sizeof c->detector_model, "%s", c->insightface_model);
        } else {
            char folder[2200];
            const char *home = getenv("HOME");
            if (c->insightface_home[0])
                snprintf(folder, sizeof folder, "%s/models/%s", c->insightface_home,
                         c->insightface_pack);
            else
                snprintf(folder, sizeof folder, "%s/.insightface/models/%s", home ? home : "",
                         c->insightface_pack);
            if (pack_detector(folder, c->detector_model, sizeof c->detector_model)) {
                if (!c->landmarks_off)
                    pack_landmarks(folder, c->insightface_modules, c->landmark_model,
                                   sizeof c->landmark_model);
            } else if (given("INSIGHTFACE_HOME", from) ||
                       given("STEP5_INSIGHTFACE_MODEL_NAME", from)) {
                if (err && err_size)
                    snprintf(err, err_size,
                             "%s: no SCRFD detector in this InsightFace model folder "
                             "(INSIGHTFACE_HOME/models/STEP5_INSIGHTFACE_MODEL_NAME)",
                             folder);
                return FT_ERR_NOT_FOUND;
            }
        }
    } else if (strcmp(c->engine, "eos") == 0) {
        /* the original's eos: YuNet's model and width inside, the fit in
         * frames of STEP5_EOS_MAX_WIDTH; STEP5_EOS_MAX_FACES, else
         * STEP5_OPENCV_MAX_FACES; a fit every STEP5_EOS_FIT_EVERY_N frames,
         * else STEP5_BLENDSHAPES_THROTTLE_N, the faces repeated between */
        snprintf(c->detector_model, sizeof c->detector_model, "%s", c->yunet_model);
        c->engine_max_width = c->eos_max_width;
        if (c->eos_max_faces > 0)
            c->max_faces = c->eos_max_faces;
        else if (c->opencv_max_faces > 0)
            c->max_faces = c->opencv_max_faces;
        c->detect_every_n = c->eos_every > 0 ? c->eos_every
                            : every_given    ? c->detect_every
                                             : c->blendshapes_every;
        c->jawopen_scale = c->eos_jawopen_scale;
    } else if (strcmp(c->engine, "openseeface") == 0) {
        ft_status st = resolve_openseeface(c, from, err, err_size);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}

/* The .env file to read: NAME, else $FACETRACK_ENV_FILE, else ./.env; a
 * folder stands for its .env. *EXPLICIT: named, so it must exist. */
static const char *env_file_path(const char *name, char *buf, size_t size, int *explicit_)
{
    if (!name || !*name)
        name = getenv("FACETRACK_ENV_FILE");
    *explicit_ = name && *name;
    if (!*explicit_)
        return ".env";
    struct stat st;
    if (stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
        const size_t len = strlen(name);
        snprintf(buf, size, "%s%s.env", name, len && name[len - 1] == '/' ? "" : "/");
        return buf;
    }
    return name;
}

static ft_status resolve(ft_track_config *cfg, const ft_config_value *cli, size_t n,
                         const char *env_file, int lenient, char *err, size_t err_size)
{
    if (err && err_size > 0)
        err[0] = '\0';
    if (!cfg || (!cli && n > 0))
        return FT_ERR_INVALID_ARG;
    ft_status st = check_cli(cli, n, err, err_size);
    if (st != FT_OK)
        return st;

    ft_dotenv dotenv = {0};
    char env_buf[4200];
    int env_named = env_file != NULL;
    if (lenient)
        env_file = env_file_path(env_file, env_buf, sizeof env_buf, &env_named);
    else if (!env_file)
        env_file = ".env";
    st = ft_dotenv_load(env_file, &dotenv, err, err_size);
    if (st == FT_ERR_NOT_FOUND && !env_named) {
        st = FT_OK; /* ./.env is optional */
        if (err && err_size > 0)
            err[0] = '\0';
    }
    if (st != FT_OK)
        return st;

    layers l = {cli, n, &dotenv, env_file, "", lenient};
    const setting *workers = find_setting("TRACKING_CPU_WORKERS");
    int cpus = ft_cpu_count();
    snprintf(l.cpus, sizeof l.cpus, "%d", cpus < workers->max ? cpus : workers->max);

    /* Filled aside, so that CFG changes only on success. */
    ft_track_config c;
    memset(&c, 0, sizeof c);
    const char *from[SETTING_COUNT], *text[SETTING_COUNT];
    for (size_t i = 0; i < SETTING_COUNT && st == FT_OK; i++)
        st = resolve_one(&settings[i], &l, &c, &from[i], &text[i], err, err_size);

    if (st == FT_OK && c.blendshape_profile == FT_BLENDSHAPES_CUSTOM && c.export_key_count == 0) {
        const setting *profile = find_setting("STEP5_BLENDSHAPES_PROFILE");
        size_t i = (size_t)(profile - settings);
        const char *why = "needs STEP5_BLENDSHAPES_EXPORT_KEYS (comma-separated blendshape names)";
        if (lenient && from[i] != from_cli) {
            char line[1024];
            report(line, sizeof line, profile, from[i], text[i], why);
            ft_log(FT_LOG_WARN, "%s; using the default %s", line, profile->def);
            c.blendshape_profile = FT_BLENDSHAPES_FULL;
        } else {
            report(err, err_size, profile, from[i], text[i], why);
            st = FT_ERR_INVALID_ARG;
        }
    }
    if (st == FT_OK)
        st = resolve_detection_engine(&c, &l, from, text, err, err_size);
    if (st == FT_OK && lenient)
        warn_ignored(&c, &l);
    if (st == FT_OK)
        *cfg = c;
    ft_dotenv_free(&dotenv);
    return st;
}

ft_status ft_track_config_resolve(ft_track_config *cfg, const ft_config_value *cli, size_t n,
                                  const char *env_file, char *err, size_t err_size)
{
    return resolve(cfg, cli, n, env_file, 0, err, err_size);
}

ft_status ft_track_config_resolve_run(ft_track_config *cfg, const ft_config_value *cli, size_t n,
                                      const char *env_file, char *err, size_t err_size)
{
    return resolve(cfg, cli, n, env_file, 1, err, err_size);
}

int ft_track_config_known(size_t i, const char **name, const char **def, const char **ignored_why)
{
    for (size_t k = 0; k < SETTING_COUNT; k++) {
        if (!settings[k].env)
            continue;
        if (i-- == 0) {
            *name = settings[k].name;
            *def = settings[k].def;
            *ignored_why = NULL;
            return 1;
        }
    }
    for (size_t k = 0; k < IGNORED_COUNT; k++) {
        const ignored_setting *g = &ignored_settings[k];
        if (g->engine || find_setting(g->name))
            continue; /* honoured (by most engines): listed above */
        if (i-- == 0) {
            *name = g->name;
            *def = g->def;
            *ignored_why = g->why;
            return 1;
        }
    }
    return 0;
}

/* The original worker scripts' flags (process_video_worker*.py), which its
 * manager passed and users' scripts may still pass. */
typedef struct original_flag {
    const char *flag, *setting;
    int takes_value;
    const char *why; /* not acted upon: why */
} original_flag;

#define TRACKER_DIFFERS                                                                    \
    "faces are followed by their landmark regions, not matched by centroid distance; a "   \
    "lost face keeps its ID for 25 frames"

static const original_flag original_flags[] = {
    {"--mp_landmarker_num_faces", "STEP5_MEDIAPIPE_MAX_FACES", 1, NULL},
    {"--mp_landmarker_min_face_detection_confidence", "min-detection-confidence", 1, NULL},
    {"--mp_landmarker_min_face_presence_confidence", "min-presence-confidence", 1, NULL},
    {"--mp_landmarker_min_tracking_confidence", "min-tracking-confidence", 1, NULL},
    {"--mp_num_workers_internal", "TRACKING_CPU_WORKERS", 1, NULL},
    {"--use_gpu", "STEP5_ENABLE_GPU", 0, NULL},
    {"--mp_landmarker_output_blendshapes", NULL, 0, NULL}, /* always on */
    {"--speaking_detection_enabled", NULL, 0, NULL},       /* always on */
    {"--models_dir", NULL, 1,
     "models are found on the model search path: FACETRACK_MODEL_PATH, `facetrack models list`"},
    {"--mp_max_distance_tracking", NULL, 1, TRACKER_DIFFERS},
    {"--mp_frames_unseen_deregister", NULL, 1, TRACKER_DIFFERS},
    {"--speaking_detection_jaw_open_threshold", NULL, 1,
     "the speaking detection uses the original's 0.08"},
    {"--enable_object_detection", "STEP5_ENABLE_OBJECT_DETECTION", 0, NULL},
    {"--object_score_threshold", "object-threshold", 1, NULL},
    {"--object_max_results", "object-max-results", 1, NULL},
    {"--object_detector_model", "STEP5_OBJECT_DETECTOR_MODEL", 1, NULL},
    {"--object_detector_model_path", "STEP5_OBJECT_DETECTOR_MODEL_PATH", 1, NULL},
    {"--chunk_min", NULL, 1, "frame ranges are planned per video (--chunk-frames)"},
    {"--chunk_max", NULL, 1, "frame ranges are planned per video (--chunk-frames)"},
};

int ft_track_original_flag(const char *flag, const char **setting_name, int *takes_value,
                           const char **ignored_why)
{
    for (size_t i = 0; i < sizeof original_flags / sizeof original_flags[0]; i++)
        if (strcmp(original_flags[i].flag, flag) == 0) {
            *setting_name = original_flags[i].setting;
            *takes_value = original_flags[i].takes_value;
            *ignored_why = original_flags[i].why;
            return 1;
        }
    return 0;
}

void ft_track_config_face_options(const ft_track_config *c, ft_face_options *fo)
{
    ft_face_options_init(fo);
    fo->engine = c->engine;
    fo->landmark_model = c->landmarks_off ? "" : c->landmark_model[0] ? c->landmark_model : NULL;
    fo->num_faces = c->max_faces;
    fo->min_detection_confidence = c->min_detection_confidence;
    fo->min_presence_confidence = c->min_presence_confidence;
    fo->min_tracking_confidence = c->min_tracking_confidence;
    fo->detect_interval = c->detect_every;
    fo->blendshape_interval = c->blendshapes_every;
    fo->detector_model = c->detector_model[0] ? c->detector_model : NULL;
    fo->detect_every_n = c->detect_every_n;
    fo->max_width = c->engine_max_width;
    fo->detector_size = c->detector_size;
    fo->eos_models_dir = c->eos_models_dir[0] ? c->eos_models_dir : NULL;
    fo->eos_shape_model = c->eos_shape[0] ? c->eos_shape : NULL;
    fo->eos_expression_model = c->eos_expressions[0] ? c->eos_expressions : NULL;
    fo->eos_landmark_mapper = c->eos_mapper[0] ? c->eos_mapper : NULL;
    fo->eos_edge_topology = c->eos_edges[0] ? c->eos_edges : NULL;
    fo->eos_model_contour = c->eos_contour[0] ? c->eos_contour : NULL;
    fo->eos_contour_landmarks = c->eos_contour_landmarks[0] ? c->eos_contour_landmarks : NULL;
    if (c->blendshape_profile == FT_BLENDSHAPES_NONE)
        fo->blendshape_model = ""; /* not exported: not computed */
}
