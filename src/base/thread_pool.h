/* A fixed set of worker threads draining a FIFO of tasks. Used to run frame
 * ranges and videos side by side. Submitting and waiting are thread-safe. */
#ifndef FT_BASE_THREAD_POOL_H
#define FT_BASE_THREAD_POOL_H

#include "facetrack.h"

typedef struct ft_thread_pool ft_thread_pool;
typedef void (*ft_task_fn)(void *arg);

/* THREADS <= 0 means one per online CPU. */
ft_status ft_thread_pool_create(int threads, ft_thread_pool **out);
int ft_thread_pool_size(const ft_thread_pool *pool);
/* Queues FN(ARG); never blocks on running tasks. */
ft_status ft_thread_pool_submit(ft_thread_pool *pool, ft_task_fn fn, void *arg);
/* Blocks until every task submitted so far has finished. */
void ft_thread_pool_wait(ft_thread_pool *pool);
/* Waits for queued tasks, then joins the workers and frees the pool. */
void ft_thread_pool_destroy(ft_thread_pool *pool);

/* Number of online CPUs, at least 1. */
int ft_cpu_count(void);

#endif
