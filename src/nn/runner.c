/* The runner: a batch-1 session on a named backend, with a thread pool of
 * its own; kept for callers that need nothing more. */
#include <stdio.h>
#include <stdlib.h>

#include "nn/runner.h"
#include "nn/session.h"

struct ft_nn_runner {
    ft_nn_session *session;
    pthreadpool_t pool;
};

/* The backend table's row for each enumerator. */
static const char *const backend_rows[] = {
    [FT_NN_BACKEND_REFERENCE] = "reference",
    [FT_NN_BACKEND_FAST] = "xnnpack",
};

const char *ft_nn_backend_name(ft_nn_backend backend)
{
    return (unsigned)backend < sizeof backend_rows / sizeof *backend_rows ? backend_rows[backend]
                                                                         : "unknown";
}

static ft_status runner_on(const ft_nn_graph *g, const ft_nn_backend_def *row, int device,
                           int threads, ft_nn_runner **out, char *err, size_t err_size)
{
    *out = NULL;
    if (!g || !row) {
        snprintf(err, err_size, "(model): unknown backend");
        return FT_ERR_INVALID_ARG;
    }
    ft_nn_runner *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_size, "%s: out of memory", g->name ? g->name : "(model)");
        return FT_ERR_NOMEM;
    }
    if (threads != 1)
        r->pool = pthreadpool_create(threads > 0 ? (size_t)threads : 0);
    const ft_nn_session_options opt = {.pool = r->pool, .device = device};
    ft_status st = ft_nn_session_create(g, row, &opt, &r->session, err, err_size);
    if (st != FT_OK) {
        ft_nn_runner_free(r);
        return st;
    }
    *out = r;
    return FT_OK;
}

ft_status ft_nn_runner_create(const ft_nn_graph *g, ft_nn_backend backend, int threads,
                              ft_nn_runner **out, char *err, size_t err_size)
{
    return runner_on(g, ft_nn_backend_find(ft_nn_backend_name(backend)), 0, threads, out, err,
                     err_size);
}

ft_status ft_nn_runner_create_on_gpu(const ft_nn_graph *g, int device, int threads,
                                     ft_nn_runner **out, char *err, size_t err_size)
{
    const ft_nn_backend_def *cuda = ft_nn_backend_find("cuda");
    if (!cuda) {
        *out = NULL;
        snprintf(err, err_size, "this build has no CUDA backend");
        return FT_ERR_NO_DEVICE;
    }
    return runner_on(g, cuda, device, threads, out, err, err_size);
}

int ft_nn_runner_fast_ops(const ft_nn_runner *r)
{
    return r ? ft_nn_session_native_ops(r->session) : 0;
}

void ft_nn_runner_free(ft_nn_runner *r)
{
    if (!r)
        return;
    ft_nn_session_free(r->session);
    if (r->pool)
        pthreadpool_destroy(r->pool);
    free(r);
}

void *ft_nn_runner_input(ft_nn_runner *r, int i)
{
    return r ? ft_nn_session_input(r->session, i) : NULL;
}

const void *ft_nn_runner_output(const ft_nn_runner *r, int i)
{
    return r ? ft_nn_session_output(r->session, i) : NULL;
}

const char *ft_nn_runner_error(const ft_nn_runner *r)
{
    return r ? ft_nn_session_error(r->session) : "";
}

ft_status ft_nn_runner_run(ft_nn_runner *r)
{
    return r ? ft_nn_session_run(r->session) : FT_ERR_INVALID_ARG;
}

ft_status ft_nn_runner_run_library_only(ft_nn_runner *r)
{
    if (!r)
        return FT_ERR_INVALID_ARG;
    ft_status st = ft_nn_session_run_library_only(r->session);
    return st == FT_ERR_UNSUPPORTED ? FT_OK : st; /* no library: nothing to time */
}
