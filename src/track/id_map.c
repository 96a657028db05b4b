/* Per-video object IDs across frame ranges (see id_map.h). */
#include "track/id_map.h"

#include <stdlib.h>
#include <string.h>

static int reserve(ft_id_map *m, int local)
{
    if (local < m->cap)
        return 1;
    int n = m->cap ? m->cap : 16;
    while (n <= local)
        n *= 2;
    int *p = realloc(m->ids, (size_t)n * sizeof *p);
    if (!p)
        return 0;
    memset(p + m->cap, 0, (size_t)(n - m->cap) * sizeof *p);
    m->ids = p;
    m->cap = n;
    return 1;
}

static float iou(const ft_tracked_face *a, const ft_tracked_face *b)
{
    const float ix = (a->x1 < b->x1 ? a->x1 : b->x1) - (a->x0 > b->x0 ? a->x0 : b->x0);
    const float iy = (a->y1 < b->y1 ? a->y1 : b->y1) - (a->y0 > b->y0 ? a->y0 : b->y0);
    if (ix <= 0 || iy <= 0)
        return 0;
    const float inter = ix * iy;
    const float uni = (a->x1 - a->x0) * (a->y1 - a->y0) + (b->x1 - b->x0) * (b->y1 - b->y0) - inter;
    return uni > 0 ? inter / uni : 0;
}

static int max_local(const ft_chunk_result *r)
{
    int m = -1;
    for (size_t i = 0; i < r->face_count; i++)
        if (r->faces[i].local_id > m)
            m = r->faces[i].local_id;
    return m;
}

ft_status ft_id_map_inherit(ft_id_map *cur_map, const ft_chunk_result *cur,
                            const ft_id_map *prev_map, const ft_chunk_result *prev, int64_t first,
                            int64_t end)
{
    const int np = max_local(prev) + 1, nc = max_local(cur) + 1;
    if (np == 0 || nc == 0 || first >= end)
        return FT_OK;
    /* score[p][c]: summed IoU over the shared frames, later frames (where
     * the new range has settled) weighing more. */
    float *score = calloc((size_t)np * (size_t)nc, sizeof *score);
    if (!score || !reserve(cur_map, nc - 1)) {
        free(score);
        return FT_ERR_NOMEM;
    }
    for (int64_t f = first; f < end; f++) {
        const ft_tracked_face *a, *b;
        const size_t na = ft_chunk_result_frame(prev, f, &a), nb = ft_chunk_result_frame(cur, f, &b);
        const float weight = (float)(f - first + 1);
        for (size_t i = 0; i < na; i++)
            for (size_t j = 0; j < nb; j++) {
                const float v = iou(&a[i], &b[j]);
                if (v > 0.3f)
                    score[a[i].local_id * nc + b[j].local_id] += weight * v;
            }
    }
    /* Greedy: the strongest pair first, each face used once. */
    for (;;) {
        int bp = -1, bc = -1;
        float best = 0;
        for (int p = 0; p < np; p++)
            for (int c = 0; c < nc; c++)
                if (score[p * nc + c] > best) {
                    best = score[p * nc + c];
                    bp = p;
                    bc = c;
                }
        if (bp < 0)
            break;
        if (bp < prev_map->cap && prev_map->ids[bp] > 0)
            cur_map->ids[bc] = prev_map->ids[bp];
        for (int c = 0; c < nc; c++)
            score[bp * nc + c] = 0;
        for (int p = 0; p < np; p++)
            score[p * nc + bc] = 0;
    }
    free(score);
    return FT_OK;
}

int ft_id_map_get(ft_id_map *map, int local, int *next)
{
    if (local < 0 || !reserve(map, local))
        return (*next)++; /* out of memory: a fresh ID is still a valid answer */
    if (map->ids[local] == 0)
        map->ids[local] = (*next)++;
    return map->ids[local];
}

void ft_id_map_free(ft_id_map *map)
{
    free(map->ids);
    map->ids = NULL;
    map->cap = 0;
}
