/* The NCHW -> NHWC rewrite keeps a graph's meaning: a small NCHW network
 * (convolutions, depthwise, a broadcast constant, pooling, a channel
 * concatenation, softmax over channels, a spatial mean, a flatten and a
 * transpose) gives the same outputs, on fresh random inputs, run by the
 * reference kernels as written and by the fast backend once rewritten. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn/layout_nhwc.h"
#include "nn/runner.h"
#include "nn_case.h"
#include "test_seed.h"

#define REL_TOL 1e-5

static ft_nn_op *conv(case_graph *c, ft_op_type type, int x, int w, int b, int64_t oh, int64_t ow,
                      int64_t oc, int stride)
{
    ft_nn_op *o = op(c, type, 4, (int64_t[]){1, oc, oh, ow}, 3, x, w, b);
    o->attrs.layout = FT_LAYOUT_NCHW;
    o->attrs.stride[0] = o->attrs.stride[1] = stride;
    o->attrs.dilation[0] = o->attrs.dilation[1] = 1;
    for (int i = 0; i < 4; i++)
        o->attrs.pads[i] = 1;
    return o;
}

/* Builds the same network (same weights) every time it is called with the
 * same seed. */
static void build(case_graph *c, unsigned weights_seed)
{
    seed = weights_seed;
    graph_begin(c);
    int x = input(c, 4, (int64_t[]){1, 3, 12, 10});
    int w1 = constant(c, 4, (int64_t[]){8, 3, 3, 3}), b1 = constant(c, 1, (int64_t[]){8});
    int y1 = conv(c, FT_OP_CONV2D, x, w1, b1, 12, 10, 8, 1)->outputs[0];
    c->g.ops[c->g.op_count - 1].attrs.activation = FT_ACT_RELU;
    int w2 = constant(c, 4, (int64_t[]){8, 1, 3, 3});
    int y2 = conv(c, FT_OP_DEPTHWISE_CONV2D, y1, w2, -1, 6, 5, 8, 2)->outputs[0];
    int k = constant(c, 3, (int64_t[]){8, 1, 1});
    int y3 = op(c, FT_OP_ADD, 4, (int64_t[]){1, 8, 6, 5}, 2, y2, k)->outputs[0];
    ft_nn_op *pool = op(c, FT_OP_MAX_POOL2D, 4, (int64_t[]){1, 8, 3, 2}, 1, y3);
    pool->attrs.layout = FT_LAYOUT_NCHW;
    pool->attrs.kernel[0] = pool->attrs.kernel[1] = 2;
    pool->attrs.stride[0] = pool->attrs.stride[1] = 2;
    pool->attrs.dilation[0] = pool->attrs.dilation[1] = 1;
    int y4 = pool->outputs[0];
    int y5 = op(c, FT_OP_SIGMOID, 4, (int64_t[]){1, 8, 3, 2}, 1, y4)->outputs[0];
    ft_nn_op *cat = op(c, FT_OP_CONCAT, 4, (int64_t[]){1, 16, 3, 2}, 2, y4, y5);
    cat->attrs.axis = 1;
    int y6 = cat->outputs[0];
    ft_nn_op *soft = op(c, FT_OP_SOFTMAX, 4, (int64_t[]){1, 16, 3, 2}, 1, y6);
    soft->attrs.axis = 1;
    soft->attrs.beta = 1.0f;
    ft_nn_op *mean = op(c, FT_OP_REDUCE_MEAN, 2, (int64_t[]){1, 16}, 1, y6);
    mean->attrs.axes[0] = 2;
    mean->attrs.axes[1] = 3;
    mean->attrs.axis_count = 2;
    int flat = op(c, FT_OP_RESHAPE, 2, (int64_t[]){1, 96}, 1, y6)->outputs[0];
    ft_nn_op *tr = op(c, FT_OP_TRANSPOSE, 4, (int64_t[]){1, 6, 5, 8}, 1, y3);
    memcpy(tr->attrs.perm, (int[]){0, 2, 3, 1}, 4 * sizeof(int));
    graph_output(c, soft->outputs[0]);
    graph_output(c, mean->outputs[0]);
    graph_output(c, flat);
    graph_output(c, tr->outputs[0]);
    graph_output(c, y2);
}

static void rewritten_graph_gives_the_same_outputs(void **state)
{
    (void)state;
    const unsigned weights_seed = seed;
    case_graph nchw, nhwc;
    build(&nchw, weights_seed);
    build(&nhwc, weights_seed);
    char err[512];
    assert_int_equal(ft_nn_nchw_ops(&nhwc.g), 3);
    if (ft_nn_graph_to_nhwc(&nhwc.g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(ft_nn_nchw_ops(&nhwc.g), 0);

    ft_nn_runner *ref, *fast;
    if (ft_nn_runner_create(&nchw.g, FT_NN_BACKEND_REFERENCE, 1, &ref, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    if (ft_nn_runner_create(&nhwc.g, FT_NN_BACKEND_FAST, 1, &fast, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_true(ft_nn_runner_fast_ops(fast) >= 5);
    float *in = ft_nn_runner_input(ref, 0);
    fill_random(in, 3 * 12 * 10, 0.05f, 1.0f);
    memcpy(ft_nn_runner_input(fast, 0), in, 3 * 12 * 10 * sizeof(float));
    assert_int_equal(ft_nn_runner_run(ref), FT_OK);
    assert_int_equal(ft_nn_runner_run(fast), FT_OK);
    for (int k = 0; k < nchw.g.output_count; k++) {
        const ft_nn_tensor *a = &nchw.g.tensors[nchw.g.outputs[k]];
        const ft_nn_tensor *b = &nhwc.g.tensors[nhwc.g.outputs[k]];
        assert_int_equal(a->rank, b->rank);
        for (int d = 0; d < a->rank; d++)
            assert_int_equal(a->shape[d], b->shape[d]);
        const float *want = ft_nn_runner_output(ref, k), *got = ft_nn_runner_output(fast, k);
        double scale = 0, diff = 0;
        for (int64_t i = 0, n = ft_nn_tensor_elements(a); i < n; i++) {
            scale = fmax(scale, fabs(want[i]));
            diff = fmax(diff, fabs((double)want[i] - got[i]));
        }
        if (!(scale > 0) || diff > REL_TOL * scale)
            fail_msg("output %d: max diff %g at scale %g (seed %u)", k, diff, scale, first_seed);
    }
    ft_nn_runner_free(ref);
    ft_nn_runner_free(fast);
    ft_nn_graph_free(&nchw.g);
    ft_nn_graph_free(&nhwc.g);
}

int main(void)
{
    seed = first_seed = ft_test_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rewritten_graph_gives_the_same_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
