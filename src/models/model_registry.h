/* The models facetrack knows by name: file name, what each is, where it
 * comes from and the SHA-256 it must have. `models list` reports on them and
 * `models pull` fetches those with a download URL. */
#ifndef FT_MODELS_MODEL_REGISTRY_H
#define FT_MODELS_MODEL_REGISTRY_H

#include <stddef.h>

#include "facetrack.h"

typedef struct ft_model_info {
    const char *file;   /* the name on the search path, e.g. "face_landmarker.task" */
    const char *alias;  /* another name the same bytes go by, or NULL */
    const char *what;   /* one line for people */
    const char *source; /* where it comes from: "npm @mediapipe/face_mesh@…" or a site */
    const char *url;    /* official download URL; NULL when only a package has it */
    const char *sha256; /* pinned, 64 lowercase hex digits */
} ft_model_info;

/* Every known model, in listing order; *COUNT gets how many. */
const ft_model_info *ft_model_registry(int *count);
/* By file name, alias, or file name without its extension
 * ("face_landmarker"); NULL when unknown. */
const ft_model_info *ft_model_lookup(const char *name);
/* Where `models pull` fetches M: $FACETRACK_MODEL_URL_BASE/FILE when that is
 * set (a mirror), else M's own URL. FT_ERR_NOT_FOUND for a model that only a
 * package distributes (no URL), FT_ERR_INVALID_ARG when OUT is too small. */
ft_status ft_model_source_url(const ft_model_info *m, char *out, size_t out_size);

#endif
