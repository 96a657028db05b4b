/* Places a plan's activations in one arena so that two share memory only
 * when their lives do not overlap: a tensor lives from the first op that
 * touches it to the last. The landmark model's activations need a tenth of
 * the memory this way, so many more faces fit a batch on one device. */
#ifndef FT_NN_ARENA_PLAN_H
#define FT_NN_ARENA_PLAN_H

#include <stddef.h>

typedef struct ft_arena_block {
    size_t bytes;    /* 0: no memory (OFFSET left as it is) */
    int first, last; /* the ops that first and last touch it, first <= last */
    size_t offset;   /* out: where it starts in the arena */
} ft_arena_block;

/* Sets every block's offset (aligned to ALIGNMENT, a power of two) so that
 * blocks whose [first, last] overlap do not overlap in memory; returns the
 * arena's size, or (size_t)-1 when out of memory. Greedy by size, largest
 * first, each at the lowest offset that fits: within a few percent of the
 * optimum on convolutional networks. */
size_t ft_arena_plan(ft_arena_block *blocks, int count, size_t alignment);

#endif
