/* BlazeFace detection: SSD anchors against the spec's listed values (§1.2),
 * weighted NMS on hand-made boxes (§1.4), and the whole detector on
 * MediaPipe's sergey.png against expected_detection.pbtxt, whose test
 * tolerance is 0.001 (golden/mediapipe/MANIFEST.md). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/anchors.h"
#include "face/detector.h"
#include "face/nms.h"
#include "face_test_util.h"

static char task_spec[2048];

static void anchors_short_range(void **state)
{
    (void)state;
    ft_anchor_options o;
    ft_anchor_options_short_range(&o);
    assert_int_equal(ft_anchor_count(&o), 896);
    ft_anchor a[896];
    assert_int_equal(ft_anchors_generate(&o, a, 896), FT_OK);
    /* 16x16 grid, 2 per cell, then 8x8 grid, 6 per cell. */
    assert_float_equal(a[0].x_center, 0.03125f, 0);
    assert_float_equal(a[0].y_center, 0.03125f, 0);
    assert_float_equal(a[1].x_center, 0.03125f, 0);
    assert_float_equal(a[2].x_center, 0.09375f, 0);
    assert_float_equal(a[2].y_center, 0.03125f, 0);
    assert_float_equal(a[3].x_center, 0.09375f, 0);
    assert_float_equal(a[32].y_center, 0.09375f, 0); /* second row */
    assert_float_equal(a[511].x_center, 0.96875f, 0);
    assert_float_equal(a[511].y_center, 0.96875f, 0);
    assert_float_equal(a[512].x_center, 0.0625f, 0);
    assert_float_equal(a[512].y_center, 0.0625f, 0);
    assert_float_equal(a[517].x_center, 0.0625f, 0);
    assert_float_equal(a[518].x_center, 0.1875f, 0);
    assert_float_equal(a[895].x_center, 0.9375f, 0);
    assert_float_equal(a[895].y_center, 0.9375f, 0);
}

static void anchors_full_range(void **state)
{
    (void)state;
    ft_anchor_options o;
    ft_anchor_options_full_range(&o);
    assert_int_equal(ft_anchor_count(&o), 2304);
    static ft_anchor a[2304];
    assert_int_equal(ft_anchors_generate(&o, a, 2304), FT_OK);
    assert_float_equal(a[0].x_center, 0.5f / 48, 1e-7f);
    assert_float_equal(a[1].x_center, 1.5f / 48, 1e-7f);
    assert_float_equal(a[48].y_center, 1.5f / 48, 1e-7f);
    assert_float_equal(a[2303].x_center, 47.5f / 48, 1e-7f);
    assert_int_equal(ft_anchors_generate(&o, a, 2303), FT_ERR_INVALID_ARG);
}

static ft_face_box box(float score, float x, float y, float w, float h)
{
    ft_face_box b = {.score = score, .xmin = x, .ymin = y, .width = w, .height = h};
    for (int k = 0; k < FT_FACE_KEYPOINTS; k++) {
        b.keypoints[k][0] = x + w / 2;
        b.keypoints[k][1] = y + h / 2;
    }
    return b;
}

/* Two overlapping boxes merge into the score-weighted mean with the seed's
 * score; a far box survives on its own; touching boxes have IoU 0. */
static void weighted_nms(void **state)
{
    (void)state;
    ft_face_box in[3] = {box(0.6f, 0.1f, 0.1f, 0.2f, 0.2f), box(0.9f, 0.12f, 0.1f, 0.2f, 0.2f),
                         box(0.7f, 0.6f, 0.6f, 0.2f, 0.2f)};
    ft_nms_entry scratch[6];
    ft_face_box out[3];
    int n = ft_face_weighted_nms(in, 3, 0.3f, scratch, out, 3);
    assert_int_equal(n, 2);
    assert_float_equal(out[0].score, 0.9f, 0);
    assert_float_equal(out[0].xmin, (0.1f * 0.6f + 0.12f * 0.9f) / 1.5f, 1e-6f);
    assert_float_equal(out[0].width, 0.2f, 1e-6f);
    assert_float_equal(out[0].keypoints[2][0], out[0].xmin + 0.1f, 1e-6f);
    assert_float_equal(out[1].score, 0.7f, 0);
    assert_float_equal(out[1].xmin, 0.6f, 0);
    /* At most MAX_OUT come out. */
    assert_int_equal(ft_face_weighted_nms(in, 3, 0.3f, scratch, out, 1), 1);
    ft_face_box a = box(1, 0, 0, 1, 1), b = box(1, 1, 0, 1, 1);
    assert_float_equal(ft_face_box_iou(&a, &b), 0.0f, 0);
    b.xmin = 0.5f;
    assert_float_equal(ft_face_box_iou(&a, &b), 0.5f / 1.5f, 1e-6f);
}

/* Reads the numbers of expected_detection.pbtxt in file order: score, box
 * xmin, ymin, width, height, then 6 keypoints x, y. */
static int read_expected(float v[17])
{
    FILE *f = fopen(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/"
                                        "expected_detection.pbtxt"), "r");
    if (!f)
        return -1;
    char line[256];
    int n = 0;
    while (n < 17 && fgets(line, sizeof line, f)) {
        const char *keys[] = {"score:", "xmin:", "ymin:", "width:", "height:", "x:", "y:"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const char *p = strstr(line, keys[k]);
            if (p && (p == line || p[-1] == ' ')) {
                v[n++] = strtof(p + strlen(keys[k]), NULL);
                break;
            }
        }
    }
    fclose(f);
    return n == 17 ? 0 : -1;
}

static void sergey_matches_mediapipe(void **state)
{
    (void)state;
    ft_face_image img;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/"
                                                          "legacy_face_detection_sergey/sergey.png"),
                                      &img), 0);
    float want[17];
    assert_int_equal(read_expected(want), 0);
    ft_face_detector *det;
    char err[512];
    if (ft_face_detector_create(task_spec, FT_FACE_DETECTOR_SHORT_RANGE, NULL, 1, &det, err,
                                sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(ft_face_detector_anchor_count(det), 896);
    ft_face_detection d[8];
    int n = 0;
    assert_int_equal(ft_face_detect(det, &img, NULL, d, 8, &n), FT_OK);
    assert_int_equal(n, 1);
    const float got[17] = {d[0].rel.score,           d[0].rel.xmin,           d[0].rel.ymin,
                           d[0].rel.width,           d[0].rel.height,         d[0].rel.keypoints[0][0],
                           d[0].rel.keypoints[0][1], d[0].rel.keypoints[1][0], d[0].rel.keypoints[1][1],
                           d[0].rel.keypoints[2][0], d[0].rel.keypoints[2][1], d[0].rel.keypoints[3][0],
                           d[0].rel.keypoints[3][1], d[0].rel.keypoints[4][0], d[0].rel.keypoints[4][1],
                           d[0].rel.keypoints[5][0], d[0].rel.keypoints[5][1]};
    const char *names[17] = {"score", "xmin", "ymin", "width", "height", "kp0.x", "kp0.y",
                             "kp1.x", "kp1.y", "kp2.x", "kp2.y", "kp3.x", "kp3.y", "kp4.x",
                             "kp4.y", "kp5.x", "kp5.y"};
    double worst = 0;
    for (int i = 0; i < 17; i++) {
        double diff = fabs((double)got[i] - want[i]);
        printf("  %-6s %.8f golden %.8f |diff| %.2e\n", names[i], got[i], want[i], diff);
        worst = fmax(worst, diff);
    }
    printf("sergey.png: 1 face, max |diff| %.2e (MediaPipe tolerance 1e-3); box %.1f,%.1f %.1fx%.1f px\n",
           worst, d[0].xmin, d[0].ymin, d[0].width, d[0].height);
    assert_true(worst <= 1e-3);
    /* Pixels are the normalised values times the image size. */
    assert_float_equal(d[0].xmin, d[0].rel.xmin * 600, 1e-3f);
    assert_float_equal(d[0].keypoints[1][1], d[0].rel.keypoints[1][1] * 600, 1e-3f);
    /* Allocation-free per call and repeatable. */
    ft_face_detection again;
    assert_int_equal(ft_face_detect(det, &img, NULL, &again, 1, &n), FT_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(&again, &d[0], sizeof again);
    ft_face_detector_free(det);
    ft_test_free_image(&img);
}

/* The full-range model comes from npm (scripts/models.sh). */
static void full_range_on_sergey(void **state)
{
    (void)state;
    char spec[2048];
    snprintf(spec, sizeof spec, "%s", ft_test_npm_model("face_detection_full_range.tflite"));
    if (!ft_test_have(spec))
        skip();
    ft_face_image img;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/"
                                                          "legacy_face_detection_sergey/sergey.png"),
                                      &img), 0);
    ft_face_detector *det;
    ft_face_detector_options o;
    ft_face_detector_options_init(&o);
    o.min_score = 0.6f; /* the legacy full-range graph's threshold */
    char err[512];
    if (ft_face_detector_create(spec, FT_FACE_DETECTOR_FULL_RANGE, &o, 1, &det, err, sizeof err) !=
        FT_OK)
        fail_msg("%s", err);
    assert_int_equal(ft_face_detector_anchor_count(det), 2304);
    ft_face_detection d[8];
    int n = 0;
    assert_int_equal(ft_face_detect(det, &img, NULL, d, 8, &n), FT_OK);
    printf("full range: %d face(s), score %.4f, box %.1f,%.1f %.1fx%.1f px\n", n, n ? d[0].score : 0,
           n ? d[0].xmin : 0, n ? d[0].ymin : 0, n ? d[0].width : 0, n ? d[0].height : 0);
    assert_int_equal(n, 1);
    /* Same face as the short-range golden: eyes within 3 % of the image. */
    assert_true(fabsf(d[0].rel.keypoints[0][0] - 0.3773f) < 0.03f);
    assert_true(fabsf(d[0].rel.keypoints[1][0] - 0.6251f) < 0.03f);
    ft_face_detector_free(det);
    ft_test_free_image(&img);
}

/* Errors are one line and name the model file. */
static void errors_name_the_model(void **state)
{
    (void)state;
    ft_face_detector *det = (ft_face_detector *)1;
    char err[512] = "";
    assert_int_not_equal(ft_face_detector_create("/nonexistent/bf.tflite", FT_FACE_DETECTOR_SHORT_RANGE,
                                                 NULL, 1, &det, err, sizeof err), FT_OK);
    assert_null(det);
    assert_non_null(strstr(err, "/nonexistent/bf.tflite"));
    assert_null(strchr(err, '\n'));
    /* The short-range model is not a full-range one (input 128, not 192). */
    assert_int_equal(ft_face_detector_create(task_spec, FT_FACE_DETECTOR_FULL_RANGE, NULL, 1, &det,
                                             err, sizeof err), FT_ERR_FORMAT);
    printf("%s\n", err);
    assert_non_null(strstr(err, "face_detector.tflite"));
    assert_non_null(strstr(err, "192"));
}

int main(void)
{
    const char *task = ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task");
    snprintf(task_spec, sizeof task_spec, "%s:face_detector.tflite", task);
    if (!ft_test_have(task) ||
        !ft_test_have(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/sergey.png")))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(anchors_short_range), cmocka_unit_test(anchors_full_range),
        cmocka_unit_test(weighted_nms),        cmocka_unit_test(sergey_matches_mediapipe),
        cmocka_unit_test(full_range_on_sergey), cmocka_unit_test(errors_name_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
