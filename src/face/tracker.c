#include "face/tracker.h"

#include <float.h>
#include <math.h>

float ft_box_iou(const ft_box *a, const ft_box *b)
{
    const float ix = fminf(a->x1, b->x1) - fmaxf(a->x0, b->x0);
    const float iy = fminf(a->y1, b->y1) - fmaxf(a->y0, b->y0);
    if (ix <= 0.0f || iy <= 0.0f)
        return 0.0f;
    const float inter = ix * iy;
    const float uni = (a->x1 - a->x0) * (a->y1 - a->y0) + (b->x1 - b->x0) * (b->y1 - b->y0) - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

ft_box ft_box_of_roi(const ft_norm_rect *r, int iw, int ih)
{
    /* Half extents of the rotated rect, in pixels, projected on the axes. */
    const float w = r->width * (float)iw, h = r->height * (float)ih;
    const float c = fabsf(cosf(r->rotation)), s = fabsf(sinf(r->rotation));
    const float hx = (w * c + h * s) / 2.0f / (float)iw, hy = (w * s + h * c) / 2.0f / (float)ih;
    return (ft_box){r->x_center - hx, r->y_center - hy, r->x_center + hx, r->y_center + hy};
}

ft_box ft_box_of_points(const float (*p)[3], int n)
{
    ft_box b = {FLT_MAX, FLT_MAX, -FLT_MAX, -FLT_MAX};
    for (int i = 0; i < n; i++) {
        b.x0 = fminf(b.x0, p[i][0]);
        b.y0 = fminf(b.y0, p[i][1]);
        b.x1 = fmaxf(b.x1, p[i][0]);
        b.y1 = fmaxf(b.y1, p[i][1]);
    }
    return b;
}

ft_box ft_track_predicted_box(const ft_track *t)
{
    const float k = (float)t->lost_frames;
    return (ft_box){t->box.x0 + k * t->velocity[0], t->box.y0 + k * t->velocity[1],
                    t->box.x1 + k * t->velocity[0], t->box.y1 + k * t->velocity[1]};
}

static void centre_size(const ft_box *b, float *cx, float *cy, float *size)
{
    *cx = (b->x0 + b->x1) / 2.0f;
    *cy = (b->y0 + b->y1) / 2.0f;
    *size = fmaxf(b->x1 - b->x0, b->y1 - b->y0);
}

int ft_track_reidentify(const ft_track *tracks, int n, const ft_box *box)
{
    int best = -1;
    float best_score = 0.0f;
    float cx, cy, size;
    centre_size(box, &cx, &cy, &size);
    for (int i = 0; i < n; i++) {
        if (tracks[i].state != FT_TRACK_LOST)
            continue;
        const ft_box p = ft_track_predicted_box(&tracks[i]);
        float px, py, psize;
        centre_size(&p, &px, &py, &psize);
        const float iou = ft_box_iou(&p, box);
        const float dist = hypotf(px - cx, py - cy) / fmaxf(size, psize);
        /* Overlap counts; otherwise nearness within half a face, if the
         * sizes agree within a factor of 2. */
        float score = iou > 0.3f ? iou : 0.0f;
        if (score == 0.0f && dist < 0.5f && psize < 2.0f * size && size < 2.0f * psize)
            score = 0.3f * (1.0f - dist);
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    return best;
}

void ft_track_observe(ft_track *t, const ft_box *box)
{
    if (t->state == FT_TRACK_ACTIVE) {
        const int gap = t->lost_frames + 1;
        const float vx = ((box->x0 + box->x1) - (t->box.x0 + t->box.x1)) / 2.0f / (float)gap;
        const float vy = ((box->y0 + box->y1) - (t->box.y0 + t->box.y1)) / 2.0f / (float)gap;
        t->velocity[0] = 0.5f * t->velocity[0] + 0.5f * vx;
        t->velocity[1] = 0.5f * t->velocity[1] + 0.5f * vy;
    } else {
        t->velocity[0] = t->velocity[1] = 0.0f;
    }
    t->box = *box;
    t->lost_frames = 0;
}

static float relative_motion(const ft_track *t, const ft_box *now)
{
    float cx, cy, size, nx, ny, nsize;
    centre_size(&t->box, &cx, &cy, &size);
    centre_size(now, &nx, &ny, &nsize);
    return hypotf(nx - cx - t->velocity[0], ny - cy - t->velocity[1]) / fmaxf(size, 1e-6f);
}

int ft_track_pick_survivor(const ft_track *a, const ft_box *a_now, const ft_track *b,
                           const ft_box *b_now)
{
    return relative_motion(b, b_now) < relative_motion(a, a_now) ? 1 : 0;
}
