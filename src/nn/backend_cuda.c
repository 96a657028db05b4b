/* The cuda row: the ops of its table run as kernels on one CUDA device
 * (nn/cuda_kernels.cu; fully connected layers and 1x1 convolutions as
 * cuBLAS products), in graph order on one stream per plan. Ops outside the
 * table run on the reference kernels on the host, and the activations they
 * read or write cross over by copies decided when the plan is made, so
 * every model runs. Weights are on each device once per process, shared by
 * every plan (nn/cuda_memory.h); activations live in one arena per plan
 * (that is, per batch size), placed so that tensors whose lives do not
 * overlap share memory; a run allocates nothing. A plan whose ops all run
 * on the device is captured once as a CUDA graph and replayed, since at
 * small batches launch overhead would dominate. Storage is fp32, or fp16
 * when the plan's target asks; arithmetic is fp32 either way. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "base/clock.h"
#include "facetrack.h"
#include "nn/arena_plan.h"
#include "nn/backend.h"
#include "nn/cuda_kernels.h"
#include "nn/cuda_memory.h"
#include "nn/half.h"

/* How an op on the device runs. */
typedef enum device_kind {
    ON_HOST = 0,
    CONV_DIRECT,
    CONV_GEMM, /* 1x1, stride 1, no padding: a product over pixels */
    CONV_IM2COL, /* the windows laid out as rows, then one product (tensor cores in fp16) */
    CONV_PIXEL,  /* a small filter in shared memory, several output channels per thread */
    DEPTHWISE,
    FULLY_CONNECTED,
    POOL,
    BINARY,
    UNARY,
    PAD,
    CONCAT,
    COPY,  /* reshape */
    STRIDED, /* transpose, slice: a copy reading through strides */
    REDUCE,
    RESIZE,
    CONV_BLOCK, /* a 1x1 one with the depthwise before it and the addition after it */
    FUSED,      /* an op that another op's kernel does (a PRelu, a block's depthwise or addition) */
} device_kind;

/* One copy between a tensor's host buffer and its device buffer. */
typedef struct transfer {
    int tensor;
    int to_device;
} transfer;

typedef struct op_step {
    device_kind kind;
    int transfer_first, transfer_count; /* done before the op */
    const void *weights;                /* conv, depthwise, FC: device filter (conv: HWIO),
                                           in the plan's storage type */
    const float *bias;                  /* NULL: none */
    const float *slope;                 /* a fused PRelu's slopes; NULL: none */
    void *fused_output;                 /* with SLOPE: the PRelu's output, written instead */
    /* CONV_BLOCK: the filter as [I][O] fp32, and the ops its kernel also
     * does (-1: none) */
    const float *block_filter;
    int block_depthwise, block_add;
} op_step;

/* Device memory a plan holds: its arena, or a shared copy of a weight. */
typedef struct holding {
    void *pointer;
    size_t bytes;
    int shared_weight; /* released to nn/cuda_memory.h's weight table */
} holding;

struct ft_nn_plan {
    const ft_nn_graph *graph;
    void *const *buffers;
    int device_index;     /* the CUDA device the plan lives on */
    cudaStream_t stream;
    cublasHandle_t blas;
    int half;             /* activations and weights stored as fp16 on the device */
    void **device;        /* per tensor: its device buffer (fp32 or fp16), NULL when none */
    float *staging;       /* half: where a copy's fp32 values wait for their conversion */
    ft_nn_input_codes codes[FT_NN_MAX_IO]; /* per graph input: bytes to map (on) or floats */
    void *code_staging;   /* where an input's bytes wait for their mapping */
    void *columns;        /* CONV_IM2COL ops' window rows, one buffer for them all */
    holding *holdings;    /* freed or released with the plan */
    int holding_count;
    size_t arena_bytes;   /* the activations' memory on the device */
    op_step *steps;       /* op_count + 1: the last holds the final downloads */
    transfer *transfers;
    int transfer_count;
    int native_ops;
    cudaGraphExec_t replay; /* the captured run of an all-device plan; NULL: launch op by op */
    void **pinned;          /* host buffers page-locked for the copies, unlocked with the plan */
    int pinned_count;
    /* FACETRACK_CUDA_PROFILE=1: the kernels-only runs time each op, and the
     * plan prints the costliest when freed. */
    cudaEvent_t *marks;     /* op_count + 1 */
    double *op_ms;          /* per op, summed over the timed runs */
    int timed_runs;
};

static const char *model_name(const ft_nn_graph *g)
{
    return g->name && *g->name ? g->name : "(model)";
}

/* Bytes of one activation value on the device. */
static size_t storage_size(const ft_nn_plan *p)
{
    return p->half ? sizeof(uint16_t) : sizeof(float);
}

/* FACETRACK_CUDA_BLOCKING_SYNC=1: a thread waiting for its stream sleeps
 * instead of spinning, which frees its core for decoding. Not the default:
 * measured on an H100 with 16 videos on 16 workers, track ran at 351
 * frames/s sleeping against 439 spinning (CUDA's default). Set once,
 * before each device's context exists; a context made earlier keeps
 * CUDA's default. */
static void set_blocking_sync(void)
{
    const char *env = getenv("FACETRACK_CUDA_BLOCKING_SYNC");
    int count = 0;
    if (!env || strcmp(env, "1") != 0 || cudaGetDeviceCount(&count) != cudaSuccess)
        return;
    int current = 0;
    cudaGetDevice(&current);
    for (int d = 0; d < count; d++)
        if (cudaSetDevice(d) == cudaSuccess)
            cudaSetDeviceFlags(cudaDeviceScheduleBlockingSync);
    cudaGetLastError(); /* a context already active refuses: not an error */
    cudaSetDevice(current);
}

static void prefer_blocking_sync(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, set_blocking_sync);
}

static ft_status cuda_init(char *err, size_t err_size)
{
    int count = 0, driver = 0, runtime = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        if (e != cudaSuccess)
            cudaGetLastError(); /* not sticky for later callers */
        cudaDriverGetVersion(&driver); /* 0: no driver at all */
        cudaRuntimeGetVersion(&runtime);
        if (driver == 0)
            snprintf(err, err_size, "cuda: no NVIDIA driver found (install the nvidia-driver package)");
        else if (e == cudaErrorInsufficientDriver)
            snprintf(err, err_size, "cuda: the NVIDIA driver supports CUDA %d.%d, older than this build's CUDA %d.%d runtime: update the driver",
                     driver / 1000, driver % 1000 / 10, runtime / 1000, runtime % 1000 / 10);
        else
            snprintf(err, err_size, "cuda: no usable CUDA device (%s)",
                     e != cudaSuccess ? cudaGetErrorString(e) : "the driver lists none");
        return FT_ERR_NO_DEVICE;
    }
    /* cmake/cuda.cmake builds machine code for sm_80 and sm_90 (and PTX
     * that newer chips compile); an older chip has no image to run. */
    struct cudaDeviceProp prop;
    e = cudaGetDeviceProperties(&prop, 0);
    if (e != cudaSuccess) {
        cudaGetLastError();
        snprintf(err, err_size, "cuda: cannot read device 0's properties (%s)",
                 cudaGetErrorString(e));
        return FT_ERR_INTERNAL;
    }
    if (prop.major < 8) {
        snprintf(err, err_size, "cuda: %s is sm_%d%d; the cuda row is built for sm_80 and newer",
                 prop.name, prop.major, prop.minor);
        return FT_ERR_UNSUPPORTED;
    }
    prefer_blocking_sync();
    return FT_OK;
}

/* ----------------------------------------------------------------- op table */

static const ft_nn_tensor *input_of(const ft_nn_graph *g, const ft_nn_op *op, int i)
{
    return i < op->input_count && op->inputs[i] >= 0 ? &g->tensors[op->inputs[i]] : NULL;
}

static int is_f32(const ft_nn_tensor *t)
{
    return t && t->dtype == FT_DTYPE_F32 && t->rank <= FT_CUDA_MAX_RANK;
}

/* Every input the kernels read (the first COUNT) and the one output are
 * float32. */
static int float_op(const ft_nn_graph *g, const ft_nn_op *op, int count)
{
    if (op->output_count != 1 || !is_f32(&g->tensors[op->outputs[0]]))
        return 0;
    for (int i = 0; i < count; i++)
        if (!is_f32(input_of(g, op, i)))
            return 0;
    return 1;
}

static int optional_constant_bias(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *b = input_of(g, op, 2);
    return !b || (is_f32(b) && b->data);
}

static int accepts_conv(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0), *w = input_of(g, op, 1);
    return float_op(g, op, 2) && op->attrs.layout == FT_LAYOUT_NHWC && w->data && w->rank == 4 &&
           x->rank == 4 && w->shape[3] > 0 && x->shape[3] % w->shape[3] == 0 &&
           w->shape[0] % (x->shape[3] / w->shape[3]) == 0 && optional_constant_bias(g, op);
}

static int accepts_depthwise(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = input_of(g, op, 0), *w = input_of(g, op, 1);
    return float_op(g, op, 2) && op->attrs.layout == FT_LAYOUT_NHWC && w->data && w->rank == 4 &&
           x->rank == 4 && x->shape[3] > 0 && w->shape[3] % x->shape[3] == 0 &&
           optional_constant_bias(g, op);
}

static int accepts_fully_connected(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *w = input_of(g, op, 1);
    return float_op(g, op, 2) && w->data && w->rank == 2 && optional_constant_bias(g, op);
}

static int accepts_pool(const ft_nn_graph *g, const ft_nn_op *op)
{
    return float_op(g, op, 1) && op->attrs.layout == FT_LAYOUT_NHWC &&
           input_of(g, op, 0)->rank == 4;
}

static int accepts_binary(const ft_nn_graph *g, const ft_nn_op *op)
{
    return float_op(g, op, 2);
}

static int accepts_unary(const ft_nn_graph *g, const ft_nn_op *op)
{
    return float_op(g, op, 1);
}

static int accepts_concat(const ft_nn_graph *g, const ft_nn_op *op)
{
    return float_op(g, op, op->input_count) && op->attrs.activation == FT_ACT_NONE &&
           op->attrs.axis >= 0 && op->attrs.axis < g->tensors[op->outputs[0]].rank;
}

/* The input is not read through a second tensor (an ONNX Slice's starts,
 * say): the loader made them attributes. */
static int accepts_one_input(const ft_nn_graph *g, const ft_nn_op *op)
{
    return float_op(g, op, 1) && op->input_count == 1;
}

/* TFLite's resizes (NHWC; their size operand is a constant the loader
 * read). FACETRACK_CUDA_RESIZE=0 leaves them, and so the models that have
 * them, on the host, for comparison. */
static int accepts_resize(const ft_nn_graph *g, const ft_nn_op *op)
{
    const char *env = getenv("FACETRACK_CUDA_RESIZE");
    if (env && strcmp(env, "0") == 0)
        return 0;
    const ft_nn_tensor *x = input_of(g, op, 0), *y = &g->tensors[op->outputs[0]];
    for (int i = 1; i < op->input_count; i++)
        if (op->inputs[i] >= 0 && !g->tensors[op->inputs[i]].data)
            return 0;
    return float_op(g, op, 1) && op->attrs.layout == FT_LAYOUT_NHWC &&
           op->attrs.activation == FT_ACT_NONE && x->rank == 4 && y->rank == 4 &&
           x->shape[0] == y->shape[0] && x->shape[3] == y->shape[3];
}

static const ft_nn_op_support cuda_ops[] = {
    {FT_OP_CONV2D, accepts_conv},
    {FT_OP_DEPTHWISE_CONV2D, accepts_depthwise},
    {FT_OP_FULLY_CONNECTED, accepts_fully_connected},
    {FT_OP_MAX_POOL2D, accepts_pool},
    {FT_OP_AVERAGE_POOL2D, accepts_pool},
    {FT_OP_ADD, accepts_binary},
    {FT_OP_SUB, accepts_binary},
    {FT_OP_MUL, accepts_binary},
    {FT_OP_DIV, accepts_binary},
    {FT_OP_MAXIMUM, accepts_binary},
    {FT_OP_MINIMUM, accepts_binary},
    {FT_OP_SQUARED_DIFFERENCE, accepts_binary},
    {FT_OP_PRELU, accepts_binary},
    {FT_OP_RELU, accepts_unary},
    {FT_OP_RELU6, accepts_unary},
    {FT_OP_RELU_N1_TO_1, accepts_unary},
    {FT_OP_CLIP, accepts_unary},
    {FT_OP_LEAKY_RELU, accepts_unary},
    {FT_OP_SIGMOID, accepts_unary},
    {FT_OP_TANH, accepts_unary},
    {FT_OP_HARD_SWISH, accepts_unary},
    {FT_OP_EXP, accepts_unary},
    {FT_OP_SQRT, accepts_unary},
    {FT_OP_RSQRT, accepts_unary},
    {FT_OP_NEG, accepts_unary},
    {FT_OP_ABS, accepts_unary},
    {FT_OP_RESHAPE, accepts_unary},
    {FT_OP_PAD, accepts_unary},
    {FT_OP_CONCAT, accepts_concat},
    {FT_OP_TRANSPOSE, accepts_one_input},
    {FT_OP_SLICE, accepts_one_input},
    {FT_OP_RESIZE, accepts_resize},
    {FT_OP_REDUCE_MEAN, accepts_one_input},
    {FT_OP_REDUCE_SUM, accepts_one_input},
    {FT_OP_REDUCE_MAX, accepts_one_input},
};

static int on_device(const ft_nn_graph *g, const ft_nn_op *op)
{
    return ft_nn_backend_supports(&ft_nn_backend_cuda, g, op);
}

/* ------------------------------------------------- where activations live */

/* Walks the ops in order and calls EMIT for each copy the plan makes: a
 * device op reads an activation last written on the host (or a graph
 * input), a host op reads one last written on the device, and the graph's
 * outputs come home at the end (STEP op_count). */
static int walk_transfers(const ft_nn_graph *g,
                          void (*emit)(void *context, int step, int tensor, int to_device),
                          void *context)
{
    char *on_host = malloc((size_t)g->tensor_count + 1);
    char *on_dev = calloc((size_t)g->tensor_count + 1, 1);
    if (!on_host || !on_dev) {
        free(on_host);
        free(on_dev);
        return -1;
    }
    memset(on_host, 1, (size_t)g->tensor_count); /* inputs and constants */
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        const int dev = on_device(g, op);
        for (int j = 0; j < op->input_count; j++) {
            const int t = op->inputs[j];
            if (t < 0 || g->tensors[t].data)
                continue; /* constants: uploaded with the plan, read in place on the host */
            if (dev && !on_dev[t]) {
                emit(context, i, t, 1);
                on_dev[t] = 1;
            } else if (!dev && !on_host[t]) {
                emit(context, i, t, 0);
                on_host[t] = 1;
            }
        }
        for (int j = 0; j < op->output_count; j++) {
            on_dev[op->outputs[j]] = (char)dev;
            on_host[op->outputs[j]] = (char)!dev;
        }
    }
    for (int k = 0; k < g->output_count; k++)
        if (!on_host[g->outputs[k]]) {
            emit(context, g->op_count, g->outputs[k], 0);
            on_host[g->outputs[k]] = 1;
        }
    free(on_host);
    free(on_dev);
    return 0;
}

static void mark_transfer(void *context, int step, int tensor, int to_device)
{
    (void)step;
    (void)to_device;
    ((char *)context)[tensor] = 1;
}

/* Host buffers: the graph's inputs and outputs, every activation a host op
 * touches, and every one that crosses over. */
static void cuda_mark_buffers(const ft_nn_graph *g, char *needed)
{
    memset(needed, 0, (size_t)g->tensor_count);
    if (walk_transfers(g, mark_transfer, needed) != 0) {
        memset(needed, 1, (size_t)g->tensor_count);
        return;
    }
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        if (on_device(g, op))
            continue;
        for (int j = 0; j < op->input_count; j++)
            if (op->inputs[j] >= 0)
                needed[op->inputs[j]] = 1;
        for (int j = 0; j < op->output_count; j++)
            needed[op->outputs[j]] = 1;
    }
    for (int k = 0; k < g->input_count; k++)
        needed[g->inputs[k]] = 1;
    for (int k = 0; k < g->output_count; k++)
        needed[g->outputs[k]] = 1;
}

typedef struct transfer_list {
    ft_nn_plan *plan;
    int capacity;
} transfer_list;

static void add_transfer(void *context, int step, int tensor, int to_device)
{
    transfer_list *list = context;
    ft_nn_plan *p = list->plan;
    if (p->transfer_count == list->capacity)
        return; /* cannot happen: the capacity counts every input and output */
    if (p->steps[step].transfer_count == 0)
        p->steps[step].transfer_first = p->transfer_count;
    p->transfers[p->transfer_count++] = (transfer){tensor, to_device};
    p->steps[step].transfer_count++;
}

/* ------------------------------------------------------------------ errors */

static ft_status fail(const ft_nn_plan *p, int op_index, const char *what, char *err,
                      size_t err_size, ft_status status)
{
    const ft_nn_graph *g = p->graph;
    if (op_index >= 0 && op_index < g->op_count)
        snprintf(err, err_size, "%s: op %d (%s) on cuda: %s", model_name(g), op_index,
                 ft_nn_op_label(&g->ops[op_index]), what);
    else
        snprintf(err, err_size, "%s: cuda: %s", model_name(g), what);
    return status;
}

static ft_status cuda_fail(const ft_nn_plan *p, int op_index, cudaError_t e, char *err,
                           size_t err_size)
{
    return fail(p, op_index, cudaGetErrorString(e), err, err_size,
                e == cudaErrorMemoryAllocation ? FT_ERR_NOMEM : FT_ERR_INTERNAL);
}

#define CUDA_TRY(call, op_index)                                                 \
    do {                                                                         \
        cudaError_t cuda_error_ = (call);                                        \
        if (cuda_error_ != cudaSuccess)                                          \
            return cuda_fail(p, (op_index), cuda_error_, err, err_size);         \
    } while (0)

#define BLAS_TRY(call, op_index)                                                 \
    do {                                                                         \
        cublasStatus_t blas_status_ = (call);                                    \
        if (blas_status_ != CUBLAS_STATUS_SUCCESS)                               \
            return fail(p, (op_index), cublasGetStatusString(blas_status_), err, \
                        err_size, FT_ERR_INTERNAL);                              \
    } while (0)

/* -------------------------------------------------------------- the plan */

static ft_status device_alloc(ft_nn_plan *p, size_t bytes, void **out, int op_index, char *err,
                              size_t err_size)
{
    char why[256];
    ft_status st = ft_cuda_memory_alloc(p->device_index, bytes, out, why, sizeof why);
    if (st != FT_OK)
        return fail(p, op_index, why, err, err_size, st);
    p->holdings[p->holding_count++] = (holding){*out, bytes, 0};
    return FT_OK;
}

/* The layouts a constant is kept in on the device. */
enum { LAYOUT_AS_IS, LAYOUT_HWIO, LAYOUT_HALF, LAYOUT_HWIO_HALF, LAYOUT_KO };

static void floats_to_halves(const float *in, uint16_t *out, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        out[i] = ft_float_to_half(in[i]);
}

/* OHWI -> HWIO: a warp's threads are neighbouring output channels. */
static void ohwi_to_hwio(const void *host, void *out, const void *context)
{
    const ft_nn_tensor *w = context;
    const int64_t O = w->shape[0], KH = w->shape[1], KW = w->shape[2], I = w->shape[3];
    const float *ohwi = host;
    float *hwio = out;
    for (int64_t o = 0; o < O; o++)
        for (int64_t k = 0; k < KH * KW; k++)
            for (int64_t c = 0; c < I; c++)
                hwio[(k * I + c) * O + o] = ohwi[(o * KH * KW + k) * I + c];
}

/* OHWI -> [KH*KW*I][O]: ft_cuda_conv_pixel's shared-memory filter, fp32
 * whatever the storage. */
static void ohwi_to_ko(const void *host, void *out, const void *context)
{
    const ft_nn_tensor *w = context;
    const int64_t O = w->shape[0], K = ft_nn_tensor_elements(w) / O;
    const float *ohwi = host;
    float *ko = out;
    for (int64_t o = 0; o < O; o++)
        for (int64_t k = 0; k < K; k++)
            ko[k * O + o] = ohwi[o * K + k];
}

static void to_half(const void *host, void *out, const void *context)
{
    floats_to_halves(host, out, ft_nn_tensor_elements(context));
}

static void ohwi_to_hwio_half(const void *host, void *out, const void *context)
{
    const int64_t count = ft_nn_tensor_elements(context);
    float *hwio = malloc(sizeof *hwio * (size_t)(count + 1));
    if (!hwio) { /* the upload's caller sees NaNs in the test; cannot happen in practice */
        memset(out, 0xff, sizeof(uint16_t) * (size_t)count);
        return;
    }
    ohwi_to_hwio(host, hwio, context);
    floats_to_halves(hwio, out, count);
    free(hwio);
}

/* The device copy of constant T in LAYOUT, shared with every plan of the
 * process that runs the same model on the same device. */
static ft_status share_constant(ft_nn_plan *p, int t, int layout, int op_index, void **out,
                                char *err, size_t err_size)
{
    const ft_nn_tensor *tensor = &p->graph->tensors[t];
    static const ft_cuda_layout_fn writers[] = {NULL, ohwi_to_hwio, to_half, ohwi_to_hwio_half,
                                                ohwi_to_ko};
    const size_t bytes = layout == LAYOUT_HALF || layout == LAYOUT_HWIO_HALF
                             ? sizeof(uint16_t) * (size_t)ft_nn_tensor_elements(tensor)
                             : tensor->nbytes;
    char why[256];
    void *copy = NULL;
    ft_status st = ft_cuda_weights_acquire(p->device_index, tensor->data, bytes, layout,
                                           writers[layout], tensor, &copy, why, sizeof why);
    if (st != FT_OK)
        return fail(p, op_index, why, err, err_size, st);
    p->holdings[p->holding_count++] = (holding){copy, bytes, 1};
    *out = copy;
    return FT_OK;
}

/* Constant T on the device in the plan's storage type, for the ops that
 * read it as an operand. */
static ft_status upload_constant(ft_nn_plan *p, int t, int op_index, char *err, size_t err_size)
{
    if (p->device[t])
        return FT_OK;
    void *copy = NULL;
    ft_status st = share_constant(p, t, p->half ? LAYOUT_HALF : LAYOUT_AS_IS, op_index, &copy,
                                  err, err_size);
    p->device[t] = copy; /* never written: constants are no op's output */
    return st;
}

/* Constant T as fp32 whatever the storage: biases and PRelu slopes, which
 * the kernels add in their fp32 arithmetic. */
static ft_status float_constant(ft_nn_plan *p, int t, int op_index, const float **out, char *err,
                                size_t err_size)
{
    void *copy = NULL;
    ft_status st = p->half ? share_constant(p, t, LAYOUT_AS_IS, op_index, &copy, err, err_size)
                           : upload_constant(p, t, op_index, err, err_size);
    *out = p->half ? copy : p->device[t];
    return st;
}

static int same_pad(int64_t in, int64_t out, int k, int stride, int dilation)
{
    int64_t total = (out - 1) * stride + (int64_t)(k - 1) * dilation + 1 - in;
    return total > 0 ? (int)(total / 2) : 0;
}

/* The window of a convolution (DILATED) or a pooling (not: TFLite pools
 * have none, whatever the attributes hold). */
static ft_cuda_window window_of(const ft_nn_graph *g, const ft_nn_op *op, int kernel_h,
                                int kernel_w, int dilated)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    const int dil_h = dilated && a->dilation[0] > 0 ? a->dilation[0] : 1;
    const int dil_w = dilated && a->dilation[1] > 0 ? a->dilation[1] : 1;
    ft_cuda_window win = {
        .batch = (int)x->shape[0], .in_h = (int)x->shape[1], .in_w = (int)x->shape[2],
        .in_c = (int)x->shape[3], .out_h = (int)y->shape[1], .out_w = (int)y->shape[2],
        .out_c = (int)y->shape[3], .kernel_h = kernel_h, .kernel_w = kernel_w,
        .stride_h = a->stride[0], .stride_w = a->stride[1], .dilation_h = dil_h,
        .dilation_w = dil_w, .activation = (int)a->activation,
        .group_in = (int)x->shape[3], .group_out = (int)y->shape[3]};
    if (op->type == FT_OP_CONV2D) {
        const ft_nn_tensor *w = &g->tensors[op->inputs[1]];
        const int groups = (int)(x->shape[3] / w->shape[3]);
        win.group_in = (int)w->shape[3];
        win.group_out = (int)(y->shape[3] / groups);
    }
    win.pad_top = a->same_padding
                      ? same_pad(x->shape[1], y->shape[1], kernel_h, a->stride[0], dil_h)
                      : a->pads[0];
    win.pad_left = a->same_padding
                       ? same_pad(x->shape[2], y->shape[2], kernel_w, a->stride[1], dil_w)
                       : a->pads[1];
    return win;
}

/* A convolution whose windows hold at least this many values runs as one
 * product over rows of windows: the direct kernel's loop is then long
 * enough that a tensor-core product wins, even with the rows written out. */
#define IM2COL_MIN_DEPTH 64

static int use_im2col(void)
{
    const char *env = getenv("FACETRACK_CUDA_IM2COL");
    return !(env && strcmp(env, "0") == 0);
}

/* FACETRACK_CUDA_PIXEL=0 leaves small filters to the other paths, for
 * comparison. */
static int use_pixel_kernel(void)
{
    const char *env = getenv("FACETRACK_CUDA_PIXEL");
    return !(env && strcmp(env, "0") == 0);
}

/* Bytes of the window rows of CONV_IM2COL op I. */
static size_t columns_bytes(const ft_nn_plan *p, int i)
{
    const ft_nn_graph *g = p->graph;
    const ft_nn_tensor *w = &g->tensors[g->ops[i].inputs[1]];
    const ft_nn_tensor *y = &g->tensors[g->ops[i].outputs[0]];
    const size_t rows = (size_t)(ft_nn_tensor_elements(y) / y->shape[3]);
    return rows * (size_t)(ft_nn_tensor_elements(w) / w->shape[0]) * storage_size(p);
}

/* Element strides of T's dims, the last axis contiguous. */
static void contiguous_strides(const ft_nn_tensor *t, int64_t strides[FT_CUDA_MAX_RANK])
{
    int64_t stride = 1;
    for (int d = t->rank - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= t->shape[d];
    }
}

/* How many elements a slice takes along one axis (as the reference row
 * counts them). */
static int64_t slice_length(int64_t begin, int64_t end, int64_t step)
{
    const int64_t n = step > 0 ? (end - begin + step - 1) / step : (begin - end - step - 1) / -step;
    return n > 0 ? n : 0;
}

/* Decides how op I runs and uploads its weights. */
static ft_status prepare_op(ft_nn_plan *p, int i, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    const ft_nn_op *op = &g->ops[i];
    op_step *s = &p->steps[i];
    ft_status st = FT_OK;
    if (!on_device(g, op)) {
        s->kind = ON_HOST;
        return FT_OK;
    }
    p->native_ops++;
    /* Constant operands of element-wise ops (biases, slopes, scales). */
    for (int j = 0; j < op->input_count && st == FT_OK; j++) {
        const int t = op->inputs[j];
        if (t >= 0 && g->tensors[t].data && g->tensors[t].dtype == FT_DTYPE_F32 &&
            !(j == 1 && (op->type == FT_OP_CONV2D)))
            st = upload_constant(p, t, i, err, err_size);
    }
    if (st != FT_OK)
        return st;
    const ft_nn_tensor *w = input_of(g, op, 1), *b = input_of(g, op, 2);
    if (b && (op->type == FT_OP_CONV2D || op->type == FT_OP_DEPTHWISE_CONV2D ||
              op->type == FT_OP_FULLY_CONNECTED) &&
        (st = float_constant(p, op->inputs[2], i, &s->bias, err, err_size)) != FT_OK)
        return st;
    switch (op->type) {
    case FT_OP_CONV2D: {
        const ft_cuda_window win = window_of(g, op, (int)w->shape[1], (int)w->shape[2], 1);
        /* Not the 1x1 ones: measured on an H100, cuBLAS's product beats a
         * thread per pixel there even at 8 channels. */
        if (win.group_in == win.in_c && win.out_c % FT_CUDA_VECTOR == 0 &&
            win.kernel_h * win.kernel_w > 1 &&
            (int64_t)win.kernel_h * win.kernel_w * win.in_c * win.out_c <= FT_CUDA_PIXEL_FILTER_MAX &&
            use_pixel_kernel()) {
            s->kind = CONV_PIXEL;
            void *ko = NULL;
            st = share_constant(p, op->inputs[1], LAYOUT_KO, i, &ko, err, err_size);
            s->weights = ko;
            return st;
        }
        if (win.group_in == win.in_c && win.kernel_h == 1 && win.kernel_w == 1 &&
            win.stride_h == 1 && win.stride_w == 1 &&
            win.pad_top == 0 && win.pad_left == 0 && win.in_h == win.out_h &&
            win.in_w == win.out_w) {
            s->kind = CONV_GEMM; /* OHWI with 1x1 is [O, I], as cuBLAS reads it transposed */
            st = upload_constant(p, op->inputs[1], i, err, err_size);
            s->weights = p->device[op->inputs[1]];
            return st;
        }
        if (win.group_in == win.in_c && win.kernel_h * win.kernel_w * win.in_c >= IM2COL_MIN_DEPTH &&
            use_im2col()) {
            s->kind = CONV_IM2COL; /* OHWI is [O, KH*KW*I], the rows' order */
            st = upload_constant(p, op->inputs[1], i, err, err_size);
            s->weights = p->device[op->inputs[1]];
            return st;
        }
        s->kind = CONV_DIRECT;
        void *hwio = NULL;
        st = share_constant(p, op->inputs[1], p->half ? LAYOUT_HWIO_HALF : LAYOUT_HWIO, i, &hwio,
                            err, err_size);
        s->weights = hwio;
        return st;
    }
    case FT_OP_DEPTHWISE_CONV2D:
        s->kind = DEPTHWISE;
        s->weights = p->device[op->inputs[1]];
        return FT_OK;
    case FT_OP_FULLY_CONNECTED:
        s->kind = FULLY_CONNECTED;
        s->weights = p->device[op->inputs[1]];
        return FT_OK;
    case FT_OP_MAX_POOL2D:
    case FT_OP_AVERAGE_POOL2D: s->kind = POOL; return FT_OK;
    case FT_OP_ADD: case FT_OP_SUB: case FT_OP_MUL: case FT_OP_DIV: case FT_OP_MAXIMUM:
    case FT_OP_MINIMUM: case FT_OP_SQUARED_DIFFERENCE: case FT_OP_PRELU:
        s->kind = BINARY;
        return FT_OK;
    case FT_OP_PAD: s->kind = PAD; return FT_OK;
    case FT_OP_CONCAT: s->kind = CONCAT; return FT_OK;
    case FT_OP_RESHAPE: s->kind = COPY; return FT_OK;
    case FT_OP_TRANSPOSE:
    case FT_OP_SLICE: s->kind = STRIDED; return FT_OK;
    case FT_OP_REDUCE_MEAN:
    case FT_OP_REDUCE_SUM:
    case FT_OP_REDUCE_MAX: s->kind = REDUCE; return FT_OK;
    case FT_OP_RESIZE: s->kind = RESIZE; return FT_OK;
    default: s->kind = UNARY; return FT_OK;
    }
}

/* A PRelu with one constant slope per channel that reads the output of the
 * op before it, which nothing else reads: the op before applies it as it
 * writes (one pass over the activation instead of two; MediaPipe's landmark
 * models follow most convolutions and residual additions with one).
 * FACETRACK_CUDA_FUSE=0 turns it off, for comparison. */
static ft_status fuse_prelus(ft_nn_plan *p, char *err, size_t err_size)
{
    const char *env = getenv("FACETRACK_CUDA_FUSE");
    if (env && strcmp(env, "0") == 0)
        return FT_OK;
    const ft_nn_graph *g = p->graph;
    for (int i = 0; i + 1 < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i], *prelu = &g->ops[i + 1];
        op_step *s = &p->steps[i];
        if (prelu->type != FT_OP_PRELU || p->steps[i + 1].kind != BINARY ||
            prelu->attrs.activation != FT_ACT_NONE || prelu->inputs[0] != op->outputs[0] ||
            op->output_count != 1 || s->slope ||
            (s->kind != CONV_DIRECT && s->kind != CONV_GEMM && s->kind != CONV_IM2COL &&
             s->kind != CONV_PIXEL &&
             s->kind != DEPTHWISE &&
             s->kind != BINARY))
            continue;
        const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
        const ft_nn_tensor *slope = &g->tensors[prelu->inputs[1]];
        const ft_nn_tensor *out = &g->tensors[prelu->outputs[0]];
        if (!slope->data || y->rank < 1 || out->rank != y->rank ||
            ft_nn_tensor_elements(slope) != y->shape[y->rank - 1] ||
            ft_nn_tensor_elements(out) != ft_nn_tensor_elements(y) ||
            slope->shape[slope->rank - 1] != y->shape[y->rank - 1])
            continue;
        int read_elsewhere = 0;
        for (int k = 0; k < g->output_count; k++)
            read_elsewhere |= g->outputs[k] == op->outputs[0];
        for (int k = i + 2; k < g->op_count && !read_elsewhere; k++)
            for (int j = 0; j < g->ops[k].input_count; j++)
                read_elsewhere |= g->ops[k].inputs[j] == op->outputs[0];
        if (read_elsewhere)
            continue;
        ft_status st = float_constant(p, prelu->inputs[1], i + 1, &s->slope, err, err_size);
        if (st != FT_OK)
            return st;
        s->fused_output = p->device[prelu->outputs[0]];
        p->steps[i + 1].kind = FUSED;
        i++; /* the PRelu is done; the op after it may fuse its own */
    }
    return FT_OK;
}

/* The tensor step I's kernel writes: its op's output, or that of the
 * PRelu fused after it. */
static int written_tensor(const ft_nn_plan *p, int i)
{
    return p->steps[i].fused_output ? p->graph->ops[i + 1].outputs[0] : p->graph->ops[i].outputs[0];
}

/* Whether op READER is the only reader of tensor T, which is no output. */
static int read_only_by(const ft_nn_graph *g, int t, int reader)
{
    for (int k = 0; k < g->output_count; k++)
        if (g->outputs[k] == t)
            return 0;
    for (int i = 0; i < g->op_count; i++)
        for (int j = 0; j < g->ops[i].input_count; j++)
            if (g->ops[i].inputs[j] == t && i != reader)
                return 0;
    return 1;
}

static int same_shape(const ft_nn_tensor *a, const ft_nn_tensor *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int d = 0; d < a->rank; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

/* Whether the device buffers of tensors A and B share memory (the arena
 * gives one place to tensors whose lives do not overlap). */
static int buffers_overlap(const ft_nn_plan *p, int a, int b)
{
    const uintptr_t x = (uintptr_t)p->device[a], y = (uintptr_t)p->device[b];
    const size_t size = storage_size(p);
    const uintptr_t x_end = x + (size_t)ft_nn_tensor_elements(&p->graph->tensors[a]) * size;
    const uintptr_t y_end = y + (size_t)ft_nn_tensor_elements(&p->graph->tensors[b]) * size;
    return x < y_end && y < x_end;
}

static int no_transfers(const ft_nn_plan *p, int from, int to)
{
    for (int k = from; k <= to; k++)
        if (p->steps[k].transfer_count)
            return 0;
    return 1;
}

/* The depthwise step whose kernel writes the input of the 1x1 convolution
 * at step I, with no other reader, or -1. */
static int block_depthwise(const ft_nn_plan *p, int i)
{
    const ft_nn_graph *g = p->graph;
    int d = i - 1;
    if (d >= 1 && p->steps[d].kind == FUSED && p->steps[d - 1].fused_output)
        d--; /* past the depthwise's PRelu */
    if (d < 0 || p->steps[d].kind != DEPTHWISE || written_tensor(p, d) != g->ops[i].inputs[0] ||
        !read_only_by(g, g->ops[i].inputs[0], i) || !no_transfers(p, d + 1, i))
        return -1;
    const ft_nn_tensor *x = &g->tensors[g->ops[d].inputs[0]];
    const ft_nn_tensor *y = &g->tensors[g->ops[d].outputs[0]];
    return p->device[g->ops[d].inputs[0]] && x->rank == 4 && y->rank == 4 &&
                   x->shape[3] == y->shape[3]
               ? d
               : -1;
}

/* The residual addition that alone reads what the convolution at step I
 * writes, adding a tensor of the same shape, or -1. */
static int block_add(const ft_nn_plan *p, int i)
{
    const ft_nn_graph *g = p->graph;
    const int a = p->steps[i].fused_output ? i + 2 : i + 1, written = written_tensor(p, i);
    if (a >= g->op_count || g->ops[a].type != FT_OP_ADD || p->steps[a].kind != BINARY ||
        g->ops[a].input_count != 2 || !no_transfers(p, i + 1, a))
        return -1;
    const ft_nn_op *add = &g->ops[a];
    const int other = add->inputs[0] == written ? add->inputs[1] : add->inputs[0];
    if ((add->inputs[0] != written && add->inputs[1] != written) || other == written ||
        !p->device[other] || !read_only_by(g, written, a))
        return -1;
    const ft_nn_tensor *y = &g->tensors[written];
    return same_shape(&g->tensors[other], y) && same_shape(&g->tensors[add->outputs[0]], y) ? a
                                                                                           : -1;
}

/* Layers of fewer pixels (a small batch, or the last, smallest layers)
 * keep the op-by-op path: a block's tiles then cover too little of the
 * device. Measured on an H100 with every layer fused, the landmark model
 * took 0.84 ms at batch 3 against 0.64 op by op (fp16), and 2.93 ms at
 * batch 64 against 3.42. */
#define BLOCK_MIN_PIXELS 32768

/* MediaPipe's blocks (a depthwise convolution, a 1x1 one and a residual
 * addition, each maybe followed by a PRelu) as one kernel each: neither
 * the depthwise's nor the product's result goes through memory, and the
 * bias pass after a library product goes. A 1x1 convolution alone takes
 * the same kernel. FACETRACK_CUDA_BLOCKS=0 keeps the ops apart, for
 * comparison. */
static ft_status fuse_blocks(ft_nn_plan *p, char *err, size_t err_size)
{
    const char *env = getenv("FACETRACK_CUDA_BLOCKS");
    if (env && strcmp(env, "0") == 0)
        return FT_OK;
    const ft_nn_graph *g = p->graph;
    for (int i = 0; i < g->op_count; i++) {
        op_step *s = &p->steps[i];
        const ft_nn_op *op = &g->ops[i];
        if (s->kind != CONV_GEMM)
            continue;
        const ft_nn_tensor *w = input_of(g, op, 1);
        const int out_c = (int)w->shape[0], in_c = (int)w->shape[3];
        const int64_t pixels = ft_nn_tensor_elements(&g->tensors[op->outputs[0]]) / out_c;
        if (pixels < BLOCK_MIN_PIXELS || !ft_cuda_pointwise_fits(in_c, out_c, 0) ||
            pixels * (in_c > out_c ? in_c : out_c) >= ((int64_t)1 << 31))
            continue;
        int d = block_depthwise(p, i), a = block_add(p, i);
        if (d >= 0) {
            const ft_nn_tensor *dw = input_of(g, &g->ops[d], 1);
            if (!ft_cuda_pointwise_fits(in_c, out_c, (int)(dw->shape[1] * dw->shape[2])))
                d = -1;
        }
        /* The kernel reads X and the residual while it writes: none of
         * them may share memory with what it writes. */
        const int out = a >= 0 ? written_tensor(p, a) : written_tensor(p, i);
        if (d >= 0 && buffers_overlap(p, g->ops[d].inputs[0], out))
            d = -1;
        if (a >= 0) {
            const ft_nn_op *add = &g->ops[a];
            const int other = add->inputs[0] == written_tensor(p, i) ? add->inputs[1] : add->inputs[0];
            if (buffers_overlap(p, other, out) || (d < 0 && buffers_overlap(p, op->inputs[0], out)))
                continue;
        }
        void *ko = NULL;
        ft_status st = share_constant(p, op->inputs[1], LAYOUT_KO, i, &ko, err, err_size);
        if (st != FT_OK)
            return st;
        s->kind = CONV_BLOCK;
        s->block_filter = ko;
        s->block_depthwise = d;
        s->block_add = a;
        if (d >= 0)
            p->steps[d].kind = FUSED;
        if (a >= 0)
            p->steps[a].kind = FUSED;
    }
    return FT_OK;
}

/* Numpy strides of A against OUT, 0 along broadcast axes. */
static void broadcast_strides(const ft_nn_tensor *a, const ft_nn_tensor *out, int64_t *strides)
{
    int64_t stride = 1;
    for (int i = out->rank - 1, j = a->rank - 1; i >= 0; i--, j--) {
        const int64_t dim = j >= 0 ? a->shape[j] : 1;
        strides[i] = dim == 1 ? 0 : stride;
        stride *= dim;
    }
}

/* Queues op I on the plan's stream. */
static ft_status launch_op(ft_nn_plan *p, int i, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    const ft_nn_op *op = &g->ops[i];
    const op_step *s = &p->steps[i];
    const void *x = p->device[op->inputs[0]];
    void *y = s->fused_output ? s->fused_output : p->device[op->outputs[0]];
    const int half = p->half;
    const ft_nn_tensor *xt = &g->tensors[op->inputs[0]], *yt = &g->tensors[op->outputs[0]];
    const int64_t out_count = ft_nn_tensor_elements(yt);
    void *stream = p->stream;
    int e = 0;
    switch (s->kind) {
    case CONV_DIRECT: {
        const ft_nn_tensor *w = input_of(g, op, 1);
        const ft_cuda_window win = window_of(g, op, (int)w->shape[1], (int)w->shape[2], 1);
        e = ft_cuda_conv2d(half, &win, x, s->weights, s->bias, s->slope, y, stream);
        break;
    }
    case DEPTHWISE: {
        const ft_nn_tensor *w = input_of(g, op, 1);
        const ft_cuda_window win = window_of(g, op, (int)w->shape[1], (int)w->shape[2], 1);
        e = ft_cuda_depthwise(half, &win, x, s->weights, s->bias, s->slope, y, stream);
        break;
    }
    case CONV_PIXEL: {
        const ft_nn_tensor *w = input_of(g, op, 1);
        const ft_cuda_window win = window_of(g, op, (int)w->shape[1], (int)w->shape[2], 1);
        e = ft_cuda_conv_pixel(half, &win, x, s->weights, s->bias, s->slope, y, stream);
        break;
    }
    case CONV_IM2COL:
    case CONV_GEMM:
    case FULLY_CONNECTED: {
        /* Y[M, O] = X[M, I] W[O, I]^T, in cuBLAS's column-major terms
         * Y^T = W^T(as stored) ... : op(A) = W^T read as [I, O] transposed.
         * CONV_IM2COL: X is the window rows [M, KH*KW*I] written first. */
        const ft_nn_tensor *w = input_of(g, op, 1);
        const int O = (int)w->shape[0];
        const int I = (int)(s->kind == CONV_GEMM          ? w->shape[3]
                            : s->kind == FULLY_CONNECTED ? w->shape[1]
                                                         : ft_nn_tensor_elements(w) / O);
        int M = (int)(ft_nn_tensor_elements(xt) / I);
        if (s->kind == CONV_IM2COL) {
            const ft_cuda_window win = window_of(g, op, (int)w->shape[1], (int)w->shape[2], 1);
            CUDA_TRY((cudaError_t)ft_cuda_im2col(half, &win, x, p->columns, stream), i);
            x = p->columns;
            M = (int)(out_count / O);
        }
        const float one = 1.0f, zero = 0.0f;
        /* fp16: tensor-core products with fp32 accumulation. */
        const cudaDataType type = half ? CUDA_R_16F : CUDA_R_32F;
        BLAS_TRY(cublasGemmEx(p->blas, CUBLAS_OP_T, CUBLAS_OP_N, O, M, I, &one, s->weights, type,
                              I, x, type, I, &zero, y, type, O, CUBLAS_COMPUTE_32F,
                              CUBLAS_GEMM_DEFAULT),
                 i);
        if (s->bias || s->slope || op->attrs.activation != FT_ACT_NONE)
            e = ft_cuda_bias_activation(half, y, s->bias, s->slope, M, O,
                                        (int)op->attrs.activation, stream);
        break;
    }
    case RESIZE: {
        const ft_cuda_resize r = {.batch = (int)xt->shape[0], .in_h = (int)xt->shape[1],
                                  .in_w = (int)xt->shape[2], .channels = (int)xt->shape[3],
                                  .out_h = (int)yt->shape[1], .out_w = (int)yt->shape[2],
                                  .bilinear = op->attrs.resize_mode == FT_RESIZE_BILINEAR,
                                  .align_corners = op->attrs.align_corners,
                                  .half_pixel_centers = op->attrs.half_pixel_centers};
        e = ft_cuda_resize_run(half, &r, x, y, stream);
        break;
    }
    case CONV_BLOCK: {
        const ft_nn_tensor *w = input_of(g, op, 1);
        ft_cuda_pointwise pw = {.pixels = out_count / w->shape[0],
                                .in_c = (int)w->shape[3],
                                .out_c = (int)w->shape[0],
                                .filter_ko = s->block_filter,
                                .bias = s->bias,
                                .slope = s->slope,
                                .activation = (int)op->attrs.activation};
        if (s->block_depthwise >= 0) {
            const ft_nn_op *d = &g->ops[s->block_depthwise];
            const op_step *ds = &p->steps[s->block_depthwise];
            const ft_nn_tensor *dw = input_of(g, d, 1);
            pw.dw = window_of(g, d, (int)dw->shape[1], (int)dw->shape[2], 1);
            pw.dw_filter = ds->weights;
            pw.dw_bias = ds->bias;
            pw.dw_slope = ds->slope;
            x = p->device[d->inputs[0]];
        }
        if (s->block_add >= 0) {
            const ft_nn_op *a = &g->ops[s->block_add];
            const op_step *as = &p->steps[s->block_add];
            const int written = written_tensor(p, i);
            pw.residual = p->device[a->inputs[a->inputs[0] == written ? 1 : 0]];
            pw.residual_activation = (int)a->attrs.activation;
            pw.residual_slope = as->slope;
            y = as->fused_output ? as->fused_output : p->device[a->outputs[0]];
        }
        e = ft_cuda_pointwise_run(half, &pw, x, y, stream);
        break;
    }
    case POOL: {
        const ft_cuda_window win = window_of(g, op, op->attrs.kernel[0], op->attrs.kernel[1], 0);
        e = ft_cuda_pool(half, &win, op->type == FT_OP_MAX_POOL2D, x, y, stream);
        break;
    }
    case BINARY: {
        const ft_nn_tensor *bt = &g->tensors[op->inputs[1]];
        ft_cuda_broadcast shape = {.rank = yt->rank};
        for (int d = 0; d < yt->rank; d++)
            shape.out_dims[d] = yt->shape[d];
        broadcast_strides(xt, yt, shape.a_strides);
        broadcast_strides(bt, yt, shape.b_strides);
        e = ft_cuda_binary(half, (int)op->type, (int)op->attrs.activation, &shape, x,
                           p->device[op->inputs[1]], s->slope, y, stream);
        break;
    }
    case UNARY: {
        const ft_cuda_unary u = {(int)op->type, (int)op->attrs.activation, op->attrs.alpha,
                                 op->attrs.min, op->attrs.max};
        e = ft_cuda_unary_map(half, &u, x, y, out_count, stream);
        break;
    }
    case PAD: {
        ft_cuda_pad pad = {.rank = yt->rank, .value = op->attrs.value};
        for (int d = 0; d < yt->rank; d++) {
            pad.in_dims[d] = xt->shape[d];
            pad.out_dims[d] = yt->shape[d];
            pad.before[d] = op->attrs.pad_before[d];
        }
        e = ft_cuda_pad_constant(half, &pad, x, y, stream);
        break;
    }
    case CONCAT: {
        /* Each input is OUTER rows of its own width, placed side by side. */
        const int axis = op->attrs.axis;
        size_t outer = 1, inner = storage_size(p), offset = 0;
        for (int d = 0; d < axis; d++)
            outer *= (size_t)yt->shape[d];
        for (int d = axis + 1; d < yt->rank; d++)
            inner *= (size_t)yt->shape[d];
        const size_t row = (size_t)yt->shape[axis] * inner;
        for (int j = 0; j < op->input_count; j++) {
            const size_t chunk = (size_t)g->tensors[op->inputs[j]].shape[axis] * inner;
            if (chunk)
                CUDA_TRY(cudaMemcpy2DAsync((char *)y + offset, row, p->device[op->inputs[j]],
                                           chunk, chunk, outer, cudaMemcpyDeviceToDevice,
                                           p->stream),
                         i);
            offset += chunk;
        }
        break;
    }
    case STRIDED: {
        int64_t in_strides[FT_CUDA_MAX_RANK];
        contiguous_strides(xt, in_strides);
        ft_cuda_strided st = {.rank = yt->rank};
        if (op->type == FT_OP_TRANSPOSE) {
            for (int d = 0; d < st.rank; d++) {
                st.out_dims[d] = yt->shape[d];
                st.in_strides[d] = in_strides[op->attrs.perm[d]];
            }
        } else {
            /* Over the input's axes: a TFLite shrink-axis slice drops an
             * axis of length 1 from its output, which changes no offset
             * of the contiguous result but would lose that axis's begin. */
            st.rank = xt->rank;
            for (int d = 0; d < st.rank; d++) {
                st.out_dims[d] = slice_length(op->attrs.begin[d], op->attrs.end[d],
                                              op->attrs.step[d]);
                st.in_strides[d] = in_strides[d] * op->attrs.step[d];
                st.offset += op->attrs.begin[d] * in_strides[d];
            }
        }
        e = ft_cuda_strided_copy(half, &st, x, y, stream);
        break;
    }
    case REDUCE: {
        int64_t in_strides[FT_CUDA_MAX_RANK];
        contiguous_strides(xt, in_strides);
        int reduced[FT_CUDA_MAX_RANK] = {0};
        for (int k = 0; k < op->attrs.axis_count; k++)
            reduced[op->attrs.axes[k]] = 1;
        ft_cuda_reduce r = {.mode = op->type == FT_OP_REDUCE_SUM    ? 0
                                    : op->type == FT_OP_REDUCE_MEAN ? 1
                                                                    : 2};
        for (int d = 0; d < xt->rank; d++) {
            if (reduced[d]) {
                r.red_dims[r.reduced_rank] = xt->shape[d];
                r.red_strides[r.reduced_rank++] = in_strides[d];
            } else {
                r.out_dims[r.rank] = xt->shape[d];
                r.out_in_strides[r.rank++] = in_strides[d];
            }
        }
        e = ft_cuda_reduce_run(half, &r, x, y, stream);
        break;
    }
    case COPY:
        CUDA_TRY(cudaMemcpyAsync(y, x, (size_t)out_count * storage_size(p),
                                 cudaMemcpyDeviceToDevice, p->stream),
                 i);
        break;
    case ON_HOST:
    case FUSED: break;
    }
    CUDA_TRY((cudaError_t)e, i);
    return FT_OK;
}

/* The codes tensor T arrives as, NULL when it is a graph input of floats
 * or no graph input. */
static const ft_nn_input_codes *codes_of(const ft_nn_plan *p, int t)
{
    for (int i = 0; i < p->graph->input_count && i < FT_NN_MAX_IO; i++)
        if (p->graph->inputs[i] == t && p->codes[i].on)
            return &p->codes[i];
    return NULL;
}

/* Bytes of tensor T's host buffer. */
static size_t host_bytes(const ft_nn_plan *p, int t)
{
    const ft_nn_tensor *tensor = &p->graph->tensors[t];
    return (size_t)ft_nn_tensor_elements(tensor) * (codes_of(p, t) ? 1 : ft_dtype_size(tensor->dtype));
}

static ft_status do_transfers(ft_nn_plan *p, int step, int to_device, char *err, size_t err_size)
{
    const op_step *s = &p->steps[step];
    for (int k = s->transfer_first; k < s->transfer_first + s->transfer_count; k++) {
        const transfer *tr = &p->transfers[k];
        if (tr->to_device != to_device)
            continue;
        const ft_nn_tensor *t = &p->graph->tensors[tr->tensor];
        const int64_t count = ft_nn_tensor_elements(t);
        const size_t bytes = (size_t)count * ft_dtype_size(t->dtype);
        /* fp16 storage: the host's fp32 values go through the staging
         * buffer and a conversion (in stream order, so one buffer serves
         * every copy). */
        void *device = p->half ? (void *)p->staging : p->device[tr->tensor];
        const ft_nn_input_codes *codes = to_device ? codes_of(p, tr->tensor) : NULL;
        if (codes) { /* a quarter of the bytes over the bus, mapped here */
            CUDA_TRY(cudaMemcpyAsync(p->code_staging, p->buffers[tr->tensor], (size_t)count,
                                     cudaMemcpyHostToDevice, p->stream),
                     step);
            CUDA_TRY((cudaError_t)ft_cuda_map_codes(p->half, p->code_staging,
                                                    p->device[tr->tensor], count, codes->scale,
                                                    codes->offset, p->stream),
                     step);
        } else if (to_device) {
            CUDA_TRY(cudaMemcpyAsync(device, p->buffers[tr->tensor], bytes,
                                     cudaMemcpyHostToDevice, p->stream),
                     step);
            if (p->half)
                CUDA_TRY((cudaError_t)ft_cuda_convert(1, device, p->device[tr->tensor], count,
                                                      p->stream),
                         step);
        } else {
            if (p->half)
                CUDA_TRY((cudaError_t)ft_cuda_convert(0, p->device[tr->tensor], device, count,
                                                      p->stream),
                         step);
            CUDA_TRY(cudaMemcpyAsync(p->buffers[tr->tensor], device, bytes,
                                     cudaMemcpyDeviceToHost, p->stream),
                     step);
        }
    }
    return FT_OK;
}

/* The kernels of every op in order; what a replay holds. */
static ft_status launch_all(ft_nn_plan *p, char *err, size_t err_size)
{
    for (int i = 0; i < p->graph->op_count; i++) {
        ft_status st = launch_op(p, i, err, err_size);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}

/* Captures the ops of an all-device plan as one CUDA graph. A capture
 * that fails leaves the plan launching op by op, which is as correct. */
static void try_capture(ft_nn_plan *p)
{
    const char *env = getenv("FACETRACK_CUDA_GRAPH");
    if (env && strcmp(env, "0") == 0)
        return;
    if (p->native_ops != p->graph->op_count)
        return;
    char err[256];
    cudaGraph_t graph = NULL;
    if (cudaStreamBeginCapture(p->stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
        cudaGetLastError();
        return;
    }
    const ft_status st = launch_all(p, err, sizeof err);
    const cudaError_t end = cudaStreamEndCapture(p->stream, &graph);
    if (st != FT_OK || end != cudaSuccess ||
        cudaGraphInstantiate(&p->replay, graph, 0) != cudaSuccess)
        p->replay = NULL;
    if (graph)
        cudaGraphDestroy(graph);
    cudaGetLastError(); /* a failed capture is not the next call's error */
}

/* Page-locks the session's host buffers that the copies use, from 1 MiB:
 * a copy from pageable memory goes through a staging buffer at a fraction
 * of the bus's speed (the landmark model's input at batch 256 is 200 MB).
 * Buffers bound later by a caller are copied unlocked; a buffer that cannot
 * be locked is copied as it is. */
static void pin_transfer_buffers(ft_nn_plan *p)
{
    p->pinned = calloc((size_t)p->transfer_count + 1, sizeof *p->pinned);
    for (int k = 0; p->pinned && k < p->transfer_count; k++) {
        const int t = p->transfers[k].tensor;
        const size_t bytes = host_bytes(p, t);
        int seen = 0;
        for (int j = 0; j < p->pinned_count; j++)
            seen |= p->pinned[j] == p->buffers[t];
        if (seen || !p->buffers[t] || bytes < ((size_t)1 << 20))
            continue;
        if (cudaHostRegister(p->buffers[t], bytes, cudaHostRegisterDefault) == cudaSuccess)
            p->pinned[p->pinned_count++] = p->buffers[t];
        else
            cudaGetLastError(); /* already locked by another plan, say: copied as it is */
    }
}

static void print_profile(const ft_nn_plan *p);

static void cuda_plan_free(ft_nn_plan *p)
{
    if (!p)
        return;
    cudaSetDevice(p->device_index);
    if (p->timed_runs)
        print_profile(p);
    for (int i = 0; p->marks && i <= p->graph->op_count; i++)
        if (p->marks[i])
            cudaEventDestroy(p->marks[i]);
    free(p->marks);
    free(p->op_ms);
    if (p->replay)
        cudaGraphExecDestroy(p->replay);
    for (int i = 0; i < p->holding_count; i++) {
        const holding *h = &p->holdings[i];
        if (h->shared_weight)
            ft_cuda_weights_release(p->device_index, h->pointer);
        else
            ft_cuda_memory_free(p->device_index, h->pointer, h->bytes);
    }
    for (int i = 0; i < p->pinned_count; i++)
        cudaHostUnregister(p->pinned[i]);
    free(p->pinned);
    if (p->blas)
        cublasDestroy(p->blas);
    if (p->stream)
        cudaStreamDestroy(p->stream);
    free(p->holdings);
    free(p->device);
    free(p->steps);
    free(p->transfers);
    free(p);
}

/* Every activation a device op touches, in one arena where those whose
 * lives do not overlap share memory (nn/arena_plan.h). A life runs from the
 * op before the first device op that touches it (a fused PRelu's output is
 * written by the op before the PRelu), or from the start for the graph's
 * inputs, to the last op, on the device or the host, that reads it, or to
 * the end for the graph's outputs, which are copied home after the last
 * op. */
static ft_status place_activations(ft_nn_plan *p, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    ft_arena_block *blocks = calloc((size_t)g->tensor_count + 1, sizeof *blocks);
    if (!blocks)
        return fail(p, -1, "out of memory", err, err_size, FT_ERR_NOMEM);
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        if (!on_device(g, op))
            continue;
        for (int j = 0; j < op->input_count + op->output_count; j++) {
            const int t = j < op->input_count ? op->inputs[j] : op->outputs[j - op->input_count];
            if (t < 0 || g->tensors[t].data)
                continue;
            ft_arena_block *b = &blocks[t];
            if (!b->bytes) {
                b->bytes = (size_t)ft_nn_tensor_elements(&g->tensors[t]) * storage_size(p);
                b->bytes += !b->bytes; /* an empty tensor still gets an address */
                b->first = i > 0 ? i - 1 : 0;
            }
            b->last = i;
        }
    }
    /* A host op reads its inputs' device copies through the download made
     * before it: they live until then. */
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        if (on_device(g, op))
            continue;
        for (int j = 0; j < op->input_count; j++)
            if (op->inputs[j] >= 0 && blocks[op->inputs[j]].bytes && blocks[op->inputs[j]].last < i)
                blocks[op->inputs[j]].last = i;
    }
    for (int k = 0; k < g->output_count; k++)
        if (blocks[g->outputs[k]].bytes)
            blocks[g->outputs[k]].last = g->op_count;
    /* A replay uploads every graph input before its first kernel: an input
     * that a later op reads first lives from the start, or the ops before
     * that one would write over it. */
    for (int k = 0; k < g->input_count; k++)
        if (blocks[g->inputs[k]].bytes)
            blocks[g->inputs[k]].first = 0;
    const size_t arena_bytes = ft_arena_plan(blocks, g->tensor_count, 256);
    void *arena = NULL;
    ft_status st = arena_bytes == (size_t)-1
                       ? fail(p, -1, "out of memory", err, err_size, FT_ERR_NOMEM)
                   : arena_bytes ? device_alloc(p, arena_bytes, &arena, -1, err, err_size)
                                 : FT_OK;
    for (int t = 0; t < g->tensor_count && st == FT_OK; t++)
        if (blocks[t].bytes)
            p->device[t] = (char *)arena + blocks[t].offset;
    p->arena_bytes = arena_bytes;
    free(blocks);
    return st;
}

static ft_status cuda_plan_build(ft_nn_plan *p, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    CUDA_TRY(cudaStreamCreateWithFlags(&p->stream, cudaStreamNonBlocking), -1);
    BLAS_TRY(cublasCreate(&p->blas), -1);
    BLAS_TRY(cublasSetStream(p->blas, p->stream), -1);
    /* Bit-for-bit fp32 products (no TF32), for the 1e-4 agreement. */
    BLAS_TRY(cublasSetMathMode(p->blas, CUBLAS_DEFAULT_MATH), -1);

    int io_count = 0;
    for (int i = 0; i < g->op_count; i++)
        io_count += g->ops[i].input_count + g->ops[i].output_count;
    transfer_list list = {p, io_count + g->output_count};
    p->transfers = malloc(sizeof *p->transfers * (size_t)(list.capacity + 1));
    if (!p->transfers || walk_transfers(g, add_transfer, &list) != 0)
        return fail(p, -1, "out of memory", err, err_size, FT_ERR_NOMEM);

    ft_status st = place_activations(p, err, err_size);
    size_t staging_bytes = 0;
    for (int k = 0; p->half && k < p->transfer_count; k++) {
        const size_t bytes = (size_t)ft_nn_tensor_elements(&g->tensors[p->transfers[k].tensor]) *
                             sizeof(float);
        staging_bytes = bytes > staging_bytes ? bytes : staging_bytes;
    }
    void *staging = NULL;
    if (st == FT_OK && staging_bytes)
        st = device_alloc(p, staging_bytes, &staging, -1, err, err_size);
    p->staging = staging;
    size_t code_bytes = 0;
    for (int i = 0; i < g->input_count && i < FT_NN_MAX_IO; i++)
        if (p->codes[i].on && host_bytes(p, g->inputs[i]) > code_bytes)
            code_bytes = host_bytes(p, g->inputs[i]);
    if (st == FT_OK && code_bytes)
        st = device_alloc(p, code_bytes, &p->code_staging, -1, err, err_size);
    for (int i = 0; i < g->op_count && st == FT_OK; i++)
        st = prepare_op(p, i, err, err_size);
    size_t columns = 0;
    for (int i = 0; i < g->op_count; i++)
        if (p->steps[i].kind == CONV_IM2COL && columns_bytes(p, i) > columns)
            columns = columns_bytes(p, i);
    if (st == FT_OK && columns)
        st = device_alloc(p, columns, &p->columns, -1, err, err_size);
    for (int i = 0; i < g->op_count && st == FT_OK; i++)
        for (int j = 0; p->steps[i].kind == ON_HOST && j < g->ops[i].input_count; j++)
            if (g->ops[i].inputs[j] >= 0 && codes_of(p, g->ops[i].inputs[j]))
                st = fail(p, i, "reads an input of codes on the host", err, err_size,
                          FT_ERR_UNSUPPORTED);
    if (st == FT_OK)
        st = fuse_prelus(p, err, err_size);
    if (st == FT_OK)
        st = fuse_blocks(p, err, err_size);
    if (st == FT_OK) {
        try_capture(p);
        pin_transfer_buffers(p);
    }
    return st;
}

static ft_status cuda_plan_create(const ft_nn_graph *g, void *const *buffers,
                                  const ft_nn_plan_target *target, ft_nn_plan **out, char *err,
                                  size_t err_size)
{
    /* Host fallback ops are the single-threaded reference kernels: the pool
     * is not used. */
    *out = NULL;
    ft_status st = cuda_init(err, err_size);
    if (st != FT_OK)
        return st;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || target->device < 0 ||
        target->device >= count) {
        cudaGetLastError();
        snprintf(err, err_size, "%s: cuda: no CUDA device %d (%d found)", model_name(g),
                 target->device, count);
        return FT_ERR_NO_DEVICE;
    }
    cudaError_t e = cudaSetDevice(target->device);
    if (e != cudaSuccess) {
        cudaGetLastError();
        snprintf(err, err_size, "%s: cuda: device %d: %s", model_name(g), target->device,
                 cudaGetErrorString(e));
        return FT_ERR_NO_DEVICE;
    }
    ft_nn_plan *p = calloc(1, sizeof *p);
    if (p) {
        p->graph = g;
        p->buffers = buffers;
        p->device_index = target->device;
        p->half = target->half;
        for (int i = 0; target->input_codes && i < g->input_count && i < FT_NN_MAX_IO; i++)
            p->codes[i] = target->input_codes[i];
        p->device = calloc((size_t)g->tensor_count + 1, sizeof *p->device);
        p->steps = calloc((size_t)g->op_count + 1, sizeof *p->steps);
        /* an arena, constants, reordered filters */
        /* The arena, the staging and window-row buffers, each constant as
         * an operand, and per op at most a filter, a bias and a slope of its
         * own. */
        p->holdings = calloc((size_t)g->tensor_count + 3 * (size_t)g->op_count + 3,
                             sizeof *p->holdings);
    }
    if (!p || !p->device || !p->steps || !p->holdings) {
        cuda_plan_free(p);
        snprintf(err, err_size, "%s: out of memory", model_name(g));
        return FT_ERR_NOMEM;
    }
    const double started = ft_now_ms();
    st = cuda_plan_build(p, err, err_size);
    if (st != FT_OK) {
        cuda_plan_free(p);
        return st;
    }
    ft_log(FT_LOG_DEBUG, "%s: cuda plan for batch %lld on device %d made in %.1f ms",
           model_name(g), g->input_count > 0 ? (long long)g->tensors[g->inputs[0]].shape[0] : 0,
           target->device, ft_now_ms() - started);
    *out = p;
    return FT_OK;
}

static ft_status cuda_plan_rebind(ft_nn_plan *p, void *const *buffers, char *err,
                                  size_t err_size)
{
    (void)err;
    (void)err_size;
    p->buffers = buffers; /* only the copies read them; the replay holds device pointers */
    return FT_OK;
}

static ft_status cuda_plan_run(ft_nn_plan *p, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    ft_status st = FT_OK;
    /* The device is a per-thread setting, and a session may run on any of
     * the caller's threads. */
    CUDA_TRY(cudaSetDevice(p->device_index), -1);
    if (p->replay) {
        for (int i = 0; i < g->op_count && st == FT_OK; i++)
            st = do_transfers(p, i, 1, err, err_size);
        if (st != FT_OK)
            return st;
        CUDA_TRY(cudaGraphLaunch(p->replay, p->stream), -1);
    } else {
        for (int i = 0; i < g->op_count && st == FT_OK; i++) {
            const int host = p->steps[i].kind == ON_HOST;
            st = do_transfers(p, i, !host, err, err_size);
            if (st != FT_OK)
                return st;
            if (!host) {
                st = launch_op(p, i, err, err_size);
                continue;
            }
            CUDA_TRY(cudaStreamSynchronize(p->stream), i);
            st = ft_nn_reference_run_op(g, i, p->buffers);
            if (st != FT_OK)
                return fail(p, i, ft_status_str(st), err, err_size, st);
        }
        if (st != FT_OK)
            return st;
    }
    st = do_transfers(p, g->op_count, 0, err, err_size);
    if (st != FT_OK)
        return st;
    CUDA_TRY(cudaStreamSynchronize(p->stream), -1);
    return FT_OK;
}

/* The kernels op by op between events, each op's time added to OP_MS. */
static ft_status profile_run(ft_nn_plan *p)
{
    const ft_nn_graph *g = p->graph;
    char err[256];
    if (!p->marks) {
        p->marks = calloc((size_t)g->op_count + 1, sizeof *p->marks);
        p->op_ms = calloc((size_t)g->op_count + 1, sizeof *p->op_ms);
        for (int i = 0; p->marks && i <= g->op_count; i++)
            if (cudaEventCreate(&p->marks[i]) != cudaSuccess)
                return FT_ERR_INTERNAL;
        if (!p->marks || !p->op_ms)
            return FT_ERR_NOMEM;
    }
    cudaEventRecord(p->marks[0], p->stream);
    for (int i = 0; i < g->op_count; i++) {
        if (p->steps[i].kind != ON_HOST && launch_op(p, i, err, sizeof err) != FT_OK)
            return FT_ERR_INTERNAL;
        cudaEventRecord(p->marks[i + 1], p->stream);
    }
    if (cudaStreamSynchronize(p->stream) != cudaSuccess)
        return FT_ERR_INTERNAL;
    for (int i = 0; i < g->op_count; i++) {
        float ms = 0;
        cudaEventElapsedTime(&ms, p->marks[i], p->marks[i + 1]);
        p->op_ms[i] += ms;
    }
    p->timed_runs++;
    return FT_OK;
}

static const char *kind_name(device_kind k)
{
    static const char *const names[] = {"host",  "conv",    "conv1x1-gemm", "conv-im2col",
                                        "conv-pixel", "depthwise", "fc", "pool", "binary",
                                        "unary", "pad", "concat", "copy", "strided", "reduce", "resize",
                                        "conv1x1-block", "fused"};
    _Static_assert(sizeof names / sizeof *names == FUSED + 1, "a name for every kind");
    return names[k];
}

/* The ops that took most of the timed runs, with their output shapes. */
static void print_profile(const ft_nn_plan *p)
{
    const ft_nn_graph *g = p->graph;
    int *order = malloc(sizeof *order * (size_t)(g->op_count + 1));
    if (!order)
        return;
    double total = 0;
    for (int i = 0; i < g->op_count; i++) {
        order[i] = i;
        total += p->op_ms[i];
    }
    for (int r = 0; r < g->op_count && r < 25; r++) /* the 25 costliest first */
        for (int k = r + 1; k < g->op_count; k++)
            if (p->op_ms[order[k]] > p->op_ms[order[r]]) {
                const int t = order[r];
                order[r] = order[k];
                order[k] = t;
            }
    double by_kind[FUSED + 1] = {0};
    for (int i = 0; i < g->op_count; i++)
        by_kind[p->steps[i].kind] += p->op_ms[i];
    fprintf(stderr, "cuda profile of %s (%s): %.3f ms per run over %d runs\n", model_name(g),
            p->half ? "fp16" : "fp32", total / p->timed_runs, p->timed_runs);
    for (int k = 0; k <= FUSED; k++)
        if (by_kind[k] > 0)
            fprintf(stderr, "  %-13s %6.1f %%\n", kind_name((device_kind)k), 100 * by_kind[k] / total);
    for (int r = 0; r < g->op_count && r < 25; r++) {
        const int i = order[r];
        const ft_nn_tensor *y = &g->tensors[g->ops[i].outputs[0]];
        const ft_nn_tensor *x = &g->tensors[g->ops[i].inputs[0]];
        fprintf(stderr, "  op %3d %-13s %7.4f ms %5.1f %%  in", i, kind_name(p->steps[i].kind),
                p->op_ms[i] / p->timed_runs, 100 * p->op_ms[i] / total);
        for (int d = 0; d < x->rank; d++)
            fprintf(stderr, "%s%lld", d ? "x" : " ", (long long)x->shape[d]);
        fprintf(stderr, " out");
        for (int d = 0; d < y->rank; d++)
            fprintf(stderr, "%s%lld", d ? "x" : " ", (long long)y->shape[d]);
        fprintf(stderr, "\n");
    }
    free(order);
}

static ft_status cuda_plan_run_library_only(ft_nn_plan *p)
{
    char err[256];
    if (cudaSetDevice(p->device_index) != cudaSuccess)
        return FT_ERR_INTERNAL;
    const char *profile = getenv("FACETRACK_CUDA_PROFILE");
    if (profile && strcmp(profile, "1") == 0)
        return profile_run(p);
    ft_status st = p->replay ? (cudaGraphLaunch(p->replay, p->stream) == cudaSuccess
                                    ? FT_OK
                                    : FT_ERR_INTERNAL)
                             : FT_OK;
    for (int i = 0; !p->replay && i < p->graph->op_count && st == FT_OK; i++)
        if (p->steps[i].kind != ON_HOST)
            st = launch_op(p, i, err, sizeof err);
    if (st == FT_OK && cudaStreamSynchronize(p->stream) != cudaSuccess)
        st = FT_ERR_INTERNAL;
    return st;
}

static int cuda_plan_native_ops(const ft_nn_plan *p)
{
    return p->native_ops;
}

static void *cuda_host_alloc(size_t bytes)
{
    void *p = NULL;
    if (cudaHostAlloc(&p, bytes, cudaHostAllocPortable) != cudaSuccess) {
        cudaGetLastError();
        return NULL;
    }
    return p;
}

static void cuda_host_free(void *pointer)
{
    if (pointer)
        cudaFreeHost(pointer);
}

const ft_nn_backend_def ft_nn_backend_cuda = {
    .name = "cuda",
    .init = cuda_init,
    .op_table = cuda_ops,
    .op_table_count = (int)(sizeof cuda_ops / sizeof *cuda_ops),
    .mark_buffers = cuda_mark_buffers,
    .plan_create = cuda_plan_create,
    .plan_rebind = cuda_plan_rebind,
    .plan_run = cuda_plan_run,
    .plan_run_library_only = cuda_plan_run_library_only,
    .plan_native_ops = cuda_plan_native_ops,
    .plan_free = cuda_plan_free,
    .whole_batches = 1,
    .takes_input_codes = 1,
    .set_memory_limit = ft_cuda_memory_set_limit,
    .memory_in_use = ft_cuda_memory_in_use,
    .memory_peak = ft_cuda_memory_peak,
    .host_alloc = cuda_host_alloc,
    .host_free = cuda_host_free,
};
