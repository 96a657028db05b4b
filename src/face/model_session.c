#include "face/model_session.h"

#include <stdio.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/graph_cache.h"

ft_status ft_model_session_open(ft_model_session *m, const char *spec, ft_model_check_fn check,
                                void *context, pthreadpool_t pool, int threads, char *err,
                                size_t err_size)
{
    memset(m, 0, sizeof *m);
    ft_status st = ft_nn_graph_acquire(spec, NULL, &m->graph, err, err_size);
    if (st != FT_OK)
        return st;
    char reason[512];
    st = check(context, m->graph, reason, sizeof reason);
    if (st == FT_OK && !pool && threads != 1)
        m->own_pool = pool = pthreadpool_create(threads > 0 ? (size_t)threads : 0);
    if (st == FT_OK) {
        /* MediaPipe runs these models on XNNPACK; so do we. */
        const ft_nn_session_options opt = {.pool = pool};
        st = ft_nn_session_create(m->graph, &ft_nn_backend_xnnpack, &opt, &m->session, reason,
                                  sizeof reason);
    }
    if (st != FT_OK) {
        if (err && err_size)
            snprintf(err, err_size, "%s: %s", spec, reason);
        ft_model_session_close(m);
    }
    return st;
}

void ft_model_session_close(ft_model_session *m)
{
    ft_nn_session_free(m->session);
    if (m->own_pool)
        pthreadpool_destroy(m->own_pool);
    ft_nn_graph_release(m->graph);
    memset(m, 0, sizeof *m);
}
