/* What every face model module does to get a model running: take the
 * process-wide graph of its spec, check it is the model the module
 * expects, and open a session on the XNNPACK backend with an injected
 * thread pool (or one of its own made from a thread count), or on the
 * cuda backend on one GPU. */
#ifndef FT_FACE_MODEL_SESSION_H
#define FT_FACE_MODEL_SESSION_H

#include <stddef.h>

#include <pthreadpool.h>

#include "nn/graph.h"
#include "nn/session.h"

/* Where a model runs: on the CPU with POOL (NULL: one made here of
 * THREADS, 0 = one per CPU, 1 = the caller's thread), or on CUDA device
 * GPU_DEVICE (>= 0), the pool then only doing the host-side work. */
typedef struct ft_model_place {
    pthreadpool_t pool;
    int threads;
    int gpu_device; /* -1: the CPU */
    int gpu_fp16;   /* on a GPU: fp16 storage */
    /* On a GPU: per graph input, filled with bytes to map there (NULL: all
     * floats); ft_nn_session_input_is_codes says what the session took. */
    const ft_nn_input_codes *gpu_input_codes;
} ft_model_place;

typedef struct ft_model_session {
    const ft_nn_graph *graph;  /* shared (nn/graph_cache.h) */
    ft_nn_session *session;
    pthreadpool_t own_pool;    /* made here when none was injected */
} ft_model_session;

/* Says why GRAPH is not the model the module expects (REASON, one line)
 * or returns FT_OK. */
typedef ft_status (*ft_model_check_fn)(void *context, const ft_nn_graph *graph, char *reason,
                                       size_t reason_size);

/* One line naming SPEC in ERR on failure; M is then empty.
 * FT_ERR_NO_DEVICE: PLACE names a GPU this process cannot use. */
ft_status ft_model_session_open_on(ft_model_session *m, const char *spec, ft_model_check_fn check,
                                   void *context, const ft_model_place *place, char *err,
                                   size_t err_size);
/* A session of GRAPH (loaded from SPEC) where PLACE says (a model the GPU
 * would run only in part runs on XNNPACK instead, saying so in an info
 * line; FACETRACK_GPU_PARTIAL=1 keeps it there).
 * PLACE's pool is used as it is (no pool: the caller's thread). */
ft_status ft_model_place_session(const char *spec, const ft_nn_graph *graph,
                                 const ft_model_place *place, ft_nn_session **out, char *reason,
                                 size_t reason_size);
/* The same on the CPU. */
ft_status ft_model_session_open(ft_model_session *m, const char *spec, ft_model_check_fn check,
                                void *context, pthreadpool_t pool, int threads, char *err,
                                size_t err_size);
void ft_model_session_close(ft_model_session *m);

#endif
