/* A session runs one shared, read-only graph on one backend: XNNPACK's
 * create -> reshape -> setup -> run, ncnn's net/extractor split. It owns
 * the activation buffers and the backend plans, allocates nothing per run,
 * and is used by one thread at a time; any number of sessions may share a
 * graph (nn/graph_cache.h). */
#ifndef FT_NN_SESSION_H
#define FT_NN_SESSION_H

#include <stddef.h>

#include <pthreadpool.h>

#include "nn/backend.h"
#include "nn/graph.h"

/* Where activation buffers come from (NULL in the options: malloc). */
typedef struct ft_nn_allocator {
    void *(*alloc)(void *context, size_t size); /* zeroed not required */
    void (*release)(void *context, void *pointer);
    void *context;
} ft_nn_allocator;

/* How a plan for N items runs them. Either way the caller sees one run
 * over [N, ...] buffers and gets the same numbers. */
typedef enum ft_nn_batch_mode {
    FT_NN_BATCH_AUTO = 0, /* item by item when one item's largest activation
                             outgrows a quarter of the L2 cache, else whole */
    FT_NN_BATCH_WHOLE,    /* one plan over all N items, kernel by kernel */
    FT_NN_BATCH_ITEMS,    /* one batch-1 plan bound to each item's slices of
                             the same buffers in turn: no copies, one copy
                             of the packed weights, a re-setup per item */
} ft_nn_batch_mode;

typedef struct ft_nn_session_options {
    pthreadpool_t pool;                 /* NULL: the caller's thread only */
    const ft_nn_allocator *allocator;   /* NULL: malloc */
    ft_nn_batch_mode batch_mode;
    int device;                         /* device backends: the device's index (0 ..) */
    int half;                           /* device backends: fp16 storage, fp32 arithmetic */
    const ft_nn_input_codes *input_codes; /* per graph input (NULL: all floats) */
} ft_nn_session_options;

typedef struct ft_nn_session ft_nn_session;

/* Plans for this many batch sizes stay ready; using another drops the one
 * used longest ago. */
#define FT_NN_SESSION_PLANS 8

/* Checks the graph's ops on BACKEND (one line naming the model and op in
 * ERR), makes the batch-1 plan and makes it current. OPTIONS may be NULL.
 * GRAPH and the pool must outlive the session. */
ft_status ft_nn_session_create(const ft_nn_graph *graph, const ft_nn_backend_def *backend,
                               const ft_nn_session_options *options, ft_nn_session **out,
                               char *err, size_t err_size);
void ft_nn_session_free(ft_nn_session *session);

/* Makes the plan for BATCH items current (building it the first time):
 * every input [1, ...] becomes [BATCH, ...], every output's leading axis
 * grows BATCH times (nn/batch_shapes.h). FT_ERR_UNSUPPORTED, with the op
 * in ft_nn_session_error, where batching would mix items.
 * *WORKSPACE_BYTES (may be NULL): the activation memory of that plan.
 * Bindings made by ft_nn_session_setup are dropped. */
ft_status ft_nn_session_reshape(ft_nn_session *session, int batch, size_t *workspace_bytes);
int ft_nn_session_batch(const ft_nn_session *session);
/* 1 when the current plan runs its items one by one (FT_NN_BATCH_ITEMS, or
 * chosen by FT_NN_BATCH_AUTO). */
int ft_nn_session_item_by_item(const ft_nn_session *session);

/* Binds caller buffers to the current plan's inputs and outputs (arrays of
 * the graph's input and output count; either array or any entry may be
 * NULL: the session's own buffer). A bound buffer must hold the reshaped
 * tensor plus 64 bytes of slack. */
ft_status ft_nn_session_setup(ft_nn_session *session, void *const *inputs, void *const *outputs);

/* The current plan's buffer of input I (fill before run: bytes for an
 * input of codes, else its dtype) and output I (valid after run until the
 * next), whether bound or owned. */
void *ft_nn_session_input(ft_nn_session *session, int i);
const void *ft_nn_session_output(const ft_nn_session *session, int i);

/* The current plan's shape of output I: its rank, and its dims in SHAPE
 * (FT_NN_MAX_RANK entries); -1 for no such output. */
int ft_nn_session_output_shape(const ft_nn_session *session, int i, int64_t *shape);

ft_status ft_nn_session_run(ft_nn_session *session);
/* 1 when input I is filled with codes (ft_nn_input_codes). */
int ft_nn_session_input_is_codes(const ft_nn_session *session, int i);
/* From now on, runs of SESSION are gathered with those of every other such
 * session of its graph on its backend and device into runs of at most
 * MAX_ITEMS items (nn/merged_runs.h); the session's own plans keep only its
 * inputs and outputs, on the host. Where the merger cannot be made (out of
 * memory, say), the reason is in ft_nn_session_error and the session goes
 * on running alone. */
ft_status ft_nn_session_merge_runs(ft_nn_session *session, int max_items);

/* Benchmarks: the kernel library's part of a run alone (FT_ERR_UNSUPPORTED
 * on a backend without one). Outputs are not valid. */
ft_status ft_nn_session_run_library_only(ft_nn_session *session);

/* Ops the current plan runs outside the reference kernels. */
int ft_nn_session_native_ops(const ft_nn_session *session);
const ft_nn_backend_def *ft_nn_session_backend(const ft_nn_session *session);
const ft_nn_graph *ft_nn_session_graph(const ft_nn_session *session);

/* The last failure, one line naming the model and op; "" when none. */
const char *ft_nn_session_error(const ft_nn_session *session);

#endif
