/* openseeface: the original's OpenSeeFace engine. Its MobileNetV3 detector
 * (mnv3_detection_opt.onnx: the frame resized to 224 x 224, peaks of a
 * 56 x 56 score map with a radius each) and a 66-point landmark model
 * (lm_model{0..4}_opt.onnx: a crop of the face resized to 224 x 224,
 * heatmaps with sub-cell offsets), decoded as OpenSeeFace's tracker.py does
 * (face/openseeface_decode.h), on the frame scaled to max_width (640) as the
 * original works. Faces: the 66 points, their bounds as the box, the mean
 * point confidence as presence, and blendshapes that are all zero but
 * jawOpen (the original's mouth-open rule).
 *
 * Tracking is the shared tracker's landmark mode: a face's landmarks give
 * the next frame's crop, as OpenSeeFace's own Tracker.predict follows faces
 * between detections; the detector runs when a face is missing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "base/clock.h"
#include "engines/tracker_engine.h"
#include "face/detector_input.h"
#include "face/face_tracker.h"
#include "face/openseeface_decode.h"
#include "face/shaped_session.h"

#define OSF_MAX_WIDTH 640
#define OSF_MAX_DETECTIONS 64

typedef struct openseeface {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* NULL: the caller's thread */
    ft_shaped_session detector, landmarker;
    int det_output, det_maxpool; /* output indices of the detector */
    ft_osf_box boxes[OSF_MAX_DETECTIONS];
    uint8_t small[FT_OSF_INPUT * FT_OSF_INPUT * 3]; /* the frame at 224 x 224 */
    float points[FT_OSF_POINTS][3];
    int jaw_open; /* index of jawOpen among the blendshapes */
    char error[1280];
} openseeface;

/* The size the original works at: frames wider than max_width scaled to
 * (max_width, int(height * max_width / width)). */
static void work_size(const openseeface *o, int width, int height, int *ww, int *wh)
{
    const int max_width = o->opt.max_width > 0 ? o->opt.max_width : OSF_MAX_WIDTH;
    *ww = width;
    *wh = height;
    if (width > max_width) {
        *ww = max_width;
        *wh = (int)(height * ((double)max_width / width));
        if (*wh < 1)
            *wh = 1;
    }
}

/* ------------------------------------------------------------- models */

static const ft_nn_tensor *output_tensor(const ft_nn_graph *g, int i)
{
    return &g->tensors[g->outputs[i]];
}

static int has_shape(const ft_nn_tensor *t, int64_t c, int64_t h, int64_t w)
{
    return t->dtype == FT_DTYPE_F32 && t->rank == 4 && t->shape[0] == 1 && t->shape[1] == c &&
           t->shape[2] == h && t->shape[3] == w;
}

/* Two outputs of 2 x 56 x 56, the pooled one named "maxpool". */
static ft_status check_detector(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    openseeface *o = context;
    const int grid = FT_OSF_DETECT_GRID;
    if (g->output_count != 2 || !has_shape(output_tensor(g, 0), 2, grid, grid) ||
        !has_shape(output_tensor(g, 1), 2, grid, grid)) {
        snprintf(reason, n,
                 "%d outputs, not the score map and its max-pooling (2 x 56 x 56 each) of the "
                 "OpenSeeFace detector",
                 g->output_count);
        return FT_ERR_FORMAT;
    }
    const char *second = output_tensor(g, 1)->name;
    o->det_maxpool = second && strcmp(second, "maxpool") == 0 ? 1 : 0;
    if (o->det_maxpool == 0) {
        const char *first = output_tensor(g, 0)->name;
        o->det_maxpool = first && strcmp(first, "maxpool") == 0 ? 0 : 1;
    }
    o->det_output = 1 - o->det_maxpool;
    return FT_OK;
}

/* One output of 198 x 28 x 28: 66 heatmaps, then their offsets. */
static ft_status check_landmarker(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    (void)context;
    const int grid = FT_OSF_LANDMARK_GRID;
    if (g->output_count != 1 || !has_shape(output_tensor(g, 0), 3 * FT_OSF_POINTS, grid, grid)) {
        snprintf(reason, n,
                 "not an OpenSeeFace 66-point landmark model (one output of 198 x 28 x 28 "
                 "heatmaps and offsets)");
        return FT_ERR_FORMAT;
    }
    return FT_OK;
}

/* The three ImageNet-normalised planes of a packed RGB IMAGE of 224 x 224. */
static void normalise_planes(const uint8_t *rgb, float *out)
{
    const size_t plane = (size_t)FT_OSF_INPUT * FT_OSF_INPUT;
    for (int c = 0; c < 3; c++) {
        const float scale = 1.0f / (255.0f * ft_osf_std[c]), shift = ft_osf_mean[c] / ft_osf_std[c];
        for (size_t i = 0; i < plane; i++)
            out[(size_t)c * plane + i] = (float)rgb[3 * i + (size_t)c] * scale - shift;
    }
}

/* Crop CROP of the work frame (WW x WH, the frame scaled) resized to
 * 224 x 224 into OUT's planes, sampled from the full frame IMG: bilinear
 * with pixel centres aligned, as cv2.resize's INTER_LINEAR on the float
 * crop, the work frame's positions mapped to the frame's. */
static void crop_planes(const ft_face_image *img, int ww, int wh, const ft_osf_crop *crop,
                        float *out)
{
    const size_t plane = (size_t)FT_OSF_INPUT * FT_OSF_INPUT;
    const double fx = (double)img->width / ww, fy = (double)img->height / wh;
    const double sx = (double)(crop->x2 - crop->x1) / FT_OSF_INPUT;
    const double sy = (double)(crop->y2 - crop->y1) / FT_OSF_INPUT;
    /* the crop's pixels in the frame; samples stay inside them */
    const double left = crop->x1 * fx, right = crop->x2 * fx - 1.0;
    const double top = crop->y1 * fy, bottom = crop->y2 * fy - 1.0;
    float scale[3], shift[3];
    for (int c = 0; c < 3; c++) {
        scale[c] = 1.0f / (255.0f * ft_osf_std[c]);
        shift[c] = ft_osf_mean[c] / ft_osf_std[c];
    }
    const int ch = img->channels;
    for (int v = 0; v < FT_OSF_INPUT; v++) {
        double y = ((crop->y1 + (v + 0.5) * sy) * fy) - 0.5;
        y = y < top ? top : y > bottom ? bottom : y;
        if (y < 0.0)
            y = 0.0;
        int y0 = (int)y;
        if (y0 > img->height - 1)
            y0 = img->height - 1;
        const int y1 = y0 + 1 < img->height ? y0 + 1 : y0;
        const float wy = (float)(y - y0);
        const uint8_t *r0 = img->data + (size_t)y0 * (size_t)img->stride;
        const uint8_t *r1 = img->data + (size_t)y1 * (size_t)img->stride;
        for (int u = 0; u < FT_OSF_INPUT; u++) {
            double x = ((crop->x1 + (u + 0.5) * sx) * fx) - 0.5;
            x = x < left ? left : x > right ? right : x;
            if (x < 0.0)
                x = 0.0;
            int x0 = (int)x;
            if (x0 > img->width - 1)
                x0 = img->width - 1;
            const int x1 = x0 + 1 < img->width ? x0 + 1 : x0;
            const float wx = (float)(x - x0);
            const size_t at = (size_t)v * FT_OSF_INPUT + (size_t)u;
            for (int c = 0; c < 3; c++) {
                const float a = r0[x0 * ch + c], b = r0[x1 * ch + c];
                const float d = r1[x0 * ch + c], e = r1[x1 * ch + c];
                const float upper = a + wx * (b - a), lower = d + wx * (e - d);
                out[(size_t)c * plane + at] = (upper + wy * (lower - upper)) * scale[c] - shift[c];
            }
        }
    }
}

static ft_status run_failed(openseeface *o, const ft_shaped_session *s, ft_status st)
{
    snprintf(o->error, sizeof o->error, "%s: %s", s->model, ft_nn_session_error(s->session));
    return st;
}

/* ------------------------------------------------------------- stages */

/* The whole frame at 224 x 224 (the original resizes the work frame; the
 * frame itself is resized here, the same picture without a second pass),
 * the best peaks as face boxes in the work frame, each as the landmark ROI
 * (the box itself; the crop margins are the landmark stage's). */
static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    openseeface *o = ctx;
    *found = 0;
    ft_resize_bilinear(img, FT_OSF_INPUT, FT_OSF_INPUT, o->small);
    ft_nn_session *s = o->detector.session;
    normalise_planes(o->small, ft_nn_session_input(s, 0));
    ft_status st = ft_nn_session_run(s);
    if (st != FT_OK)
        return run_failed(o, &o->detector, st);
    int ww, wh;
    work_size(o, img->width, img->height, &ww, &wh);
    const int want = o->opt.num_faces < capacity ? o->opt.num_faces : capacity;
    const int n = ft_osf_decode_detections(
        ft_nn_session_output(s, o->det_output), ft_nn_session_output(s, o->det_maxpool),
        FT_OSF_DETECT_GRID, o->opt.min_detection_confidence,
        want < OSF_MAX_DETECTIONS ? want : OSF_MAX_DETECTIONS, ww, wh, o->boxes);
    for (int i = 0; i < n; i++) {
        const ft_osf_box *b = &o->boxes[i];
        out[i] = (ft_roi_detection){
            .roi = {.x_center = (b->x + b->w / 2) / (float)ww,
                    .y_center = (b->y + b->h / 2) / (float)wh,
                    .width = b->w / (float)ww,
                    .height = b->h / (float)wh},
            .score = b->score};
    }
    *found = n;
    return FT_OK;
}

/* Each ROI (a face box) through OpenSeeFace's crop, the landmark model and
 * its decoding, in work-frame pixels; then in frame pixels and normalised.
 * A crop under 4 pixels gives no face (presence 0), as OpenSeeFace skips
 * it. */
static ft_status landmarks(void *ctx, const ft_face_image *img, const ft_norm_rect *rois, int n,
                           ft_face_landmarks *out)
{
    openseeface *o = ctx;
    int ww, wh;
    work_size(o, img->width, img->height, &ww, &wh);
    const float to_x = (float)img->width / (float)ww, to_y = (float)img->height / (float)wh;
    ft_nn_session *s = o->landmarker.session;
    for (int i = 0; i < n; i++) {
        ft_face_landmarks *lm = &out[i];
        memset(lm, 0, sizeof *lm);
        lm->count = FT_OSF_POINTS;
        lm->roi = rois[i];
        const ft_osf_box box = {.x = (rois[i].x_center - rois[i].width / 2) * (float)ww,
                                .y = (rois[i].y_center - rois[i].height / 2) * (float)wh,
                                .w = rois[i].width * (float)ww,
                                .h = rois[i].height * (float)wh};
        ft_osf_crop crop;
        if (!(box.w > 0.0f && box.h > 0.0f) || ft_osf_crop_of_box(&box, ww, wh, &crop) != 0)
            continue;
        crop_planes(img, ww, wh, &crop, ft_nn_session_input(s, 0));
        ft_status st = ft_nn_session_run(s);
        if (st != FT_OK)
            return run_failed(o, &o->landmarker, st);
        const float conf = ft_osf_decode_landmarks(ft_nn_session_output(s, 0), FT_OSF_POINTS,
                                                   FT_OSF_LANDMARK_GRID, &crop, o->points);
        lm->presence = isfinite(conf) ? conf : 0.0f;
        lm->presence_logit = lm->presence; /* the model gives no logit */
        for (int p = 0; p < FT_OSF_POINTS; p++) {
            lm->points[p][0] = o->points[p][0] * to_x;
            lm->points[p][1] = o->points[p][1] * to_y;
            lm->norm[p][0] = o->points[p][0] / (float)ww;
            lm->norm[p][1] = o->points[p][1] / (float)wh;
        }
    }
    return FT_OK;
}

/* The next frame's face box: the bounds of the 66 points, as OpenSeeFace
 * keeps a face's box from its landmarks. */
static ft_norm_rect next_roi(void *ctx, const ft_face_landmarks *lm, int iw, int ih)
{
    (void)ctx;
    (void)iw;
    (void)ih;
    float x0 = lm->norm[0][0], x1 = x0, y0 = lm->norm[0][1], y1 = y0;
    for (int p = 1; p < lm->count; p++) {
        x0 = fminf(x0, lm->norm[p][0]);
        x1 = fmaxf(x1, lm->norm[p][0]);
        y0 = fminf(y0, lm->norm[p][1]);
        y1 = fmaxf(y1, lm->norm[p][1]);
    }
    return (ft_norm_rect){.x_center = (x0 + x1) / 2, .y_center = (y0 + y1) / 2,
                          .width = x1 - x0, .height = y1 - y0};
}

/* Blendshapes: zeros, jawOpen from the smoothed points (scale 1 here; the
 * writer applies the configured scale and clips). */
static ft_status finish(void *ctx, ft_face *faces, const int *blendshapes_due, int n, int iw,
                        int ih, ft_face_timings *timings)
{
    (void)iw;
    (void)ih;
    openseeface *o = ctx;
    const double t0 = ft_now_ms();
    for (int i = 0; i < n; i++) {
        if (!blendshapes_due[i])
            continue;
        ft_face *f = &faces[i];
        memset(f->blendshapes, 0, sizeof f->blendshapes);
        f->blendshapes[o->jaw_open] = ft_osf_jaw_open(&f->landmarks[0][0], 3, 1.0f);
        f->has_blendshapes = 1;
    }
    timings->blendshapes_ms += ft_now_ms() - t0;
    return FT_OK;
}

static const char *stage_error(const void *ctx)
{
    return ((const openseeface *)ctx)->error;
}

/* ----------------------------------------------------------------- class */

static const char *const detector_help =
    "model mnv3_detection_opt.onnx (or openseeface_mnv3_detection_opt.onnx) not found on the "
    "model search path (`facetrack models pull` fetches it; or add its folder to "
    "FACETRACK_MODEL_PATH, or name the file with STEP5_OPENSEEFACE_DETECTION_MODEL_PATH)";
static const char *const landmark_help =
    "no OpenSeeFace landmark model lm_model{1,0,2,3,4}_opt.onnx (or openseeface_lm_model*_opt.onnx) "
    "on the model search path (`models pull` fetches model 0; or add its folder "
    "to FACETRACK_MODEL_PATH, or name it with STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH)";

static int openseeface_available(char *why, size_t n)
{
    char path[4096];
    if (ft_face_default_model("openseeface_detector", path, sizeof path) != FT_OK) {
        snprintf(why, n, "%s", detector_help);
        return 0;
    }
    if (ft_face_default_model("openseeface_landmarks", path, sizeof path) != FT_OK) {
        snprintf(why, n, "%s", landmark_help);
        return 0;
    }
    return 1;
}

static void openseeface_free(void *priv)
{
    openseeface *o = priv;
    ft_face_tracker_free(o->tracker);
    ft_shaped_session_close(&o->detector);
    ft_shaped_session_close(&o->landmarker);
    if (o->pool)
        pthreadpool_destroy(o->pool);
}

/* OPTION when given, else the default model of ROLE; HELP when none. */
static ft_status model_path(const char *option, const char *role, const char *help, char *path,
                            size_t size, char *err, size_t n)
{
    if (option && *option) {
        snprintf(path, size, "%s", option);
        return FT_OK;
    }
    if (ft_face_default_model(role, path, size) == FT_OK)
        return FT_OK;
    snprintf(err, n, "%s", help);
    return FT_ERR_NOT_FOUND;
}

static ft_status openseeface_create(void *priv, const ft_face_options *opt, char *err, size_t n)
{
    openseeface *o = priv;
    o->opt = *opt;
    o->jaw_open = -1;
    for (int i = 0; ft_face_blendshape_name(i); i++)
        if (strcmp(ft_face_blendshape_name(i), "jawOpen") == 0)
            o->jaw_open = i;
    if (o->jaw_open < 0) {
        snprintf(err, n, "no jawOpen among the blendshape names");
        return FT_ERR_INTERNAL;
    }
    char det[4096], lms[4096];
    ft_status st = model_path(opt->detector_model, "openseeface_detector", detector_help, det,
                              sizeof det, err, n);
    if (st == FT_OK)
        st = model_path(opt->landmark_model, "openseeface_landmarks", landmark_help, lms,
                        sizeof lms, err, n);
    if (st != FT_OK)
        return st;
    if (opt->threads != 1 &&
        !(o->pool = pthreadpool_create(opt->threads > 0 ? (size_t)opt->threads : 0))) {
        snprintf(err, n, "cannot start %d inference threads", opt->threads);
        return FT_ERR_NOMEM;
    }
    const ft_model_place place = {.pool = o->pool, .threads = 1,
                                  .gpu_device = opt->gpu_device, .gpu_fp16 = opt->gpu_fp16};
    st = ft_shaped_session_open(&o->detector, det, check_detector, o, &place, FT_OSF_INPUT,
                                FT_OSF_INPUT, err, n);
    if (st == FT_OK)
        st = ft_shaped_session_open(&o->landmarker, lms, check_landmarker, o, &place,
                                    FT_OSF_INPUT, FT_OSF_INPUT, err, n);
    if (st != FT_OK)
        return st;
    const ft_face_stages stages = {
        .ctx = o,
        .detect = detect,
        .max_detections = OSF_MAX_DETECTIONS,
        .landmarks = landmarks,
        .next_roi = next_roi,
        .finish = finish,
        .error = stage_error,
        .scheme = FT_LANDMARKS_66,
        .pose_from_landmarks = 1,
        .blendshapes = 1,
    };
    return ft_face_tracker_create(opt, &stages, &o->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "geometry_model", "landmark_model", "num_faces", "min_detection_confidence",
    "min_presence_confidence", "min_tracking_confidence", "video", "detect_interval",
    "max_width", "smoothing", "smoothing_min_cutoff", "smoothing_beta",
    "smoothing_derivate_cutoff", "max_lost_frames", "blendshape_interval", "threads", NULL};

const ft_engine_class ft_openseeface_class = {
    .info = {.name = "openseeface",
             .aliases = no_aliases,
             .description = "OpenSeeFace detector and 66 landmarks; jawOpen from the mouth",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_66,
             .pose = 1,
             .blendshapes = 1,
             .options = options},
    .available = openseeface_available,
    .available_with_model = 1,
    .priv_size = sizeof(openseeface),
    .create = openseeface_create,
    FT_TRACKER_ENGINE_CALLS,
    .free = openseeface_free,
};
