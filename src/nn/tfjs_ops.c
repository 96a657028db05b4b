/* The TF.js loader's op mapping: each TensorFlow node (and TF's fused
 * forms) into graph IR ops, with shapes computed here and checked later by
 * the reference backend's shape checks. */
#include <math.h>
#include <stdint.h>

#include "nn/tfjs_internal.h"

/* ------------------------------------------------------------ op mapping */

/* Adding a tensor may move the graph's tensor array: the mappers work on
 * copies of the descriptors they read (names and data stay where they are). */

typedef struct conv_geometry {
    int stride[2], dilation[2], pads[4], same;
} conv_geometry;

static int64_t conv_size(int64_t in, int64_t k, const conv_geometry *c, int axis)
{
    if (c->same)
        return (in + c->stride[axis] - 1) / c->stride[axis];
    int64_t span = (k - 1) * c->dilation[axis] + 1;
    int64_t padded = in + c->pads[axis] + c->pads[axis + 2];
    return padded < span ? -1 : (padded - span) / c->stride[axis] + 1;
}

static ft_status read_geometry(loader *L, const node *n, const char *strides_key,
                               conv_geometry *c)
{
    char text[64];
    int64_t v[8];
    if (!attr_string(n, "data_format", "NHWC", text, sizeof text) || strcmp(text, "NHWC"))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s' (%s): only NHWC data_format is supported",
                    n->name, n->op);
    memset(c, 0, sizeof *c);
    c->stride[0] = c->stride[1] = c->dilation[0] = c->dilation[1] = 1;
    int k = attr_ints(n, strides_key, v, 4);
    if (k == 4) {
        c->stride[0] = (int)v[1];
        c->stride[1] = (int)v[2];
    } else if (k != 0) {
        return fail(L, FT_ERR_FORMAT, "node '%s': malformed %s", n->name, strides_key);
    }
    k = attr_ints(n, "dilations", v, 4);
    if (k == 4) {
        c->dilation[0] = (int)v[1];
        c->dilation[1] = (int)v[2];
    } else if (k != 0) {
        return fail(L, FT_ERR_FORMAT, "node '%s': malformed dilations", n->name);
    }
    for (int i = 0; i < 2; i++)
        if (c->stride[i] < 1 || c->stride[i] > 4096 || c->dilation[i] < 1 || c->dilation[i] > 4096)
            return fail(L, FT_ERR_FORMAT, "node '%s': stride or dilation out of range", n->name);
    if (!attr_string(n, "padding", "VALID", text, sizeof text))
        return fail(L, FT_ERR_FORMAT, "node '%s': malformed padding", n->name);
    if (!strcmp(text, "SAME")) {
        c->same = 1;
    } else if (!strcmp(text, "EXPLICIT")) {
        if (attr_ints(n, "explicit_paddings", v, 8) != 8)
            return fail(L, FT_ERR_FORMAT, "node '%s': EXPLICIT padding without 8 paddings", n->name);
        c->pads[0] = (int)v[2], c->pads[2] = (int)v[3]; /* top, bottom */
        c->pads[1] = (int)v[4], c->pads[3] = (int)v[5]; /* left, right */
        for (int i = 0; i < 4; i++)
            if (v[2 + i] < 0 || v[2 + i] > 65536)
                return fail(L, FT_ERR_FORMAT, "node '%s': padding out of range", n->name);
    } else if (strcmp(text, "VALID")) {
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': padding '%s'", n->name, text);
    }
    return FT_OK;
}

static ft_nn_op *add_op(loader *L, ft_op_type type, const int *in, int count, int out)
{
    return ft_graph_op(&L->b, type, in, count, out);
}

/* An activation op after tensor X (LeakyRelu, PRelu: those the IR does not
 * fuse); returns the new tensor. */
static int follow_with(loader *L, node *n, ft_op_type type, int x, int slope, float alpha)
{
    char name[512];
    snprintf(name, sizeof name, "%s/%s", n->name, ft_op_name(type));
    const ft_nn_tensor t_at = *T(L, x), *t = &t_at;
    int64_t shape[FT_NN_MAX_RANK];
    memcpy(shape, t->shape, sizeof shape);
    int y = ft_graph_activation(&L->b, name, t->rank, shape);
    if (y < 0)
        return -1;
    int in[2] = {x, slope};
    ft_nn_op *op = add_op(L, type, in, type == FT_OP_PRELU ? 2 : 1, y);
    if (op)
        op->attrs.alpha = alpha;
    return y;
}

/* The fused_ops of a _Fused* node past the bias (or batch norm): the IR's
 * fused activation, or an op to append (LeakyRelu, Prelu). */
typedef struct fused_tail {
    ft_activation act;
    ft_op_type extra; /* FT_OP_COUNT: none */
    float alpha;
    int slope; /* Prelu's input tensor */
} fused_tail;

static ft_status read_fused(loader *L, node *n, const int *in, int nin, int *bias,
                            int *batch_norm, fused_tail *tail)
{
    char op0[64], op1[64];
    json_object *list = member(member(attr(n, "fused_ops"), "list"), "s");
    int count = list && json_object_is_type(list, json_type_array)
                    ? (int)json_object_array_length(list) : 0;
    tail->act = FT_ACT_NONE;
    tail->extra = FT_OP_COUNT;
    tail->slope = -1;
    *bias = -1;
    *batch_norm = 0;
    if (count < 1 || count > 2 ||
        !b64_decode(string_of(json_object_array_get_idx(list, 0)) ? string_of(json_object_array_get_idx(list, 0)) : "!", op0, sizeof op0))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s' (%s): fused_ops must be BiasAdd or FusedBatchNorm with at most one activation",
                    n->name, n->op);
    op1[0] = '\0';
    if (count == 2) {
        const char *s = string_of(json_object_array_get_idx(list, 1));
        if (!s || !b64_decode(s, op1, sizeof op1))
            return fail(L, FT_ERR_FORMAT, "node '%s': malformed fused_ops", n->name);
    }
    int args = nin - 2;
    if (!strcmp(op0, "BiasAdd")) {
        if (args < 1)
            return fail(L, FT_ERR_FORMAT, "node '%s': BiasAdd without a bias input", n->name);
        *bias = in[2];
    } else if (!strcmp(op0, "FusedBatchNorm")) {
        if (args < 4)
            return fail(L, FT_ERR_FORMAT, "node '%s': FusedBatchNorm needs 4 inputs", n->name);
        *batch_norm = 1;
    } else {
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': fused op '%s'", n->name, op0);
    }
    const int used = *batch_norm ? 6 : 3;
    if (!op1[0])
        return FT_OK;
    if (!strcmp(op1, "Relu"))
        tail->act = FT_ACT_RELU;
    else if (!strcmp(op1, "Relu6"))
        tail->act = FT_ACT_RELU6;
    else if (!strcmp(op1, "Sigmoid"))
        tail->act = FT_ACT_SIGMOID;
    else if (!strcmp(op1, "Tanh"))
        tail->act = FT_ACT_TANH;
    else if (!strcmp(op1, "LeakyRelu")) {
        tail->extra = FT_OP_LEAKY_RELU;
        tail->alpha = attr_float(n, "leakyrelu_alpha", 0.2f);
    } else if (!strcmp(op1, "Prelu")) {
        if (nin <= used)
            return fail(L, FT_ERR_FORMAT, "node '%s': Prelu without its slope input", n->name);
        tail->extra = FT_OP_PRELU;
        tail->slope = in[used];
    } else {
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': fused activation '%s'", n->name, op1);
    }
    return FT_OK;
}

static int const_f32(loader *L, int t, int64_t want)
{
    const ft_nn_tensor x_at = *T(L, t), *x = &x_at;
    return x->data && x->dtype == FT_DTYPE_F32 && ft_nn_tensor_elements(x) == want;
}

/* Conv2D, DepthwiseConv2dNative and their fused forms. TF filters are HWIO
 * (depthwise HW C M); the IR's are OHWI (depthwise 1 H W C*M). */
static ft_status map_conv(loader *L, node *n, const int *in, int nin, int fused, int depthwise)
{
    conv_geometry geo;
    ft_status st = read_geometry(L, n, "strides", &geo);
    if (st != FT_OK)
        return st;
    if (nin < 2)
        return fail(L, FT_ERR_FORMAT, "node '%s': convolution needs input and filter", n->name);
    const ft_nn_tensor x_at = *T(L, in[0]), w_at = *T(L, in[1]), *x = &x_at, *w = &w_at;
    if (x->rank != 4 || is_const(L, in[0]))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': convolution input must be a rank-4 activation", n->name);
    if (w->rank != 4 || !w->data || w->dtype != FT_DTYPE_F32)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': convolution filter must be a constant float HWIO tensor", n->name);
    const int64_t kh = w->shape[0], kw = w->shape[1], ci = w->shape[2], co = w->shape[3];
    const int64_t out_c = depthwise ? ci * co : co;
    if (kh < 1 || kw < 1 || ci < 1 || co < 1 || (depthwise ? ci != x->shape[3] : x->shape[3] % ci))
        return fail(L, FT_ERR_FORMAT, "node '%s': filter %lldx%lldx%lldx%lld does not fit %lld input channels",
                    n->name, (long long)kh, (long long)kw, (long long)ci, (long long)co,
                    (long long)x->shape[3]);
    int bias = -1, batch_norm = 0;
    fused_tail tail = {FT_ACT_NONE, FT_OP_COUNT, 0, -1};
    if (fused && (st = read_fused(L, n, in, nin, &bias, &batch_norm, &tail)) != FT_OK)
        return st;
    if (bias >= 0 && !const_f32(L, bias, out_c))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': bias must be a float constant of %lld values",
                    n->name, (long long)out_c);
    float *filter = malloc((size_t)(kh * kw * ci * co) * sizeof *filter);
    float *b = calloc((size_t)out_c, sizeof *b);
    if (!filter || !b) {
        free(filter);
        free(b);
        return FT_ERR_NOMEM;
    }
    const float *W = w->data;
    if (depthwise) {
        memcpy(filter, W, (size_t)(kh * kw * ci * co) * sizeof *filter);
    } else {
        for (int64_t o = 0; o < co; o++)
            for (int64_t h = 0; h < kh * kw; h++)
                for (int64_t i = 0; i < ci; i++)
                    filter[(o * kh * kw + h) * ci + i] = W[(h * ci + i) * co + o];
    }
    if (bias >= 0)
        memcpy(b, T(L, bias)->data, (size_t)out_c * sizeof *b);
    if (batch_norm) {
        /* y = (conv - mean) * scale / sqrt(var + eps) + offset, folded. */
        int ok = 1;
        for (int k = 2; k < 6; k++)
            ok &= const_f32(L, in[k], out_c);
        if (!ok) {
            free(filter);
            free(b);
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s': batch-norm parameters must be float constants of %lld values",
                        n->name, (long long)out_c);
        }
        const float *scale = T(L, in[2])->data, *offset = T(L, in[3])->data,
                    *mean = T(L, in[4])->data, *var = T(L, in[5])->data;
        float eps = attr_float(n, "epsilon", 0.0f);
        const int64_t per_out = kh * kw * (depthwise ? 1 : ci);
        for (int64_t o = 0; o < out_c; o++) {
            float k = scale[o] / sqrtf(var[o] + eps);
            b[o] = offset[o] - mean[o] * k;
            for (int64_t j = 0; j < per_out; j++) {
                if (depthwise)
                    filter[j * out_c + o] *= k;
                else
                    filter[o * per_out + j] *= k;
            }
        }
    }
    char name[512];
    snprintf(name, sizeof name, "%s/filter", n->name);
    int64_t fshape[4] = {depthwise ? 1 : co, kh, kw, depthwise ? ci * co : ci};
    int f = ft_graph_constant(&L->b, name, FT_DTYPE_F32, 4, fshape, filter);
    snprintf(name, sizeof name, "%s/bias", n->name);
    int bt = ft_graph_constant(&L->b, name, FT_DTYPE_F32, 1, &out_c, b);
    int64_t oh = conv_size(x->shape[1], kh, &geo, 0), ow = conv_size(x->shape[2], kw, &geo, 1);
    if (oh < 1 || ow < 1)
        return fail(L, FT_ERR_FORMAT, "node '%s': the filter is larger than the padded input", n->name);
    int64_t shape[4] = {x->shape[0], oh, ow, out_c};
    int y = new_value(L, n, 0, 4, shape);
    int ins[3] = {in[0], f, bt};
    ft_nn_op *op = y >= 0 ? add_op(L, depthwise ? FT_OP_DEPTHWISE_CONV2D : FT_OP_CONV2D, ins, 3, y) : NULL;
    if (!op)
        return L->b.status;
    memcpy(op->attrs.stride, geo.stride, sizeof geo.stride);
    memcpy(op->attrs.dilation, geo.dilation, sizeof geo.dilation);
    memcpy(op->attrs.pads, geo.pads, sizeof geo.pads);
    op->attrs.same_padding = geo.same;
    op->attrs.depth_multiplier = depthwise ? (int)co : 0;
    op->attrs.groups = 1;
    op->attrs.activation = tail.act;
    if (tail.extra != FT_OP_COUNT)
        y = follow_with(L, n, tail.extra, y, tail.slope, tail.alpha);
    n->value[0] = y;
    return y >= 0 ? FT_OK : L->b.status;
}

/* MatMul by a constant matrix: a fully connected layer. */
static ft_status map_matmul(loader *L, node *n, const int *in, int nin, int fused)
{
    if (nin < 2)
        return fail(L, FT_ERR_FORMAT, "node '%s': MatMul needs two inputs", n->name);
    const ft_nn_tensor a_at = *T(L, in[0]), w_at = *T(L, in[1]), *a = &a_at, *w = &w_at;
    if (attr_bool(n, "transpose_a") || a->rank != 2 || is_const(L, in[0]) || w->rank != 2 ||
        !w->data || w->dtype != FT_DTYPE_F32)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': only MatMul of a rank-2 activation by a constant float matrix", n->name);
    const int tb = attr_bool(n, "transpose_b");
    const int64_t k = tb ? w->shape[1] : w->shape[0], m = tb ? w->shape[0] : w->shape[1];
    if (k != a->shape[1])
        return fail(L, FT_ERR_FORMAT, "node '%s': MatMul inner sizes differ", n->name);
    int bias = -1, bn = 0;
    fused_tail tail = {FT_ACT_NONE, FT_OP_COUNT, 0, -1};
    ft_status st;
    if (fused && (st = read_fused(L, n, in, nin, &bias, &bn, &tail)) != FT_OK)
        return st;
    if (bn || (bias >= 0 && !const_f32(L, bias, m)))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': _FusedMatMul needs a float bias of %lld values", n->name, (long long)m);
    float *wt = malloc((size_t)(k * m) * sizeof *wt);
    if (!wt)
        return FT_ERR_NOMEM;
    const float *W = w->data;
    for (int64_t o = 0; o < m; o++)
        for (int64_t i = 0; i < k; i++)
            wt[o * k + i] = tb ? W[o * k + i] : W[i * m + o];
    char name[512];
    snprintf(name, sizeof name, "%s/weights", n->name);
    int64_t wshape[2] = {m, k};
    int wi = ft_graph_constant(&L->b, name, FT_DTYPE_F32, 2, wshape, wt);
    int64_t shape[2] = {a->shape[0], m};
    int y = new_value(L, n, 0, 2, shape);
    int ins[3] = {in[0], wi, bias};
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_FULLY_CONNECTED, ins, 3, y) : NULL;
    if (!op)
        return L->b.status;
    op->attrs.activation = tail.act;
    op->attrs.keep_dims = 1;
    if (tail.extra != FT_OP_COUNT)
        y = follow_with(L, n, tail.extra, y, tail.slope, tail.alpha);
    n->value[0] = y;
    return y >= 0 ? FT_OK : L->b.status;
}

static int broadcast(const ft_nn_tensor *a, const ft_nn_tensor *b, int *rank, int64_t *shape)
{
    *rank = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 0; i < *rank; i++) {
        int ia = a->rank - *rank + i, ib = b->rank - *rank + i;
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return 0;
        shape[i] = da == 1 ? db : da;
    }
    return 1;
}

/* Integer arithmetic on constants (shape computations). */
static ft_status fold_int_binary(loader *L, node *n, const int *in)
{
    const ft_nn_tensor a_at = *T(L, in[0]), b_at = *T(L, in[1]), *a = &a_at, *b = &b_at;
    int rank;
    int64_t shape[FT_NN_MAX_RANK];
    if (a->dtype != FT_DTYPE_I32 || b->dtype != FT_DTYPE_I32 || !broadcast(a, b, &rank, shape))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s' (%s): constant arithmetic on these operands", n->name, n->op);
    int64_t na = ft_nn_tensor_elements(a), nb = ft_nn_tensor_elements(b), count = 1;
    for (int d = 0; d < rank; d++)
        count *= shape[d];
    if ((na != count && na != 1) || (nb != count && nb != 1) || count > 4096)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s' (%s): constant arithmetic on these shapes", n->name, n->op);
    int32_t out[4096];
    const int32_t *A = a->data, *B = b->data;
    for (int64_t i = 0; i < count; i++) {
        int64_t x = A[na == 1 ? 0 : i], y = B[nb == 1 ? 0 : i], r;
        if (!strcmp(n->op, "Sub"))
            r = x - y;
        else if (!strcmp(n->op, "Mul"))
            r = x * y;
        else if (!strcmp(n->op, "FloorDiv") || !strcmp(n->op, "FloorMod")) {
            if (y == 0)
                return fail(L, FT_ERR_FORMAT, "node '%s': division by zero", n->name);
            int64_t q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0)))
                q--;
            r = n->op[5] == 'D' ? q : x - q * y;
        } else
            r = x + y;
        out[i] = (int32_t)r;
    }
    n->value[0] = new_const(L, n->name, FT_DTYPE_I32, rank, shape, out);
    return n->value[0] >= 0 ? FT_OK : L->b.status;
}

/* SparseToDense on constants (how onnx-tf writes some reshape targets). */
static ft_status fold_sparse_to_dense(loader *L, node *n, const int *in, int nin)
{
    int64_t shape[FT_NN_MAX_RANK], idx[4096], vals[4096], def;
    int rank = nin == 4 ? const_ints(L, in[1], shape, FT_NN_MAX_RANK) : -1;
    int ni = nin == 4 ? const_ints(L, in[0], idx, 4096) : -1;
    int nv = nin == 4 ? const_ints(L, in[2], vals, 4096) : -1;
    if (rank < 0 || ni < 0 || nv < 0 || const_ints(L, in[3], &def, 1) != 1)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': SparseToDense needs constant int32 inputs", n->name);
    int64_t count = 1;
    for (int d = 0; d < rank; d++) {
        if (shape[d] < 0 || (count *= shape[d]) > 4096)
            return fail(L, FT_ERR_FORMAT, "node '%s': SparseToDense output shape", n->name);
    }
    /* Indices are [n] (rank 1 output) or [n, rank]. */
    const int per = T(L, in[0])->rank == 2 ? (int)T(L, in[0])->shape[1] : 1;
    if (per != (rank ? rank : 1) || ni % per)
        return fail(L, FT_ERR_FORMAT, "node '%s': SparseToDense indices do not match the shape", n->name);
    int32_t out[4096];
    for (int64_t i = 0; i < count; i++)
        out[i] = (int32_t)def;
    for (int i = 0; i < ni / per; i++) {
        int64_t flat = 0;
        for (int d = 0; d < per; d++) {
            int64_t v = idx[i * per + d], dim = rank ? shape[d] : 1;
            if (v < 0 || v >= dim)
                return fail(L, FT_ERR_FORMAT, "node '%s': SparseToDense index out of range", n->name);
            flat = flat * dim + v;
        }
        if (nv != 1 && i >= nv)
            return fail(L, FT_ERR_FORMAT, "node '%s': SparseToDense has fewer values than indices", n->name);
        out[flat] = (int32_t)vals[nv == 1 ? 0 : i];
    }
    n->value[0] = new_const(L, n->name, FT_DTYPE_I32, rank, shape, out);
    return n->value[0] >= 0 ? FT_OK : L->b.status;
}

static ft_status map_binary(loader *L, node *n, const int *in, int nin, ft_op_type type)
{
    if (nin != 2)
        return fail(L, FT_ERR_FORMAT, "node '%s' (%s) needs two inputs", n->name, n->op);
    if (is_const(L, in[0]) && is_const(L, in[1]))
        return fold_int_binary(L, n, in);
    const ft_nn_tensor a_at = *T(L, in[0]), b_at = *T(L, in[1]), *a = &a_at, *b = &b_at;
    int rank;
    int64_t shape[FT_NN_MAX_RANK];
    if (a->dtype != FT_DTYPE_F32 || b->dtype != FT_DTYPE_F32 || !broadcast(a, b, &rank, shape))
        return fail(L, FT_ERR_FORMAT, "node '%s' (%s): operands do not broadcast or are not float", n->name, n->op);
    /* Constants second where order does not matter: the fast kernels take a
     * constant operand only there (TF's grappler often puts it first). */
    int ops[2] = {in[0], in[1]};
    const int commutative = type == FT_OP_ADD || type == FT_OP_MUL || type == FT_OP_MAXIMUM ||
                            type == FT_OP_MINIMUM || type == FT_OP_SQUARED_DIFFERENCE;
    if (commutative && is_const(L, in[0]) && !is_const(L, in[1])) {
        ops[0] = in[1];
        ops[1] = in[0];
    }
    int y = new_value(L, n, 0, rank, shape);
    if (y < 0 || !add_op(L, type, ops, 2, y))
        return L->b.status;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_unary(loader *L, node *n, const int *in, int nin, ft_op_type type)
{
    if (nin < 1 || is_const(L, in[0]) || T(L, in[0])->dtype != FT_DTYPE_F32)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s' (%s) needs a float activation input", n->name, n->op);
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    int64_t shape[FT_NN_MAX_RANK];
    memcpy(shape, x->shape, sizeof shape);
    int y = new_value(L, n, 0, x->rank, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, type, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    if (type == FT_OP_LEAKY_RELU)
        op->attrs.alpha = attr_float(n, "alpha", 0.2f);
    if (type == FT_OP_SOFTMAX) {
        op->attrs.axis = x->rank - 1;
        op->attrs.beta = 1.0f;
    }
    n->value[0] = y;
    return FT_OK;
}

/* Reshape, Squeeze, ExpandDims: a reshape to the computed shape. */
static ft_status map_reshape(loader *L, node *n, const int *in, int nin)
{
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    int64_t shape[FT_NN_MAX_RANK], v[FT_NN_MAX_RANK];
    int rank = 0;
    const int64_t total = ft_nn_tensor_elements(x);
    if (!strcmp(n->op, "Reshape")) {
        rank = nin == 2 ? const_ints(L, in[1], shape, FT_NN_MAX_RANK) : -1;
        if (rank < 0)
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s': Reshape needs a constant shape of rank <= %d", n->name, FT_NN_MAX_RANK);
        int infer = -1;
        int64_t known = 1;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == -1 && infer < 0)
                infer = d;
            else if (shape[d] < 0 || (shape[d] > 0 && known > INT64_MAX / shape[d]))
                return fail(L, FT_ERR_FORMAT, "node '%s': Reshape shape", n->name);
            else
                known *= shape[d] ? shape[d] : 1;
        }
        if (infer >= 0)
            shape[infer] = known ? total / known : 0;
    } else if (!strcmp(n->op, "ExpandDims")) {
        int64_t axis;
        if (nin != 2 || const_ints(L, in[1], &axis, 1) != 1 || x->rank >= FT_NN_MAX_RANK)
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s': ExpandDims needs a constant axis", n->name);
        if (axis < 0)
            axis += x->rank + 1;
        if (axis < 0 || axis > x->rank)
            return fail(L, FT_ERR_FORMAT, "node '%s': ExpandDims axis out of range", n->name);
        for (int d = 0, s = 0; d <= x->rank; d++)
            shape[d] = d == axis ? 1 : x->shape[s++];
        rank = x->rank + 1;
    } else { /* Squeeze */
        int k = attr_ints(n, "squeeze_dims", v, FT_NN_MAX_RANK);
        if (k < 0)
            return fail(L, FT_ERR_FORMAT, "node '%s': malformed squeeze_dims", n->name);
        for (int d = 0; d < x->rank; d++) {
            int drop = 0;
            for (int j = 0; j < k; j++)
                drop |= (v[j] < 0 ? v[j] + x->rank : v[j]) == d;
            if (k == 0 ? x->shape[d] == 1 : drop) {
                if (x->shape[d] != 1)
                    return fail(L, FT_ERR_FORMAT, "node '%s': squeezes an axis longer than 1", n->name);
                continue;
            }
            shape[rank++] = x->shape[d];
        }
    }
    int64_t count = 1;
    for (int d = 0; d < rank; d++)
        count *= shape[d];
    if (count != total)
        return fail(L, FT_ERR_FORMAT, "node '%s': %s to %lld elements from %lld", n->name, n->op,
                    (long long)count, (long long)total);
    if (is_const(L, in[0])) { /* a constant stays constant */
        n->value[0] = new_const(L, n->name, x->dtype, rank, shape, x->data);
        return n->value[0] >= 0 ? FT_OK : L->b.status;
    }
    int y = new_value(L, n, 0, rank, shape);
    if (y < 0 || !add_op(L, FT_OP_RESHAPE, in, 1, y))
        return L->b.status;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_transpose(loader *L, node *n, const int *in, int nin)
{
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    int64_t perm[FT_NN_MAX_RANK], shape[FT_NN_MAX_RANK];
    if (nin != 2 || const_ints(L, in[1], perm, FT_NN_MAX_RANK) != x->rank || is_const(L, in[0]))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': Transpose needs a constant permutation of an activation", n->name);
    int seen = 0;
    for (int d = 0; d < x->rank; d++) {
        if (perm[d] < 0 || perm[d] >= x->rank || (seen >> perm[d] & 1))
            return fail(L, FT_ERR_FORMAT, "node '%s': Transpose permutation", n->name);
        seen |= 1 << perm[d];
        shape[d] = x->shape[perm[d]];
    }
    int y = new_value(L, n, 0, x->rank, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_TRANSPOSE, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    for (int d = 0; d < x->rank; d++)
        op->attrs.perm[d] = (int)perm[d];
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_concat(loader *L, node *n, const int *in, int nin)
{
    int64_t axis;
    if (nin < 2 || const_ints(L, in[nin - 1], &axis, 1) != 1)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': ConcatV2 needs a constant axis", n->name);
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank)
        return fail(L, FT_ERR_FORMAT, "node '%s': ConcatV2 axis out of range", n->name);
    int64_t shape[FT_NN_MAX_RANK];
    memcpy(shape, x->shape, sizeof shape);
    shape[axis] = 0;
    for (int i = 0; i < nin - 1; i++) {
        const ft_nn_tensor t_at = *T(L, in[i]), *t = &t_at;
        if (t->rank != x->rank || t->dtype != FT_DTYPE_F32)
            return fail(L, FT_ERR_FORMAT, "node '%s': ConcatV2 inputs differ in rank or type", n->name);
        for (int d = 0; d < x->rank; d++)
            if (d != axis && t->shape[d] != x->shape[d])
                return fail(L, FT_ERR_FORMAT, "node '%s': ConcatV2 inputs differ off the axis", n->name);
        shape[axis] += t->shape[axis];
    }
    int y = new_value(L, n, 0, x->rank, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_CONCAT, in, nin - 1, y) : NULL;
    if (!op)
        return L->b.status;
    op->attrs.axis = (int)axis;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_pad(loader *L, node *n, const int *in, int nin)
{
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    int64_t p[2 * FT_NN_MAX_RANK], shape[FT_NN_MAX_RANK];
    if (nin < 2 || const_ints(L, in[1], p, 2 * FT_NN_MAX_RANK) != 2 * x->rank || is_const(L, in[0]))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s needs constant paddings of an activation", n->name, n->op);
    float value = 0;
    if (!strcmp(n->op, "PadV2")) {
        if (nin < 3 || !const_f32(L, in[2], 1))
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s': PadV2 needs a constant float value", n->name);
        memcpy(&value, T(L, in[2])->data, sizeof value);
    }
    for (int d = 0; d < x->rank; d++) {
        if (p[2 * d] < 0 || p[2 * d + 1] < 0 || p[2 * d] > 65536 || p[2 * d + 1] > 65536)
            return fail(L, FT_ERR_FORMAT, "node '%s': paddings out of range", n->name);
        shape[d] = x->shape[d] + p[2 * d] + p[2 * d + 1];
    }
    int y = new_value(L, n, 0, x->rank, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_PAD, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    for (int d = 0; d < x->rank; d++) {
        op->attrs.pad_before[d] = p[2 * d];
        op->attrs.pad_after[d] = p[2 * d + 1];
    }
    op->attrs.value = value;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_pool(loader *L, node *n, const int *in, ft_op_type type)
{
    conv_geometry geo;
    int64_t k[4];
    ft_status st = read_geometry(L, n, "strides", &geo);
    if (st != FT_OK)
        return st;
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    if (attr_ints(n, "ksize", k, 4) != 4 || k[1] < 1 || k[2] < 1 || k[1] > 4096 || k[2] > 4096 ||
        k[0] != 1 || k[3] != 1 || x->rank != 4 || is_const(L, in[0]))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s needs a spatial ksize and a rank-4 input", n->name, n->op);
    int64_t oh = conv_size(x->shape[1], k[1], &geo, 0), ow = conv_size(x->shape[2], k[2], &geo, 1);
    if (oh < 1 || ow < 1)
        return fail(L, FT_ERR_FORMAT, "node '%s': window larger than the input", n->name);
    int64_t shape[4] = {x->shape[0], oh, ow, x->shape[3]};
    int y = new_value(L, n, 0, 4, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, type, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    op->attrs.kernel[0] = (int)k[1];
    op->attrs.kernel[1] = (int)k[2];
    memcpy(op->attrs.stride, geo.stride, sizeof geo.stride);
    memcpy(op->attrs.pads, geo.pads, sizeof geo.pads);
    op->attrs.same_padding = geo.same;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_reduce(loader *L, node *n, const int *in, int nin, ft_op_type type)
{
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    int64_t axes[FT_NN_MAX_RANK], shape[FT_NN_MAX_RANK];
    int k = nin == 2 ? const_ints(L, in[1], axes, FT_NN_MAX_RANK) : -1;
    if (k < 0 || is_const(L, in[0]))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s needs constant axes", n->name, n->op);
    const int keep = attr_bool(n, "keep_dims");
    int reduced = 0, rank = 0;
    for (int i = 0; i < k; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (a < 0 || a >= x->rank)
            return fail(L, FT_ERR_FORMAT, "node '%s': reduction axis out of range", n->name);
        axes[i] = a;
        reduced |= 1 << a;
    }
    for (int d = 0; d < x->rank; d++)
        if (!(reduced >> d & 1) || keep)
            shape[rank++] = reduced >> d & 1 ? 1 : x->shape[d];
    int y = new_value(L, n, 0, rank, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, type, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    for (int i = 0; i < k; i++)
        op->attrs.axes[i] = (int)axes[i];
    op->attrs.axis_count = k;
    op->attrs.keep_dims = keep;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_resize(loader *L, node *n, const int *in, int nin, ft_resize_mode mode)
{
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    int64_t size[2];
    if (nin != 2 || const_ints(L, in[1], size, 2) != 2 || x->rank != 4 || size[0] < 1 ||
        size[1] < 1 || size[0] > 65536 || size[1] > 65536 || is_const(L, in[0]))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s needs a constant size and a rank-4 input", n->name, n->op);
    int64_t shape[4] = {x->shape[0], size[0], size[1], x->shape[3]};
    int y = new_value(L, n, 0, 4, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_RESIZE, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    op->attrs.resize_mode = mode;
    op->attrs.align_corners = attr_bool(n, "align_corners");
    op->attrs.half_pixel_centers = attr_bool(n, "half_pixel_centers");
    n->value[0] = y;
    return FT_OK;
}

/* One slice of X along AXIS, [begin, begin + len), as output K of N. */
static ft_status slice_axis(loader *L, node *n, int x, int k, int axis, int64_t begin, int64_t len)
{
    const ft_nn_tensor t_at = *T(L, x), *t = &t_at;
    int64_t shape[FT_NN_MAX_RANK];
    memcpy(shape, t->shape, sizeof shape);
    shape[axis] = len;
    int y = new_value(L, n, k, t->rank, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_SLICE, &x, 1, y) : NULL;
    if (!op)
        return L->b.status;
    for (int d = 0; d < t->rank; d++) {
        op->attrs.begin[d] = d == axis ? begin : 0;
        op->attrs.end[d] = d == axis ? begin + len : t->shape[d];
        op->attrs.step[d] = 1;
    }
    op->attrs.axis_count = t->rank;
    n->value[k] = y;
    return FT_OK;
}

/* Split (axis, x; num_split) and SplitV (x, sizes, axis). */
static ft_status map_split(loader *L, node *n, const int *in, int nin)
{
    const int v = !strcmp(n->op, "SplitV");
    int64_t axis, sizes[FT_NN_MAX_IO];
    const int x = v ? in[0] : in[1];
    int count;
    if (nin != (v ? 3 : 2) || const_ints(L, v ? in[2] : in[0], &axis, 1) != 1 || is_const(L, x))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s needs a constant axis", n->name, n->op);
    const ft_nn_tensor t_at = *T(L, x), *t = &t_at;
    if (axis < 0)
        axis += t->rank;
    if (axis < 0 || axis >= t->rank)
        return fail(L, FT_ERR_FORMAT, "node '%s': split axis out of range", n->name);
    const int64_t dim = t->shape[axis];
    if (v) {
        count = const_ints(L, in[1], sizes, FT_NN_MAX_IO);
        int infer = -1;
        int64_t known = 0;
        for (int i = 0; i < count; i++) {
            if (sizes[i] == -1 && infer < 0)
                infer = i;
            else if (sizes[i] < 0)
                count = -1;
            else
                known += sizes[i];
            if (count < 0)
                break;
        }
        if (count > 0 && infer >= 0)
            sizes[infer] = dim - known;
    } else {
        count = (int)attr_int(n, "num_split", 0);
        if (count >= 1 && count <= FT_NN_MAX_IO && dim % count == 0)
            for (int i = 0; i < count; i++)
                sizes[i] = dim / count;
        else
            count = -1;
    }
    int64_t total = 0;
    for (int i = 0; i < count; i++)
        total += sizes[i] < 0 ? dim + 1 : sizes[i];
    if (count < 1 || total != dim)
        return fail(L, FT_ERR_FORMAT, "node '%s': split sizes do not add up to the axis", n->name);
    int64_t begin = 0;
    for (int i = 0; i < count; i++) {
        ft_status st = slice_axis(L, n, x, i, (int)axis, begin, sizes[i]);
        if (st != FT_OK)
            return st;
        begin += sizes[i];
    }
    n->value_count = count;
    return FT_OK;
}

/* StridedSlice with begin/end/shrink masks, and Slice (begin, size). */
static ft_status map_slice(loader *L, node *n, const int *in, int nin)
{
    const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
    const int strided = !strcmp(n->op, "StridedSlice");
    int64_t b[FT_NN_MAX_RANK], e[FT_NN_MAX_RANK], s[FT_NN_MAX_RANK];
    int r = x->rank;
    if (is_const(L, in[0]) || nin != (strided ? 4 : 3) || const_ints(L, in[1], b, r) != r ||
        const_ints(L, in[2], e, r) != r || (strided && const_ints(L, in[3], s, r) != r))
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s needs constant bounds for every axis", n->name, n->op);
    int bm = 0, em = 0, sm = 0;
    if (strided) {
        bm = (int)attr_int(n, "begin_mask", 0);
        em = (int)attr_int(n, "end_mask", 0);
        sm = (int)attr_int(n, "shrink_axis_mask", 0);
        if (attr_int(n, "ellipsis_mask", 0) || attr_int(n, "new_axis_mask", 0))
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s': StridedSlice with ellipsis or new-axis masks", n->name);
    }
    int64_t begin[FT_NN_MAX_RANK], end[FT_NN_MAX_RANK], step[FT_NN_MAX_RANK];
    int64_t shape[FT_NN_MAX_RANK], kept[FT_NN_MAX_RANK];
    int kept_rank = 0;
    for (int d = 0; d < r; d++) {
        const int64_t dim = x->shape[d];
        step[d] = strided ? s[d] : 1;
        if (step[d] == 0)
            return fail(L, FT_ERR_FORMAT, "node '%s': zero slice step", n->name);
        int64_t lo = b[d] < 0 ? b[d] + dim : b[d];
        int64_t hi = strided ? (e[d] < 0 ? e[d] + dim : e[d]) : (e[d] == -1 ? dim : lo + e[d]);
        if (bm >> d & 1)
            lo = step[d] > 0 ? 0 : dim - 1;
        if (em >> d & 1)
            hi = step[d] > 0 ? dim : -1;
        if (sm >> d & 1)
            hi = lo + 1, step[d] = 1;
        const int64_t min = step[d] > 0 ? 0 : -1, max = step[d] > 0 ? dim : dim - 1;
        begin[d] = lo < min ? min : lo > max ? max : lo;
        end[d] = hi < min ? min : hi > max ? max : hi;
        int64_t len = step[d] > 0 ? (end[d] - begin[d] + step[d] - 1) / step[d]
                                  : (begin[d] - end[d] - step[d] - 1) / -step[d];
        shape[d] = len < 0 ? 0 : len;
        if (!(sm >> d & 1))
            kept[kept_rank++] = shape[d];
    }
    int y = new_value(L, n, 0, r, shape);
    ft_nn_op *op = y >= 0 ? add_op(L, FT_OP_SLICE, in, 1, y) : NULL;
    if (!op)
        return L->b.status;
    memcpy(op->attrs.begin, begin, sizeof begin);
    memcpy(op->attrs.end, end, sizeof end);
    memcpy(op->attrs.step, step, sizeof step);
    op->attrs.axis_count = r;
    if (sm) {
        char name[512];
        snprintf(name, sizeof name, "%s/shrink", n->name);
        int z = ft_graph_activation(&L->b, name, kept_rank, kept);
        if (z < 0 || !add_op(L, FT_OP_RESHAPE, &y, 1, z))
            return L->b.status;
        y = z;
    }
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_placeholder(loader *L, node *n)
{
    json_object *dims = member(member(attr(n, "shape"), "shape"), "dim");
    int64_t shape[FT_NN_MAX_RANK];
    int rank = 0;
    char dtype[32];
    json_object *t = member(attr(n, "dtype"), "type");
    snprintf(dtype, sizeof dtype, "%s", string_of(t) ? string_of(t) : "DT_FLOAT");
    if (strcmp(dtype, "DT_FLOAT"))
        return fail(L, FT_ERR_UNSUPPORTED, "input '%s' is %s; only DT_FLOAT inputs are supported", n->name, dtype);
    if (!dims || !json_object_is_type(dims, json_type_array) ||
        json_object_array_length(dims) > FT_NN_MAX_RANK)
        return fail(L, FT_ERR_UNSUPPORTED, "input '%s' has no fixed shape", n->name);
    rank = (int)json_object_array_length(dims);
    for (int d = 0; d < rank; d++) {
        int64_t v = 0;
        json_object *size = member(json_object_array_get_idx(dims, (size_t)d), "size");
        if (size && !int_of(size, &v))
            return fail(L, FT_ERR_FORMAT, "input '%s': malformed dimension", n->name);
        if (v == -1 && d == 0)
            v = 1; /* an open batch: one item, sessions reshape it */
        if (v < 1)
            return fail(L, FT_ERR_UNSUPPORTED, "input '%s': dimension %d is not fixed", n->name, d);
        shape[d] = v;
    }
    int y = new_value(L, n, 0, rank, shape);
    if (y < 0)
        return L->b.status == FT_OK ? FT_ERR_FORMAT : L->b.status;
    if (L->g->input_count >= FT_NN_MAX_IO)
        return fail(L, FT_ERR_UNSUPPORTED, "more than %d inputs", FT_NN_MAX_IO);
    L->g->inputs[L->g->input_count++] = y;
    n->value[0] = y;
    return FT_OK;
}

static ft_status map_const(loader *L, node *n)
{
    const weight *w = find_weight(L, n->name);
    if (!w)
        return fail(L, FT_ERR_FORMAT, "constant '%s' has no weight in the manifest", n->name);
    n->value[0] = new_const(L, n->name, w->dtype, w->rank, w->shape, w->data);
    return n->value[0] >= 0 ? FT_OK : L->b.status;
}

/* Ops by TF name, with the IR op of the simple ones. */
typedef enum kind {
    K_CONST, K_INPUT, K_IDENTITY, K_CONV, K_FUSED_CONV, K_DW, K_FUSED_DW, K_MATMUL,
    K_FUSED_MATMUL, K_BIAS_ADD, K_BINARY, K_UNARY, K_RESHAPE, K_TRANSPOSE, K_CONCAT, K_PAD,
    K_POOL, K_REDUCE, K_RESIZE, K_SPLIT, K_SLICE, K_CAST, K_SPARSE_TO_DENSE, K_INT_ONLY
} kind;

static const struct {
    const char *name;
    kind kind;
    ft_op_type type;
} op_table[] = {
    {"Const", K_CONST, FT_OP_COUNT}, {"Placeholder", K_INPUT, FT_OP_COUNT},
    {"Identity", K_IDENTITY, FT_OP_COUNT}, {"Snapshot", K_IDENTITY, FT_OP_COUNT},
    {"StopGradient", K_IDENTITY, FT_OP_COUNT}, {"NoOp", K_IDENTITY, FT_OP_COUNT},
    {"Conv2D", K_CONV, FT_OP_CONV2D}, {"_FusedConv2D", K_FUSED_CONV, FT_OP_CONV2D},
    {"DepthwiseConv2dNative", K_DW, FT_OP_DEPTHWISE_CONV2D},
    {"FusedDepthwiseConv2dNative", K_FUSED_DW, FT_OP_DEPTHWISE_CONV2D},
    {"MatMul", K_MATMUL, FT_OP_FULLY_CONNECTED}, {"_FusedMatMul", K_FUSED_MATMUL, FT_OP_FULLY_CONNECTED},
    {"BiasAdd", K_BIAS_ADD, FT_OP_ADD},
    {"Add", K_BINARY, FT_OP_ADD}, {"AddV2", K_BINARY, FT_OP_ADD}, {"Sub", K_BINARY, FT_OP_SUB},
    {"Mul", K_BINARY, FT_OP_MUL}, {"RealDiv", K_BINARY, FT_OP_DIV}, {"Div", K_BINARY, FT_OP_DIV},
    {"Maximum", K_BINARY, FT_OP_MAXIMUM}, {"Minimum", K_BINARY, FT_OP_MINIMUM},
    {"SquaredDifference", K_BINARY, FT_OP_SQUARED_DIFFERENCE}, {"Pow", K_BINARY, FT_OP_POW},
    {"Prelu", K_BINARY, FT_OP_PRELU}, {"FloorDiv", K_INT_ONLY, FT_OP_COUNT},
    {"FloorMod", K_INT_ONLY, FT_OP_COUNT},
    {"Relu", K_UNARY, FT_OP_RELU}, {"Relu6", K_UNARY, FT_OP_RELU6}, {"Sigmoid", K_UNARY, FT_OP_SIGMOID},
    {"Tanh", K_UNARY, FT_OP_TANH}, {"Exp", K_UNARY, FT_OP_EXP}, {"Log", K_UNARY, FT_OP_LOG},
    {"Sqrt", K_UNARY, FT_OP_SQRT}, {"Rsqrt", K_UNARY, FT_OP_RSQRT}, {"Neg", K_UNARY, FT_OP_NEG},
    {"Abs", K_UNARY, FT_OP_ABS}, {"LeakyRelu", K_UNARY, FT_OP_LEAKY_RELU},
    {"Softmax", K_UNARY, FT_OP_SOFTMAX},
    {"Reshape", K_RESHAPE, FT_OP_RESHAPE}, {"Squeeze", K_RESHAPE, FT_OP_RESHAPE},
    {"ExpandDims", K_RESHAPE, FT_OP_RESHAPE}, {"Transpose", K_TRANSPOSE, FT_OP_TRANSPOSE},
    {"ConcatV2", K_CONCAT, FT_OP_CONCAT}, {"Pad", K_PAD, FT_OP_PAD}, {"PadV2", K_PAD, FT_OP_PAD},
    {"MaxPool", K_POOL, FT_OP_MAX_POOL2D}, {"AvgPool", K_POOL, FT_OP_AVERAGE_POOL2D},
    {"Mean", K_REDUCE, FT_OP_REDUCE_MEAN}, {"Sum", K_REDUCE, FT_OP_REDUCE_SUM},
    {"Max", K_REDUCE, FT_OP_REDUCE_MAX},
    {"ResizeBilinear", K_RESIZE, FT_OP_RESIZE}, {"ResizeNearestNeighbor", K_RESIZE, FT_OP_RESIZE},
    {"Split", K_SPLIT, FT_OP_SLICE}, {"SplitV", K_SPLIT, FT_OP_SLICE},
    {"StridedSlice", K_SLICE, FT_OP_SLICE}, {"Slice", K_SLICE, FT_OP_SLICE},
    {"Cast", K_CAST, FT_OP_CAST}, {"SparseToDense", K_SPARSE_TO_DENSE, FT_OP_COUNT},
};

static int op_index(const char *op)
{
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (!strcmp(op_table[i].name, op))
            return (int)i;
    return -1;
}

ft_status ft_tfjs_build_node(loader *L, node *n)
{
    int in[FT_NN_MAX_IO], nin = 0;
    for (int i = 0; i < input_count(n); i++) {
        int k, control;
        const char *ref = input_ref(n, i);
        int src = ref ? resolve_input(L, ref, &k, &control) : -1;
        if (src < 0)
            return fail(L, FT_ERR_FORMAT, "node '%s': unknown input", n->name);
        if (control)
            continue;
        if (nin >= FT_NN_MAX_IO)
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s' has more than %d inputs", n->name, FT_NN_MAX_IO);
        node *s = &L->nodes[src];
        if (k >= s->value_count || s->value[k] < 0)
            return fail(L, FT_ERR_FORMAT, "node '%s': input '%s' has no output %d", n->name, s->name, k);
        in[nin++] = s->value[k];
    }
    n->value_count = 1;
    const int oi = op_index(n->op);
    if (oi < 0)
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': unsupported TensorFlow op '%s'", n->name, n->op);
    const kind kd = op_table[oi].kind;
    const ft_op_type type = op_table[oi].type;
    if (kd != K_CONST && kd != K_INPUT && nin < 1)
        return fail(L, FT_ERR_FORMAT, "node '%s' (%s) has no inputs", n->name, n->op);
    switch (kd) {
    case K_CONST: return map_const(L, n);
    case K_INPUT: return map_placeholder(L, n);
    case K_IDENTITY:
        n->value[0] = in[0];
        return FT_OK;
    case K_CONV: case K_FUSED_CONV: case K_DW: case K_FUSED_DW:
        return map_conv(L, n, in, nin, kd == K_FUSED_CONV || kd == K_FUSED_DW,
                        kd == K_DW || kd == K_FUSED_DW);
    case K_MATMUL: case K_FUSED_MATMUL:
        return map_matmul(L, n, in, nin, kd == K_FUSED_MATMUL);
    case K_BIAS_ADD: {
        char fmt[16];
        if (!attr_string(n, "data_format", "NHWC", fmt, sizeof fmt) || strcmp(fmt, "NHWC"))
            return fail(L, FT_ERR_UNSUPPORTED, "node '%s': BiasAdd only in NHWC", n->name);
        return map_binary(L, n, in, nin, FT_OP_ADD);
    }
    case K_BINARY: return map_binary(L, n, in, nin, type);
    case K_INT_ONLY:
        if (nin == 2 && is_const(L, in[0]) && is_const(L, in[1]))
            return fold_int_binary(L, n, in);
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': %s only on constants", n->name, n->op);
    case K_UNARY: return map_unary(L, n, in, nin, type);
    case K_RESHAPE: return map_reshape(L, n, in, nin);
    case K_TRANSPOSE: return map_transpose(L, n, in, nin);
    case K_CONCAT: return map_concat(L, n, in, nin);
    case K_PAD: return map_pad(L, n, in, nin);
    case K_POOL: return map_pool(L, n, in, type);
    case K_REDUCE: return map_reduce(L, n, in, nin, type);
    case K_RESIZE:
        return map_resize(L, n, in, nin, !strcmp(n->op, "ResizeBilinear") ? FT_RESIZE_BILINEAR
                                                                          : FT_RESIZE_NEAREST);
    case K_SPLIT: return map_split(L, n, in, nin);
    case K_SLICE: return map_slice(L, n, in, nin);
    case K_CAST: {
        /* Float to float is nothing; constant int32 stays as it is (int64
         * does not exist in TF.js weights). */
        const ft_nn_tensor x_at = *T(L, in[0]), *x = &x_at;
        json_object *to = member(attr(n, "DstT"), "type");
        const char *dst = string_of(to) ? string_of(to) : "";
        int to_int = !strcmp(dst, "DT_INT32") || !strcmp(dst, "DT_INT64");
        if ((x->dtype == FT_DTYPE_F32 && !strcmp(dst, "DT_FLOAT")) ||
            (x->dtype == FT_DTYPE_I32 && x->data && to_int)) {
            n->value[0] = in[0];
            return FT_OK;
        }
        return fail(L, FT_ERR_UNSUPPORTED, "node '%s': Cast to %s", n->name, dst);
    }
    case K_SPARSE_TO_DENSE: return fold_sparse_to_dense(L, n, in, nin);
    }
    return FT_ERR_INTERNAL;
}


int ft_tfjs_op_known(const char *op)
{
    return op_index(op) >= 0;
}
