/* The engine's default models, in order of preference, found on the model
 * search path: MediaPipe's face_landmarker.task (v2 landmarks and the
 * blendshapes) when present, else the npm models that setup installs. */
#include <stdio.h>
#include <string.h>

#include "facetrack.h"
#include "models/model_path.h"

typedef struct default_model {
    const char *role;
    const char *file;   /* on the search path */
    const char *member; /* inside it, or NULL */
} default_model;

static const default_model defaults[] = {
    /* Full range: faces at any distance, and small ones in tiles. */
    {"detector", "face_detection_full_range.tflite", NULL},
    {"detector", "face_landmarker.task", "face_detector.tflite"},
    /* The whole-frame pass: MediaPipe's own detector, short range. */
    {"short_range_detector", "face_landmarker.task", "face_detector.tflite"},
    {"short_range_detector", "face_detection_short_range.tflite", NULL},
    {"landmarks", "face_landmarker.task", "face_landmarks_detector.tflite"},
    {"landmarks", "face_landmark_with_attention.tflite", NULL},
    {"landmarks", "face_landmark.tflite", NULL},
    {"blendshapes", "face_landmarker.task", "face_blendshapes.tflite"},
    {"geometry", "geometry_pipeline_metadata_landmarks.binarypb", NULL},
};

ft_status ft_face_default_model(const char *role, char *out, size_t out_size)
{
    if (!role || !out || !out_size)
        return FT_ERR_INVALID_ARG;
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        const default_model *d = &defaults[i];
        char path[4096];
        if (strcmp(d->role, role) != 0 || ft_model_find(d->file, path, sizeof path) != FT_OK)
            continue;
        int n = d->member ? snprintf(out, out_size, "%s:%s", path, d->member)
                          : snprintf(out, out_size, "%s", path);
        return n > 0 && (size_t)n < out_size ? FT_OK : FT_ERR_INVALID_ARG;
    }
    return FT_ERR_NOT_FOUND;
}
