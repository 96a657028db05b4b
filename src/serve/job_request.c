/* The job body parser (see job_request.h). */
#include "serve/job_request.h"

#include <ctype.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/job_options.h"
#include "serve/job_store.h"

/* The request body as one JSON object, or NULL (ERR says why). */
static json_object *parse_body(const char *body, size_t size, char *err, size_t err_size)
{
    if (!body || size == 0) {
        snprintf(err, err_size, "the request needs a JSON body");
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    json_object *doc = tok ? json_tokener_parse_ex(tok, body, (int)size) : NULL;
    size_t used = tok ? json_tokener_get_parse_end(tok) : 0;
    while (used < size && isspace((unsigned char)body[used]))
        used++;
    if (!doc || used != size) {
        snprintf(err, err_size, "the body is not valid JSON%s%s", tok && !doc ? ": " : "",
                 tok && !doc ? json_tokener_error_desc(json_tokener_get_error(tok)) : "");
        json_object_put(doc);
        doc = NULL;
    } else if (!json_object_is_type(doc, json_type_object)) {
        snprintf(err, err_size, "the body must be a JSON object");
        json_object_put(doc);
        doc = NULL;
    }
    if (tok)
        json_tokener_free(tok);
    return doc;
}

static int parse_steps(json_object *steps, char *err, size_t err_size)
{
    int bits = 0;
    const size_t n = json_object_is_type(steps, json_type_array) ? json_object_array_length(steps) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(steps, i));
        int step = 0;
        for (int s = FT_STEP_SCENES; s <= FT_STEP_TRACK && name; s <<= 1)
            if (strcmp(name, ft_job_step_name(s)) == 0)
                step = s;
        if (!step || !json_object_is_type(json_object_array_get_idx(steps, i), json_type_string)) {
            snprintf(err, err_size, "steps are \"scenes\" and \"track\"");
            return 0;
        }
        bits |= step;
    }
    if (!bits)
        snprintf(err, err_size, "'steps' must list \"scenes\", \"track\" or both");
    return bits;
}

/* One input {"root": N, "path": "..."} into *OUT; 0 when malformed. */
static int parse_input(json_object *input, ft_job_input *out)
{
    json_object *root_value, *path_value;
    if (!json_object_is_type(input, json_type_object) ||
        !json_object_object_get_ex(input, "root", &root_value) ||
        !json_object_is_type(root_value, json_type_int) ||
        !json_object_object_get_ex(input, "path", &path_value) ||
        !json_object_is_type(path_value, json_type_string))
        return 0;
    const int64_t root = json_object_get_int64(root_value);
    const char *path = json_object_get_string(path_value);
    /* A NUL inside ("\u0000") would name another file than the one asked. */
    if (root < 0 || root > INT_MAX || strlen(path) != (size_t)json_object_get_string_len(path_value))
        return 0;
    out->root = (int)root;
    out->path = strdup(path);
    return 1;
}

void ft_job_request_free(ft_job_request *request)
{
    for (size_t i = 0; i < request->input_count; i++)
        free(request->inputs[i].path);
    free(request->inputs);
    free(request->options);
    memset(request, 0, sizeof *request);
}

ft_status ft_job_request_parse(const char *body, size_t size, ft_job_request *out, char *err,
                               size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (size > INT_MAX) {
        snprintf(err, err_size, "the body is too large");
        return FT_ERR_INVALID_ARG;
    }
    json_object *doc = parse_body(body, size, err, err_size);
    if (!doc)
        return FT_ERR_INVALID_ARG;
    ft_status st = FT_OK;
    json_object_object_foreach(doc, key, value) {
        (void)value;
        if (st == FT_OK && strcmp(key, "inputs") != 0 && strcmp(key, "steps") != 0 &&
            strcmp(key, "options") != 0) {
            snprintf(err, err_size, "unknown field '%.64s' (a job has inputs, steps, options)", key);
            st = FT_ERR_INVALID_ARG;
        }
    }
    json_object *inputs = NULL, *steps = NULL, *options = NULL;
    json_object_object_get_ex(doc, "inputs", &inputs);
    json_object_object_get_ex(doc, "steps", &steps);
    json_object_object_get_ex(doc, "options", &options);
    if (st == FT_OK && !(out->steps = parse_steps(steps, err, err_size)))
        st = FT_ERR_INVALID_ARG;
    if (st == FT_OK && ft_job_options_check(options, &out->options, err, err_size) != FT_OK)
        st = FT_ERR_INVALID_ARG;
    const size_t n = json_object_is_type(inputs, json_type_array) ? json_object_array_length(inputs) : 0;
    if (st == FT_OK && n == 0) {
        snprintf(err, err_size, "'inputs' must list the videos or folders to analyse");
        st = FT_ERR_INVALID_ARG;
    }
    if (st == FT_OK && !(out->inputs = calloc(n, sizeof *out->inputs))) {
        snprintf(err, err_size, "out of memory");
        st = FT_ERR_NOMEM;
    }
    for (size_t i = 0; st == FT_OK && i < n; i++) {
        if (!parse_input(json_object_array_get_idx(inputs, i), &out->inputs[i])) {
            snprintf(err, err_size, "each input is {\"root\": N, \"path\": \"...\"}");
            st = FT_ERR_INVALID_ARG;
        } else if (!out->inputs[i].path) {
            snprintf(err, err_size, "out of memory");
            st = FT_ERR_NOMEM;
        }
        out->input_count = i + 1;
    }
    json_object_put(doc);
    if (st != FT_OK) {
        ft_job_request_free(out);
        /* Field names quoted from the body: control characters shown as '?',
         * so that the error stays one line. */
        for (char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    }
    return st;
}
