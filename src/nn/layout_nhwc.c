#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/layout_nhwc.h"

/* Where NCHW axis a lives in an NHWC tensor, and the reverse. */
static const int nhwc_pos[4] = {0, 3, 1, 2};
static const int to_nhwc_perm[4] = {0, 2, 3, 1}; /* NCHW -> NHWC */
static const int to_nchw_perm[4] = {0, 3, 1, 2}; /* NHWC -> NCHW */

typedef struct pass {
    ft_nn_graph *g;
    ft_nn_op *ops;      /* the rewritten op list */
    int op_count, op_cap;
    int tensor_cap;
    char *nhwc;         /* per tensor: its shape and data are NHWC now */
    char *reordered;    /* per tensor: constant filter already reordered */
    int *as_nchw;       /* per tensor: its NCHW copy, or -1 */
    int *as_nhwc;       /* per tensor: its NHWC copy, or -1 */
    char *err;
    size_t err_size;
} pass;

/* An ONNX Resize moves to NHWC only where TFLite's flags say exactly the
 * same (the NHWC kernels follow TFLite); any other keeps NCHW. */
static int resize_as_tflite(const ft_nn_op *op, const ft_nn_graph *g, int input_nhwc, int *align,
                            int *half)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    *align = 0;
    *half = 0;
    if (x->rank != 4 || y->rank != 4)
        return 0;
    /* Bilinear with aligned corners is TFLite's align_corners exactly (input
     * position = output position x (in - 1) / (out - 1)): the reference
     * kernel runs it in NHWC, sparing the transposes around it. XNNPACK
     * leaves it alone (xnn_backend.c): its weights measured 5e-5 off ONNX's
     * on OpenSeeFace, over our tolerance. */
    if (a->resize_mode == FT_RESIZE_BILINEAR && a->coord == FT_COORD_ALIGN_CORNERS) {
        *align = 1;
        return 1;
    }
    /* Other bilinear modes stay. Nearest copies exact values. */
    if (a->resize_mode != FT_RESIZE_NEAREST || a->coord != FT_COORD_ASYMMETRIC)
        return 0;
    /* floor(o * in / out); rounding halves down agrees when out is a
     * whole multiple of in (no other fraction than .5 then). */
    const int64_t h = x->shape[input_nhwc ? 1 : 2], w = x->shape[input_nhwc ? 2 : 3];
    return a->nearest_round == FT_ROUND_FLOOR ||
           (a->nearest_round == FT_ROUND_PREFER_FLOOR && h > 0 && w > 0 && y->shape[2] % h == 0 &&
            y->shape[3] % w == 0);
}

static int is_layout_op(const ft_nn_graph *g, const ft_nn_op *op, int input_nhwc)
{
    int align, half;
    if (op->attrs.layout != FT_LAYOUT_NCHW)
        return 0;
    switch (op->type) {
    case FT_OP_CONV2D:
    case FT_OP_DEPTHWISE_CONV2D:
    case FT_OP_MAX_POOL2D:
    case FT_OP_AVERAGE_POOL2D:
        return 1;
    case FT_OP_RESIZE:
        return resize_as_tflite(op, g, input_nhwc, &align, &half);
    default:
        return 0;
    }
}

int ft_nn_nchw_ops(const ft_nn_graph *g)
{
    int n = 0;
    for (int i = 0; i < g->op_count; i++)
        n += is_layout_op(g, &g->ops[i], 0);
    return n;
}

static int is_elementwise_unary(ft_op_type t)
{
    return (t >= FT_OP_RELU && t <= FT_OP_ABS) || t == FT_OP_CAST;
}

static int is_elementwise_binary(ft_op_type t)
{
    return t >= FT_OP_ADD && t <= FT_OP_PRELU;
}

/* ------------------------------------------------------------- bookkeeping */

static int grow_tensors(pass *P)
{
    ft_nn_graph *g = P->g;
    if (g->tensor_count < P->tensor_cap)
        return 1;
    int cap = P->tensor_cap * 2 + 16;
    ft_nn_tensor *t = realloc(g->tensors, (size_t)cap * sizeof *t);
    if (t)
        g->tensors = t;
    char *a = realloc(P->nhwc, (size_t)cap), *b = realloc(P->reordered, (size_t)cap);
    if (a)
        P->nhwc = a;
    if (b)
        P->reordered = b;
    int *c = realloc(P->as_nchw, (size_t)cap * sizeof *c), *d = realloc(P->as_nhwc, (size_t)cap * sizeof *d);
    if (c)
        P->as_nchw = c;
    if (d)
        P->as_nhwc = d;
    if (!t || !a || !b || !c || !d)
        return 0;
    for (int i = P->tensor_cap; i < cap; i++) {
        P->nhwc[i] = P->reordered[i] = 0;
        P->as_nchw[i] = P->as_nhwc[i] = -1;
    }
    P->tensor_cap = cap;
    return 1;
}

/* A new activation tensor like LIKE with SHAPE; -1 when out of memory. */
static int new_tensor(pass *P, int like, const int64_t *shape_in, const char *suffix)
{
    int64_t shape[FT_NN_MAX_RANK];
    memcpy(shape, shape_in, sizeof(int64_t) * (size_t)P->g->tensors[like].rank);
    if (!grow_tensors(P)) /* may move the tensors SHAPE_IN points into */
        return -1;
    ft_nn_graph *g = P->g;
    const ft_nn_tensor *src = &g->tensors[like];
    size_t len = strlen(src->name) + strlen(suffix) + 1;
    char *name = malloc(len);
    if (!name)
        return -1;
    snprintf(name, len, "%s%s", src->name, suffix);
    ft_nn_tensor *t = &g->tensors[g->tensor_count];
    *t = (ft_nn_tensor){.name = name, .dtype = src->dtype, .rank = src->rank};
    memcpy(t->shape, shape, sizeof(int64_t) * (size_t)src->rank);
    return g->tensor_count++;
}

static int emit(pass *P, const ft_nn_op *op)
{
    if (P->op_count == P->op_cap) {
        int cap = P->op_cap * 2 + 16;
        ft_nn_op *ops = realloc(P->ops, (size_t)cap * sizeof *ops);
        if (!ops)
            return 0;
        P->ops = ops;
        P->op_cap = cap;
    }
    P->ops[P->op_count++] = *op;
    return 1;
}

static void permute_shape(const int64_t *in, const int *perm, int64_t *out)
{
    for (int d = 0; d < 4; d++)
        out[d] = in[perm[d]];
}

/* Emits a transpose of T by PERM into a new tensor; -1 on failure. */
static int emit_transpose(pass *P, int t, const int *perm, int out_nhwc, const char *suffix)
{
    int64_t shape[4];
    permute_shape(P->g->tensors[t].shape, perm, shape);
    int y = new_tensor(P, t, shape, suffix);
    if (y < 0)
        return -1;
    ft_nn_op op = {.type = FT_OP_TRANSPOSE, .input_count = 1, .output_count = 1};
    op.inputs[0] = t;
    op.outputs[0] = y;
    memcpy(op.attrs.perm, perm, sizeof(int) * 4);
    P->nhwc[y] = (char)out_nhwc;
    return emit(P, &op) ? y : -1;
}

/* Constant data of rank <= 4 broadcast against an NCHW tensor, as the
 * same values for the NHWC one: right-aligned to rank 4, then permuted. */
static int constant_to_nhwc(pass *P, int t)
{
    const ft_nn_tensor *src = &P->g->tensors[t];
    int64_t nchw[4] = {1, 1, 1, 1}, nhwc[4];
    for (int d = 0; d < src->rank; d++)
        nchw[4 - src->rank + d] = src->shape[d];
    permute_shape(nchw, to_nhwc_perm, nhwc);
    int y = new_tensor(P, t, nchw, "/nhwc");
    if (y < 0)
        return -1;
    ft_nn_tensor *dst = &P->g->tensors[y];
    src = &P->g->tensors[t];
    const size_t es = ft_dtype_size(src->dtype);
    dst->rank = 4;
    memcpy(dst->shape, nhwc, sizeof nhwc);
    dst->data = malloc(src->nbytes ? src->nbytes : 1);
    dst->nbytes = src->nbytes;
    if (!dst->data)
        return -1;
    const uint8_t *X = src->data;
    uint8_t *Y = dst->data;
    for (int64_t n = 0; n < nchw[0]; n++)
        for (int64_t c = 0; c < nchw[1]; c++)
            for (int64_t h = 0; h < nchw[2]; h++)
                for (int64_t w = 0; w < nchw[3]; w++) {
                    int64_t from = ((n * nchw[1] + c) * nchw[2] + h) * nchw[3] + w;
                    int64_t to = ((n * nhwc[1] + h) * nhwc[2] + w) * nhwc[3] + c;
                    memcpy(Y + to * (int64_t)es, X + from * (int64_t)es, es);
                }
    P->nhwc[y] = 1;
    return y;
}

/* T as an NHWC tensor (made once and shared by every reader). */
static int nhwc_of(pass *P, int t)
{
    if (P->nhwc[t])
        return t;
    if (P->as_nhwc[t] < 0)
        P->as_nhwc[t] = P->g->tensors[t].data ? constant_to_nhwc(P, t)
                                              : emit_transpose(P, t, to_nhwc_perm, 1, "/nhwc");
    return P->as_nhwc[t];
}

/* T with its original NCHW shape and memory order. */
static int nchw_of(pass *P, int t)
{
    if (!P->nhwc[t])
        return t;
    if (P->as_nchw[t] < 0)
        P->as_nchw[t] = emit_transpose(P, t, to_nchw_perm, 0, "/nchw");
    return P->as_nchw[t];
}

static void set_nhwc_output(pass *P, int t)
{
    ft_nn_tensor *y = &P->g->tensors[t];
    int64_t s[4];
    permute_shape(y->shape, to_nhwc_perm, s);
    memcpy(y->shape, s, sizeof s);
    P->nhwc[t] = 1;
}

/* ------------------------------------------------------------ op rewrites */

/* OIHW -> OHWI for convolution, (C*M)1HW -> 1HW(C*M) for depthwise. */
static int reorder_filter(pass *P, int t, int depthwise)
{
    ft_nn_tensor *w = &P->g->tensors[t];
    if (P->reordered[t])
        return 1;
    const int64_t O = w->shape[0], I = w->shape[1], H = w->shape[2], W = w->shape[3];
    const float *src = w->data;
    float *dst = malloc(w->nbytes ? w->nbytes : 1);
    if (!dst)
        return 0;
    for (int64_t o = 0; o < O; o++)
        for (int64_t i = 0; i < I; i++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t x = 0; x < W; x++) {
                    float v = src[((o * I + i) * H + h) * W + x];
                    if (depthwise)
                        dst[(h * W + x) * O + o] = v;
                    else
                        dst[((o * H + h) * W + x) * I + i] = v;
                }
    free(w->data);
    w->data = dst;
    const int64_t shape[4] = {depthwise ? 1 : O, H, W, depthwise ? O : I};
    memcpy(w->shape, shape, sizeof shape);
    P->reordered[t] = 1;
    return 1;
}

static int rewrite_layout_op(pass *P, ft_nn_op *op)
{
    const ft_nn_graph *g = P->g;
    const int is_conv = op->type == FT_OP_CONV2D || op->type == FT_OP_DEPTHWISE_CONV2D;
    if (g->tensors[op->inputs[0]].rank != 4)
        return 0;
    if (is_conv) {
        const ft_nn_tensor *w = op->input_count > 1 && op->inputs[1] >= 0 ? &g->tensors[op->inputs[1]] : NULL;
        if (!w || !w->data || w->rank != 4 || w->dtype != FT_DTYPE_F32)
            return 0; /* left in NCHW */
        if (op->type == FT_OP_DEPTHWISE_CONV2D && w->shape[1] != 1)
            return 0;
        if (!reorder_filter(P, op->inputs[1], op->type == FT_OP_DEPTHWISE_CONV2D))
            return -1;
    }
    /* ONNX ceil_mode pooling: the extra window becomes bottom/right
     * padding, which pooling ignores in both layouts. */
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    if (op->type == FT_OP_RESIZE)
        resize_as_tflite(op, g, P->nhwc[op->inputs[0]], &op->attrs.align_corners,
                         &op->attrs.half_pixel_centers);
    if (op->type == FT_OP_MAX_POOL2D || op->type == FT_OP_AVERAGE_POOL2D) {
        const int spatial = P->nhwc[op->inputs[0]] ? 1 : 2; /* where H is */
        for (int i = 0; i < 2; i++) {
            int64_t span = x->shape[spatial + i] + op->attrs.pads[i] + op->attrs.pads[i + 2];
            int64_t need = (y->shape[2 + i] - 1) * op->attrs.stride[i] + op->attrs.kernel[i];
            if (need > span)
                op->attrs.pads[i + 2] += (int)(need - span);
        }
    }
    if ((op->inputs[0] = nhwc_of(P, op->inputs[0])) < 0)
        return -1;
    op->attrs.layout = FT_LAYOUT_NHWC;
    set_nhwc_output(P, op->outputs[0]);
    return 1;
}

/* Element-wise ops follow their inputs: NHWC when any input is, the other
 * inputs brought to NHWC too (constants reordered once). */
static int rewrite_elementwise(pass *P, ft_nn_op *op)
{
    ft_nn_graph *g = P->g;
    int any = 0;
    for (int i = 0; i < op->input_count; i++)
        any |= op->inputs[i] >= 0 && P->nhwc[op->inputs[i]];
    if (!any || g->tensors[op->outputs[0]].rank != 4)
        return 0;
    for (int i = 0; i < op->input_count; i++) {
        int t = op->inputs[i];
        if (t < 0 || P->nhwc[t])
            continue;
        const ft_nn_tensor *x = &g->tensors[t];
        if (!x->data && x->rank != 4)
            return 0; /* a lower-rank activation: keep NCHW */
        if (x->rank > 4)
            return 0;
    }
    for (int i = 0; i < op->input_count; i++)
        if (op->inputs[i] >= 0 && (op->inputs[i] = nhwc_of(P, op->inputs[i])) < 0)
            return -1;
    set_nhwc_output(P, op->outputs[0]);
    return 1;
}

static int all_inputs_rank4(const pass *P, const ft_nn_op *op)
{
    for (int i = 0; i < op->input_count; i++)
        if (op->inputs[i] < 0 || P->g->tensors[op->inputs[i]].rank != 4)
            return 0;
    return 1;
}

/* Ops with axes: remapped onto the NHWC positions. */
static int rewrite_axes(pass *P, ft_nn_op *op)
{
    ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = &P->g->tensors[op->inputs[0]];
    const ft_nn_tensor *y = &P->g->tensors[op->outputs[0]];
    if (!P->nhwc[op->inputs[0]] || x->rank != 4)
        return 0;
    switch (op->type) {
    case FT_OP_CONCAT:
        if (!all_inputs_rank4(P, op) || a->axis < 0 || a->axis > 3)
            return 0;
        for (int i = 0; i < op->input_count; i++)
            if ((op->inputs[i] = nhwc_of(P, op->inputs[i])) < 0)
                return -1;
        a->axis = nhwc_pos[a->axis];
        break;
    case FT_OP_SOFTMAX:
        if (a->axis < 0 || a->axis > 3)
            return 0;
        a->axis = nhwc_pos[a->axis];
        break;
    case FT_OP_SLICE:
    case FT_OP_PAD: {
        int64_t b[4], e[4], s[4], pb[4], pa[4];
        for (int d = 0; d < 4; d++) {
            int p = nhwc_pos[d];
            b[p] = a->begin[d];
            e[p] = a->end[d];
            s[p] = a->step[d];
            pb[p] = a->pad_before[d];
            pa[p] = a->pad_after[d];
        }
        memcpy(a->begin, b, sizeof b);
        memcpy(a->end, e, sizeof e);
        memcpy(a->step, s, sizeof s);
        memcpy(a->pad_before, pb, sizeof pb);
        memcpy(a->pad_after, pa, sizeof pa);
        break;
    }
    case FT_OP_REDUCE_MEAN:
    case FT_OP_REDUCE_SUM:
    case FT_OP_REDUCE_MAX: {
        if (y->rank != 4) {
            /* Without kept dims, the remaining axes must keep their order:
             * true unless C remains together with H or W. */
            int reduced[4] = {0};
            for (int i = 0; i < a->axis_count; i++)
                if (a->axes[i] >= 0 && a->axes[i] < 4)
                    reduced[a->axes[i]] = 1;
            if (!reduced[1] && (!reduced[2] || !reduced[3]))
                return 0;
        }
        for (int i = 0; i < a->axis_count; i++)
            a->axes[i] = nhwc_pos[a->axes[i]];
        if (y->rank == 4)
            set_nhwc_output(P, op->outputs[0]);
        return 1;
    }
    case FT_OP_TRANSPOSE:
        /* Read the NHWC data directly: the output is the same tensor. */
        {
            int identity = 1;
            for (int d = 0; d < 4; d++) {
                a->perm[d] = nhwc_pos[a->perm[d]];
                identity &= a->perm[d] == d;
            }
            /* NCHW -> NHWC before a detection head: now a plain copy. */
            if (identity)
                op->type = FT_OP_RESHAPE;
        }
        return 1;
    case FT_OP_RESHAPE:
        /* N×C×1×1 has the same memory order in both layouts. */
        return x->shape[1] == 1 && x->shape[2] == 1 ? 1 : 0;
    default:
        return 0;
    }
    set_nhwc_output(P, op->outputs[0]);
    return 1;
}

static int rewrite_op(pass *P, ft_nn_op *op)
{
    if (op->input_count < 1 || op->inputs[0] < 0 || op->output_count != 1)
        return 0;
    if (is_layout_op(P->g, op, P->nhwc[op->inputs[0]]))
        return rewrite_layout_op(P, op);
    if (is_elementwise_unary(op->type) || is_elementwise_binary(op->type))
        return rewrite_elementwise(P, op);
    return rewrite_axes(P, op);
}

static ft_status fail(pass *P, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (P->err && P->err_size)
        vsnprintf(P->err, P->err_size, fmt, ap);
    va_end(ap);
    return st;
}

ft_status ft_nn_graph_to_nhwc(ft_nn_graph *g, char *err, size_t err_size)
{
    pass P = {.g = g, .tensor_cap = g->tensor_count, .err = err, .err_size = err_size};
    const char *name = g->name && *g->name ? g->name : "(model)";
    P.nhwc = calloc((size_t)g->tensor_count + 1, 1);
    P.reordered = calloc((size_t)g->tensor_count + 1, 1);
    P.as_nchw = malloc(((size_t)g->tensor_count + 1) * sizeof(int));
    P.as_nhwc = malloc(((size_t)g->tensor_count + 1) * sizeof(int));
    ft_status st = FT_OK;
    if (!P.nhwc || !P.reordered || !P.as_nchw || !P.as_nhwc)
        st = FT_ERR_NOMEM;
    for (int t = 0; st == FT_OK && t < g->tensor_count; t++)
        P.as_nchw[t] = P.as_nhwc[t] = -1;
    for (int i = 0; st == FT_OK && i < g->op_count; i++) {
        ft_nn_op op = g->ops[i];
        int done = rewrite_op(&P, &op);
        if (done < 0) {
            st = FT_ERR_NOMEM;
            break;
        }
        if (!done) /* the op keeps its NCHW view of every input */
            for (int j = 0; j < op.input_count; j++)
                if (op.inputs[j] >= 0 && (op.inputs[j] = nchw_of(&P, op.inputs[j])) < 0)
                    st = FT_ERR_NOMEM;
        if (st == FT_OK && !emit(&P, &op))
            st = FT_ERR_NOMEM;
    }
    /* Graph outputs keep their index and NCHW shape: what was made NHWC
     * into them is made into a new tensor and transposed back. */
    for (int k = 0; st == FT_OK && k < g->output_count; k++) {
        int t = g->outputs[k];
        if (!P.nhwc[t])
            continue;
        int inner = new_tensor(&P, t, g->tensors[t].shape, "/nhwc");
        if (inner < 0) {
            st = FT_ERR_NOMEM;
            break;
        }
        for (int i = 0; i < P.op_count; i++) {
            for (int j = 0; j < P.ops[i].input_count; j++)
                if (P.ops[i].inputs[j] == t)
                    P.ops[i].inputs[j] = inner;
            for (int j = 0; j < P.ops[i].output_count; j++)
                if (P.ops[i].outputs[j] == t)
                    P.ops[i].outputs[j] = inner;
        }
        P.nhwc[inner] = 1;
        P.nhwc[t] = 0;
        int64_t s[4];
        permute_shape(g->tensors[t].shape, to_nchw_perm, s);
        memcpy(g->tensors[t].shape, s, sizeof s);
        ft_nn_op op = {.type = FT_OP_TRANSPOSE, .input_count = 1, .output_count = 1};
        op.inputs[0] = inner;
        op.outputs[0] = t;
        memcpy(op.attrs.perm, to_nchw_perm, sizeof to_nchw_perm);
        if (!emit(&P, &op))
            st = FT_ERR_NOMEM;
    }
    if (st == FT_OK) {
        free(g->ops); /* the attributes' allocations moved to P.ops */
        g->ops = P.ops;
        g->op_count = P.op_count;
    } else {
        free(P.ops);
        fail(&P, st, "%s: out of memory", name);
    }
    free(P.nhwc);
    free(P.reordered);
    free(P.as_nchw);
    free(P.as_nhwc);
    return st;
}
