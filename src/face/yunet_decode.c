/* YuNet decoding (see yunet_decode.h). */
#include "face/yunet_decode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int strides[FT_YUNET_STRIDES] = {8, 16, 32};

int ft_yunet_padded(int side)
{
    return ((side - 1) / 32 + 1) * 32;
}

int ft_yunet_cell_count(int pad_w, int pad_h)
{
    int n = 0;
    for (int s = 0; s < FT_YUNET_STRIDES; s++)
        n += (pad_w / strides[s]) * (pad_h / strides[s]);
    return n;
}

static float clamp01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

int ft_yunet_decode(const ft_yunet_outputs *o, int pad_w, int pad_h, float score_threshold,
                    ft_kps_face *out, int capacity)
{
    int n = 0;
    for (int s = 0; s < FT_YUNET_STRIDES; s++) {
        const int stride = strides[s], cols = pad_w / stride, rows = pad_h / stride;
        const float fs = (float)stride;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                const size_t i = (size_t)r * (size_t)cols + (size_t)c;
                const float score = sqrtf(clamp01(o->cls[s][i]) * clamp01(o->obj[s][i]));
                if (score < score_threshold || n == capacity)
                    continue;
                const float *b = o->bbox[s] + 4 * i, *k = o->kps[s] + 10 * i;
                const float cx = ((float)c + b[0]) * fs, cy = ((float)r + b[1]) * fs;
                const float w = expf(b[2]) * fs, h = expf(b[3]) * fs;
                ft_kps_face *f = &out[n++];
                f->x0 = cx - w / 2.0f;
                f->y0 = cy - h / 2.0f;
                /* OpenCV keeps (x, y, w, h); the corner is x + w */
                f->x1 = f->x0 + w;
                f->y1 = f->y0 + h;
                f->width = w;
                f->height = h;
                for (int p = 0; p < FT_KPS_POINTS; p++) {
                    f->points[p][0] = (k[2 * p] + (float)c) * fs;
                    f->points[p][1] = (k[2 * p + 1] + (float)r) * fs;
                }
                f->score = score;
            }
    }
    return n;
}

typedef struct int_rect {
    int x, y, w, h;
} int_rect;

static int_rect rect_of(const ft_kps_face *f)
{
    /* Rect2i(int(x), int(y), int(w), int(h)): C's cast truncates as int() does */
    return (int_rect){(int)f->x0, (int)f->y0, (int)f->width, (int)f->height};
}

/* 1 - jaccardDistance of two Rect2i: the intersection (empty when either
 * side is not positive) over the union of the integer areas. */
static double rect_overlap(const int_rect *a, const int_rect *b)
{
    const double aa = (double)a->w * a->h, ab = (double)b->w * b->h;
    if (aa + ab <= 0.0)
        return 1.0;
    const int x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
    const int x1 = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
    const int y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
    const double inter = x1 > x0 && y1 > y0 ? (double)(x1 - x0) * (y1 - y0) : 0.0;
    return inter / (aa + ab - inter);
}

/* Decreasing score, ties in input order: std::stable_sort's result. */
static int by_score(const void *pa, const void *pb)
{
    const ft_nms_entry *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

int ft_yunet_nms(const ft_kps_face *in, int n, float score_threshold, float nms_threshold,
                 int top_k, ft_nms_entry *scratch, ft_kps_face *out)
{
    if (n <= 1) {
        if (n == 1)
            out[0] = in[0];
        return n;
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (in[i].score > score_threshold)
            scratch[m++] = (ft_nms_entry){in[i].score, i};
    qsort(scratch, (size_t)m, sizeof *scratch, by_score);
    if (top_k > 0 && m > top_k)
        m = top_k;
    int k = 0;
    for (int i = 0; i < m; i++) {
        const int_rect r = rect_of(&in[scratch[i].index]);
        int keep = 1;
        for (int j = 0; j < k && keep; j++) {
            const int_rect q = rect_of(&out[j]);
            keep = rect_overlap(&r, &q) <= nms_threshold;
        }
        if (keep)
            out[k++] = in[scratch[i].index];
    }
    return k;
}

int ft_yunet_map_outputs(const char *const *names, int count, int index[4 * FT_YUNET_STRIDES],
                         char *why, size_t why_size)
{
    static const char *const kinds[4] = {"cls", "obj", "bbox", "kps"};
    for (int s = 0; s < FT_YUNET_STRIDES; s++)
        for (int k = 0; k < 4; k++) {
            char want[16];
            snprintf(want, sizeof want, "%s_%d", kinds[k], strides[s]);
            int found = -1;
            for (int i = 0; i < count && found < 0; i++)
                if (names[i] && strcmp(names[i], want) == 0)
                    found = i;
            if (found < 0) {
                snprintf(why, why_size, "no output '%s' (YuNet has cls, obj, bbox, kps at strides 8, 16, 32)",
                         want);
                return -1;
            }
            index[4 * s + k] = found;
        }
    return 0;
}
