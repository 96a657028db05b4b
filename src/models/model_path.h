/* The model search path: where facetrack looks for model files, in order.
 *   1. each folder of $FACETRACK_MODEL_PATH (colon-separated)
 *   2. $FACETRACK_MODELS_DIR (where scripts/models.sh installs when set)
 *   3. the user cache: $XDG_CACHE_HOME/facetrack/models, else
 *      ~/.cache/facetrack/models (where `models pull` writes)
 *   4. the installed data folder, <prefix>/share/facetrack/models
 *   5. the build tree's models folder, <checkout>/build/models (where
 *      scripts/models.sh installs by default)
 * The first folder holding the file wins. */
#ifndef FT_MODELS_MODEL_PATH_H
#define FT_MODELS_MODEL_PATH_H

#include <limits.h>
#include <stddef.h>

#include "facetrack.h"

#define FT_MODEL_MAX_DIRS 32

typedef struct ft_model_dir {
    char path[PATH_MAX];
    const char *origin; /* "FACETRACK_MODEL_PATH", "FACETRACK_MODELS_DIR",
                           "user cache", "install" or "build tree" */
} ft_model_dir;

/* Finds model file NAME (e.g. "face_landmarker.task",
 * "face_detection_short_range.tflite") on the search path; writes the full
 * path to OUT. A known model is also found under its alias
 * (face_landmarker_v2_with_blendshapes.task). FT_ERR_NOT_FOUND when absent
 * everywhere, FT_ERR_INVALID_ARG for a NAME with a '/' or an OUT too small,
 * FT_ERR_NOMEM. */
ft_status ft_model_find(const char *name, char *out, size_t out_size);
/* The search path, in order, for `models list`: at most MAX folders, each
 * once, whether it exists or not; returns how many were written. */
int ft_model_search_dirs(ft_model_dir *dirs, int max);
/* Where `models pull` writes: $FACETRACK_MODELS_DIR if set, else
 * $XDG_CACHE_HOME/facetrack/models or ~/.cache/facetrack/models.
 * FT_ERR_NOT_FOUND when none of those variables is set, FT_ERR_INVALID_ARG
 * when OUT is too small. */
ft_status ft_model_pull_dir(char *out, size_t out_size);

#endif
