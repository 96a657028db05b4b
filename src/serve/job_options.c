/* Job options (see job_options.h). */
#include "serve/job_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/job_store.h"
#include "track/track_config.h"

typedef enum { KIND_INT, KIND_BOOL, KIND_ENGINE, KIND_CHOICE } option_kind;

typedef struct option_spec {
    const char *key;
    option_kind kind;
    int steps;           /* ft_job_step bits it applies to */
    const char *flag;
    int min, max;        /* KIND_INT */
    const char *choices; /* KIND_CHOICE: "a|b" */
} option_spec;

static const option_spec specs[] = {
    {"engine", KIND_ENGINE, FT_STEP_TRACK, "--engine", 0, 0, NULL},
    {"max_faces", KIND_INT, FT_STEP_TRACK, "--max-faces", 1, 64, NULL},
    {"detect_every", KIND_INT, FT_STEP_TRACK, "--detect-every", 1, 1000, NULL},
    {"blendshapes_every", KIND_INT, FT_STEP_TRACK, "--blendshapes-every", 1, 1000, NULL},
    {"format", KIND_CHOICE, FT_STEP_TRACK, "--format", 0, 0, "raw|reduced"},
    {"verbose_fields", KIND_BOOL, FT_STEP_TRACK, "--verbose-fields", 0, 0, NULL},
    {"gpu", KIND_BOOL, FT_STEP_TRACK, "--gpu", 0, 0, NULL},
    {"scene_detector", KIND_CHOICE, FT_STEP_SCENES, "--detector", 0, 0, "content|transnetv2"},
    {"workers", KIND_INT, FT_STEP_SCENES | FT_STEP_TRACK, "--workers", 1, 1024, NULL},
    {"force", KIND_BOOL, FT_STEP_SCENES | FT_STEP_TRACK, "--force", 0, 0, NULL},
};
#define SPEC_COUNT (sizeof specs / sizeof *specs)

static const option_spec *find_spec(const char *key)
{
    for (size_t i = 0; i < SPEC_COUNT; i++)
        if (strcmp(specs[i].key, key) == 0)
            return &specs[i];
    return NULL;
}

static int is_choice(const char *choices, const char *value)
{
    const size_t n = strlen(value);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        const size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (n && len == n && strncmp(p, value, n) == 0)
            return 1;
        p += len + (bar != NULL);
    }
    return 0;
}

/* Whether VALUE suits SPEC; ERR says why not. */
static int value_ok(const option_spec *spec, json_object *value, char *err, size_t err_size)
{
    switch (spec->kind) {
    case KIND_INT: {
        const int64_t v = json_object_get_int64(value);
        if (json_object_is_type(value, json_type_int) && v >= spec->min && v <= spec->max)
            return 1;
        snprintf(err, err_size, "option '%s' must be an integer from %d to %d", spec->key,
                 spec->min, spec->max);
        return 0;
    }
    case KIND_BOOL:
        if (json_object_is_type(value, json_type_boolean))
            return 1;
        snprintf(err, err_size, "option '%s' must be true or false", spec->key);
        return 0;
    case KIND_ENGINE:
        if (json_object_is_type(value, json_type_string) &&
            ft_engine_find(json_object_get_string(value))) {
            char why[256];
            if (ft_engine_available(ft_engine_find(json_object_get_string(value)), why, sizeof why))
                return 1;
            snprintf(err, err_size, "engine '%s' is not available: %s",
                     json_object_get_string(value), why);
            return 0;
        }
        snprintf(err, err_size, "option 'engine' must name a tracking engine (see /api/engines)");
        return 0;
    case KIND_CHOICE:
        if (json_object_is_type(value, json_type_string) &&
            is_choice(spec->choices, json_object_get_string(value)))
            return 1;
        snprintf(err, err_size, "option '%s' must be one of %s", spec->key, spec->choices);
        return 0;
    }
    return 0;
}

ft_status ft_job_options_check(json_object *options, char **out, char *err, size_t err_size)
{
    *out = NULL;
    if (options && !json_object_is_type(options, json_type_object)) {
        snprintf(err, err_size, "'options' must be an object");
        return FT_ERR_INVALID_ARG;
    }
    json_object *normalised = json_object_new_object();
    if (!normalised)
        return FT_ERR_NOMEM;
    if (options) {
        json_object_object_foreach(options, key, value) {
            const option_spec *spec = find_spec(key);
            if (!spec) {
                snprintf(err, err_size, "unknown option '%.64s'", key);
                json_object_put(normalised);
                return FT_ERR_INVALID_ARG;
            }
            if (!value_ok(spec, value, err, err_size)) {
                json_object_put(normalised);
                return FT_ERR_INVALID_ARG;
            }
            json_object_object_add(normalised, key, json_object_get(value));
        }
    }
    const char *text = json_object_to_json_string_ext(normalised, JSON_C_TO_STRING_PLAIN);
    *out = text ? strdup(text) : NULL;
    json_object_put(normalised);
    return *out ? FT_OK : FT_ERR_NOMEM;
}

int ft_job_options_flags(const char *options_json, int step, char **argv, int max)
{
    json_object *options = json_tokener_parse(options_json);
    if (!options || !json_object_is_type(options, json_type_object)) {
        json_object_put(options);
        return -1;
    }
    int n = 0;
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        json_object *value;
        if (!(specs[i].steps & step) || !json_object_object_get_ex(options, specs[i].key, &value))
            continue;
        const int is_flag = specs[i].kind == KIND_BOOL;
        if (is_flag && !json_object_get_boolean(value))
            continue;
        if (n + 2 > max)
            break;
        argv[n++] = strdup(specs[i].flag);
        if (!is_flag)
            argv[n++] = strdup(json_object_get_string(value));
    }
    json_object_put(options);
    return n;
}
