#include <stdio.h>
#include <string.h>

#include "nn/graph_fuse.h"
#include "nn/layout_nhwc.h"
#include "nn/model.h"
#include "nn/model_file.h"
#include "nn/onnx.h"
#include "nn/tflite.h"
#include "nn/tfjs.h"

const char *ft_nn_format_name(ft_nn_format format)
{
    return format == FT_NN_FORMAT_ONNX ? "onnx" : format == FT_NN_FORMAT_TFJS ? "tfjs" : "tflite";
}

ft_status ft_nn_model_load_with(const char *spec, const ft_onnx_options *onnx, ft_nn_graph *graph,
                                ft_nn_format *format, char *err, size_t err_size)
{
    ft_model_bytes bytes;
    int is_onnx = 0;
    memset(graph, 0, sizeof *graph);
    ft_status st = ft_model_bytes_read(spec, &bytes, err, err_size);
    if (st != FT_OK)
        return st;
    if (bytes.size >= 8 && memcmp(bytes.data + 4, "TFL3", 4) == 0) {
        if (format)
            *format = FT_NN_FORMAT_TFLITE;
        st = ft_tflite_load(bytes.data, bytes.size, spec, graph, err, err_size);
    } else if (ft_onnx_sniff(bytes.data, bytes.size)) {
        is_onnx = 1;
        if (format)
            *format = FT_NN_FORMAT_ONNX;
        st = ft_onnx_load_with(bytes.data, bytes.size, spec, onnx, graph, err, err_size);
        /* The fast kernels are NHWC; the model's inputs and outputs stay NCHW. */
        if (st == FT_OK && !(onnx && onnx->keep_nchw) && ft_nn_nchw_ops(graph) > 0 &&
            (st = ft_nn_graph_to_nhwc(graph, err, err_size)) != FT_OK)
            ft_nn_graph_free(graph);
    } else if (ft_tfjs_sniff(bytes.data, bytes.size)) {
        if (format)
            *format = FT_NN_FORMAT_TFJS;
        st = ft_tfjs_load_file(spec, NULL, graph, err, err_size);
    } else {
        snprintf(err, err_size, "%s: not a model format facetrack reads (expected TFLite, ONNX or a TF.js model.json)",
                 spec);
        st = FT_ERR_FORMAT;
    }
    /* A graph asked for as written (tests compare with it) stays so. */
    if (st == FT_OK && !(onnx && onnx->keep_nchw)) {
        ft_nn_fuse_hard_swish(graph);
        ft_nn_fold_depthwise_into_pointwise(graph);
        ft_nn_group_sibling_convolutions(graph);
        /* TFLite fuses its own; the op counts of its models stay as written */
        if (is_onnx) {
            ft_nn_fuse_activations(graph);
            ft_nn_fuse_prelu(graph);
        }
    }
    ft_model_bytes_free(&bytes);
    return st;
}

ft_status ft_nn_model_load(const char *spec, ft_nn_graph *graph, char *err, size_t err_size)
{
    return ft_nn_model_load_with(spec, NULL, graph, NULL, err, err_size);
}

int64_t ft_nn_op_flops(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *out = &g->tensors[op->outputs[0]];
    int64_t n = ft_nn_tensor_elements(out);
    if (n < 0)
        return -1;
    const ft_nn_tensor *w = op->input_count > 1 && op->inputs[1] >= 0 ? &g->tensors[op->inputs[1]]
                                                                       : NULL;
    switch (op->type) {
    case FT_OP_CONV2D:
        /* OHWI (NHWC) or OIHW (NCHW): every output element is a dot product
         * over one filter of H*W*I/groups weights. */
        return w && w->rank == 4 ? 2 * n * (ft_nn_tensor_elements(w) / w->shape[0]) : -1;
    case FT_OP_DEPTHWISE_CONV2D:
        return w && w->rank == 4 ? 2 * n * (op->attrs.layout == FT_LAYOUT_NHWC
                                                ? w->shape[1] * w->shape[2]
                                                : w->shape[2] * w->shape[3])
                                 : -1;
    case FT_OP_FULLY_CONNECTED:
        return w && w->rank == 2 ? 2 * n * w->shape[1] : -1;
    case FT_OP_MATMUL: {
        /* every output element is a dot product over K = a's last axis */
        const ft_nn_tensor *a = &g->tensors[op->inputs[0]];
        return a->rank >= 1 ? 2 * n * a->shape[a->rank - 1] : -1;
    }

    case FT_OP_MAX_POOL2D:
    case FT_OP_AVERAGE_POOL2D:
        return n * op->attrs.kernel[0] * op->attrs.kernel[1];
    case FT_OP_RESHAPE:
    case FT_OP_TRANSPOSE:
    case FT_OP_CONCAT:
    case FT_OP_SLICE:
    case FT_OP_PAD:
    case FT_OP_DEPTH_TO_SPACE:
    case FT_OP_GATHER:
    case FT_OP_CAST:
        return 0;
    case FT_OP_REDUCE_MEAN:
    case FT_OP_REDUCE_SUM:
    case FT_OP_REDUCE_MAX: {
        int64_t in = ft_nn_tensor_elements(&g->tensors[op->inputs[0]]);
        return in;
    }
    default:
        return n; /* element-wise: one operation per output element */
    }
}
