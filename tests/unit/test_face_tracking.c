/* The model-free parts of tracking: One-Euro smoothing (spec §6), the
 * detection tile plan, identity rules, and the attention-mesh refinement. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "face/detect_tiles.h"
#include "face/mesh_refinement.h"
#include "face/one_euro.h"
#include "face/tracker.h"

/* Hand-computed: 30 Hz assumed at t = 0 and t = 33 ms (the previous time
 * is 0), then the real rate. */
static void one_euro_matches_formula(void **state)
{
    (void)state;
    ft_one_euro_params p;
    ft_one_euro_params_init(&p);
    ft_one_euro f;
    ft_one_euro_reset(&f, &p);
    assert_float_equal(ft_one_euro_apply(&f, &p, 10.0f, 0, 0.01f), 10.0f, 0);
    /* Second sample: freq 30, dv = (12 - 10) * 0.01 * 30 = 0.6; the
     * derivative filter's first sample passes (it was 0 before: alpha mix). */
    const double freq = 30.0;
    const double a_d = 1.0 / (1.0 + (1.0 / (2 * M_PI * 1.0)) * freq);
    const double edv = a_d * 0.6 + (1 - a_d) * 0.0;
    const double cutoff = 0.05 + 80.0 * edv;
    const double a = 1.0 / (1.0 + (1.0 / (2 * M_PI * cutoff)) * freq);
    const double want = a * 12.0 + (1 - a) * 10.0;
    assert_float_equal(ft_one_euro_apply(&f, &p, 12.0f, 33333333, 0.01f), want, 1e-4);
    /* Same timestamp again: the value passes through, no update. */
    assert_float_equal(ft_one_euro_apply(&f, &p, 50.0f, 33333333, 0.01f), 50.0f, 0);
    /* A still value converges on itself. */
    float v = 0;
    for (int i = 2; i < 200; i++)
        v = ft_one_euro_apply(&f, &p, 12.0f, (int64_t)i * 33333333, 0.01f);
    assert_float_equal(v, 12.0f, 1e-3);
}

/* Jitter of one pixel on a 100 px face is damped; a tiny face passes. */
static void one_euro_points(void **state)
{
    (void)state;
    ft_one_euro_params p;
    ft_one_euro_params_init(&p);
    ft_one_euro f[6];
    for (int i = 0; i < 6; i++)
        ft_one_euro_reset(&f[i], &p);
    float worst = 0;
    for (int k = 0; k < 60; k++) {
        const float j = (k % 2) ? 1.0f : -1.0f;
        float pts[2][3] = {{100 + j, 100, 0}, {200 + j, 200, 0}};
        ft_one_euro_apply_points(f, &p, pts, 2, (int64_t)k * 40000000);
        if (k > 10)
            worst = fmaxf(worst, fabsf(pts[0][0] - 100));
    }
    assert_true(worst < 0.5f);
    float same[2][3] = {{5, 5, 0}, {5, 5, 0}};
    ft_one_euro_apply_points(f, &p, same, 2, 10000000000LL);
    assert_float_equal(same[0][0], 5, 0);
}

static void tile_plan(void **state)
{
    (void)state;
    ft_detect_plan plan;
    ft_detect_plan_tiles(1920, 1080, 1088, &plan);
    assert_int_equal(plan.count, 2); /* two 1080 squares, 240 px overlap */
    assert_float_equal(plan.tiles[0].width * 1920, 1080, 1e-3);
    assert_float_equal(plan.tiles[0].x_center * 1920, 540, 1e-3);
    assert_float_equal(plan.tiles[1].x_center * 1920, 1920 - 540, 1e-3);
    assert_float_equal(plan.tiles[1].height, 1.0f, 1e-6);
    ft_detect_plan_tiles(1080, 1920, 1088, &plan);
    assert_int_equal(plan.count, 2);
    ft_detect_plan_tiles(3840, 2160, 1088, &plan); /* 4 x 3 of 1088 (1/8 overlap) */
    assert_int_equal(plan.count, 12);
    for (int i = 0; i < plan.count; i++) {
        assert_true(plan.tiles[i].x_center - plan.tiles[i].width / 2 >= -1e-6f);
        assert_true(plan.tiles[i].x_center + plan.tiles[i].width / 2 <= 1 + 1e-6f);
    }
    ft_detect_plan_tiles(640, 640, 1088, &plan);
    assert_int_equal(plan.count, 1);
    ft_detect_plan_tiles(1920, 1080, 0, &plan); /* MediaPipe's single pass */
    assert_int_equal(plan.count, 1);
    assert_float_equal(plan.tiles[0].width, 1.0f, 0);
    ft_detect_plan_tiles(20000, 200, 64, &plan); /* never more than the cap */
    assert_true(plan.count <= FT_DETECT_MAX_TILES);
}

static void identities(void **state)
{
    (void)state;
    ft_track t[3] = {0};
    t[0].state = FT_TRACK_LOST;
    t[0].box = (ft_box){0.1f, 0.1f, 0.2f, 0.2f};
    t[0].lost_frames = 2;
    t[0].velocity[0] = 0.01f;
    t[1].state = FT_TRACK_LOST;
    t[1].box = (ft_box){0.6f, 0.6f, 0.7f, 0.7f};
    t[2].state = FT_TRACK_ACTIVE;
    t[2].box = (ft_box){0.12f, 0.1f, 0.22f, 0.2f};
    /* Found again where its motion predicts: the lost track 0, not the
     * active one that overlaps too. */
    const ft_box again = {0.125f, 0.1f, 0.225f, 0.2f};
    assert_int_equal(ft_track_reidentify(t, 3, &again), 0);
    const ft_box far = {0.4f, 0.1f, 0.5f, 0.2f};
    assert_int_equal(ft_track_reidentify(t, 3, &far), -1);
    const ft_box huge = {0.0f, 0.0f, 0.9f, 0.9f}; /* size differs too much */
    assert_int_equal(ft_track_reidentify(t, 2, &huge) != 1, 1);
    /* Two tracks on one face: the one that stayed put keeps it. */
    ft_track a = {.state = FT_TRACK_ACTIVE, .box = {0.1f, 0.1f, 0.2f, 0.2f}};
    ft_track b = {.state = FT_TRACK_ACTIVE, .box = {0.3f, 0.1f, 0.4f, 0.2f}};
    const ft_box on_a = {0.11f, 0.1f, 0.21f, 0.2f};
    assert_int_equal(ft_track_pick_survivor(&a, &on_a, &b, &on_a), 0);
    assert_int_equal(ft_track_pick_survivor(&b, &on_a, &a, &on_a), 1);
    /* Observing updates the box and the damped velocity. */
    ft_track_observe(&a, &on_a);
    assert_float_equal(a.velocity[0], 0.005f, 1e-6);
    assert_float_equal(ft_box_iou(&a.box, &on_a), 1.0f, 1e-6);
}

static void roi_bounds(void **state)
{
    (void)state;
    const ft_norm_rect r = {0.5f, 0.5f, 0.1f, 0.2f, (float)M_PI / 2};
    const ft_box b = ft_box_of_roi(&r, 200, 100); /* 20 x 20 px, turned */
    assert_float_equal(b.x1 - b.x0, 0.1f, 1e-5);
    assert_float_equal(b.y1 - b.y0, 0.2f, 1e-5);
    const ft_norm_rect s = {0.5f, 0.5f, 0.2f, 0.2f, (float)M_PI / 4};
    const ft_box c = ft_box_of_roi(&s, 100, 100);
    assert_float_equal(c.x1 - c.x0, 0.2f * sqrtf(2), 1e-5);
}

/* Lips overwrite mesh xy but keep z; irises get the mean contour depth. */
static void mesh_refinement(void **state)
{
    (void)state;
    static float mesh[468 * 3], out[478][3];
    for (int i = 0; i < 468; i++) {
        mesh[3 * i] = (float)i;
        mesh[3 * i + 1] = (float)-i;
        mesh[3 * i + 2] = (float)(i % 7);
    }
    float lips[160], left[142], right[142], li[10], ri[10];
    for (int i = 0; i < 160; i++)
        lips[i] = 1000.0f + (float)i;
    for (int i = 0; i < 142; i++)
        left[i] = 2000.0f + (float)i, right[i] = 3000.0f + (float)i;
    for (int i = 0; i < 10; i++)
        li[i] = 4000.0f + (float)i, ri[i] = 5000.0f + (float)i;
    const float *heads[FT_MESH_HEADS] = {lips, left, right, li, ri};
    ft_mesh_refine(mesh, heads, out);
    assert_float_equal(out[61][0], 1000, 0); /* lips[0] is landmark 61 */
    assert_float_equal(out[61][1], 1001, 0);
    assert_float_equal(out[61][2], (61 % 7), 0);
    assert_float_equal(out[33][0], 2000, 0);  /* left eye[0] is 33 */
    assert_float_equal(out[263][0], 3000, 0); /* right eye[0] is 263 */
    assert_float_equal(out[1][0], 1, 0);      /* untouched */
    assert_float_equal(out[468][0], 4000, 0);
    assert_float_equal(out[477][1], 5009, 0);
    static const int contour[16] = {33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173};
    float z = 0;
    for (int i = 0; i < 16; i++)
        z += (float)(contour[i] % 7);
    assert_float_equal(out[470][2], z / 16, 1e-5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_euro_matches_formula), cmocka_unit_test(one_euro_points),
        cmocka_unit_test(tile_plan), cmocka_unit_test(identities),
        cmocka_unit_test(roi_bounds), cmocka_unit_test(mesh_refinement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
