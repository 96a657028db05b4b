#include "nn/arena_plan.h"

#include <stdlib.h>

static size_t align_up(size_t n, size_t alignment)
{
    return (n + alignment - 1) & ~(alignment - 1);
}

static int larger_first(const void *a, const void *b)
{
    const ft_arena_block *x = *(ft_arena_block *const *)a, *y = *(ft_arena_block *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->first - y->first; /* a stable order for equal sizes */
}

static int overlap_in_time(const ft_arena_block *a, const ft_arena_block *b)
{
    return a->first <= b->last && b->first <= a->last;
}

size_t ft_arena_plan(ft_arena_block *blocks, int count, size_t alignment)
{
    ft_arena_block **order = malloc(sizeof *order * (size_t)(count + 1));
    if (!order)
        return (size_t)-1;
    int n = 0;
    for (int i = 0; i < count; i++)
        if (blocks[i].bytes)
            order[n++] = &blocks[i];
    qsort(order, (size_t)n, sizeof *order, larger_first);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        ft_arena_block *b = order[i];
        const size_t bytes = align_up(b->bytes, alignment);
        /* Try offset 0, then the end of each placed block that lives at
         * the same time, lowest first; the first that clears them all wins. */
        size_t best = (size_t)-1;
        for (int c = -1; c < i; c++) {
            if (c >= 0 && !overlap_in_time(order[c], b))
                continue;
            const size_t at = c < 0 ? 0 : order[c]->offset + align_up(order[c]->bytes, alignment);
            if (at >= best)
                continue;
            int clear = 1;
            for (int k = 0; k < i && clear; k++) {
                const ft_arena_block *o = order[k];
                clear = !overlap_in_time(o, b) || at + bytes <= o->offset ||
                        o->offset + align_up(o->bytes, alignment) <= at;
            }
            if (clear)
                best = at;
        }
        b->offset = best;
        if (best + bytes > total)
            total = best + bytes;
    }
    free(order);
    return total;
}
