/* opencv_haar: the original's Haar engine, cv::CascadeClassifier on the
 * gray frame with detectMultiScale(scaleFactor 1.1, minNeighbors 5,
 * minSize 30x30), run as face/haar_detector.h says. Boxes only, confidence
 * 1.0; the shared tracker gives them IDs. The cascade is OpenCV's XML:
 * Debian's opencv-data frontal face cascade by default, or any Haar or
 * LBP cascade named by STEP5_OPENCV_HAAR_CASCADE_PATH / --detector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthreadpool.h>

#include "engines/tracker_engine.h"
#include "face/face_tracker.h"
#include "face/haar_cascade.h"
#include "face/haar_detector.h"
#include "models/model_path.h"

#define HAAR_CASCADE "haarcascade_frontalface_default.xml"
#define HAAR_MAX_DETECTIONS 64

/* The original's detectMultiScale arguments. */
static const ft_haar_params original_params = {
    .scale_factor = 1.1, .min_neighbors = 5, .min_width = 30, .min_height = 30};

/* Where Debian's opencv-data (and older layouts) put the cascades. */
static const char *const system_dirs[] = {"/usr/share/opencv4/haarcascades",
                                          "/usr/share/opencv/haarcascades"};

typedef struct haar {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    pthreadpool_t pool;
    ft_haar_detector *detector;
    uint8_t *gray;
    size_t gray_size;
    ft_rect rects[HAAR_MAX_DETECTIONS];
    char error[512];
} haar;

/* The default cascade: on the model search path, else where opencv-data
 * installs it. */
static int default_cascade(char *path, size_t size)
{
    if (ft_model_find(HAAR_CASCADE, path, size) == FT_OK)
        return 1;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        int n = snprintf(path, size, "%s/%s", system_dirs[i], HAAR_CASCADE);
        if (n > 0 && (size_t)n < size && access(path, R_OK) == 0)
            return 1;
    }
    return 0;
}

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    haar *h = ctx;
    *found = 0;
    const size_t need = (size_t)img->width * img->height;
    if (need > h->gray_size) {
        uint8_t *g = realloc(h->gray, need);
        if (!g) {
            snprintf(h->error, sizeof h->error, "out of memory for a %dx%d frame", img->width,
                     img->height);
            return FT_ERR_NOMEM;
        }
        h->gray = g;
        h->gray_size = need;
    }
    ft_haar_gray(img->data, img->width, img->height, img->stride, img->channels, h->gray);
    int n = 0;
    ft_status st = ft_haar_detect(h->detector, h->gray, img->width, img->height, img->width,
                                  &original_params, h->rects, HAAR_MAX_DETECTIONS, &n);
    if (st != FT_OK) {
        snprintf(h->error, sizeof h->error, "Haar detection failed on a %dx%d frame: %s",
                 img->width, img->height, ft_status_str(st));
        return st;
    }
    if (n > HAAR_MAX_DETECTIONS)
        n = HAAR_MAX_DETECTIONS;
    if (n > capacity)
        n = capacity;
    const float iw = (float)img->width, ih = (float)img->height;
    for (int i = 0; i < n; i++) {
        const ft_rect *r = &h->rects[i];
        ft_roi_detection *d = &out[i];
        memset(d, 0, sizeof *d);
        d->score = 1.0f; /* the original's confidence: a cascade gives none */
        d->box = (ft_box){(float)r->x / iw, (float)r->y / ih, (float)(r->x + r->width) / iw,
                          (float)(r->y + r->height) / ih};
    }
    *found = n;
    return FT_OK;
}

static const char *stage_error(const void *ctx)
{
    return ((const haar *)ctx)->error;
}

/* ----------------------------------------------------------------- class */

static int haar_available(char *why, size_t n)
{
    char path[4096];
    if (default_cascade(path, sizeof path))
        return 1;
    if (why && n)
        snprintf(why, n,
                 "cascade " HAAR_CASCADE " not found on the model search path nor in "
                 "/usr/share/opencv4/haarcascades (install Debian's opencv-data, or name a "
                 "cascade: track's STEP5_OPENCV_HAAR_CASCADE_PATH, detect's --detector)");
    return 0;
}

static void haar_free(void *priv)
{
    haar *h = priv;
    ft_face_tracker_free(h->tracker);
    ft_haar_detector_free(h->detector);
    free(h->gray);
    if (h->pool)
        pthreadpool_destroy(h->pool);
}

static ft_status haar_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    haar *h = priv;
    char path[4096];
    if (o->detector_model && *o->detector_model)
        snprintf(path, sizeof path, "%s", o->detector_model);
    else if (!default_cascade(path, sizeof path)) {
        haar_available(err, n);
        return FT_ERR_NOT_FOUND;
    }
    ft_cascade cascade;
    ft_status st = ft_cascade_load(path, &cascade, err, n);
    if (st != FT_OK)
        return st;
    if (o->threads != 1 && !(h->pool = pthreadpool_create(o->threads > 0 ? (size_t)o->threads : 0))) {
        ft_cascade_free(&cascade);
        snprintf(err, n, "cannot start %d detection threads", o->threads);
        return FT_ERR_NOMEM;
    }
    st = ft_haar_detector_create(&cascade, h->pool, &h->detector, err, n);
    if (st != FT_OK) {
        ft_cascade_free(&cascade);
        return st;
    }
    const ft_face_stages stages = {
        .ctx = h,
        .detect = detect,
        .max_detections = HAAR_MAX_DETECTIONS,
        .error = stage_error,
        .scheme = FT_LANDMARKS_NONE,
        .detections_are_faces = 1,
    };
    return ft_face_tracker_create(o, &stages, &h->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "num_faces", "min_tracking_confidence", "video", "detect_every_n",
    "smoothing", "smoothing_min_cutoff", "smoothing_beta", "smoothing_derivate_cutoff",
    "max_lost_frames", "threads", NULL};

const ft_engine_class ft_opencv_haar_class = {
    .info = {.name = "opencv_haar",
             .aliases = no_aliases,
             .description = "OpenCV Haar or LBP cascade (frontal faces, boxes only)",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_NONE,
             .options = options},
    .available = haar_available,
    .available_with_model = 1,
    .priv_size = sizeof(haar),
    .create = haar_create,
    FT_TRACKER_ENGINE_CALLS,
    .free = haar_free,
};
