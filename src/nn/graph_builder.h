/* Building a graph op by op, for models whose architecture is code and
 * whose file holds only weights (a PyTorch state dict). Failures are
 * sticky: once an allocation fails every call returns -1 and the status
 * says why, so a builder checks once at the end. */
#ifndef FT_NN_GRAPH_BUILDER_H
#define FT_NN_GRAPH_BUILDER_H

#include "nn/graph.h"

typedef struct ft_graph_builder {
    ft_nn_graph *graph;
    int tensor_cap, op_cap;
    ft_status status;
} ft_graph_builder;

/* Starts GRAPH (zeroed) called NAME. */
void ft_graph_builder_init(ft_graph_builder *b, ft_nn_graph *graph, const char *name);

/* A float32 activation of the given shape; its index, or -1. */
int ft_graph_activation(ft_graph_builder *b, const char *name, int rank, const int64_t *shape);

/* A constant owning DATA (malloc'd; freed here on failure); its index, or -1. */
int ft_graph_constant(ft_graph_builder *b, const char *name, ft_dtype dtype, int rank,
                      const int64_t *shape, void *data);

/* An op reading INPUTS (-1 for an absent optional) and writing OUTPUT;
 * its attributes zeroed but for layout NHWC and dilation/stride 1. NULL
 * on failure. The pointer is valid until the next op is added. */
ft_nn_op *ft_graph_op(ft_graph_builder *b, ft_op_type type, const int *inputs, int input_count,
                      int output);

#endif
