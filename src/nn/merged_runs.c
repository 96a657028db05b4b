/* Runs of one model on one GPU gathered from many threads: nn/merged_runs.h
 * says why and how. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "facetrack.h"
#include "nn/merged_runs.h"
#include "nn/session.h"

/* Runs under way at once (FACETRACK_GPU_RUNS_IN_FLIGHT, 1 or 2), and one
 * more runner gathering the next run's items. */
#define MAX_IN_FLIGHT 2
#define RUNNERS (MAX_IN_FLIGHT + 1)
#define HOST_BYTES ((size_t)256 << 20)

static int runs_in_flight(void)
{
    const char *env = getenv("FACETRACK_GPU_RUNS_IN_FLIGHT");
    return env && strcmp(env, "2") == 0 ? 2 : 1;
}

enum runner_state { FREE, GATHERING, RUNNING, DONE };

typedef struct runner {
    ft_nn_session *session;                      /* a plan per run size */
    void *in[FT_NN_MAX_IO], *out[FT_NN_MAX_IO]; /* CAPACITY items each */
    int state;
    int items;   /* gathered */
    int copying; /* members still copying their items in */
    int members; /* members yet to take their results */
    ft_status status;
    char error[256];
} runner;

struct ft_nn_merger {
    const ft_nn_graph *graph;
    const ft_nn_backend_def *backend;
    int device, half;
    ft_nn_input_codes codes[FT_NN_MAX_IO]; /* per graph input; all off: floats */
    int max;      /* most items a run takes now */
    int capacity; /* items the runners' buffers hold: the first MAX and a run's padding */
    int refs;
    struct ft_nn_merger *next; /* in the process's list */

    pthread_mutex_t lock;
    pthread_cond_t changed;
    runner runners[RUNNERS];
    int gathering; /* the runner taking requests; -1: none */
    int running;   /* runs under way */
    int in_flight; /* the most runs under way at once */
    int runner_count; /* IN_FLIGHT and one gathering */
    size_t input_item[FT_NN_MAX_IO], output_item[FT_NN_MAX_IO]; /* bytes per item */
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static ft_nn_merger *mergers;

static size_t item_bytes(const ft_nn_graph *g, int tensor)
{
    const ft_nn_tensor *t = &g->tensors[tensor];
    return (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(t->dtype);
}

/* The planned size a run of N items takes. */
static int run_size(int n)
{
    int size = 1;
    while (size < n)
        size *= 2;
    return size;
}

static const char *model_name(const ft_nn_graph *g)
{
    return g->name && *g->name ? g->name : "(model)";
}

/* Host buffers the device copies at full speed where the backend has them. */
static void *buffer_new(const ft_nn_merger *m, size_t bytes)
{
    void *p = m->backend->host_alloc ? m->backend->host_alloc(bytes) : malloc(bytes);
    if (p)
        memset(p, 0, bytes); /* the padding reads finite numbers from the first run on */
    return p;
}

static void buffer_free(const ft_nn_merger *m, void *p)
{
    if (m->backend->host_free)
        m->backend->host_free(p);
    else
        free(p);
}

static void merger_free(ft_nn_merger *m)
{
    const ft_nn_graph *g = m->graph;
    for (int r = 0; r < m->runner_count; r++) {
        ft_nn_session_free(m->runners[r].session);
        for (int i = 0; i < g->input_count; i++)
            if (m->runners[r].in[i])
                buffer_free(m, m->runners[r].in[i]);
        for (int i = 0; i < g->output_count; i++)
            if (m->runners[r].out[i])
                buffer_free(m, m->runners[r].out[i]);
    }
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->changed);
    free(m);
}

static ft_status merger_new(const ft_nn_graph *g, const ft_nn_backend_def *backend, int device,
                            int half, const ft_nn_input_codes *codes, int max_items,
                            ft_nn_merger **out, char *err, size_t err_size)
{
    ft_nn_merger *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    *m = (ft_nn_merger){.graph = g, .backend = backend, .device = device, .half = half,
                        .max = max_items, .capacity = max_items + run_size(max_items),
                        .refs = 1, .gathering = -1, .in_flight = runs_in_flight()};
    m->runner_count = m->in_flight + 1;
    for (int i = 0; codes && i < g->input_count; i++)
        m->codes[i] = codes[i];
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->changed, NULL);
    for (int i = 0; i < g->input_count; i++)
        m->input_item[i] = m->codes[i].on ? (size_t)ft_nn_tensor_elements(&g->tensors[g->inputs[i]])
                                          : item_bytes(g, g->inputs[i]);
    for (int i = 0; i < g->output_count; i++)
        m->output_item[i] = item_bytes(g, g->outputs[i]);
    const ft_nn_session_options options = {.device = device, .half = half,
                                           .input_codes = codes};
    ft_status st = FT_OK;
    for (int r = 0; r < m->runner_count && st == FT_OK; r++) {
        runner *run = &m->runners[r];
        st = ft_nn_session_create(g, backend, &options, &run->session, err, err_size);
        for (int i = 0; i < g->input_count && st == FT_OK; i++)
            if (!(run->in[i] = buffer_new(m, (size_t)m->capacity * m->input_item[i] + 64)))
                st = FT_ERR_NOMEM;
        for (int i = 0; i < g->output_count && st == FT_OK; i++)
            if (!(run->out[i] = buffer_new(m, (size_t)m->capacity * m->output_item[i] + 64)))
                st = FT_ERR_NOMEM;
        if (st == FT_ERR_NOMEM && !err[0])
            snprintf(err, err_size, "%s: out of memory for runs of %d items", model_name(g),
                     max_items);
    }
    if (st != FT_OK) {
        merger_free(m);
        return st;
    }
    *out = m;
    return FT_OK;
}

/* CODES (NULL: none) as a merger holds them. */
static int same_codes(const ft_nn_merger *m, const ft_nn_input_codes *codes)
{
    for (int i = 0; i < m->graph->input_count; i++) {
        const ft_nn_input_codes c = codes ? codes[i] : (ft_nn_input_codes){0};
        if (c.on != m->codes[i].on ||
            (c.on && (c.scale != m->codes[i].scale || c.offset != m->codes[i].offset)))
            return 0;
    }
    return 1;
}

ft_status ft_nn_merger_acquire(const ft_nn_graph *g, const ft_nn_backend_def *backend,
                               int device, int half, const ft_nn_input_codes *codes,
                               int max_items, ft_nn_merger **out, char *err, size_t err_size)
{
    *out = NULL;
    err[0] = '\0';
    int constant_output = 0; /* not batched: nothing to split */
    for (int i = 0; i < g->output_count; i++)
        constant_output |= g->tensors[g->outputs[i]].data != NULL;
    if (g->input_count > FT_NN_MAX_IO || g->output_count > FT_NN_MAX_IO || max_items < 1 ||
        max_items > (1 << 20) || constant_output) {
        snprintf(err, err_size, "cannot merge runs of this model");
        return FT_ERR_UNSUPPORTED;
    }
    /* The runners' host buffers stay within HOST_BYTES each: a model with
     * large inputs (a 640x640 detector) gathers fewer items. */
    size_t bytes = 0;
    for (int i = 0; i < g->input_count; i++)
        bytes += codes && codes[i].on ? (size_t)ft_nn_tensor_elements(&g->tensors[g->inputs[i]])
                                      : item_bytes(g, g->inputs[i]);
    while (max_items > 1 && (size_t)(max_items + run_size(max_items)) * bytes > HOST_BYTES)
        max_items /= 2;
    /* Made under the list's lock: one merger per model and device, whoever
     * asks first. */
    pthread_mutex_lock(&list_lock);
    ft_nn_merger *m = mergers;
    while (m && !(m->graph == g && m->backend == backend && m->device == device &&
                  m->half == half && m->capacity == max_items + run_size(max_items) &&
                  same_codes(m, codes)))
        m = m->next;
    ft_status st = FT_OK;
    if (m) {
        m->refs++;
    } else if ((st = merger_new(g, backend, device, half, codes, max_items, &m, err, err_size)) ==
               FT_OK) {
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

/* The runner gathering now that has room for K more items, opened on a free
 * one where needed; -1 when every runner is busy. Lock held. */
static int join(ft_nn_merger *m, int k)
{
    int g = m->gathering;
    if (g >= 0 && m->runners[g].items > 0 && m->runners[g].items + k > m->max) {
        m->gathering = -1; /* full: it runs when it can, and no one else joins */
        g = -1;
    }
    for (int r = 0; g < 0 && r < m->runner_count; r++) {
        runner *run = &m->runners[r];
        if (run->state != FREE)
            continue;
        run->state = GATHERING;
        run->items = run->copying = run->members = 0;
        run->status = FT_OK;
        run->error[0] = '\0';
        m->gathering = g = r;
    }
    return g;
}

/* RUN's gathered items through its session, in pieces of at most the
 * merger's MAX; outside the lock. A size the device cannot hold lowers MAX
 * for this run and the ones after it. */
static void run_gathered(ft_nn_merger *m, runner *run)
{
    const ft_nn_graph *g = m->graph;
    ft_status st = FT_OK;
    const double started = ft_now_ms();
    for (int at = 0; at < run->items && st == FT_OK;) {
        pthread_mutex_lock(&m->lock);
        const int k = run->items - at < m->max ? run->items - at : m->max;
        pthread_mutex_unlock(&m->lock);
        const int size = run_size(k);
        st = ft_nn_session_reshape(run->session, size, NULL);
        if (st == FT_ERR_NOMEM && size > 1) {
            pthread_mutex_lock(&m->lock);
            if (m->max > size / 2) /* every later piece plans a smaller size */
                m->max = size / 2;
            pthread_mutex_unlock(&m->lock);
            ft_log(FT_LOG_INFO, "%s: runs of %d items do not fit on device %d; at most %d from now on",
                   model_name(g), size, m->device, size / 2);
            st = FT_OK;
            continue;
        }
        void *in[FT_NN_MAX_IO], *out[FT_NN_MAX_IO];
        for (int i = 0; i < g->input_count; i++)
            in[i] = (char *)run->in[i] + (size_t)at * m->input_item[i];
        for (int i = 0; i < g->output_count; i++)
            out[i] = (char *)run->out[i] + (size_t)at * m->output_item[i];
        if (st == FT_OK)
            st = ft_nn_session_setup(run->session, in, out);
        if (st == FT_OK)
            st = ft_nn_session_run(run->session);
        at += k;
    }
    ft_log(FT_LOG_TRACE, "%s: a run of %d items in %.2f ms", model_name(g), run->items,
           ft_now_ms() - started);
    run->status = st;
    if (st != FT_OK)
        snprintf(run->error, sizeof run->error, "%s", ft_nn_session_error(run->session));
}

/* One turn of K items (at most MAX): joined, copied in, run by whichever
 * member finds the device free, copied out. */
static ft_status run_turn(ft_nn_merger *m, int k, const void *const *inputs, void *const *outputs,
                          char *err, size_t err_size)
{
    const ft_nn_graph *g = m->graph;
    pthread_mutex_lock(&m->lock);
    int r;
    while ((r = join(m, k)) < 0)
        pthread_cond_wait(&m->changed, &m->lock);
    runner *run = &m->runners[r];
    const int at = run->items;
    run->items += k;
    run->copying++;
    run->members++;
    pthread_mutex_unlock(&m->lock);

    for (int i = 0; i < g->input_count; i++)
        memcpy((char *)run->in[i] + (size_t)at * m->input_item[i], inputs[i],
               (size_t)k * m->input_item[i]);

    pthread_mutex_lock(&m->lock);
    run->copying--;
    while (run->state != DONE) {
        if (run->state == GATHERING && run->copying == 0 && m->running < m->in_flight) {
            run->state = RUNNING;
            m->running++;
            if (m->gathering == r)
                m->gathering = -1; /* later requests gather for the next run */
            pthread_cond_broadcast(&m->changed);
            pthread_mutex_unlock(&m->lock);
            run_gathered(m, run);
            pthread_mutex_lock(&m->lock);
            run->state = DONE;
            m->running--;
            pthread_cond_broadcast(&m->changed);
            break;
        }
        pthread_cond_wait(&m->changed, &m->lock);
    }
    pthread_mutex_unlock(&m->lock);

    const ft_status st = run->status;
    if (st == FT_OK)
        for (int i = 0; i < g->output_count; i++)
            memcpy(outputs[i], (const char *)run->out[i] + (size_t)at * m->output_item[i],
                   (size_t)k * m->output_item[i]);
    else
        snprintf(err, err_size, "%s", run->error);

    pthread_mutex_lock(&m->lock);
    if (--run->members == 0) {
        run->state = FREE;
        pthread_cond_broadcast(&m->changed);
    }
    pthread_mutex_unlock(&m->lock);
    return st;
}

ft_status ft_nn_merger_run(ft_nn_merger *m, int n, const void *const *inputs,
                           void *const *outputs, char *err, size_t err_size)
{
    const ft_nn_graph *g = m->graph;
    for (int done = 0; done < n;) {
        pthread_mutex_lock(&m->lock);
        const int k = n - done < m->max ? n - done : m->max;
        pthread_mutex_unlock(&m->lock);
        const void *in[FT_NN_MAX_IO];
        void *out[FT_NN_MAX_IO];
        for (int i = 0; i < g->input_count; i++)
            in[i] = (const char *)inputs[i] + (size_t)done * m->input_item[i];
        for (int i = 0; i < g->output_count; i++)
            out[i] = (char *)outputs[i] + (size_t)done * m->output_item[i];
        const ft_status st = run_turn(m, k, in, out, err, err_size);
        if (st != FT_OK)
            return st;
        done += k;
    }
    return FT_OK;
}
