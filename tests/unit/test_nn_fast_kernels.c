/* The xnnpack row's own kernels (nn/fast_kernels.c) against the reference
 * kernels on the same random inputs: the same arithmetic in the same order,
 * so the same bits, over shapes and every coordinate mode of the bilinear
 * resize, and the transposes of pictures; the ops they do not take are
 * left to the other kernels. The seed is printed; FT_TEST_SEED replays it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn_case.h"
#include "nn/backend.h"
#include "nn/fast_kernels.h"
#include "test_seed.h"

/* Runs C's one op on the reference and the fast kernel with the same
 * random input and demands equal outputs. */
static void check_same(case_graph *c, const char *what)
{
    ft_nn_graph *g = &c->g;
    const ft_nn_op *op = &g->ops[0];
    if (!ft_fast_kernel_accepts(g, op))
        fail_msg("%s: no fast kernel took it", what);
    void *ref[MAX_TENSORS] = {0}, *fast[MAX_TENSORS] = {0};
    const int x = op->inputs[0], y = op->outputs[0];
    const int64_t nx = ft_nn_tensor_elements(&g->tensors[x]), ny = ft_nn_tensor_elements(&g->tensors[y]);
    float *in = malloc(sizeof(float) * (size_t)nx);
    float *want = malloc(sizeof(float) * (size_t)ny), *got = malloc(sizeof(float) * (size_t)ny);
    assert_non_null(in);
    assert_non_null(want);
    assert_non_null(got);
    fill_random(in, nx, 0.05f, 1.0f);
    for (int64_t i = 0; i < ny; i++)
        want[i] = got[i] = NAN; /* every output must be written */
    ref[x] = fast[x] = in;
    ref[y] = want;
    fast[y] = got;
    assert_int_equal(ft_nn_reference_run_op(g, 0, ref), FT_OK);
    assert_int_equal(ft_fast_kernel_run(g, 0, fast), FT_OK);
    for (int64_t i = 0; i < ny; i++)
        if (!(want[i] == got[i]))
            fail_msg("%s: output %lld is %.9g, the reference's %.9g (seed %u)", what, (long long)i,
                     (double)got[i], (double)want[i], first_seed);
    free(in);
    free(want);
    free(got);
    ft_nn_graph_free(g);
}

static void resize_matches_reference(void **state)
{
    (void)state;
    /* in H, W -> out H, W, channels */
    static const int64_t sizes[][5] = {
        {28, 28, 56, 56, 128}, /* OpenSeeFace's detector: twice, aligned corners */
        {7, 7, 14, 14, 96},    {6, 6, 12, 12, 5}, {5, 7, 7, 11, 3},
        {12, 12, 6, 6, 16},    {3, 4, 8, 8, 1},   {1, 1, 4, 3, 7}, {4, 5, 1, 1, 2},
    };
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int mode = 0; mode < 4; mode++) {
            case_graph c;
            graph_begin(&c);
            int x = input(&c, 4, (int64_t[]){1 + (s == 2), sizes[s][0], sizes[s][1], sizes[s][4]});
            ft_nn_op *o = op(&c, FT_OP_RESIZE, 4,
                             (int64_t[]){1 + (s == 2), sizes[s][2], sizes[s][3], sizes[s][4]}, 1, x);
            o->attrs.resize_mode = FT_RESIZE_BILINEAR;
            o->attrs.align_corners = mode & 1;
            o->attrs.half_pixel_centers = mode >> 1;
            char what[96];
            snprintf(what, sizeof what, "Resize %lldx%lld -> %lldx%lld, %lld channels, mode %d",
                     (long long)sizes[s][0], (long long)sizes[s][1], (long long)sizes[s][2],
                     (long long)sizes[s][3], (long long)sizes[s][4], mode);
            check_same(&c, what);
        }
}

static void transpose_matches_reference(void **state)
{
    (void)state;
    static const int64_t shapes[][4] = {
        {1, 3, 640, 640}, /* YuNet's and SCRFD's picture */
        {2, 3, 5, 7}, {1, 1, 4, 4}, {1, 4, 3, 9}, {3, 16, 2, 5},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        case_graph c;
        graph_begin(&c);
        const int64_t *d = shapes[s];
        int x = input(&c, 4, d);
        ft_nn_op *o = op(&c, FT_OP_TRANSPOSE, 4, (int64_t[]){d[0], d[2], d[3], d[1]}, 1, x);
        memcpy(o->attrs.perm, (int[]){0, 2, 3, 1}, sizeof(int) * 4);
        char what[64];
        snprintf(what, sizeof what, "Transpose of [%lld,%lld,%lld,%lld]", (long long)d[0],
                 (long long)d[1], (long long)d[2], (long long)d[3]);
        check_same(&c, what);
    }
}

static void other_ops_are_left_alone(void **state)
{
    (void)state;
    case_graph c;
    graph_begin(&c);
    int x = input(&c, 4, (int64_t[]){1, 4, 4, 3});
    ft_nn_op *o = op(&c, FT_OP_RESIZE, 4, (int64_t[]){1, 8, 8, 3}, 1, x);
    o->attrs.resize_mode = FT_RESIZE_NEAREST;
    assert_false(ft_fast_kernel_accepts(&c.g, o));
    o->attrs.resize_mode = FT_RESIZE_BILINEAR;
    o->attrs.layout = FT_LAYOUT_NCHW; /* ONNX's own modes: the NCHW kernels */
    assert_false(ft_fast_kernel_accepts(&c.g, o));
    ft_nn_graph_free(&c.g);
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 4, 5, 3});
    o = op(&c, FT_OP_TRANSPOSE, 4, (int64_t[]){1, 3, 4, 5}, 1, x);
    memcpy(o->attrs.perm, (int[]){0, 3, 1, 2}, sizeof(int) * 4); /* NHWC -> NCHW */
    assert_false(ft_fast_kernel_accepts(&c.g, o));
    ft_nn_graph_free(&c.g);
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 64, 5, 3});
    o = op(&c, FT_OP_TRANSPOSE, 4, (int64_t[]){1, 5, 3, 64}, 1, x);
    memcpy(o->attrs.perm, (int[]){0, 2, 3, 1}, sizeof(int) * 4); /* many channels */
    assert_false(ft_fast_kernel_accepts(&c.g, o));
    ft_nn_graph_free(&c.g);
}

int main(void)
{
    seed = first_seed = ft_test_seed();
    printf("fast kernels: seed %u\n", first_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resize_matches_reference),
        cmocka_unit_test(transpose_matches_reference),
        cmocka_unit_test(other_ops_are_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
