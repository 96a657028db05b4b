#include "face/model_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facetrack.h"
#include "nn/backend.h"
#include "nn/graph_cache.h"

/* FACETRACK_GPU_PARTIAL=1: a model the GPU runs only in part stays on it. */
static int keep_partial_on_gpu(void)
{
    const char *env = getenv("FACETRACK_GPU_PARTIAL");
    return env && strcmp(env, "1") == 0;
}

/* The most items a merged GPU run takes (FACETRACK_GPU_MERGE=N; 0: each
 * worker's runs alone). Gathering the workers' few faces into one run is
 * what lets many videos share a GPU (nn/merged_runs.h). */
static int merge_items(void)
{
    const char *env = getenv("FACETRACK_GPU_MERGE");
    if (!env || !*env)
        return 64;
    char *end;
    const long n = strtol(env, &end, 10);
    return *end || n < 0 || n > 1024 ? 64 : (int)n;
}

ft_status ft_model_place_session(const char *spec, const ft_nn_graph *graph,
                                 const ft_model_place *place, ft_nn_session **out, char *reason,
                                 size_t reason_size)
{
    *out = NULL;
    /* MediaPipe runs these models on XNNPACK on the CPU; so do we. */
    const ft_nn_backend_def *backend =
        place->gpu_device >= 0 ? ft_nn_backend_find("cuda") : &ft_nn_backend_xnnpack;
    if (!backend) {
        snprintf(reason, reason_size, "this build has no CUDA backend");
        return FT_ERR_NO_DEVICE;
    }
    const ft_nn_session_options opt = {.pool = place->pool,
                                       .device = place->gpu_device > 0 ? place->gpu_device : 0,
                                       .half = place->gpu_device >= 0 && place->gpu_fp16,
                                       .input_codes = place->gpu_device >= 0
                                                          ? place->gpu_input_codes
                                                          : NULL};
    ft_status st = ft_nn_session_create(graph, backend, &opt, out, reason, reason_size);
    if (st == FT_OK && place->gpu_device >= 0 && !keep_partial_on_gpu() &&
        ft_nn_session_native_ops(*out) < graph->op_count) {
        /* Ops the device lacks split a run into device segments with host
         * round trips between them (the blendshape model's transposes and
         * reductions, the full-range detector's resizes): at a frame's few
         * faces XNNPACK runs such a model faster, and the GPU's queue stays
         * for the models it runs whole (measured on an H100: track of 16
         * 1080p videos at 571 frames/s this way, 439 with them on the GPU). */
        ft_log(FT_LOG_INFO, "%s: %d of its %d ops have no GPU kernel: it runs on the CPU", spec,
               graph->op_count - ft_nn_session_native_ops(*out), graph->op_count);
        ft_nn_session_free(*out);
        *out = NULL;
        const ft_nn_session_options cpu = {.pool = place->pool};
        st = ft_nn_session_create(graph, &ft_nn_backend_xnnpack, &cpu, out, reason, reason_size);
    } else if (st == FT_OK && place->gpu_device >= 0 && merge_items() > 0 &&
               ft_nn_session_merge_runs(*out, merge_items()) != FT_OK) {
        ft_log(FT_LOG_INFO, "%s", ft_nn_session_error(*out));
    }
    return st;
}

ft_status ft_model_session_open_on(ft_model_session *m, const char *spec, ft_model_check_fn check,
                                   void *context, const ft_model_place *place, char *err,
                                   size_t err_size)
{
    memset(m, 0, sizeof *m);
    ft_status st = ft_nn_graph_acquire(spec, NULL, &m->graph, err, err_size);
    if (st != FT_OK)
        return st;
    char reason[512];
    st = check(context, m->graph, reason, sizeof reason);
    ft_model_place where = *place;
    if (st == FT_OK && !where.pool && where.threads != 1 && where.gpu_device < 0)
        m->own_pool = where.pool =
            pthreadpool_create(where.threads > 0 ? (size_t)where.threads : 0);
    if (st == FT_OK)
        st = ft_model_place_session(spec, m->graph, &where, &m->session, reason, sizeof reason);
    if (st != FT_OK) {
        if (err && err_size)
            snprintf(err, err_size, "%s: %s", spec, reason);
        ft_model_session_close(m);
    }
    return st;
}

ft_status ft_model_session_open(ft_model_session *m, const char *spec, ft_model_check_fn check,
                                void *context, pthreadpool_t pool, int threads, char *err,
                                size_t err_size)
{
    const ft_model_place cpu = {.pool = pool, .threads = threads, .gpu_device = -1};
    return ft_model_session_open_on(m, spec, check, context, &cpu, err, err_size);
}

void ft_model_session_close(ft_model_session *m)
{
    ft_nn_session_free(m->session);
    if (m->own_pool)
        pthreadpool_destroy(m->own_pool);
    ft_nn_graph_release(m->graph);
    memset(m, 0, sizeof *m);
}
