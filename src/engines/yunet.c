/* opencv_yunet: the original's YuNet engine (cv::FaceDetectorYN with
 * face_detection_yunet_2023mar.onnx): frames wider than max_width (640)
 * scaled down, the network run on them padded to a multiple of 32 as
 * OpenCV does, score 0.7, NMS 0.3, top-k 5000; boxes back in pixels of the
 * frame as the original rescales them (x, y, w, h times frame width over
 * detection width, truncated to integers). The boxes and their 5 keypoints
 * are the faces, tracked by the shared tracker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "engines/tracker_engine.h"
#include "face/detector_input.h"
#include "face/face_tracker.h"
#include "face/shaped_session.h"
#include "face/yunet_decode.h"

#define YUNET_MODEL "face_detection_yunet_2023mar.onnx"
#define YUNET_MAX_WIDTH 640
#define YUNET_SCORE 0.7f
#define YUNET_NMS 0.3f
#define YUNET_TOP_K 5000
#define YUNET_MAX_DETECTIONS 64

typedef struct yunet {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    ft_face_options opt;
    pthreadpool_t pool; /* NULL: the caller's thread */
    ft_shaped_session net;
    int outputs[4 * FT_YUNET_STRIDES];
    uint8_t *resized; /* the frame scaled to max_width */
    size_t resized_size;
    ft_kps_face *decoded, *kept;
    ft_nms_entry *scratch;
    int capacity; /* of decoded, kept, scratch: cells of the open input */
    char error[1280];
} yunet;

/* The twelve outputs by name, each [1, cells, 1|4|10]. */
static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    yunet *y = context;
    const char *names[FT_NN_MAX_IO];
    for (int i = 0; i < g->output_count && i < FT_NN_MAX_IO; i++)
        names[i] = g->tensors[g->outputs[i]].name;
    if (ft_yunet_map_outputs(names, g->output_count, y->outputs, reason, n) != 0)
        return FT_ERR_FORMAT;
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    static const int widths[4] = {1, 1, 4, 10};
    for (int s = 0; s < FT_YUNET_STRIDES; s++) {
        const int stride = 8 << s;
        const int64_t cells = (in->shape[2] / stride) * (in->shape[3] / stride);
        for (int k = 0; k < 4; k++) {
            const ft_nn_tensor *t = &g->tensors[g->outputs[y->outputs[4 * s + k]]];
            const int64_t last = t->shape[t->rank - 1];
            int64_t total = 1;
            for (int d = 0; d < t->rank; d++)
                total *= t->shape[d];
            if (t->dtype != FT_DTYPE_F32 || last != widths[k] || total != cells * widths[k]) {
                snprintf(reason, n, "output '%s' is not %lld x %d float32 (not a YuNet model)",
                         t->name, (long long)cells, widths[k]);
                return FT_ERR_FORMAT;
            }
        }
    }
    return FT_OK;
}

static ft_status grow(yunet *y, int cells)
{
    if (cells <= y->capacity)
        return FT_OK;
    free(y->decoded);
    free(y->kept);
    free(y->scratch);
    y->decoded = malloc((size_t)cells * sizeof *y->decoded);
    y->kept = malloc((size_t)cells * sizeof *y->kept);
    y->scratch = malloc((size_t)cells * sizeof *y->scratch);
    y->capacity = y->decoded && y->kept && y->scratch ? cells : 0;
    return y->capacity ? FT_OK : FT_ERR_NOMEM;
}

static ft_status fail(yunet *y, ft_status st, const char *what)
{
    snprintf(y->error, sizeof y->error, "%s", what);
    return st;
}

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)tracked;
    (void)frame;
    yunet *y = ctx;
    *found = 0;
    /* The original: cv2.resize to (max_width, int(h * max_width / w)). */
    const int max_width = y->opt.max_width > 0 ? y->opt.max_width : YUNET_MAX_WIDTH;
    ft_face_image work = *img;
    if (img->width > max_width) {
        const double scale = (double)max_width / img->width;
        work.width = max_width;
        work.height = (int)(img->height * scale);
        if (work.height < 1)
            work.height = 1;
        const size_t need = (size_t)work.width * (size_t)work.height * 3;
        if (need > y->resized_size) {
            free(y->resized);
            y->resized = malloc(need);
            y->resized_size = y->resized ? need : 0;
            if (!y->resized)
                return fail(y, FT_ERR_NOMEM, "out of memory");
        }
        ft_resize_bilinear(img, work.width, work.height, y->resized);
        work.data = y->resized;
        work.stride = work.width * 3;
        work.channels = 3;
    }
    const int pad_w = ft_yunet_padded(work.width), pad_h = ft_yunet_padded(work.height);
    ft_status st = ft_shaped_session_reshape(&y->net, pad_w, pad_h, y->error, sizeof y->error);
    if (st != FT_OK)
        return st;
    if (grow(y, ft_yunet_cell_count(pad_w, pad_h)) != FT_OK)
        return fail(y, FT_ERR_NOMEM, "out of memory");
    /* blobFromImage of the BGR frame: levels as they are */
    const ft_blob_format blob = {.bgr = 1, .mean = 0.0f, .scale = 1.0f};
    st = ft_blob_from_image(&work, &blob, pad_w, pad_h, ft_nn_session_input(y->net.session, 0));
    if (st == FT_OK && (st = ft_nn_session_run(y->net.session)) != FT_OK)
        snprintf(y->error, sizeof y->error, "%s: %s", y->net.model,
                 ft_nn_session_error(y->net.session));
    if (st != FT_OK)
        return st;
    ft_yunet_outputs o;
    for (int s = 0; s < FT_YUNET_STRIDES; s++) {
        o.cls[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 0]);
        o.obj[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 1]);
        o.bbox[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 2]);
        o.kps[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 3]);
    }
    const int n = ft_yunet_decode(&o, pad_w, pad_h, YUNET_SCORE, y->decoded, y->capacity);
    const int k = ft_yunet_nms(y->decoded, n, YUNET_SCORE, YUNET_NMS, YUNET_TOP_K, y->scratch,
                               y->kept);
    /* The original: rescale = orig_w / detect_w on x, y, w and h alike,
     * each int(max(0, v * rescale)). */
    const float rescale = (float)img->width / (float)work.width;
    const float iw = (float)img->width, ih = (float)img->height;
    const int m = k < capacity ? k : capacity;
    for (int i = 0; i < m; i++) {
        const ft_kps_face *f = &y->kept[i];
        const float v[4] = {f->x0, f->y0, f->width, f->height};
        int b[4];
        for (int j = 0; j < 4; j++) {
            const float s = v[j] * rescale;
            b[j] = (int)(s > 0.0f ? s : 0.0f);
        }
        ft_roi_detection *d = &out[i];
        *d = (ft_roi_detection){.score = f->score, .point_count = FT_KPS_POINTS};
        d->box = (ft_box){(float)b[0] / iw, (float)b[1] / ih, (float)(b[0] + b[2]) / iw,
                          (float)(b[1] + b[3]) / ih};
        for (int p = 0; p < FT_KPS_POINTS; p++) {
            d->points[p][0] = f->points[p][0] * rescale / iw;
            d->points[p][1] = f->points[p][1] * rescale / ih;
        }
    }
    *found = m;
    return FT_OK;
}

static const char *stage_error(const void *ctx)
{
    return ((const yunet *)ctx)->error;
}

/* ----------------------------------------------------------------- class */

static int yunet_available(char *why, size_t n)
{
    char path[4096];
    if (ft_face_default_model("yunet", path, sizeof path) == FT_OK)
        return 1;
    snprintf(why, n,
             "model " YUNET_MODEL " not found on the model search path (add its folder to "
             "FACETRACK_MODEL_PATH, or name the file: track's STEP5_YUNET_MODEL_PATH, detect's --detector)");
    return 0;
}

static void yunet_free(void *priv)
{
    yunet *y = priv;
    ft_face_tracker_free(y->tracker);
    ft_shaped_session_close(&y->net);
    if (y->pool)
        pthreadpool_destroy(y->pool);
    free(y->resized);
    free(y->decoded);
    free(y->kept);
    free(y->scratch);
}

static ft_status yunet_create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    yunet *y = priv;
    y->opt = *o;
    char path[4096];
    if (o->detector_model && *o->detector_model)
        snprintf(path, sizeof path, "%s", o->detector_model);
    else if (ft_face_default_model("yunet", path, sizeof path) != FT_OK) {
        yunet_available(err, n);
        return FT_ERR_NOT_FOUND;
    }
    if (o->threads != 1 && !(y->pool = pthreadpool_create(o->threads > 0 ? (size_t)o->threads : 0))) {
        snprintf(err, n, "cannot start %d inference threads", o->threads);
        return FT_ERR_NOMEM;
    }
    /* Opened once now at the model's usual size to check it; frames
     * reshape it to their own. */
    const ft_model_place place = {y->pool, 1, o->gpu_device, o->gpu_fp16};
    ft_status st = ft_shaped_session_open(&y->net, path, check_model, y, &place, 640, 640, err, n);
    if (st != FT_OK)
        return st;
    const ft_face_stages stages = {
        .ctx = y,
        .detect = detect,
        .max_detections = YUNET_MAX_DETECTIONS,
        .error = stage_error,
        .scheme = FT_LANDMARKS_5,
        .detections_are_faces = 1,
    };
    return ft_face_tracker_create(o, &stages, &y->tracker, err, n);
}

static const char *const no_aliases[] = {NULL};
static const char *const options[] = {
    "detector_model", "num_faces", "min_tracking_confidence", "video", "detect_every_n",
    "max_width", "smoothing", "smoothing_min_cutoff", "smoothing_beta",
    "smoothing_derivate_cutoff", "max_lost_frames", "threads", NULL};

const ft_engine_class ft_opencv_yunet_class = {
    .info = {.name = "opencv_yunet",
             .aliases = no_aliases,
             .description = "YuNet detector (OpenCV FaceDetectorYN): boxes and 5 keypoints",
             .source = "face_landmarker",
             .label = "face",
             .landmarks = FT_LANDMARKS_5,
             .options = options},
    .available = yunet_available,
    .available_with_model = 1,
    .priv_size = sizeof(yunet),
    .create = yunet_create,
    FT_TRACKER_ENGINE_CALLS,
    .free = yunet_free,
};
