/* Densification of TFLite sparse tensors built by hand: row-sparse CSR,
 * block-sparse (2x2 blocks), every index width, and malformed structures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nn/densify.h"

static ft_sparse_vec vec(const void *data, uint32_t count, int width)
{
    return (ft_sparse_vec){data, count, width};
}

/* [[0 1 0 2] [0 0 0 0] [3 0 0 0]]: rows dense, columns CSR. */
static void csr(ft_sparsity *sp, const uint8_t *segments, const uint16_t *indices)
{
    memset(sp, 0, sizeof *sp);
    sp->levels = 2;
    sp->traversal_order[0] = 0;
    sp->traversal_order[1] = 1;
    sp->level[0] = (ft_sparse_level){.sparse = 0, .dense_size = 3};
    sp->level[1] = (ft_sparse_level){.sparse = 1, .segments = vec(segments, 4, 1),
                                     .indices = vec(indices, 3, 2)};
}

static void csr_rows(void **state)
{
    (void)state;
    static const uint8_t segments[4] = {0, 2, 2, 3};
    static const uint16_t indices[3] = {1, 3, 0}; /* little-endian hosts */
    const float values[3] = {1, 2, 3};
    const int64_t shape[2] = {3, 4};
    ft_sparsity sp;
    float dense[12];
    csr(&sp, segments, indices);
    assert_null(ft_densify(&sp, shape, 2, values, 3, sizeof(float), dense));
    const float want[12] = {0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0};
    assert_memory_equal(dense, want, sizeof want);

    /* Float16 values are moved as 2-byte elements. */
    const uint16_t half[3] = {0x3c00, 0x4000, 0x4200};
    uint16_t dense16[12];
    assert_null(ft_densify(&sp, shape, 2, half, 3, 2, dense16));
    assert_int_equal(dense16[1], 0x3c00);
    assert_int_equal(dense16[3], 0x4000);
    assert_int_equal(dense16[8], 0x4200);
    assert_int_equal(dense16[0], 0);
}

/* 4x4 with 2x2 blocks at block (0, 0) and (1, 1); int32 index vectors. */
static void block_sparse(void **state)
{
    (void)state;
    static const int32_t segments[3] = {0, 1, 2}, indices[2] = {0, 1};
    const float values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const int64_t shape[2] = {4, 4};
    ft_sparsity sp = {.levels = 4, .traversal_order = {0, 1, 2, 3}, .block_map = {0, 1}};
    sp.level[0] = (ft_sparse_level){.sparse = 0, .dense_size = 2};
    sp.level[1] = (ft_sparse_level){.sparse = 1, .segments = vec(segments, 3, 4),
                                    .indices = vec(indices, 2, 4)};
    sp.level[2] = (ft_sparse_level){.sparse = 0, .dense_size = 2};
    sp.level[3] = (ft_sparse_level){.sparse = 0, .dense_size = 2};
    float dense[16];
    assert_null(ft_densify(&sp, shape, 2, values, 8, sizeof(float), dense));
    const float want[16] = {1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 5, 6, 0, 0, 7, 8};
    assert_memory_equal(dense, want, sizeof want);

    /* A block size that does not divide its dimension. */
    sp.level[2].dense_size = 3;
    assert_non_null(ft_densify(&sp, shape, 2, values, 8, sizeof(float), dense));
    sp.level[2].dense_size = 2;
    /* Blocks listed before the dims they split. */
    sp.traversal_order[0] = 2;
    sp.traversal_order[2] = 0;
    assert_non_null(ft_densify(&sp, shape, 2, values, 8, sizeof(float), dense));
}

static void malformed_structures_are_refused(void **state)
{
    (void)state;
    const float values[4] = {1, 2, 3, 4};
    const int64_t shape[2] = {3, 4};
    float dense[12];
    ft_sparsity sp;
    static const uint16_t ok_idx[3] = {1, 3, 0};
    static const uint8_t ok_seg[4] = {0, 2, 2, 3};

    static const uint16_t far_idx[3] = {1, 4, 0}; /* column 4 of 4 */
    csr(&sp, ok_seg, far_idx);
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));

    static const uint8_t long_seg[4] = {0, 2, 2, 9}; /* past the indices */
    csr(&sp, long_seg, ok_idx);
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));

    static const uint8_t down_seg[4] = {0, 2, 1, 3}; /* decreasing */
    csr(&sp, down_seg, ok_idx);
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));

    csr(&sp, ok_seg, ok_idx);
    sp.level[1].segments.count = 3; /* fewer segments than rows + 1 */
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));

    csr(&sp, ok_seg, ok_idx);
    assert_non_null(ft_densify(&sp, shape, 2, values, 2, 4, dense)); /* too few values */
    assert_non_null(ft_densify(&sp, shape, 2, values, 4, 4, dense)); /* too many */

    sp.level[0].dense_size = 2; /* dense level of the wrong size */
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));

    csr(&sp, ok_seg, ok_idx);
    sp.traversal_order[1] = 0; /* not a permutation */
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));

    csr(&sp, ok_seg, ok_idx);
    sp.level[1].indices.width = 3;
    assert_non_null(ft_densify(&sp, shape, 2, values, 3, 4, dense));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csr_rows),
        cmocka_unit_test(block_sparse),
        cmocka_unit_test(malformed_structures_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
