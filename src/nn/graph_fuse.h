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

/* A Relu, Relu6 or Clip to [0, 6] or [0, inf) that alone reads a
 * convolution's output becomes that convolution's fused activation (ONNX
 * writes them as two nodes; TFLite fuses them itself), so that a kernel of
 * ours run between XNNPACK's runtimes clamps as it writes, as XNNPACK's own
 * convolutions do. Returns the number fused. */
int ft_nn_fuse_activations(ft_nn_graph *graph);

/* A depthwise convolution with a depth multiplier M and no activation whose
 * output only a 1x1 convolution reads (NHWC, stride 1, no padding) is one
 * linear map: the pair becomes a single convolution of the depthwise's
 * window from its C input channels straight to the 1x1's O outputs, with
 * weights W[o][ky][kx][c] = sum_m P[o][c*M+m] * D[ky][kx][c*M+m] (over the
 * channels of o's group when the 1x1 is grouped) and the depthwise bias
 * carried through P. Done only where it costs fewer
 * multiply-adds (O*C*KH*KW against C*M*KH*KW + O*C*M): OpenSeeFace's
 * detector ends in a multiplier-4 depthwise into 2 channels, which XNNPACK
 * runs as 64 tiny grouped products (a quarter of the model's time). Returns
 * the number of pairs folded. */
int ft_nn_fold_depthwise_into_pointwise(ft_nn_graph *graph);

/* relu(x) + c * relu(-x) with a constant c per channel (tf2onnx's PRelu:
 * Relu, Neg, Relu, Mul and Add, four passes over the activation more than
 * one) becomes PRelu(x) with slope -c, the same values. Returns the number
 * fused. */
int ft_nn_fuse_prelu(ft_nn_graph *graph);

/* Convolutions that read one value through the same window (NHWC, one
 * group, the same attributes) are moved next to the first of them, where
 * their inputs are ready there: a backend may then run them as one
 * convolution over their outputs side by side (nn/xnn_siblings.h). The
 * detectors' heads read a feature map three or four times, each head's
 * convolution followed by its own ops. Returns the number of ops moved. */
int ft_nn_group_sibling_convolutions(ft_nn_graph *graph);

#endif
