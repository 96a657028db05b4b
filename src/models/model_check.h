/* A known model on the search path: where it is and whether its bytes are
 * the pinned ones. `models list`, `models pull` and `doctor` all judge a
 * file this way. */
#ifndef FT_MODELS_MODEL_CHECK_H
#define FT_MODELS_MODEL_CHECK_H

#include <limits.h>

#include "base/sha256.h"
#include "facetrack.h"
#include "models/model_registry.h"

typedef struct ft_model_found {
    char path[PATH_MAX]; /* "" when missing */
    char sha256[FT_SHA256_HEX_SIZE];
    const char *check; /* "ok", "mismatch", "unreadable", or NULL when missing */
} ft_model_found;

/* Finds M on the search path and checks its SHA-256 against the pin; a
 * mismatching or unreadable file is logged at LEVEL, one line naming it. */
void ft_model_locate(const ft_model_info *m, ft_model_found *f, ft_log_level level);

#endif
