/* The files the batch commands write beside a video (or into an output
 * folder), named "<stem><suffix>" after the video's stem. One table, so that
 * `track` and `scenes` which write them, and `serve` which lists, serves and
 * cleans them up, cannot disagree on a name. */
#ifndef FT_TRACK_OUTPUTS_H
#define FT_TRACK_OUTPUTS_H

#include <stddef.h>

#include "facetrack.h"

typedef enum ft_output_kind {
    FT_OUTPUT_TRACKING,    /* track, raw format:    <stem>.json */
    FT_OUTPUT_REDUCED,     /* track, reduced format: <stem>_tracking.json */
    FT_OUTPUT_SCENES_CSV,  /* scenes:                <stem>.csv */
    FT_OUTPUT_SCENES_JSON, /* scenes --json:         <stem>_scenes.json */
    FT_OUTPUT_KIND_COUNT
} ft_output_kind;

typedef struct ft_output_info {
    ft_output_kind kind;
    const char *name;   /* in the results API's URL: "tracking", "scenes.csv" */
    const char *key;    /* in the results API's listing: "tracking", "scenes_csv" */
    const char *suffix; /* after the video's stem: ".json", "_tracking.json" */
} ft_output_info;

/* The entry of KIND; NULL out of range. */
const ft_output_info *ft_output_info_of(ft_output_kind kind);
/* The entry called NAME (its URL name); NULL when none. */
const ft_output_info *ft_output_find(const char *name);
/* The suffix of KIND; NULL out of range. */
const char *ft_output_suffix(ft_output_kind kind);

/* Output name of VIDEO: "<dir>/<stem><SUFFIX>" where dir is OUTPUT_DIR, or
 * the video's folder when OUTPUT_DIR is NULL or "". The stem is Python's
 * Path.stem: a leading or trailing dot is no extension. */
ft_status ft_output_path(const char *video, const char *output_dir, const char *suffix, char *out,
                         size_t out_size);
/* The same with KIND's suffix. */
ft_status ft_output_path_of(const char *video, const char *output_dir, ft_output_kind kind,
                            char *out, size_t out_size);

#endif
