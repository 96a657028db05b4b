#include "nn/graph_builder.h"

#include <stdlib.h>
#include <string.h>

void ft_graph_builder_init(ft_graph_builder *b, ft_nn_graph *graph, const char *name)
{
    memset(graph, 0, sizeof *graph);
    memset(b, 0, sizeof *b);
    b->graph = graph;
    if (!(graph->name = strdup(name)))
        b->status = FT_ERR_NOMEM;
}

static int grow(void **items, int *cap, int count, size_t size)
{
    if (count < *cap)
        return 1;
    const int n = *cap ? 2 * *cap : 64;
    void *p = realloc(*items, (size_t)n * size);
    if (!p)
        return 0;
    *items = p;
    *cap = n;
    return 1;
}

static int add_tensor(ft_graph_builder *b, const char *name, ft_dtype dtype, int rank,
                      const int64_t *shape, void *data)
{
    ft_nn_graph *g = b->graph;
    if (b->status != FT_OK || rank > FT_NN_MAX_RANK ||
        !grow((void **)&g->tensors, &b->tensor_cap, g->tensor_count, sizeof *g->tensors)) {
        b->status = b->status != FT_OK ? b->status : rank > FT_NN_MAX_RANK ? FT_ERR_INTERNAL
                                                                            : FT_ERR_NOMEM;
        free(data);
        return -1;
    }
    ft_nn_tensor *t = &g->tensors[g->tensor_count];
    memset(t, 0, sizeof *t);
    if (!(t->name = strdup(name))) {
        b->status = FT_ERR_NOMEM;
        free(data);
        return -1;
    }
    t->dtype = dtype;
    t->rank = rank;
    memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
    if (data) {
        t->data = data;
        t->nbytes = (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(dtype);
    }
    return g->tensor_count++;
}

int ft_graph_activation(ft_graph_builder *b, const char *name, int rank, const int64_t *shape)
{
    return add_tensor(b, name, FT_DTYPE_F32, rank, shape, NULL);
}

int ft_graph_constant(ft_graph_builder *b, const char *name, ft_dtype dtype, int rank,
                      const int64_t *shape, void *data)
{
    if (!data && b->status == FT_OK)
        b->status = FT_ERR_NOMEM;
    return add_tensor(b, name, dtype, rank, shape, data);
}

ft_nn_op *ft_graph_op(ft_graph_builder *b, ft_op_type type, const int *inputs, int input_count,
                      int output)
{
    ft_nn_graph *g = b->graph;
    int valid = output >= 0 && output < g->tensor_count && input_count <= FT_NN_MAX_IO;
    for (int i = 0; valid && i < input_count; i++)
        valid = inputs[i] >= -1 && inputs[i] < g->tensor_count;
    if (b->status == FT_OK && !valid)
        b->status = FT_ERR_INTERNAL;
    if (b->status != FT_OK)
        return NULL;
    if (!grow((void **)&g->ops, &b->op_cap, g->op_count, sizeof *g->ops)) {
        b->status = FT_ERR_NOMEM;
        return NULL;
    }
    ft_nn_op *op = &g->ops[g->op_count++];
    memset(op, 0, sizeof *op);
    op->type = type;
    memcpy(op->inputs, inputs, (size_t)input_count * sizeof *inputs);
    op->input_count = input_count;
    op->outputs[0] = output;
    op->output_count = 1;
    op->attrs.layout = FT_LAYOUT_NHWC;
    op->attrs.stride[0] = op->attrs.stride[1] = 1;
    op->attrs.dilation[0] = op->attrs.dilation[1] = 1;
    return op;
}
