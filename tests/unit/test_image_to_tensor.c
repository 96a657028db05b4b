/* ImageToTensor against MediaPipe's 13 golden crops of input.jpg
 * (golden/mediapipe/image_to_tensor, parameters from its MANIFEST): the
 * tensor mapped back to 0..255 must be within 5 levels of the PNG, which is
 * MediaPipe's own tolerance. Also the ROI matrix and letterbox padding, and
 * the vectorised warp against the pixel-at-a-time one, to the bit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/image_to_tensor.h"
#include "face_test_util.h"
#include "test_seed.h"

#define PI_F 3.14159265358979f

typedef struct golden_case {
    const char *png;
    int w, h, keep;
    ft_border_mode border;
    ft_norm_rect roi;
    float lo, hi;
} golden_case;

static const golden_case cases[] = {
    {"medium_sub_rect_keep_aspect.png", 256, 256, 1, FT_BORDER_REPLICATE, {0.65f, 0.4f, 0.5f, 0.5f, 0}, 0, 1},
    {"medium_sub_rect_keep_aspect_border_zero.png", 256, 256, 1, FT_BORDER_ZERO, {0.65f, 0.4f, 0.5f, 0.5f, 0}, 0, 1},
    {"medium_sub_rect_keep_aspect_with_rotation.png", 256, 256, 1, FT_BORDER_REPLICATE, {0.65f, 0.4f, 0.5f, 0.5f, PI_F / 2}, 0, 1},
    {"medium_sub_rect_keep_aspect_with_rotation_border_zero.png", 256, 256, 1, FT_BORDER_ZERO, {0.65f, 0.4f, 0.5f, 0.5f, PI_F / 2}, 0, 1},
    {"medium_sub_rect_with_rotation.png", 256, 256, 0, FT_BORDER_REPLICATE, {0.65f, 0.4f, 0.5f, 0.5f, -PI_F / 4}, -1, 1},
    {"medium_sub_rect_with_rotation_border_zero.png", 256, 256, 0, FT_BORDER_ZERO, {0.65f, 0.4f, 0.5f, 0.5f, -PI_F / 4}, -1, 1},
    {"large_sub_rect.png", 128, 128, 0, FT_BORDER_REPLICATE, {0.5f, 0.5f, 1.5f, 1.1f, 0}, 0, 1},
    {"large_sub_rect_border_zero.png", 128, 128, 0, FT_BORDER_ZERO, {0.5f, 0.5f, 1.5f, 1.1f, 0}, 0, 1},
    {"large_sub_rect_keep_aspect.png", 128, 128, 1, FT_BORDER_REPLICATE, {0.5f, 0.5f, 1.5f, 1.1f, 0}, 0, 1},
    {"large_sub_rect_keep_aspect_border_zero.png", 128, 128, 1, FT_BORDER_ZERO, {0.5f, 0.5f, 1.5f, 1.1f, 0}, 0, 1},
    {"large_sub_rect_keep_aspect_with_rotation.png", 128, 128, 1, FT_BORDER_REPLICATE, {0.5f, 0.5f, 1.5f, 1.1f, -PI_F / 12}, 0, 1},
    {"large_sub_rect_keep_aspect_with_rotation_border_zero.png", 128, 128, 1, FT_BORDER_ZERO, {0.5f, 0.5f, 1.5f, 1.1f, -PI_F / 12}, 0, 1},
    {"noop_except_range.png", 64, 128, 1, FT_BORDER_REPLICATE, {0.5f, 0.5f, 1.0f, 1.0f, 0}, -10, 10},
    {"noop_except_range.png", 64, 128, 1, FT_BORDER_ZERO, {0.5f, 0.5f, 1.0f, 1.0f, 0}, 0, 1},
    {"noop_except_range.png", 64, 128, 0, FT_BORDER_REPLICATE, {0.5f, 0.5f, 1.0f, 1.0f, 0}, -1, 1},
};

static void matches_mediapipe_goldens(void **state)
{
    (void)state;
    if (!ft_test_have(ft_test_shared_path("golden/mediapipe/image_to_tensor/input.jpg")))
        skip(); /* the shared goldens are not here */
    ft_face_image input;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/image_to_tensor/input.jpg"),
                                      &input), 0);
    int worst_case = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const golden_case *c = &cases[i];
        char rel[256];
        snprintf(rel, sizeof rel, "golden/mediapipe/image_to_tensor/%s", c->png);
        ft_face_image want;
        assert_int_equal(ft_test_load_rgb(ft_test_shared_path(rel), &want), 0);
        assert_int_equal(want.width, c->w);
        assert_int_equal(want.height, c->h);
        ft_tensor_spec spec = {c->w, c->h, c->lo, c->hi, c->keep, c->border};
        float *t = malloc(sizeof(float) * 3 * c->w * c->h);
        assert_non_null(t);
        assert_int_equal(ft_image_to_tensor(&input, &c->roi, &spec, t, NULL, NULL), FT_OK);
        int worst = 0;
        long sum = 0, n = (long)c->w * c->h * 3;
        for (long k = 0; k < n; k++) {
            long v = lrintf((t[k] - c->lo) * 255.0f / (c->hi - c->lo));
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            int d = abs((int)v - want.data[k]);
            sum += d;
            worst = d > worst ? d : worst;
        }
        printf("%-58s range [%g,%g] %s: max |diff| %d, mean %.3f (of 255)\n", c->png, c->lo, c->hi,
               c->border == FT_BORDER_ZERO ? "zero" : "replicate", worst, (double)sum / n);
        worst_case = worst > worst_case ? worst : worst_case;
        free(t);
        ft_test_free_image(&want);
    }
    ft_test_free_image(&input);
    assert_true(worst_case <= 5);
}

/* PadRoi: a 1.5 x 1.1 ROI of a 64 x 128 image is 96 x 140.8 px; in a square
 * tensor it grows to 140.8 wide, padding (1 - 96/140.8)/2 each side. */
static void letterbox_padding(void **state)
{
    (void)state;
    ft_tensor_spec spec = {128, 128, 0, 1, 1, FT_BORDER_ZERO};
    ft_norm_rect roi = {0.5f, 0.5f, 1.5f, 1.1f, 0};
    ft_rotated_rect r;
    float pad[4];
    assert_int_equal(ft_roi_to_pixels(&roi, 64, 128, &spec, &r, pad), FT_OK);
    assert_float_equal(r.width, 140.8f, 1e-3f);
    assert_float_equal(r.height, 140.8f, 1e-3f);
    assert_float_equal(pad[0], (1.0f - 96.0f / 140.8f) / 2.0f, 1e-6f);
    assert_float_equal(pad[1], 0.0f, 0.0f);
    assert_float_equal(pad[2], pad[0], 0.0f);
    spec.keep_aspect_ratio = 0;
    assert_int_equal(ft_roi_to_pixels(&roi, 64, 128, &spec, &r, pad), FT_OK);
    assert_float_equal(pad[0], 0.0f, 0.0f);
    assert_float_equal(r.width, 96.0f, 1e-4f);
    roi.width = 0;
    assert_int_equal(ft_roi_to_pixels(&roi, 64, 128, &spec, &r, pad), FT_ERR_INVALID_ARG);
}

/* The matrix maps tensor corners to the ROI's rotated corners (spec §1.1):
 * (0,0) -> centre + R(-w/2, -h/2), normalised by the image size. */
static void matrix_maps_corners(void **state)
{
    (void)state;
    const int iw = 640, ih = 480;
    ft_rotated_rect r = {300.0f, 200.0f, 120.0f, 80.0f, 0.3f};
    float m[16];
    ft_roi_matrix(&r, iw, ih, m);
    const float us[4] = {0, 1, 1, 0}, vs[4] = {0, 0, 1, 1};
    for (int k = 0; k < 4; k++) {
        float x, y;
        ft_matrix_apply(m, us[k], vs[k], &x, &y);
        double dx = (us[k] - 0.5) * r.width, dy = (vs[k] - 0.5) * r.height;
        double ex = r.center_x + cos(r.rotation) * dx - sin(r.rotation) * dy;
        double ey = r.center_y + sin(r.rotation) * dx + cos(r.rotation) * dy;
        assert_true(fabs(x * iw - ex) < 1e-3 && fabs(y * ih - ey) < 1e-3);
    }
    assert_float_equal(m[10], r.width / iw, 1e-7f);
}

/* The tensor's pixel (i, j) samples the ROI at i/W (spec §9.1): an identity
 * crop of a horizontal ramp gives the ramp back, and the zero border gives
 * range_min outside the image. */
static void sampling_convention_and_border(void **state)
{
    (void)state;
    uint8_t px[4 * 8 * 3];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 8; x++)
            for (int c = 0; c < 3; c++)
                px[(y * 8 + x) * 3 + c] = (uint8_t)(x * 30);
    ft_face_image img = {px, 8, 4, 24, 3, NULL};
    float t[4 * 8 * 3];
    ft_tensor_spec spec = {8, 4, 0, 255, 0, FT_BORDER_ZERO};
    assert_int_equal(ft_image_to_tensor(&img, NULL, &spec, t, NULL, NULL), FT_OK);
    for (int x = 0; x < 8; x++)
        assert_float_equal(t[x * 3], x * 30.0f, 0.0f);
    /* Twice as wide a ROI, centred: left quarter is outside -> -1. */
    ft_norm_rect wide = {0.5f, 0.5f, 2.0f, 1.0f, 0};
    spec.range_min = -1;
    spec.range_max = 1;
    assert_int_equal(ft_image_to_tensor(&img, &wide, &spec, t, NULL, NULL), FT_OK);
    assert_float_equal(t[0], -1.0f, 0.0f);
    spec.border = FT_BORDER_REPLICATE;
    assert_int_equal(ft_image_to_tensor(&img, &wide, &spec, t, NULL, NULL), FT_OK);
    assert_float_equal(t[0], -1.0f, 0.0f); /* column 0 of the image is 0 too */
    assert_float_equal(t[7 * 3], 210.0f * 2.0f / 255.0f - 1.0f, 1e-5f); /* samples x = 10 -> 7 */
}

/* RGBA input gives the RGB result (alpha dropped after the warp, as
 * MediaPipe's RGBA2RGB); bad arguments are refused. */
static void rgba_and_bad_arguments(void **state)
{
    (void)state;
    uint8_t rgb[5 * 3 * 3], rgba[5 * 3 * 4];
    for (int i = 0; i < 15; i++)
        for (int c = 0; c < 4; c++) {
            uint8_t v = (uint8_t)(i * 17 + c * 50);
            if (c < 3)
                rgb[i * 3 + c] = v;
            rgba[i * 4 + c] = c < 3 ? v : 7;
        }
    ft_face_image a = {rgb, 5, 3, 15, 3, NULL}, b = {rgba, 5, 3, 20, 4, NULL};
    ft_norm_rect roi = {0.4f, 0.6f, 0.9f, 1.3f, 0.7f};
    ft_tensor_spec spec = {6, 4, 0, 1, 1, FT_BORDER_REPLICATE};
    float ta[6 * 4 * 3], tb[6 * 4 * 3];
    assert_int_equal(ft_image_to_tensor(&a, &roi, &spec, ta, NULL, NULL), FT_OK);
    assert_int_equal(ft_image_to_tensor(&b, &roi, &spec, tb, NULL, NULL), FT_OK);
    assert_memory_equal(ta, tb, sizeof ta);
    b.channels = 2;
    assert_int_equal(ft_image_to_tensor(&b, &roi, &spec, tb, NULL, NULL), FT_ERR_INVALID_ARG);
    a.stride = 14;
    assert_int_equal(ft_image_to_tensor(&a, &roi, &spec, ta, NULL, NULL), FT_ERR_INVALID_ARG);
    a.stride = 15;
    spec.range_max = spec.range_min;
    assert_int_equal(ft_image_to_tensor(&a, &roi, &spec, ta, NULL, NULL), FT_ERR_INVALID_ARG);
    spec.range_max = 1;
    roi.height = -1;
    assert_int_equal(ft_image_to_tensor(&a, &roi, &spec, ta, NULL, NULL), FT_ERR_INVALID_ARG);
}

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

static float uniform(unsigned *state, float lo, float hi)
{
    return lo + (hi - lo) * (float)(next_random(state) & 0xffff) / 65535.0f;
}

/* Random images (3 and 4 channels, rows with and without slack, allocated
 * to their last byte so that ASan sees any read past them), ROIs inside,
 * across and outside the frame at any angle, both borders, floats and
 * bytes: the fast rows give the reference's values exactly. */
static void fast_rows_equal_the_naive_warp(void **state)
{
    (void)state;
    unsigned r = ft_test_seed();
    for (int trial = 0; trial < 400; trial++) {
        const int w = 2 + (int)(next_random(&r) % 300), h = 2 + (int)(next_random(&r) % 200);
        const int cn = next_random(&r) % 2 ? 3 : 4;
        const int stride = w * cn + (next_random(&r) % 3 == 0 ? (int)(next_random(&r) % 64) : 0);
        uint8_t *pixels = malloc((size_t)stride * h);
        assert_non_null(pixels);
        for (size_t i = 0; i < (size_t)stride * h; i++)
            pixels[i] = (uint8_t)next_random(&r);
        const ft_face_image img = {pixels, w, h, stride, cn, NULL};
        const ft_norm_rect roi = {uniform(&r, -0.4f, 1.4f), uniform(&r, -0.4f, 1.4f),
                                  uniform(&r, 0.02f, 1.8f), uniform(&r, 0.02f, 1.8f),
                                  uniform(&r, -3.3f, 3.3f)};
        const ft_tensor_spec spec = {1 + (int)(next_random(&r) % 260), 1 + (int)(next_random(&r) % 260),
                                     next_random(&r) % 2 ? 0.0f : -1.0f, 1.0f,
                                     (int)(next_random(&r) % 2),
                                     next_random(&r) % 2 ? FT_BORDER_ZERO : FT_BORDER_REPLICATE};
        const size_t n = (size_t)spec.width * spec.height * 3;
        float *fast = malloc(n * sizeof *fast), *naive = malloc(n * sizeof *naive);
        uint8_t *fast_codes = malloc(n), *naive_codes = malloc(n);
        assert_true(fast && naive && fast_codes && naive_codes);
        assert_int_equal(ft_image_to_tensor(&img, &roi, &spec, fast, NULL, NULL), FT_OK);
        assert_int_equal(ft_image_to_tensor_naive(&img, &roi, &spec, naive, NULL), FT_OK);
        assert_int_equal(ft_image_to_codes(&img, &roi, &spec, fast_codes, NULL, NULL), FT_OK);
        assert_int_equal(ft_image_to_tensor_naive(&img, &roi, &spec, NULL, naive_codes), FT_OK);
        if (memcmp(fast, naive, n * sizeof *fast) != 0 || memcmp(fast_codes, naive_codes, n) != 0)
            fail_msg("trial %d: %dx%dx%d image, %dx%d tensor: the fast warp differs", trial, w, h,
                     cn, spec.width, spec.height);
        free(fast);
        free(naive);
        free(fast_codes);
        free(naive_codes);
        free(pixels);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fast_rows_equal_the_naive_warp),
        cmocka_unit_test(matches_mediapipe_goldens),
        cmocka_unit_test(letterbox_padding),
        cmocka_unit_test(matrix_maps_corners),
        cmocka_unit_test(sampling_convention_and_border),
        cmocka_unit_test(rgba_and_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
