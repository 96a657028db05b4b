/* HardSwish fusion: the exporters' element-wise chains for x * relu6(x + 3)
 * / 6 become one op with the same values, in both orders of the product and
 * the division; a chain whose intermediate value is read elsewhere, or with
 * other constants, is left as it is.
 * Depthwise-into-1x1 folding: a depth-multiplier depthwise convolution read
 * only by a 1x1 convolution (grouped or not) becomes one convolution with the
 * same values on the reference kernels; pairs where that costs more, where
 * the depthwise has an activation or its output is read elsewhere stay.
 * PRelu fusion: relu(x) + c * relu(-x) becomes PRelu(x) with slope -c and
 * the same values bit for bit; with a value read elsewhere or a slope not
 * per channel it stays.
 * Sibling grouping: convolutions of one input through the same window move
 * next to the first of them, the other ops keeping their order. */
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
#include "nn/graph_fuse.h"
#include "nn/session.h"

static const int64_t shape[4] = {1, 6, 5, 8};

static int scalar_constant(case_graph *c, float v)
{
    int t = constant(c, 1, (int64_t[]){1});
    *(float *)c->g.tensors[t].data = v;
    return t;
}

/* x * clip(x + 3, 0, 6) / 6 with the division first (DIVIDE_FIRST) or last,
 * and a division by 6 or a product with 1/6 (RECIPROCAL); THREE and SIX are
 * the chain's constants. LEAK: the clip's output is a graph output too. */
static void build(case_graph *c, int divide_first, int reciprocal, float three, float six, int leak)
{
    graph_begin(c);
    int x = input(c, 4, shape);
    c->lo[x] = -5.0f;
    c->hi[x] = 5.0f;
    int added = op(c, FT_OP_ADD, 4, shape, 2, x, scalar_constant(c, three))->outputs[0];
    ft_nn_op *clip = op(c, FT_OP_CLIP, 4, shape, 1, added);
    clip->attrs.min = 0.0f;
    clip->attrs.max = 6.0f;
    int clipped = clip->outputs[0];
    const ft_op_type div = reciprocal ? FT_OP_MUL : FT_OP_DIV;
    const float by = reciprocal ? 1.0f / six : six;
    int y;
    if (divide_first) {
        int d = op(c, div, 4, shape, 2, clipped, scalar_constant(c, by))->outputs[0];
        y = op(c, FT_OP_MUL, 4, shape, 2, d, x)->outputs[0];
    } else {
        int m = op(c, FT_OP_MUL, 4, shape, 2, x, clipped)->outputs[0];
        y = op(c, div, 4, shape, 2, m, scalar_constant(c, by))->outputs[0];
    }
    graph_output(c, y);
    if (leak)
        graph_output(c, clipped);
}

/* Runs C's graph on the reference with inputs in [-5, 5] into OUT. */
static void run(case_graph *c, float *out, int64_t n)
{
    ft_nn_session *s;
    char err[256];
    assert_int_equal(ft_nn_session_create(&c->g, &ft_nn_backend_reference, NULL, &s, err, sizeof err), FT_OK);
    float *in = ft_nn_session_input(s, 0);
    for (int64_t i = 0; i < n; i++)
        in[i] = -5.0f + 10.0f * (float)i / (float)(n - 1);
    assert_int_equal(ft_nn_session_run(s), FT_OK);
    memcpy(out, ft_nn_session_output(s, 0), sizeof(float) * (size_t)n);
    ft_nn_session_free(s);
}

static void test_chains_fuse_with_the_same_values(void **state)
{
    (void)state;
    enum { N = 1 * 6 * 5 * 8 };
    for (int variant = 0; variant < 4; variant++) {
        case_graph chain, fused;
        build(&chain, variant & 1, variant >> 1, 3.0f, 6.0f, 0);
        build(&fused, variant & 1, variant >> 1, 3.0f, 6.0f, 0);
        assert_int_equal(ft_nn_fuse_hard_swish(&fused.g), 1);
        assert_int_equal(fused.g.op_count, 1);
        assert_int_equal(fused.g.ops[0].type, FT_OP_HARD_SWISH);
        assert_int_equal(fused.g.ops[0].inputs[0], fused.g.inputs[0]);
        float want[N], got[N];
        run(&chain, want, N);
        run(&fused, got, N);
        for (int i = 0; i < N; i++)
            assert_true(fabsf(want[i] - got[i]) <= 1e-6f * fmaxf(1.0f, fabsf(want[i])));
        ft_nn_graph_free(&chain.g);
        ft_nn_graph_free(&fused.g);
    }
}

static void test_other_chains_stay(void **state)
{
    (void)state;
    case_graph c;
    build(&c, 1, 0, 3.0f, 6.0f, 1); /* the clip's value is read elsewhere */
    assert_int_equal(ft_nn_fuse_hard_swish(&c.g), 0);
    assert_int_equal(c.g.op_count, 4);
    ft_nn_graph_free(&c.g);
    build(&c, 1, 0, 2.0f, 6.0f, 0); /* x + 2: not a hard-swish */
    assert_int_equal(ft_nn_fuse_hard_swish(&c.g), 0);
    ft_nn_graph_free(&c.g);
    build(&c, 0, 0, 3.0f, 5.0f, 0); /* / 5 */
    assert_int_equal(ft_nn_fuse_hard_swish(&c.g), 0);
    ft_nn_graph_free(&c.g);
}

/* Runs C's graph on the reference with a ramp over [-5, 5] of IN_N inputs;
 * its OUT_N outputs into OUT. */
static void run_ramp(case_graph *c, int64_t in_n, float *out, int64_t out_n)
{
    ft_nn_session *s;
    char err[256];
    assert_int_equal(ft_nn_session_create(&c->g, &ft_nn_backend_reference, NULL, &s, err, sizeof err), FT_OK);
    float *in = ft_nn_session_input(s, 0);
    for (int64_t i = 0; i < in_n; i++)
        in[i] = -5.0f + 10.0f * (float)i / (float)(in_n - 1);
    assert_int_equal(ft_nn_session_run(s), FT_OK);
    memcpy(out, ft_nn_session_output(s, 0), sizeof(float) * (size_t)out_n);
    ft_nn_session_free(s);
}

/* depthwise (C channels, multiplier M, 3x3, stride STRIDE, one pixel of
 * padding, with bias; ACT after it) into a 1x1 convolution to O channels in
 * GROUPS groups with a ReLU6; LEAK: the depthwise output is a graph output. */
static void build_pair(case_graph *c, int C, int M, int stride, int O, int groups,
                       ft_activation act, int leak)
{
    graph_begin(c);
    const int64_t H = 9, W = 7, OH = (H - 1) / stride + 1, OW = (W - 1) / stride + 1;
    int x = input(c, 4, (int64_t[]){1, H, W, C});
    c->lo[x] = -1.0f;
    int dw_w = constant(c, 4, (int64_t[]){1, 3, 3, C * M});
    int dw_b = constant(c, 1, (int64_t[]){C * M});
    ft_nn_op *dw = op(c, FT_OP_DEPTHWISE_CONV2D, 4, (int64_t[]){1, OH, OW, C * M}, 3, x, dw_w, dw_b);
    dw->attrs.stride[0] = dw->attrs.stride[1] = stride;
    dw->attrs.dilation[0] = dw->attrs.dilation[1] = 1;
    dw->attrs.pads[0] = dw->attrs.pads[1] = dw->attrs.pads[2] = dw->attrs.pads[3] = 1;
    dw->attrs.depth_multiplier = M;
    dw->attrs.activation = act;
    const int mid = dw->outputs[0];
    int pw_w = constant(c, 4, (int64_t[]){O, 1, 1, C * M / groups});
    int pw_b = constant(c, 1, (int64_t[]){O});
    /* signed weights, so that the ReLU6 cuts both ways */
    float *w = c->g.tensors[pw_w].data;
    for (int64_t i = 0; i < O * C * M / groups; i++)
        w[i] = i % 3 ? w[i] : -2.0f * w[i];
    ft_nn_op *pw = op(c, FT_OP_CONV2D, 4, (int64_t[]){1, OH, OW, O}, 3, mid, pw_w, pw_b);
    pw->attrs.stride[0] = pw->attrs.stride[1] = 1;
    pw->attrs.dilation[0] = pw->attrs.dilation[1] = 1;
    pw->attrs.groups = groups;
    pw->attrs.activation = FT_ACT_RELU6;
    graph_output(c, pw->outputs[0]);
    if (leak)
        graph_output(c, mid);
}

static void test_depthwise_folds_into_pointwise_with_the_same_values(void **state)
{
    (void)state;
    static const struct { int C, M, stride, O, groups; } pairs[] = {
        {8, 4, 1, 2, 2}, /* OpenSeeFace's detector head: grouped 1x1 */
        {8, 4, 2, 3, 1},
        {5, 3, 1, 1, 1},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++) {
        case_graph pair, folded;
        seed = 7; /* the same weights in both */
        build_pair(&pair, pairs[k].C, pairs[k].M, pairs[k].stride, pairs[k].O, pairs[k].groups,
                   FT_ACT_NONE, 0);
        seed = 7;
        build_pair(&folded, pairs[k].C, pairs[k].M, pairs[k].stride, pairs[k].O, pairs[k].groups,
                   FT_ACT_NONE, 0);
        assert_int_equal(ft_nn_fold_depthwise_into_pointwise(&folded.g), 1);
        assert_int_equal(folded.g.op_count, 1);
        assert_int_equal(folded.g.ops[0].type, FT_OP_CONV2D);
        assert_int_equal(folded.g.ops[0].inputs[0], folded.g.inputs[0]);
        const int64_t n = ft_nn_tensor_elements(&pair.g.tensors[pair.g.outputs[0]]);
        float *want = malloc(sizeof(float) * (size_t)n), *got = malloc(sizeof(float) * (size_t)n);
        assert_non_null(want);
        assert_non_null(got);
        run_ramp(&pair, 9 * 7 * pairs[k].C, want, n);
        run_ramp(&folded, 9 * 7 * pairs[k].C, got, n);
        float scale = 0, diff = 0;
        int clipped = 0;
        for (int64_t i = 0; i < n; i++) {
            scale = fmaxf(scale, fabsf(want[i]));
            diff = fmaxf(diff, fabsf(want[i] - got[i]));
            clipped += want[i] == 0.0f || want[i] == 6.0f;
        }
        assert_true(scale > 0);
        assert_true(clipped < n); /* not every value clamped away */
        if (diff > 1e-5f * scale)
            fail_msg("pair %zu: folded differs by %g at scale %g", k, (double)diff, (double)scale);
        free(want);
        free(got);
        ft_nn_graph_free(&pair.g);
        ft_nn_graph_free(&folded.g);
    }
}

static void test_other_pairs_stay(void **state)
{
    (void)state;
    case_graph c;
    build_pair(&c, 8, 4, 1, 2, 2, FT_ACT_RELU, 0); /* not linear */
    assert_int_equal(ft_nn_fold_depthwise_into_pointwise(&c.g), 0);
    assert_int_equal(c.g.op_count, 2);
    ft_nn_graph_free(&c.g);
    build_pair(&c, 8, 4, 1, 2, 2, FT_ACT_NONE, 1); /* the depthwise output is read too */
    assert_int_equal(ft_nn_fold_depthwise_into_pointwise(&c.g), 0);
    ft_nn_graph_free(&c.g);
    build_pair(&c, 16, 1, 1, 32, 1, FT_ACT_NONE, 0); /* would cost 9 times more */
    assert_int_equal(ft_nn_fold_depthwise_into_pointwise(&c.g), 0);
    ft_nn_graph_free(&c.g);
}

/* relu(x) + c * relu(-x) over [1, 6, 5, 8], c per channel (or of SLOPE_N
 * values), the product's operands in either ORDER; LEAK: relu(-x) is a
 * graph output too. */
static void build_prelu(case_graph *c, int order, int slope_n, int leak)
{
    graph_begin(c);
    int x = input(c, 4, shape);
    int slope = constant(c, 1, (int64_t[]){slope_n});
    int a = op(c, FT_OP_RELU, 4, shape, 1, x)->outputs[0];
    int n = op(c, FT_OP_NEG, 4, shape, 1, x)->outputs[0];
    int r = op(c, FT_OP_RELU, 4, shape, 1, n)->outputs[0];
    int m = (order ? op(c, FT_OP_MUL, 4, shape, 2, slope, r) : op(c, FT_OP_MUL, 4, shape, 2, r, slope))->outputs[0];
    graph_output(c, op(c, FT_OP_ADD, 4, shape, 2, order ? m : a, order ? a : m)->outputs[0]);
    if (leak)
        graph_output(c, r);
}

static void test_prelu_fuses_with_the_same_values(void **state)
{
    (void)state;
    enum { N = 1 * 6 * 5 * 8 };
    for (int order = 0; order < 2; order++) {
        case_graph chain, fused;
        seed = first_seed + 7; /* the same slopes in both graphs */
        build_prelu(&chain, order, 8, 0);
        seed = first_seed + 7;
        build_prelu(&fused, order, 8, 0);
        assert_int_equal(ft_nn_fuse_prelu(&fused.g), 1);
        assert_int_equal(fused.g.op_count, 1);
        assert_int_equal(fused.g.ops[0].type, FT_OP_PRELU);
        assert_int_equal(fused.g.ops[0].inputs[0], fused.g.inputs[0]);
        float want[N], got[N];
        run(&chain, want, N);
        run(&fused, got, N);
        assert_memory_equal(want, got, sizeof want);
        ft_nn_graph_free(&chain.g);
        ft_nn_graph_free(&fused.g);
    }
    case_graph c;
    build_prelu(&c, 0, 8, 1); /* relu(-x) read elsewhere */
    assert_int_equal(ft_nn_fuse_prelu(&c.g), 0);
    assert_int_equal(c.g.op_count, 5);
    ft_nn_graph_free(&c.g);
    build_prelu(&c, 1, 1, 0); /* one slope for all: not per channel */
    assert_int_equal(ft_nn_fuse_prelu(&c.g), 0);
    ft_nn_graph_free(&c.g);
}

/* A convolution of X, KxK, O outputs, one group. */
static ft_nn_op *sibling(case_graph *c, int x, int k, int o)
{
    const ft_nn_tensor *t = &c->g.tensors[x];
    int w = constant(c, 4, (int64_t[]){o, k, k, t->shape[3]});
    ft_nn_op *p = op(c, FT_OP_CONV2D, 4, (int64_t[]){1, t->shape[1], t->shape[2], o}, 2, x, w);
    p->attrs.stride[0] = p->attrs.stride[1] = 1;
    p->attrs.dilation[0] = p->attrs.dilation[1] = 1;
    p->attrs.pads[0] = p->attrs.pads[1] = p->attrs.pads[2] = p->attrs.pads[3] = (k - 1) / 2;
    return p;
}

static void test_sibling_convolutions_are_grouped(void **state)
{
    (void)state;
    case_graph c;
    graph_begin(&c);
    int x = input(&c, 4, shape);
    int a = sibling(&c, x, 1, 2)->outputs[0];                               /* 0 */
    int r = op(&c, FT_OP_RELU, 4, (int64_t[]){1, 6, 5, 2}, 1, a)->outputs[0]; /* 1 */
    int b = sibling(&c, x, 1, 4)->outputs[0];                               /* 2: moves */
    int d = sibling(&c, r, 1, 3)->outputs[0];                               /* 3: another input */
    int e = sibling(&c, x, 3, 5)->outputs[0];                               /* 4: another window */
    ft_nn_op *f_op = sibling(&c, x, 1, 6);                                  /* 5: moves */
    f_op->attrs.activation = FT_ACT_RELU;                                   /* but not with another activation */
    int f = f_op->outputs[0];
    int h = sibling(&c, x, 1, 7)->outputs[0];                               /* 6: moves */
    const int outputs[] = {r, b, d, e, f, h};
    for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++)
        graph_output(&c, outputs[i]);
    assert_int_equal(ft_nn_group_sibling_convolutions(&c.g), 2);
    const int order[] = {a, b, h, r, d, e, f};
    for (int i = 0; i < c.g.op_count; i++)
        assert_int_equal(c.g.ops[i].outputs[0], order[i]);
    assert_int_equal(ft_nn_group_sibling_convolutions(&c.g), 0); /* grouped already */
    ft_nn_graph_free(&c.g);
}

int main(void)
{
    seed = first_seed = 1; /* the builder's constants; the inputs are a ramp */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chains_fuse_with_the_same_values),
        cmocka_unit_test(test_other_chains_stay),
        cmocka_unit_test(test_depthwise_folds_into_pointwise_with_the_same_values),
        cmocka_unit_test(test_other_pairs_stay),
        cmocka_unit_test(test_prelu_fuses_with_the_same_values),
        cmocka_unit_test(test_sibling_convolutions_are_grouped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
