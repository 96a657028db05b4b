/* Frame ranges of a video for parallel analysis (see chunk_plan.h). */
#include "track/chunk_plan.h"

#include <stdlib.h>

/* The first element of SORTED[0..n) in [lo, hi], or -1. */
static int64_t first_in(const int64_t *sorted, size_t n, int64_t lo, int64_t hi)
{
    for (size_t i = 0; i < n; i++)
        if (sorted[i] >= lo)
            return sorted[i] <= hi ? sorted[i] : -1;
    return -1;
}

static int contains(const int64_t *sorted, size_t n, int64_t v)
{
    for (size_t i = 0; i < n && sorted[i] <= v; i++)
        if (sorted[i] == v)
            return 1;
    return 0;
}

/* The start of the range after the one starting at FROM, or TOTAL. A shot
 * cut is the best boundary (nothing carries over it), then a key frame (no
 * decoding before it), else FROM + TARGET. The last range is never shorter
 * than half the target. */
static int64_t next_boundary(int64_t from, int64_t total, const int64_t *keys, size_t key_count,
                             const int64_t *cuts, size_t cut_count, int64_t target)
{
    const int64_t latest = total - target / 2;
    if (from + target > latest)
        return total;
    int64_t b = first_in(cuts, cut_count, from + target / 2, from + 2 * target);
    if (b < 0)
        b = first_in(keys, key_count, from + target, from + 2 * target);
    if (b < 0)
        b = from + target;
    return b > latest ? total : b;
}

ft_status ft_chunk_plan_make(int64_t total, const int64_t *keys, size_t key_count,
                             const int64_t *cuts, size_t cut_count, int64_t target, int warmup,
                             ft_chunk_plan *out)
{
    out->chunks = NULL;
    out->count = 0;
    if (total < 0 || target < 2 || warmup < 0 || warmup >= target / 2)
        return FT_ERR_INVALID_ARG;
    size_t cap = (size_t)(total / (target / 2)) + 2;
    ft_chunk *c = calloc(cap, sizeof *c);
    if (!c)
        return FT_ERR_NOMEM;
    size_t n = 0;
    int64_t start = 0;
    while (start < total || n == 0) {
        const int64_t next = next_boundary(start, total, keys, key_count, cuts, cut_count, target);
        const int continues = n > 0 && !contains(cuts, cut_count, start);
        c[n] = (ft_chunk){.start = start, .out_first = continues ? start + warmup : start,
                          .end = next, .continues = continues};
        n++;
        if (next >= total)
            break;
        start = next;
    }
    /* A continuing range's warm-up frames belong to its predecessor. */
    for (size_t i = 1; i < n; i++)
        c[i - 1].end = c[i].out_first;
    out->chunks = c;
    out->count = n;
    return FT_OK;
}

void ft_chunk_plan_free(ft_chunk_plan *plan)
{
    free(plan->chunks);
    plan->chunks = NULL;
    plan->count = 0;
}
