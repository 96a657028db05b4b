/* The face mesh: the 478-landmark model (face_landmarks_detector.tflite,
 * 256 px) run on a rotated ROI crop, its output projected back to the image,
 * and the next frame's ROI from the landmarks (spec §2.2, §2.3, §3.1). The
 * legacy 468-point 192 px model also works (its size is read from the model). */
#ifndef FT_FACE_LANDMARKS_H
#define FT_FACE_LANDMARKS_H

#include <stddef.h>

#include <pthreadpool.h>

#include "face/face_types.h"
#include "face/model_session.h"
#include "facetrack.h"

#define FT_FACE_MESH_MAX 478
/* Outer eye corners: the rotation vector of the tracking ROI (spec §2.2). */
#define FT_FACE_MESH_RIGHT_EYE_OUTER 33
#define FT_FACE_MESH_LEFT_EYE_OUTER 263

typedef struct ft_face_landmarks {
    int count;                          /* 478 (or 468, legacy model) */
    float points[FT_FACE_MESH_MAX][3];  /* x, y in image pixels; z in pixels
                                           at the crop's scale (raw z / 256
                                           times the ROI width in px); equal
                                           to norm z times the image width
                                           when the ROI is upright */
    float norm[FT_FACE_MESH_MAX][3];    /* MediaPipe's NormalizedLandmark */
    float presence;                     /* sigmoid(presence_logit) */
    float presence_logit;
    ft_norm_rect roi;                   /* the crop they were found in */
} ft_face_landmarks;

/* One model instance with its buffers (the graph is shared). One thread
 * at a time: each engine has its own. */
typedef struct ft_face_landmarker ft_face_landmarker;

/* MODEL_SPEC: a .tflite or "bundle.task:face_landmarks_detector.tflite".
 * One line naming the model file in ERR on failure. */
ft_status ft_face_landmarker_create(const char *model_spec, int threads,
                                    ft_face_landmarker **out, char *err, size_t err_size);
/* The same, running on POOL (NULL: the caller's thread), which must
 * outlive the landmarker. */
ft_status ft_face_landmarker_create_on(const char *model_spec, const ft_model_place *place,
                                       ft_face_landmarker **out, char *err, size_t err_size);
void ft_face_landmarker_free(ft_face_landmarker *lm);
const char *ft_face_landmarker_error(const ft_face_landmarker *lm);

/* The model's square input side (256) and number of landmarks (478). */
int ft_face_landmarker_input_size(const ft_face_landmarker *lm);
int ft_face_landmarker_count(const ft_face_landmarker *lm);

/* Runs the model on a ready input tensor (size x size x 3, [0, 1]) and
 * gives the raw output: RAW[count][3] in tensor pixels and the presence
 * logit. This is the path MediaPipe's golden tensors check. */
ft_status ft_face_landmarker_run_tensor(ft_face_landmarker *lm, const float *input,
                                        float (*raw)[3], float *presence_logit);

/* Crops ROI out of IMAGE (replicate border, no letterbox), runs the model
 * and projects the landmarks into OUT. */
ft_status ft_face_landmarks_detect(ft_face_landmarker *lm, const ft_face_image *image,
                                   const ft_norm_rect *roi, ft_face_landmarks *out);

/* N faces in one model run: ROIS[i] -> OUT[i], each the same as
 * ft_face_landmarks_detect on it. The first run at a new N builds that
 * batch size's plan (a few are kept). */
ft_status ft_face_landmarks_detect_batch(ft_face_landmarker *lm, const ft_face_image *image,
                                         const ft_norm_rect *rois, int n, ft_face_landmarks *out);

/* Tensor-pixel landmarks RAW of a SIZE-px crop of ROI -> OUT's points and
 * norm (LandmarkProjectionCalculator with IMAGE_DIMENSIONS). */
void ft_face_landmarks_project(const float (*raw)[3], int count, int size, const ft_norm_rect *roi,
                               int image_width, int image_height, ft_face_landmarks *out);

/* The next frame's ROI from the landmarks (spec §2.2): bounding box of all
 * of them, rotation 33 -> 263, 1.5x, square in pixels. */
ft_norm_rect ft_face_roi_from_landmarks(const ft_face_landmarks *lm, int image_width,
                                        int image_height);

#endif
