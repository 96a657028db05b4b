/* The TensorFlow.js graph-model loader: a model.json (a TensorFlow GraphDef
 * written as JSON, with a weightsManifest) and the weight shards it names.
 *
 * Only what the requested outputs need is built; nodes are visited from the
 * outputs back to the placeholders, so ops that feed nothing asked for (a
 * model's own post-processing) may be anything. Constant-only integer
 * subgraphs (shape arithmetic an exporter left behind) are evaluated at load.
 * TF's fused ops (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul with
 * BiasAdd, Relu, Relu6, LeakyRelu, Sigmoid, Tanh or a folded batch norm)
 * become one IR op with a fused activation where the IR has one. Weights
 * stored as float16 or affine-quantised uint8/uint16 become float32. */
#ifndef FT_NN_TFJS_H
#define FT_NN_TFJS_H

#include "nn/graph.h"
#include "nn/model_file.h"

/* Reads the weight shard PATH (as written in the manifest) into OUT; one
 * line in ERR naming the shard on failure. */
typedef ft_status (*ft_tfjs_shard_reader)(void *ctx, const char *path, ft_model_bytes *out,
                                          char *err, size_t err_size);

typedef struct ft_tfjs_options {
    /* Node names to make the graph's outputs (":0" may follow). NULL: the
     * signature's outputs, less those needing an op facetrack lacks (at
     * least one must remain); without a signature, the nodes nothing reads. */
    const char *const *outputs;
    int output_count;
} ft_tfjs_options;

/* Builds GRAPH from model.json bytes JSON (SIZE; the caller keeps them).
 * NAME names the model in errors; READER fetches the shards. OPTIONS may
 * be NULL. One line in ERR on failure. */
ft_status ft_tfjs_load(const uint8_t *json, size_t size, const char *name,
                       ft_tfjs_shard_reader reader, void *reader_ctx,
                       const ft_tfjs_options *options, ft_nn_graph *graph, char *err,
                       size_t err_size);

/* The same from a model.json file, its shards read from its folder. */
ft_status ft_tfjs_load_file(const char *path, const ft_tfjs_options *options, ft_nn_graph *graph,
                            char *err, size_t err_size);

/* Whether DATA plausibly is a TF.js model.json: a JSON object naming
 * "modelTopology". Cheap; the loader decides for sure. */
int ft_tfjs_sniff(const uint8_t *data, size_t size);

#endif
