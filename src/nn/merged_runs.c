/* Merged runs of one model on one GPU: nn/merged_runs.h says why and how. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/merged_runs.h"
#include "nn/session.h"

/* Two runs in flight: one gathers and copies while the other computes. */
#define RUNNERS 2

typedef struct request {
    int n;
    const void *const *inputs;
    void *const *outputs;
    int done;
    ft_status status;
    char error[256];
    struct request *next;
} request;

struct ft_nn_merger {
    const ft_nn_graph *graph;
    const ft_nn_backend_def *backend;
    int device, half, batch;
    int refs;
    struct ft_nn_merger *next; /* in the process's list */

    pthread_mutex_t lock;
    pthread_cond_t changed;
    ft_nn_session *runners[RUNNERS];
    int busy[RUNNERS];
    request *head, *tail; /* waiting, oldest first */
    size_t input_item[FT_NN_MAX_IO], output_item[FT_NN_MAX_IO]; /* bytes per item */
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static ft_nn_merger *mergers;

static size_t item_bytes(const ft_nn_graph *g, int tensor)
{
    const ft_nn_tensor *t = &g->tensors[tensor];
    return (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(t->dtype);
}

static void merger_free(ft_nn_merger *m)
{
    for (int r = 0; r < RUNNERS; r++)
        ft_nn_session_free(m->runners[r]);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->changed);
    free(m);
}

static ft_status merger_new(const ft_nn_graph *g, const ft_nn_backend_def *backend, int device,
                            int half, int batch, ft_nn_merger **out, char *err, size_t err_size)
{
    ft_nn_merger *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    *m = (ft_nn_merger){.graph = g, .backend = backend, .device = device, .half = half,
                        .batch = batch, .refs = 1};
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->changed, NULL);
    const ft_nn_session_options options = {.device = device, .half = half};
    ft_status st = FT_OK;
    for (int r = 0; r < RUNNERS && st == FT_OK; r++) {
        st = ft_nn_session_create(g, backend, &options, &m->runners[r], err, err_size);
        if (st == FT_OK && (st = ft_nn_session_reshape(m->runners[r], batch, NULL)) != FT_OK)
            snprintf(err, err_size, "%s", ft_nn_session_error(m->runners[r]));
    }
    for (int i = 0; i < g->input_count; i++)
        m->input_item[i] = item_bytes(g, g->inputs[i]);
    for (int i = 0; i < g->output_count; i++)
        m->output_item[i] = item_bytes(g, g->outputs[i]);
    if (st != FT_OK) {
        merger_free(m);
        return st;
    }
    *out = m;
    return FT_OK;
}

ft_status ft_nn_merger_acquire(const ft_nn_graph *g, const ft_nn_backend_def *backend,
                               int device, int half, int batch, ft_nn_merger **out, char *err,
                               size_t err_size)
{
    *out = NULL;
    int constant_output = 0; /* not batched: nothing to split */
    for (int i = 0; i < g->output_count; i++)
        constant_output |= g->tensors[g->outputs[i]].data != NULL;
    if (g->input_count > FT_NN_MAX_IO || g->output_count > FT_NN_MAX_IO || batch < 1 ||
        constant_output) {
        snprintf(err, err_size, "cannot merge runs of this model");
        return FT_ERR_UNSUPPORTED;
    }
    /* Made under the list's lock: the sessions of one merger are planned
     * once, whoever asks first. */
    pthread_mutex_lock(&list_lock);
    ft_nn_merger *m = mergers;
    while (m && !(m->graph == g && m->backend == backend && m->device == device &&
                  m->half == half && m->batch == batch))
        m = m->next;
    ft_status st = FT_OK;
    if (m) {
        m->refs++;
    } else if ((st = merger_new(g, backend, device, half, batch, &m, err, err_size)) == FT_OK) {
        m->next = mergers;
        mergers = m;
    }
    pthread_mutex_unlock(&list_lock);
    *out = m;
    return st;
}

void ft_nn_merger_release(ft_nn_merger *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&list_lock);
    const int last = --m->refs == 0;
    if (last)
        for (ft_nn_merger **p = &mergers; *p; p = &(*p)->next)
            if (*p == m) {
                *p = m->next;
                break;
            }
    pthread_mutex_unlock(&list_lock);
    if (last)
        merger_free(m);
}

/* Runs the requests FIRST.. (up to the batch) on runner R, outside the lock. */
static void lead(ft_nn_merger *m, int r, request *first, int count)
{
    ft_nn_session *s = m->runners[r];
    const ft_nn_graph *g = m->graph;
    int at = 0;
    request *q = first;
    for (int k = 0; k < count; k++, q = q->next) {
        for (int i = 0; i < g->input_count; i++)
            memcpy((char *)ft_nn_session_input(s, i) + (size_t)at * m->input_item[i], q->inputs[i],
                   (size_t)q->n * m->input_item[i]);
        at += q->n;
    }
    /* The empty places hold zeros: finite numbers, whatever the model. */
    for (int i = 0; i < g->input_count; i++)
        memset((char *)ft_nn_session_input(s, i) + (size_t)at * m->input_item[i], 0,
               (size_t)(m->batch - at) * m->input_item[i]);
    const ft_status st = ft_nn_session_run(s);
    at = 0;
    q = first;
    for (int k = 0; k < count; k++, q = q->next) {
        q->status = st;
        if (st != FT_OK) {
            snprintf(q->error, sizeof q->error, "%s", ft_nn_session_error(s));
        } else {
            for (int i = 0; i < g->output_count; i++)
                memcpy(q->outputs[i],
                       (const char *)ft_nn_session_output(s, i) + (size_t)at * m->output_item[i],
                       (size_t)q->n * m->output_item[i]);
        }
        at += q->n;
    }
}

static ft_status run_turn(ft_nn_merger *m, request *req)
{
    pthread_mutex_lock(&m->lock);
    if (m->tail)
        m->tail->next = req;
    else
        m->head = req;
    m->tail = req;
    while (!req->done) {
        int r = 0;
        while (r < RUNNERS && m->busy[r])
            r++;
        if (r == RUNNERS || m->head != req) {
            pthread_cond_wait(&m->changed, &m->lock);
            continue;
        }
        /* This request leads: it and those behind it, while they fit. */
        int count = 0, items = 0;
        request *last = NULL;
        for (request *q = req; q && items + q->n <= m->batch; q = q->next) {
            items += q->n;
            count++;
            last = q;
        }
        m->head = last->next;
        if (!m->head)
            m->tail = NULL;
        last->next = NULL;
        m->busy[r] = 1;
        pthread_cond_broadcast(&m->changed); /* a new head may lead on the other runner */
        pthread_mutex_unlock(&m->lock);
        lead(m, r, req, count);
        pthread_mutex_lock(&m->lock);
        m->busy[r] = 0;
        for (request *q = req; q; q = q->next)
            q->done = 1;
        pthread_cond_broadcast(&m->changed);
    }
    pthread_mutex_unlock(&m->lock);
    return req->status;
}

ft_status ft_nn_merger_run(ft_nn_merger *m, int n, const void *const *inputs,
                           void *const *outputs, char *err, size_t err_size)
{
    const ft_nn_graph *g = m->graph;
    for (int done = 0; done < n; done += m->batch) {
        const void *in[FT_NN_MAX_IO];
        void *out[FT_NN_MAX_IO];
        for (int i = 0; i < g->input_count; i++)
            in[i] = (const char *)inputs[i] + (size_t)done * m->input_item[i];
        for (int i = 0; i < g->output_count; i++)
            out[i] = (char *)outputs[i] + (size_t)done * m->output_item[i];
        request req = {.n = n - done < m->batch ? n - done : m->batch, .inputs = in,
                       .outputs = out};
        if (run_turn(m, &req) != FT_OK) {
            snprintf(err, err_size, "%s", req.error);
            return req.status;
        }
    }
    return FT_OK;
}
