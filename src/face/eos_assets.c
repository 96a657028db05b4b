/* A process-wide table of loaded eos assets keyed by their six paths. The
 * lock covers the table and the load, as the graph cache's does: engines
 * are made at start-up, where serialising loads costs nothing that
 * matters. */
#include "face/eos_assets.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/format_error.h"

typedef struct entry {
    ft_eos_assets assets; /* first: an assets pointer is its entry */
    char *key;
    int refs;
    struct entry *next;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *head;

/* The paths joined by NUL-free separators ('\n' cannot be in them here). */
static char *make_key(const char *const paths[FT_EOS_FILES])
{
    size_t cap = 1;
    for (int i = 0; i < FT_EOS_FILES; i++)
        cap += strlen(paths[i]) + 1;
    char *key = malloc(cap);
    if (!key)
        return NULL;
    size_t len = 0;
    for (int i = 0; i < FT_EOS_FILES; i++)
        len += (size_t)snprintf(key + len, cap - len, "%s\n", paths[i]);
    return key;
}

static void free_assets(ft_eos_assets *a)
{
    ft_eos_model_free(&a->model);
    ft_eos_edges_free(&a->edges);
}

static ft_status load(const char *const paths[FT_EOS_FILES], ft_eos_assets *a, char *err,
                      size_t n)
{
    ft_status st = ft_eos_model_load(paths[FT_EOS_SHAPE_FILE], paths[FT_EOS_EXPRESSIONS_FILE],
                                     &a->model, err, n);
    if (st != FT_OK)
        return st;
    const int vertices = a->model.vertex_count;
    ft_eos_mapper contour_points;
    if ((st = ft_eos_mapper_load(paths[FT_EOS_MAPPER_FILE], vertices, &a->mapper, err, n)) !=
            FT_OK ||
        (st = ft_eos_mapper_load(paths[FT_EOS_CONTOUR_LANDMARKS_FILE], vertices, &contour_points,
                                 err, n)) != FT_OK ||
        (st = ft_eos_contour_load(paths[FT_EOS_CONTOUR_FILE], vertices, &a->contour, err, n)) !=
            FT_OK ||
        (st = ft_eos_edges_load(paths[FT_EOS_EDGES_FILE], vertices, a->model.triangle_count,
                                &a->edges, err, n)) != FT_OK) {
        free_assets(a);
        return st;
    }
    /* the contour's points may come from another file than the mapping */
    memcpy(a->mapper.right, contour_points.right, sizeof a->mapper.right);
    memcpy(a->mapper.left, contour_points.left, sizeof a->mapper.left);
    a->mapper.right_count = contour_points.right_count;
    a->mapper.left_count = contour_points.left_count;
    return FT_OK;
}

ft_status ft_eos_assets_acquire(const char *const paths[FT_EOS_FILES], const ft_eos_assets **out,
                                char *err, size_t err_size)
{
    *out = NULL;
    char *key = make_key(paths);
    if (!key)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory",
                               paths[FT_EOS_SHAPE_FILE]);
    pthread_mutex_lock(&lock);
    for (entry *e = head; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->refs++;
            *out = &e->assets;
            pthread_mutex_unlock(&lock);
            free(key);
            return FT_OK;
        }
    entry *e = calloc(1, sizeof *e);
    ft_status st = e ? load(paths, &e->assets, err, err_size)
                     : ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory",
                                       paths[FT_EOS_SHAPE_FILE]);
    if (st == FT_OK) {
        e->key = key;
        e->refs = 1;
        e->next = head;
        head = e;
        *out = &e->assets;
    } else {
        free(e);
        free(key);
    }
    pthread_mutex_unlock(&lock);
    return st;
}

void ft_eos_assets_release(const ft_eos_assets *assets)
{
    if (!assets)
        return;
    pthread_mutex_lock(&lock);
    for (entry **p = &head; *p; p = &(*p)->next)
        if (&(*p)->assets == assets) {
            entry *e = *p;
            if (--e->refs == 0) {
                *p = e->next;
                free_assets(&e->assets);
                free(e->key);
                free(e);
            }
            break;
        }
    pthread_mutex_unlock(&lock);
}
