/* Running a graph, the simple way: a runner is a batch-1 session
 * (nn/session.h) on the backend row the enumerator names, with a thread
 * pool of its own. It allocates nothing per run. One runner per thread;
 * the graph it was made from must outlive it and may be shared by many
 * runners. Batching, injected pools and caller buffers: use a session. */
#ifndef FT_NN_RUNNER_H
#define FT_NN_RUNNER_H

#include "nn/graph.h"

typedef enum ft_nn_backend {
    FT_NN_BACKEND_REFERENCE = 0, /* the "reference" row: plain C, every op */
    FT_NN_BACKEND_FAST,          /* the "xnnpack" row: XNNPACK, reference ops between */
} ft_nn_backend;

/* The backend table's row name of BACKEND ("reference", "xnnpack"). */
const char *ft_nn_backend_name(ft_nn_backend backend);

typedef struct ft_nn_runner ft_nn_runner;

/* Checks every op's shapes and plans the buffers; one line in ERR naming
 * the op on failure. THREADS: 0 = one per CPU (the fast backend only). */
ft_status ft_nn_runner_create(const ft_nn_graph *graph, ft_nn_backend backend, int threads,
                              ft_nn_runner **out, char *err, size_t err_size);

/* The same on GPU DEVICE (the "cuda" row; ops it has no kernel for run on
 * the host with THREADS). FT_ERR_NO_DEVICE with the reason when this build
 * or machine has no such GPU. */
ft_status ft_nn_runner_create_on_gpu(const ft_nn_graph *graph, int device, int threads,
                                     ft_nn_runner **out, char *err, size_t err_size);

/* Ops the fast backend runs with XNNPACK (the rest fall back). */
int ft_nn_runner_fast_ops(const ft_nn_runner *runner);
void ft_nn_runner_free(ft_nn_runner *runner);

/* The buffer of graph input I (fill it before run) and of graph output I
 * (valid after run, until the next run). Element type: the tensor's dtype. */
void *ft_nn_runner_input(ft_nn_runner *runner, int i);
const void *ft_nn_runner_output(const ft_nn_runner *runner, int i);

ft_status ft_nn_runner_run(ft_nn_runner *runner);

/* Benchmarks only: invokes the kernel library's runtimes of a fast runner
 * back to back and nothing else (no fallback ops, no bookkeeping), which
 * is what the raw library costs on this graph. Outputs are not valid. */
ft_status ft_nn_runner_run_library_only(ft_nn_runner *runner);
const char *ft_nn_runner_error(const ft_nn_runner *runner);

#endif
