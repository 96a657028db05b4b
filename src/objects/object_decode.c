/* Decoders written from the models' own definitions: CenterNet's tail is in
 * its graph (tower_0/max_pooling2d peak test, TopKV2 over the flattened
 * heatmap, boxes x*4 - wh[0], y*4 - wh[1], x*4 + wh[2], y*4 + wh[3]); the
 * human library's src/object/centernet.ts runs that tail and then
 * tf.image.nonMaxSuppression. NanoDet's is RangiLyu/nanodet's GFL head
 * (distribution over reg_max + 1 bins, softmax, expectation, times the
 * stride, from the cell centre). */
#include "objects/object_decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_score(const void *a, const void *b)
{
    const ft_object_box *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    /* ties: a fixed order, so results never depend on the sort */
    if (x->class_id != y->class_id)
        return x->class_id - y->class_id;
    if (x->y1 != y->y1)
        return x->y1 < y->y1 ? -1 : 1;
    return x->x1 < y->x1 ? -1 : x->x1 > y->x1;
}

/* Keeps the MAX_OUT best of OUT[0..*n) plus CANDIDATE (OUT sorted). */
static void keep_best(ft_object_box *out, int *n, int max_out, const ft_object_box *candidate)
{
    int i = *n < max_out ? (*n)++ : max_out;
    if (i == max_out) {
        if (max_out == 0 || by_score(candidate, &out[max_out - 1]) >= 0)
            return;
        i = max_out - 1;
    }
    while (i > 0 && by_score(candidate, &out[i - 1]) < 0) {
        out[i] = out[i - 1];
        i--;
    }
    out[i] = *candidate;
}

int ft_centernet_decode(const float *heat, const float *wh, int h, int w, int classes, int stride,
                        float min_score, ft_object_box *out, int max_out)
{
    int n = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const float *cell = heat + ((size_t)y * w + x) * classes;
            for (int c = 0; c < classes; c++) {
                const float v = cell[c];
                if (!(v >= min_score))
                    continue;
                int peak = 1;
                for (int dy = -1; dy <= 1 && peak; dy++)
                    for (int dx = -1; dx <= 1 && peak; dx++) {
                        const int yy = y + dy, xx = x + dx;
                        if ((dy || dx) && yy >= 0 && yy < h && xx >= 0 && xx < w)
                            peak = heat[((size_t)yy * w + xx) * classes + c] <= v;
                    }
                if (!peak)
                    continue;
                const float *d = wh + ((size_t)y * w + x) * 4;
                const float px = (float)(x * stride), py = (float)(y * stride);
                const ft_object_box b = {px - d[0], py - d[1], px + d[2], py + d[3], v, c};
                keep_best(out, &n, max_out, &b);
            }
        }
    }
    return n;
}

void ft_gfl_decode(const float *scores, int score_pitch, const float *reg, int reg_pitch,
                   int grid_w, int grid_h, int classes, int bins, int stride, float offset,
                   float min_score, ft_object_box *out, int *count, int max_out)
{
    for (int i = 0; i < grid_w * grid_h; i++) {
        const float *s = scores + (size_t)i * score_pitch;
        int best = 0;
        for (int c = 1; c < classes; c++)
            if (s[c] > s[best])
                best = c;
        if (!(s[best] >= min_score))
            continue;
        float dist[4];
        for (int side = 0; side < 4; side++) {
            const float *r = reg + (size_t)i * reg_pitch + side * bins;
            float top = r[0], sum = 0, expect = 0;
            for (int k = 1; k < bins; k++)
                top = r[k] > top ? r[k] : top;
            for (int k = 0; k < bins; k++) {
                const float e = expf(r[k] - top);
                sum += e;
                expect += e * (float)k;
            }
            dist[side] = expect / sum * (float)stride;
        }
        const float cx = ((float)(i % grid_w) + offset) * (float)stride;
        const float cy = ((float)(i / grid_w) + offset) * (float)stride;
        const ft_object_box b = {cx - dist[0], cy - dist[1], cx + dist[2], cy + dist[3], s[best],
                                 best};
        keep_best(out, count, max_out, &b);
    }
}

void ft_nanodet_decode(const float *scores, const float *reg, int grid, int classes, int bins,
                       int stride, float min_score, ft_object_box *out, int *count, int max_out)
{
    ft_gfl_decode(scores, classes, reg, 4 * bins, grid, grid, classes, bins, stride, 0.5f,
                  min_score, out, count, max_out);
}

void ft_yolo_decode(const float *pred, int n, int classes, float min_score, ft_object_box *out,
                    int *count, int max_out)
{
    for (int i = 0; i < n; i++) {
        int best = 0;
        float score = pred[(size_t)4 * n + i];
        for (int c = 1; c < classes; c++) {
            const float v = pred[(size_t)(4 + c) * n + i];
            if (v > score) {
                score = v;
                best = c;
            }
        }
        if (!(score >= min_score))
            continue;
        const float cx = pred[i], cy = pred[(size_t)n + i];
        const float w = pred[(size_t)2 * n + i], h = pred[(size_t)3 * n + i];
        const ft_object_box b = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, best};
        keep_best(out, count, max_out, &b);
    }
}

float ft_object_iou(const ft_object_box *a, const ft_object_box *b)
{
    const float ix = fminf(a->x2, b->x2) - fmaxf(a->x1, b->x1);
    const float iy = fminf(a->y2, b->y2) - fmaxf(a->y1, b->y1);
    if (ix <= 0 || iy <= 0)
        return 0;
    const float inter = ix * iy;
    const float uni = (a->x2 - a->x1) * (a->y2 - a->y1) + (b->x2 - b->x1) * (b->y2 - b->y1) - inter;
    return uni > 0 ? inter / uni : 0;
}

int ft_object_nms(ft_object_box *boxes, int n, float iou, int max_keep)
{
    qsort(boxes, (size_t)n, sizeof *boxes, by_score);
    int kept = 0;
    for (int i = 0; i < n && kept < max_keep; i++) {
        int keep = 1;
        for (int k = 0; k < kept && keep; k++)
            keep = ft_object_iou(&boxes[i], &boxes[k]) <= iou;
        if (keep)
            boxes[kept++] = boxes[i];
    }
    return kept;
}
