#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xnnpack.h>

#include "nn/xnn_backend.h"

struct ft_xnn_segment {
    xnn_runtime_t runtime;
    uint32_t external_count;
    int *external_tensor;               /* per external id: the graph tensor */
    struct xnn_external_value *binding; /* per external id: its buffer */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static enum xnn_status init_status = xnn_status_uninitialized;

static void init_library(void)
{
    init_status = xnn_initialize(NULL);
}

ft_status ft_xnn_init(void)
{
    pthread_once(&init_once, init_library);
    /* xnn_initialize fails only on a CPU without the instructions it needs */
    return init_status == xnn_status_success ? FT_OK : FT_ERR_NO_DEVICE;
}


static const ft_nn_tensor *input_of(const ft_nn_graph *g, const ft_nn_op *op, int i)
{
    return i < op->input_count && op->inputs[i] >= 0 ? &g->tensors[op->inputs[i]] : NULL;
}

/* What every op XNNPACK runs shares: float32 tensors, one output, a
 * fused activation it can express as a clamp. */
static int plain_float_op(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0), *y = &g->tensors[op->outputs[0]];
    float lo, hi;
    if (!x || x->dtype != FT_DTYPE_F32 || y->dtype != FT_DTYPE_F32 || op->output_count != 1 ||
        x->rank == 0 || !ft_activation_clamp(op->attrs.activation, &lo, &hi))
        return 0;
    for (int i = 0; i < op->input_count; i++)
        if (op->inputs[i] >= 0 && g->tensors[op->inputs[i]].dtype != FT_DTYPE_F32)
            return 0;
    return 1;
}

static int accepts_any(const ft_nn_graph *g, const ft_nn_op *op)
{
    return plain_float_op(g, op);
}

static int accepts_convolution(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *w = input_of(g, op, 1), *b = input_of(g, op, 2);
    return plain_float_op(g, op) && op->attrs.layout == FT_LAYOUT_NHWC && w && w->data &&
           (!b || b->data);
}

/* XNNPACK refuses a 1x1 window (a copy); its average pooling divides by
 * the whole window, so no padding there. */
static int accepts_max_pool(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    return plain_float_op(g, op) && a->layout == FT_LAYOUT_NHWC && a->kernel[0] * a->kernel[1] > 1;
}

static int accepts_average_pool(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    return accepts_max_pool(g, op) && !a->same_padding && !a->pads[0] && !a->pads[1] &&
           !a->pads[2] && !a->pads[3];
}

/* constant [out, in] weights over the input's last axis */
static int accepts_fully_connected(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0), *w = input_of(g, op, 1), *b = input_of(g, op, 2);
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    return plain_float_op(g, op) && w && w->data && w->rank == 2 && (!b || b->data) &&
           x->shape[x->rank - 1] == w->shape[1] && (y->rank == x->rank || y->rank == 2);
}

static int accepts_binary(const ft_nn_graph *g, const ft_nn_op *op)
{
    return plain_float_op(g, op) && input_of(g, op, 1) != NULL;
}

static int accepts_binary_unfused(const ft_nn_graph *g, const ft_nn_op *op)
{
    return accepts_binary(g, op) && op->attrs.activation == FT_ACT_NONE;
}

/* a static per-channel slope */
static int accepts_prelu(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0), *w = input_of(g, op, 1);
    return plain_float_op(g, op) && w && w->data &&
           ft_nn_tensor_elements(w) == x->shape[x->rank - 1] &&
           w->shape[w->rank - 1] == x->shape[x->rank - 1];
}

static int accepts_softmax(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0);
    return plain_float_op(g, op) && op->attrs.beta == 1.0f && op->attrs.axis == x->rank - 1;
}

static int accepts_resize(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    /* Not an ONNX align_corners resize moved to NHWC: XNNPACK's weights are
     * 5e-5 off ONNX's there (nn/layout_nhwc.c). */
    return plain_float_op(g, op) && a->layout == FT_LAYOUT_NHWC &&
           a->resize_mode == FT_RESIZE_BILINEAR && !(a->align_corners && a->half_pixel_centers) &&
           a->coord != FT_COORD_ALIGN_CORNERS;
}

static int accepts_nhwc(const ft_nn_graph *g, const ft_nn_op *op)
{
    return plain_float_op(g, op) && op->attrs.layout == FT_LAYOUT_NHWC;
}

/* A mean over H and W of [N, H, W, C] into [N, 1, 1, C]: global average
 * pooling (the squeeze-and-excitation blocks of MobileNetV3 detectors),
 * which would otherwise split the graph into segments around a host op. */
static int accepts_global_mean(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0), *y = &g->tensors[op->outputs[0]];
    const ft_op_attrs *a = &op->attrs;
    if (!plain_float_op(g, op) || op->input_count != 1 || x->rank != 4 || y->rank != 4 ||
        a->axis_count != 2 || y->shape[0] != x->shape[0] || y->shape[1] != 1 ||
        y->shape[2] != 1 || y->shape[3] != x->shape[3])
        return 0;
    const int lo = a->axes[0] < a->axes[1] ? a->axes[0] : a->axes[1];
    const int hi = a->axes[0] < a->axes[1] ? a->axes[1] : a->axes[0];
    return lo == 1 && hi == 2;
}

const ft_nn_op_support ft_xnn_op_table[] = {
    {FT_OP_CONV2D, accepts_convolution},
    {FT_OP_DEPTHWISE_CONV2D, accepts_convolution},
    {FT_OP_MAX_POOL2D, accepts_max_pool},
    {FT_OP_AVERAGE_POOL2D, accepts_average_pool},
    {FT_OP_FULLY_CONNECTED, accepts_fully_connected},
    {FT_OP_ADD, accepts_binary},
    {FT_OP_SUB, accepts_binary},
    {FT_OP_MUL, accepts_binary},
    {FT_OP_DIV, accepts_binary},
    {FT_OP_MAXIMUM, accepts_binary_unfused},
    {FT_OP_MINIMUM, accepts_binary_unfused},
    {FT_OP_SQUARED_DIFFERENCE, accepts_binary_unfused},
    {FT_OP_PRELU, accepts_prelu},
    {FT_OP_RELU, accepts_any},
    {FT_OP_RELU6, accepts_any},
    {FT_OP_RELU_N1_TO_1, accepts_any},
    {FT_OP_CLIP, accepts_any},
    {FT_OP_SIGMOID, accepts_any},
    {FT_OP_HARD_SWISH, accepts_any},
    {FT_OP_LEAKY_RELU, accepts_any},
    {FT_OP_NEG, accepts_any},
    {FT_OP_ABS, accepts_any},
    {FT_OP_SQRT, accepts_any},
    {FT_OP_RESHAPE, accepts_any},
    {FT_OP_PAD, accepts_any},
    {FT_OP_SOFTMAX, accepts_softmax},
    {FT_OP_RESIZE, accepts_resize},
    {FT_OP_DEPTH_TO_SPACE, accepts_nhwc},
    {FT_OP_REDUCE_MEAN, accepts_global_mean},
};

_Static_assert(sizeof ft_xnn_op_table / sizeof *ft_xnn_op_table == FT_XNN_OP_TABLE_COUNT,
               "FT_XNN_OP_TABLE_COUNT counts the table's rows");

typedef struct builder {
    xnn_subgraph_t sg;
    const ft_nn_graph *g;
    uint32_t *ids;       /* per graph tensor: XNNPACK value id or XNN_INVALID_VALUE_ID */
    uint32_t *external;  /* per graph tensor: external id or XNN_INVALID_VALUE_ID */
} builder;

/* The value for tensor T, defined on first use. */
static enum xnn_status value(builder *B, int t, uint32_t *id)
{
    if (B->ids[t] != XNN_INVALID_VALUE_ID) {
        *id = B->ids[t];
        return xnn_status_success;
    }
    const ft_nn_tensor *tensor = &B->g->tensors[t];
    size_t dims[FT_NN_MAX_RANK] = {1};
    for (int d = 0; d < tensor->rank; d++)
        dims[d] = (size_t)tensor->shape[d];
    uint32_t flags = 0;
    if (B->external[t] != XNN_INVALID_VALUE_ID)
        flags = B->external[t] & 0x80000000u ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT
                                              : XNN_VALUE_FLAG_EXTERNAL_INPUT;
    uint32_t ext = B->external[t] == XNN_INVALID_VALUE_ID ? XNN_INVALID_VALUE_ID
                                                          : B->external[t] & 0x7fffffffu;
    enum xnn_status st = xnn_define_tensor_value(B->sg, xnn_datatype_fp32,
                                                 tensor->rank ? (size_t)tensor->rank : 1, dims,
                                                 tensor->data, ext, flags, &B->ids[t]);
    *id = B->ids[t];
    return st;
}

/* Defines one node for OP; every input and output value first. */
static enum xnn_status define_node(builder *B, const ft_nn_op *op)
{
    const ft_nn_graph *g = B->g;
    const ft_op_attrs *a = &op->attrs;
    uint32_t in[3] = {XNN_INVALID_VALUE_ID, XNN_INVALID_VALUE_ID, XNN_INVALID_VALUE_ID}, out;
    enum xnn_status st;
    for (int i = 0; i < op->input_count && i < 3; i++)
        if (op->inputs[i] >= 0 && (st = value(B, op->inputs[i], &in[i])) != xnn_status_success)
            return st;
    if ((st = value(B, op->outputs[0], &out)) != xnn_status_success)
        return st;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    const ft_nn_tensor *w = op->input_count > 1 ? &g->tensors[op->inputs[1]] : NULL;
    float lo, hi;
    ft_activation_clamp(a->activation, &lo, &hi);
    const uint32_t same = a->same_padding ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
    const uint32_t pt = same ? 0 : (uint32_t)a->pads[0], pl = same ? 0 : (uint32_t)a->pads[1];
    const uint32_t pb = same ? 0 : (uint32_t)a->pads[2], pr = same ? 0 : (uint32_t)a->pads[3];
    switch (op->type) {
    case FT_OP_CONV2D: {
        const size_t gin = (size_t)w->shape[3], groups = (size_t)(x->shape[3] / w->shape[3]);
        return xnn_define_convolution_2d(B->sg, pt, pr, pb, pl, (uint32_t)w->shape[1],
                                         (uint32_t)w->shape[2], (uint32_t)a->stride[0],
                                         (uint32_t)a->stride[1], (uint32_t)a->dilation[0],
                                         (uint32_t)a->dilation[1], (uint32_t)groups, gin,
                                         (size_t)w->shape[0] / groups, lo, hi, in[0], in[1], in[2],
                                         out, same);
    }
    case FT_OP_DEPTHWISE_CONV2D:
        return xnn_define_depthwise_convolution_2d(
            B->sg, pt, pr, pb, pl, (uint32_t)w->shape[1], (uint32_t)w->shape[2],
            (uint32_t)a->stride[0], (uint32_t)a->stride[1], (uint32_t)a->dilation[0],
            (uint32_t)a->dilation[1], (uint32_t)(w->shape[3] / x->shape[3]), (size_t)x->shape[3],
            lo, hi, in[0], in[1], in[2], out, same);
    case FT_OP_MAX_POOL2D:
        return xnn_define_max_pooling_2d(B->sg, pt, pr, pb, pl, (uint32_t)a->kernel[0],
                                         (uint32_t)a->kernel[1], (uint32_t)a->stride[0],
                                         (uint32_t)a->stride[1], 1, 1, lo, hi, in[0], out, same);
    case FT_OP_AVERAGE_POOL2D:
        return xnn_define_average_pooling_2d(B->sg, pt, pr, pb, pl, (uint32_t)a->kernel[0],
                                             (uint32_t)a->kernel[1], (uint32_t)a->stride[0],
                                             (uint32_t)a->stride[1], lo, hi, in[0], out, 0);
    case FT_OP_FULLY_CONNECTED:
        return xnn_define_fully_connected(B->sg, lo, hi, in[0], in[1], in[2], out,
                                          y->rank == x->rank ? 0 : XNN_FLAG_TENSORFLOW_RESHAPE_2D);
    case FT_OP_ADD: return xnn_define_add2(B->sg, lo, hi, in[0], in[1], out, 0);
    case FT_OP_SUB: return xnn_define_subtract(B->sg, lo, hi, in[0], in[1], out, 0);
    case FT_OP_MUL: return xnn_define_multiply2(B->sg, lo, hi, in[0], in[1], out, 0);
    case FT_OP_DIV: return xnn_define_divide(B->sg, lo, hi, in[0], in[1], out, 0);
    case FT_OP_MAXIMUM: return xnn_define_maximum2(B->sg, in[0], in[1], out, 0);
    case FT_OP_MINIMUM: return xnn_define_minimum2(B->sg, in[0], in[1], out, 0);
    case FT_OP_SQUARED_DIFFERENCE: return xnn_define_squared_difference(B->sg, in[0], in[1], out, 0);
    case FT_OP_PRELU: {
        /* XNNPACK wants a rank-1 slope: define one over the same data. */
        size_t c = (size_t)x->shape[x->rank - 1];
        uint32_t slope;
        st = xnn_define_tensor_value(B->sg, xnn_datatype_fp32, 1, &c, w->data,
                                     XNN_INVALID_VALUE_ID, 0, &slope);
        return st != xnn_status_success ? st : xnn_define_prelu(B->sg, in[0], slope, out, 0);
    }
    case FT_OP_RELU: return xnn_define_clamp(B->sg, 0, INFINITY, in[0], out, 0);
    case FT_OP_RELU6: return xnn_define_clamp(B->sg, 0, 6, in[0], out, 0);
    case FT_OP_RELU_N1_TO_1: return xnn_define_clamp(B->sg, -1, 1, in[0], out, 0);
    case FT_OP_CLIP: return xnn_define_clamp(B->sg, a->min, a->max, in[0], out, 0);
    case FT_OP_SIGMOID: return xnn_define_sigmoid(B->sg, in[0], out, 0);
    case FT_OP_HARD_SWISH: return xnn_define_hardswish(B->sg, in[0], out, 0);
    case FT_OP_LEAKY_RELU: return xnn_define_leaky_relu(B->sg, a->alpha, in[0], out, 0);
    case FT_OP_NEG: return xnn_define_negate(B->sg, in[0], out, 0);
    case FT_OP_ABS: return xnn_define_abs(B->sg, in[0], out, 0);
    case FT_OP_SQRT: return xnn_define_square_root(B->sg, in[0], out, 0);
    case FT_OP_SOFTMAX: return xnn_define_softmax(B->sg, in[0], out, 0);
    case FT_OP_RESHAPE: {
        size_t dims[FT_NN_MAX_RANK] = {1};
        for (int d = 0; d < y->rank; d++)
            dims[d] = (size_t)y->shape[d];
        return xnn_define_static_reshape(B->sg, y->rank ? (size_t)y->rank : 1, dims, in[0], out, 0);
    }
    case FT_OP_PAD: {
        size_t before[FT_NN_MAX_RANK], after[FT_NN_MAX_RANK];
        for (int d = 0; d < x->rank; d++) {
            before[d] = (size_t)a->pad_before[d];
            after[d] = (size_t)a->pad_after[d];
        }
        return xnn_define_static_constant_pad(B->sg, before, after, a->value, in[0], out, 0);
    }
    case FT_OP_RESIZE: {
        uint32_t flags = a->align_corners ? XNN_FLAG_ALIGN_CORNERS
                         : a->half_pixel_centers ? 0 : XNN_FLAG_TENSORFLOW_LEGACY_MODE;
        return xnn_define_static_resize_bilinear_2d(B->sg, (size_t)y->shape[1], (size_t)y->shape[2],
                                                    in[0], out, flags);
    }
    case FT_OP_DEPTH_TO_SPACE:
        return xnn_define_depth_to_space(B->sg, in[0], out, (uint32_t)a->block, 0);
    case FT_OP_REDUCE_MEAN:
        return xnn_define_global_average_pooling_2d(B->sg, -INFINITY, INFINITY, in[0], out, 0);
    default:
        return xnn_status_unsupported_parameter;
    }
}

ft_status ft_xnn_segment_create(const ft_nn_graph *g, int first, int last, void *const *buffers,
                                const char *consumed_outside, pthreadpool_t pool,
                                ft_xnn_segment **out, char *err, size_t err_size)
{
    *out = NULL;
    const char *name = g->name && *g->name ? g->name : "(model)";
    if (ft_xnn_init() != FT_OK) {
        snprintf(err, err_size, "%s: XNNPACK does not support this CPU", name);
        return FT_ERR_NO_DEVICE;
    }
    builder B = {.g = g};
    B.ids = malloc((size_t)g->tensor_count * sizeof *B.ids);
    B.external = malloc((size_t)g->tensor_count * sizeof *B.external);
    struct xnn_external_value *bind = calloc((size_t)g->tensor_count, sizeof *bind);
    char *made = calloc((size_t)g->tensor_count, 1);
    ft_xnn_segment *seg = calloc(1, sizeof *seg);
    int *bound_tensor = malloc((size_t)g->tensor_count * sizeof *bound_tensor);
    ft_status result = FT_ERR_NOMEM;
    if (!B.ids || !B.external || !bind || !made || !seg || !bound_tensor)
        goto done;
    /* External values: activations read from before the segment, and
     * results read after it; the high bit marks outputs. */
    uint32_t n_ext = 0;
    for (int t = 0; t < g->tensor_count; t++)
        B.ids[t] = B.external[t] = XNN_INVALID_VALUE_ID;
    for (int i = first; i < last; i++) {
        const ft_nn_op *op = &g->ops[i];
        for (int j = 0; j < op->input_count; j++) {
            int t = op->inputs[j];
            if (t >= 0 && !made[t] && !g->tensors[t].data && B.external[t] == XNN_INVALID_VALUE_ID) {
                bound_tensor[n_ext] = t;
                bind[n_ext] = (struct xnn_external_value){n_ext, buffers[t]};
                B.external[t] = n_ext++;
            }
        }
        for (int j = 0; j < op->output_count; j++)
            made[op->outputs[j]] = 1;
    }
    for (int t = 0; t < g->tensor_count; t++) {
        if (made[t] && consumed_outside[t]) {
            bound_tensor[n_ext] = t;
            bind[n_ext] = (struct xnn_external_value){n_ext, buffers[t]};
            B.external[t] = n_ext++ | 0x80000000u;
        }
    }
    enum xnn_status st = xnn_create_subgraph(n_ext, 0, &B.sg);
    for (int i = first; i < last && st == xnn_status_success; i++) {
        st = define_node(&B, &g->ops[i]);
        if (st != xnn_status_success)
            snprintf(err, err_size, "%s: XNNPACK refused op %d (%s): status %d", name, i,
                     ft_op_name(g->ops[i].type), (int)st);
    }
    if (st == xnn_status_success &&
        (st = xnn_create_runtime_v2(B.sg, pool, 0, &seg->runtime)) != xnn_status_success)
        snprintf(err, err_size, "%s: XNNPACK cannot build ops %d-%d: status %d", name, first,
                 last - 1, (int)st);
    if (st == xnn_status_success &&
        (st = xnn_setup_runtime(seg->runtime, n_ext, bind)) != xnn_status_success)
        snprintf(err, err_size, "%s: XNNPACK cannot bind ops %d-%d: status %d", name, first,
                 last - 1, (int)st);
    result = st == xnn_status_success ? FT_OK : FT_ERR_UNSUPPORTED;
    if (result == FT_OK) {
        seg->external_count = n_ext;
        seg->external_tensor = bound_tensor;
        seg->binding = bind;
        bound_tensor = NULL;
        bind = NULL;
    }
done:
    if (B.sg)
        xnn_delete_subgraph(B.sg);
    free(B.ids);
    free(B.external);
    free(bind);
    free(bound_tensor);
    free(made);
    if (result == FT_OK) {
        *out = seg;
    } else {
        if (result == FT_ERR_NOMEM)
            snprintf(err, err_size, "%s: out of memory", name);
        ft_xnn_segment_free(seg);
    }
    return result;
}

ft_status ft_xnn_segment_run(ft_xnn_segment *seg)
{
    return xnn_invoke_runtime(seg->runtime) == xnn_status_success ? FT_OK : FT_ERR_INTERNAL;
}

ft_status ft_xnn_segment_rebind(ft_xnn_segment *seg, void *const *buffers)
{
    int changed = 0;
    for (uint32_t i = 0; i < seg->external_count; i++) {
        void *now = buffers[seg->external_tensor[i]];
        changed |= seg->binding[i].data != now;
        seg->binding[i].data = now;
    }
    if (!changed)
        return FT_OK;
    return xnn_setup_runtime(seg->runtime, seg->external_count, seg->binding) == xnn_status_success
               ? FT_OK
               : FT_ERR_INTERNAL;
}

void ft_xnn_segment_free(ft_xnn_segment *seg)
{
    if (!seg)
        return;
    if (seg->runtime)
        xnn_delete_runtime(seg->runtime);
    free(seg->external_tensor);
    free(seg->binding);
    free(seg);
}
