/* Rewrites of a loaded graph into fewer, larger ops, for every backend:
 * exporters spell some activations as chains of element-wise ops that a
 * kernel library runs as one pass (PyTorch's hardswish in an ONNX file is
 * Add, Clip, Div and Mul: four passes over the activation instead of one). */
#ifndef FT_NN_GRAPH_FUSE_H
#define FT_NN_GRAPH_FUSE_H

#include "nn/graph.h"

/* x * clip(x + 3, 0, 6) / 6, in either order of the product and the
 * division (and a product by 1/6 for the division), becomes HardSwish(x)
 * where the chain's intermediate values are read by nothing else. Returns
 * the number of chains fused. */
int ft_nn_fuse_hard_swish(ft_nn_graph *graph);

#endif
