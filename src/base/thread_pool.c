/* Thread pool: one mutex guards a growable ring buffer of tasks. Workers
 * sleep on `task_ready`; ft_thread_pool_wait() sleeps on `all_done`, which
 * is signalled when `pending` (queued + running tasks) drops to zero. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/thread_pool.h"

typedef struct task {
    ft_task_fn fn;
    void *arg;
} task;

struct ft_thread_pool {
    pthread_mutex_t lock;
    pthread_cond_t task_ready;
    pthread_cond_t all_done;
    task *tasks;       /* ring buffer of `cap` slots */
    size_t cap, head, len;
    size_t pending;    /* submitted tasks not finished yet */
    int stopping;      /* destroy was called: exit once the queue is empty */
    int nthreads;      /* workers started */
    pthread_t *threads;
};

static void *worker_main(void *arg)
{
    ft_thread_pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->len == 0 && !pool->stopping)
            pthread_cond_wait(&pool->task_ready, &pool->lock);
        if (pool->len == 0) /* stopping and drained */
            break;
        task t = pool->tasks[pool->head];
        pool->head = (pool->head + 1) % pool->cap;
        pool->len--;
        pthread_mutex_unlock(&pool->lock);

        t.fn(t.arg);

        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0)
            pthread_cond_broadcast(&pool->all_done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Doubles the ring buffer, unrolling it so the queue starts at slot 0.
 * Called with the lock held. */
static int grow(ft_thread_pool *pool)
{
    size_t cap = pool->cap ? pool->cap * 2 : 64;
    task *tasks = malloc(cap * sizeof *tasks);
    if (!tasks)
        return 0;
    for (size_t i = 0; i < pool->len; i++)
        tasks[i] = pool->tasks[(pool->head + i) % pool->cap];
    free(pool->tasks);
    pool->tasks = tasks;
    pool->cap = cap;
    pool->head = 0;
    return 1;
}

/* Stops and joins the started workers, then frees everything. Workers
 * exit only on an empty queue, so every queued task still runs, including
 * ones that running tasks submit: their worker is alive to pick them up. */
static void shutdown_pool(ft_thread_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->task_ready);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->all_done);
    pthread_cond_destroy(&pool->task_ready);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool->tasks);
    free(pool);
}

ft_status ft_thread_pool_create(int threads, ft_thread_pool **out)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    if (threads <= 0)
        threads = ft_cpu_count();

    ft_thread_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return FT_ERR_NOMEM;
    pool->threads = calloc((size_t)threads, sizeof *pool->threads);
    if (!pool->threads) {
        free(pool);
        return FT_ERR_NOMEM;
    }
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool->threads);
        free(pool);
        return FT_ERR_INTERNAL;
    }
    if (pthread_cond_init(&pool->task_ready, NULL) != 0) {
        pthread_mutex_destroy(&pool->lock);
        free(pool->threads);
        free(pool);
        return FT_ERR_INTERNAL;
    }
    if (pthread_cond_init(&pool->all_done, NULL) != 0) {
        pthread_cond_destroy(&pool->task_ready);
        pthread_mutex_destroy(&pool->lock);
        free(pool->threads);
        free(pool);
        return FT_ERR_INTERNAL;
    }
    for (; pool->nthreads < threads; pool->nthreads++) {
        if (pthread_create(&pool->threads[pool->nthreads], NULL, worker_main, pool) != 0) {
            shutdown_pool(pool);
            return FT_ERR_INTERNAL;
        }
    }
    *out = pool;
    return FT_OK;
}

int ft_thread_pool_size(const ft_thread_pool *pool)
{
    return pool ? pool->nthreads : 0;
}

ft_status ft_thread_pool_submit(ft_thread_pool *pool, ft_task_fn fn, void *arg)
{
    if (!pool || !fn)
        return FT_ERR_INVALID_ARG;
    pthread_mutex_lock(&pool->lock);
    if (pool->len == pool->cap && !grow(pool)) {
        pthread_mutex_unlock(&pool->lock);
        return FT_ERR_NOMEM;
    }
    pool->tasks[(pool->head + pool->len) % pool->cap] = (task){fn, arg};
    pool->len++;
    pool->pending++;
    pthread_cond_signal(&pool->task_ready);
    pthread_mutex_unlock(&pool->lock);
    return FT_OK;
}

/* Must not be called from a task of the same pool: it would wait for
 * itself. */
void ft_thread_pool_wait(ft_thread_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0)
        pthread_cond_wait(&pool->all_done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

void ft_thread_pool_destroy(ft_thread_pool *pool)
{
    if (!pool)
        return;
    shutdown_pool(pool);
}

int ft_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}
