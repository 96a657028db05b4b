/* The original STEP3's settings (see step3_config.h). */
#include "scenes/step3_config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_writer.h"
#include "track/json_value.h"

typedef enum kind { REAL, INTEGER, BOOLEAN, DEVICE, DTYPE } kind;

/* One setting: its JSON key (the option is --KEY), what it holds, the range
 * facetrack honours (lo == hi: only that value) and where it lives. */
typedef struct setting {
    const char *key;
    kind kind;
    double lo, hi;
    size_t offset;
    unsigned given;
    const char *why; /* for a value outside lo..hi */
} setting;

#define AT(field) offsetof(ft_step3_config, field)
static const setting settings[] = {
    {"threshold", REAL, 0, 1, AT(threshold), FT_STEP3_GIVEN_THRESHOLD, "a probability, 0 to 1"},
    {"window", INTEGER, 100, 100, AT(window), 0,
     "facetrack runs TransNetV2 on the windows its weights were made for: 100 frames"},
    {"stride", INTEGER, 50, 50, AT(stride), 0,
     "facetrack runs TransNetV2 on the windows its weights were made for: a stride of 50"},
    {"padding", INTEGER, 25, 25, AT(padding), 0,
     "facetrack runs TransNetV2 on the windows its weights were made for: 25 frames of context"},
    {"device", DEVICE, 0, 0, AT(device), 0, "auto, cpu or cuda"},
    {"ffmpeg_threads", INTEGER, 0, 256, AT(ffmpeg_threads), FT_STEP3_GIVEN_FFMPEG_THREADS,
     "0 (automatic) to 256"},
    {"mixed_precision", BOOLEAN, 0, 1, AT(mixed_precision), 0, NULL},
    {"amp_dtype", DTYPE, 0, 0, AT(amp_dtype), 0, "float16 or bfloat16"},
    {"num_workers", INTEGER, 1, 256, AT(num_workers), FT_STEP3_GIVEN_NUM_WORKERS, "1 to 256"},
    {"batch_size", INTEGER, 1, 4096, AT(batch_size), 0, "1 to 4096"},
    {"torchscript", BOOLEAN, 0, 1, AT(torchscript), 0, NULL},
    {"warmup", BOOLEAN, 0, 1, AT(warmup), 0, NULL},
    {"warmup_batches", INTEGER, 0, 4096, AT(warmup_batches), 0, "0 to 4096"},
    {"torchscript_auto_fallback", BOOLEAN, 0, 1, AT(torchscript_auto_fallback), 0, NULL},
};
#define SETTINGS (sizeof settings / sizeof *settings)

void ft_step3_config_init(ft_step3_config *c)
{
    *c = (ft_step3_config){.threshold = 0.5, .window = 100, .stride = 50, .padding = 25,
                           .device = "auto", .num_workers = 1, .batch_size = 16,
                           .amp_dtype = "float16", .warmup = 1, .warmup_batches = 1,
                           .torchscript_auto_fallback = 1};
}

static const setting *find(const char *key)
{
    for (size_t i = 0; i < SETTINGS; i++)
        if (strcmp(settings[i].key, key) == 0)
            return &settings[i];
    return NULL;
}

int ft_step3_config_key(const char *name, char *key, size_t key_size)
{
    size_t n = strlen(name);
    if (n + 1 > key_size)
        return 0;
    for (size_t i = 0; i <= n; i++)
        key[i] = name[i] == '-' ? '_' : name[i];
    return find(key) != NULL;
}

int ft_step3_config_is_flag(const char *key)
{
    const setting *s = find(key);
    return s && s->kind == BOOLEAN;
}

/* Stores V into S's field when it is a value facetrack honours; else says
 * why into WHY. TEXT is V's text, for the strings. */
static int store(ft_step3_config *c, const setting *s, double v, const char *text, char *why,
                 size_t why_size)
{
    char *field = (char *)c + s->offset;
    switch (s->kind) {
    case DEVICE:
        if (strcmp(text, "auto") && strcmp(text, "cpu") && strcmp(text, "cuda")) {
            snprintf(why, why_size, "'%s' is not %s", text, s->why);
            return 0;
        }
        snprintf(field, sizeof c->device, "%s", text);
        break;
    case DTYPE:
        if (strcmp(text, "float16") && strcmp(text, "bfloat16")) {
            snprintf(why, why_size, "'%s' is not %s", text, s->why);
            return 0;
        }
        snprintf(field, sizeof c->amp_dtype, "%s", text);
        break;
    case REAL:
    case INTEGER:
    case BOOLEAN:
        if (!(v >= s->lo && v <= s->hi)) {
            snprintf(why, why_size, "%s is not supported (%s)", text, s->why);
            return 0;
        }
        if (s->kind == REAL)
            memcpy(field, &v, sizeof v);
        else {
            const int i = (int)v;
            memcpy(field, &i, sizeof i);
        }
        break;
    }
    c->given |= s->given;
    return 1;
}

/* A whole number in TEXT (Python's int() of a command-line value). */
static int parse_integer(const char *text, double *out)
{
    char *end;
    errno = 0;
    const long long v = strtoll(text, &end, 10);
    if (end == text || *end || errno)
        return 0;
    *out = (double)v;
    return 1;
}

ft_status ft_step3_config_set(ft_step3_config *c, const char *key, const char *text, char *err,
                              size_t err_size)
{
    const setting *s = find(key);
    if (!s) {
        snprintf(err, err_size, "--%s: not a STEP3 setting", key);
        return FT_ERR_INVALID_ARG;
    }
    double v = 1; /* a flag sets its setting */
    char why[256] = "";
    int ok = 1;
    if (s->kind == REAL) {
        char *end;
        errno = 0;
        v = text ? strtod(text, &end) : 0;
        ok = text && end != text && !*end && !errno;
        if (!ok)
            snprintf(why, sizeof why, "needs a number (%s)", s->why);
    } else if (s->kind == INTEGER) {
        ok = text && parse_integer(text, &v);
        if (!ok)
            snprintf(why, sizeof why, "needs an integer (%s)", s->why);
    } else if (s->kind != BOOLEAN && !text) {
        ok = 0;
        snprintf(why, sizeof why, "needs a value (%s)", s->why);
    }
    if (ok)
        ok = store(c, s, v, text ? text : "1", why, sizeof why);
    if (!ok) {
        snprintf(err, err_size, "--%s: %s", key, why);
        return FT_ERR_INVALID_ARG;
    }
    return FT_OK;
}

/* V as the original read it for S: float(), int(), bool() or the string;
 * its text into TEXT. 0 (and why) when Python would have raised. */
static int convert(const setting *s, json_object *v, double *out, char *text, size_t text_size,
                   char *why, size_t why_size)
{
    const char *shown = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    snprintf(text, text_size, "%s", shown);
    int64_t i;
    switch (s->kind) {
    case REAL:
        if (!ft_py_float(v, out)) {
            snprintf(why, why_size, "%s is not a number", shown);
            return 0;
        }
        return 1;
    case INTEGER:
        if (!ft_py_int(v, &i)) {
            snprintf(why, why_size, "%s is not an integer", shown);
            return 0;
        }
        *out = (double)i;
        snprintf(text, text_size, "%lld", (long long)i);
        return 1;
    case BOOLEAN:
        *out = ft_py_truthy(v);
        return 1;
    case DEVICE:
    case DTYPE:
        if (!json_object_is_type(v, json_type_string)) {
            snprintf(why, why_size, "%s is not %s", shown, s->why);
            return 0;
        }
        snprintf(text, text_size, "%s", json_object_get_string(v));
        return 1;
    }
    return 0;
}

ft_status ft_step3_config_read_json(ft_step3_config *c, const char *path, const char *data,
                                    size_t size, char *err, size_t err_size)
{
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        snprintf(err, err_size, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    json_object *root = json_tokener_parse_ex(tok, data, (int)(size < 0x7fffffff ? size : 0x7fffffff));
    const enum json_tokener_error jerr = json_tokener_get_error(tok);
    const size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    int trailing = 0;
    for (size_t k = used; root && k < size; k++)
        trailing |= !strchr(" \t\r\n", data[k]);
    if (!root || jerr != json_tokener_success || trailing) {
        snprintf(err, err_size, "%s: not valid JSON (%s)", path,
                 root && !trailing ? "truncated"
                 : trailing        ? "text after the object"
                                   : json_tokener_error_desc(jerr));
        json_object_put(root);
        return FT_ERR_FORMAT;
    }
    if (!json_object_is_type(root, json_type_object)) {
        snprintf(err, err_size, "%s: not a JSON object of settings", path);
        json_object_put(root);
        return FT_ERR_FORMAT;
    }
    char unknown[512] = "";
    json_object_object_foreach(root, key, value) {
        const setting *s = find(key);
        if (!s) {
            const size_t n = strlen(unknown);
            snprintf(unknown + n, sizeof unknown - n, "%s%s", n ? ", " : "", key);
            continue;
        }
        if (!value)
            continue; /* null: the original kept the default */
        double v = 0;
        char text[128], why[256];
        if (!convert(s, value, &v, text, sizeof text, why, sizeof why) ||
            !store(c, s, v, text, why, sizeof why))
            ft_log(FT_LOG_WARN, "%s: %s: %s; ignored", path, key, why);
    }
    if (unknown[0])
        ft_log(FT_LOG_WARN, "%s: ignored: %s (not settings of STEP3)", path, unknown);
    json_object_put(root);
    return FT_OK;
}

static const char *python_bool(int v)
{
    return v ? "True" : "False";
}

void ft_step3_config_describe(const ft_step3_config *c, char *out, size_t size)
{
    char threshold[32];
    ft_format_double_repr(threshold, sizeof threshold, c->threshold);
    snprintf(out, size,
             "threshold=%s, window=%d, stride=%d, padding=%d, device=%s, ffmpeg_threads=%d, "
             "mixed_precision=%s, amp_dtype=%s, num_workers=%d, batch_size=%d, torchscript=%s, "
             "warmup=%s, warmup_batches=%d, torchscript_auto_fallback=%s",
             threshold, c->window, c->stride, c->padding, c->device, c->ffmpeg_threads,
             python_bool(c->mixed_precision), c->amp_dtype, c->num_workers, c->batch_size,
             python_bool(c->torchscript), python_bool(c->warmup), c->warmup_batches,
             python_bool(c->torchscript_auto_fallback));
}

void ft_step3_config_describe_noops(const ft_step3_config *c, char *out, size_t size)
{
    snprintf(out, size,
             "mixed_precision=%s, amp_dtype=%s, batch_size=%d, torchscript=%s, warmup=%s, "
             "warmup_batches=%d, torchscript_auto_fallback=%s",
             python_bool(c->mixed_precision), c->amp_dtype, c->batch_size,
             python_bool(c->torchscript), python_bool(c->warmup), c->warmup_batches,
             python_bool(c->torchscript_auto_fallback));
}
