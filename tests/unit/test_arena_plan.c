/* Activation placement: blocks alive at the same time never share bytes,
 * and memory is reused where lives do not overlap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "nn/arena_plan.h"

static void check_disjoint(const ft_arena_block *b, int n, size_t total)
{
    for (int i = 0; i < n; i++) {
        if (!b[i].bytes)
            continue;
        assert_int_equal(b[i].offset % 256, 0);
        assert_true(b[i].offset + b[i].bytes <= total);
        for (int j = i + 1; j < n; j++) {
            if (!b[j].bytes || b[i].last < b[j].first || b[j].last < b[i].first)
                continue;
            const int apart = b[i].offset + b[i].bytes <= b[j].offset ||
                              b[j].offset + b[j].bytes <= b[i].offset;
            assert_true(apart);
        }
    }
}

/* A chain, each activation read only by the next op: two buffers suffice. */
static void test_chain_reuses_two_buffers(void **state)
{
    (void)state;
    ft_arena_block b[10];
    for (int i = 0; i < 10; i++)
        b[i] = (ft_arena_block){.bytes = 4096, .first = i, .last = i + 1};
    const size_t total = ft_arena_plan(b, 10, 256);
    check_disjoint(b, 10, total);
    assert_int_equal(total, 2 * 4096);
}

/* Everything alive at once: the sum, nothing shared. */
static void test_all_alive_is_the_sum(void **state)
{
    (void)state;
    ft_arena_block b[5];
    for (int i = 0; i < 5; i++)
        b[i] = (ft_arena_block){.bytes = 1000 + 100 * (size_t)i, .first = 0, .last = 9};
    const size_t total = ft_arena_plan(b, 5, 256);
    check_disjoint(b, 5, total);
    assert_int_equal(total, 1024 + 1280 + 1280 + 1536 + 1536);
}

/* Random lives and sizes: never an overlap, never more than the sum, and
 * empty blocks take nothing. */
static void test_random_lives(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 200; round++) {
        ft_arena_block b[40];
        const int n = 1 + rand() % 40;
        size_t sum = 0;
        for (int i = 0; i < n; i++) {
            const int first = rand() % 30;
            b[i] = (ft_arena_block){.bytes = (size_t)(rand() % 5 == 0 ? 0 : 1 + rand() % 100000),
                                    .first = first, .last = first + rand() % 8};
            sum += (b[i].bytes + 255) & ~(size_t)255;
        }
        const size_t total = ft_arena_plan(b, n, 256);
        assert_true(total <= sum);
        check_disjoint(b, n, total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_reuses_two_buffers),
        cmocka_unit_test(test_all_alive_is_the_sum),
        cmocka_unit_test(test_random_lives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
