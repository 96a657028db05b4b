#include "objects/object_tracker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ft_object_tracker_init(ft_object_tracker *t, float max_distance, int max_unseen)
{
    memset(t, 0, sizeof *t);
    t->max_distance = max_distance;
    t->max_unseen = max_unseen;
}

void ft_object_tracker_clear(ft_object_tracker *t)
{
    t->count = 0;
}

typedef struct candidate {
    double dist;
    int track, det;
} candidate;

static int by_distance(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    if (x->track != y->track)
        return x->track - y->track;
    return x->det - y->det;
}

void ft_object_tracker_update(ft_object_tracker *t, const float (*c)[2], int n, int *ids)
{
    for (int k = 0; k < t->count; k++)
        t->tracks[k].unseen++;
    candidate cand[FT_OBJECT_MAX_TRACKS];
    int nc = 0;
    int used_track[FT_OBJECT_MAX_TRACKS] = {0};
    if (n > FT_OBJECT_MAX_TRACKS)
        n = FT_OBJECT_MAX_TRACKS;
    for (int i = 0; i < n; i++) {
        ids[i] = -1;
        int best = -1;
        double best_d = 0;
        for (int k = 0; k < t->count; k++) {
            const double dx = t->tracks[k].cx - c[i][0], dy = t->tracks[k].cy - c[i][1];
            const double d = sqrt(dx * dx + dy * dy);
            if (best < 0 || d < best_d) {
                best = k;
                best_d = d;
            }
        }
        if (best >= 0)
            cand[nc++] = (candidate){best_d, best, i};
    }
    qsort(cand, (size_t)nc, sizeof *cand, by_distance);
    for (int m = 0; m < nc; m++) {
        const candidate *p = &cand[m];
        if (p->dist > t->max_distance || used_track[p->track] || ids[p->det] >= 0)
            continue;
        used_track[p->track] = 1;
        ft_object_track *tr = &t->tracks[p->track];
        tr->cx = c[p->det][0];
        tr->cy = c[p->det][1];
        tr->unseen = 0;
        ids[p->det] = tr->id;
    }
    for (int i = 0; i < n; i++) {
        if (ids[i] >= 0)
            continue;
        ids[i] = t->next_id++;
        if (t->count == FT_OBJECT_MAX_TRACKS) { /* full: the longest unseen goes */
            int worst = 0;
            for (int k = 1; k < t->count; k++)
                if (t->tracks[k].unseen > t->tracks[worst].unseen)
                    worst = k;
            t->tracks[worst] = t->tracks[--t->count];
        }
        t->tracks[t->count++] = (ft_object_track){ids[i], c[i][0], c[i][1], 0};
    }
    int kept = 0;
    for (int k = 0; k < t->count; k++)
        if (t->tracks[k].unseen <= t->max_unseen)
            t->tracks[kept++] = t->tracks[k];
    t->count = kept;
}
