/* TFLite_Detection_PostProcess as TFLite's detection_postprocess.cc computes
 * it on its fast path (use_regular_nms false, one class per detection):
 * inputs box encodings [1, A, 4] (ty, tx, th, tw), class scores [1, A, C]
 * (C = num_classes, plus one leading background column when present) and
 * anchors [A, 4] (y centre, x centre, h, w); each anchor decoded as
 * y = ty / y_scale * ha + ya, x = tx / x_scale * wa + xa, h = exp(th /
 * h_scale) * ha, w = exp(tw / w_scale) * wa; its best class scored; those
 * at least nms_score_threshold sorted by score and kept unless their IoU
 * with a kept box exceeds nms_iou_threshold, up to max_detections. Outputs:
 * boxes [1, M, 4] (ymin, xmin, ymax, xmax), classes [1, M], scores [1, M],
 * the count [1], all float, rows past the count zero. */
#include "nn/ref_detection_postprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/flexbuffer.h"

typedef struct options {
    int max_detections, num_classes;
    float score_threshold, iou_threshold;
    float y_scale, x_scale, h_scale, w_scale;
} options;

/* A number option: 1 with it in *OUT (DEF when absent and DEF is not NAN). */
static int number(const ft_nn_op *op, const char *key, double def, double *out)
{
    ft_flex_ref ref;
    const int found = op->attrs.custom_options
                          ? ft_flex_map_find(op->attrs.custom_options,
                                             op->attrs.custom_options_size, key, &ref)
                          : 0;
    if (found == 0 && !isnan(def)) {
        *out = def;
        return 1;
    }
    return found == 1 && ft_flex_number(&ref, out);
}

static const char *read_options(const ft_nn_op *op, options *o)
{
    double v[8], per_detection, regular;
    static const char *const keys[8] = {"max_detections",    "num_classes", "nms_score_threshold",
                                        "nms_iou_threshold", "y_scale",     "x_scale",
                                        "h_scale",           "w_scale"};
    for (int i = 0; i < 8; i++)
        if (!number(op, keys[i], NAN, &v[i]))
            return "options lack max_detections, num_classes, the thresholds or the box scales";
    if (!number(op, "max_classes_per_detection", 1, &per_detection) || per_detection != 1)
        return "only max_classes_per_detection 1 is supported";
    if (!number(op, "use_regular_nms", 0, &regular) || regular != 0)
        return "regular NMS (use_regular_nms) is not supported";
    if (v[0] < 1 || v[0] > 100000 || v[1] < 1 || v[1] > 100000)
        return "max_detections or num_classes out of range";
    for (int i = 4; i < 8; i++)
        if (!(v[i] > 0))
            return "box scales must be positive";
    *o = (options){(int)v[0], (int)v[1], (float)v[2], (float)v[3],
                   (float)v[4], (float)v[5], (float)v[6], (float)v[7]};
    return NULL;
}

static int shaped(const ft_nn_tensor *t, int rank, int64_t d0, int64_t d1, int64_t d2)
{
    const int64_t d[3] = {d0, d1, d2};
    if (!t || t->dtype != FT_DTYPE_F32 || t->rank != rank)
        return 0;
    for (int i = 0; i < rank; i++)
        if (d[i] >= 0 && t->shape[i] != d[i])
            return 0;
    return 1;
}

const char *ft_ref_check_detection_postprocess(const ft_nn_graph *g, const ft_nn_op *op)
{
    if (op->input_count != 3 || op->output_count != 4)
        return "needs box encodings, class scores and anchors, and four outputs";
    for (int i = 0; i < 3; i++)
        if (op->inputs[i] < 0)
            return "an input is missing";
    const ft_nn_tensor *b = &g->tensors[op->inputs[0]], *s = &g->tensors[op->inputs[1]],
                       *a = &g->tensors[op->inputs[2]];
    options o;
    const char *why = read_options(op, &o);
    if (why)
        return why;
    const int64_t anchors = b->rank == 3 ? b->shape[1] : -1;
    if (!shaped(b, 3, 1, -1, 4) || anchors < 1 || !shaped(s, 3, 1, anchors, -1) ||
        !shaped(a, 2, anchors, 4, -1))
        return "needs boxes [1, A, 4], scores [1, A, C] and anchors [A, 4], float32";
    if (s->shape[2] != o.num_classes && s->shape[2] != o.num_classes + 1)
        return "the scores have neither num_classes nor num_classes + 1 columns";
    const int64_t m = o.max_detections;
    if (!shaped(&g->tensors[op->outputs[0]], 3, 1, m, 4) ||
        !shaped(&g->tensors[op->outputs[1]], 2, 1, m, -1) ||
        !shaped(&g->tensors[op->outputs[2]], 2, 1, m, -1) ||
        !shaped(&g->tensors[op->outputs[3]], 1, 1, -1, -1))
        return "outputs must be [1, M, 4], [1, M], [1, M] and [1] with M = max_detections";
    return NULL;
}

typedef struct candidate {
    float score;
    int anchor, label;
} candidate;

static int by_score(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return a->anchor - b->anchor;
}

static float iou(const float *a, const float *b)
{
    const float area_a = (a[2] - a[0]) * (a[3] - a[1]), area_b = (b[2] - b[0]) * (b[3] - b[1]);
    if (area_a <= 0 || area_b <= 0)
        return 0;
    const float ih = fminf(a[2], b[2]) - fmaxf(a[0], b[0]);
    const float iw = fminf(a[3], b[3]) - fmaxf(a[1], b[1]);
    if (ih <= 0 || iw <= 0)
        return 0;
    return ih * iw / (area_a + area_b - ih * iw);
}

ft_status ft_ref_run_detection_postprocess(const ft_ref_call *c)
{
    options o;
    if (read_options(c->op, &o))
        return FT_ERR_FORMAT;
    const int64_t n = c->in[0]->shape[1], columns = c->in[1]->shape[2];
    const int offset = (int)(columns - o.num_classes); /* 1: a background column first */
    const float *enc = c->in_data[0], *scores = c->in_data[1], *anchors = c->in_data[2];
    float *boxes = malloc((size_t)n * 4 * sizeof *boxes);
    candidate *cand = malloc((size_t)n * sizeof *cand);
    if (!boxes || !cand) {
        free(boxes);
        free(cand);
        return FT_ERR_NOMEM;
    }
    int count = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *e = enc + i * 4, *an = anchors + i * 4;
        const float yc = e[0] / o.y_scale * an[2] + an[0];
        const float xc = e[1] / o.x_scale * an[3] + an[1];
        const float h = expf(e[2] / o.h_scale) * an[2], w = expf(e[3] / o.w_scale) * an[3];
        float *b = boxes + i * 4;
        b[0] = yc - h / 2;
        b[1] = xc - w / 2;
        b[2] = yc + h / 2;
        b[3] = xc + w / 2;
        const float *s = scores + i * columns + offset;
        int best = 0;
        for (int k = 1; k < o.num_classes; k++)
            if (s[k] > s[best])
                best = k;
        if (s[best] >= o.score_threshold)
            cand[count++] = (candidate){s[best], (int)i, best};
    }
    qsort(cand, (size_t)count, sizeof *cand, by_score);
    float *out_boxes = c->out_data[0], *out_classes = c->out_data[1], *out_scores = c->out_data[2];
    memset(out_boxes, 0, (size_t)o.max_detections * 4 * sizeof *out_boxes);
    memset(out_classes, 0, (size_t)o.max_detections * sizeof *out_classes);
    memset(out_scores, 0, (size_t)o.max_detections * sizeof *out_scores);
    int kept = 0;
    for (int i = 0; i < count && kept < o.max_detections; i++) {
        const float *b = boxes + (size_t)cand[i].anchor * 4;
        int keep = 1;
        for (int k = 0; k < kept && keep; k++)
            keep = iou(b, out_boxes + k * 4) <= o.iou_threshold;
        if (!keep)
            continue;
        memcpy(out_boxes + kept * 4, b, 4 * sizeof *b);
        out_classes[kept] = (float)cand[i].label;
        out_scores[kept] = cand[i].score;
        kept++;
    }
    ((float *)c->out_data[3])[0] = (float)kept;
    free(boxes);
    free(cand);
    return FT_OK;
}
