/* The face mesh: the model-run path on MediaPipe's golden input tensor
 * (tolerance 1.5 px of 256 on x, y, z and 0.05 on the logit, MANIFEST),
 * projection and ROI rules (spec §2, §3.1), and the chain detection -> ROI
 * -> landmarks -> next ROI on sergey.png. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden_tensors.h"
#include "face/detector.h"
#include "face/landmarks.h"
#include "face/roi.h"
#include "face_test_util.h"

static char mesh_spec[2048], detector_spec[2048];

static ft_face_landmarker *open_mesh(void)
{
    ft_face_landmarker *lm;
    char err[512];
    if (ft_face_landmarker_create(mesh_spec, 1, &lm, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(ft_face_landmarker_input_size(lm), 256);
    assert_int_equal(ft_face_landmarker_count(lm), 478);
    return lm;
}

static void golden_tensor(void **state)
{
    (void)state;
    float *in = malloc(sizeof(float) * 256 * 256 * 3);
    float want[478][3], want_logit, raw[478][3], logit;
    assert_non_null(in);
    assert_int_equal(read_golden_tensor(ft_test_shared_dir(), "face_landmark_tflite_input_tensor0.bin", in, 256 * 256 * 3), 0);
    assert_int_equal(read_golden_tensor(ft_test_shared_dir(), "face_landmark_tflite_mldrift_opengl_output_tensor0.bin", &want[0][0], 1434), 0);
    assert_int_equal(read_golden_tensor(ft_test_shared_dir(), "face_landmark_tflite_mldrift_opengl_output_tensor1.bin", &want_logit, 1), 0);
    ft_face_landmarker *lm = open_mesh();
    assert_int_equal(ft_face_landmarker_run_tensor(lm, in, raw, &logit), FT_OK);
    double worst_xy = 0, worst_z = 0, sum = 0;
    for (int i = 0; i < 478; i++) {
        double d = hypot(raw[i][0] - want[i][0], raw[i][1] - want[i][1]);
        sum += d;
        worst_xy = fmax(worst_xy, fmax(fabs(raw[i][0] - want[i][0]), fabs(raw[i][1] - want[i][1])));
        worst_z = fmax(worst_z, fabs(raw[i][2] - want[i][2]));
    }
    printf("golden tensor: max |dx|,|dy| %.3f px, mean distance %.3f px, max |dz| %.3f px (of 256); "
           "logit %.4f vs %.4f\n", worst_xy, sum / 478, worst_z, logit, want_logit);
    assert_true(worst_xy <= 1.5 && worst_z <= 1.5);
    assert_true(fabsf(logit - want_logit) <= 0.05f);
    ft_face_landmarker_free(lm);
    free(in);
}

/* A crop of the whole 200 x 100 image, turned by 90 degrees: the tensor's
 * centre is the image centre; tensor +x runs along image +y; z scales with
 * the ROI width in x units. */
static void projection(void **state)
{
    (void)state;
    static ft_face_landmarks out;
    const float raw[3][3] = {{128, 128, 10}, {256, 128, 0}, {128, 0, 0}};
    ft_norm_rect roi = {0.5f, 0.5f, 0.5f, 1.0f, 0.0f};
    ft_face_landmarks_project(raw, 3, 256, &roi, 200, 100, &out);
    assert_float_equal(out.points[0][0], 100, 1e-4f);
    assert_float_equal(out.points[0][1], 50, 1e-4f);
    assert_float_equal(out.points[0][2], 10.0f / 256 * 100, 1e-4f); /* ROI is 100 px wide */
    assert_float_equal(out.points[1][0], 150, 1e-4f);
    roi.rotation = (float)M_PI / 2;
    ft_face_landmarks_project(raw, 3, 256, &roi, 200, 100, &out);
    assert_float_equal(out.points[1][0], 100, 1e-3f);
    assert_float_equal(out.points[1][1], 100, 1e-3f);
    /* Rotated by 90 degrees the crop's x axis runs along y: MediaPipe's z
     * scale is the length of the projected unit x vector in normalised units
     * (100 px / 100 px = 1); z in pixels stays the ROI's 100 px width. */
    assert_float_equal(out.norm[0][2], 10.0f / 256 * 1.0f, 1e-5f);
    assert_float_equal(out.points[0][2], 10.0f / 256 * 100, 1e-4f);
}

static void roi_rules(void **state)
{
    (void)state;
    assert_float_equal(ft_normalize_radians(3.5f), 3.5f - 2 * (float)M_PI, 1e-6f);
    assert_float_equal(ft_normalize_radians(-3.0f), -3.0f, 1e-6f);
    assert_float_equal(ft_normalize_radians(7.0f), 7.0f - 2 * (float)M_PI, 1e-6f);
    /* Detection in a 200 x 100 image: box 0.2 x 0.4 (40 px square), eyes level. */
    ft_face_box det = {.score = 1, .xmin = 0.4f, .ymin = 0.3f, .width = 0.2f, .height = 0.4f};
    det.keypoints[0][0] = 0.45f, det.keypoints[0][1] = 0.4f;
    det.keypoints[1][0] = 0.55f, det.keypoints[1][1] = 0.4f;
    ft_rect_transform t;
    ft_rect_transform_from_detection(&t);
    ft_norm_rect r = ft_roi_from_detection(&det, 200, 100, &t);
    assert_float_equal(r.x_center, 0.5f, 1e-6f);
    assert_float_equal(r.y_center, 0.5f, 1e-6f);
    assert_float_equal(r.width, 0.3f, 1e-6f);
    assert_float_equal(r.height, 0.6f, 1e-6f);
    assert_float_equal(r.rotation, 0.0f, 1e-6f);
    /* Left eye 10 px higher than the right, 20 px apart: the face is turned
     * counter-clockwise on screen, rotation -atan(1/2). */
    det.keypoints[1][0] = 0.55f, det.keypoints[1][1] = 0.3f;
    r = ft_roi_from_detection(&det, 200, 100, &t);
    assert_float_equal(r.rotation, -atanf(0.5f), 1e-5f);
    /* square_long: a 0.1 x 0.4 rect of 200 x 100 is 20 x 40 px -> 40 x 40. */
    ft_norm_rect s = {0.5f, 0.5f, 0.1f, 0.4f, 0.0f};
    ft_rect_transform_from_landmarks(&t);
    ft_rect_apply_transform(&s, 200, 100, &t);
    assert_float_equal(s.width, 0.2f * 1.5f, 1e-6f);
    assert_float_equal(s.height, 0.4f * 1.5f, 1e-6f);
    /* A shift along a rotated rect moves along its axes. */
    ft_norm_rect u = {0.5f, 0.5f, 0.2f, 0.2f, (float)M_PI / 2};
    ft_rect_transform sh = {1, 1, 0, 0.5f, 0};
    ft_rect_apply_transform(&u, 100, 100, &sh);
    assert_float_equal(u.x_center, 0.4f, 1e-6f);
    assert_float_equal(u.y_center, 0.5f, 1e-6f);
}

static double dist(const float *a, const float *b)
{
    return hypot(a[0] - b[0], a[1] - b[1]);
}

static void sergey_chain(void **state)
{
    (void)state;
    ft_face_image img;
    assert_int_equal(ft_test_load_rgb(ft_test_shared_path("golden/mediapipe/"
                                                          "legacy_face_detection_sergey/sergey.png"),
                                      &img), 0);
    ft_face_detector *det;
    char err[512];
    if (ft_face_detector_create(detector_spec, FT_FACE_DETECTOR_SHORT_RANGE, NULL, 1, &det, err,
                                sizeof err) != FT_OK)
        fail_msg("%s", err);
    ft_face_detection d;
    int n = 0;
    assert_int_equal(ft_face_detect(det, &img, NULL, &d, 1, &n), FT_OK);
    assert_int_equal(n, 1);
    ft_rect_transform t;
    ft_rect_transform_from_detection(&t);
    ft_norm_rect roi = ft_roi_from_detection(&d.rel, img.width, img.height, &t);
    printf("detection ROI: centre %.4f,%.4f size %.4f x %.4f rotation %.4f rad\n", roi.x_center,
           roi.y_center, roi.width, roi.height, roi.rotation);

    ft_face_landmarker *lm = open_mesh();
    static ft_face_landmarks a, b;
    assert_int_equal(ft_face_landmarks_detect(lm, &img, &roi, &a), FT_OK);
    printf("presence %.4f (logit %.3f)\n", a.presence, a.presence_logit);
    assert_true(a.presence > 0.5f);
    /* Every landmark within the detection box grown by 20 % per side (the
     * mesh reaches the forehead, above BlazeFace's box); most inside the
     * box itself. */
    int inside = 0, near = 0;
    const float mx = 0.2f * d.width, my = 0.2f * d.height;
    for (int i = 0; i < a.count; i++) {
        const float x = a.points[i][0], y = a.points[i][1];
        inside += x >= d.xmin && x <= d.xmin + d.width && y >= d.ymin && y <= d.ymin + d.height;
        near += x >= d.xmin - mx && x <= d.xmin + d.width + mx && y >= d.ymin - my &&
                y <= d.ymin + d.height + my;
    }
    printf("landmarks in the detection box: %d of %d; within +20 %%: %d\n", inside, a.count, near);
    assert_int_equal(near, a.count);
    assert_true(inside >= a.count * 9 / 10);
    /* Eyes: outer corners 33 / 263 and iris centres 468 / 473 against the
     * detector's eye keypoints (which mark the eye centres). */
    const double c_r = dist(a.points[33], d.keypoints[FT_FACE_KP_RIGHT_EYE]);
    const double c_l = dist(a.points[263], d.keypoints[FT_FACE_KP_LEFT_EYE]);
    const double i_r = dist(a.points[468], d.keypoints[FT_FACE_KP_RIGHT_EYE]);
    const double i_l = dist(a.points[473], d.keypoints[FT_FACE_KP_LEFT_EYE]);
    printf("eye distances to detector keypoints (box %.0f px): 33 %.1f px, 263 %.1f px; "
           "iris 468 %.1f px, 473 %.1f px\n", d.width, c_r, c_l, i_r, i_l);
    assert_true(c_r < 0.12 * d.width && c_l < 0.12 * d.width);
    assert_true(i_r < 0.05 * d.width && i_l < 0.05 * d.width);

    /* Tracking: the ROI from the landmarks finds the same face again. */
    ft_norm_rect next = ft_face_roi_from_landmarks(&a, img.width, img.height);
    printf("landmark ROI: centre %.4f,%.4f size %.4f x %.4f rotation %.4f rad\n", next.x_center,
           next.y_center, next.width, next.height, next.rotation);
    assert_float_equal(next.width * img.width, next.height * img.height, 1e-2f); /* square px */
    assert_int_equal(ft_face_landmarks_detect(lm, &img, &next, &b), FT_OK);
    double sum = 0, worst = 0;
    for (int i = 0; i < a.count; i++) {
        double e = dist(a.points[i], b.points[i]);
        sum += e;
        worst = fmax(worst, e);
    }
    printf("second pass from the landmark ROI: presence %.4f, mean shift %.2f px, max %.2f px\n",
           b.presence, sum / a.count, worst);
    assert_true(b.presence > 0.5f);
    assert_true(sum / a.count < 0.01 * d.width);
    ft_face_landmarker_free(lm);
    ft_face_detector_free(det);
    ft_test_free_image(&img);
}

static void errors_name_the_model(void **state)
{
    (void)state;
    ft_face_landmarker *lm = NULL;
    char err[512] = "";
    assert_int_not_equal(ft_face_landmarker_create("/nonexistent/mesh.tflite", 1, &lm, err, sizeof err),
                         FT_OK);
    assert_null(lm);
    assert_non_null(strstr(err, "/nonexistent/mesh.tflite"));
    /* The detector is not a face mesh model. */
    assert_int_equal(ft_face_landmarker_create(detector_spec, 1, &lm, err, sizeof err), FT_ERR_FORMAT);
    printf("%s\n", err);
    assert_non_null(strstr(err, "face_detector.tflite"));
    assert_null(strchr(err, '\n'));
}

int main(void)
{
    const char *task = ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task");
    snprintf(mesh_spec, sizeof mesh_spec, "%s:face_landmarks_detector.tflite", task);
    snprintf(detector_spec, sizeof detector_spec, "%s:face_detector.tflite", task);
    if (!ft_test_have(task) ||
        !ft_test_have(ft_test_shared_path("golden/mediapipe/face_landmarks_v2_tensors/"
                                          "face_landmark_tflite_input_tensor0.bin")) ||
        !ft_test_have(ft_test_shared_path("golden/mediapipe/legacy_face_detection_sergey/sergey.png")))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_tensor), cmocka_unit_test(projection),
        cmocka_unit_test(roi_rules),     cmocka_unit_test(sergey_chain),
        cmocka_unit_test(errors_name_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
