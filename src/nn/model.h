/* Loading a model of any supported format into the graph IR, and what can be
 * said about a loaded graph (parameters, FLOPs). */
#ifndef FT_NN_MODEL_H
#define FT_NN_MODEL_H

#include "nn/graph.h"
#include "nn/onnx.h"

typedef enum ft_nn_format { FT_NN_FORMAT_TFLITE = 0, FT_NN_FORMAT_ONNX, FT_NN_FORMAT_TFJS } ft_nn_format;

const char *ft_nn_format_name(ft_nn_format format);

/* SPEC: a file, or "bundle.task:member"; a TF.js model.json reads its
 * weight shards from its folder. The format is recognised from the
 * content. ONNX graphs come rewritten to NHWC inside (nn/layout_nhwc.h).
 * One line in ERR on failure. */
ft_status ft_nn_model_load(const char *spec, ft_nn_graph *graph, char *err, size_t err_size);

/* The same, with input shapes for ONNX models (ONNX may be NULL; see
 * nn/onnx.h) and the format it found in FORMAT (may be NULL). */
ft_status ft_nn_model_load_with(const char *spec, const ft_onnx_options *onnx, ft_nn_graph *graph,
                                ft_nn_format *format, char *err, size_t err_size);

/* Floating-point operations of one run of OP (multiply-add = 2); 0 for pure
 * data movement; -1 when a shape is unknown. */
int64_t ft_nn_op_flops(const ft_nn_graph *graph, const ft_nn_op *op);

#endif
