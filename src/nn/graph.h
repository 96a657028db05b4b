/* The graph IR: what every model loader (TFLite, ONNX) produces and every
 * backend (reference, fast CPU, CUDA) compiles. A graph is immutable once
 * loaded and may be shared by any number of threads.
 *
 * Layout is the source format's: TFLite ops are NHWC with OHWI filters
 * (depthwise 1HW(C*M)), ONNX ops are NCHW with OIHW filters; each op that
 * cares says which in attrs.layout. Constant float16 weights are converted
 * to float32 at load, so backends see float32, int32, int64 and bool only. */
#ifndef FT_NN_GRAPH_H
#define FT_NN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

#define FT_NN_MAX_RANK 6
#define FT_NN_MAX_IO 16

typedef enum ft_dtype {
    FT_DTYPE_F32 = 0,
    FT_DTYPE_F16,
    FT_DTYPE_I32,
    FT_DTYPE_I64,
    FT_DTYPE_U8,
    FT_DTYPE_I8,
    FT_DTYPE_BOOL,
    FT_DTYPE_COUNT
} ft_dtype;

const char *ft_dtype_name(ft_dtype dtype);
size_t ft_dtype_size(ft_dtype dtype);

typedef struct ft_nn_tensor {
    char *name;
    ft_dtype dtype;
    int rank;
    int64_t shape[FT_NN_MAX_RANK]; /* -1: not known until run time */
    void *data;                    /* constant contents, NULL for activations */
    size_t nbytes;                 /* of data */
} ft_nn_tensor;

typedef enum ft_op_type {
    /* convolution and dense */
    FT_OP_CONV2D,            /* in: x, filter, [bias] */
    FT_OP_DEPTHWISE_CONV2D,  /* in: x, filter, [bias] */
    FT_OP_FULLY_CONNECTED,   /* in: x, weights [out, in], [bias] */
    FT_OP_MATMUL,            /* in: a, b (batched, broadcast) */
    /* pooling */
    FT_OP_MAX_POOL2D,
    FT_OP_AVERAGE_POOL2D,
    /* element-wise binary, numpy broadcasting */
    FT_OP_ADD,
    FT_OP_SUB,
    FT_OP_MUL,
    FT_OP_DIV,
    FT_OP_MAXIMUM,
    FT_OP_MINIMUM,
    FT_OP_SQUARED_DIFFERENCE,
    FT_OP_POW,
    FT_OP_PRELU,             /* in: x, slope (broadcast) */
    /* element-wise unary */
    FT_OP_RELU,
    FT_OP_RELU6,
    FT_OP_RELU_N1_TO_1,
    FT_OP_CLIP,              /* attrs.min, attrs.max */
    FT_OP_LEAKY_RELU,        /* attrs.alpha */
    FT_OP_SIGMOID,
    FT_OP_TANH,
    FT_OP_HARD_SWISH,
    FT_OP_HARD_SIGMOID,      /* attrs.alpha, attrs.beta */
    FT_OP_EXP,
    FT_OP_LOG,
    FT_OP_SQRT,
    FT_OP_RSQRT,
    FT_OP_NEG,
    FT_OP_ABS,
    FT_OP_SOFTMAX,           /* attrs.axis, attrs.beta */
    /* shape and data movement */
    FT_OP_RESHAPE,           /* out shape is the output tensor's */
    FT_OP_TRANSPOSE,         /* attrs.perm */
    FT_OP_CONCAT,            /* attrs.axis */
    FT_OP_SLICE,             /* attrs.begin/end/stride per axis */
    FT_OP_PAD,               /* attrs.pads (before..., after...), constant attrs.value */
    FT_OP_RESIZE,            /* attrs.resize_mode, coordinate flags */
    FT_OP_DEPTH_TO_SPACE,    /* attrs.block */
    FT_OP_GATHER,            /* in: x, indices; attrs.axis */
    FT_OP_CAST,              /* to the output tensor's dtype */
    /* reductions over attrs.axes */
    FT_OP_REDUCE_MEAN,
    FT_OP_REDUCE_SUM,
    FT_OP_REDUCE_MAX,
    /* anything a format defines outside its builtins */
    FT_OP_CUSTOM,            /* attrs.custom_name, attrs.custom_options */
    FT_OP_COUNT
} ft_op_type;

const char *ft_op_name(ft_op_type type);

typedef enum ft_activation {
    FT_ACT_NONE = 0,
    FT_ACT_RELU,
    FT_ACT_RELU6,
    FT_ACT_RELU_N1_TO_1,
    FT_ACT_TANH,
    FT_ACT_SIGMOID
} ft_activation;

/* The output range that stands for fused activation ACT (-inf..inf for
 * none); 0 when ACT is not a clamp (tanh, sigmoid). */
int ft_activation_clamp(ft_activation act, float *lo, float *hi);

typedef enum ft_layout { FT_LAYOUT_NHWC = 0, FT_LAYOUT_NCHW } ft_layout;

typedef enum ft_resize_mode { FT_RESIZE_NEAREST = 0, FT_RESIZE_BILINEAR } ft_resize_mode;

/* ONNX Resize (NCHW ops): how an output coordinate maps back to the input,
 * and how nearest rounds it; NHWC ops use align_corners/half_pixel_centers. */
typedef enum ft_resize_coord {
    FT_COORD_HALF_PIXEL = 0,     /* (x + 0.5) / scale - 0.5 */
    FT_COORD_PYTORCH_HALF_PIXEL, /* half_pixel, but 0 when the output is 1 long */
    FT_COORD_ASYMMETRIC,         /* x / scale */
    FT_COORD_ALIGN_CORNERS       /* x * (in - 1) / (out - 1) */
} ft_resize_coord;

typedef enum ft_resize_round {
    FT_ROUND_PREFER_FLOOR = 0, /* halves go down */
    FT_ROUND_PREFER_CEIL,      /* halves go up */
    FT_ROUND_FLOOR,
    FT_ROUND_CEIL
} ft_resize_round;

typedef struct ft_op_attrs {
    ft_layout layout;
    ft_activation activation;      /* fused after the op */
    int stride[2], dilation[2];    /* h, w */
    int kernel[2];                 /* pooling window h, w */
    int pads[4];                   /* explicit top, left, bottom, right */
    int same_padding;              /* TFLite SAME: pads computed from shapes */
    int depth_multiplier, groups;
    int axis;
    int axes[FT_NN_MAX_RANK], axis_count; /* reductions */
    int keep_dims;
    int perm[FT_NN_MAX_RANK];
    int64_t begin[FT_NN_MAX_RANK], end[FT_NN_MAX_RANK], step[FT_NN_MAX_RANK];
    int64_t pad_before[FT_NN_MAX_RANK], pad_after[FT_NN_MAX_RANK];
    float value, min, max, alpha, beta;
    ft_resize_mode resize_mode;
    int align_corners, half_pixel_centers;
    ft_resize_coord coord;
    ft_resize_round nearest_round;
    int block;
    char *custom_name;
    uint8_t *custom_options;
    size_t custom_options_size;
} ft_op_attrs;

typedef struct ft_nn_op {
    ft_op_type type;
    int inputs[FT_NN_MAX_IO]; /* tensor indices; -1 for an absent optional */
    int input_count;
    int outputs[FT_NN_MAX_IO];
    int output_count;
    ft_op_attrs attrs;
} ft_nn_op;

/* Ops are in an order that runs (every input is made before it is used). */
typedef struct ft_nn_graph {
    char *name;
    ft_nn_tensor *tensors;
    int tensor_count;
    ft_nn_op *ops;
    int op_count;
    int inputs[FT_NN_MAX_IO], input_count;
    int outputs[FT_NN_MAX_IO], output_count;
} ft_nn_graph;

void ft_nn_graph_free(ft_nn_graph *graph);

/* Elements of a tensor whose shape is fully known; -1 otherwise. */
int64_t ft_nn_tensor_elements(const ft_nn_tensor *tensor);

/* Parameters: elements of all float constants. */
int64_t ft_nn_graph_parameters(const ft_nn_graph *graph);

#endif
