#include <math.h>
#include <stdlib.h>

#include "nn/graph.h"

static const char *const dtype_names[FT_DTYPE_COUNT] = {"float32", "float16", "int32", "int64",
                                                        "uint8",   "int8",    "bool"};
static const size_t dtype_sizes[FT_DTYPE_COUNT] = {4, 2, 4, 8, 1, 1, 1};

const char *ft_dtype_name(ft_dtype dtype)
{
    return (unsigned)dtype < FT_DTYPE_COUNT ? dtype_names[dtype] : "unknown";
}

size_t ft_dtype_size(ft_dtype dtype)
{
    return (unsigned)dtype < FT_DTYPE_COUNT ? dtype_sizes[dtype] : 0;
}

static const char *const op_names[FT_OP_COUNT] = {
    [FT_OP_CONV2D] = "Conv2D",
    [FT_OP_DEPTHWISE_CONV2D] = "DepthwiseConv2D",
    [FT_OP_FULLY_CONNECTED] = "FullyConnected",
    [FT_OP_MATMUL] = "MatMul",
    [FT_OP_MAX_POOL2D] = "MaxPool2D",
    [FT_OP_AVERAGE_POOL2D] = "AveragePool2D",
    [FT_OP_ADD] = "Add",
    [FT_OP_SUB] = "Sub",
    [FT_OP_MUL] = "Mul",
    [FT_OP_DIV] = "Div",
    [FT_OP_MAXIMUM] = "Maximum",
    [FT_OP_MINIMUM] = "Minimum",
    [FT_OP_SQUARED_DIFFERENCE] = "SquaredDifference",
    [FT_OP_POW] = "Pow",
    [FT_OP_PRELU] = "PRelu",
    [FT_OP_RELU] = "Relu",
    [FT_OP_RELU6] = "Relu6",
    [FT_OP_RELU_N1_TO_1] = "ReluN1To1",
    [FT_OP_CLIP] = "Clip",
    [FT_OP_LEAKY_RELU] = "LeakyRelu",
    [FT_OP_SIGMOID] = "Sigmoid",
    [FT_OP_TANH] = "Tanh",
    [FT_OP_HARD_SWISH] = "HardSwish",
    [FT_OP_HARD_SIGMOID] = "HardSigmoid",
    [FT_OP_EXP] = "Exp",
    [FT_OP_LOG] = "Log",
    [FT_OP_SQRT] = "Sqrt",
    [FT_OP_RSQRT] = "Rsqrt",
    [FT_OP_NEG] = "Neg",
    [FT_OP_ABS] = "Abs",
    [FT_OP_SOFTMAX] = "Softmax",
    [FT_OP_RESHAPE] = "Reshape",
    [FT_OP_TRANSPOSE] = "Transpose",
    [FT_OP_CONCAT] = "Concat",
    [FT_OP_SLICE] = "Slice",
    [FT_OP_PAD] = "Pad",
    [FT_OP_RESIZE] = "Resize",
    [FT_OP_DEPTH_TO_SPACE] = "DepthToSpace",
    [FT_OP_GATHER] = "Gather",
    [FT_OP_CAST] = "Cast",
    [FT_OP_REDUCE_MEAN] = "ReduceMean",
    [FT_OP_REDUCE_SUM] = "ReduceSum",
    [FT_OP_REDUCE_MAX] = "ReduceMax",
    [FT_OP_CUSTOM] = "Custom",
};

int ft_activation_clamp(ft_activation act, float *lo, float *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    switch (act) {
    case FT_ACT_NONE: return 1;
    case FT_ACT_RELU: *lo = 0; return 1;
    case FT_ACT_RELU6: *lo = 0; *hi = 6; return 1;
    case FT_ACT_RELU_N1_TO_1: *lo = -1; *hi = 1; return 1;
    default: return 0;
    }
}

const char *ft_op_name(ft_op_type type)
{
    return (unsigned)type < FT_OP_COUNT && op_names[type] ? op_names[type] : "unknown";
}

void ft_nn_graph_free(ft_nn_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->tensor_count; i++) {
        free(g->tensors[i].name);
        free(g->tensors[i].data);
    }
    for (int i = 0; i < g->op_count; i++) {
        free(g->ops[i].attrs.custom_name);
        free(g->ops[i].attrs.custom_options);
    }
    free(g->tensors);
    free(g->ops);
    free(g->name);
    *g = (ft_nn_graph){0};
}

int64_t ft_nn_tensor_elements(const ft_nn_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->shape[i] < 0)
            return -1;
        n *= t->shape[i];
    }
    return n;
}

int64_t ft_nn_graph_parameters(const ft_nn_graph *g)
{
    int64_t n = 0;
    for (int i = 0; i < g->tensor_count; i++)
        if (g->tensors[i].data && g->tensors[i].dtype == FT_DTYPE_F32)
            n += ft_nn_tensor_elements(&g->tensors[i]);
    return n;
}
