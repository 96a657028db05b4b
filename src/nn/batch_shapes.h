/* Running a graph made for one item on N items at once, by its leading
 * axis. The invariant that makes it sound: item i of N occupies the i-th
 * contiguous block of every activation, the block being the activation's
 * whole batch-1 contents. Graph inputs are [1, ...] and become [N, ...];
 * every other activation's leading axis is multiplied by N (a [52]
 * output of a flattening reshape becomes [N*52], a TFLite fully connected
 * layer's [146, 64] rows become [N*146, 64]). An op keeps the invariant
 * when it treats the leading axis as independent rows; the ops that mix
 * items along it are refused. */
#ifndef FT_NN_BATCH_SHAPES_H
#define FT_NN_BATCH_SHAPES_H

#include <stddef.h>

#include "nn/graph.h"

/* FT_OK when GRAPH may run batched; otherwise FT_ERR_UNSUPPORTED with one
 * line in WHY naming the op (or input) that mixes items. */
ft_status ft_nn_batch_check(const ft_nn_graph *graph, char *why, size_t why_size);

/* The batch-BATCH view of GRAPH in SHADOW: TENSORS and OPS (graph's
 * tensor_count and op_count entries) receive shallow copies whose names,
 * constant data and custom options stay GRAPH's; activation shapes and
 * axis-0 slice ends are scaled. A constant that a concatenation joins to
 * the items (MLP-Mixer's extra token) is repeated BATCH times along axis
 * 0: TILED[t] (all NULL on entry) then holds that copy, the caller's to
 * free. GRAPH must have passed ft_nn_batch_check. FT_ERR_NOMEM or FT_OK. */
ft_status ft_nn_batch_shapes(const ft_nn_graph *graph, int batch, ft_nn_tensor *tensors,
                             ft_nn_op *ops, void **tiled, ft_nn_graph *shadow);

#endif
