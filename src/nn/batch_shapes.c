#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/batch_shapes.h"

static const ft_nn_tensor *tensor_at(const ft_nn_graph *g, const ft_nn_op *op, int i)
{
    return i < op->input_count && op->inputs[i] >= 0 ? &g->tensors[op->inputs[i]] : NULL;
}

static int is_activation(const ft_nn_tensor *t)
{
    return t && !t->data;
}

/* A slice that keeps all of axis 0 (it then keeps every item). */
static int slice_keeps_axis0(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = tensor_at(g, op, 0);
    return a->begin[0] == 0 && a->step[0] == 1 && a->end[0] >= x->shape[0];
}

/* Why OP would mix items (NULL: it keeps each item in its own block). */
static const char *mixes_items(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = tensor_at(g, op, 0), *y = &g->tensors[op->outputs[0]];
    switch (op->type) {
    case FT_OP_CONCAT:
        return a->axis == 0 ? "concatenates along axis 0" : NULL;
    case FT_OP_GATHER:
        if (a->axis == 0)
            return "gathers along axis 0";
        return is_activation(tensor_at(g, op, 1)) ? "gathers by computed indices" : NULL;
    case FT_OP_SOFTMAX:
        return a->axis == 0 ? "normalises along axis 0" : NULL;
    case FT_OP_REDUCE_MEAN:
    case FT_OP_REDUCE_SUM:
    case FT_OP_REDUCE_MAX:
        for (int i = 0; i < a->axis_count; i++)
            if (a->axes[i] == 0)
                return "reduces over axis 0";
        return NULL;
    case FT_OP_TRANSPOSE:
        return a->perm[0] != 0 ? "moves axis 0" : NULL;
    case FT_OP_SLICE:
        return slice_keeps_axis0(g, op) ? NULL : "slices axis 0";
    case FT_OP_PAD:
        return a->pad_before[0] || a->pad_after[0] ? "pads axis 0" : NULL;
    case FT_OP_CONV2D:
    case FT_OP_DEPTHWISE_CONV2D:
    case FT_OP_FULLY_CONNECTED:
        return is_activation(tensor_at(g, op, 1)) || is_activation(tensor_at(g, op, 2))
                   ? "takes computed weights"
                   : NULL;
    case FT_OP_MATMUL: {
        const ft_nn_tensor *b = tensor_at(g, op, 1);
        if (is_activation(b) && (b->rank < 3 || b->rank != y->rank || x->rank != y->rank))
            return "multiplies by a computed matrix without a batch axis";
        return NULL;
    }
    case FT_OP_ADD:
    case FT_OP_SUB:
    case FT_OP_MUL:
    case FT_OP_DIV:
    case FT_OP_MAXIMUM:
    case FT_OP_MINIMUM:
    case FT_OP_SQUARED_DIFFERENCE:
    case FT_OP_POW:
    case FT_OP_PRELU:
        /* Broadcasting aligns trailing axes: a computed operand of lower
         * rank would meet the batch axis of the other at some inner axis. */
        for (int i = 0; i < op->input_count; i++) {
            const ft_nn_tensor *t = tensor_at(g, op, i);
            if (is_activation(t) && t->rank != y->rank)
                return "broadcasts a computed operand of lower rank";
        }
        return NULL;
    default:
        return NULL;
    }
}

ft_status ft_nn_batch_check(const ft_nn_graph *g, char *why, size_t why_size)
{
    const char *name = g->name && *g->name ? g->name : "(model)";
    for (int i = 0; i < g->input_count; i++) {
        const ft_nn_tensor *t = &g->tensors[g->inputs[i]];
        if (t->rank < 1 || t->shape[0] != 1) {
            snprintf(why, why_size, "%s: input '%s' has no leading axis of 1 to batch", name,
                     t->name);
            return FT_ERR_UNSUPPORTED;
        }
    }
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        const char *reason = mixes_items(g, op);
        for (int j = 0; j < op->output_count && !reason; j++)
            if (g->tensors[op->outputs[j]].rank < 1)
                reason = "makes a scalar, which has no axis to batch";
        if (reason) {
            snprintf(why, why_size, "%s: op %d (%s, output '%s') %s, so its items would mix",
                     name, i, ft_nn_op_label(op), g->tensors[op->outputs[0]].name, reason);
            return FT_ERR_UNSUPPORTED;
        }
    }
    return FT_OK;
}

/* Constant T repeated BATCH times along axis 0, as tensor and data. */
static ft_status tile_constant(const ft_nn_graph *g, int t, int batch, ft_nn_tensor *tensors,
                               void **tiled)
{
    if (tiled[t])
        return FT_OK; /* joined by an earlier concatenation too */
    const ft_nn_tensor *c = &g->tensors[t];
    const size_t bytes = (size_t)ft_nn_tensor_elements(c) * ft_dtype_size(c->dtype);
    char *copy = malloc(bytes * (size_t)batch);
    if (!copy)
        return FT_ERR_NOMEM;
    for (int b = 0; b < batch; b++)
        memcpy(copy + (size_t)b * bytes, c->data, bytes);
    tiled[t] = copy;
    tensors[t].data = copy;
    tensors[t].nbytes = bytes * (size_t)batch;
    tensors[t].shape[0] *= batch;
    return FT_OK;
}

ft_status ft_nn_batch_shapes(const ft_nn_graph *g, int batch, ft_nn_tensor *tensors,
                             ft_nn_op *ops, void **tiled, ft_nn_graph *shadow)
{
    *shadow = *g;
    memcpy(tensors, g->tensors, sizeof *tensors * (size_t)g->tensor_count);
    memcpy(ops, g->ops, sizeof *ops * (size_t)g->op_count);
    for (int t = 0; t < g->tensor_count; t++)
        if (!tensors[t].data && tensors[t].rank > 0)
            tensors[t].shape[0] *= batch;
    for (int i = 0; i < g->op_count; i++) {
        ft_nn_op *op = &ops[i];
        if (op->type == FT_OP_SLICE) /* kept whole by ft_nn_batch_check */
            op->attrs.end[0] = tensors[op->inputs[0]].shape[0];
        if (op->type != FT_OP_CONCAT)
            continue;
        /* Every item gets the constant's block (the check refused axis 0). */
        for (int j = 0; j < op->input_count; j++) {
            const int t = op->inputs[j];
            if (t >= 0 && g->tensors[t].data && g->tensors[t].rank > 0 &&
                tile_constant(g, t, batch, tensors, tiled) != FT_OK)
                return FT_ERR_NOMEM;
        }
    }
    shadow->tensors = tensors;
    shadow->ops = ops;
    return FT_OK;
}
