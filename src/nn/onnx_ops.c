/* ONNX nodes into IR ops, with shape inference: every output gets its
 * concrete shape here. Inputs that only parameterise an op (Reshape's
 * shape, Slice's bounds, Resize's sizes...) must be constant once folding
 * has run, and become attributes. Spatial ops are NCHW (attrs.layout), so a
 * later pass can rewrite them for NHWC backends. Semantics follow the ONNX
 * operator specification per opset. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/load_error.h"
#include "nn/onnx_internal.h"

typedef struct node_ctx {
    onnx_loader *L;
    const Onnx__NodeProto *n;
    int in[FT_NN_MAX_IO]; /* tensor per input, -1 when absent */
    int in_count;
} node_ctx;

static ft_status node_error(node_ctx *c, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ft_status node_error(node_ctx *c, ft_status st, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const char *who = c->n->name && *c->n->name ? c->n->name
                      : c->n->n_output ? c->n->output[0] : "";
    return onnx_error(c->L, st, "node '%s' (%s): %s", who, c->n->op_type, reason);
}

/* ------------------------------------------------------------- attributes */

static const Onnx__AttributeProto *attr(const node_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n->n_attribute; i++)
        if (c->n->attribute[i]->name && strcmp(c->n->attribute[i]->name, name) == 0)
            return c->n->attribute[i];
    return NULL;
}

static int64_t attr_int(const node_ctx *c, const char *name, int64_t dflt)
{
    const Onnx__AttributeProto *a = attr(c, name);
    return a && a->has_i ? a->i : dflt;
}

static float attr_float(const node_ctx *c, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = attr(c, name);
    return a && a->has_f ? a->f : dflt;
}

/* Integer list attribute: count, or -1 when absent or longer than MAX. */
static int attr_ints(const node_ctx *c, const char *name, int64_t *out, int max)
{
    const Onnx__AttributeProto *a = attr(c, name);
    if (!a || a->n_ints > (size_t)max)
        return -1;
    for (size_t i = 0; i < a->n_ints; i++)
        out[i] = a->ints[i];
    return (int)a->n_ints;
}

/* Whether string attribute NAME equals VALUE (DFLT when absent). */
static int attr_is(const node_ctx *c, const char *name, const char *value, const char *dflt)
{
    const Onnx__AttributeProto *a = attr(c, name);
    if (!a || !a->has_s)
        return strcmp(dflt, value) == 0;
    return a->s.len == strlen(value) && memcmp(a->s.data, value, a->s.len) == 0;
}

static void attr_string(const node_ctx *c, const char *name, const char *dflt, char *out, size_t size)
{
    const Onnx__AttributeProto *a = attr(c, name);
    if (!a || !a->has_s) {
        snprintf(out, size, "%s", dflt);
        return;
    }
    size_t n = a->s.len < size - 1 ? a->s.len : size - 1;
    memcpy(out, a->s.data, n);
    out[n] = '\0';
}

/* ---------------------------------------------------------------- tensors */

static ft_nn_tensor *T(node_ctx *c, int t)
{
    return &c->L->g->tensors[t];
}

static ft_nn_tensor *IN(node_ctx *c, int i)
{
    return i < c->in_count && c->in[i] >= 0 ? T(c, c->in[i]) : NULL;
}

/* A constant integer input as int64s: count, or -1 when absent, not
 * constant or longer than MAX. */
static int const_ints(node_ctx *c, int i, int64_t *out, int max)
{
    const ft_nn_tensor *t = IN(c, i);
    if (!t || !t->data || (t->dtype != FT_DTYPE_I64 && t->dtype != FT_DTYPE_I32))
        return -1;
    int64_t n = ft_nn_tensor_elements(t);
    if (n < 0 || n > max)
        return -1;
    for (int64_t k = 0; k < n; k++)
        out[k] = t->dtype == FT_DTYPE_I64 ? ((const int64_t *)t->data)[k]
                                          : ((const int32_t *)t->data)[k];
    return (int)n;
}

static int const_floats(node_ctx *c, int i, float *out, int max)
{
    const ft_nn_tensor *t = IN(c, i);
    if (!t || !t->data || t->dtype != FT_DTYPE_F32)
        return -1;
    int64_t n = ft_nn_tensor_elements(t);
    if (n < 0 || n > max)
        return -1;
    memcpy(out, t->data, (size_t)n * sizeof *out);
    return (int)n;
}

/* Makes node output I, binds its name; its index or -1 (error set). */
static int make_output(node_ctx *c, int i, ft_dtype dtype, int rank, const int64_t *shape)
{
    if ((size_t)i >= c->n->n_output) {
        node_error(c, FT_ERR_FORMAT, "missing output %d", i);
        return -1;
    }
    int64_t n = 1;
    for (int d = 0; d < rank; d++) {
        if (shape[d] < 0 || shape[d] > ONNX_MAX_DIM) {
            node_error(c, FT_ERR_FORMAT, "output dimension %lld is absurd", (long long)shape[d]);
            return -1;
        }
        n *= shape[d];
        if (n > ONNX_MAX_ELEMENTS) {
            node_error(c, FT_ERR_FORMAT, "output is absurdly large");
            return -1;
        }
    }
    int t = onnx_add_tensor(c->L, c->n->output[i], dtype, rank, shape);
    if (t < 0 || onnx_bind(c->L, c->n->output[i], t) != FT_OK) {
        onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
        return -1;
    }
    return t;
}

/* An intermediate tensor between two ops made from one node. */
static int make_temp(node_ctx *c, const char *suffix, ft_dtype dtype, int rank, const int64_t *shape)
{
    char name[512];
    snprintf(name, sizeof name, "%s/%s", c->n->n_output ? c->n->output[0] : "", suffix);
    int t = onnx_add_tensor(c->L, name, dtype, rank, shape);
    if (t < 0)
        onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    return t;
}

/* A float constant of SHAPE holding VALUES (COUNT of them). */
static int make_const(node_ctx *c, const char *suffix, const float *values, int rank,
                      const int64_t *shape)
{
    int t = make_temp(c, suffix, FT_DTYPE_F32, rank, shape);
    if (t < 0)
        return -1;
    int64_t n = ft_nn_tensor_elements(T(c, t));
    float *data = malloc((size_t)(n ? n : 1) * sizeof *data);
    if (!data) {
        onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
        return -1;
    }
    memcpy(data, values, (size_t)n * sizeof *data);
    T(c, t)->data = data;
    T(c, t)->nbytes = (size_t)n * sizeof *data;
    return t;
}

static ft_nn_op new_op(ft_op_type type, int x, int y)
{
    ft_nn_op op;
    memset(&op, 0, sizeof op);
    op.type = type;
    op.inputs[0] = x;
    op.input_count = 1;
    op.outputs[0] = y;
    op.output_count = 1;
    op.attrs.layout = FT_LAYOUT_NCHW;
    op.attrs.stride[0] = op.attrs.stride[1] = 1;
    op.attrs.dilation[0] = op.attrs.dilation[1] = 1;
    op.attrs.beta = 1.0f;
    return op;
}

static int norm_axis(int64_t axis, int rank, int *out)
{
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= (rank ? rank : 1))
        return 0;
    *out = (int)axis;
    return 1;
}

/* ----------------------------------------------------------- element-wise */

static ft_status map_binary(node_ctx *c, ft_op_type type)
{
    const ft_nn_tensor *a = IN(c, 0), *b = IN(c, 1);
    if (!a || !b)
        return node_error(c, FT_ERR_FORMAT, "needs two inputs");
    if (a->dtype != b->dtype)
        return node_error(c, FT_ERR_UNSUPPORTED, "inputs of types %s and %s",
                          ft_dtype_name(a->dtype), ft_dtype_name(b->dtype));
    int rank = a->rank > b->rank ? a->rank : b->rank;
    int64_t shape[FT_NN_MAX_RANK];
    for (int i = 1; i <= rank; i++) {
        int64_t da = i <= a->rank ? a->shape[a->rank - i] : 1;
        int64_t db = i <= b->rank ? b->shape[b->rank - i] : 1;
        if (da != db && da != 1 && db != 1)
            return node_error(c, FT_ERR_FORMAT, "shapes do not broadcast");
        shape[rank - i] = da == 1 ? db : da;
    }
    if (type == FT_OP_PRELU && rank != a->rank)
        return node_error(c, FT_ERR_FORMAT, "slope has a higher rank than the input");
    int y = make_output(c, 0, a->dtype, rank, shape);
    if (y < 0)
        return FT_ERR_FORMAT;
    ft_nn_op op = new_op(type, c->in[0], y);
    op.inputs[1] = c->in[1];
    op.input_count = 2;
    return onnx_emit(c->L, &op);
}

/* Unary op of the same shape; OP_OUT receives attributes before it is emitted. */
static ft_status map_unary(node_ctx *c, ft_op_type type, const ft_op_attrs *attrs)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x)
        return node_error(c, FT_ERR_FORMAT, "needs an input");
    int y = make_output(c, 0, x->dtype, x->rank, x->shape);
    if (y < 0)
        return FT_ERR_FORMAT;
    ft_nn_op op = new_op(type, c->in[0], y);
    if (attrs)
        op.attrs = *attrs;
    return onnx_emit(c->L, &op);
}

static ft_status map_clip(node_ctx *c)
{
    ft_op_attrs a = new_op(FT_OP_CLIP, 0, 0).attrs;
    a.min = -FLT_MAX;
    a.max = FLT_MAX;
    if (c->L->opset < 11) {
        a.min = attr_float(c, "min", -FLT_MAX);
        a.max = attr_float(c, "max", FLT_MAX);
    } else {
        for (int i = 1; i <= 2; i++) {
            if (!IN(c, i))
                continue;
            float v;
            if (const_floats(c, i, &v, 1) != 1)
                return node_error(c, FT_ERR_UNSUPPORTED, "needs constant float bounds");
            *(i == 1 ? &a.min : &a.max) = v;
        }
    }
    c->in_count = 1;
    return map_unary(c, FT_OP_CLIP, &a);
}

/* Reciprocal is 1 / x. */
static ft_status map_reciprocal(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs a float input");
    const float one = 1.0f;
    int k = make_const(c, "one", &one, 0, NULL);
    if (k < 0)
        return FT_ERR_NOMEM;
    c->in[1] = c->in[0];
    c->in[0] = k;
    c->in_count = 2;
    return map_binary(c, FT_OP_DIV);
}

static ft_status map_softmax(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->rank < 1)
        return node_error(c, FT_ERR_FORMAT, "needs an input of rank 1 or more");
    const int old = c->L->opset < 13;
    int axis;
    if (!norm_axis(attr_int(c, "axis", old ? 1 : -1), x->rank, &axis))
        return node_error(c, FT_ERR_FORMAT, "axis out of range");
    ft_op_attrs a = new_op(FT_OP_SOFTMAX, 0, 0).attrs;
    if (!old || axis == x->rank - 1) {
        a.axis = axis;
        return map_unary(c, FT_OP_SOFTMAX, &a);
    }
    /* Before opset 13 the input is seen as 2-D [outer, inner] at AXIS and
     * normalised over all of inner: reshape, softmax, reshape back. */
    int64_t flat[2] = {1, 1};
    for (int d = 0; d < x->rank; d++)
        flat[d >= axis] *= x->shape[d];
    int t0 = make_temp(c, "flat", FT_DTYPE_F32, 2, flat);
    int t1 = make_temp(c, "softmax", FT_DTYPE_F32, 2, flat);
    int y = make_output(c, 0, x->dtype, x->rank, x->shape);
    if (t0 < 0 || t1 < 0 || y < 0)
        return FT_ERR_FORMAT;
    ft_nn_op r0 = new_op(FT_OP_RESHAPE, c->in[0], t0), s = new_op(FT_OP_SOFTMAX, t0, t1),
             r1 = new_op(FT_OP_RESHAPE, t1, y);
    s.attrs.axis = 1;
    ft_status st = onnx_emit(c->L, &r0);
    if (st == FT_OK)
        st = onnx_emit(c->L, &s);
    return st == FT_OK ? onnx_emit(c->L, &r1) : st;
}

/* ------------------------------------------------------------ convolution */

/* Pads of one spatial axis from auto_pad and the explicit pads. */
static int spatial_pads(node_ctx *c, int64_t in, int64_t k, int stride, int dil, int64_t begin,
                        int64_t end, int *pb, int *pe)
{
    char mode[32];
    attr_string(c, "auto_pad", "NOTSET", mode, sizeof mode);
    if (strcmp(mode, "SAME_UPPER") == 0 || strcmp(mode, "SAME_LOWER") == 0) {
        int64_t out = (in + stride - 1) / stride;
        int64_t total = (out - 1) * stride + (k - 1) * dil + 1 - in;
        total = total > 0 ? total : 0;
        int64_t small = total / 2;
        *pb = (int)(mode[5] == 'U' ? small : total - small);
        *pe = (int)(total - *pb);
        return 1;
    }
    if (strcmp(mode, "VALID") == 0) {
        *pb = *pe = 0;
        return 1;
    }
    if (strcmp(mode, "NOTSET") != 0 || begin < 0 || end < 0 || begin > 65536 || end > 65536)
        return 0;
    *pb = (int)begin;
    *pe = (int)end;
    return 1;
}

/* Reads strides, dilations and pads of a 2-D window K (h, w) over X into A
 * and gives the output size; 0 on a bad attribute. */
static int window_attrs(node_ctx *c, const ft_nn_tensor *x, const int64_t *k, ft_op_attrs *a,
                        int64_t *out_hw, int ceil_mode)
{
    int64_t v[8];
    int n = attr_ints(c, "strides", v, 2);
    a->stride[0] = n == 2 ? (int)v[0] : 1;
    a->stride[1] = n == 2 ? (int)v[1] : 1;
    if (n == 2 && (v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096))
        return 0;
    n = attr_ints(c, "dilations", v, 2);
    a->dilation[0] = n == 2 ? (int)v[0] : 1;
    a->dilation[1] = n == 2 ? (int)v[1] : 1;
    if (n == 2 && (v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096))
        return 0;
    int64_t pads[4] = {0, 0, 0, 0};
    n = attr_ints(c, "pads", pads, 4);
    if (n >= 0 && n != 4)
        return 0;
    for (int i = 0; i < 2; i++) {
        int b, e;
        if (k[i] < 1 || k[i] > 4096 ||
            !spatial_pads(c, x->shape[2 + i], k[i], a->stride[i], a->dilation[i], pads[i],
                          pads[i + 2], &b, &e))
            return 0;
        int64_t span = (k[i] - 1) * a->dilation[i] + 1;
        int64_t room = x->shape[2 + i] + b + e - span;
        if (room < 0)
            return 0;
        int64_t o = room / a->stride[i] + 1;
        if (ceil_mode && room % a->stride[i]) {
            o++;
            /* the last window must start inside the input or its leading pad */
            if ((o - 1) * a->stride[i] >= x->shape[2 + i] + b)
                o--;
            /* extra trailing pad so that the floor formula gives O too */
            int64_t need = (o - 1) * a->stride[i] + span - (x->shape[2 + i] + b);
            e = (int)(need > e ? need : e);
        }
        a->pads[i] = b;
        a->pads[i + 2] = e;
        out_hw[i] = o;
    }
    return 1;
}

static ft_activation fused_activation(node_ctx *c, ft_op_type *extra, ft_op_attrs *extra_attrs)
{
    char act[32];
    attr_string(c, "activation", "", act, sizeof act);
    *extra = FT_OP_COUNT;
    if (!*act)
        return FT_ACT_NONE;
    if (strcmp(act, "Relu") == 0)
        return FT_ACT_RELU;
    if (strcmp(act, "Sigmoid") == 0)
        return FT_ACT_SIGMOID;
    if (strcmp(act, "Tanh") == 0)
        return FT_ACT_TANH;
    const Onnx__AttributeProto *p = attr(c, "activation_params");
    float p0 = p && p->n_floats > 0 ? p->floats[0] : 0.0f;
    float p1 = p && p->n_floats > 1 ? p->floats[1] : 0.0f;
    if (strcmp(act, "Clip") == 0) {
        if (p0 == 0.0f && p1 == 6.0f)
            return FT_ACT_RELU6;
        if (p0 == -1.0f && p1 == 1.0f)
            return FT_ACT_RELU_N1_TO_1;
        *extra = FT_OP_CLIP;
        extra_attrs->min = p0;
        extra_attrs->max = p1;
    } else if (strcmp(act, "LeakyRelu") == 0) {
        *extra = FT_OP_LEAKY_RELU;
        extra_attrs->alpha = p && p->n_floats > 0 ? p0 : 0.01f;
    } else if (strcmp(act, "HardSigmoid") == 0) {
        *extra = FT_OP_HARD_SIGMOID;
        extra_attrs->alpha = p && p->n_floats > 0 ? p0 : 0.2f;
        extra_attrs->beta = p && p->n_floats > 1 ? p1 : 0.5f;
    } else {
        *extra = FT_OP_CUSTOM; /* unknown */
    }
    return FT_ACT_NONE;
}

static ft_status map_conv(node_ctx *c, int fused)
{
    const ft_nn_tensor *x = IN(c, 0), *w = IN(c, 1), *b = IN(c, 2);
    if (!x || !w || x->rank != 4 || w->rank != 4)
        return node_error(c, FT_ERR_UNSUPPORTED, "only 2-D convolution (rank-4 input and weights)");
    if (x->dtype != FT_DTYPE_F32 || !w->data || w->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs float input and constant float weights");
    if (fused && IN(c, 3))
        return node_error(c, FT_ERR_UNSUPPORTED, "a summed input (Z) is not supported");
    const int64_t C = x->shape[1], O = w->shape[0], group = attr_int(c, "group", 1);
    if (group < 1 || C % group || w->shape[1] != C / group || O % group)
        return node_error(c, FT_ERR_FORMAT, "weights [%lld, %lld, ...] do not fit %lld input channels in %lld groups",
                          (long long)O, (long long)w->shape[1], (long long)C, (long long)group);
    if (b && (ft_nn_tensor_elements(b) != O || b->dtype != FT_DTYPE_F32))
        return node_error(c, FT_ERR_FORMAT, "bias size differs from the output channels");
    int64_t k[2] = {w->shape[2], w->shape[3]}, ks[2];
    if (attr_ints(c, "kernel_shape", ks, 2) == 2 && (ks[0] != k[0] || ks[1] != k[1]))
        return node_error(c, FT_ERR_FORMAT, "kernel_shape differs from the weights");
    ft_nn_op op = new_op(group > 1 && group == C ? FT_OP_DEPTHWISE_CONV2D : FT_OP_CONV2D, c->in[0], -1);
    int64_t hw[2];
    if (!window_attrs(c, x, k, &op.attrs, hw, 0))
        return node_error(c, FT_ERR_FORMAT, "bad strides, dilations or pads for the input size");
    op.attrs.groups = (int)group;
    op.attrs.depth_multiplier = (int)(O / C);
    op.inputs[1] = c->in[1];
    op.inputs[2] = b ? c->in[2] : -1;
    op.input_count = 3;
    ft_op_type extra = FT_OP_COUNT;
    ft_op_attrs extra_attrs = new_op(FT_OP_CLIP, 0, 0).attrs;
    if (fused) {
        op.attrs.activation = fused_activation(c, &extra, &extra_attrs);
        if (extra == FT_OP_CUSTOM)
            return node_error(c, FT_ERR_UNSUPPORTED, "unsupported fused activation");
    }
    const int64_t shape[4] = {x->shape[0], O, hw[0], hw[1]};
    if (extra == FT_OP_COUNT) {
        if ((op.outputs[0] = make_output(c, 0, FT_DTYPE_F32, 4, shape)) < 0)
            return FT_ERR_FORMAT;
        return onnx_emit(c->L, &op);
    }
    int t = make_temp(c, "conv", FT_DTYPE_F32, 4, shape);
    int y = make_output(c, 0, FT_DTYPE_F32, 4, shape);
    if (t < 0 || y < 0)
        return FT_ERR_FORMAT;
    op.outputs[0] = t;
    ft_nn_op act = new_op(extra, t, y);
    act.attrs = extra_attrs;
    ft_status st = onnx_emit(c->L, &op);
    return st == FT_OK ? onnx_emit(c->L, &act) : st;
}

static ft_status map_pool(node_ctx *c, ft_op_type type)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->rank != 4 || x->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_UNSUPPORTED, "only 2-D pooling of float (rank-4 input)");
    if (c->n->n_output > 1 && *c->n->output[1])
        return node_error(c, FT_ERR_UNSUPPORTED, "the Indices output is not supported");
    int64_t k[2];
    if (attr_ints(c, "kernel_shape", k, 2) != 2)
        return node_error(c, FT_ERR_FORMAT, "needs a 2-D kernel_shape");
    ft_nn_op op = new_op(type, c->in[0], -1);
    int64_t hw[2];
    if (!window_attrs(c, x, k, &op.attrs, hw, (int)attr_int(c, "ceil_mode", 0)))
        return node_error(c, FT_ERR_FORMAT, "bad strides, dilations or pads for the input size");
    if (op.attrs.dilation[0] != 1 || op.attrs.dilation[1] != 1)
        return node_error(c, FT_ERR_UNSUPPORTED, "dilated pooling");
    /* padded positions count only when count_include_pad says so */
    if (type == FT_OP_AVERAGE_POOL2D && attr_int(c, "count_include_pad", 0) &&
        (op.attrs.pads[0] | op.attrs.pads[1] | op.attrs.pads[2] | op.attrs.pads[3]))
        return node_error(c, FT_ERR_UNSUPPORTED, "count_include_pad with padding");
    op.attrs.kernel[0] = (int)k[0];
    op.attrs.kernel[1] = (int)k[1];
    const int64_t shape[4] = {x->shape[0], x->shape[1], hw[0], hw[1]};
    if ((op.outputs[0] = make_output(c, 0, FT_DTYPE_F32, 4, shape)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

/* BatchNormalization as x * scale + shift, with constants per channel. */
static ft_status map_batchnorm(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->rank < 2 || x->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_FORMAT, "needs a float input of rank 2 or more");
    const int64_t C = x->shape[1];
    if (C > 65536)
        return node_error(c, FT_ERR_UNSUPPORTED, "too many channels");
    float *p = malloc((size_t)(4 * C + 2 * C) * sizeof *p);
    if (!p)
        return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    float *scale = p + 4 * C, *shift = p + 5 * C;
    ft_status st = FT_OK;
    for (int i = 0; i < 4 && st == FT_OK; i++)
        if (const_floats(c, 1 + i, p + i * C, (int)C) != C)
            st = node_error(c, FT_ERR_UNSUPPORTED, "needs constant scale, bias, mean and variance of %lld values",
                            (long long)C);
    const float eps = attr_float(c, "epsilon", 1e-5f);
    for (int64_t i = 0; st == FT_OK && i < C; i++) {
        scale[i] = p[i] / sqrtf(p[3 * C + i] + eps);
        shift[i] = p[C + i] - p[2 * C + i] * scale[i];
    }
    int64_t cshape[FT_NN_MAX_RANK];
    cshape[0] = C;
    for (int d = 1; d < x->rank - 1; d++)
        cshape[d] = 1;
    int ks = -1, kb = -1, t = -1, y = -1;
    if (st == FT_OK) {
        ks = make_const(c, "scale", scale, x->rank - 1, cshape);
        kb = make_const(c, "shift", shift, x->rank - 1, cshape);
        t = make_temp(c, "scaled", FT_DTYPE_F32, x->rank, x->shape);
        y = make_output(c, 0, FT_DTYPE_F32, x->rank, x->shape);
        if (ks < 0 || kb < 0 || t < 0 || y < 0)
            st = FT_ERR_FORMAT;
    }
    free(p);
    if (st != FT_OK)
        return st;
    ft_nn_op mul = new_op(FT_OP_MUL, c->in[0], t), add = new_op(FT_OP_ADD, t, y);
    mul.inputs[1] = ks;
    add.inputs[1] = kb;
    mul.input_count = add.input_count = 2;
    st = onnx_emit(c->L, &mul);
    return st == FT_OK ? onnx_emit(c->L, &add) : st;
}

/* --------------------------------------------------------- shape movement */

static ft_status emit_reshape(node_ctx *c, int rank, const int64_t *shape)
{
    const ft_nn_tensor *x = IN(c, 0);
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= shape[d];
    if (n != ft_nn_tensor_elements(x))
        return node_error(c, FT_ERR_FORMAT, "%lld elements cannot take a shape of %lld",
                          (long long)ft_nn_tensor_elements(x), (long long)n);
    int y = make_output(c, 0, x->dtype, rank, shape);
    if (y < 0)
        return FT_ERR_FORMAT;
    ft_nn_op op = new_op(FT_OP_RESHAPE, c->in[0], y);
    return onnx_emit(c->L, &op);
}

static ft_status map_reshape(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    int64_t s[FT_NN_MAX_RANK];
    int rank = const_ints(c, 1, s, FT_NN_MAX_RANK);
    if (!x || rank < 0)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs a constant shape of rank %d at most",
                          FT_NN_MAX_RANK);
    const int allowzero = (int)attr_int(c, "allowzero", 0);
    int infer = -1;
    int64_t known = 1;
    for (int d = 0; d < rank; d++) {
        if (s[d] == 0 && !allowzero) {
            if (d >= x->rank)
                return node_error(c, FT_ERR_FORMAT, "0 copies a dimension the input lacks");
            s[d] = x->shape[d];
        }
        if (s[d] == -1) {
            if (infer >= 0)
                return node_error(c, FT_ERR_FORMAT, "more than one -1 in the shape");
            infer = d;
            continue;
        }
        if (s[d] < 0 || s[d] > ONNX_MAX_DIM)
            return node_error(c, FT_ERR_FORMAT, "bad dimension %lld in the shape", (long long)s[d]);
        known *= s[d];
    }
    if (infer >= 0) {
        int64_t n = ft_nn_tensor_elements(x);
        if (known == 0 || n % known)
            return node_error(c, FT_ERR_FORMAT, "-1 cannot be inferred");
        s[infer] = n / known;
    }
    return emit_reshape(c, rank, s);
}

static ft_status map_flatten(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    int axis = 0;
    if (!x || !norm_axis(attr_int(c, "axis", 1), x->rank + 1, &axis))
        return node_error(c, FT_ERR_FORMAT, "axis out of range");
    int64_t s[2] = {1, 1};
    for (int d = 0; d < x->rank; d++)
        s[d >= axis] *= x->shape[d];
    return emit_reshape(c, 2, s);
}

/* Axes from the attribute (before opset 13) or the second input. */
static int axes_of(node_ctx *c, int64_t *axes, int since_opset_input)
{
    if (c->L->opset >= since_opset_input && c->in_count > 1)
        return const_ints(c, 1, axes, FT_NN_MAX_RANK);
    return attr_ints(c, "axes", axes, FT_NN_MAX_RANK);
}

static ft_status map_squeeze(node_ctx *c, int unsqueeze)
{
    const ft_nn_tensor *x = IN(c, 0);
    int64_t axes[FT_NN_MAX_RANK];
    int n = axes_of(c, axes, 13);
    if (!x || (unsqueeze && n < 1) || (c->in_count > 1 && n < 0))
        return node_error(c, FT_ERR_UNSUPPORTED, "needs constant axes");
    const int out_rank = unsqueeze ? x->rank + n : x->rank;
    if (out_rank > FT_NN_MAX_RANK)
        return node_error(c, FT_ERR_UNSUPPORTED, "rank above %d", FT_NN_MAX_RANK);
    int mark[FT_NN_MAX_RANK] = {0};
    for (int i = 0; i < n; i++) {
        int a;
        if (!norm_axis(axes[i], out_rank, &a) || mark[a])
            return node_error(c, FT_ERR_FORMAT, "bad axis %lld", (long long)axes[i]);
        mark[a] = 1;
    }
    int64_t s[FT_NN_MAX_RANK];
    int rank = 0;
    if (unsqueeze) {
        for (int d = 0, src = 0; d < out_rank; d++)
            s[rank++] = mark[d] ? 1 : x->shape[src++];
    } else {
        for (int d = 0; d < x->rank; d++) {
            if ((n > 0 && mark[d] && x->shape[d] != 1))
                return node_error(c, FT_ERR_FORMAT, "axis %d has size %lld, not 1", d,
                                  (long long)x->shape[d]);
            if (n > 0 ? !mark[d] : x->shape[d] != 1)
                s[rank++] = x->shape[d];
        }
    }
    return emit_reshape(c, rank, s);
}

static ft_status map_transpose(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x)
        return node_error(c, FT_ERR_FORMAT, "needs an input");
    int64_t perm[FT_NN_MAX_RANK];
    int n = attr_ints(c, "perm", perm, FT_NN_MAX_RANK);
    if (n < 0)
        for (n = 0; n < x->rank; n++)
            perm[n] = x->rank - 1 - n;
    if (n != x->rank)
        return node_error(c, FT_ERR_FORMAT, "perm has %d entries for rank %d", n, x->rank);
    ft_nn_op op = new_op(FT_OP_TRANSPOSE, c->in[0], -1);
    int64_t s[FT_NN_MAX_RANK];
    int seen = 0;
    for (int d = 0; d < n; d++) {
        if (perm[d] < 0 || perm[d] >= n || (seen >> perm[d] & 1))
            return node_error(c, FT_ERR_FORMAT, "bad permutation");
        seen |= 1 << perm[d];
        op.attrs.perm[d] = (int)perm[d];
        s[d] = x->shape[perm[d]];
    }
    if ((op.outputs[0] = make_output(c, 0, x->dtype, n, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

static ft_status map_concat(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    int axis;
    if (!x || !norm_axis(attr_int(c, "axis", 0), x->rank, &axis) || x->rank == 0)
        return node_error(c, FT_ERR_FORMAT, "axis out of range");
    int64_t s[FT_NN_MAX_RANK];
    memcpy(s, x->shape, sizeof s);
    s[axis] = 0;
    ft_nn_op op = new_op(FT_OP_CONCAT, -1, -1);
    op.input_count = 0;
    for (int i = 0; i < c->in_count; i++) {
        const ft_nn_tensor *t = IN(c, i);
        if (!t || t->rank != x->rank || t->dtype != x->dtype)
            return node_error(c, FT_ERR_FORMAT, "inputs differ in rank or type");
        for (int d = 0; d < x->rank; d++)
            if (d != axis && t->shape[d] != x->shape[d])
                return node_error(c, FT_ERR_FORMAT, "inputs differ off the concatenation axis");
        s[axis] += t->shape[axis];
        op.inputs[op.input_count++] = c->in[i];
    }
    op.attrs.axis = axis;
    if ((op.outputs[0] = make_output(c, 0, x->dtype, x->rank, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

/* One SLICE op of X into Y over [begin, end) with STEP on each axis. */
static ft_status emit_slice(node_ctx *c, const ft_nn_tensor *x, const int64_t *begin,
                           const int64_t *end, const int64_t *step, int output)
{
    int64_t s[FT_NN_MAX_RANK];
    ft_nn_op op = new_op(FT_OP_SLICE, c->in[0], -1);
    for (int d = 0; d < x->rank; d++) {
        int64_t len = step[d] > 0 ? (end[d] - begin[d] + step[d] - 1) / step[d]
                                  : (begin[d] - end[d] - step[d] - 1) / -step[d];
        s[d] = len > 0 ? len : 0;
        op.attrs.begin[d] = begin[d];
        op.attrs.end[d] = end[d];
        op.attrs.step[d] = step[d];
    }
    op.attrs.axis_count = x->rank;
    if ((op.outputs[0] = make_output(c, output, x->dtype, x->rank, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

static ft_status map_slice(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->rank == 0)
        return node_error(c, FT_ERR_FORMAT, "needs an input of rank 1 or more");
    int64_t starts[FT_NN_MAX_RANK], ends[FT_NN_MAX_RANK], axes[FT_NN_MAX_RANK], steps[FT_NN_MAX_RANK];
    int n, ne, na, ns;
    if (c->L->opset < 10) {
        n = attr_ints(c, "starts", starts, FT_NN_MAX_RANK);
        ne = attr_ints(c, "ends", ends, FT_NN_MAX_RANK);
        na = attr_ints(c, "axes", axes, FT_NN_MAX_RANK);
        ns = -1;
    } else {
        n = const_ints(c, 1, starts, FT_NN_MAX_RANK);
        ne = const_ints(c, 2, ends, FT_NN_MAX_RANK);
        na = IN(c, 3) ? const_ints(c, 3, axes, FT_NN_MAX_RANK) : -2;
        ns = IN(c, 4) ? const_ints(c, 4, steps, FT_NN_MAX_RANK) : -2;
        if (na == -1 || ns == -1)
            n = -1;
    }
    if (n < 0 || ne != n || (na >= 0 && na != n) || (ns >= 0 && ns != n))
        return node_error(c, FT_ERR_UNSUPPORTED, "needs constant starts, ends, axes and steps of one length");
    int64_t begin[FT_NN_MAX_RANK], end[FT_NN_MAX_RANK], step[FT_NN_MAX_RANK];
    int seen = 0;
    for (int d = 0; d < x->rank; d++) {
        begin[d] = 0;
        end[d] = x->shape[d];
        step[d] = 1;
    }
    for (int i = 0; i < n; i++) {
        int a;
        if (!norm_axis(na >= 0 ? axes[i] : i, x->rank, &a) || (seen >> a & 1))
            return node_error(c, FT_ERR_FORMAT, "bad or repeated axis");
        seen |= 1 << a;
        const int64_t dim = x->shape[a];
        int64_t st = ns >= 0 ? steps[i] : 1;
        if (st == 0)
            return node_error(c, FT_ERR_FORMAT, "zero step");
        /* a step longer than the axis takes one element, like the axis length does */
        const int64_t cap = dim > 0 ? dim : 1;
        st = st > cap ? cap : st < -cap ? -cap : st;
        int64_t b = starts[i] < 0 ? starts[i] + dim : starts[i];
        int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
        const int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? dim : dim - 1;
        begin[a] = b < (st > 0 ? 0 : 0) ? 0 : b > hi ? hi : b;
        end[a] = e < lo ? lo : e > hi ? hi : e;
        step[a] = st;
    }
    return emit_slice(c, x, begin, end, step, 0);
}

static ft_status map_split(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    int axis;
    if (!x || !norm_axis(attr_int(c, "axis", 0), x->rank, &axis) || x->rank == 0)
        return node_error(c, FT_ERR_FORMAT, "axis out of range");
    const int outs = (int)c->n->n_output;
    if (outs < 1 || outs > 64)
        return node_error(c, FT_ERR_UNSUPPORTED, "%d outputs", outs);
    int64_t parts[64];
    int n = c->L->opset >= 13 ? (IN(c, 1) ? const_ints(c, 1, parts, 64) : -2)
                              : attr_ints(c, "split", parts, 64);
    if (n == -1 && c->L->opset >= 13)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs constant split sizes");
    if (n < 0) {
        if (x->shape[axis] % outs)
            return node_error(c, FT_ERR_FORMAT, "%lld does not split in %d equal parts",
                              (long long)x->shape[axis], outs);
        for (int i = 0; i < outs; i++)
            parts[i] = x->shape[axis] / outs;
        n = outs;
    }
    if (n != outs)
        return node_error(c, FT_ERR_FORMAT, "%d sizes for %d outputs", n, outs);
    int64_t begin[FT_NN_MAX_RANK], end[FT_NN_MAX_RANK], step[FT_NN_MAX_RANK], at = 0;
    for (int d = 0; d < x->rank; d++) {
        begin[d] = 0;
        end[d] = x->shape[d];
        step[d] = 1;
    }
    for (int i = 0; i < outs; i++) {
        if (parts[i] < 0 || parts[i] > x->shape[axis] - at)
            return node_error(c, FT_ERR_FORMAT, "split sizes exceed the axis");
        begin[axis] = at;
        end[axis] = at += parts[i];
        if (!*c->n->output[i])
            continue;
        ft_status st = emit_slice(c, x, begin, end, step, i);
        if (st != FT_OK)
            return st;
    }
    return at == x->shape[axis] ? FT_OK : node_error(c, FT_ERR_FORMAT, "split sizes do not add up");
}

static ft_status map_pad(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs a float input");
    if (!attr_is(c, "mode", "constant", "constant"))
        return node_error(c, FT_ERR_UNSUPPORTED, "only constant padding");
    int64_t p[2 * FT_NN_MAX_RANK], axes[FT_NN_MAX_RANK];
    float value = 0.0f;
    int n;
    if (c->L->opset < 11) {
        n = attr_ints(c, "pads", p, 2 * FT_NN_MAX_RANK);
        value = attr_float(c, "value", 0.0f);
    } else {
        n = const_ints(c, 1, p, 2 * FT_NN_MAX_RANK);
        if (IN(c, 2) && const_floats(c, 2, &value, 1) != 1)
            return node_error(c, FT_ERR_UNSUPPORTED, "needs a constant float value");
    }
    int na = IN(c, 3) ? const_ints(c, 3, axes, FT_NN_MAX_RANK) : -2;
    if (na == -1)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs constant axes");
    if (na < 0)
        for (na = 0; na < x->rank; na++)
            axes[na] = na;
    if (n != 2 * na)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs constant pads, two per axis");
    ft_nn_op op = new_op(FT_OP_PAD, c->in[0], -1);
    op.attrs.value = value;
    int64_t s[FT_NN_MAX_RANK];
    memcpy(s, x->shape, sizeof s);
    for (int i = 0; i < na; i++) {
        int a;
        if (!norm_axis(axes[i], x->rank, &a))
            return node_error(c, FT_ERR_FORMAT, "axis out of range");
        if (p[i] < 0 || p[i + na] < 0 || p[i] > 65536 || p[i + na] > 65536)
            return node_error(c, FT_ERR_UNSUPPORTED, "negative or absurd pads");
        op.attrs.pad_before[a] = p[i];
        op.attrs.pad_after[a] = p[i + na];
        s[a] += p[i] + p[i + na];
    }
    if ((op.outputs[0] = make_output(c, 0, FT_DTYPE_F32, x->rank, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

static ft_status map_resize(node_ctx *c, int upsample)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->rank != 4 || x->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_UNSUPPORTED, "only rank-4 float input");
    char mode[32];
    attr_string(c, "mode", "nearest", mode, sizeof mode);
    ft_nn_op op = new_op(FT_OP_RESIZE, c->in[0], -1);
    if (strcmp(mode, "nearest") == 0)
        op.attrs.resize_mode = FT_RESIZE_NEAREST;
    else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0)
        op.attrs.resize_mode = FT_RESIZE_BILINEAR;
    else
        return node_error(c, FT_ERR_UNSUPPORTED, "mode '%s'", mode);
    const int old = upsample || c->L->opset < 11;
    float scales[4] = {1, 1, 1, 1};
    int64_t sizes[4];
    int have_sizes = 0;
    if (!old && IN(c, 3) && ft_nn_tensor_elements(IN(c, 3)) > 0) {
        if (const_ints(c, 3, sizes, 4) != 4)
            return node_error(c, FT_ERR_UNSUPPORTED, "needs 4 constant sizes");
        have_sizes = 1;
    } else {
        const int si = old ? 1 : 2;
        const Onnx__AttributeProto *sa = attr(c, "scales");
        if (upsample && sa && sa->n_floats == 4)
            memcpy(scales, sa->floats, sizeof scales);
        else if (const_floats(c, si, scales, 4) != 4)
            return node_error(c, FT_ERR_UNSUPPORTED, "needs 4 constant scales or sizes");
        for (int d = 0; d < 4; d++) {
            if (!(scales[d] > 0.0f) || scales[d] > 65536.0f)
                return node_error(c, FT_ERR_FORMAT, "bad scale %g", (double)scales[d]);
            sizes[d] = (int64_t)floor((double)x->shape[d] * scales[d]);
        }
    }
    if (sizes[0] != x->shape[0] || sizes[1] != x->shape[1] || sizes[2] < 1 || sizes[3] < 1)
        return node_error(c, FT_ERR_UNSUPPORTED, "only the two spatial axes may change size");
    char coord[40], round_mode[40];
    attr_string(c, "coordinate_transformation_mode", old ? "asymmetric" : "half_pixel", coord,
                sizeof coord);
    /* before opset 11 nearest truncates (upsampling) */
    attr_string(c, "nearest_mode", old ? "floor" : "round_prefer_floor", round_mode, sizeof round_mode);
    static const struct { const char *name; ft_resize_coord v; } coords[] = {
        {"half_pixel", FT_COORD_HALF_PIXEL}, {"pytorch_half_pixel", FT_COORD_PYTORCH_HALF_PIXEL},
        {"asymmetric", FT_COORD_ASYMMETRIC}, {"align_corners", FT_COORD_ALIGN_CORNERS}};
    static const struct { const char *name; ft_resize_round v; } rounds[] = {
        {"round_prefer_floor", FT_ROUND_PREFER_FLOOR}, {"round_prefer_ceil", FT_ROUND_PREFER_CEIL},
        {"floor", FT_ROUND_FLOOR}, {"ceil", FT_ROUND_CEIL}};
    int found = 0;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(coord, coords[i].name) == 0) {
            op.attrs.coord = coords[i].v;
            found = 1;
        }
    if (!found)
        return node_error(c, FT_ERR_UNSUPPORTED, "coordinate_transformation_mode '%s'", coord);
    found = 0;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(round_mode, rounds[i].name) == 0) {
            op.attrs.nearest_round = rounds[i].v;
            found = 1;
        }
    if (!found)
        return node_error(c, FT_ERR_UNSUPPORTED, "nearest_mode '%s'", round_mode);
    op.attrs.align_corners = op.attrs.coord == FT_COORD_ALIGN_CORNERS;
    op.attrs.half_pixel_centers = op.attrs.coord == FT_COORD_HALF_PIXEL ||
                                  op.attrs.coord == FT_COORD_PYTORCH_HALF_PIXEL;
    (void)have_sizes;
    if ((op.outputs[0] = make_output(c, 0, FT_DTYPE_F32, 4, sizes)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

static ft_status map_gather(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0), *ix = IN(c, 1);
    int axis;
    if (!x || !ix || !norm_axis(attr_int(c, "axis", 0), x->rank, &axis) || x->rank == 0)
        return node_error(c, FT_ERR_FORMAT, "needs data, indices and an axis in range");
    if (ix->dtype != FT_DTYPE_I32 && ix->dtype != FT_DTYPE_I64)
        return node_error(c, FT_ERR_FORMAT, "indices are not integers");
    int rank = x->rank - 1 + ix->rank;
    if (rank > FT_NN_MAX_RANK)
        return node_error(c, FT_ERR_UNSUPPORTED, "rank above %d", FT_NN_MAX_RANK);
    int64_t s[FT_NN_MAX_RANK];
    int r = 0;
    for (int d = 0; d < axis; d++)
        s[r++] = x->shape[d];
    for (int d = 0; d < ix->rank; d++)
        s[r++] = ix->shape[d];
    for (int d = axis + 1; d < x->rank; d++)
        s[r++] = x->shape[d];
    ft_nn_op op = new_op(FT_OP_GATHER, c->in[0], -1);
    op.inputs[1] = c->in[1];
    op.input_count = 2;
    op.attrs.axis = axis;
    if ((op.outputs[0] = make_output(c, 0, x->dtype, rank, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

static ft_status map_cast(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    ft_dtype to;
    int64_t code = attr_int(c, "to", 0);
    if (!x || code < 0 || code > 100 || !onnx_dtype((int32_t)code, &to) || to == FT_DTYPE_F16)
        return node_error(c, FT_ERR_UNSUPPORTED, "cast to type %lld", (long long)code);
    int y = make_output(c, 0, to, x->rank, x->shape);
    if (y < 0)
        return FT_ERR_FORMAT;
    ft_nn_op op = new_op(FT_OP_CAST, c->in[0], y);
    return onnx_emit(c->L, &op);
}

static ft_status map_reduce(node_ctx *c, ft_op_type type)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x)
        return node_error(c, FT_ERR_FORMAT, "needs an input");
    int64_t axes[FT_NN_MAX_RANK];
    /* axes became an input: ReduceSum at opset 13, the others at 18 */
    int n = axes_of(c, axes, type == FT_OP_REDUCE_SUM ? 13 : 18);
    if (c->in_count > 1 && IN(c, 1) && n < 0)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs constant axes");
    ft_nn_op op = new_op(type, c->in[0], -1);
    if (n <= 0) {
        if (n == 0 && attr_int(c, "noop_with_empty_axes", 0))
            return node_error(c, FT_ERR_UNSUPPORTED, "noop_with_empty_axes");
        for (n = 0; n < x->rank; n++)
            axes[n] = n;
    }
    int mark[FT_NN_MAX_RANK] = {0};
    for (int i = 0; i < n; i++) {
        int a;
        if (!norm_axis(axes[i], x->rank, &a) || mark[a])
            return node_error(c, FT_ERR_FORMAT, "bad or repeated axis");
        mark[a] = 1;
        op.attrs.axes[i] = a;
    }
    op.attrs.axis_count = n;
    op.attrs.keep_dims = (int)attr_int(c, "keepdims", 1);
    int64_t s[FT_NN_MAX_RANK];
    int rank = 0;
    for (int d = 0; d < x->rank; d++)
        if (!mark[d])
            s[rank++] = x->shape[d];
        else if (op.attrs.keep_dims)
            s[rank++] = 1;
    if ((op.outputs[0] = make_output(c, 0, x->dtype, rank, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

static ft_status map_global_pool(node_ctx *c, ft_op_type type)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x || x->rank < 3)
        return node_error(c, FT_ERR_FORMAT, "needs an input of rank 3 or more");
    ft_nn_op op = new_op(type, c->in[0], -1);
    int64_t s[FT_NN_MAX_RANK];
    for (int d = 0; d < x->rank; d++) {
        s[d] = d < 2 ? x->shape[d] : 1;
        if (d >= 2)
            op.attrs.axes[op.attrs.axis_count++] = d;
    }
    op.attrs.keep_dims = 1;
    if ((op.outputs[0] = make_output(c, 0, x->dtype, x->rank, s)) < 0)
        return FT_ERR_FORMAT;
    return onnx_emit(c->L, &op);
}

/* MatMul: FullyConnected when B is a constant matrix (weights transposed
 * once here), else a batched MATMUL. */
static ft_status map_matmul(node_ctx *c)
{
    const ft_nn_tensor *a = IN(c, 0), *b = IN(c, 1);
    if (!a || !b || a->rank < 1 || b->rank < 1 || a->dtype != FT_DTYPE_F32 || b->dtype != FT_DTYPE_F32)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs two float inputs");
    const int64_t K = a->shape[a->rank - 1];
    const int64_t Kb = b->rank == 1 ? b->shape[0] : b->shape[b->rank - 2];
    if (K != Kb)
        return node_error(c, FT_ERR_FORMAT, "inner dimensions %lld and %lld differ", (long long)K,
                          (long long)Kb);
    int64_t s[FT_NN_MAX_RANK];
    int rank = 0;
    const int ba = a->rank - 2 > 0 ? a->rank - 2 : 0, bb = b->rank - 2 > 0 ? b->rank - 2 : 0;
    const int batch = ba > bb ? ba : bb;
    for (int i = batch; i >= 1; i--) {
        int64_t da = i <= ba ? a->shape[ba - i] : 1, db = i <= bb ? b->shape[bb - i] : 1;
        if (da != db && da != 1 && db != 1)
            return node_error(c, FT_ERR_FORMAT, "batch dimensions do not broadcast");
        s[rank++] = da == 1 ? db : da;
    }
    if (a->rank > 1)
        s[rank++] = a->shape[a->rank - 2];
    if (b->rank > 1)
        s[rank++] = b->shape[b->rank - 1];
    if (rank > FT_NN_MAX_RANK)
        return node_error(c, FT_ERR_UNSUPPORTED, "rank above %d", FT_NN_MAX_RANK);
    int y = make_output(c, 0, FT_DTYPE_F32, rank, s);
    if (y < 0)
        return FT_ERR_FORMAT;
    if (b->data && b->rank == 2 && a->rank >= 2) {
        const int64_t N = b->shape[1];
        float *wt = malloc((size_t)(K * N > 0 ? K * N : 1) * sizeof *wt);
        if (!wt)
            return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
        const float *B = b->data;
        for (int64_t k = 0; k < K; k++)
            for (int64_t n = 0; n < N; n++)
                wt[n * K + k] = B[k * N + n];
        const int64_t ws[2] = {N, K};
        int w = make_const(c, "weights", wt, 2, ws);
        free(wt);
        if (w < 0)
            return FT_ERR_NOMEM;
        ft_nn_op op = new_op(FT_OP_FULLY_CONNECTED, c->in[0], y);
        op.inputs[1] = w;
        op.inputs[2] = -1;
        op.input_count = 3;
        op.attrs.keep_dims = 1;
        return onnx_emit(c->L, &op);
    }
    ft_nn_op op = new_op(FT_OP_MATMUL, c->in[0], y);
    op.inputs[1] = c->in[1];
    op.input_count = 2;
    return onnx_emit(c->L, &op);
}

/* Gemm with a constant B: FullyConnected, alpha and beta folded into the
 * weights and bias. */
static ft_status map_gemm(node_ctx *c)
{
    const ft_nn_tensor *a = IN(c, 0), *b = IN(c, 1), *bias = IN(c, 2);
    if (!a || !b || a->rank != 2 || b->rank != 2 || !b->data || b->dtype != FT_DTYPE_F32 ||
        a->dtype != FT_DTYPE_F32 || attr_int(c, "transA", 0))
        return node_error(c, FT_ERR_UNSUPPORTED, "needs a float [M, K] input, constant B, no transA");
    const int tb = (int)attr_int(c, "transB", 0);
    const float alpha = attr_float(c, "alpha", 1.0f), beta = attr_float(c, "beta", 1.0f);
    const int64_t K = a->shape[1], N = tb ? b->shape[0] : b->shape[1];
    if ((tb ? b->shape[1] : b->shape[0]) != K)
        return node_error(c, FT_ERR_FORMAT, "B does not fit the input");
    float *wt = malloc((size_t)(K * N + N > 0 ? K * N + N : 1) * sizeof *wt);
    if (!wt)
        return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    float *bv = wt + K * N;
    const float *B = b->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t k = 0; k < K; k++)
            wt[n * K + k] = alpha * (tb ? B[n * K + k] : B[k * N + n]);
    ft_status st = FT_OK;
    int64_t nb = bias ? ft_nn_tensor_elements(bias) : 0;
    if (bias && (!bias->data || bias->dtype != FT_DTYPE_F32 || (nb != 1 && nb != N) ||
                 (bias->rank == 2 && bias->shape[0] != 1)))
        st = node_error(c, FT_ERR_UNSUPPORTED, "C must be a constant of 1 or N values");
    for (int64_t n = 0; st == FT_OK && n < N; n++)
        bv[n] = bias ? beta * ((const float *)bias->data)[nb == 1 ? 0 : n] : 0.0f;
    const int64_t ws[2] = {N, K}, bs[1] = {N}, ys[2] = {a->shape[0], N};
    int w = -1, kb = -1, y = -1;
    if (st == FT_OK) {
        w = make_const(c, "weights", wt, 2, ws);
        kb = make_const(c, "bias", bv, 1, bs);
        y = make_output(c, 0, FT_DTYPE_F32, 2, ys);
        if (w < 0 || kb < 0 || y < 0)
            st = FT_ERR_FORMAT;
    }
    free(wt);
    if (st != FT_OK)
        return st;
    ft_nn_op op = new_op(FT_OP_FULLY_CONNECTED, c->in[0], y);
    op.inputs[1] = w;
    op.inputs[2] = kb;
    op.input_count = 3;
    op.attrs.keep_dims = 1;
    return onnx_emit(c->L, &op);
}

/* ------------------------------------------------------------- constants */

static ft_status bind_constant(node_ctx *c, int t)
{
    ft_nn_tensor *k = T(c, t);
    if (ft_nn_tensor_elements(k) > ONNX_MAX_ELEMENTS)
        return node_error(c, FT_ERR_FORMAT, "absurdly large constant");
    return onnx_bind(c->L, c->n->output[0], t);
}

static ft_status map_constant(node_ctx *c)
{
    if (c->n->n_output < 1)
        return node_error(c, FT_ERR_FORMAT, "no output");
    const Onnx__AttributeProto *a = c->n->n_attribute == 1 ? c->n->attribute[0] : NULL;
    if (!a || !a->name)
        return node_error(c, FT_ERR_FORMAT, "needs exactly one value attribute");
    int t = onnx_add_tensor(c->L, c->n->output[0], FT_DTYPE_F32, 0, NULL);
    if (t < 0)
        return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    ft_nn_tensor *k = T(c, t);
    if (strcmp(a->name, "value") == 0 && a->t) {
        ft_status st = onnx_tensor_from_proto(c->L, a->t, k);
        return st == FT_OK ? bind_constant(c, t) : st;
    }
    size_t n;
    if (strcmp(a->name, "value_float") == 0 || strcmp(a->name, "value_floats") == 0) {
        int scalar = a->name[11] == '\0';
        n = scalar ? 1 : a->n_floats;
        k->dtype = FT_DTYPE_F32;
        k->rank = scalar ? 0 : 1;
        k->shape[0] = (int64_t)n;
        if (!(k->data = malloc(n ? n * 4 : 1)))
            return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
        if (scalar)
            memcpy(k->data, &a->f, 4);
        else if (n)
            memcpy(k->data, a->floats, n * 4);
    } else if (strcmp(a->name, "value_int") == 0 || strcmp(a->name, "value_ints") == 0) {
        int scalar = a->name[9] == '\0';
        n = scalar ? 1 : a->n_ints;
        k->dtype = FT_DTYPE_I64;
        k->rank = scalar ? 0 : 1;
        k->shape[0] = (int64_t)n;
        if (!(k->data = malloc(n ? n * 8 : 1)))
            return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
        if (scalar)
            memcpy(k->data, &a->i, 8);
        else if (n)
            memcpy(k->data, a->ints, n * 8);
    } else {
        return node_error(c, FT_ERR_UNSUPPORTED, "constant attribute '%s'", a->name);
    }
    k->nbytes = n * ft_dtype_size(k->dtype);
    return bind_constant(c, t);
}

static ft_status map_shape(node_ctx *c)
{
    const ft_nn_tensor *x = IN(c, 0);
    if (!x)
        return node_error(c, FT_ERR_FORMAT, "needs an input");
    int start, end;
    int64_t s = attr_int(c, "start", 0), e = attr_int(c, "end", x->rank);
    s = s < 0 ? s + x->rank : s;
    e = e < 0 ? e + x->rank : e;
    start = (int)(s < 0 ? 0 : s > x->rank ? x->rank : s);
    end = (int)(e < start ? start : e > x->rank ? x->rank : e);
    const int64_t len = end - start;
    int t = make_output(c, 0, FT_DTYPE_I64, 1, &len);
    if (t < 0)
        return FT_ERR_FORMAT;
    int64_t *d = malloc((size_t)(len ? len : 1) * 8);
    if (!d)
        return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    for (int i = start; i < end; i++)
        d[i - start] = x->shape[i];
    T(c, t)->data = d;
    T(c, t)->nbytes = (size_t)len * 8;
    return FT_OK;
}

static ft_status map_constant_of_shape(node_ctx *c)
{
    int64_t s[FT_NN_MAX_RANK];
    int rank = const_ints(c, 0, s, FT_NN_MAX_RANK);
    if (rank < 0)
        return node_error(c, FT_ERR_UNSUPPORTED, "needs a constant shape of rank %d at most",
                          FT_NN_MAX_RANK);
    ft_nn_tensor v = {0};
    const Onnx__AttributeProto *a = attr(c, "value");
    if (a && a->t) {
        ft_status st = onnx_tensor_from_proto(c->L, a->t, &v);
        if (st != FT_OK)
            return st;
        if (ft_nn_tensor_elements(&v) != 1) {
            free(v.data);
            return node_error(c, FT_ERR_FORMAT, "value must hold one element");
        }
    } else {
        v.dtype = FT_DTYPE_F32;
        v.data = calloc(1, 8);
        if (!v.data)
            return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    }
    int t = make_output(c, 0, v.dtype, rank, s);
    if (t < 0) {
        free(v.data);
        return FT_ERR_FORMAT;
    }
    const size_t es = ft_dtype_size(v.dtype);
    int64_t n = ft_nn_tensor_elements(T(c, t));
    uint8_t *d = malloc(n ? (size_t)n * es : 1);
    if (!d) {
        free(v.data);
        return onnx_error(c->L, FT_ERR_NOMEM, "out of memory");
    }
    for (int64_t i = 0; i < n; i++)
        memcpy(d + i * (int64_t)es, v.data, es);
    free(v.data);
    T(c, t)->data = d;
    T(c, t)->nbytes = (size_t)n * es;
    return FT_OK;
}

/* Identity and friends: the output name is another name for the input. */
static ft_status map_alias(node_ctx *c)
{
    if (!IN(c, 0) || c->n->n_output < 1)
        return node_error(c, FT_ERR_FORMAT, "needs an input and an output");
    if (c->n->n_output > 1 && *c->n->output[1])
        return node_error(c, FT_ERR_UNSUPPORTED, "a second output (mask) is not supported");
    return onnx_bind(c->L, c->n->output[0], c->in[0]);
}

/* ------------------------------------------------------------------ table */

ft_status onnx_map_node(onnx_loader *L, const Onnx__NodeProto *n)
{
    node_ctx ctx = {.L = L, .n = n};
    node_ctx *c = &ctx;
    const char *op = n->op_type ? n->op_type : "";
    const char *domain = n->domain && *n->domain ? n->domain : "ai.onnx";
    if (!n->op_type)
        return onnx_error(L, FT_ERR_FORMAT, "a node without an operator type");
    if (n->n_input > FT_NN_MAX_IO)
        return node_error(c, FT_ERR_UNSUPPORTED, "%zu inputs (at most %d)", n->n_input, FT_NN_MAX_IO);
    if (n->n_output < 1)
        return node_error(c, FT_ERR_FORMAT, "no output");
    ctx.in_count = (int)n->n_input;
    for (size_t i = 0; i < n->n_input; i++) {
        ctx.in[i] = -1;
        if (!n->input[i] || !*n->input[i])
            continue; /* an absent optional input */
        if ((ctx.in[i] = onnx_find(L, n->input[i])) < 0)
            return node_error(c, FT_ERR_FORMAT, "reads '%s', which no earlier node makes",
                              n->input[i]);
    }
    for (size_t i = 0; i < n->n_output; i++)
        if (!n->output[i])
            return node_error(c, FT_ERR_FORMAT, "an output without a name");
    /* every tensor a node may add (outputs, at most 8 temporaries and
     * constants), reserved now so that the tensor pointers held stay valid */
    if (n->n_output > 1024)
        return node_error(c, FT_ERR_UNSUPPORTED, "%zu outputs", n->n_output);
    ft_status st = onnx_reserve(L, (int)n->n_output + 8);
    if (st != FT_OK)
        return st;
    const int std = strcmp(domain, "ai.onnx") == 0;
    if (!std) {
        if (strcmp(domain, "com.microsoft") == 0 && strcmp(op, "FusedConv") == 0)
            return map_conv(c, 1);
        return onnx_error(L, FT_ERR_UNSUPPORTED, "unsupported ONNX operator '%s' (domain '%s')", op,
                          domain);
    }
    static const struct { const char *name; ft_op_type type; } binaries[] = {
        {"Add", FT_OP_ADD}, {"Sub", FT_OP_SUB}, {"Mul", FT_OP_MUL}, {"Div", FT_OP_DIV},
        {"Pow", FT_OP_POW}, {"Max", FT_OP_MAXIMUM}, {"Min", FT_OP_MINIMUM}, {"PRelu", FT_OP_PRELU},
    };
    static const struct { const char *name; ft_op_type type; } unaries[] = {
        {"Relu", FT_OP_RELU}, {"Sigmoid", FT_OP_SIGMOID}, {"Tanh", FT_OP_TANH},
        {"Exp", FT_OP_EXP}, {"Log", FT_OP_LOG}, {"Sqrt", FT_OP_SQRT}, {"Neg", FT_OP_NEG},
        {"Abs", FT_OP_ABS}, {"HardSwish", FT_OP_HARD_SWISH},
    };
    for (size_t i = 0; i < sizeof binaries / sizeof binaries[0]; i++)
        if (strcmp(op, binaries[i].name) == 0) {
            if ((i == 5 || i == 6) && n->n_input == 1)
                return map_alias(c);
            if (n->n_input != 2)
                return node_error(c, FT_ERR_UNSUPPORTED, "%zu inputs (2 supported)", n->n_input);
            return map_binary(c, binaries[i].type);
        }
    for (size_t i = 0; i < sizeof unaries / sizeof unaries[0]; i++)
        if (strcmp(op, unaries[i].name) == 0)
            return map_unary(c, unaries[i].type, NULL);
    ft_op_attrs a = new_op(FT_OP_RELU, 0, 0).attrs;
    if (strcmp(op, "LeakyRelu") == 0) {
        a.alpha = attr_float(c, "alpha", 0.01f);
        return map_unary(c, FT_OP_LEAKY_RELU, &a);
    }
    if (strcmp(op, "HardSigmoid") == 0) {
        a.alpha = attr_float(c, "alpha", 0.2f);
        a.beta = attr_float(c, "beta", 0.5f);
        return map_unary(c, FT_OP_HARD_SIGMOID, &a);
    }
    if (strcmp(op, "Clip") == 0) return map_clip(c);
    if (strcmp(op, "Reciprocal") == 0) return map_reciprocal(c);
    if (strcmp(op, "Softmax") == 0) return map_softmax(c);
    if (strcmp(op, "Conv") == 0) return map_conv(c, 0);
    if (strcmp(op, "MaxPool") == 0) return map_pool(c, FT_OP_MAX_POOL2D);
    if (strcmp(op, "AveragePool") == 0) return map_pool(c, FT_OP_AVERAGE_POOL2D);
    if (strcmp(op, "GlobalAveragePool") == 0) return map_global_pool(c, FT_OP_REDUCE_MEAN);
    if (strcmp(op, "GlobalMaxPool") == 0) return map_global_pool(c, FT_OP_REDUCE_MAX);
    if (strcmp(op, "BatchNormalization") == 0) return map_batchnorm(c);
    if (strcmp(op, "Reshape") == 0) return map_reshape(c);
    if (strcmp(op, "Flatten") == 0) return map_flatten(c);
    if (strcmp(op, "Squeeze") == 0) return map_squeeze(c, 0);
    if (strcmp(op, "Unsqueeze") == 0) return map_squeeze(c, 1);
    if (strcmp(op, "Transpose") == 0) return map_transpose(c);
    if (strcmp(op, "Concat") == 0) return map_concat(c);
    if (strcmp(op, "Slice") == 0) return map_slice(c);
    if (strcmp(op, "Split") == 0) return map_split(c);
    if (strcmp(op, "Pad") == 0) return map_pad(c);
    if (strcmp(op, "Resize") == 0) return map_resize(c, 0);
    if (strcmp(op, "Upsample") == 0) return map_resize(c, 1);
    if (strcmp(op, "Gather") == 0) return map_gather(c);
    if (strcmp(op, "Cast") == 0) return map_cast(c);
    if (strcmp(op, "ReduceMean") == 0) return map_reduce(c, FT_OP_REDUCE_MEAN);
    if (strcmp(op, "ReduceSum") == 0) return map_reduce(c, FT_OP_REDUCE_SUM);
    if (strcmp(op, "ReduceMax") == 0) return map_reduce(c, FT_OP_REDUCE_MAX);
    if (strcmp(op, "MatMul") == 0) return map_matmul(c);
    if (strcmp(op, "Gemm") == 0) return map_gemm(c);
    if (strcmp(op, "Constant") == 0) return map_constant(c);
    if (strcmp(op, "Shape") == 0) return map_shape(c);
    if (strcmp(op, "ConstantOfShape") == 0) return map_constant_of_shape(c);
    if (strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0) return map_alias(c);
    return onnx_error(L, FT_ERR_UNSUPPORTED, "unsupported ONNX operator '%s' (domain '%s')", op,
                      domain);
}
