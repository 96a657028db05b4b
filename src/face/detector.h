/* BlazeFace face detection as MediaPipe runs it (spec §1): the image
 * letterboxed into the model's square input, SSD decoding against anchors,
 * weighted NMS, projection back to the image. */
#ifndef FT_FACE_DETECTOR_H
#define FT_FACE_DETECTOR_H

#include <stddef.h>

#include <pthreadpool.h>

#include "face/face_types.h"
#include "face/nms.h"
#include "face/model_session.h"
#include "facetrack.h"

/* Keypoint order of BlazeFace (the subject's right eye appears on the
 * image's left). */
enum {
    FT_FACE_KP_RIGHT_EYE = 0,
    FT_FACE_KP_LEFT_EYE,
    FT_FACE_KP_NOSE_TIP,
    FT_FACE_KP_MOUTH,
    FT_FACE_KP_RIGHT_EAR,
    FT_FACE_KP_LEFT_EAR
};

typedef enum ft_face_detector_kind {
    FT_FACE_DETECTOR_SHORT_RANGE = 0, /* 128 x 128, 896 anchors */
    FT_FACE_DETECTOR_FULL_RANGE       /* 192 x 192, 2304 anchors */
} ft_face_detector_kind;

typedef struct ft_face_detector_options {
    float min_score;       /* kept iff score >= this; default 0.5 */
    float min_suppression; /* NMS IoU threshold; default 0.3 (legacy graphs;
                              the Tasks FaceDetector uses 0.5) */
} ft_face_detector_options;

void ft_face_detector_options_init(ft_face_detector_options *o);

typedef struct ft_face_detection {
    float score;
    float xmin, ymin, width, height;        /* image pixels */
    float keypoints[FT_FACE_KEYPOINTS][2];  /* image pixels (x, y) */
    ft_face_box rel;                        /* the same, image-normalised, as
                                               MediaPipe outputs it */
} ft_face_detection;

/* One model instance with its buffers (the graph is shared). One thread at
 * a time: use one per thread for parallelism. */
typedef struct ft_face_detector ft_face_detector;

/* MODEL_SPEC: a .tflite file or "bundle.task:face_detector.tflite".
 * OPTIONS may be NULL (defaults). THREADS: inference threads, 0 = all CPUs.
 * One line naming the model file in ERR on failure. */
ft_status ft_face_detector_create(const char *model_spec, ft_face_detector_kind kind,
                                  const ft_face_detector_options *options, int threads,
                                  ft_face_detector **out, char *err, size_t err_size);
/* The same, running on POOL (NULL: the caller's thread), which must
 * outlive the detector. */
ft_status ft_face_detector_create_on(const char *model_spec, ft_face_detector_kind kind,
                                     const ft_face_detector_options *options,
                                     const ft_model_place *place, ft_face_detector **out,
                                     char *err, size_t err_size);
void ft_face_detector_free(ft_face_detector *det);

/* Detects faces in IMAGE within ROI (NULL: the whole image; a rotation
 * here is MediaPipe's image rotation option). Writes at most MAX
 * detections, best first, and their number to *COUNT. */
ft_status ft_face_detect(ft_face_detector *det, const ft_face_image *image,
                         const ft_norm_rect *roi, ft_face_detection *out, int max, int *count);

/* N ROIs of IMAGE in one model run (ROIS NULL: N = 1, the whole image):
 * ROI i's detections go to OUT[i * MAX ...] and their number to
 * COUNTS[i], each the same as ft_face_detect on that ROI. */
ft_status ft_face_detect_batch(ft_face_detector *det, const ft_face_image *image,
                               const ft_norm_rect *rois, int n, ft_face_detection *out, int max,
                               int *counts);

/* The last failure of this detector, one line; "" when none. */
const char *ft_face_detector_error(const ft_face_detector *det);

/* The anchors the detector decodes against (for tests). */
int ft_face_detector_anchor_count(const ft_face_detector *det);

#endif
