/* BlazeFace detector (spec §1). Every buffer is sized at create time, so
 * detection allocates nothing per frame. */
#include "base/format_error.h"
#include "face/detector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/anchors.h"
#include "face/image_to_tensor.h"
#include "face/model_session.h"

struct ft_face_detector {
    char model[512];
    ft_face_detector_options opt;
    int size;  /* model input side in px */
    int count; /* anchors */
    ft_anchor *anchors;
    ft_model_session model_session;
    ft_nn_session *session;
    int out_boxes, out_scores; /* session output indices */
    float (*matrices)[16];     /* per batch item: crop -> image */
    int matrix_capacity;
    ft_face_box *candidates;   /* count */
    ft_face_box *merged;       /* count */
    ft_nms_entry *scratch;     /* 2 count */
    char error[640];
};

void ft_face_detector_options_init(ft_face_detector_options *o)
{
    o->min_score = 0.5f;
    o->min_suppression = 0.3f;
}

/* Output I of the graph is [1, anchors, LAST]. */
static int output_is(const ft_nn_graph *g, int i, int anchors, int last)
{
    const ft_nn_tensor *t = &g->tensors[g->outputs[i]];
    return t->dtype == FT_DTYPE_F32 && t->rank == 3 && t->shape[0] == 1 && t->shape[1] == anchors &&
           t->shape[2] == last;
}

/* Input 0 must be the [1, S, S, 3] float image; outputs boxes [1, N, 16] and
 * scores [1, N, 1] in either order. */
static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    ft_face_detector *d = context;
    if (g->input_count != 1 || g->output_count != 2) {
        snprintf(reason, n, "expected 1 input and 2 outputs (BlazeFace), the model has %d and %d",
                 g->input_count, g->output_count);
        return FT_ERR_FORMAT;
    }
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    if (in->dtype != FT_DTYPE_F32 || in->rank != 4 || in->shape[0] != 1 || in->shape[1] != d->size ||
        in->shape[2] != d->size || in->shape[3] != 3) {
        snprintf(reason, n, "input is not [1,%d,%d,3] float32 as this detector kind needs", d->size,
                 d->size);
        return FT_ERR_FORMAT;
    }
    for (int b = 0; b < 2; b++)
        if (output_is(g, b, d->count, 16) && output_is(g, 1 - b, d->count, 1)) {
            d->out_boxes = b;
            d->out_scores = 1 - b;
            return FT_OK;
        }
    snprintf(reason, n, "outputs are not [1,%d,16] boxes and [1,%d,1] scores", d->count, d->count);
    return FT_ERR_FORMAT;
}

static ft_status detector_open(const char *model_spec, ft_face_detector_kind kind,
                               const ft_face_detector_options *options,
                               const ft_model_place *place, ft_face_detector **out, char *err,
                               size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    if (!model_spec || (kind != FT_FACE_DETECTOR_SHORT_RANGE && kind != FT_FACE_DETECTOR_FULL_RANGE))
        return ft_format_error(err, err_size, FT_ERR_INVALID_ARG, "%s: %s", model_spec ? model_spec : "(null)",
                    "invalid detector arguments");
    ft_face_detector *d = calloc(1, sizeof *d);
    if (!d)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: %s", model_spec, "out of memory");
    snprintf(d->model, sizeof d->model, "%s", model_spec);
    if (options)
        d->opt = *options;
    else
        ft_face_detector_options_init(&d->opt);
    ft_anchor_options ao;
    if (kind == FT_FACE_DETECTOR_SHORT_RANGE)
        ft_anchor_options_short_range(&ao);
    else
        ft_anchor_options_full_range(&ao);
    d->size = ao.input_width;
    d->count = ft_anchor_count(&ao);
    d->anchors = malloc(sizeof *d->anchors * (size_t)d->count);
    d->candidates = malloc(sizeof *d->candidates * (size_t)d->count);
    d->merged = malloc(sizeof *d->merged * (size_t)d->count);
    d->scratch = malloc(sizeof *d->scratch * 2 * (size_t)d->count);
    if (!d->anchors || !d->candidates || !d->merged || !d->scratch) {
        ft_face_detector_free(d);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: %s", model_spec, "out of memory");
    }
    ft_anchors_generate(&ao, d->anchors, d->count);

    ft_status st = ft_model_session_open_on(&d->model_session, model_spec, check_model, d, place,
                                            err, err_size);
    if (st != FT_OK) {
        ft_face_detector_free(d);
        return st;
    }
    d->session = d->model_session.session;
    *out = d;
    return FT_OK;
}

ft_status ft_face_detector_create(const char *model_spec, ft_face_detector_kind kind,
                                  const ft_face_detector_options *options, int threads,
                                  ft_face_detector **out, char *err, size_t err_size)
{
    const ft_model_place cpu = {.pool = NULL, .threads = threads, .gpu_device = -1};
    return detector_open(model_spec, kind, options, &cpu, out, err, err_size);
}

ft_status ft_face_detector_create_on(const char *model_spec, ft_face_detector_kind kind,
                                     const ft_face_detector_options *options,
                                     const ft_model_place *place, ft_face_detector **out,
                                     char *err, size_t err_size)
{
    return detector_open(model_spec, kind, options, place, out, err, err_size);
}

void ft_face_detector_free(ft_face_detector *d)
{
    if (!d)
        return;
    ft_model_session_close(&d->model_session);
    free(d->anchors);
    free(d->candidates);
    free(d->merged);
    free(d->scratch);
    free(d->matrices);
    free(d);
}

const char *ft_face_detector_error(const ft_face_detector *d)
{
    return d ? d->error : "";
}

int ft_face_detector_anchor_count(const ft_face_detector *d)
{
    return d->count;
}

/* TensorsToDetectionsCalculator (spec §1.3): XYWH boxes scaled by the input
 * size around 1x1 anchors, clipped-logit sigmoid scores, score >= min. */
static int decode(ft_face_detector *d, const float *raw, const float *logits)
{
    const float scale = (float)d->size;
    int n = 0;
    for (int i = 0; i < d->count; i++) {
        float logit = logits[i];
        logit = logit < -100.0f ? -100.0f : logit > 100.0f ? 100.0f : logit;
        const float score = 1.0f / (1.0f + expf(-logit));
        if (!(score >= d->opt.min_score))
            continue;
        const float *r = raw + (size_t)i * 16;
        const ft_anchor *a = &d->anchors[i];
        const float xc = r[0] / scale * 1.0f + a->x_center;
        const float yc = r[1] / scale * 1.0f + a->y_center;
        const float w = r[2] / scale * 1.0f, h = r[3] / scale * 1.0f;
        const float xmin = xc - w / 2.0f, ymin = yc - h / 2.0f;
        const float xmax = xc + w / 2.0f, ymax = yc + h / 2.0f;
        ft_face_box *b = &d->candidates[n];
        b->score = score;
        b->xmin = xmin;
        b->ymin = ymin;
        b->width = xmax - xmin;
        b->height = ymax - ymin;
        if (!(b->width >= 0.0f) || !(b->height >= 0.0f))
            continue;
        for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
            b->keypoints[k][0] = r[4 + 2 * k] / scale * 1.0f + a->x_center;
            b->keypoints[k][1] = r[5 + 2 * k] / scale * 1.0f + a->y_center;
        }
        n++;
    }
    return n;
}

/* DetectionProjectionCalculator (spec §1.5): keypoints through the ROI
 * matrix; the box becomes the bounding box of its four projected corners. */
static void project(const float m[16], const ft_face_box *b, int iw, int ih, ft_face_detection *o)
{
    const float cx[4] = {b->xmin, b->xmin + b->width, b->xmin + b->width, b->xmin};
    const float cy[4] = {b->ymin, b->ymin, b->ymin + b->height, b->ymin + b->height};
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int k = 0; k < 4; k++) {
        float x, y;
        ft_matrix_apply(m, cx[k], cy[k], &x, &y);
        x0 = fminf(x0, x);
        y0 = fminf(y0, y);
        x1 = fmaxf(x1, x);
        y1 = fmaxf(y1, y);
    }
    o->rel.score = o->score = b->score;
    o->rel.xmin = x0;
    o->rel.ymin = y0;
    o->rel.width = x1 - x0;
    o->rel.height = y1 - y0;
    o->xmin = x0 * (float)iw;
    o->ymin = y0 * (float)ih;
    o->width = o->rel.width * (float)iw;
    o->height = o->rel.height * (float)ih;
    for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
        ft_matrix_apply(m, b->keypoints[k][0], b->keypoints[k][1], &o->rel.keypoints[k][0],
                        &o->rel.keypoints[k][1]);
        o->keypoints[k][0] = o->rel.keypoints[k][0] * (float)iw;
        o->keypoints[k][1] = o->rel.keypoints[k][1] * (float)ih;
    }
}

ft_status ft_face_detect(ft_face_detector *d, const ft_face_image *image, const ft_norm_rect *roi,
                         ft_face_detection *out, int max, int *count)
{
    if (!d || !image || !count || (max > 0 && !out) || max < 0)
        return FT_ERR_INVALID_ARG;
    return ft_face_detect_batch(d, image, roi, 1, out, max, count);
}

ft_status ft_face_detect_batch(ft_face_detector *d, const ft_face_image *image,
                               const ft_norm_rect *rois, int n, ft_face_detection *out, int max,
                               int *counts)
{
    if (!d || !image || !counts || n < 0 || (max > 0 && !out) || max < 0)
        return FT_ERR_INVALID_ARG;
    for (int i = 0; i < n; i++)
        counts[i] = 0;
    if (n == 0)
        return FT_OK;
    d->error[0] = '\0';
    ft_status st = FT_OK;
    if (n > d->matrix_capacity) { /* once per larger batch, not per frame */
        float(*grown)[16] = realloc(d->matrices, sizeof *grown * (size_t)n);
        if (!grown) {
            snprintf(d->error, sizeof d->error, "%s: out of memory", d->model);
            st = FT_ERR_NOMEM;
        } else {
            d->matrices = grown;
            d->matrix_capacity = n;
        }
    }
    if (st == FT_OK && (st = ft_nn_session_reshape(d->session, n, NULL)) == FT_ERR_NOMEM && n > 1) {
        /* a device memory cap: two smaller batches */
        const int half = n / 2;
        st = ft_face_detect_batch(d, image, rois, half, out, max, counts);
        return st == FT_OK ? ft_face_detect_batch(d, image, rois ? rois + half : NULL, n - half,
                                                  out ? out + (size_t)half * (size_t)max : NULL, max,
                                                  counts + half)
                           : st;
    }
    if (st != FT_OK)
        snprintf(d->error, sizeof d->error, "%s: %s", d->model, ft_nn_session_error(d->session));
    /* Letterboxed into the square input, zero border (= -1), range [-1, 1]. */
    const ft_tensor_spec spec = {d->size, d->size, -1.0f, 1.0f, 1, FT_BORDER_ZERO};
    float *input = st == FT_OK ? ft_nn_session_input(d->session, 0) : NULL;
    char why[160] = "";
    if (st == FT_OK && (st = ft_image_to_tensors(image, rois, n, &spec, input, NULL, d->matrices,
                                                 why, sizeof why)) != FT_OK)
        snprintf(d->error, sizeof d->error, "%.470s: %.159s", d->model,
                 why[0] ? why : "invalid image or ROI");
    if (st == FT_OK && (st = ft_nn_session_run(d->session)) != FT_OK)
        snprintf(d->error, sizeof d->error, "%s: %s", d->model, ft_nn_session_error(d->session));
    const float *boxes = st == FT_OK ? ft_nn_session_output(d->session, d->out_boxes) : NULL;
    const float *scores = st == FT_OK ? ft_nn_session_output(d->session, d->out_scores) : NULL;
    for (int i = 0; i < n && st == FT_OK; i++) {
        int found = decode(d, boxes + (size_t)i * d->count * 16, scores + (size_t)i * d->count);
        int kept = ft_face_weighted_nms(d->candidates, found, d->opt.min_suppression, d->scratch,
                                        d->merged, max);
        for (int k = 0; k < kept; k++)
            project(d->matrices[i], &d->merged[k], image->width, image->height,
                    &out[(size_t)i * (size_t)max + (size_t)k]);
        counts[i] = kept;
    }
    return st;
}
