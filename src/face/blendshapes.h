/* Blendshapes (spec §4): the 52 ARKit-style expression scores of one face
 * from its 478 landmarks, by the MLP-Mixer face_blendshapes.tflite. */
#ifndef FT_FACE_BLENDSHAPES_H
#define FT_FACE_BLENDSHAPES_H

#include <stddef.h>

#include <pthreadpool.h>

#include "face/model_session.h"
#include "facetrack.h"

#define FT_FACE_BLENDSHAPES 52
/* Landmarks the model reads (a fixed subset of the 478). */
#define FT_FACE_BLENDSHAPE_POINTS 146

/* Model session and buffers (the graph is shared); one thread at a time,
 * like ft_face_landmarker. */
typedef struct ft_face_blendshaper ft_face_blendshaper;

/* MODEL_SPEC: a .tflite or "bundle.task:face_blendshapes.tflite"; runs on
 * the fast (XNNPACK) backend, as MediaPipe forces. THREADS: 0 = one per CPU.
 * One line naming the model file in ERR on failure. */
ft_status ft_face_blendshaper_create(const char *model_spec, int threads,
                                     ft_face_blendshaper **out, char *err, size_t err_size);
/* The same, running on POOL (NULL: the caller's thread), which must
 * outlive the blendshaper. */
ft_status ft_face_blendshaper_create_on(const char *model_spec, const ft_model_place *place,
                                        ft_face_blendshaper **out, char *err, size_t err_size);
void ft_face_blendshaper_free(ft_face_blendshaper *b);
const char *ft_face_blendshaper_error(const ft_face_blendshaper *b);

/* NORM: COUNT >= 478 image-normalised landmarks (x, y, z; z unused) of an
 * IMAGE_WIDTH x IMAGE_HEIGHT image. Picks the 146-point subset, scales it to
 * pixels (x*W, y*H) and runs the model. SCORES in MediaPipe's order (see
 * ft_face_blendshape_name), each in [0, 1]. */
ft_status ft_face_blendshapes_compute(ft_face_blendshaper *b, const float (*norm)[3], int count,
                                      int image_width, int image_height,
                                      float scores[FT_FACE_BLENDSHAPES]);

/* N faces in one model run: NORMS[f] (COUNT landmarks each, all of one
 * image) -> SCORES[f], each the same as ft_face_blendshapes_compute. */
ft_status ft_face_blendshapes_compute_batch(ft_face_blendshaper *b, const float (*const *norms)[3],
                                            int count, int image_width, int image_height, int n,
                                            float (*scores)[FT_FACE_BLENDSHAPES]);

/* "_neutral", "browDownLeft", ... "noseSneerRight"; NULL out of range. */
const char *ft_face_blendshape_name(int index);

#endif
