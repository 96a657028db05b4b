/* The xnnpack row's own kernels (nn/fast_kernels.c) against the reference
 * kernels on the same random inputs: the resize and the transpose compute
 * the same arithmetic in the same order, so the same bits (over shapes and
 * every coordinate mode of the bilinear resize); the depthwise convolution
 * fuses products into sums, so within 1e-5 of the output's scale (as the
 * XNNPACK ops are held to) over channels, strides, paddings, activations,
 * picture sizes down to one pixel and batches, and in an optimized build it
 * gives XNNPACK's own values bit for bit (its order of fused multiply-adds),
 * so that models keep their results when the xnnpack row hands it XNNPACK's
 * convolutions. Chains of thin convolutions computed a few rows at a time
 * (nn/fast_rows.h) against the reference op by op, and against XNNPACK's
 * runtime of the same ops bit for bit in optimized builds; sibling
 * convolutions run as one XNNPACK convolution against each alone. The ops
 * they do not take are left to the other kernels. The seed is printed;
 * FT_TEST_SEED replays it. */
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
#include "nn/session.h"
#include "nn/xnn_backend.h"
#include "nn/xnn_siblings.h"
#include "test_seed.h"

/* Runs C's one op on the reference and the fast kernel with the same
 * random input and demands outputs within TOLERANCE of the output's scale
 * (0: the same values). */
static void check_within(case_graph *c, const char *what, double tolerance, int as_xnnpack)
{
    ft_nn_graph *g = &c->g;
    const ft_nn_op *op = &g->ops[0];
    if (!ft_fast_kernel_accepts(g, op))
        fail_msg("%s: no fast kernel took it", what);
    void *ref[MAX_TENSORS] = {0}, *fast[MAX_TENSORS] = {0};
    const int x = op->inputs[0], y = op->outputs[0];
    const int64_t nx = ft_nn_tensor_elements(&g->tensors[x]), ny = ft_nn_tensor_elements(&g->tensors[y]);
    /* with the slack that kernels may read past the end (as the session's) */
    float *in = calloc((size_t)nx + 16, sizeof(float));
    float *want = calloc((size_t)ny + 16, sizeof(float)), *got = calloc((size_t)ny + 16, sizeof(float));
    assert_non_null(in);
    assert_non_null(want);
    assert_non_null(got);
    fill_random(in, nx, 0.05f, 1.0f);
    for (int64_t i = 0; i < ny; i++)
        want[i] = got[i] = NAN; /* every output must be written */
    for (int t = 0; t < g->tensor_count; t++)
        ref[t] = fast[t] = g->tensors[t].data; /* constants: as the session gives them */
    ref[x] = fast[x] = in;
    ref[y] = want;
    fast[y] = got;
    assert_int_equal(ft_nn_reference_run_op(g, 0, ref), FT_OK);
    assert_int_equal(ft_fast_kernel_run(g, 0, fast), FT_OK);
    double scale = 0;
    for (int64_t i = 0; i < ny; i++)
        scale = fmax(scale, fabs(want[i]));
    for (int64_t i = 0; i < ny; i++)
        if (!(fabs((double)want[i] - got[i]) <= tolerance * scale))
            fail_msg("%s: output %lld is %.9g, the reference's %.9g (seed %u)", what, (long long)i,
                     (double)got[i], (double)want[i], first_seed);
#ifdef __OPTIMIZE__
    /* GCC fuses the kernel's products into its sums only when optimizing */
    const int bitwise = as_xnnpack;
#else
    const int bitwise = 0;
    (void)as_xnnpack;
#endif
    if (bitwise) { /* the same op as one XNNPACK runtime */
        char outside[MAX_TENSORS] = {0}, err[256];
        outside[y] = 1;
        ft_xnn_segment *seg;
        for (int64_t i = 0; i < ny; i++)
            want[i] = NAN;
        if (ft_xnn_segment_create(g, 0, 1, ref, outside, NULL, &seg, err, sizeof err) != FT_OK)
            fail_msg("%s: %s", what, err);
        assert_int_equal(ft_xnn_segment_run(seg), FT_OK);
        ft_xnn_segment_free(seg);
        for (int64_t i = 0; i < ny; i++)
            if (memcmp(&want[i], &got[i], sizeof(float)) != 0)
                fail_msg("%s: output %lld is %.9g, XNNPACK's %.9g (seed %u)", what, (long long)i,
                         (double)got[i], (double)want[i], first_seed);
    }
    free(in);
    free(want);
    free(got);
    ft_nn_graph_free(g);
}

static void check_same(case_graph *c, const char *what)
{
    check_within(c, what, 0.0, 0);
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

/* A depthwise convolution of H x W x C, 3x3, stride S, one pixel of padding
 * (SAME or explicit; explicit padding after: AFTER), activation ACT, with or
 * without bias, N images. */
static void depthwise_case(case_graph *c, int n, int h, int w, int ch, int s, int same, int after,
                           ft_activation act, int bias)
{
    graph_begin(c);
    const int64_t oh = same ? (h + s - 1) / s : (h + 1 + after - 3) / s + 1;
    const int64_t ow = same ? (w + s - 1) / s : (w + 1 + after - 3) / s + 1;
    int x = input(c, 4, (int64_t[]){n, h, w, ch});
    c->lo[x] = -1.0f;
    int k = constant(c, 4, (int64_t[]){1, 3, 3, ch});
    int b = bias ? constant(c, 1, (int64_t[]){ch}) : -1;
    ft_nn_op *o = op(c, FT_OP_DEPTHWISE_CONV2D, 4, (int64_t[]){n, oh, ow, ch}, bias ? 3 : 2, x, k, b);
    o->attrs.stride[0] = o->attrs.stride[1] = s;
    o->attrs.dilation[0] = o->attrs.dilation[1] = 1;
    o->attrs.depth_multiplier = 1;
    o->attrs.same_padding = same;
    if (!same) {
        o->attrs.pads[0] = o->attrs.pads[1] = 1;
        o->attrs.pads[2] = o->attrs.pads[3] = after;
    }
    o->attrs.activation = act;
    /* signed weights, so that the activation cuts */
    float *kw = c->g.tensors[k].data;
    for (int i = 0; i < 9 * ch; i += 3)
        kw[i] = -kw[i];
}

static void depthwise_matches_reference(void **state)
{
    (void)state;
    static const struct {
        int n, h, w, c, stride, same, after;
        ft_activation act;
        int bias;
    } cases[] = {
        {1, 40, 40, 16, 1, 0, 1, FT_ACT_RELU, 1},  /* YuNet's, smaller */
        {1, 33, 21, 32, 1, 0, 1, FT_ACT_NONE, 1},
        {1, 20, 20, 64, 2, 0, 1, FT_ACT_RELU, 1},  /* SCRFD's stride 2 */
        {1, 21, 19, 48, 2, 0, 1, FT_ACT_RELU6, 0},
        {2, 9, 11, 16, 1, 1, 0, FT_ACT_RELU_N1_TO_1, 1},
        {1, 11, 11, 16, 2, 1, 0, FT_ACT_NONE, 1},  /* SAME, stride 2: one pixel each side */
        {1, 10, 10, 32, 2, 0, 0, FT_ACT_NONE, 1},  /* nothing after */
        {1, 1, 1, 16, 1, 0, 1, FT_ACT_NONE, 1},    /* one pixel */
        {1, 2, 3, 16, 1, 0, 1, FT_ACT_RELU, 1},
        {1, 5, 5, 64, 1, 0, 1, FT_ACT_RELU, 1},
        {1, 3, 8, 16, 2, 0, 1, FT_ACT_NONE, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        case_graph c;
        depthwise_case(&c, cases[k].n, cases[k].h, cases[k].w, cases[k].c, cases[k].stride,
                       cases[k].same, cases[k].after, cases[k].act, cases[k].bias);
        char what[96];
        snprintf(what, sizeof what, "DepthwiseConv2D %dx%dx%dx%d stride %d%s", cases[k].n,
                 cases[k].h, cases[k].w, cases[k].c, cases[k].stride, cases[k].same ? " SAME" : "");
        check_within(&c, what, 1e-5, 1);
    }
}

/* ------------------------------------------------------------------ chains */

static int64_t window_out(int64_t in, int k, int s, int before, int after)
{
    return (in + before + after - k) / s + 1;
}

/* The picture [N, C, H, W] transposed to NHWC for the first op of a chain. */
static int picture_input(case_graph *c, int n, int ch, int h, int w)
{
    int x = input(c, 4, (int64_t[]){n, ch, h, w});
    c->lo[x] = -1.0f;
    ft_nn_op *t = op(c, FT_OP_TRANSPOSE, 4, (int64_t[]){n, h, w, ch}, 1, x);
    memcpy(t->attrs.perm, (int[]){0, 2, 3, 1}, sizeof(int) * 4);
    return t->outputs[0];
}

static const ft_nn_tensor *shape_of(case_graph *c, int t)
{
    return &c->g.tensors[t];
}

/* A convolution of X with a KxK window, stride S, PAD pixels before and
 * AFTER after, O outputs; signed weights so that activations cut. */
static int conv(case_graph *c, int x, int k, int s, int pad, int after, int o, ft_activation act,
                int bias)
{
    const ft_nn_tensor *t = shape_of(c, x);
    const int64_t n = t->shape[0], h = t->shape[1], w = t->shape[2], ch = t->shape[3];
    int wt = constant(c, 4, (int64_t[]){o, k, k, ch});
    int b = bias ? constant(c, 1, (int64_t[]){o}) : -1;
    float *kw = c->g.tensors[wt].data;
    for (int64_t i = 0; i < (int64_t)o * k * k * ch; i += 3)
        kw[i] = -kw[i];
    ft_nn_op *op_ = op(c, FT_OP_CONV2D, 4,
                       (int64_t[]){n, window_out(h, k, s, pad, after), window_out(w, k, s, pad, after), o},
                       bias ? 3 : 2, x, wt, b);
    op_->attrs.stride[0] = op_->attrs.stride[1] = s;
    op_->attrs.dilation[0] = op_->attrs.dilation[1] = 1;
    op_->attrs.pads[0] = op_->attrs.pads[1] = pad;
    op_->attrs.pads[2] = op_->attrs.pads[3] = after;
    op_->attrs.activation = act;
    return op_->outputs[0];
}

static int depthwise_of(case_graph *c, int x, int s, int after, ft_activation act)
{
    const ft_nn_tensor *t = shape_of(c, x);
    const int64_t n = t->shape[0], h = t->shape[1], w = t->shape[2], ch = t->shape[3];
    int wt = constant(c, 4, (int64_t[]){1, 3, 3, ch});
    int b = constant(c, 1, (int64_t[]){ch});
    float *kw = c->g.tensors[wt].data;
    for (int64_t i = 0; i < 9 * ch; i += 3)
        kw[i] = -kw[i];
    ft_nn_op *op_ = op(c, FT_OP_DEPTHWISE_CONV2D, 4,
                       (int64_t[]){n, window_out(h, 3, s, 1, after), window_out(w, 3, s, 1, after), ch},
                       3, x, wt, b);
    op_->attrs.stride[0] = op_->attrs.stride[1] = s;
    op_->attrs.dilation[0] = op_->attrs.dilation[1] = 1;
    op_->attrs.depth_multiplier = 1;
    op_->attrs.pads[0] = op_->attrs.pads[1] = 1;
    op_->attrs.pads[2] = op_->attrs.pads[3] = after;
    op_->attrs.activation = act;
    return op_->outputs[0];
}

static int max_pool_of(case_graph *c, int x, int k, int s)
{
    const ft_nn_tensor *t = shape_of(c, x);
    ft_nn_op *op_ = op(c, FT_OP_MAX_POOL2D, 4,
                       (int64_t[]){t->shape[0], window_out(t->shape[1], k, s, 0, 0),
                                   window_out(t->shape[2], k, s, 0, 0), t->shape[3]},
                       1, x);
    op_->attrs.kernel[0] = op_->attrs.kernel[1] = k;
    op_->attrs.stride[0] = op_->attrs.stride[1] = s;
    return op_->outputs[0];
}

/* The graph's ops as one chain (all of them: OPS) against the reference op
 * by op, within 1e-5 of the output's scale, and in optimized builds against
 * XNNPACK's runtime of the same ops (after the reference's transpose when
 * the chain begins with one) bit for bit. */
static void check_chain(case_graph *c, const char *what, int ops)
{
    ft_nn_graph *g = &c->g;
    assert_int_equal(ft_fast_fused_count(g, 0), ops);
    assert_int_equal(ops, g->op_count);
    void *ref[MAX_TENSORS] = {0}, *fast[MAX_TENSORS] = {0};
    for (int t = 0; t < g->tensor_count; t++) {
        const ft_nn_tensor *x = &g->tensors[t];
        if (x->data) {
            ref[t] = fast[t] = x->data;
            continue;
        }
        const int64_t n = ft_nn_tensor_elements(x);
        ref[t] = calloc((size_t)n + 16, sizeof(float));
        assert_non_null(ref[t]);
        for (int64_t i = 0; i < n; i++)
            ((float *)ref[t])[i] = NAN;
    }
    const int x = g->ops[0].inputs[0], y = g->ops[ops - 1].outputs[0];
    const int64_t nx = ft_nn_tensor_elements(&g->tensors[x]), ny = ft_nn_tensor_elements(&g->tensors[y]);
    fill_random(ref[x], nx, 0.05f, 1.0f);
    fast[x] = ref[x];
    float *got = calloc((size_t)ny + 16, sizeof(float));
    assert_non_null(got);
    for (int64_t i = 0; i < ny; i++)
        got[i] = NAN; /* every output must be written */
    for (int64_t i = ny; i < ny + 16; i++)
        got[i] = 12345.0f; /* and nothing after them */
    fast[y] = got;
    for (int i = 0; i < ops; i++)
        assert_int_equal(ft_nn_reference_run_op(g, i, ref), FT_OK);
    void *scratch = NULL;
    assert_int_equal(posix_memalign(&scratch, 64, ft_fast_fused_scratch(g, 0)), 0);
    assert_int_equal(ft_fast_fused_run(g, 0, fast, scratch), FT_OK);
    const float *want = ref[y];
    double scale = 0;
    for (int64_t i = 0; i < ny; i++)
        scale = fmax(scale, fabs(want[i]));
    for (int64_t i = 0; i < ny; i++)
        if (!(fabs((double)want[i] - got[i]) <= 1e-5 * scale))
            fail_msg("%s: output %lld is %.9g, the reference's %.9g (seed %u)", what, (long long)i,
                     (double)got[i], (double)want[i], first_seed);
    for (int64_t i = ny; i < ny + 16; i++)
        if (got[i] != 12345.0f)
            fail_msg("%s: wrote %lld floats past its output", what, (long long)(i - ny + 1));
#ifdef __OPTIMIZE__
    /* XNNPACK's runtime of the ops after a transpose (XNNPACK has none) */
    const int from = g->ops[0].type == FT_OP_TRANSPOSE;
    char outside[MAX_TENSORS] = {0}, err[256];
    outside[y] = 1;
    for (int64_t i = 0; i < ny; i++)
        ((float *)ref[y])[i] = NAN;
    ft_xnn_segment *seg;
    if (ft_xnn_segment_create(g, from, ops, ref, outside, NULL, &seg, err, sizeof err) != FT_OK)
        fail_msg("%s: %s", what, err);
    assert_int_equal(ft_xnn_segment_run(seg), FT_OK);
    ft_xnn_segment_free(seg);
    for (int64_t i = 0; i < ny; i++)
        if (memcmp(&want[i], &got[i], sizeof(float)) != 0)
            fail_msg("%s: output %lld is %.9g, XNNPACK's %.9g (seed %u)", what, (long long)i,
                     (double)got[i], (double)want[i], first_seed);
#endif
    free(scratch);
    free(got);
    for (int t = 0; t < g->tensor_count; t++)
        if (!g->tensors[t].data)
            free(ref[t]);
    ft_nn_graph_free(g);
}

static void chains_match_reference(void **state)
{
    (void)state;
    case_graph c;
    /* YuNet's first layers, smaller: the picture's 3x3 stride-2 convolution
     * from 3 channels, 1x1, depthwise, max pooling, then the next level */
    graph_begin(&c);
    int x = picture_input(&c, 1, 3, 180, 166);
    x = conv(&c, x, 3, 2, 1, 1, 16, FT_ACT_RELU, 1);
    x = conv(&c, x, 1, 1, 0, 0, 16, FT_ACT_NONE, 1);
    x = depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    x = max_pool_of(&c, x, 2, 2);
    x = conv(&c, x, 1, 1, 0, 0, 32, FT_ACT_NONE, 1);
    x = depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    x = conv(&c, x, 1, 1, 0, 0, 64, FT_ACT_RELU6, 0);
    check_chain(&c, "picture, 1x1, depthwise, pool, 1x1 to 32, depthwise, 1x1 to 64", 8);
    /* SCRFD-500M's: depthwise stride 2 without padding after, channels not
     * a multiple of 16 (40), three batch items */
    graph_begin(&c);
    x = picture_input(&c, 3, 3, 160, 161);
    x = conv(&c, x, 3, 2, 1, 1, 16, FT_ACT_RELU, 1);
    x = depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    x = conv(&c, x, 1, 1, 0, 0, 16, FT_ACT_RELU, 1);
    x = depthwise_of(&c, x, 2, 0, FT_ACT_RELU);
    x = conv(&c, x, 1, 1, 0, 0, 40, FT_ACT_RELU, 1);
    x = depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    x = conv(&c, x, 1, 1, 0, 0, 72, FT_ACT_RELU, 1);
    check_chain(&c, "SCRFD-like, 3 items, 40 and 72 channels", 8);
    /* SCRFD-2.5G's: dense 3x3 convolutions of 12 and 24 channels (stride 1
     * and 2, with and without padding after), max pooling */
    graph_begin(&c);
    x = picture_input(&c, 1, 3, 170, 181);
    x = conv(&c, x, 3, 2, 1, 1, 12, FT_ACT_RELU, 1);
    x = conv(&c, x, 3, 1, 1, 1, 12, FT_ACT_RELU, 1);
    x = conv(&c, x, 3, 2, 1, 0, 24, FT_ACT_RELU6, 0);
    x = conv(&c, x, 2, 1, 0, 1, 20, FT_ACT_NONE, 1);
    x = max_pool_of(&c, x, 2, 2);
    check_chain(&c, "picture, 3x3 to 12, 3x3 stride 2 to 24, 2x2 to 20, pool", 6);
    /* the picture's convolution alone, 12 outputs (SCRFD-2.5G's), a 5x5
     * window at stride 1 with 2 pixels of padding, 4 input channels */
    graph_begin(&c);
    x = picture_input(&c, 1, 3, 127, 93);
    conv(&c, x, 3, 2, 1, 1, 12, FT_ACT_RELU, 1);
    check_chain(&c, "picture to 12 channels", 2);
    graph_begin(&c);
    x = picture_input(&c, 2, 4, 83, 97);
    conv(&c, x, 5, 1, 2, 2, 32, FT_ACT_NONE, 0);
    check_chain(&c, "picture of 4 channels, 5x5 window", 2);
    /* 3 outputs of 16 computed: the last pixels' copies must stop at the
     * tensor's end (check_chain checks the slack after it) */
    graph_begin(&c);
    x = picture_input(&c, 1, 1, 161, 81);
    x = conv(&c, x, 3, 2, 1, 1, 16, FT_ACT_RELU, 1);
    conv(&c, x, 1, 1, 0, 0, 3, FT_ACT_NONE, 1);
    check_chain(&c, "1 channel in, 3 out", 3);
    /* a chain from a 1x1 convolution of an NHWC activation (24 channels in),
     * pooling 3x3 stride 2, 96 channels */
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 81, 83, 24});
    c.lo[x] = -1.0f;
    x = conv(&c, x, 1, 1, 0, 0, 96, FT_ACT_NONE, 1);
    x = depthwise_of(&c, x, 2, 1, FT_ACT_RELU6);
    x = max_pool_of(&c, x, 3, 2);
    x = conv(&c, x, 1, 1, 0, 0, 8, FT_ACT_RELU, 1);
    check_chain(&c, "1x1 from 24 to 96, depthwise stride 2, pool 3x3, 1x1 to 8", 4);
    /* SCRFD-2.5G's residual blocks: two 3x3 convolutions, the block's input
     * added (either operand order), a separate ReLU, ReLU6 or Clip; two items */
    for (int variant = 0; variant < 3; variant++) {
        graph_begin(&c);
        int in = input(&c, 4, (int64_t[]){2, 90, 85, 24});
        c.lo[in] = -1.0f;
        x = conv(&c, in, 3, 1, 1, 1, 24, FT_ACT_RELU, 1);
        x = conv(&c, x, 3, 1, 1, 1, 24, FT_ACT_NONE, 1);
        x = variant == 1 ? op(&c, FT_OP_ADD, 4, (int64_t[]){2, 90, 85, 24}, 2, in, x)->outputs[0]
                         : op(&c, FT_OP_ADD, 4, (int64_t[]){2, 90, 85, 24}, 2, x, in)->outputs[0];
        ft_nn_op *clamp = op(&c, variant == 0 ? FT_OP_RELU : variant == 1 ? FT_OP_RELU6 : FT_OP_CLIP,
                             4, (int64_t[]){2, 90, 85, 24}, 1, x);
        clamp->attrs.layout = FT_LAYOUT_NCHW; /* as ONNX's element-wise ops keep it */
        clamp->attrs.min = -8.0f; /* cuts most of the sums (they reach 140) */
        clamp->attrs.max = 8.0f;
        check_chain(&c, variant == 0   ? "residual block, ReLU"
                        : variant == 1 ? "residual block, ReLU6, the input added first"
                                       : "residual block, Clip",
                    4);
    }
    /* a depthwise first (its rows copied into a ring), 40 channels */
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 91, 90, 40});
    c.lo[x] = -1.0f;
    x = depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    conv(&c, x, 1, 1, 0, 0, 16, FT_ACT_NONE, 1);
    check_chain(&c, "depthwise of 40 channels first, 1x1 to 16", 2);
}

static void chains_stop_where_they_must(void **state)
{
    (void)state;
    case_graph c;
    /* small pictures, and values that fit the L2 cache (96 x 96 x 16 by
     * 4 bytes, FaceMesh's): XNNPACK's runtimes */
    graph_begin(&c);
    int x = input(&c, 4, (int64_t[]){1, 40, 40, 16});
    x = conv(&c, x, 1, 1, 0, 0, 16, FT_ACT_NONE, 1);
    depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    assert_int_equal(ft_fast_fused_count(&c.g, 0), 0);
    ft_nn_graph_free(&c.g);
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 96, 96, 16});
    x = conv(&c, x, 1, 1, 0, 0, 16, FT_ACT_NONE, 1);
    depthwise_of(&c, x, 1, 1, FT_ACT_RELU);
    assert_int_equal(ft_fast_fused_count(&c.g, 0), 0);
    ft_nn_graph_free(&c.g);
    /* a value read by two ops ends the chain there; 128 channels do not chain */
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 96, 96, 16});
    int a = conv(&c, x, 1, 1, 0, 0, 32, FT_ACT_NONE, 1);
    int b = depthwise_of(&c, a, 1, 1, FT_ACT_RELU);
    int d = conv(&c, b, 1, 1, 0, 0, 128, FT_ACT_NONE, 1);
    op(&c, FT_OP_ADD, 4, (int64_t[]){1, 96, 96, 32}, 2, a, b);
    (void)d;
    assert_int_equal(ft_fast_fused_count(&c.g, 0), 0); /* a is read twice */
    assert_int_equal(ft_fast_fused_count(&c.g, 1), 0); /* then 128 channels: one op alone */
    ft_nn_graph_free(&c.g);
    /* the transposed picture read elsewhere too: no folding into the
     * convolution; a 5x5 convolution after it does not chain */
    graph_begin(&c);
    x = picture_input(&c, 1, 3, 100, 100);
    a = conv(&c, x, 3, 2, 1, 1, 16, FT_ACT_RELU, 1);
    conv(&c, a, 5, 1, 2, 2, 16, FT_ACT_RELU, 1);
    assert_int_equal(ft_fast_fused_count(&c.g, 0), 2);
    op(&c, FT_OP_RELU, 4, (int64_t[]){1, 100, 100, 3}, 1, x);
    assert_int_equal(ft_fast_fused_count(&c.g, 0), 0);
    ft_nn_graph_free(&c.g);
}

/* In a plan: a chain whose result nothing reads still writes somewhere of
 * its own (the values between its ops have no memory at all), and the
 * graph's output beside it is the reference's. */
static void chains_in_a_plan(void **state)
{
    (void)state;
    case_graph c;
    graph_begin(&c);
    int x = input(&c, 4, (int64_t[]){1, 96, 96, 16});
    int a = conv(&c, x, 1, 1, 0, 0, 32, FT_ACT_NONE, 1);
    depthwise_of(&c, a, 1, 1, FT_ACT_RELU); /* read by nothing */
    int z = op(&c, FT_OP_RELU, 4, (int64_t[]){1, 96, 96, 16}, 1, x)->outputs[0];
    graph_output(&c, z);
    assert_int_equal(ft_fast_fused_count(&c.g, 0), 2);
    const int64_t n = 96 * 96 * 16;
    float *want = malloc(sizeof(float) * (size_t)n), *in = malloc(sizeof(float) * (size_t)n);
    assert_non_null(want);
    assert_non_null(in);
    fill_random(in, n, 0.05f, 1.0f);
    for (int row = 0; row < 2; row++) {
        const ft_nn_backend_def *b = row ? ft_nn_backend_find("xnnpack") : &ft_nn_backend_reference;
        ft_nn_session *s;
        char err[256];
        assert_non_null(b);
        if (ft_nn_session_create(&c.g, b, NULL, &s, err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        memcpy(ft_nn_session_input(s, 0), in, sizeof(float) * (size_t)n);
        assert_int_equal(ft_nn_session_run(s), FT_OK);
        if (row)
            assert_memory_equal(ft_nn_session_output(s, 0), want, sizeof(float) * (size_t)n);
        else
            memcpy(want, ft_nn_session_output(s, 0), sizeof(float) * (size_t)n);
        ft_nn_session_free(s);
    }
    free(want);
    free(in);
    ft_nn_graph_free(&c.g);
}

/* --------------------------------------------------------------- siblings */

static void siblings_match_each_alone(void **state)
{
    (void)state;
    case_graph c;
    graph_begin(&c);
    /* SCRFD's heads: 3x3 from 64 channels to 2, 8 and 20, two items */
    int x = input(&c, 4, (int64_t[]){2, 21, 19, 64});
    c.lo[x] = -1.0f;
    conv(&c, x, 3, 1, 1, 1, 2, FT_ACT_NONE, 1);
    conv(&c, x, 3, 1, 1, 1, 8, FT_ACT_NONE, 1);
    conv(&c, x, 3, 1, 1, 1, 20, FT_ACT_NONE, 0);
    ft_nn_graph *g = &c.g;
    assert_int_equal(ft_xnn_siblings_count(g, 0), 3);
    assert_int_equal(ft_xnn_siblings_count(g, 1), 2); /* 8 + 20: two passes apart, two together */
    void *ref[MAX_TENSORS] = {0}, *fast[MAX_TENSORS] = {0};
    for (int t = 0; t < g->tensor_count; t++) {
        const int64_t n = ft_nn_tensor_elements(&g->tensors[t]);
        if (g->tensors[t].data) {
            ref[t] = fast[t] = g->tensors[t].data;
            continue;
        }
        ref[t] = calloc((size_t)n + 16, sizeof(float));
        fast[t] = t == x ? ref[t] : calloc((size_t)n + 16, sizeof(float));
        assert_non_null(ref[t]);
        assert_non_null(fast[t]);
    }
    fill_random(ref[x], ft_nn_tensor_elements(&g->tensors[x]), 0.05f, 1.0f);
    char err[256];
    ft_xnn_siblings *s;
    assert_int_equal(ft_xnn_siblings_create(g, 0, 3, NULL, &s, err, sizeof err), FT_OK);
    for (int round = 0; round < 2; round++) /* set up once, run twice */
        assert_int_equal(ft_xnn_siblings_run(s, fast), FT_OK);
    ft_xnn_siblings_free(s);
    char outside[MAX_TENSORS] = {0};
    for (int i = 0; i < 3; i++) {
        const int y = g->ops[i].outputs[0];
        const int64_t n = ft_nn_tensor_elements(&g->tensors[y]);
        const float *got = fast[y], *want = ref[y];
        assert_int_equal(ft_nn_reference_run_op(g, i, ref), FT_OK);
        double scale = 0;
        for (int64_t k = 0; k < n; k++)
            scale = fmax(scale, fabs(want[k]));
        for (int64_t k = 0; k < n; k++)
            if (!(fabs((double)want[k] - got[k]) <= 1e-5 * scale))
                fail_msg("sibling %d: output %lld is %.9g, the reference's %.9g (seed %u)", i,
                         (long long)k, (double)got[k], (double)want[k], first_seed);
        /* each alone on XNNPACK: the same bits */
        ft_xnn_segment *seg;
        memset(outside, 0, sizeof outside);
        outside[y] = 1;
        assert_int_equal(ft_xnn_segment_create(g, i, i + 1, ref, outside, NULL, &seg, err, sizeof err), FT_OK);
        assert_int_equal(ft_xnn_segment_run(seg), FT_OK);
        ft_xnn_segment_free(seg);
        if (memcmp(want, got, sizeof(float) * (size_t)n) != 0)
            fail_msg("sibling %d: not XNNPACK's own values (seed %u)", i, first_seed);
    }
    for (int t = 0; t < g->tensor_count; t++)
        if (!g->tensors[t].data) {
            if (fast[t] != ref[t])
                free(fast[t]);
            free(ref[t]);
        }
    ft_nn_graph_free(g);
    /* 2 + 32 outputs: three passes either way; other windows do not join */
    graph_begin(&c);
    x = input(&c, 4, (int64_t[]){1, 8, 8, 16});
    conv(&c, x, 1, 1, 0, 0, 2, FT_ACT_NONE, 1);
    conv(&c, x, 1, 1, 0, 0, 32, FT_ACT_NONE, 1);
    conv(&c, x, 3, 1, 1, 1, 2, FT_ACT_NONE, 1);
    assert_int_equal(ft_xnn_siblings_count(&c.g, 0), 0);
    assert_int_equal(ft_xnn_siblings_count(&c.g, 1), 0);
    ft_nn_graph_free(&c.g);
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
    /* depthwise: 128 channels (XNNPACK is faster), 8 (not a vector), a
     * multiplier, two pixels of padding, a 5x5 window */
    depthwise_case(&c, 1, 8, 8, 128, 1, 0, 1, FT_ACT_NONE, 1);
    assert_false(ft_fast_kernel_accepts(&c.g, &c.g.ops[0]));
    ft_nn_graph_free(&c.g);
    depthwise_case(&c, 1, 8, 8, 8, 1, 0, 1, FT_ACT_NONE, 1);
    assert_false(ft_fast_kernel_accepts(&c.g, &c.g.ops[0]));
    ft_nn_graph_free(&c.g);
    depthwise_case(&c, 1, 8, 8, 16, 1, 0, 1, FT_ACT_NONE, 1);
    c.g.tensors[c.g.ops[0].outputs[0]].shape[3] = 32;
    assert_false(ft_fast_kernel_accepts(&c.g, &c.g.ops[0]));
    ft_nn_graph_free(&c.g);
    depthwise_case(&c, 1, 10, 10, 16, 2, 1, 0, FT_ACT_NONE, 1); /* SAME: none before */
    assert_false(ft_fast_kernel_accepts(&c.g, &c.g.ops[0]));
    ft_nn_graph_free(&c.g);
    depthwise_case(&c, 1, 8, 8, 16, 1, 0, 1, FT_ACT_NONE, 1);
    c.g.ops[0].attrs.pads[0] = 2;
    assert_false(ft_fast_kernel_accepts(&c.g, &c.g.ops[0]));
    c.g.ops[0].attrs.pads[0] = 1;
    c.g.ops[0].attrs.activation = FT_ACT_TANH;
    assert_false(ft_fast_kernel_accepts(&c.g, &c.g.ops[0]));
    ft_nn_graph_free(&c.g);
}

int main(void)
{
    seed = first_seed = ft_test_seed();
    printf("fast kernels: seed %u\n", first_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resize_matches_reference),
        cmocka_unit_test(transpose_matches_reference),
        cmocka_unit_test(depthwise_matches_reference),
        cmocka_unit_test(chains_match_reference),
        cmocka_unit_test(chains_stop_where_they_must),
        cmocka_unit_test(chains_in_a_plan),
        cmocka_unit_test(siblings_match_each_alone),
        cmocka_unit_test(other_ops_are_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
