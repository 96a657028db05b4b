/* Frame ranges of a video and the IDs carried across them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "track/chunk_plan.h"
#include "track/id_map.h"

/* Every frame is written exactly once, in order, and warm-ups overlap only
 * the range before. */
static void check_cover(const ft_chunk_plan *p, int64_t total)
{
    assert_true(p->count >= 1);
    assert_int_equal(p->chunks[0].start, 0);
    assert_int_equal(p->chunks[0].out_first, 0);
    assert_int_equal(p->chunks[p->count - 1].end, total);
    for (size_t i = 1; i < p->count; i++) {
        assert_int_equal(p->chunks[i].out_first, p->chunks[i - 1].end);
        assert_true(p->chunks[i].start <= p->chunks[i].out_first);
        assert_true(p->chunks[i].start > p->chunks[i - 1].start);
        assert_true(p->chunks[i].out_first < p->chunks[i].end);
    }
}

static void test_plain_ranges(void **state)
{
    (void)state;
    ft_chunk_plan p;
    assert_int_equal(ft_chunk_plan_make(1000, NULL, 0, NULL, 0, 250, 10, &p), FT_OK);
    check_cover(&p, 1000);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.chunks[1].start, 250);
    assert_int_equal(p.chunks[1].out_first, 260);
    assert_true(p.chunks[1].continues);
    ft_chunk_plan_free(&p);
}

static void test_short_and_empty(void **state)
{
    (void)state;
    ft_chunk_plan p;
    assert_int_equal(ft_chunk_plan_make(0, NULL, 0, NULL, 0, 250, 10, &p), FT_OK);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.chunks[0].end, 0);
    ft_chunk_plan_free(&p);
    /* No tail shorter than half a range: 300 frames stay one range. */
    assert_int_equal(ft_chunk_plan_make(300, NULL, 0, NULL, 0, 250, 10, &p), FT_OK);
    assert_int_equal(p.count, 1);
    ft_chunk_plan_free(&p);
    assert_int_equal(ft_chunk_plan_make(100, NULL, 0, NULL, 0, 250, 200, &p), FT_ERR_INVALID_ARG);
}

static void test_key_frames_and_cuts(void **state)
{
    (void)state;
    const int64_t keys[] = {0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550};
    const int64_t cuts[] = {180};
    ft_chunk_plan p;
    assert_int_equal(ft_chunk_plan_make(600, keys, 12, cuts, 1, 100, 10, &p), FT_OK);
    check_cover(&p, 600);
    /* A shot cut is preferred (no warm-up over it), then key frames. */
    assert_int_equal(p.count, 5);
    assert_int_equal(p.chunks[1].start, 180);
    assert_false(p.chunks[1].continues);
    assert_int_equal(p.chunks[1].out_first, 180);
    assert_int_equal(p.chunks[2].start, 300);
    assert_true(p.chunks[2].continues);
    assert_int_equal(p.chunks[2].out_first, 310);
    assert_int_equal(p.chunks[4].start, 500);
    ft_chunk_plan_free(&p);
}

/* Frames of RESULT from its first frame on: two faces at X0 and X1 with
 * engine IDs 0 and 1. */
static void add_frames(ft_chunk_result *result, int frames, float x0, float x1)
{
    for (int f = 0; f < frames; f++) {
        ft_face in[2] = {{.id = 0, .box = {x0, 10, 50, 50}}, {.id = 1, .box = {x1, 10, 50, 50}}};
        assert_int_equal(ft_chunk_result_add_frame(result, in, 2, 0), FT_OK);
    }
}

static void test_ids_carried_over(void **state)
{
    (void)state;
    /* Previous range: frames 0..9; the next one starts at 5 and numbers the
     * same two faces the other way round. */
    ft_chunk_result prev, cur;
    ft_chunk_result_init(&prev, 0);
    ft_chunk_result_init(&cur, 5);
    add_frames(&prev, 10, 100, 400);
    add_frames(&cur, 15, 402, 101);
    ft_id_map prev_map = {0}, cur_map = {0};
    int next = 1;
    const int a = ft_id_map_get(&prev_map, 0, &next), b = ft_id_map_get(&prev_map, 1, &next);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(ft_id_map_inherit(&cur_map, &cur, &prev_map, &prev, 5, 10), FT_OK);
    assert_int_equal(ft_id_map_get(&cur_map, 0, &next), b);
    assert_int_equal(ft_id_map_get(&cur_map, 1, &next), a);
    /* A face only the new range sees gets the next number. */
    assert_int_equal(ft_id_map_get(&cur_map, 2, &next), 3);
    ft_id_map_free(&prev_map);
    ft_id_map_free(&cur_map);
    ft_chunk_result_free(&prev);
    ft_chunk_result_free(&cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_ranges),
        cmocka_unit_test(test_short_and_empty),
        cmocka_unit_test(test_key_frames_and_cuts),
        cmocka_unit_test(test_ids_carried_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
