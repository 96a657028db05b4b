/* insightface: the original's InsightFace engine: SCRFD (*_kps exports:
 * scrfd_10g_bnkps of the antelopev2 pack, 2.5g, 500m): frames wider than
 * max_width (1280) scaled down, then letterboxed into the det_size square
 * (640) at the top left as InsightFace's SCRFD.detect does, score 0.5, NMS
 * 0.4; boxes back in pixels of the frame, clipped to it. With a landmark
 * model of the pack (1k3d68: 68 points, what the original exported and
 * took jawOpen from; else 2d106det: 106), its points on the same scaled
 * frame replace the 5 keypoints. The boxes and points are the faces,
 * tracked by the shared tracker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "engines/tracker_engine.h"
#include "face/detector_input.h"
#include "face/face_tracker.h"
#include "face/insightface_landmarks.h"
#include "face/mesh_to_ibug68.h"
#include "face/scrfd_decode.h"
#include "face/shaped_session.h"

#define SCRFD_MAX_WIDTH 1280
#define SCRFD_DET_SIZE 640
#define SCRFD_SCORE 0.5f
#define SCRFD_NMS 0.4f
#define SCRFD_MAX_DETECTIONS 64

typedef struct scrfd {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* NULL: the caller's thread */
    ft_shaped_session net;
    int size; /* the square input side */
    int outputs[3 * FT_SCRFD_STRIDES];
    uint8_t *work, *boxed; /* the frame at max_width; at its letterbox size */
    size_t work_size, boxed_size;
    ft_kps_face *decoded, *kept;
    ft_nms_entry *scratch;
    int capacity;
    ft_insightface_landmarker *landmarker; /* NULL: the 5 keypoints */
    float (*points)[3];                    /* one face's landmarks */
    int jaw_open;                          /* index of jawOpen among the blendshapes */
    char error[1280];
} scrfd;

static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    scrfd *d = context;
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    int64_t rows[FT_NN_MAX_IO], cols[FT_NN_MAX_IO];
    for (int i = 0; i < g->output_count && i < FT_NN_MAX_IO; i++) {
        const ft_nn_tensor *t = &g->tensors[g->outputs[i]];
        /* [1, anchors, k] or [anchors, k]: exports differ */
        cols[i] = t->rank >= 2 ? t->shape[t->rank - 1] : -1;
        rows[i] = t->rank == 3 && t->shape[0] == 1 ? t->shape[1] : t->rank == 2 ? t->shape[0] : -1;
        if (t->dtype != FT_DTYPE_F32)
            rows[i] = -1;
    }
    if (ft_scrfd_map_outputs(rows, cols, g->output_count, (int)in->shape[3], (int)in->shape[2],
                             d->outputs, reason, n) != 0) {
        const size_t len = strlen(reason);
        if (!strstr(reason, "SCRFD"))
            snprintf(reason + len, n - len, " (not an SCRFD *_kps detector)");
        return FT_ERR_FORMAT;
    }
    return FT_OK;
}

static ft_status fail(scrfd *d, ft_status st, const char *what)
{
    snprintf(d->error, sizeof d->error, "%s", what);
    return st;
}

static int reserve(uint8_t **buf, size_t *size, size_t need)
{
    if (need <= *size)
        return 1;
    free(*buf);
    *buf = malloc(need);
    *size = *buf ? need : 0;
    return *buf != NULL;
}

/* The landmark model's points for detection F (pixels of the frame) on
 * WORK, the frame as it was detected on (FaceAnalysis runs every module on
 * the detector's image), the box unclipped; TO_FRAME takes WORK's pixels
 * to the frame's, IW x IH. */
static ft_status landmarks_of(scrfd *d, const ft_face_image *work, const ft_kps_face *f,
                              float to_frame, float iw, float ih, ft_roi_detection *r)
{
    const float box[4] = {f->x0 / to_frame, f->y0 / to_frame, f->x1 / to_frame, f->y1 / to_frame};
    char why[512];
    const ft_status st = ft_insightface_landmarks(d->landmarker, work, box, d->points, why, sizeof why);
    if (st != FT_OK)
        return fail(d, st, why);
    r->point_count = ft_insightface_landmarker_points(d->landmarker);
    for (int p = 0; p < r->point_count; p++) {
        r->points[p][0] = d->points[p][0] * to_frame / iw;
        r->points[p][1] = d->points[p][1] * to_frame / ih;
    }
    return FT_OK;
}

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    scrfd *d = ctx;
    *found = 0;
    const int max_width = d->opt.max_width > 0 ? d->opt.max_width : SCRFD_MAX_WIDTH;
    ft_face_image work = *img;
    if (img->width > max_width) { /* cv2.resize to (max_width, int(h * max_width / w)) */
        work.width = max_width;
        work.height = (int)(img->height * ((double)max_width / img->width));
        if (work.height < 1)
            work.height = 1;
        if (!reserve(&d->work, &d->work_size, (size_t)work.width * (size_t)work.height * 3))
            return fail(d, FT_ERR_NOMEM, "out of memory");
        ft_resize_bilinear(img, work.width, work.height, d->work);
        work.data = d->work;
        work.stride = work.width * 3;
        work.channels = 3;
    }
    int new_w, new_h;
    float det_scale;
    ft_scrfd_letterbox(work.width, work.height, d->size, &new_w, &new_h, &det_scale);
    if (new_w < 1 || new_h < 1)
        return FT_OK; /* a sliver of a frame: nothing to see */
    ft_face_image boxed = work;
    if (new_w != work.width || new_h != work.height) {
        if (!reserve(&d->boxed, &d->boxed_size, (size_t)new_w * (size_t)new_h * 3))
            return fail(d, FT_ERR_NOMEM, "out of memory");
        ft_resize_bilinear(&work, new_w, new_h, d->boxed);
        boxed = (ft_face_image){d->boxed, new_w, new_h, new_w * 3, 3, NULL};
    }
    /* blobFromImage(det_img, 1/128, mean 127.5, swapRB): RGB, as our frames */
    const ft_blob_format blob = {.bgr = 0, .mean = 127.5f, .scale = 1.0f / 128.0f};
    ft_status st = ft_blob_from_image(&boxed, &blob, d->size, d->size,
                                      ft_nn_session_input(d->net.session, 0));
    if (st == FT_OK && (st = ft_nn_session_run(d->net.session)) != FT_OK)
        snprintf(d->error, sizeof d->error, "%s: %s", d->net.model,
                 ft_nn_session_error(d->net.session));
    if (st != FT_OK)
        return st;
    ft_scrfd_outputs o;
    for (int s = 0; s < FT_SCRFD_STRIDES; s++) {
        o.score[s] = ft_nn_session_output(d->net.session, d->outputs[3 * s + 0]);
        o.bbox[s] = ft_nn_session_output(d->net.session, d->outputs[3 * s + 1]);
        o.kps[s] = ft_nn_session_output(d->net.session, d->outputs[3 * s + 2]);
    }
    const int n = ft_scrfd_decode(&o, d->size, d->size, SCRFD_SCORE, d->decoded, d->capacity);
    const int k = ft_scrfd_nms(d->decoded, n, SCRFD_NMS, d->scratch, d->kept);
    /* input -> work frame (/ det_scale) -> frame (orig / detect width) */
    const float back = (float)img->width / (float)work.width / det_scale;
    ft_kps_faces_scale(d->kept, k, back, back);
    const float iw = (float)img->width, ih = (float)img->height;
    const int m = k < capacity ? k : capacity;
    for (int i = 0; i < m; i++) {
        const ft_kps_face *f = &d->kept[i];
        /* clipped to the frame, whole pixels */
        const int x0 = (int)(f->x0 > 0.0f ? f->x0 : 0.0f), y0 = (int)(f->y0 > 0.0f ? f->y0 : 0.0f);
        const int x1 = (int)(f->x1 < iw ? f->x1 : iw), y1 = (int)(f->y1 < ih ? f->y1 : ih);
        ft_roi_detection *r = &out[i];
        *r = (ft_roi_detection){.score = f->score, .point_count = FT_KPS_POINTS};
        r->box = (ft_box){(float)x0 / iw, (float)y0 / ih, (float)(x1 > x0 ? x1 : x0) / iw,
                          (float)(y1 > y0 ? y1 : y0) / ih};
        for (int p = 0; p < FT_KPS_POINTS; p++) {
            r->points[p][0] = f->points[p][0] / iw;
            r->points[p][1] = f->points[p][1] / ih;
        }
        if (d->landmarker &&
            (st = landmarks_of(d, &work, f, back * det_scale, iw, ih, r)) != FT_OK)
            return st;
    }
    *found = m;
    return FT_OK;
}

static const char *stage_error(const void *ctx)
{
    return ((const scrfd *)ctx)->error;
}

/* With 68 points, the original's blendshapes: zeros but jawOpen, from the
 * smoothed points (the writer applies STEP5_INSIGHTFACE_JAWOPEN_SCALE). */
static ft_status finish(void *ctx, ft_face *faces, const int *blendshapes_due, int n, int iw,
                        int ih, ft_face_timings *timings)
{
    (void)blendshapes_due;
    (void)iw;
    (void)ih;
    (void)timings;
    const scrfd *d = ctx;
    for (int i = 0; i < n; i++) {
        ft_face *f = &faces[i];
        float xy[FT_IBUG68_POINTS][2];
        for (int p = 0; p < FT_IBUG68_POINTS; p++) {
            xy[p][0] = f->landmarks[p][0];
            xy[p][1] = f->landmarks[p][1];
        }
        memset(f->blendshapes, 0, sizeof f->blendshapes);
        f->blendshapes[d->jaw_open] = ft_ibug68_jaw_open((const float(*)[2])xy);
        f->has_blendshapes = 1;
    }
    return FT_OK;
}

/* ----------------------------------------------------------------- class */

static int scrfd_available(char *why, size_t n)
{
    char path[4096];
    if (ft_face_default_model("scrfd", path, sizeof path) == FT_OK)
        return 1;
    snprintf(why, n,
             "no SCRFD detector (scrfd_10g_bnkps.onnx, det_10g.onnx, scrfd_2.5g_kps_640.onnx, ...) "
             "on the model search path (add its folder to FACETRACK_MODEL_PATH, or name the file: "
             "track's STEP5_INSIGHTFACE_MODEL_PATH, detect's --detector)");
    return 0;
}

static void scrfd_free(void *priv)
{
    scrfd *d = priv;
    ft_face_tracker_free(d->tracker);
    ft_shaped_session_close(&d->net);
    ft_insightface_landmarker_free(d->landmarker);
    free(d->points);
    if (d->pool)
        pthreadpool_destroy(d->pool);
    free(d->work);
    free(d->boxed);
    free(d->decoded);
    free(d->kept);
    free(d->scratch);
}

/* The landmark model: the landmark_model option ("" for none), else the
 * default on the search path when there is one. */
static ft_status open_landmarker(scrfd *d, const ft_face_options *o, const ft_model_place *place,
                                 char *err, size_t n)
{
    char path[4096];
    if (o->landmark_model && !*o->landmark_model)
        return FT_OK;
    if (o->landmark_model)
        snprintf(path, sizeof path, "%s", o->landmark_model);
    else if (ft_face_default_model("insightface_landmarks", path, sizeof path) != FT_OK)
        return FT_OK;
    ft_status st = ft_insightface_landmarker_open(path, place, &d->landmarker, err, n);
    if (st != FT_OK)
        return st;
    d->jaw_open = -1;
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        if (strcmp(ft_face_blendshape_name(i), "jawOpen") == 0)
            d->jaw_open = i;
    if (d->jaw_open < 0) {
        snprintf(err, n, "no jawOpen among the blendshape names");
        return FT_ERR_INTERNAL;
    }
    if (!(d->points = malloc(sizeof *d->points * FT_DETECTION_MAX_POINTS))) {
        snprintf(err, n, "out of memory");
        return FT_ERR_NOMEM;
    }
    return FT_OK;
}

static ft_status scrfd_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    scrfd *d = priv;
    d->opt = *o;
    char path[4096];
    if (o->detector_model && *o->detector_model)
        snprintf(path, sizeof path, "%s", o->detector_model);
    else if (ft_face_default_model("scrfd", path, sizeof path) != FT_OK) {
        scrfd_available(err, n);
        return FT_ERR_NOT_FOUND;
    }
    if (o->threads != 1 && !(d->pool = pthreadpool_create(o->threads > 0 ? (size_t)o->threads : 0))) {
        snprintf(err, n, "cannot start %d inference threads", o->threads);
        return FT_ERR_NOMEM;
    }
    d->size = o->detector_size > 0 ? o->detector_size : SCRFD_DET_SIZE;
    const ft_model_place place = {.pool = d->pool, .threads = 1,
                                  .gpu_device = o->gpu_device, .gpu_fp16 = o->gpu_fp16};
    ft_status st = ft_shaped_session_open(&d->net, path, check_model, d, &place, d->size, d->size,
                                          err, n);
    /* As InsightFace: a model of a fixed input size keeps it, det_size is
     * for the dynamic exports. */
    const int fixed = d->net.fixed_width;
    if (st == FT_OK && fixed > 0 && (fixed != d->size || d->net.fixed_height != d->size)) {
        if (o->detector_size > 0 && fixed != o->detector_size)
            ft_log(FT_LOG_WARN, "%s: det_size is already set in the model (%dx%d), %d ignored", path,
                   fixed, d->net.fixed_height, o->detector_size);
        if (d->net.fixed_height != fixed) {
            snprintf(err, n, "%s: input %dx%d is not square (not an SCRFD detector)", path, fixed,
                     d->net.fixed_height);
            return FT_ERR_FORMAT;
        }
        d->size = fixed;
        st = ft_shaped_session_reshape(&d->net, d->size, d->size, err, n);
    }
    if (st != FT_OK)
        return st;
    d->capacity = ft_scrfd_anchor_count(d->size, d->size);
    d->decoded = malloc((size_t)d->capacity * sizeof *d->decoded);
    d->kept = malloc((size_t)d->capacity * sizeof *d->kept);
    d->scratch = malloc((size_t)d->capacity * sizeof *d->scratch);
    if (!d->decoded || !d->kept || !d->scratch) {
        snprintf(err, n, "out of memory");
        return FT_ERR_NOMEM;
    }
    if ((st = open_landmarker(d, o, &place, err, n)) != FT_OK)
        return st;
    const int jaw = d->landmarker && ft_insightface_landmarker_points(d->landmarker) == 68;
    const ft_face_stages stages = {
        .ctx = d,
        .detect = detect,
        .max_detections = SCRFD_MAX_DETECTIONS,
        .finish = jaw ? finish : NULL,
        .error = stage_error,
        .scheme = d->landmarker ? ft_insightface_landmarker_scheme(d->landmarker) : FT_LANDMARKS_5,
        .blendshapes = jaw,
        .detections_are_faces = 1,
        .pose_from_landmarks = 1,
    };
    return ft_face_tracker_create(o, &stages, &d->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "landmark_model", "geometry_model", "num_faces", "min_tracking_confidence",
    "video", "detect_every_n", "max_width", "detector_size", "smoothing", "smoothing_min_cutoff",
    "smoothing_beta", "smoothing_derivate_cutoff", "max_lost_frames", "threads", NULL};

const ft_engine_class ft_insightface_class = {
    .info = {.name = "insightface",
             .aliases = no_aliases,
             .description = "InsightFace SCRFD detector: boxes and 5 keypoints (68 or 106 points "
                            "with the pack's landmark model)",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_5,
             .pose = 1,
             .options = options},
    .available = scrfd_available,
    .available_with_model = 1,
    .priv_size = sizeof(scrfd),
    .create = scrfd_create,
    FT_TRACKER_ENGINE_CALLS,
    .free = scrfd_free,
};
