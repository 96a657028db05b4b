/* Rewrites a graph of NCHW ops (ONNX) to NHWC, the layout the fast CPU
 * kernels take: 4-D activations between layout-aware ops are stored NHWC,
 * filters are reordered once, axes of channel-aware ops are remapped, and
 * transposes are inserted only where an op depends on memory order
 * (reshape, flatten, matmul…). Graph inputs and outputs keep their NCHW
 * shapes, so callers see the same model. */
#ifndef FT_NN_LAYOUT_NHWC_H
#define FT_NN_LAYOUT_NHWC_H

#include "nn/graph.h"

/* Number of NCHW convolution, pooling and resize ops the rewrite moves. */
int ft_nn_nchw_ops(const ft_nn_graph *graph);

/* In place; on failure the graph is unusable and must be freed. */
ft_status ft_nn_graph_to_nhwc(ft_nn_graph *graph, char *err, size_t err_size);

#endif
