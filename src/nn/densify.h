/* Sparse constant tensors (TFLite's sparsity format, which MediaPipe's
 * pruned models use) made dense. The format stores a tensor of rank N as
 * N + K levels visited in traversal_order: the N original dimensions (each
 * of a blocked one counted in blocks) then K block dimensions (block_map
 * names the original dimension each one splits). A level is DENSE (all
 * dense_size positions present) or SPARSE_CSR (segments[i]..segments[i+1]
 * index into indices, which give the positions present). Values are stored
 * in visiting order. */
#ifndef FT_NN_DENSIFY_H
#define FT_NN_DENSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "nn/graph.h"

#define FT_SPARSE_MAX_LEVELS (2 * FT_NN_MAX_RANK)

/* An index vector of a sparse level: COUNT little-endian unsigned integers of
 * WIDTH bytes (4 for int32, 2 for uint16, 1 for uint8). */
typedef struct ft_sparse_vec {
    const uint8_t *data;
    uint32_t count;
    int width;
} ft_sparse_vec;

typedef struct ft_sparse_level {
    int sparse;         /* 0 DENSE, 1 SPARSE_CSR */
    int64_t dense_size; /* DENSE: positions of the level */
    ft_sparse_vec segments, indices; /* SPARSE_CSR */
} ft_sparse_level;

typedef struct ft_sparsity {
    int levels;                               /* N + K */
    int traversal_order[FT_SPARSE_MAX_LEVELS];
    int block_map[FT_NN_MAX_RANK];            /* K entries */
    ft_sparse_level level[FT_SPARSE_MAX_LEVELS]; /* in traversal order */
} ft_sparsity;

/* Writes the dense tensor of SHAPE (RANK dims) into DENSE (zero-filled here)
 * from VALUE_COUNT stored values of ESIZE bytes each. Every index, segment
 * and block size is checked; returns NULL, or the reason the sparse data is
 * malformed. */
const char *ft_densify(const ft_sparsity *sp, const int64_t *shape, int rank, const void *values,
                       size_t value_count, size_t esize, void *dense);

#endif
