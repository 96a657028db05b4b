/* Weighted NMS (spec §1.4), in float and in MediaPipe's order of operations
 * so that merged boxes agree to the last bits. */
#include "face/nms.h"

#include <stdlib.h>

float ft_face_box_iou(const ft_face_box *a, const ft_face_box *b)
{
    const float axmax = a->xmin + a->width, aymax = a->ymin + a->height;
    const float bxmax = b->xmin + b->width, bymax = b->ymin + b->height;
    /* Rectangle_f::Intersects: touching edges count (zero area). */
    if (b->xmin > axmax || bxmax < a->xmin || b->ymin > aymax || bymax < a->ymin)
        return 0.0f;
    const float ix0 = a->xmin > b->xmin ? a->xmin : b->xmin;
    const float iy0 = a->ymin > b->ymin ? a->ymin : b->ymin;
    const float ix1 = axmax < bxmax ? axmax : bxmax;
    const float iy1 = aymax < bymax ? aymax : bymax;
    const float inter = (ix1 - ix0) * (iy1 - iy0);
    const float norm = (axmax - a->xmin) * (aymax - a->ymin) + (bxmax - b->xmin) * (bymax - b->ymin) -
                       inter;
    return norm > 0.0f ? inter / norm : 0.0f;
}

/* Decreasing score; equal scores keep input order, so results do not
 * depend on the sort's stability. */
static int by_score(const void *pa, const void *pb)
{
    const ft_nms_entry *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

int ft_face_weighted_nms(const ft_face_box *in, int n, float threshold, ft_nms_entry *scratch,
                         ft_face_box *out, int max_out)
{
    ft_nms_entry *remaining = scratch, *next = scratch + n;
    for (int i = 0; i < n; i++)
        remaining[i] = (ft_nms_entry){in[i].score, i};
    qsort(remaining, (size_t)n, sizeof *remaining, by_score);
    int count = n, produced = 0;
    while (count > 0 && produced < max_out) {
        const ft_face_box *seed = &in[remaining[0].index];
        float kp[FT_FACE_KEYPOINTS][2] = {{0}};
        float wx0 = 0.0f, wy0 = 0.0f, wx1 = 0.0f, wy1 = 0.0f, total = 0.0f;
        int kept = 0, merged = 0;
        for (int i = 0; i < count; i++) {
            const ft_face_box *b = &in[remaining[i].index];
            if (!(ft_face_box_iou(b, seed) > threshold)) {
                next[kept++] = remaining[i];
                continue;
            }
            const float s = remaining[i].score;
            merged++;
            total += s;
            wx0 += b->xmin * s;
            wy0 += b->ymin * s;
            wx1 += (b->xmin + b->width) * s;
            wy1 += (b->ymin + b->height) * s;
            for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
                kp[k][0] += b->keypoints[k][0] * s;
                kp[k][1] += b->keypoints[k][1] * s;
            }
        }
        ft_face_box *o = &out[produced++];
        *o = *seed;
        if (merged > 0) {
            o->xmin = wx0 / total;
            o->ymin = wy0 / total;
            o->width = wx1 / total - o->xmin;
            o->height = wy1 / total - o->ymin;
            for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
                o->keypoints[k][0] = kp[k][0] / total;
                o->keypoints[k][1] = kp[k][1] / total;
            }
        }
        if (kept == count) /* nothing merged, not even the seed (empty box) */
            break;
        ft_nms_entry *t = remaining;
        remaining = next;
        next = t;
        count = kept;
    }
    return produced;
}
