/* OpenSeeFace's decoders on small synthetic tensors, every expected number
 * worked out by hand from the formulas of OpenSeeFace's tracker.py
 * (detect_faces, landmarks, the crop of predict) and the original's jawOpen
 * rule. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "face/openseeface_decode.h"

/* ------------------------------------------------------------ detection */

#define GRID 4
#define CELLS (GRID * GRID)

/* score and radius planes; the pooled plane equals the score at peaks */
static float output[2 * CELLS], pooled[2 * CELLS];

static void set_cell(int cell, float score, float radius, int peak)
{
    output[cell] = score;
    output[CELLS + cell] = radius;
    pooled[cell] = peak ? score : score + 0.05f;
}

static void clear_planes(void)
{
    memset(output, 0, sizeof output);
    memset(pooled, 0, sizeof pooled);
    for (int i = 0; i < CELLS; i++)
        pooled[i] = 0.01f; /* zero scores are not peaks either */
}

static void detections_are_peaks_above_threshold(void **state)
{
    (void)state;
    clear_planes();
    set_cell(5, 0.9f, 0.25f, 1);   /* row 1, col 1: r = 28 */
    set_cell(10, 0.7f, 0.125f, 1); /* row 2, col 2: r = 14 */
    set_cell(6, 0.95f, 0.5f, 0);   /* best score, but not a peak */
    set_cell(15, 0.5f, 0.5f, 1);   /* a peak below the threshold */
    ft_osf_box b[5];
    /* frame 448 x 224: x scaled by 2, y by 1 */
    const int n = ft_osf_decode_detections(output, pooled, GRID, 0.6f, 5, 448, 224, b);
    assert_int_equal(n, 2);
    /* centre (4, 4), r 28: (-24, -24, 56, 56) in the input */
    assert_float_equal(b[0].x, -48.0f, 1e-4);
    assert_float_equal(b[0].y, -24.0f, 1e-4);
    assert_float_equal(b[0].w, 112.0f, 1e-4);
    assert_float_equal(b[0].h, 56.0f, 1e-4);
    assert_float_equal(b[0].score, 0.9f, 1e-6);
    /* centre (8, 8), r 14: (-6, -6, 28, 28) */
    assert_float_equal(b[1].x, -12.0f, 1e-4);
    assert_float_equal(b[1].y, -6.0f, 1e-4);
    assert_float_equal(b[1].w, 56.0f, 1e-4);
    assert_float_equal(b[1].h, 28.0f, 1e-4);
    /* max_faces cuts the list; a lower threshold takes the weak peak */
    assert_int_equal(ft_osf_decode_detections(output, pooled, GRID, 0.6f, 1, 448, 224, b), 1);
    assert_float_equal(b[0].score, 0.9f, 1e-6);
    assert_int_equal(ft_osf_decode_detections(output, pooled, GRID, 0.4f, 5, 448, 224, b), 3);
    assert_float_equal(b[2].score, 0.5f, 1e-6);
    /* nothing above the threshold: no face */
    assert_int_equal(ft_osf_decode_detections(output, pooled, GRID, 0.95f, 5, 448, 224, b), 0);
}

static void equal_scores_later_cell_first(void **state)
{
    (void)state;
    clear_planes();
    set_cell(3, 0.8f, 0.25f, 1);  /* row 0, col 3 */
    set_cell(12, 0.8f, 0.25f, 1); /* row 3, col 0 */
    ft_osf_box b[2];
    assert_int_equal(ft_osf_decode_detections(output, pooled, GRID, 0.6f, 2, 224, 224, b), 2);
    /* cell 12 first: centre (0, 12), r 28 */
    assert_float_equal(b[0].x, -28.0f, 1e-4);
    assert_float_equal(b[0].y, -16.0f, 1e-4);
    /* then cell 3: centre (12, 0) */
    assert_float_equal(b[1].x, -16.0f, 1e-4);
    assert_float_equal(b[1].y, -28.0f, 1e-4);
}

/* ------------------------------------------------------------------ crop */

static void crop_widens_and_clamps(void **state)
{
    (void)state;
    ft_osf_crop c;
    /* margins int(5.5) = 5 and int(5.125) = 5; y one lower (clamp_to_im) */
    const ft_osf_box box = {.x = 100, .y = 50, .w = 55, .h = 41};
    assert_int_equal(ft_osf_crop_of_box(&box, 640, 360, &c), 0);
    assert_int_equal(c.x1, 95);
    assert_int_equal(c.y1, 46);
    assert_int_equal(c.x2, 160);
    assert_int_equal(c.y2, 97);
    assert_float_equal(c.scale_x, 65.0f / 224.0f, 1e-7);
    assert_float_equal(c.scale_y, 51.0f / 224.0f, 1e-7);
    /* beyond the frame: corners clamped to [0, size - 1], y + 1 */
    const ft_osf_box out = {.x = -10, .y = -10, .w = 100, .h = 100};
    assert_int_equal(ft_osf_crop_of_box(&out, 50, 60, &c), 0);
    assert_int_equal(c.x1, 0);
    assert_int_equal(c.y1, 1);
    assert_int_equal(c.x2, 49);
    assert_int_equal(c.y2, 60);
    /* fractional corners are cut: 10.7 - int(1.2) = 9.7 -> 9 */
    const ft_osf_box frac = {.x = 10.7f, .y = 20.9f, .w = 12.0f, .h = 16.0f};
    assert_int_equal(ft_osf_crop_of_box(&frac, 640, 360, &c), 0);
    assert_int_equal(c.x1, 9);
    assert_int_equal(c.y1, 18 + 1); /* 20.9 - int(2.0) = 18.9 -> 18, + 1 */
    assert_int_equal(c.x2, 23);     /* 10.7 + 12 + 1 = 23.7 -> 23 */
    assert_int_equal(c.y2, 38 + 1); /* 20.9 + 16 + 2 = 38.9 -> 38, + 1 */
    /* under 4 pixels wide: skipped */
    const ft_osf_box thin = {.x = 10, .y = 10, .w = 3, .h = 40};
    assert_int_equal(ft_osf_crop_of_box(&thin, 640, 360, &c), -1);
}

/* ------------------------------------------------------------- landmarks */

#define LM_POINTS 2
static float tensor[3 * LM_POINTS * CELLS];

static float *plane(int block, int point)
{
    return tensor + (size_t)(block * LM_POINTS + point) * CELLS;
}

static float sigmoid(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

static void landmarks_from_heatmaps_and_offsets(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tensor / sizeof tensor[0]; i++)
        tensor[i] = 0.5f; /* offsets of logit 0 */
    for (int p = 0; p < LM_POINTS; p++)
        for (int i = 0; i < CELLS; i++)
            plane(0, p)[i] = 0.1f;
    /* point 0: peak 0.8 at cell 6 (row 1, col 2), offsets 0 */
    plane(0, 0)[6] = 0.8f;
    /* point 1: 0.6 at cells 9 (row 2, col 1) and 15: the first wins;
     * y offset logit 4 / 16 = 0.25, x offset logit -2 / 16 = -0.125 */
    plane(0, 1)[9] = 0.6f;
    plane(0, 1)[15] = 0.6f;
    plane(1, 1)[9] = sigmoid(4.0f);
    plane(2, 1)[9] = sigmoid(-2.0f);
    plane(1, 1)[15] = 0.9f; /* offsets of the cell not chosen: unused */
    const ft_osf_crop crop = {.x1 = 10, .y1 = 20, .scale_x = 0.5f, .scale_y = 2.0f};
    float pts[LM_POINTS][3];
    const float conf = ft_osf_decode_landmarks(tensor, LM_POINTS, GRID, &crop, pts);
    assert_float_equal(conf, 0.7f, 1e-6);
    /* y = 20 + 2 (223 * 1 / 3), x = 10 + 0.5 (223 * 2 / 3) */
    assert_float_equal(pts[0][0], 10.0f + 0.5f * 223.0f * 2.0f / 3.0f, 1e-3);
    assert_float_equal(pts[0][1], 20.0f + 2.0f * 223.0f / 3.0f, 1e-3);
    assert_float_equal(pts[0][2], 0.8f, 1e-6);
    /* y = 20 + 2 (223 * 2 / 3 + 223 / 4), x = 10 + 0.5 (223 / 3 - 223 / 8) */
    assert_float_equal(pts[1][0], 10.0f + 0.5f * (223.0f / 3.0f - 27.875f), 2e-3);
    assert_float_equal(pts[1][1], 20.0f + 2.0f * (223.0f * 2.0f / 3.0f + 55.75f), 2e-3);
    assert_float_equal(pts[1][2], 0.6f, 1e-6);
}

static void landmark_offsets_clipped_and_nan_dropped(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tensor / sizeof tensor[0]; i++)
        tensor[i] = 0.5f;
    for (int p = 0; p < LM_POINTS; p++)
        for (int i = 0; i < CELLS; i++)
            plane(0, p)[i] = 0.0f;
    plane(0, 0)[0] = 0.9f;
    plane(1, 0)[0] = 1.0f; /* clipped below 1: a finite offset near 223 */
    plane(2, 0)[0] = 0.0f; /* clipped above 0: near -223 */
    plane(0, 1)[0] = 0.5f;
    plane(2, 1)[0] = NAN;
    const ft_osf_crop crop = {.x1 = 0, .y1 = 0, .scale_x = 1.0f, .scale_y = 1.0f};
    float pts[LM_POINTS][3];
    ft_osf_decode_landmarks(tensor, LM_POINTS, GRID, &crop, pts);
    assert_true(isfinite(pts[0][1]) && pts[0][1] > 0.99f * 223.0f && pts[0][1] < 1.01f * 223.0f);
    assert_true(isfinite(pts[0][0]) && pts[0][0] < -0.99f * 223.0f && pts[0][0] > -1.01f * 223.0f);
    assert_float_equal(pts[1][0], 0.0f, 0.0);
    assert_float_equal(pts[1][1], 0.0f, 0.0);
    assert_float_equal(pts[1][2], 0.0f, 0.0);
}

/* --------------------------------------------------------------- jawOpen */

static void jaw_open_rule(void **state)
{
    (void)state;
    float pts[FT_OSF_POINTS][2] = {{0}};
    /* upper inner lip mean 11, lower mean 21; nose steps of -5 */
    pts[59][1] = 10, pts[60][1] = 11, pts[61][1] = 12;
    pts[63][1] = 20, pts[64][1] = 21, pts[65][1] = 22;
    pts[27][1] = 0, pts[28][1] = 5, pts[29][1] = 10, pts[30][1] = 15;
    /* |11 - 21| / |-5| = 2 */
    assert_float_equal(ft_osf_jaw_open(&pts[0][0], 2, 0.25f), 0.5f, 1e-6);
    assert_float_equal(ft_osf_jaw_open(&pts[0][0], 2, 1.0f), 1.0f, 0.0); /* clipped */
    assert_float_equal(ft_osf_jaw_open(&pts[0][0], 2, 0.0f), 0.0f, 0.0);
    /* the lower lip above the upper: the same opening */
    pts[63][1] = 0, pts[64][1] = 1, pts[65][1] = 2;
    assert_float_equal(ft_osf_jaw_open(&pts[0][0], 2, 0.1f), 0.2f, 1e-6);
    /* a nose bridge without height: 0, not a division by zero */
    pts[28][1] = 0, pts[29][1] = 0, pts[30][1] = 0;
    assert_float_equal(ft_osf_jaw_open(&pts[0][0], 2, 1.0f), 0.0f, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detections_are_peaks_above_threshold),
        cmocka_unit_test(equal_scores_later_cell_first),
        cmocka_unit_test(crop_widens_and_clamps),
        cmocka_unit_test(landmarks_from_heatmaps_and_offsets),
        cmocka_unit_test(landmark_offsets_clipped_and_nan_dropped),
        cmocka_unit_test(jaw_open_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
