/* SCRFD decoding (see scrfd_decode.h). */
#include "face/scrfd_decode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const int strides[FT_SCRFD_STRIDES] = {8, 16, 32};

int ft_scrfd_anchor_count(int input_w, int input_h)
{
    int n = 0;
    for (int s = 0; s < FT_SCRFD_STRIDES; s++)
        n += (input_w / strides[s]) * (input_h / strides[s]) * FT_SCRFD_ANCHORS;
    return n;
}

void ft_scrfd_letterbox(int width, int height, int size, int *new_w, int *new_h, float *scale)
{
    const double ratio = (double)height / (double)width;
    if (ratio > 1.0) { /* taller than the square input */
        *new_h = size;
        *new_w = (int)((double)size / ratio);
    } else {
        *new_w = size;
        *new_h = (int)((double)size * ratio);
    }
    *scale = (float)((double)*new_h / (double)height);
}

int ft_scrfd_decode(const ft_scrfd_outputs *o, int input_w, int input_h, float threshold,
                    ft_kps_face *out, int capacity)
{
    int n = 0;
    for (int s = 0; s < FT_SCRFD_STRIDES; s++) {
        const int stride = strides[s], cols = input_w / stride, rows = input_h / stride;
        const float fs = (float)stride;
        const int count = rows * cols * FT_SCRFD_ANCHORS;
        for (int a = 0; a < count; a++) {
            const float score = o->score[s][a];
            if (!(score >= threshold) || n == capacity)
                continue;
            const int cell = a / FT_SCRFD_ANCHORS;
            const float cx = (float)(cell % cols) * fs, cy = (float)(cell / cols) * fs;
            const float *b = o->bbox[s] + 4 * (size_t)a;
            ft_kps_face *f = &out[n++];
            f->x0 = cx - b[0] * fs;
            f->y0 = cy - b[1] * fs;
            f->x1 = cx + b[2] * fs;
            f->y1 = cy + b[3] * fs;
            f->width = f->x1 - f->x0;
            f->height = f->y1 - f->y0;
            const float *k = o->kps[s] ? o->kps[s] + 10 * (size_t)a : NULL;
            for (int p = 0; p < FT_KPS_POINTS; p++) {
                f->points[p][0] = k ? cx + k[2 * p] * fs : 0.0f;
                f->points[p][1] = k ? cy + k[2 * p + 1] * fs : 0.0f;
            }
            f->score = score;
        }
    }
    return n;
}

static int by_score(const void *pa, const void *pb)
{
    const ft_nms_entry *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static float overlap(const ft_kps_face *a, const ft_kps_face *b)
{
    const float area_a = (a->x1 - a->x0 + 1.0f) * (a->y1 - a->y0 + 1.0f);
    const float area_b = (b->x1 - b->x0 + 1.0f) * (b->y1 - b->y0 + 1.0f);
    const float w = fmaxf(0.0f, fminf(a->x1, b->x1) - fmaxf(a->x0, b->x0) + 1.0f);
    const float h = fmaxf(0.0f, fminf(a->y1, b->y1) - fmaxf(a->y0, b->y0) + 1.0f);
    const float inter = w * h;
    return inter / (area_a + area_b - inter);
}

int ft_scrfd_nms(const ft_kps_face *in, int n, float threshold, ft_nms_entry *scratch,
                 ft_kps_face *out)
{
    for (int i = 0; i < n; i++)
        scratch[i] = (ft_nms_entry){in[i].score, i};
    qsort(scratch, (size_t)n, sizeof *scratch, by_score);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const ft_kps_face *f = &in[scratch[i].index];
        int keep = 1;
        for (int j = 0; j < k && keep; j++)
            keep = overlap(&out[j], f) <= threshold;
        if (keep)
            out[k++] = *f;
    }
    return k;
}

int ft_scrfd_map_outputs(const int64_t *rows, const int64_t *cols, int count, int input_w,
                         int input_h, int index[3 * FT_SCRFD_STRIDES], char *why, size_t why_size)
{
    static const int widths[3] = {1, 4, 10};
    static const char *const kinds[3] = {"scores", "boxes", "keypoints"};
    if (count != 9) {
        snprintf(why, why_size,
                 "%d outputs, not the 9 of an SCRFD *_kps detector (scores, boxes and keypoints at "
                 "strides 8, 16, 32)",
                 count);
        return -1;
    }
    for (int s = 0; s < FT_SCRFD_STRIDES; s++) {
        const int64_t anchors =
            (int64_t)(input_w / strides[s]) * (input_h / strides[s]) * FT_SCRFD_ANCHORS;
        for (int k = 0; k < 3; k++) {
            int found = -1;
            for (int i = 0; i < count; i++)
                if (rows[i] == anchors && cols[i] == widths[k]) {
                    if (found >= 0) {
                        snprintf(why, why_size, "two outputs of [%lld, %d]", (long long)anchors,
                                 widths[k]);
                        return -1;
                    }
                    found = i;
                }
            if (found < 0) {
                snprintf(why, why_size,
                         "no output of stride-%d %s ([%lld, %d] for a %dx%d input with 2 anchors "
                         "per cell)",
                         strides[s], kinds[k], (long long)anchors, widths[k], input_w, input_h);
                return -1;
            }
            index[3 * s + k] = found;
        }
    }
    return 0;
}
