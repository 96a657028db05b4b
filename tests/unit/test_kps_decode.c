/* The YuNet and SCRFD decoders and the detectors' input, on small
 * synthetic tensors with every expected number worked out by hand from the
 * formulas of OpenCV's FaceDetectorYN and InsightFace's scrfd.py. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "face/detector_input.h"
#include "face/kps_face.h"
#include "face/scrfd_decode.h"
#include "face/yunet_decode.h"

static void assert_box(const ft_kps_face *f, float x0, float y0, float x1, float y1)
{
    assert_float_equal(f->x0, x0, 1e-4);
    assert_float_equal(f->y0, y0, 1e-4);
    assert_float_equal(f->x1, x1, 1e-4);
    assert_float_equal(f->y1, y1, 1e-4);
}

static ft_kps_face box_face(float x0, float y0, float x1, float y1, float score)
{
    ft_kps_face f = {.x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1, .width = x1 - x0,
                     .height = y1 - y0, .score = score};
    return f;
}

/* ------------------------------------------------------------------ YuNet */

static void yunet_pads_to_32(void **state)
{
    (void)state;
    assert_int_equal(ft_yunet_padded(1), 32);
    assert_int_equal(ft_yunet_padded(360), 384);
    assert_int_equal(ft_yunet_padded(640), 640);
    assert_int_equal(ft_yunet_padded(641), 672);
    /* 64 x 32: 8 x 4 + 4 x 2 + 2 x 1 cells */
    assert_int_equal(ft_yunet_cell_count(64, 32), 32 + 8 + 2);
}

/* A 64 x 32 input: stride 8 has 8 x 4 cells, 16 has 4 x 2, 32 has 2 x 1. */
static void yunet_decodes_cells(void **state)
{
    (void)state;
    float cls8[32] = {0}, obj8[32] = {0}, bbox8[32 * 4] = {0}, kps8[32 * 10] = {0};
    float cls16[8] = {0}, obj16[8] = {0}, bbox16[8 * 4] = {0}, kps16[8 * 10] = {0};
    float cls32[2] = {0}, obj32[2] = {0}, bbox32[2 * 4] = {0}, kps32[2 * 10] = {0};
    /* stride 8, row 1, column 2: score sqrt(0.81 * 1) = 0.9 */
    const int i = 1 * 8 + 2;
    cls8[i] = 0.81f;
    obj8[i] = 1.0f;
    bbox8[4 * i + 0] = 0.5f;           /* cx = (2 + 0.5) * 8 = 20 */
    bbox8[4 * i + 1] = 0.25f;          /* cy = (1 + 0.25) * 8 = 10 */
    bbox8[4 * i + 2] = logf(2.0f);     /* w = 2 * 8 = 16 */
    bbox8[4 * i + 3] = logf(4.0f);     /* h = 4 * 8 = 32 */
    kps8[10 * i + 0] = 0.1f;           /* (0.1 + 2) * 8 = 16.8 */
    kps8[10 * i + 1] = 0.2f;           /* (0.2 + 1) * 8 = 9.6 */
    kps8[10 * i + 8] = -1.0f;          /* (-1 + 2) * 8 = 8 */
    kps8[10 * i + 9] = 0.5f;           /* (0.5 + 1) * 8 = 12 */
    /* stride 16, row 0, column 1: cls clamped to 1, score sqrt(0.64) = 0.8;
     * zero offsets: centre (16, 0), 16 x 16 */
    cls16[1] = 1.5f;
    obj16[1] = 0.64f;
    /* stride 32, column 1: sqrt(0.25) = 0.5, below 0.7 */
    cls32[1] = 0.25f;
    obj32[1] = 1.0f;
    /* a negative obj clamps to 0 */
    cls8[0] = 1.0f;
    obj8[0] = -3.0f;
    const ft_yunet_outputs o = {{cls8, cls16, cls32}, {obj8, obj16, obj32},
                                {bbox8, bbox16, bbox32}, {kps8, kps16, kps32}};
    ft_kps_face f[8];
    const int n = ft_yunet_decode(&o, 64, 32, 0.7f, f, 8);
    assert_int_equal(n, 2);
    assert_float_equal(f[0].score, 0.9f, 1e-6);
    assert_box(&f[0], 12.0f, -6.0f, 28.0f, 26.0f);
    assert_float_equal(f[0].width, 16.0f, 1e-5);
    assert_float_equal(f[0].height, 32.0f, 1e-5);
    assert_float_equal(f[0].points[0][0], 16.8f, 1e-4);
    assert_float_equal(f[0].points[0][1], 9.6f, 1e-4);
    assert_float_equal(f[0].points[4][0], 8.0f, 1e-4);
    assert_float_equal(f[0].points[4][1], 12.0f, 1e-4);
    assert_float_equal(f[1].score, 0.8f, 1e-6);
    assert_box(&f[1], 8.0f, -8.0f, 24.0f, 8.0f);
    assert_float_equal(f[1].points[2][0], 16.0f, 1e-5);
    /* capacity is respected */
    assert_int_equal(ft_yunet_decode(&o, 64, 32, 0.7f, f, 1), 1);
    assert_float_equal(f[0].score, 0.9f, 1e-6);
}

/* NMSBoxes on Rect2i: IoU of the truncated boxes, kept when <= 0.3, scores
 * strictly above the threshold, decreasing score. */
static void yunet_nms_as_opencv(void **state)
{
    (void)state;
    const ft_kps_face in[5] = {
        box_face(0.9f, 0.0f, 10.9f, 10.0f, 0.90f),  /* Rect2i(0, 0, 10, 10) */
        box_face(1.0f, 1.0f, 11.0f, 11.0f, 0.80f),  /* 81 / 119 = 0.68: dropped */
        box_face(50.0f, 50.0f, 60.0f, 60.0f, 0.95f),
        box_face(200.0f, 0.0f, 210.0f, 10.0f, 0.70f), /* not > 0.7: dropped */
        box_face(7.0f, 0.0f, 17.0f, 10.0f, 0.85f),   /* 30 / 170 = 0.18 with A: kept */
    };
    ft_nms_entry scratch[5];
    ft_kps_face out[5];
    const int k = ft_yunet_nms(in, 5, 0.7f, 0.3f, 5000, scratch, out);
    assert_int_equal(k, 3);
    assert_float_equal(out[0].score, 0.95f, 0);
    assert_float_equal(out[1].score, 0.90f, 0);
    assert_float_equal(out[2].score, 0.85f, 0);
    /* top_k cuts before suppression */
    assert_int_equal(ft_yunet_nms(in, 5, 0.7f, 0.3f, 1, scratch, out), 1);
    assert_float_equal(out[0].score, 0.95f, 0);
    /* one face passes as it is, whatever its score (OpenCV skips NMS) */
    const ft_kps_face one = box_face(0, 0, 5, 5, 0.1f);
    assert_int_equal(ft_yunet_nms(&one, 1, 0.7f, 0.3f, 5000, scratch, out), 1);
    assert_float_equal(out[0].score, 0.1f, 0);
}

static void yunet_outputs_by_name(void **state)
{
    (void)state;
    const char *names[12] = {"kps_32", "cls_8", "cls_16", "cls_32", "obj_8", "obj_16",
                             "obj_32", "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16"};
    int index[12];
    char why[200];
    assert_int_equal(ft_yunet_map_outputs(names, 12, index, why, sizeof why), 0);
    assert_int_equal(index[0], 1);  /* cls_8 */
    assert_int_equal(index[3], 10); /* kps_8 */
    assert_int_equal(index[11], 0); /* kps_32 */
    names[0] = "out0";
    assert_int_equal(ft_yunet_map_outputs(names, 12, index, why, sizeof why), -1);
    assert_non_null(strstr(why, "kps_32"));
}

/* ------------------------------------------------------------------ SCRFD */

static void scrfd_letterbox_top_left(void **state)
{
    (void)state;
    int w, h;
    float s;
    ft_scrfd_letterbox(1920, 1080, 640, &w, &h, &s);
    assert_int_equal(w, 640);
    assert_int_equal(h, 360);
    assert_float_equal(s, 360.0f / 1080.0f, 1e-7);
    ft_scrfd_letterbox(480, 640, 640, &w, &h, &s); /* portrait: height fills */
    assert_int_equal(w, 480);
    assert_int_equal(h, 640);
    assert_float_equal(s, 1.0f, 0);
    ft_scrfd_letterbox(1000, 333, 640, &w, &h, &s); /* int() truncates 213.12 */
    assert_int_equal(h, 213);
    assert_float_equal(s, 213.0f / 333.0f, 1e-7);
    assert_int_equal(ft_scrfd_anchor_count(64, 64), 128 + 32 + 8);
}

/* A 64 x 64 input: stride 8 has 8 x 8 cells of 2 anchors. */
static void scrfd_decodes_distances(void **state)
{
    (void)state;
    float s8[128] = {0}, b8[128 * 4] = {0}, k8[128 * 10] = {0};
    float s16[32] = {0}, b16[32 * 4] = {0}, k16[32 * 10] = {0};
    float s32[8] = {0}, b32[8 * 4] = {0}, k32[8 * 10] = {0};
    /* row 2, column 3, second anchor: centre (24, 16) */
    const int a = 2 * (2 * 8 + 3) + 1;
    s8[a] = 0.9f;
    b8[4 * a + 0] = 1.0f;  /* x0 = 24 - 8 = 16 */
    b8[4 * a + 1] = 0.5f;  /* y0 = 16 - 4 = 12 */
    b8[4 * a + 2] = 2.0f;  /* x1 = 24 + 16 = 40 */
    b8[4 * a + 3] = 1.5f;  /* y1 = 16 + 12 = 28 */
    k8[10 * a + 0] = 0.5f; /* 24 + 4 = 28 */
    k8[10 * a + 1] = -0.25f; /* 16 - 2 = 14 */
    /* stride 32, cell (row 1, column 0), first anchor: centre (0, 32);
     * exactly at the threshold (>=) */
    const int c = 2 * (1 * 2 + 0);
    s32[c] = 0.5f;
    b32[4 * c + 2] = 1.0f; /* x1 = 32 */
    b32[4 * c + 3] = 0.5f; /* y1 = 48 */
    s16[3] = 0.49f;        /* below */
    const ft_scrfd_outputs o = {{s8, s16, s32}, {b8, b16, b32}, {k8, k16, k32}};
    ft_kps_face f[4];
    const int n = ft_scrfd_decode(&o, 64, 64, 0.5f, f, 4);
    assert_int_equal(n, 2);
    assert_box(&f[0], 16.0f, 12.0f, 40.0f, 28.0f);
    assert_float_equal(f[0].points[0][0], 28.0f, 1e-5);
    assert_float_equal(f[0].points[0][1], 14.0f, 1e-5);
    assert_float_equal(f[0].points[1][0], 24.0f, 1e-5); /* zero distance: the centre */
    assert_box(&f[1], 0.0f, 32.0f, 32.0f, 48.0f);
    assert_float_equal(f[1].score, 0.5f, 0);
    /* back to a 1920 x 1080 frame letterboxed into 640: divide by 1/3 */
    ft_kps_faces_scale(f, 1, 3.0f, 3.0f);
    assert_box(&f[0], 48.0f, 36.0f, 120.0f, 84.0f);
    assert_float_equal(f[0].points[0][0], 84.0f, 1e-4);
}

/* +1 pixel areas: 10 x 10 boxes; overlap > 0.4 suppressed. */
static void scrfd_nms_as_insightface(void **state)
{
    (void)state;
    const ft_kps_face in[3] = {
        box_face(1.0f, 1.0f, 10.0f, 10.0f, 0.8f), /* 81 / 119 = 0.68 with A: dropped */
        box_face(0.0f, 0.0f, 9.0f, 9.0f, 0.9f),   /* A */
        box_face(6.0f, 0.0f, 15.0f, 9.0f, 0.7f),  /* 40 / 160 = 0.25 with A: kept */
    };
    ft_nms_entry scratch[3];
    ft_kps_face out[3];
    const int k = ft_scrfd_nms(in, 3, 0.4f, scratch, out);
    assert_int_equal(k, 2);
    assert_float_equal(out[0].score, 0.9f, 0);
    assert_float_equal(out[1].score, 0.7f, 0);
    /* at 0.25 exactly the third is kept (<=); below it, suppressed */
    assert_int_equal(ft_scrfd_nms(in, 3, 0.25f, scratch, out), 2);
    assert_int_equal(ft_scrfd_nms(in, 3, 0.2f, scratch, out), 1);
}

static void scrfd_outputs_by_shape(void **state)
{
    (void)state;
    int index[9];
    char why[256];
    /* scrfd_500m order: scores, boxes, keypoints, each by stride */
    const int64_t rows[9] = {12800, 3200, 800, 12800, 3200, 800, 12800, 3200, 800};
    const int64_t cols[9] = {1, 1, 1, 4, 4, 4, 10, 10, 10};
    assert_int_equal(ft_scrfd_map_outputs(rows, cols, 9, 640, 640, index, why, sizeof why), 0);
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 3; k++)
            assert_int_equal(index[3 * s + k], 3 * k + s);
    /* interleaved by stride, as other exports are */
    const int64_t rows2[9] = {12800, 12800, 12800, 3200, 3200, 3200, 800, 800, 800};
    const int64_t cols2[9] = {1, 4, 10, 1, 4, 10, 1, 4, 10};
    assert_int_equal(ft_scrfd_map_outputs(rows2, cols2, 9, 640, 640, index, why, sizeof why), 0);
    for (int i = 0; i < 9; i++)
        assert_int_equal(index[i], i);
    /* a YuNet's twelve outputs, or a wrong anchor count, are refused */
    assert_int_equal(ft_scrfd_map_outputs(rows, cols, 12, 640, 640, index, why, sizeof why), -1);
    assert_non_null(strstr(why, "12 outputs"));
    assert_int_equal(ft_scrfd_map_outputs(rows, cols, 9, 320, 320, index, why, sizeof why), -1);
    assert_non_null(strstr(why, "stride-32")); /* 320: stride 8 and 16 match 640's 16 and 32 */
}

/* ------------------------------------------------------------ the input */

static void resize_samples_pixel_centres(void **state)
{
    (void)state;
    /* 4 x 1 RGB row 0, 100, 200, 250 -> 2 x 1: samples at x = 0.5 and 2.5 */
    const uint8_t row[12] = {0, 0, 0, 100, 100, 100, 200, 200, 200, 250, 250, 250};
    const ft_face_image img = {row, 4, 1, 12, 3, NULL};
    uint8_t out[6];
    ft_resize_bilinear(&img, 2, 1, out);
    assert_int_equal(out[0], 50);
    assert_int_equal(out[3], 225);
    /* upscaling clamps at the borders: x = -0.25 -> 0, x = 3.25 -> 3 */
    uint8_t up[24];
    ft_resize_bilinear(&img, 8, 1, up);
    assert_int_equal(up[0], 0);
    assert_int_equal(up[21], 250);
}

static void blob_is_planar_and_padded(void **state)
{
    (void)state;
    /* 2 x 1 RGBA: (10, 20, 30), (40, 50, 60) into a 3 x 2 BGR blob */
    const uint8_t px[8] = {10, 20, 30, 255, 40, 50, 60, 255};
    const ft_face_image img = {px, 2, 1, 8, 4, NULL};
    float out[3 * 2 * 3];
    const ft_blob_format bgr = {.bgr = 1, .mean = 0.0f, .scale = 1.0f};
    assert_int_equal(ft_blob_from_image(&img, &bgr, 3, 2, out), FT_OK);
    const float want[18] = {30, 60, 0, 0, 0, 0, 20, 50, 0, 0, 0, 0, 10, 40, 0, 0, 0, 0};
    for (int i = 0; i < 18; i++)
        assert_float_equal(out[i], want[i], 0);
    /* SCRFD's normalisation: (v - 127.5) / 128, padding from level 0 */
    const ft_blob_format rgb = {.bgr = 0, .mean = 127.5f, .scale = 1.0f / 128.0f};
    assert_int_equal(ft_blob_from_image(&img, &rgb, 3, 2, out), FT_OK);
    assert_float_equal(out[0], (10 - 127.5f) / 128, 1e-6);
    assert_float_equal(out[2], -127.5f / 128, 1e-6);
    /* an image larger than the input is refused */
    assert_int_equal(ft_blob_from_image(&img, &rgb, 1, 2, out), FT_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yunet_pads_to_32),
        cmocka_unit_test(yunet_decodes_cells),
        cmocka_unit_test(yunet_nms_as_opencv),
        cmocka_unit_test(yunet_outputs_by_name),
        cmocka_unit_test(scrfd_letterbox_top_left),
        cmocka_unit_test(scrfd_decodes_distances),
        cmocka_unit_test(scrfd_nms_as_insightface),
        cmocka_unit_test(scrfd_outputs_by_shape),
        cmocka_unit_test(resize_samples_pixel_centres),
        cmocka_unit_test(blob_is_planar_and_padded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
