/* Unit tests of the thread pool: every submitted task runs exactly once,
 * wait() and destroy() cover queued tasks and tasks submitted by tasks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>

#include "base/thread_pool.h"

static void increment(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void sleep_then_increment(void *arg)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    increment(arg);
}

static void test_many_tasks(void **state)
{
    (void)state;
    ft_thread_pool *pool;
    assert_int_equal(ft_thread_pool_create(4, &pool), FT_OK);
    assert_int_equal(ft_thread_pool_size(pool), 4);
    atomic_int counter = 0;
    /* Twice, so the pool is also reused after a wait(). */
    for (int round = 1; round <= 2; round++) {
        for (int i = 0; i < 10000; i++)
            assert_int_equal(ft_thread_pool_submit(pool, increment, &counter), FT_OK);
        ft_thread_pool_wait(pool);
        assert_int_equal(atomic_load(&counter), round * 10000);
    }
    ft_thread_pool_destroy(pool);
}

static void test_wait_without_tasks(void **state)
{
    (void)state;
    ft_thread_pool *pool;
    assert_int_equal(ft_thread_pool_create(2, &pool), FT_OK);
    ft_thread_pool_wait(pool);
    ft_thread_pool_wait(pool);
    ft_thread_pool_destroy(pool);
}

static void test_destroy_runs_queued_tasks(void **state)
{
    (void)state;
    ft_thread_pool *pool;
    assert_int_equal(ft_thread_pool_create(1, &pool), FT_OK);
    atomic_int counter = 0;
    /* The single worker is busy sleeping while the rest queue up. */
    assert_int_equal(ft_thread_pool_submit(pool, sleep_then_increment, &counter), FT_OK);
    for (int i = 0; i < 500; i++)
        assert_int_equal(ft_thread_pool_submit(pool, increment, &counter), FT_OK);
    ft_thread_pool_destroy(pool);
    assert_int_equal(atomic_load(&counter), 501);
}

/* A binary tree of tasks: each node counts itself and submits two children. */
typedef struct node {
    ft_thread_pool *pool;
    atomic_int *counter;
    int level;
} node;

static node nodes[1 << 11]; /* heap layout: children of i are 2i+1, 2i+2 */
/* cmocka assertions must stay on the main thread, so workers count here. */
static atomic_int submit_failures;

static void visit(void *arg)
{
    node *n = arg;
    atomic_fetch_add(n->counter, 1);
    if (n->level == 0)
        return;
    size_t i = (size_t)(n - nodes);
    for (size_t c = 2 * i + 1; c <= 2 * i + 2; c++) {
        nodes[c] = (node){n->pool, n->counter, n->level - 1};
        if (ft_thread_pool_submit(n->pool, visit, &nodes[c]) != FT_OK)
            atomic_fetch_add(&submit_failures, 1);
    }
}

static void run_tree(int wait_first)
{
    ft_thread_pool *pool;
    assert_int_equal(ft_thread_pool_create(3, &pool), FT_OK);
    atomic_int counter = 0;
    nodes[0] = (node){pool, &counter, 10}; /* 2^11 - 1 tasks in all */
    assert_int_equal(ft_thread_pool_submit(pool, visit, &nodes[0]), FT_OK);
    if (wait_first) {
        ft_thread_pool_wait(pool);
        assert_int_equal(atomic_load(&counter), (1 << 11) - 1);
    }
    ft_thread_pool_destroy(pool);
    assert_int_equal(atomic_load(&counter), (1 << 11) - 1);
    assert_int_equal(atomic_load(&submit_failures), 0);
}

static void test_submit_from_task(void **state)
{
    (void)state;
    run_tree(1);
    run_tree(0);
}

static void test_default_size_and_errors(void **state)
{
    (void)state;
    assert_true(ft_cpu_count() >= 1);
    ft_thread_pool *pool;
    assert_int_equal(ft_thread_pool_create(0, &pool), FT_OK);
    assert_int_equal(ft_thread_pool_size(pool), ft_cpu_count());
    assert_int_equal(ft_thread_pool_submit(pool, NULL, NULL), FT_ERR_INVALID_ARG);
    ft_thread_pool_destroy(pool);

    assert_int_equal(ft_thread_pool_create(2, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_thread_pool_submit(NULL, increment, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_thread_pool_size(NULL), 0);
    ft_thread_pool_wait(NULL);
    ft_thread_pool_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_tasks),
        cmocka_unit_test(test_wait_without_tasks),
        cmocka_unit_test(test_destroy_runs_queued_tasks),
        cmocka_unit_test(test_submit_from_task),
        cmocka_unit_test(test_default_size_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
