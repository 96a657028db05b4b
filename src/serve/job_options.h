/* A job's options: what a client may ask for, checked when the job is made,
 * and the command-line flags each step gets from them. One table holds both,
 * so the API and the commands cannot drift apart. */
#ifndef FT_SERVE_JOB_OPTIONS_H
#define FT_SERVE_JOB_OPTIONS_H

#include <json-c/json.h>
#include <stddef.h>

#include "facetrack.h"

/* Checks OPTIONS (a JSON object, or NULL for none) and writes it back
 * normalised into *OUT (malloc'd JSON text). ERR names the bad option. */
ft_status ft_job_options_check(json_object *options, char **out, char *err, size_t err_size);

/* Appends the flags of STEP (ft_job_step) from OPTIONS_JSON to ARGV (which
 * has room for MAX more); returns how many it added, -1 on a bad document.
 * The strings are malloc'd. */
int ft_job_options_flags(const char *options_json, int step, char **argv, int max);

#endif
