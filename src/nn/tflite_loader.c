/* TFLite flatbuffers into the graph IR. Constant inputs that only
 * parameterise an op (PAD paddings, TRANSPOSE perm, MEAN axes, slice bounds)
 * become attributes; float16 constants become float32; DEQUANTIZE of a
 * constant is folded away, so backends never see it. Field numbers follow
 * tensorflow/lite/schema/schema.fbs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/flatbuffer.h"
#include "nn/half.h"
#include "nn/load_error.h"
#include "nn/tflite.h"
#include "nn/tflite_sparsity.h"

/* BuiltinOperator codes used by the models we run. */
enum {
    TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONCATENATION = 2, TFL_CONV_2D = 3,
    TFL_DEPTHWISE_CONV_2D = 4, TFL_DEPTH_TO_SPACE = 5, TFL_DEQUANTIZE = 6,
    TFL_FULLY_CONNECTED = 9, TFL_LOGISTIC = 14, TFL_MAX_POOL_2D = 17, TFL_MUL = 18,
    TFL_RELU = 19, TFL_RELU_N1_TO_1 = 20, TFL_RELU6 = 21, TFL_RESHAPE = 22,
    TFL_RESIZE_BILINEAR = 23, TFL_SOFTMAX = 25, TFL_TANH = 28, TFL_CUSTOM = 32, TFL_PAD = 34,
    TFL_GATHER = 36, TFL_TRANSPOSE = 39, TFL_MEAN = 40, TFL_SUB = 41, TFL_DIV = 42,
    TFL_STRIDED_SLICE = 45, TFL_EXP = 47, TFL_CAST = 53, TFL_PRELU = 54, TFL_MAXIMUM = 55,
    TFL_MINIMUM = 57, TFL_NEG = 59, TFL_PADV2 = 60, TFL_LOG = 73, TFL_SUM = 74, TFL_SQRT = 75,
    TFL_RSQRT = 76, TFL_POW = 78, TFL_REDUCE_MAX = 82, TFL_RESIZE_NEAREST_NEIGHBOR = 97,
    TFL_LEAKY_RELU = 98, TFL_SQUARED_DIFFERENCE = 99, TFL_ABS = 101, TFL_HARD_SWISH = 117,
    TFL_DENSIFY = 124, TFL_BATCH_MATMUL = 126
};

/* TensorType */
enum { TT_FLOAT32 = 0, TT_FLOAT16 = 1, TT_INT32 = 2, TT_UINT8 = 3, TT_INT64 = 4, TT_BOOL = 6, TT_INT8 = 9 };

typedef struct loader {
    ft_fb fb;
    const char *name;
    char *err;
    size_t err_size;
    ft_nn_graph *g;
    size_t buffers_pos;   /* Model.buffers */
    uint32_t buffer_count;
    ft_fb_vec opcodes;
    ft_fb_vec tensors;    /* SubGraph.tensors, for sparsity read at DENSIFY */
} loader;

static ft_status load_error(loader *L, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ft_status load_error(loader *L, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_nn_format_error(L->err, L->err_size, L->name, fmt, ap);
    va_end(ap);
    return st;
}

static ft_status corrupt(loader *L, const char *what)
{
    return load_error(L, FT_ERR_FORMAT, "corrupt TFLite model: bad %s", what);
}

/* ---------------------------------------------------------------- tensors */

/* The bytes of buffer INDEX; NULL with *size 0 when empty. */
static const uint8_t *buffer_bytes(loader *L, uint32_t index, size_t *size)
{
    *size = 0;
    if (index == 0 || index >= L->buffer_count)
        return NULL; /* buffer 0 is the empty sentinel */
    ft_fb_vec buffers = {L->buffers_pos, L->buffer_count};
    size_t b = ft_fb_vec_table(&L->fb, buffers, index);
    ft_fb_vec data = ft_fb_vector(&L->fb, b, 0, 1);
    if (data.pos && data.count) {
        *size = data.count;
        return L->fb.buf + data.pos;
    }
    /* Large models keep data outside the flatbuffer: offset/size from the start. */
    uint64_t off = (uint64_t)ft_fb_int(&L->fb, b, 1, 8, 0, 0);
    uint64_t len = (uint64_t)ft_fb_int(&L->fb, b, 2, 8, 0, 0);
    if (off > 1 && len) {
        if (off > L->fb.size || len > L->fb.size - off) {
            L->fb.bad = 1;
            return NULL;
        }
        *size = (size_t)len;
        return L->fb.buf + off;
    }
    return NULL;
}

static int dtype_of(int tt, ft_dtype *out)
{
    switch (tt) {
    case TT_FLOAT32: *out = FT_DTYPE_F32; return 1;
    case TT_FLOAT16: *out = FT_DTYPE_F16; return 1;
    case TT_INT32: *out = FT_DTYPE_I32; return 1;
    case TT_INT64: *out = FT_DTYPE_I64; return 1;
    case TT_UINT8: *out = FT_DTYPE_U8; return 1;
    case TT_INT8: *out = FT_DTYPE_I8; return 1;
    case TT_BOOL: *out = FT_DTYPE_BOOL; return 1;
    default: return 0;
    }
}

/* Converts a float16 constant to float32 in place of its data. */
static ft_status widen_half(ft_nn_tensor *t)
{
    size_t n = t->nbytes / 2;
    float *f = malloc(n ? n * sizeof *f : 1);
    if (!f)
        return FT_ERR_NOMEM;
    const uint8_t *h = t->data;
    for (size_t i = 0; i < n; i++)
        f[i] = ft_half_to_float((uint16_t)(h[2 * i] | h[2 * i + 1] << 8));
    free(t->data);
    t->data = f;
    t->nbytes = n * sizeof *f;
    t->dtype = FT_DTYPE_F32;
    return FT_OK;
}

static ft_status load_tensor(loader *L, size_t tt, ft_nn_tensor *t, int index)
{
    ft_fb *fb = &L->fb;
    uint32_t len = 0;
    const char *name = ft_fb_string(fb, tt, 3, &len);
    t->name = name ? strndup(name, len) : NULL;
    if (!t->name) {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "tensor_%d", index);
        t->name = strdup(fallback);
    }
    if (!t->name)
        return FT_ERR_NOMEM;
    int type = (int)ft_fb_int(fb, tt, 1, 1, 1, TT_FLOAT32);
    if (!dtype_of(type, &t->dtype))
        return load_error(L, FT_ERR_UNSUPPORTED, "tensor '%s' has unsupported type %d", t->name, type);
    ft_fb_vec shape = ft_fb_vector(fb, tt, 0, 4);
    if (shape.count > FT_NN_MAX_RANK)
        return load_error(L, FT_ERR_UNSUPPORTED, "tensor '%s' has rank %u (at most %d)", t->name,
                          shape.count, FT_NN_MAX_RANK);
    t->rank = (int)shape.count;
    int64_t elements = 1;
    for (int d = 0; d < t->rank; d++) {
        int32_t dim = ft_fb_vec_i32(fb, shape, (uint32_t)d);
        if (dim < -1 || dim > (1 << 24))
            return load_error(L, FT_ERR_FORMAT, "tensor '%s' has an absurd dimension %d", t->name, dim);
        t->shape[d] = dim;
        elements = dim < 0 ? -1 : (elements < 0 ? -1 : elements * dim);
        if (elements > (int64_t)1 << 31)
            return load_error(L, FT_ERR_FORMAT, "tensor '%s' is absurdly large", t->name);
    }
    size_t qt = ft_fb_table(fb, tt, 4);
    if (qt && ft_fb_vector(fb, qt, 2, 4).count > 0)
        return load_error(L, FT_ERR_UNSUPPORTED, "tensor '%s' is quantized (not supported)", t->name);

    size_t size;
    const uint8_t *bytes = buffer_bytes(L, (uint32_t)ft_fb_int(fb, tt, 2, 4, 0, 0), &size);
    if (fb->bad)
        return corrupt(L, "buffer reference");
    if (bytes) {
        if (ft_fb_table(fb, tt, 6))
            return FT_OK; /* sparse: densified when its DENSIFY op is folded */
        if (elements < 0 || (size_t)elements * ft_dtype_size(t->dtype) != size)
            return load_error(L, FT_ERR_FORMAT, "tensor '%s': %zu bytes of data for its shape",
                              t->name, size);
        if (!(t->data = malloc(size)))
            return FT_ERR_NOMEM;
        memcpy(t->data, bytes, size);
        t->nbytes = size;
        if (t->dtype == FT_DTYPE_F16)
            return widen_half(t);
    }
    return FT_OK;
}

/* -------------------------------------------------------------------- ops */

static ft_activation activation_of(int fused)
{
    switch (fused) {
    case 1: return FT_ACT_RELU;
    case 2: return FT_ACT_RELU_N1_TO_1;
    case 3: return FT_ACT_RELU6;
    case 4: return FT_ACT_TANH;
    default: return FT_ACT_NONE;
    }
}

/* A constant int32/int64 input as integers; -1 when it is not constant. */
static int const_ints(const ft_nn_graph *g, int tensor, int64_t *out, int max)
{
    if (tensor < 0 || tensor >= g->tensor_count)
        return -1;
    const ft_nn_tensor *t = &g->tensors[tensor];
    if (!t->data)
        return -1;
    size_t esize = ft_dtype_size(t->dtype);
    if (t->dtype != FT_DTYPE_I32 && t->dtype != FT_DTYPE_I64)
        return -1;
    int n = (int)(t->nbytes / esize);
    if (n > max)
        return -1;
    for (int i = 0; i < n; i++)
        out[i] = t->dtype == FT_DTYPE_I32 ? ((const int32_t *)t->data)[i]
                                          : ((const int64_t *)t->data)[i];
    return n;
}

static int normalize_axis(int axis, int rank)
{
    return axis < 0 ? axis + rank : axis;
}

static ft_status read_pool_conv_options(loader *L, size_t o, int builtin, ft_op_attrs *a)
{
    ft_fb *fb = &L->fb;
    a->layout = FT_LAYOUT_NHWC;
    a->same_padding = ft_fb_int(fb, o, 0, 1, 1, 0) == 0;
    a->stride[1] = (int)ft_fb_int(fb, o, 1, 4, 1, 1);
    a->stride[0] = (int)ft_fb_int(fb, o, 2, 4, 1, 1);
    a->dilation[0] = a->dilation[1] = 1;
    if (builtin == TFL_CONV_2D) {
        a->activation = activation_of((int)ft_fb_int(fb, o, 3, 1, 1, 0));
        a->dilation[1] = (int)ft_fb_int(fb, o, 4, 4, 1, 1);
        a->dilation[0] = (int)ft_fb_int(fb, o, 5, 4, 1, 1);
    } else if (builtin == TFL_DEPTHWISE_CONV_2D) {
        a->depth_multiplier = (int)ft_fb_int(fb, o, 3, 4, 1, 1);
        a->activation = activation_of((int)ft_fb_int(fb, o, 4, 1, 1, 0));
        a->dilation[1] = (int)ft_fb_int(fb, o, 5, 4, 1, 1);
        a->dilation[0] = (int)ft_fb_int(fb, o, 6, 4, 1, 1);
    } else { /* Pool2DOptions */
        a->kernel[1] = (int)ft_fb_int(fb, o, 3, 4, 1, 1);
        a->kernel[0] = (int)ft_fb_int(fb, o, 4, 4, 1, 1);
        a->activation = activation_of((int)ft_fb_int(fb, o, 5, 1, 1, 0));
        if (a->kernel[0] < 1 || a->kernel[1] < 1 || a->kernel[0] > 4096 || a->kernel[1] > 4096)
            return corrupt(L, "pooling window");
    }
    if (a->stride[0] < 1 || a->stride[1] < 1 || a->dilation[0] < 1 || a->dilation[1] < 1 ||
        a->stride[0] > 4096 || a->stride[1] > 4096 || a->dilation[0] > 4096 ||
        a->dilation[1] > 4096)
        return corrupt(L, "stride or dilation");
    return FT_OK;
}

/* STRIDED_SLICE: begin/end/strides constants and masks into per-axis bounds. */
static ft_status read_strided_slice(loader *L, size_t o, ft_nn_op *op)
{
    ft_nn_graph *g = L->g;
    int64_t begin[FT_NN_MAX_RANK], end[FT_NN_MAX_RANK], step[FT_NN_MAX_RANK];
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]];
    int n = const_ints(g, op->inputs[1], begin, FT_NN_MAX_RANK);
    if (n != x->rank || const_ints(g, op->inputs[2], end, FT_NN_MAX_RANK) != n ||
        const_ints(g, op->inputs[3], step, FT_NN_MAX_RANK) != n)
        return load_error(L, FT_ERR_UNSUPPORTED, "STRIDED_SLICE needs constant bounds for every axis");
    int begin_mask = (int)ft_fb_int(&L->fb, o, 0, 4, 1, 0);
    int end_mask = (int)ft_fb_int(&L->fb, o, 1, 4, 1, 0);
    if (ft_fb_int(&L->fb, o, 2, 4, 1, 0) || ft_fb_int(&L->fb, o, 3, 4, 1, 0) ||
        ft_fb_int(&L->fb, o, 5, 1, 1, 0))
        return load_error(L, FT_ERR_UNSUPPORTED, "STRIDED_SLICE with ellipsis/new-axis/offset masks");
    for (int d = 0; d < n; d++) {
        int64_t dim = x->shape[d];
        if (step[d] == 0 || dim < 0)
            return corrupt(L, "STRIDED_SLICE stride");
        int64_t b = begin[d] < 0 ? begin[d] + dim : begin[d];
        int64_t e = end[d] < 0 ? end[d] + dim : end[d];
        if (begin_mask >> d & 1)
            b = step[d] > 0 ? 0 : dim - 1;
        if (end_mask >> d & 1)
            e = step[d] > 0 ? dim : -1;
        /* Clamp like TFLite: into [0, dim] going forward, [-1, dim-1] back. */
        int64_t lo = step[d] > 0 ? 0 : -1, hi = step[d] > 0 ? dim : dim - 1;
        op->attrs.begin[d] = b < lo ? lo : b > hi ? hi : b;
        op->attrs.end[d] = e < lo ? lo : e > hi ? hi : e;
        op->attrs.step[d] = step[d];
    }
    op->attrs.axis_count = n;
    op->input_count = 1;
    return FT_OK;
}

static ft_status map_builtin(loader *L, int builtin, size_t o, ft_nn_op *op)
{
    ft_fb *fb = &L->fb;
    ft_nn_graph *g = L->g;
    ft_op_attrs *a = &op->attrs;
    int64_t v[FT_NN_MAX_RANK * 2];
    const ft_nn_tensor *x = op->input_count > 0 ? &g->tensors[op->inputs[0]] : NULL;
    static const struct { int builtin; ft_op_type type; } simple[] = {
        {TFL_RELU, FT_OP_RELU}, {TFL_RELU6, FT_OP_RELU6}, {TFL_RELU_N1_TO_1, FT_OP_RELU_N1_TO_1},
        {TFL_LOGISTIC, FT_OP_SIGMOID}, {TFL_TANH, FT_OP_TANH}, {TFL_PRELU, FT_OP_PRELU},
        {TFL_HARD_SWISH, FT_OP_HARD_SWISH}, {TFL_EXP, FT_OP_EXP}, {TFL_LOG, FT_OP_LOG},
        {TFL_SQRT, FT_OP_SQRT}, {TFL_RSQRT, FT_OP_RSQRT}, {TFL_NEG, FT_OP_NEG}, {TFL_ABS, FT_OP_ABS},
        {TFL_MAXIMUM, FT_OP_MAXIMUM}, {TFL_MINIMUM, FT_OP_MINIMUM}, {TFL_POW, FT_OP_POW},
        {TFL_SQUARED_DIFFERENCE, FT_OP_SQUARED_DIFFERENCE}, {TFL_CAST, FT_OP_CAST},
        {TFL_BATCH_MATMUL, FT_OP_MATMUL},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (simple[i].builtin == builtin) {
            op->type = simple[i].type;
            return FT_OK;
        }
    }
    switch (builtin) {
    case TFL_ADD: case TFL_SUB: case TFL_MUL: case TFL_DIV:
        op->type = builtin == TFL_ADD ? FT_OP_ADD : builtin == TFL_SUB ? FT_OP_SUB
                 : builtin == TFL_MUL ? FT_OP_MUL : FT_OP_DIV;
        a->activation = activation_of((int)ft_fb_int(fb, o, 0, 1, 1, 0));
        return FT_OK;
    case TFL_CONV_2D:
    case TFL_DEPTHWISE_CONV_2D:
        op->type = builtin == TFL_CONV_2D ? FT_OP_CONV2D : FT_OP_DEPTHWISE_CONV2D;
        return read_pool_conv_options(L, o, builtin, a);
    case TFL_MAX_POOL_2D:
    case TFL_AVERAGE_POOL_2D:
        op->type = builtin == TFL_MAX_POOL_2D ? FT_OP_MAX_POOL2D : FT_OP_AVERAGE_POOL2D;
        return read_pool_conv_options(L, o, builtin, a);
    case TFL_FULLY_CONNECTED:
        op->type = FT_OP_FULLY_CONNECTED;
        a->activation = activation_of((int)ft_fb_int(fb, o, 0, 1, 1, 0));
        a->keep_dims = (int)ft_fb_int(fb, o, 2, 1, 0, 0);
        return FT_OK;
    case TFL_CONCATENATION:
        op->type = FT_OP_CONCAT;
        a->axis = normalize_axis((int)ft_fb_int(fb, o, 0, 4, 1, 0), x->rank);
        a->activation = activation_of((int)ft_fb_int(fb, o, 1, 1, 1, 0));
        return a->axis >= 0 && a->axis < x->rank ? FT_OK : corrupt(L, "concatenation axis");
    case TFL_RESHAPE:
        op->type = FT_OP_RESHAPE; /* the output tensor carries the shape */
        op->input_count = 1;
        return FT_OK;
    case TFL_SOFTMAX:
        op->type = FT_OP_SOFTMAX;
        a->beta = ft_fb_float(fb, o, 0, 1.0f);
        a->axis = x->rank - 1;
        return FT_OK;
    case TFL_LEAKY_RELU:
        op->type = FT_OP_LEAKY_RELU;
        a->alpha = ft_fb_float(fb, o, 0, 0.2f);
        return FT_OK;
    case TFL_RESIZE_BILINEAR:
    case TFL_RESIZE_NEAREST_NEIGHBOR:
        op->type = FT_OP_RESIZE;
        a->layout = FT_LAYOUT_NHWC;
        a->resize_mode = builtin == TFL_RESIZE_BILINEAR ? FT_RESIZE_BILINEAR : FT_RESIZE_NEAREST;
        a->align_corners = (int)ft_fb_int(fb, o, builtin == TFL_RESIZE_BILINEAR ? 2 : 0, 1, 0, 0);
        a->half_pixel_centers = (int)ft_fb_int(fb, o, builtin == TFL_RESIZE_BILINEAR ? 3 : 1, 1, 0, 0);
        op->input_count = 1; /* the size input: the output tensor carries it */
        return FT_OK;
    case TFL_DEPTH_TO_SPACE:
        op->type = FT_OP_DEPTH_TO_SPACE;
        a->layout = FT_LAYOUT_NHWC;
        a->block = (int)ft_fb_int(fb, o, 0, 4, 1, 0);
        return a->block >= 1 && a->block <= 64 ? FT_OK : corrupt(L, "DEPTH_TO_SPACE block size");
    case TFL_PAD:
    case TFL_PADV2: {
        op->type = FT_OP_PAD;
        int n = const_ints(g, op->inputs[1], v, 2 * FT_NN_MAX_RANK);
        if (n != 2 * x->rank)
            return load_error(L, FT_ERR_UNSUPPORTED, "PAD needs constant paddings");
        for (int d = 0; d < x->rank; d++) {
            a->pad_before[d] = v[2 * d];
            a->pad_after[d] = v[2 * d + 1];
            if (v[2 * d] < 0 || v[2 * d + 1] < 0 || v[2 * d] > 65536 || v[2 * d + 1] > 65536)
                return corrupt(L, "PAD paddings");
        }
        if (builtin == TFL_PADV2) {
            const ft_nn_tensor *c = op->input_count > 2 ? &g->tensors[op->inputs[2]] : NULL;
            if (!c || !c->data || c->dtype != FT_DTYPE_F32 || c->nbytes < 4)
                return load_error(L, FT_ERR_UNSUPPORTED, "PADV2 needs a constant float value");
            memcpy(&a->value, c->data, sizeof a->value);
        }
        op->input_count = 1;
        return FT_OK;
    }
    case TFL_TRANSPOSE: {
        op->type = FT_OP_TRANSPOSE;
        int n = const_ints(g, op->inputs[1], v, FT_NN_MAX_RANK);
        if (n != x->rank)
            return load_error(L, FT_ERR_UNSUPPORTED, "TRANSPOSE needs a constant permutation");
        int seen = 0;
        for (int d = 0; d < n; d++) {
            if (v[d] < 0 || v[d] >= n || (seen >> v[d] & 1))
                return corrupt(L, "TRANSPOSE permutation");
            seen |= 1 << v[d];
            a->perm[d] = (int)v[d];
        }
        op->input_count = 1;
        return FT_OK;
    }
    case TFL_MEAN:
    case TFL_SUM:
    case TFL_REDUCE_MAX: {
        op->type = builtin == TFL_MEAN ? FT_OP_REDUCE_MEAN
                 : builtin == TFL_SUM ? FT_OP_REDUCE_SUM : FT_OP_REDUCE_MAX;
        int n = const_ints(g, op->inputs[1], v, FT_NN_MAX_RANK);
        if (n < 0)
            return load_error(L, FT_ERR_UNSUPPORTED, "%s needs constant axes", ft_op_name(op->type));
        for (int d = 0; d < n; d++) {
            a->axes[d] = normalize_axis((int)v[d], x->rank);
            if (a->axes[d] < 0 || a->axes[d] >= x->rank)
                return corrupt(L, "reduction axis");
        }
        a->axis_count = n;
        a->keep_dims = (int)ft_fb_int(fb, o, 0, 1, 0, 0);
        op->input_count = 1;
        return FT_OK;
    }
    case TFL_STRIDED_SLICE:
        op->type = FT_OP_SLICE;
        if (op->input_count != 4)
            return corrupt(L, "STRIDED_SLICE inputs");
        return read_strided_slice(L, o, op);
    case TFL_GATHER:
        op->type = FT_OP_GATHER;
        a->axis = normalize_axis((int)ft_fb_int(fb, o, 0, 4, 1, 0), x->rank);
        return a->axis >= 0 && a->axis < x->rank ? FT_OK : corrupt(L, "GATHER axis");
    default:
        return load_error(L, FT_ERR_UNSUPPORTED, "unsupported TFLite operator %d", builtin);
    }
}

static const char *builtin_name(int builtin)
{
    switch (builtin) {
    case TFL_DEQUANTIZE: return "DEQUANTIZE";
    case TFL_DENSIFY: return "DENSIFY";
    default: return NULL;
    }
}

/* DEQUANTIZE (and DENSIFY) of constants happen here, once: the output
 * becomes a float32 constant and the op disappears. */
static ft_status fold_constant_op(loader *L, int builtin, const int *in, const int *out)
{
    ft_nn_graph *g = L->g;
    ft_nn_tensor *src = &g->tensors[in[0]];
    ft_nn_tensor *dst = &g->tensors[out[0]];
    if (!src->data)
        return load_error(L, FT_ERR_UNSUPPORTED, "%s of a non-constant tensor '%s'",
                          builtin_name(builtin), src->name);
    if (ft_nn_tensor_elements(dst) != ft_nn_tensor_elements(src))
        return corrupt(L, "DEQUANTIZE shapes");
    free(dst->data);
    if (!(dst->data = malloc(src->nbytes ? src->nbytes : 1)))
        return FT_ERR_NOMEM;
    memcpy(dst->data, src->data, src->nbytes);
    dst->nbytes = src->nbytes;
    dst->dtype = src->dtype;
    return FT_OK;
}

/* DENSIFY of a sparse constant: the dense values, widened like any
 * float16 constant, become the output's data. */
static ft_status densify_constant(loader *L, int in, int out)
{
    ft_fb *fb = &L->fb;
    ft_nn_tensor *src = &L->g->tensors[in], *dst = &L->g->tensors[out];
    size_t tt = ft_fb_vec_table(fb, L->tensors, (uint32_t)in);
    size_t sparsity = tt ? ft_fb_table(fb, tt, 6) : 0;
    if (!sparsity)
        return load_error(L, FT_ERR_UNSUPPORTED, "DENSIFY of '%s', which is not a sparse constant",
                          src->name);
    size_t size;
    const uint8_t *values = buffer_bytes(L, (uint32_t)ft_fb_int(fb, tt, 2, 4, 0, 0), &size);
    const size_t esize = ft_dtype_size(src->dtype);
    const int64_t elements = ft_nn_tensor_elements(src);
    if (fb->bad || !values || size % esize || elements < 1 ||
        ft_nn_tensor_elements(dst) != elements || dst->dtype != src->dtype)
        return load_error(L, FT_ERR_FORMAT, "sparse tensor '%s': bad values or shape", src->name);
    ft_sparsity sp;
    const char *why = ft_tflite_read_sparsity(fb, sparsity, src->rank, &sp);
    free(dst->data);
    if (!(dst->data = malloc((size_t)elements * esize)))
        return FT_ERR_NOMEM;
    dst->nbytes = (size_t)elements * esize;
    if (!why)
        why = ft_densify(&sp, src->shape, src->rank, values, size / esize, esize, dst->data);
    if (why)
        return load_error(L, FT_ERR_FORMAT, "sparse tensor '%s': %s", src->name, why);
    return dst->dtype == FT_DTYPE_F16 ? widen_half(dst) : FT_OK;
}

static ft_status load_operator(loader *L, size_t ot, int *kept)
{
    ft_fb *fb = &L->fb;
    ft_nn_graph *g = L->g;
    *kept = 0;
    uint32_t opcode = (uint32_t)ft_fb_int(fb, ot, 0, 4, 0, 0);
    if (opcode >= L->opcodes.count)
        return corrupt(L, "operator code index");
    size_t oc = ft_fb_vec_table(fb, L->opcodes, opcode);
    int builtin = (int)ft_fb_int(fb, oc, 3, 4, 1, 0);
    int deprecated = (int)ft_fb_int(fb, oc, 0, 1, 1, 0);
    if (deprecated > builtin)
        builtin = deprecated; /* files from before builtin_code existed */

    ft_fb_vec ins = ft_fb_vector(fb, ot, 1, 4), outs = ft_fb_vector(fb, ot, 2, 4);
    if (fb->bad || ins.count > FT_NN_MAX_IO || outs.count > FT_NN_MAX_IO || outs.count == 0)
        return corrupt(L, "operator inputs/outputs");
    int in[FT_NN_MAX_IO], out[FT_NN_MAX_IO];
    for (uint32_t i = 0; i < ins.count; i++) {
        in[i] = ft_fb_vec_i32(fb, ins, i);
        if (in[i] < -1 || in[i] >= g->tensor_count)
            return corrupt(L, "operator input index");
    }
    for (uint32_t i = 0; i < outs.count; i++) {
        out[i] = ft_fb_vec_i32(fb, outs, i);
        if (out[i] < 0 || out[i] >= g->tensor_count)
            return corrupt(L, "operator output index");
    }
    if (builtin == TFL_DEQUANTIZE || builtin == TFL_DENSIFY) {
        if (ins.count < 1 || in[0] < 0)
            return corrupt(L, "DEQUANTIZE input");
        if (builtin == TFL_DENSIFY)
            return densify_constant(L, in[0], out[0]);
        return fold_constant_op(L, builtin, in, out);
    }

    /* Counted at once so that a failure below frees what it owns. */
    ft_nn_op *op = &g->ops[g->op_count++];
    memset(op, 0, sizeof *op);
    op->input_count = (int)ins.count;
    op->output_count = (int)outs.count;
    memcpy(op->inputs, in, sizeof(int) * ins.count);
    memcpy(op->outputs, out, sizeof(int) * outs.count);
    if (builtin == TFL_CUSTOM) {
        uint32_t len = 0;
        const char *custom = ft_fb_string(fb, oc, 1, &len);
        op->type = FT_OP_CUSTOM;
        op->attrs.custom_name = strndup(custom ? custom : "", len);
        ft_fb_vec opts = ft_fb_vector(fb, ot, 5, 1);
        if (opts.count) {
            op->attrs.custom_options = malloc(opts.count);
            if (op->attrs.custom_options)
                memcpy(op->attrs.custom_options, fb->buf + opts.pos, opts.count);
            op->attrs.custom_options_size = opts.count;
        }
        if (!op->attrs.custom_name || (opts.count && !op->attrs.custom_options))
            return FT_ERR_NOMEM;
    } else {
        if (op->input_count < 1 || op->inputs[0] < 0)
            return corrupt(L, "operator without input");
        ft_status st = map_builtin(L, builtin, ft_fb_table(fb, ot, 4), op);
        if (st != FT_OK)
            return st;
    }
    if (fb->bad)
        return corrupt(L, "operator options");
    *kept = 1;
    return FT_OK;
}

/* ------------------------------------------------------------------ model */

/* Constants that no op reads any more (the float16 sources of folded
 * DEQUANTIZEs, parameter inputs moved into attributes) free their data. */
static void release_dead_constants(ft_nn_graph *g)
{
    for (int t = 0; t < g->tensor_count; t++) {
        if (!g->tensors[t].data)
            continue;
        int used = 0;
        for (int i = 0; i < g->op_count && !used; i++)
            for (int j = 0; j < g->ops[i].input_count && !used; j++)
                used = g->ops[i].inputs[j] == t;
        if (!used) {
            free(g->tensors[t].data);
            g->tensors[t].data = NULL;
            g->tensors[t].nbytes = 0;
        }
    }
}

static ft_status load_subgraph(loader *L, size_t sg)
{
    ft_fb *fb = &L->fb;
    ft_nn_graph *g = L->g;
    ft_fb_vec tensors = ft_fb_vector(fb, sg, 0, 4);
    ft_fb_vec ops = ft_fb_vector(fb, sg, 3, 4);
    if (fb->bad || tensors.count == 0 || tensors.count > 1000000 || ops.count > 1000000)
        return corrupt(L, "subgraph");
    g->tensors = calloc(tensors.count, sizeof *g->tensors);
    g->ops = calloc(ops.count ? ops.count : 1, sizeof *g->ops);
    if (!g->tensors || !g->ops)
        return FT_ERR_NOMEM;
    g->tensor_count = (int)tensors.count;
    L->tensors = tensors;
    for (uint32_t i = 0; i < tensors.count; i++) {
        ft_status st = load_tensor(L, ft_fb_vec_table(fb, tensors, i), &g->tensors[i], (int)i);
        if (st != FT_OK)
            return st == FT_ERR_NOMEM ? load_error(L, st, "out of memory") : st;
    }
    for (uint32_t i = 0; i < ops.count; i++) {
        int kept;
        ft_status st = load_operator(L, ft_fb_vec_table(fb, ops, i), &kept);
        if (st != FT_OK)
            return st == FT_ERR_NOMEM ? load_error(L, st, "out of memory") : st;
    }
    release_dead_constants(g);
    ft_fb_vec ins = ft_fb_vector(fb, sg, 1, 4), outs = ft_fb_vector(fb, sg, 2, 4);
    if (fb->bad || ins.count > FT_NN_MAX_IO || outs.count > FT_NN_MAX_IO || outs.count == 0)
        return corrupt(L, "graph inputs/outputs");
    for (uint32_t i = 0; i < ins.count; i++)
        g->inputs[g->input_count++] = ft_fb_vec_i32(fb, ins, i);
    for (uint32_t i = 0; i < outs.count; i++)
        g->outputs[g->output_count++] = ft_fb_vec_i32(fb, outs, i);
    for (int i = 0; i < g->input_count; i++)
        if (g->inputs[i] < 0 || g->inputs[i] >= g->tensor_count)
            return corrupt(L, "graph input index");
    for (int i = 0; i < g->output_count; i++)
        if (g->outputs[i] < 0 || g->outputs[i] >= g->tensor_count)
            return corrupt(L, "graph output index");
    uint32_t len = 0;
    const char *name = ft_fb_string(fb, sg, 4, &len);
    g->name = strndup(name ? name : "", len);
    return g->name ? FT_OK : FT_ERR_NOMEM;
}

ft_status ft_tflite_load(const uint8_t *data, size_t size, const char *name, ft_nn_graph *graph,
                         char *err, size_t err_size)
{
    loader L = {.fb = {data, size, 0}, .name = name ? name : "(model)", .err = err,
                .err_size = err_size, .g = graph};
    memset(graph, 0, sizeof *graph);
    if (err && err_size)
        err[0] = '\0';
    if (!data || size < 8)
        return load_error(&L, FT_ERR_FORMAT, "not a TFLite model (%zu bytes)", size);
    if (memcmp(data + 4, "TFL3", 4) != 0)
        return load_error(&L, FT_ERR_FORMAT, "not a TFLite model (file identifier is not TFL3)");
    ft_fb *fb = &L.fb;
    size_t model = ft_fb_root(fb);
    uint32_t version = (uint32_t)ft_fb_int(fb, model, 0, 4, 0, 0);
    ft_fb_vec buffers = ft_fb_vector(fb, model, 4, 4);
    L.buffers_pos = buffers.pos;
    L.buffer_count = buffers.count;
    L.opcodes = ft_fb_vector(fb, model, 1, 4);
    ft_fb_vec subgraphs = ft_fb_vector(fb, model, 2, 4);
    ft_status st;
    if (fb->bad || !model)
        st = corrupt(&L, "model header");
    else if (version != 3)
        st = load_error(&L, FT_ERR_UNSUPPORTED, "TFLite schema version %u (expected 3)", version);
    else if (subgraphs.count < 1)
        st = corrupt(&L, "subgraph list");
    else
        st = load_subgraph(&L, ft_fb_vec_table(fb, subgraphs, 0));
    if (st == FT_OK && fb->bad)
        st = corrupt(&L, "offset");
    if (st != FT_OK)
        ft_nn_graph_free(graph);
    return st;
}
