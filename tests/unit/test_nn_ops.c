/* Every op the fast backend runs with XNNPACK gives the reference kernel's
 * result, over many shapes and attribute variants, on fresh random inputs
 * (the seed is printed; FT_TEST_SEED replays one). The tolerance is a
 * relative error of 1e-5 of the output's scale: both sides compute in
 * float32 and differ only in summation order and in XNNPACK's polynomial
 * sigmoid, both far below that.
 * Also: a tiny TFLite model written by our own builder loads and gives
 * hand-computed values on both backends. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "../fuzz/tflite_builder.h"
#include "nn_case.h"
#include "nn/backend.h"
#include "nn/runner.h"
#include "nn/session.h"
#include "nn/tflite.h"
#include "test_seed.h"

#define REL_TOL 1e-5
/* A device row's fp16 storage: inputs, weights and outputs rounded to 11
 * significant bits (5e-4 each), arithmetic in fp32. */
#define REL_TOL_FP16 4e-3

static int cases_run;
/* Rows of the table this machine cannot run, and why (no GPU, say). */
static char skipped_rows[512];
/* Per op type: cases a backend other than the reference ran natively. */
static int covered[FT_OP_COUNT];

/* Whether BACKEND's op table names every op type of G (its conditions are
 * not asked: a case the row refuses must fail). */
static int claims_every_op(const ft_nn_backend_def *backend, const ft_nn_graph *g)
{
    for (int i = 0; i < g->op_count; i++) {
        int found = 0;
        for (int k = 0; k < backend->op_table_count; k++)
            found |= backend->op_table[k].type == g->ops[i].type;
        if (!found)
            return 0;
    }
    return 1;
}

/* Runs the graph on the reference and on every other backend of the table
 * with the same inputs and compares. */
static void check_case(case_graph *c, const char *what)
{
    char err[512];
    if (c->g.output_count == 0)
        graph_output(c, c->g.ops[c->g.op_count - 1].outputs[0]);
    ft_nn_session *ref;
    if (ft_nn_session_create(&c->g, &ft_nn_backend_reference, NULL, &ref, err, sizeof err) != FT_OK)
        fail_msg("%s: %s", what, err);
    for (int i = 0; i < c->g.input_count; i++) {
        int t = c->g.inputs[i];
        int64_t n = ft_nn_tensor_elements(&c->g.tensors[t]);
        (c->positive[t] ? fill_positive : fill_random)(ft_nn_session_input(ref, i), n, c->lo[t],
                                                       c->hi[t]);
    }
    assert_int_equal(ft_nn_session_run(ref), FT_OK);
    int64_t n = ft_nn_tensor_elements(&c->g.tensors[c->g.outputs[0]]);
    const float *want = ft_nn_session_output(ref, 0);
    for (int b = 0; b < ft_nn_backend_count(); b++) {
        const ft_nn_backend_def *backend = ft_nn_backend_at(b);
        if (backend == &ft_nn_backend_reference || backend->init(err, sizeof err) != FT_OK)
            continue; /* the oracle itself, or no device for this row here */
        if (!claims_every_op(backend, &c->g))
            continue; /* a case for another row's op; each row's own are counted below */
        /* Device rows (those that account device memory) also store fp16. */
        for (int half = 0; half <= (backend->memory_in_use != NULL); half++) {
            const ft_nn_session_options options = {.half = half};
            const double tolerance = half ? REL_TOL_FP16 : REL_TOL;
            ft_nn_session *fast;
            if (ft_nn_session_create(&c->g, backend, &options, &fast, err, sizeof err) != FT_OK)
                fail_msg("%s on %s: %s", what, backend->name, err);
            if (ft_nn_session_native_ops(fast) != c->g.op_count)
                fail_msg("%s: %s did not run the op itself", what, backend->name);
            for (int i = 0; i < c->g.input_count; i++) {
                int64_t k = ft_nn_tensor_elements(&c->g.tensors[c->g.inputs[i]]);
                memcpy(ft_nn_session_input(fast, i), ft_nn_session_input(ref, i),
                       (size_t)k * sizeof(float));
            }
            assert_int_equal(ft_nn_session_run(fast), FT_OK);
            const float *got = ft_nn_session_output(fast, 0);
            double scale = 0, diff = 0;
            for (int64_t i = 0; i < n; i++) {
                scale = fmax(scale, fabs(want[i]));
                diff = fmax(diff, fabs((double)want[i] - got[i]));
                if (isnan(want[i]) || isnan(got[i]))
                    fail_msg("%s: NaN at output %lld", what, (long long)i);
            }
            if (!(scale > 0) || diff > tolerance * scale)
                fail_msg("%s on %s%s: max |fast - reference| = %g at output scale %g (seed %u)", what,
                         backend->name, half ? " (fp16)" : "", diff, scale, first_seed);
            ft_nn_session_free(fast);
            for (int i = 0; i < c->g.op_count && !half; i++)
                covered[c->g.ops[i].type]++;
        }
    }
    ft_nn_session_free(ref);
    ft_nn_graph_free(&c->g);
    cases_run++;
}

/* ------------------------------------------------------------ convolutions */

enum pad_mode { PAD_SAME, PAD_VALID, PAD_EXPLICIT };

typedef struct conv_case {
    int h, w, cin, cout, kh, kw, stride, dilation;
    enum pad_mode pad;
    int groups;  /* conv: channel groups; depthwise: the depth multiplier */
    ft_activation act;
    int bias;
} conv_case;

static int64_t out_size(int64_t in, int k, int stride, int dil, enum pad_mode pad, int pads)
{
    if (pad == PAD_SAME)
        return (in + stride - 1) / stride;
    return (in + pads - (int64_t)(k - 1) * dil - 1) / stride + 1;
}

static void set_window(ft_op_attrs *a, const conv_case *k)
{
    a->stride[0] = a->stride[1] = k->stride;
    a->dilation[0] = a->dilation[1] = k->dilation;
    a->same_padding = k->pad == PAD_SAME;
    if (k->pad == PAD_EXPLICIT) {
        a->pads[0] = 1; /* top, left, bottom, right: deliberately uneven */
        a->pads[1] = 2;
        a->pads[2] = 2;
        a->pads[3] = 0;
    }
    a->activation = k->act;
}

static void run_conv(const conv_case *k, int depthwise)
{
    case_graph c;
    graph_begin(&c);
    int x = input(&c, 4, (int64_t[]){1, k->h, k->w, k->cin});
    int cout = depthwise ? k->cin * k->groups : k->cout;
    int w = depthwise ? constant(&c, 4, (int64_t[]){1, k->kh, k->kw, cout})
                      : constant(&c, 4, (int64_t[]){cout, k->kh, k->kw, k->cin / k->groups});
    int b = k->bias ? constant(&c, 1, (int64_t[]){cout}) : -1;
    int ph = k->pad == PAD_EXPLICIT ? 3 : 0, pw = k->pad == PAD_EXPLICIT ? 2 : 0;
    int64_t oh = out_size(k->h, k->kh, k->stride, k->dilation, k->pad, ph);
    int64_t ow = out_size(k->w, k->kw, k->stride, k->dilation, k->pad, pw);
    ft_nn_op *o = op(&c, depthwise ? FT_OP_DEPTHWISE_CONV2D : FT_OP_CONV2D, 4,
                     (int64_t[]){1, oh, ow, cout}, 3, x, w, b);
    set_window(&o->attrs, k);
    o->attrs.depth_multiplier = depthwise ? k->groups : 0;
    char what[160];
    snprintf(what, sizeof what, "%s %dx%dx%d k%dx%d s%d d%d pad%d g%d act%d", ft_op_name(o->type),
             k->h, k->w, k->cin, k->kh, k->kw, k->stride, k->dilation, k->pad, k->groups, k->act);
    check_case(&c, what);
}

static void conv2d_matches_reference(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {16, 16, 3, 8, 1, 1, 1, 1, PAD_VALID, 1, FT_ACT_NONE, 1},
        {16, 16, 8, 16, 1, 1, 1, 1, PAD_SAME, 1, FT_ACT_RELU, 1},
        {17, 13, 3, 24, 5, 5, 2, 1, PAD_SAME, 1, FT_ACT_RELU, 1},
        {32, 32, 16, 16, 3, 3, 1, 1, PAD_SAME, 1, FT_ACT_RELU6, 0},
        {15, 15, 8, 12, 3, 3, 2, 1, PAD_SAME, 1, FT_ACT_NONE, 1},
        {12, 10, 4, 6, 3, 3, 1, 1, PAD_VALID, 1, FT_ACT_RELU_N1_TO_1, 1},
        {12, 12, 4, 6, 3, 3, 1, 1, PAD_EXPLICIT, 1, FT_ACT_NONE, 1},
        {12, 12, 4, 6, 3, 3, 2, 1, PAD_EXPLICIT, 1, FT_ACT_RELU, 0},
        {14, 14, 6, 6, 3, 3, 1, 2, PAD_SAME, 1, FT_ACT_NONE, 1},
        {10, 10, 8, 8, 3, 3, 1, 1, PAD_SAME, 2, FT_ACT_NONE, 1},
        {9, 9, 12, 6, 2, 2, 2, 1, PAD_VALID, 3, FT_ACT_RELU, 1},
        {4, 4, 64, 128, 1, 1, 1, 1, PAD_VALID, 1, FT_ACT_NONE, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_conv(&cases[i], 0);
}

static void depthwise_matches_reference(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {16, 16, 8, 0, 3, 3, 1, 1, PAD_SAME, 1, FT_ACT_NONE, 1},
        {16, 16, 24, 0, 5, 5, 1, 1, PAD_SAME, 1, FT_ACT_RELU, 1},
        {17, 17, 16, 0, 3, 3, 2, 1, PAD_SAME, 1, FT_ACT_NONE, 0},
        {12, 12, 8, 0, 3, 3, 2, 1, PAD_VALID, 1, FT_ACT_RELU6, 1},
        {12, 12, 8, 0, 3, 3, 1, 1, PAD_EXPLICIT, 1, FT_ACT_NONE, 1},
        {10, 10, 4, 0, 3, 3, 1, 1, PAD_SAME, 2, FT_ACT_NONE, 1},
        {14, 14, 6, 0, 3, 3, 1, 2, PAD_SAME, 1, FT_ACT_NONE, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_conv(&cases[i], 1);
}

static void pool_matches_reference(ft_op_type type)
{
    static const conv_case cases[] = {
        {16, 16, 8, 0, 2, 2, 2, 1, PAD_VALID, 0, FT_ACT_NONE, 0},
        {15, 15, 8, 0, 3, 3, 2, 1, PAD_SAME, 0, FT_ACT_NONE, 0},
        {12, 10, 4, 0, 2, 2, 1, 1, PAD_VALID, 0, FT_ACT_RELU, 0},
        {13, 13, 4, 0, 3, 3, 1, 1, PAD_SAME, 0, FT_ACT_NONE, 0},
        {27, 48, 16, 0, 2, 2, 2, 1, PAD_VALID, 0, FT_ACT_NONE, 0}, /* odd: the last row is dropped */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const conv_case *k = &cases[i];
        if (type == FT_OP_AVERAGE_POOL2D && k->pad != PAD_VALID)
            continue; /* the fast backend leaves padded averages to the reference */
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, (int64_t[]){1, k->h, k->w, k->cin});
        int64_t oh = out_size(k->h, k->kh, k->stride, 1, k->pad, 0);
        int64_t ow = out_size(k->w, k->kw, k->stride, 1, k->pad, 0);
        ft_nn_op *o = op(&c, type, 4, (int64_t[]){1, oh, ow, k->cin}, 1, x);
        set_window(&o->attrs, k);
        o->attrs.kernel[0] = k->kh;
        o->attrs.kernel[1] = k->kw;
        check_case(&c, ft_op_name(type));
    }
}

static void max_pool_matches_reference(void **state)
{
    (void)state;
    pool_matches_reference(FT_OP_MAX_POOL2D);
}

static void average_pool_matches_reference(void **state)
{
    (void)state;
    pool_matches_reference(FT_OP_AVERAGE_POOL2D);
}

/* Dense layers over the last axis: the output of the input's rank, or 2D
 * (TFLite's flattening FULLY_CONNECTED). */
static void fully_connected_matches_reference(void **state)
{
    (void)state;
    static const struct {
        int rank;
        int64_t in[4], out[4];
        int bias;
        ft_activation act;
    } cases[] = {
        {2, {7, 33}, {7, 16}, 1, FT_ACT_NONE},
        {2, {100, 101}, {100, 128}, 1, FT_ACT_RELU},
        {3, {2, 5, 12}, {2, 5, 3}, 0, FT_ACT_NONE},
        {4, {1, 3, 6, 8}, {18, 10}, 1, FT_ACT_RELU6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        case_graph c;
        graph_begin(&c);
        const int in_rank = cases[i].rank, out_rank = in_rank == 4 ? 2 : in_rank;
        const int64_t features = cases[i].in[in_rank - 1], units = cases[i].out[out_rank - 1];
        int x = input(&c, in_rank, cases[i].in);
        int w = constant(&c, 2, (int64_t[]){units, features});
        int b = cases[i].bias ? constant(&c, 1, (int64_t[]){units}) : -1;
        ft_nn_op *o = op(&c, FT_OP_FULLY_CONNECTED, out_rank, cases[i].out, 3, x, w, b);
        o->attrs.activation = cases[i].act;
        check_case(&c, "FullyConnected");
    }
}

/* --------------------------------------------------------------- element-wise */

static void binary_ops_match_reference(void **state)
{
    (void)state;
    static const ft_op_type types[] = {FT_OP_ADD,     FT_OP_SUB,     FT_OP_MUL,
                                       FT_OP_DIV,     FT_OP_MAXIMUM, FT_OP_MINIMUM,
                                       FT_OP_SQUARED_DIFFERENCE};
    /* a, b and the broadcast result */
    static const int64_t shapes[][3][4] = {
        {{1, 8, 8, 16}, {1, 8, 8, 16}, {1, 8, 8, 16}},
        {{1, 8, 8, 16}, {1, 1, 1, 16}, {1, 8, 8, 16}},
        {{1, 5, 7, 3}, {1, 5, 1, 3}, {1, 5, 7, 3}},
        {{1, 1, 6, 4}, {1, 9, 1, 4}, {1, 9, 6, 4}},
        {{1, 4, 4, 1}, {1, 4, 4, 12}, {1, 4, 4, 12}},
    };
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            for (int constant_b = 0; constant_b < 2; constant_b++) {
                case_graph c;
                graph_begin(&c);
                int a = input(&c, 4, shapes[s][0]);
                int b = constant_b ? constant(&c, 4, shapes[s][1]) : input(&c, 4, shapes[s][1]);
                if (types[t] == FT_OP_DIV)
                    c.lo[b] = 0.5f; /* keep quotients finite */
                ft_nn_op *o = op(&c, types[t], 4, shapes[s][2], 2, a, b);
                if (t < 4 && s == 1)
                    o->attrs.activation = FT_ACT_RELU;
                check_case(&c, ft_op_name(types[t]));
            }
        }
    }
}

static void prelu_matches_reference(void **state)
{
    (void)state;
    for (int ch = 1; ch <= 33; ch += 8) {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, (int64_t[]){1, 6, 5, ch});
        int slope = constant(&c, 3, (int64_t[]){1, 1, ch});
        op(&c, FT_OP_PRELU, 4, (int64_t[]){1, 6, 5, ch}, 2, x, slope);
        check_case(&c, "PRelu");
    }
}

/* MediaPipe's residual blocks: a 1x1 convolution with its PRelu, a
 * depthwise one (maybe with its own PRelu), a 1x1 convolution back to the
 * block's width, a residual addition and a PRelu. A device row may run
 * the last four as one kernel; it must give the ops' result, for every
 * stride, batch, channel count (multiples of eight or not) and either
 * operand order of the addition. A residual of its own is a second graph
 * input that only the addition reads: a replayed plan uploads it before
 * the first kernel, so nothing before the addition may write over it. */
typedef struct block_case {
    int batch, h, w, width, middle, stride;
    int depthwise_prelu, residual_first, residual_is_input, second_reader;
} block_case;

static ft_nn_op *pointwise(ft_nn_op *o)
{
    o->attrs.stride[0] = o->attrs.stride[1] = 1;
    o->attrs.dilation[0] = o->attrs.dilation[1] = 1;
    return o;
}

static void run_block(const block_case *k)
{
    case_graph c;
    graph_begin(&c);
    const int64_t n = k->batch, oh = (k->h + k->stride - 1) / k->stride,
                  ow = (k->w + k->stride - 1) / k->stride, C = k->width, M = k->middle;
    int x = input(&c, 4, (int64_t[]){n, k->h, k->w, C});
    int residual = k->residual_is_input ? x : input(&c, 4, (int64_t[]){n, oh, ow, C});
    int w1 = constant(&c, 4, (int64_t[]){M, 1, 1, C}), b1 = constant(&c, 1, (int64_t[]){M});
    int t = pointwise(op(&c, FT_OP_CONV2D, 4, (int64_t[]){n, k->h, k->w, M}, 3, x, w1, b1))->outputs[0];
    int s1 = constant(&c, 1, (int64_t[]){M});
    for (int i = 0; i < M; i++) /* slopes of both signs */
        ((float *)c.g.tensors[s1].data)[i] -= 0.5f;
    t = op(&c, FT_OP_PRELU, 4, (int64_t[]){n, k->h, k->w, M}, 2, t, s1)->outputs[0];
    int wd = constant(&c, 4, (int64_t[]){1, 3, 3, M}), bd = constant(&c, 1, (int64_t[]){M});
    ft_nn_op *dw = op(&c, FT_OP_DEPTHWISE_CONV2D, 4, (int64_t[]){n, oh, ow, M}, 3, t, wd, bd);
    dw->attrs.stride[0] = dw->attrs.stride[1] = k->stride;
    dw->attrs.dilation[0] = dw->attrs.dilation[1] = 1;
    dw->attrs.same_padding = 1;
    dw->attrs.depth_multiplier = 1;
    t = dw->outputs[0];
    if (k->depthwise_prelu)
        t = op(&c, FT_OP_PRELU, 4, (int64_t[]){n, oh, ow, M}, 2, t, s1)->outputs[0];
    int w2 = constant(&c, 4, (int64_t[]){C, 1, 1, M}), b2 = constant(&c, 1, (int64_t[]){C});
    for (int i = 0; i < (int)(C * M); i++) /* centred, so that the sum can change sign */
        ((float *)c.g.tensors[w2].data)[i] -= 0.5f;
    t = pointwise(op(&c, FT_OP_CONV2D, 4, (int64_t[]){n, oh, ow, C}, 3, t, w2, b2))->outputs[0];
    const int product = t;
    t = k->residual_first ? op(&c, FT_OP_ADD, 4, (int64_t[]){n, oh, ow, C}, 2, residual, t)->outputs[0]
                          : op(&c, FT_OP_ADD, 4, (int64_t[]){n, oh, ow, C}, 2, t, residual)->outputs[0];
    int s2 = constant(&c, 1, (int64_t[]){C});
    for (int i = 0; i < C; i++)
        ((float *)c.g.tensors[s2].data)[i] -= 0.5f;
    t = op(&c, FT_OP_PRELU, 4, (int64_t[]){n, oh, ow, C}, 2, t, s2)->outputs[0];
    if (k->second_reader) /* the product is read twice: it must reach memory */
        t = op(&c, FT_OP_ADD, 4, (int64_t[]){n, oh, ow, C}, 2, t, product)->outputs[0];
    char what[160];
    snprintf(what, sizeof what, "block %lldx%dx%dx%lld middle %lld stride %d%s%s%s%s",
             (long long)n, k->h, k->w, (long long)C, (long long)M, k->stride,
             k->depthwise_prelu ? " dw-prelu" : "", k->residual_first ? " residual-first" : "",
             k->residual_is_input ? " residual=input" : "", k->second_reader ? " read-twice" : "");
    check_case(&c, what);
}

static void residual_blocks_match_reference(void **state)
{
    (void)state;
    /* At least 32768 output pixels, where a device row fuses, but the
     * last. */
    static const block_case cases[] = {
        {2, 128, 128, 16, 8, 1, 0, 0, 1, 0}, {1, 200, 180, 32, 16, 1, 1, 1, 1, 0},
        {2, 257, 255, 16, 8, 2, 0, 1, 0, 0}, {1, 192, 192, 128, 64, 1, 0, 0, 1, 0},
        {1, 190, 190, 12, 6, 1, 0, 0, 1, 0}, {1, 200, 200, 16, 8, 1, 1, 0, 1, 1},
        {1, 185, 185, 64, 128, 1, 0, 0, 1, 0}, {1, 256, 130, 16, 8, 1, 0, 0, 0, 0},
        {2, 258, 258, 16, 8, 2, 1, 0, 0, 0}, {4, 100, 90, 16, 8, 1, 0, 1, 1, 0},
        {1, 16, 16, 16, 8, 1, 0, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_block(&cases[i]);
}

static void unary_ops_match_reference(void **state)
{
    (void)state;
    static const ft_op_type types[] = {FT_OP_RELU,       FT_OP_RELU6,   FT_OP_RELU_N1_TO_1,
                                       FT_OP_CLIP,       FT_OP_SIGMOID, FT_OP_HARD_SWISH,
                                       FT_OP_LEAKY_RELU, FT_OP_NEG,     FT_OP_ABS,
                                       FT_OP_SQRT};
    static const int64_t shapes[][4] = {{1, 7, 9, 5}, {1, 1, 1, 1000}, {2, 3, 4, 17}};
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            case_graph c;
            graph_begin(&c);
            int x = input(&c, 4, shapes[s]);
            c.hi[x] = 8.0f; /* reach past every clamp and knee */
            c.positive[x] = types[t] == FT_OP_SQRT;
            ft_nn_op *o = op(&c, types[t], 4, shapes[s], 1, x);
            o->attrs.min = -0.3f;
            o->attrs.max = 0.7f;
            o->attrs.alpha = 0.2f;
            check_case(&c, ft_op_name(types[t]));
        }
    }
}

/* Unary ops only some rows claim (the blendshape model's Rsqrt). */
static void more_unary_ops_match_reference(void **state)
{
    (void)state;
    static const ft_op_type types[] = {FT_OP_TANH, FT_OP_EXP, FT_OP_RSQRT};
    static const int64_t shapes[][4] = {{1, 7, 9, 5}, {2, 3, 4, 17}};
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            case_graph c;
            graph_begin(&c);
            int x = input(&c, 4, shapes[s]);
            c.hi[x] = 4.0f;
            c.lo[x] = 0.1f;
            c.positive[x] = types[t] == FT_OP_RSQRT;
            op(&c, types[t], 4, shapes[s], 1, x);
            check_case(&c, ft_op_name(types[t]));
        }
    }
}

static void softmax_matches_reference(void **state)
{
    (void)state;
    static const int64_t shapes[][2] = {{1, 2}, {4, 52}, {3, 1000}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 2, shapes[s]);
        c.hi[x] = 6.0f;
        ft_nn_op *o = op(&c, FT_OP_SOFTMAX, 2, shapes[s], 1, x);
        o->attrs.axis = 1;
        o->attrs.beta = 1.0f;
        check_case(&c, "Softmax");
    }
}

/* ----------------------------------------------------------- data movement */

static void reshape_and_pad_match_reference(void **state)
{
    (void)state;
    case_graph c;
    graph_begin(&c);
    int x = input(&c, 4, (int64_t[]){1, 4, 6, 8});
    op(&c, FT_OP_RESHAPE, 2, (int64_t[]){1, 192}, 1, x);
    check_case(&c, "Reshape");

    static const int64_t pads[][2][4] = {
        {{0, 1, 1, 0}, {0, 1, 1, 0}},
        {{0, 0, 0, 0}, {0, 0, 0, 8}},   /* BlazeFace's channel pad */
        {{0, 2, 0, 3}, {0, 1, 3, 0}},
    };
    for (size_t p = 0; p < sizeof pads / sizeof *pads; p++) {
        graph_begin(&c);
        x = input(&c, 4, (int64_t[]){1, 5, 6, 8});
        int64_t out[4];
        for (int d = 0; d < 4; d++)
            out[d] = c.g.tensors[x].shape[d] + pads[p][0][d] + pads[p][1][d];
        ft_nn_op *o = op(&c, FT_OP_PAD, 4, out, 1, x);
        memcpy(o->attrs.pad_before, pads[p][0], sizeof pads[p][0]);
        memcpy(o->attrs.pad_after, pads[p][1], sizeof pads[p][1]);
        o->attrs.value = p == 2 ? 0.25f : 0.0f;
        check_case(&c, "Pad");
    }
}

/* BlazeFace's two heads joined along the anchors, and channel concats. */
static void concat_matches_reference(void **state)
{
    (void)state;
    static const struct {
        int rank, axis;
        int64_t a[4], b[4];
    } cases[] = {
        {3, 1, {1, 512, 16}, {1, 384, 16}},
        {4, 3, {1, 5, 6, 8}, {1, 5, 6, 3}},
        {4, 0, {2, 3, 4, 5}, {1, 3, 4, 5}},
        {2, 1, {3, 7}, {3, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        case_graph c;
        graph_begin(&c);
        const int axis = cases[k].axis;
        int a = input(&c, cases[k].rank, cases[k].a);
        int b = k == 3 ? constant(&c, cases[k].rank, cases[k].b)
                       : input(&c, cases[k].rank, cases[k].b);
        int64_t out[4];
        memcpy(out, cases[k].a, sizeof out);
        out[axis] += cases[k].b[axis];
        ft_nn_op *o = op(&c, FT_OP_CONCAT, cases[k].rank, out, 2, a, b);
        o->attrs.axis = axis;
        check_case(&c, "Concat");
    }
}

static void resize_and_depth_to_space_match_reference(void **state)
{
    (void)state;
    static const int64_t sizes[][4] = {{6, 6, 12, 12}, {5, 7, 7, 11}, {12, 12, 6, 6}, {3, 4, 8, 8}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (int mode = 0; mode < 3; mode++) {
            case_graph c;
            graph_begin(&c);
            int x = input(&c, 4, (int64_t[]){1, sizes[s][0], sizes[s][1], 5});
            ft_nn_op *o = op(&c, FT_OP_RESIZE, 4, (int64_t[]){1, sizes[s][2], sizes[s][3], 5}, 1, x);
            o->attrs.resize_mode = FT_RESIZE_BILINEAR;
            o->attrs.half_pixel_centers = mode == 1;
            o->attrs.align_corners = mode == 2;
            check_case(&c, mode == 0 ? "Resize (legacy)" : mode == 1 ? "Resize (half pixel)"
                                                                     : "Resize (align corners)");
        }
    }
    for (int block = 2; block <= 3; block++) {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, (int64_t[]){1, 4, 5, 2 * block * block});
        ft_nn_op *o = op(&c, FT_OP_DEPTH_TO_SPACE, 4, (int64_t[]){1, 4 * block, 5 * block, 2}, 1, x);
        o->attrs.block = block;
        check_case(&c, "DepthToSpace");
    }
}

/* A mean over H and W, kept as [N, 1, 1, C]: global average pooling. */
static void global_mean_matches_reference(void **state)
{
    (void)state;
    static const int64_t shapes[][4] = {{1, 28, 28, 24}, {2, 7, 5, 3}, {1, 1, 1, 16}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, shapes[s]);
        ft_nn_op *o = op(&c, FT_OP_REDUCE_MEAN, 4,
                         (int64_t[]){shapes[s][0], 1, 1, shapes[s][3]}, 1, x);
        o->attrs.axis_count = 2;
        o->attrs.axes[0] = s == 1 ? 2 : 1; /* either order */
        o->attrs.axes[1] = s == 1 ? 1 : 2;
        o->attrs.keep_dims = 1;
        check_case(&c, "ReduceMean over H and W");
    }
}

/* Transposes, strided slices and reductions over any axes: the
 * data-movement ops of the attention and blendshape models and of the
 * ONNX face models. */
static void transpose_slice_and_reductions_match_reference(void **state)
{
    (void)state;
    {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, (int64_t[]){2, 3, 5, 7});
        ft_nn_op *o = op(&c, FT_OP_TRANSPOSE, 4, (int64_t[]){2, 7, 3, 5}, 1, x);
        memcpy(o->attrs.perm, (int[]){0, 3, 1, 2}, 4 * sizeof(int));
        check_case(&c, "Transpose NHWC to NCHW");
    }
    {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 3, (int64_t[]){4, 146, 8});
        ft_nn_op *o = op(&c, FT_OP_TRANSPOSE, 3, (int64_t[]){8, 4, 146}, 1, x);
        memcpy(o->attrs.perm, (int[]){2, 0, 1}, 3 * sizeof(int));
        check_case(&c, "Transpose rank 3");
    }
    {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, (int64_t[]){2, 9, 10, 6});
        /* rows 1, 3, 5, 7; columns 8 down to 2 by 3; channels 2..5 */
        ft_nn_op *o = op(&c, FT_OP_SLICE, 4, (int64_t[]){2, 4, 3, 4}, 1, x);
        const int64_t begin[4] = {0, 1, 8, 2}, end[4] = {2, 9, 1, 6}, step[4] = {1, 2, -3, 1};
        memcpy(o->attrs.begin, begin, sizeof begin);
        memcpy(o->attrs.end, end, sizeof end);
        memcpy(o->attrs.step, step, sizeof step);
        check_case(&c, "Slice with steps");
    }
    {
        /* TFLite's shrink_axis_mask: the sliced axis of 1 is dropped */
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 3, (int64_t[]){2, 5, 6});
        ft_nn_op *o = op(&c, FT_OP_SLICE, 2, (int64_t[]){2, 4}, 1, x);
        const int64_t begin[3] = {0, 3, 1}, end[3] = {2, 4, 5}, step[3] = {1, 1, 1};
        memcpy(o->attrs.begin, begin, sizeof begin);
        memcpy(o->attrs.end, end, sizeof end);
        memcpy(o->attrs.step, step, sizeof step);
        check_case(&c, "Slice dropping an axis");
    }
    static const struct {
        ft_op_type type;
        int axes[3], count;
        int64_t out[4];
    } reductions[] = {
        /* the mean over H and W only: other rows claim that form alone */
        {FT_OP_REDUCE_MEAN, {1, 2}, 2, {2, 1, 1, 9}},
        {FT_OP_REDUCE_SUM, {3}, 1, {2, 6, 5, 1}},
        {FT_OP_REDUCE_SUM, {1, 3}, 2, {2, 1, 5, 1}},
        {FT_OP_REDUCE_MAX, {0, 2}, 2, {1, 6, 1, 9}},
        {FT_OP_REDUCE_SUM, {0, 1, 2}, 3, {1, 1, 1, 9}},
    };
    for (size_t k = 0; k < sizeof reductions / sizeof *reductions; k++) {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 4, (int64_t[]){2, 6, 5, 9});
        ft_nn_op *o = op(&c, reductions[k].type, 4, reductions[k].out, 1, x);
        o->attrs.axis_count = reductions[k].count;
        memcpy(o->attrs.axes, reductions[k].axes, sizeof reductions[k].axes);
        o->attrs.keep_dims = 1;
        check_case(&c, ft_op_name(reductions[k].type));
    }
}

/* -------------------------------------------------- a model from our builder */

static void built_tflite_model_gives_hand_computed_values(void **state)
{
    (void)state;
    static fbw w;
    fbw_conv_add_model(&w);
    ft_nn_graph g;
    char err[512];
    if (ft_tflite_load(w.buf, w.len, "built.tflite", &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(g.op_count, 2); /* the DEQUANTIZE was folded */
    const float wt[2][2] = {{1.0f, 0.5f}, {-2.0f, 0.25f}};
    for (int backend = 0; backend < 2; backend++) {
        ft_nn_runner *r;
        if (ft_nn_runner_create(&g, backend ? FT_NN_BACKEND_FAST : FT_NN_BACKEND_REFERENCE, 1, &r,
                                err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        float *x = ft_nn_runner_input(r, 0);
        fill_random(x, 32, 0.05f, 1.0f);
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        const float *y = ft_nn_runner_output(r, 0);
        for (int p = 0; p < 16; p++) {
            for (int o = 0; o < 2; o++) {
                float conv = wt[o][0] * x[2 * p] + wt[o][1] * x[2 * p + 1];
                float want = fmaxf(conv + x[2 * p + o], 0.0f);
                assert_float_equal(y[2 * p + o], want, 1e-6);
            }
        }
        ft_nn_runner_free(r);
    }
    ft_nn_graph_free(&g);
}

/* ------------------------------------------ one graph, runners on threads */

#define THREADS 4

typedef struct worker {
    const ft_nn_graph *g;
    float input[1 * 20 * 20 * 8];
    float output[1 * 10 * 10 * 16];
    int status;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    ft_nn_runner *r;
    char err[256];
    w->status = ft_nn_runner_create(w->g, FT_NN_BACKEND_FAST, 1, &r, err, sizeof err);
    for (int i = 0; i < 50 && w->status == FT_OK; i++) {
        memcpy(ft_nn_runner_input(r, 0), w->input, sizeof w->input);
        w->status = ft_nn_runner_run(r);
        if (w->status == FT_OK && i > 0 &&
            memcmp(w->output, ft_nn_runner_output(r, 0), sizeof w->output) != 0)
            w->status = FT_ERR_INTERNAL; /* a run must not depend on other threads */
        memcpy(w->output, ft_nn_runner_output(r, 0), sizeof w->output);
    }
    if (w->status == FT_OK)
        ft_nn_runner_free(r);
    return NULL;
}

static void runners_share_one_graph_across_threads(void **state)
{
    (void)state;
    case_graph c;
    graph_begin(&c);
    int x = input(&c, 4, (int64_t[]){1, 20, 20, 8});
    int w = constant(&c, 4, (int64_t[]){16, 3, 3, 8});
    ft_nn_op *o = op(&c, FT_OP_CONV2D, 4, (int64_t[]){1, 10, 10, 16}, 2, x, w);
    set_window(&o->attrs, &(conv_case){.stride = 2, .dilation = 1, .pad = PAD_SAME});
    graph_output(&c, o->outputs[0]);
    static worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].g = &c.g;
        fill_random(workers[i].input, 20 * 20 * 8, 0.05f, 1.0f);
        assert_int_equal(pthread_create(&threads[i], NULL, run_worker, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    /* Each thread's result equals a reference run of its own input. */
    char err[256];
    ft_nn_runner *ref;
    assert_int_equal(ft_nn_runner_create(&c.g, FT_NN_BACKEND_REFERENCE, 1, &ref, err, sizeof err), FT_OK);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(workers[i].status, FT_OK);
        memcpy(ft_nn_runner_input(ref, 0), workers[i].input, sizeof workers[i].input);
        assert_int_equal(ft_nn_runner_run(ref), FT_OK);
        const float *want = ft_nn_runner_output(ref, 0);
        for (int k = 0; k < 10 * 10 * 16; k++)
            assert_float_equal(workers[i].output[k], want[k], 1e-4);
    }
    ft_nn_runner_free(ref);
    ft_nn_graph_free(&c.g);
}

/* Every op a backend's op table claims has run here against the reference
 * (the table is the one its support check reads): a new row or entry
 * without a case fails. Runs after the cases above. */
static void every_claimed_op_has_a_case(void **state)
{
    (void)state;
    int missing = 0;
    for (int b = 0; b < ft_nn_backend_count(); b++) {
        const ft_nn_backend_def *backend = ft_nn_backend_at(b);
        char err[256];
        if (backend == &ft_nn_backend_reference || backend->init(err, sizeof err) != FT_OK)
            continue;
        for (int i = 0; i < backend->op_table_count; i++) {
            const ft_op_type type = backend->op_table[i].type;
            if (!covered[type]) {
                printf("%s claims %s, which no case here runs\n", backend->name, ft_op_name(type));
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

static int report(void **state)
{
    (void)state;
    printf("nn ops: %d fast-vs-reference cases, seed %u\n", cases_run, first_seed);
    if (*skipped_rows)
        printf("not run here (skipped):%s\n", skipped_rows);
    return 0;
}

int main(void)
{
    for (int b = 0; b < ft_nn_backend_count(); b++) {
        char why[256];
        const ft_nn_backend_def *backend = ft_nn_backend_at(b);
        size_t len = strlen(skipped_rows);
        if (backend->init(why, sizeof why) != FT_OK)
            snprintf(skipped_rows + len, sizeof skipped_rows - len, " [%s: %s]", backend->name, why);
    }
    if (*skipped_rows)
        printf("rows skipped:%s\n", skipped_rows);
    seed = first_seed = ft_test_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conv2d_matches_reference),
        cmocka_unit_test(global_mean_matches_reference),
        cmocka_unit_test(transpose_slice_and_reductions_match_reference),
        cmocka_unit_test(depthwise_matches_reference),
        cmocka_unit_test(max_pool_matches_reference),
        cmocka_unit_test(average_pool_matches_reference),
        cmocka_unit_test(fully_connected_matches_reference),
        cmocka_unit_test(binary_ops_match_reference),
        cmocka_unit_test(prelu_matches_reference),
        cmocka_unit_test(residual_blocks_match_reference),
        cmocka_unit_test(unary_ops_match_reference),
        cmocka_unit_test(more_unary_ops_match_reference),
        cmocka_unit_test(softmax_matches_reference),
        cmocka_unit_test(concat_matches_reference),
        cmocka_unit_test(reshape_and_pad_match_reference),
        cmocka_unit_test(resize_and_depth_to_space_match_reference),
        cmocka_unit_test(built_tflite_model_gives_hand_computed_values),
        cmocka_unit_test(runners_share_one_graph_across_threads),
        cmocka_unit_test(every_claimed_op_has_a_case),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
