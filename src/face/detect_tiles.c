#include "face/detect_tiles.h"

#include <math.h>

/* N tiles of side S along a length L, first and last flush with the ends. */
static int tiles_along(int length, int side)
{
    if (length <= side)
        return 1;
    const int step_max = side - side / 8; /* at least 1/8 overlap */
    return 1 + (length - side + step_max - 1) / step_max;
}

void ft_detect_plan_tiles(int width, int height, int max_tile_px, ft_detect_plan *plan)
{
    plan->count = 0;
    int side = width < height ? width : height;
    if (max_tile_px > 0 && side > max_tile_px)
        side = max_tile_px;
    if (max_tile_px <= 0 || side <= 0 || width == height) {
        plan->tiles[plan->count++] = (ft_norm_rect){0.5f, 0.5f, 1.0f, 1.0f, 0.0f};
        return;
    }
    int nx = tiles_along(width, side), ny = tiles_along(height, side);
    while (nx * ny > FT_DETECT_MAX_TILES) {
        side += side / 4;
        nx = tiles_along(width, side);
        ny = tiles_along(height, side);
    }
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            const int tw = side < width ? side : width, th = side < height ? side : height;
            const float x0 = nx == 1 ? (float)(width - tw) / 2 : (float)(width - tw) * i / (nx - 1);
            const float y0 = ny == 1 ? (float)(height - th) / 2 : (float)(height - th) * j / (ny - 1);
            plan->tiles[plan->count++] =
                (ft_norm_rect){(x0 + tw / 2.0f) / width, (y0 + th / 2.0f) / height,
                               (float)tw / width, (float)th / height, 0.0f};
        }
}

ft_status ft_face_detect_tiled(ft_face_detector *det, const ft_face_image *image,
                               const ft_detect_plan *plan, float nms_threshold,
                               ft_detect_scratch *s, ft_face_detection *out, int max, int *count)
{
    *count = 0;
    /* All tiles in one model run; each tile's detections land in its own
     * FT_DETECT_MAX_PER_TILE slots of FOUND, then close up in tile order. */
    int per_tile[FT_DETECT_MAX_TILES];
    ft_status st = ft_face_detect_batch(det, image, plan->tiles, plan->count, s->found,
                                        FT_DETECT_MAX_PER_TILE, per_tile);
    if (st != FT_OK)
        return st;
    int n = 0;
    for (int t = 0; t < plan->count; t++)
        for (int i = 0; i < per_tile[t]; i++)
            s->found[n++] = s->found[t * FT_DETECT_MAX_PER_TILE + i];
    if (plan->count == 1) { /* already merged by the detector */
        for (int i = 0; i < n && i < max; i++)
            out[(*count)++] = s->found[i];
        return FT_OK;
    }
    for (int i = 0; i < n; i++)
        s->boxes[i] = s->found[i].rel;
    const int kept = ft_face_weighted_nms(s->boxes, n, nms_threshold, s->order, s->merged, max);
    for (int i = 0; i < kept; i++) {
        const ft_face_box *b = &s->merged[i];
        ft_face_detection *o = &out[i];
        o->rel = *b;
        o->score = b->score;
        o->xmin = b->xmin * (float)image->width;
        o->ymin = b->ymin * (float)image->height;
        o->width = b->width * (float)image->width;
        o->height = b->height * (float)image->height;
        for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
            o->keypoints[k][0] = b->keypoints[k][0] * (float)image->width;
            o->keypoints[k][1] = b->keypoints[k][1] * (float)image->height;
        }
    }
    *count = kept;
    return FT_OK;
}

/* Decreasing score; equal scores keep their order. */
static void sort_by_score(ft_face_detection *d, int n)
{
    for (int i = 1; i < n; i++) {
        const ft_face_detection x = d[i];
        int j = i;
        for (; j > 0 && d[j - 1].score < x.score; j--)
            d[j] = d[j - 1];
        d[j] = x;
    }
}

void ft_face_detect_add_unseen(ft_face_detection *extra, int n, float nms_threshold,
                               ft_face_detection *out, int max, int *count)
{
    sort_by_score(extra, n);
    for (int e = 0; e < n && *count < max; e++) {
        int seen = 0;
        for (int i = 0; i < *count && !seen; i++)
            seen = ft_face_box_iou(&extra[e].rel, &out[i].rel) > nms_threshold;
        if (seen)
            continue;
        int at = *count;
        for (; at > 0 && out[at - 1].score < extra[e].score; at--)
            out[at] = out[at - 1];
        out[at] = extra[e];
        (*count)++;
    }
}
