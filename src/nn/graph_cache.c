/* A process-wide table of loaded graphs keyed by spec and ONNX input
 * shapes. The lock covers the table and the load: two threads asking for
 * the same model at once must get one copy, and loads happen at start-up,
 * where serialising them costs nothing that matters. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/graph_cache.h"
#include "nn/model.h"

typedef struct cache_entry {
    ft_nn_graph graph; /* first: a graph pointer is its entry */
    char *key;
    int refs;
    struct cache_entry *next;
} cache_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_entry *cache_head;

/* "spec" plus each ONNX input shape and the layout flag: the same file
 * with other input shapes is another graph. */
static char *make_key(const char *spec, const ft_onnx_options *onnx)
{
    size_t cap = strlen(spec) + 64, len;
    if (onnx)
        for (int i = 0; i < onnx->input_count; i++)
            cap += strlen(onnx->inputs[i].name ? onnx->inputs[i].name : "") + 24 * FT_NN_MAX_RANK;
    char *key = malloc(cap);
    if (!key)
        return NULL;
    len = (size_t)snprintf(key, cap, "%s", spec);
    if (onnx) {
        len += (size_t)snprintf(key + len, cap - len, "|nchw=%d", onnx->keep_nchw);
        for (int i = 0; i < onnx->input_count; i++) {
            const ft_onnx_input_shape *in = &onnx->inputs[i];
            len += (size_t)snprintf(key + len, cap - len, "|%s=", in->name ? in->name : "");
            for (int d = 0; d < in->rank; d++)
                len += (size_t)snprintf(key + len, cap - len, "%lldx", (long long)in->shape[d]);
        }
    }
    return key;
}

ft_status ft_nn_graph_acquire(const char *spec, const ft_onnx_options *onnx,
                              const ft_nn_graph **out, char *err, size_t err_size)
{
    *out = NULL;
    if (!spec) {
        snprintf(err, err_size, "(null): no model given");
        return FT_ERR_INVALID_ARG;
    }
    char *key = make_key(spec, onnx);
    if (!key) {
        snprintf(err, err_size, "%s: out of memory", spec);
        return FT_ERR_NOMEM;
    }
    pthread_mutex_lock(&cache_lock);
    for (cache_entry *e = cache_head; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->refs++;
            *out = &e->graph;
            pthread_mutex_unlock(&cache_lock);
            free(key);
            return FT_OK;
        }
    ft_status st = FT_ERR_NOMEM;
    cache_entry *e = calloc(1, sizeof *e);
    if (!e)
        snprintf(err, err_size, "%s: out of memory", spec);
    else
        st = ft_nn_model_load_with(spec, onnx, &e->graph, NULL, err, err_size);
    if (st == FT_OK) {
        e->key = key;
        e->refs = 1;
        e->next = cache_head;
        cache_head = e;
        *out = &e->graph;
    } else {
        free(e);
        free(key);
    }
    pthread_mutex_unlock(&cache_lock);
    return st;
}

void ft_nn_graph_release(const ft_nn_graph *graph)
{
    if (!graph)
        return;
    pthread_mutex_lock(&cache_lock);
    for (cache_entry **p = &cache_head; *p; p = &(*p)->next) {
        cache_entry *e = *p;
        if (&e->graph != graph)
            continue;
        if (--e->refs == 0) {
            *p = e->next;
            ft_nn_graph_free(&e->graph);
            free(e->key);
            free(e);
        }
        break;
    }
    pthread_mutex_unlock(&cache_lock);
}

int ft_nn_graph_cache_size(void)
{
    pthread_mutex_lock(&cache_lock);
    int n = 0;
    for (const cache_entry *e = cache_head; e; e = e->next)
        n++;
    pthread_mutex_unlock(&cache_lock);
    return n;
}
