/* The ONNX model loader.
 *
 * Every tensor of the graph it builds has a concrete shape: the loader runs
 * shape inference over the whole model, folding what only depends on
 * constants (initializers, Constant nodes, Shape of static tensors) into
 * constant tensors or op attributes. A graph input may declare symbolic
 * dimensions; the caller fixes them with ft_onnx_options. Without an option
 * for an input, a symbolic batch (first) dimension becomes 1 and any other
 * symbolic dimension is an error that names the input and asks for a shape. */
#ifndef FT_NN_ONNX_H
#define FT_NN_ONNX_H

#include "nn/graph.h"

/* The shape one graph input is given (replaces the declared one; the rank
 * must match). */
typedef struct ft_onnx_input_shape {
    const char *name;
    int rank;
    int64_t shape[FT_NN_MAX_RANK];
} ft_onnx_input_shape;

typedef struct ft_onnx_options {
    const ft_onnx_input_shape *inputs;
    int input_count;
    int keep_nchw; /* ft_nn_model_load_with: skip the NHWC rewrite (tests) */
} ft_onnx_options;

/* Builds GRAPH from the ONNX ModelProto DATA (SIZE bytes; the caller keeps
 * it, the graph copies what it needs). NAME names the model in errors: one
 * line in ERR on failure. OPTIONS may be NULL. */
ft_status ft_onnx_load_with(const uint8_t *data, size_t size, const char *name,
                            const ft_onnx_options *options, ft_nn_graph *graph, char *err,
                            size_t err_size);

static inline ft_status ft_onnx_load(const uint8_t *data, size_t size, const char *name,
                                     ft_nn_graph *graph, char *err, size_t err_size)
{
    return ft_onnx_load_with(data, size, name, NULL, graph, err, err_size);
}

#define FT_ONNX_NODE_NAME_SIZE 64

/* The names of the first nodes of the ONNX model in DATA (at most MAX,
 * each cut to FT_ONNX_NODE_NAME_SIZE - 1 characters; "" for a node without
 * one), for callers that recognise an export by them (InsightFace chooses
 * an input normalisation so). How many, or -1 when DATA does not parse. */
int ft_onnx_node_names(const uint8_t *data, size_t size, char (*names)[FT_ONNX_NODE_NAME_SIZE],
                       int max);

/* Whether DATA plausibly is an ONNX ModelProto: it starts with a field
 * ModelProto has (ir_version, opset_import, producer, graph...). Cheap; the
 * loader decides for sure. */
int ft_onnx_sniff(const uint8_t *data, size_t size);

#endif
