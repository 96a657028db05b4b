/* The body of POST /api/jobs, checked: {"inputs": [{"root": N, "path":
 * "..."}...], "steps": ["scenes", "track"], "options": {...}}. Pure (no
 * files looked at): the inputs are resolved by the caller. Fuzzed. */
#ifndef FT_SERVE_JOB_REQUEST_H
#define FT_SERVE_JOB_REQUEST_H

#include <stddef.h>

#include "facetrack.h"

typedef struct ft_job_input {
    int root;
    char *path; /* relative to the root; no NUL inside */
} ft_job_input;

typedef struct ft_job_request {
    int steps;     /* ft_job_step bits, at least one */
    char *options; /* normalised JSON object (job_options.h) */
    ft_job_input *inputs;
    size_t input_count; /* at least one */
} ft_job_request;

/* Parses BODY (SIZE bytes, not necessarily NUL-terminated). On failure
 * (FT_ERR_INVALID_ARG, FT_ERR_NOMEM) ERR says why in one line and *OUT
 * holds nothing to free. */
ft_status ft_job_request_parse(const char *body, size_t size, ft_job_request *out, char *err,
                               size_t err_size);
void ft_job_request_free(ft_job_request *request);

#endif
