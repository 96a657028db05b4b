/* opencv_yunet: the original's YuNet engine (cv::FaceDetectorYN with
 * face_detection_yunet_2023mar.onnx, run as face/yunet_detector.h says).
 * The boxes and their 5 keypoints are the faces, tracked by the shared
 * tracker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "engines/tracker_engine.h"
#include "face/face_tracker.h"
#include "face/yunet_detector.h"

#define YUNET_MAX_DETECTIONS 64

typedef struct yunet {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* NULL: the caller's thread */
    ft_yunet_detector detector;
} yunet;

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    yunet *y = ctx;
    return ft_yunet_detector_run(&y->detector, img, y->opt.max_width, out, capacity, found);
}

static const char *stage_error(const void *ctx)
{
    return ((const yunet *)ctx)->detector.error;
}

/* ----------------------------------------------------------------- class */

static int yunet_available(char *why, size_t n)
{
    char path[4096];
    return ft_yunet_default_model(path, sizeof path,
                                  "track's STEP5_YUNET_MODEL_PATH, detect's --detector", why, n);
}

static void yunet_free(void *priv)
{
    yunet *y = priv;
    ft_face_tracker_free(y->tracker);
    ft_yunet_detector_close(&y->detector);
    if (y->pool)
        pthreadpool_destroy(y->pool);
}

static ft_status yunet_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    yunet *y = priv;
    y->opt = *o;
    char path[4096];
    if (o->detector_model && *o->detector_model)
        snprintf(path, sizeof path, "%s", o->detector_model);
    else if (!ft_yunet_default_model(path, sizeof path, "", NULL, 0)) {
        yunet_available(err, n);
        return FT_ERR_NOT_FOUND;
    }
    if (o->threads != 1 && !(y->pool = pthreadpool_create(o->threads > 0 ? (size_t)o->threads : 0))) {
        snprintf(err, n, "cannot start %d inference threads", o->threads);
        return FT_ERR_NOMEM;
    }
    const ft_model_place place = {.pool = y->pool, .threads = 1,
                                  .gpu_device = o->gpu_device, .gpu_fp16 = o->gpu_fp16};
    ft_status st = ft_yunet_detector_open(&y->detector, path, &place, err, n);
    if (st != FT_OK)
        return st;
    const ft_face_stages stages = {
        .ctx = y,
        .detect = detect,
        .max_detections = YUNET_MAX_DETECTIONS,
        .error = stage_error,
        .scheme = FT_LANDMARKS_5,
        .detections_are_faces = 1,
        .pose_from_landmarks = 1,
    };
    return ft_face_tracker_create(o, &stages, &y->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "geometry_model", "num_faces", "min_tracking_confidence", "video",
    "detect_every_n", "max_width", "smoothing", "smoothing_min_cutoff", "smoothing_beta",
    "smoothing_derivate_cutoff", "max_lost_frames", "threads", NULL};

const ft_engine_class ft_opencv_yunet_class = {
    .info = {.name = "opencv_yunet",
             .aliases = no_aliases,
             .description = "YuNet detector (OpenCV FaceDetectorYN): boxes and 5 keypoints",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_5,
             .pose = 1,
             .options = options},
    .available = yunet_available,
    .available_with_model = 1,
    .priv_size = sizeof(yunet),
    .create = yunet_create,
    FT_TRACKER_ENGINE_CALLS,
    .free = yunet_free,
};
