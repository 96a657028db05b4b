/* Model bytes from a file, from a member of a zip bundle (a MediaPipe .task
 * file): "face_landmarker.task:face_detector.tflite", or from a member of
 * the packed assets of MediaPipe's npm packages:
 * "face_mesh_solution_packed_assets.data:face_landmark.tflite". */
#ifndef FT_NN_MODEL_FILE_H
#define FT_NN_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_model_bytes {
    uint8_t *data;
    size_t size;
} ft_model_bytes;

/* Reads SPEC whole. A SPEC that is not an existing file but "BUNDLE:MEMBER"
 * with BUNDLE an existing zip (or a .data file with its _loader.js beside
 * it) reads MEMBER from it. One line in ERR. */
ft_status ft_model_bytes_read(const char *spec, ft_model_bytes *out, char *err, size_t err_size);
void ft_model_bytes_free(ft_model_bytes *bytes);

#endif
