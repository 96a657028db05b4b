/* The backend table: what a backend is to the rest of the runtime. Each row
 * says which ops it runs (its op table, read by its support check and by
 * the differential test alike) and turns a graph whose shapes are fixed,
 * with one buffer per tensor, into a plan that runs it. A new row (CUDA)
 * is a new file in src/nn/ and one line in backend.c. */
#ifndef FT_NN_BACKEND_H
#define FT_NN_BACKEND_H

#include <pthreadpool.h>

#include "nn/graph.h"

/* One op type a backend claims, and the condition on its tensors and
 * attributes (NULL: every instance the shape checker accepts). */
typedef struct ft_nn_op_support {
    ft_op_type type;
    int (*accepts)(const ft_nn_graph *graph, const ft_nn_op *op);
} ft_nn_op_support;

/* A compiled graph bound to its buffers; each backend defines its own. */
typedef struct ft_nn_plan ft_nn_plan;

/* An input the caller fills with bytes, one per element (codes 0..255):
 * the model sees code * scale + offset, in float arithmetic (a multiply,
 * then an add), which is what an image warped to 0..255 and mapped onto a
 * range gives. A device backend copies the bytes, a quarter of the floats,
 * and maps them there; the others map them on the host before a run. */
typedef struct ft_nn_input_codes {
    int on;
    float scale, offset;
} ft_nn_input_codes;

/* Where a plan runs: the host threads it may use and, for a device
 * backend, which device. */
typedef struct ft_nn_plan_target {
    pthreadpool_t pool; /* NULL: the caller's thread */
    int device;         /* device backends: the device's index (0 ..) */
    int half;           /* device backends: fp16 storage (fp32 arithmetic); the
                           host's tensors stay fp32 */
    /* Backends that take input codes (below): per graph input, whether its
     * buffer holds bytes to map (NULL: all floats). */
    const ft_nn_input_codes *input_codes;
} ft_nn_plan_target;

typedef struct ft_nn_backend_def {
    const char *name;
    /* FT_OK when usable here; FT_ERR_NO_DEVICE (no usable hardware),
     * FT_ERR_UNSUPPORTED (a parameter it cannot honour) or FT_ERR_INTERNAL,
     * with one line in ERR. Safe to call any number of times. */
    ft_status (*init)(char *err, size_t err_size);
    const ft_nn_op_support *op_table;
    int op_table_count;
    /* Sets NEEDED[t] for every activation the plan reads or writes through
     * the buffers it is given; the others (values a kernel library keeps in
     * its own arena) get no buffer. NULL: every activation. */
    void (*mark_buffers)(const ft_nn_graph *graph, char *needed);
    /* Compiles GRAPH (every shape fixed, every op checked) over BUFFERS,
     * one per tensor (constants' data, activations' storage with 64 bytes
     * of slack), to run where TARGET says. */
    ft_status (*plan_create)(const ft_nn_graph *graph, void *const *buffers,
                             const ft_nn_plan_target *target, ft_nn_plan **out, char *err,
                             size_t err_size);
    /* BUFFERS changed (a caller bound its own input or output). */
    ft_status (*plan_rebind)(ft_nn_plan *plan, void *const *buffers, char *err, size_t err_size);
    /* One line naming the model and op in ERR on failure. */
    ft_status (*plan_run)(ft_nn_plan *plan, char *err, size_t err_size);
    /* Benchmarks: the kernel library alone (NULL where there is none). */
    ft_status (*plan_run_library_only)(ft_nn_plan *plan);
    /* Ops the plan runs outside the reference kernels. */
    int (*plan_native_ops)(const ft_nn_plan *plan);
    void (*plan_free)(ft_nn_plan *plan);
    /* 1: a batch always runs as one plan over all its items, never item by
     * item (a device's kernels want the whole batch; its memory is not the
     * host's cache that FT_NN_BATCH_AUTO guards). */
    int whole_batches;
    /* 1: a graph input's buffer may hold codes (ft_nn_input_codes) that
     * the plan maps itself, as its target says. */
    int takes_input_codes;
    /* Device backends (NULL elsewhere): the cap on the memory the row may
     * hold on each device, process-wide (0: none), and what it holds on
     * DEVICE now and at most so far. */
    void (*set_memory_limit)(size_t bytes);
    size_t (*memory_in_use)(int device);
    size_t (*memory_peak)(int device);
    /* Device backends (NULL elsewhere): host memory the device copies from
     * and to at the bus's full speed (page-locked; NULL when refused), and
     * its release. */
    void *(*host_alloc)(size_t bytes);
    void (*host_free)(void *pointer);
} ft_nn_backend_def;

/* The rows built into this library, by name ("reference", "xnnpack", "cuda"); NULL
 * when there is none of that name. */
const ft_nn_backend_def *ft_nn_backend_find(const char *name);
/* Rows 0 .. ft_nn_backend_count() - 1, the reference first. */
int ft_nn_backend_count(void);
const ft_nn_backend_def *ft_nn_backend_at(int index);

/* 1 when BACKEND's op table has an entry for OP's type whose condition
 * holds. */
int ft_nn_backend_supports(const ft_nn_backend_def *backend, const ft_nn_graph *graph,
                           const ft_nn_op *op);

/* The rows (defined in their own files). */
extern const ft_nn_backend_def ft_nn_backend_reference;
extern const ft_nn_backend_def ft_nn_backend_xnnpack;
#ifdef FT_HAVE_CUDA
extern const ft_nn_backend_def ft_nn_backend_cuda; /* only in builds with the CUDA part */
#endif

/* For backends that run some ops on the reference kernels: op I of GRAPH
 * over BUFFERS. */
ft_status ft_nn_reference_run_op(const ft_nn_graph *graph, int i, void *const *buffers);

/* "Conv2D", or a custom op's own name. */
const char *ft_nn_op_label(const ft_nn_op *op);

#endif
