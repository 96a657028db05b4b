/* Densification as TFLite's sparsity FormatConverter defines it: a depth-
 * first walk over the levels; a DENSE level's child position is
 * parent * size + i, a SPARSE_CSR level's children are the segment
 * [segments[parent], segments[parent + 1]) of its indices. Each leaf takes
 * the next stored value. */
#include <string.h>

#include "nn/densify.h"

typedef struct walk {
    const ft_sparsity *sp;
    int rank;
    int64_t shape[FT_NN_MAX_RANK];
    int64_t level_size[FT_SPARSE_MAX_LEVELS]; /* positions along each level */
    int64_t block_size[FT_NN_MAX_RANK];       /* per block level */
    int64_t coord[FT_SPARSE_MAX_LEVELS];
    const uint8_t *values;
    size_t value_count, next, esize;
    uint8_t *dense;
} walk;

static uint64_t vec_at(const ft_sparse_vec *v, uint32_t i)
{
    uint64_t x = 0;
    for (int b = v->width - 1; b >= 0; b--)
        x = x << 8 | v->data[(size_t)i * (size_t)v->width + (size_t)b];
    return x;
}

static const char *leaf(walk *w)
{
    const ft_sparsity *sp = w->sp;
    int64_t orig[FT_NN_MAX_RANK];
    for (int l = 0; l < w->rank; l++)
        orig[sp->traversal_order[l]] = w->coord[l];
    for (int l = w->rank; l < sp->levels; l++) {
        const int b = sp->traversal_order[l] - w->rank;
        const int d = sp->block_map[b];
        orig[d] = orig[d] * w->block_size[b] + w->coord[l];
    }
    int64_t flat = 0;
    for (int d = 0; d < w->rank; d++) {
        if (orig[d] < 0 || orig[d] >= w->shape[d])
            return "sparse index outside the tensor";
        flat = flat * w->shape[d] + orig[d];
    }
    if (w->next >= w->value_count)
        return "fewer stored values than the sparse structure names";
    memcpy(w->dense + (size_t)flat * w->esize, w->values + w->next * w->esize, w->esize);
    w->next++;
    return NULL;
}

static const char *visit(walk *w, int l, uint64_t parent)
{
    if (l == w->sp->levels)
        return leaf(w);
    const ft_sparse_level *lv = &w->sp->level[l];
    if (!lv->sparse) {
        for (int64_t i = 0; i < lv->dense_size; i++) {
            w->coord[l] = i;
            const char *why = visit(w, l + 1, parent * (uint64_t)lv->dense_size + (uint64_t)i);
            if (why)
                return why;
        }
        return NULL;
    }
    if (parent + 1 >= lv->segments.count)
        return "sparse segments shorter than the level above";
    const uint64_t lo = vec_at(&lv->segments, (uint32_t)parent);
    const uint64_t hi = vec_at(&lv->segments, (uint32_t)parent + 1);
    if (lo > hi || hi > lv->indices.count)
        return "sparse segment outside the indices";
    for (uint64_t i = lo; i < hi; i++) {
        const uint64_t at = vec_at(&lv->indices, (uint32_t)i);
        if (at >= (uint64_t)w->level_size[l])
            return "sparse index outside its dimension";
        w->coord[l] = (int64_t)at;
        const char *why = visit(w, l + 1, i);
        if (why)
            return why;
    }
    return NULL;
}

static int valid_vec(const ft_sparse_vec *v)
{
    return (v->width == 1 || v->width == 2 || v->width == 4) && (v->data || v->count == 0);
}

const char *ft_densify(const ft_sparsity *sp, const int64_t *shape, int rank, const void *values,
                       size_t value_count, size_t esize, void *dense)
{
    walk w = {.sp = sp, .rank = rank, .values = values, .value_count = value_count,
              .esize = esize, .dense = dense};
    if (rank < 1 || rank > FT_NN_MAX_RANK || sp->levels < rank || sp->levels > rank + FT_NN_MAX_RANK)
        return "sparsity levels do not fit the tensor's rank";
    const int blocks = sp->levels - rank;
    int64_t total = 1;
    for (int d = 0; d < rank; d++) {
        if (shape[d] < 1)
            return "sparse tensor without a fixed shape";
        w.shape[d] = shape[d];
        total *= shape[d];
    }
    /* The first RANK levels are the original dims, then the block dims. */
    int seen = 0;
    for (int l = 0; l < sp->levels; l++) {
        const int t = sp->traversal_order[l];
        if (t < 0 || t >= sp->levels || (seen >> t & 1) || (l < rank) != (t < rank))
            return "sparse traversal order is not a permutation of dims, then blocks";
        seen |= 1 << t;
    }
    int64_t dim_size[FT_SPARSE_MAX_LEVELS]; /* by dimension id, blocks after originals */
    for (int d = 0; d < rank; d++)
        dim_size[d] = shape[d];
    for (int b = 0; b < blocks; b++) {
        const int d = sp->block_map[b];
        int level = -1;
        for (int l = rank; l < sp->levels; l++)
            if (sp->traversal_order[l] == rank + b)
                level = l;
        if (d < 0 || d >= rank || sp->level[level].sparse || sp->level[level].dense_size < 1 ||
            shape[d] % sp->level[level].dense_size)
            return "sparse block size does not divide its dimension";
        w.block_size[b] = sp->level[level].dense_size;
        dim_size[rank + b] = w.block_size[b];
        dim_size[d] /= w.block_size[b];
    }
    for (int l = 0; l < sp->levels; l++) {
        const ft_sparse_level *lv = &sp->level[l];
        w.level_size[l] = dim_size[sp->traversal_order[l]];
        if (lv->sparse ? !valid_vec(&lv->segments) || !valid_vec(&lv->indices)
                       : lv->dense_size != w.level_size[l])
            return "sparse level does not match its dimension";
        /* Non-decreasing segments bound the walk by the indices' length. */
        for (uint32_t i = 1; lv->sparse && i < lv->segments.count; i++)
            if (vec_at(&lv->segments, i) < vec_at(&lv->segments, i - 1))
                return "sparse segments decrease";
    }
    memset(dense, 0, (size_t)total * esize);
    const char *why = visit(&w, 0, 0);
    if (!why && w.next != value_count)
        return "more stored values than the sparse structure names";
    return why;
}
