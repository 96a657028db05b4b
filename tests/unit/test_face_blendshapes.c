/* Blendshapes (spec §4): MediaPipe's golden landmarks of the portrait
 * (820 x 1024) through face_blendshapes.tflite against the golden scores,
 * names and order; bad inputs. MediaPipe's own test allows 0.1; we hold
 * 1e-3 (the reference interpreter got 9.7e-7). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "face/blendshapes.h"
#include "face_test_util.h"
#include "pbtxt_reader.h"

#define GOLDEN "golden/mediapipe/tasks_testdata_vision/"

static char model_spec[2048], in_path[2048], out_path[2048];
static float landmarks[478][3];

static ft_face_blendshaper *open_model(void)
{
    ft_face_blendshaper *b;
    char err[512];
    if (ft_face_blendshaper_create(model_spec, 1, &b, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    return b;
}

static void golden_landmarks(void **state)
{
    (void)state;
    char *out = pbtxt_load(out_path);
    assert_non_null(out);
    float want[FT_FACE_BLENDSHAPES];
    static char labels[FT_FACE_BLENDSHAPES][32];
    assert_int_equal(pbtxt_floats(out, "score", want, FT_FACE_BLENDSHAPES), FT_FACE_BLENDSHAPES);
    assert_int_equal(pbtxt_strings(out, "label", labels[0], sizeof labels[0], FT_FACE_BLENDSHAPES),
                     FT_FACE_BLENDSHAPES);
    for (int i = 0; i < FT_FACE_BLENDSHAPES; i++)
        assert_string_equal(ft_face_blendshape_name(i), labels[i]);
    assert_null(ft_face_blendshape_name(-1));
    assert_null(ft_face_blendshape_name(FT_FACE_BLENDSHAPES));

    ft_face_blendshaper *b = open_model();
    float got[FT_FACE_BLENDSHAPES];
    assert_int_equal(ft_face_blendshapes_compute(b, (const float(*)[3])landmarks, 478, 820, 1024, got),
                     FT_OK);
    double worst = 0;
    int at = 0;
    for (int i = 0; i < FT_FACE_BLENDSHAPES; i++)
        if (fabs(got[i] - want[i]) > worst)
            worst = fabs(got[i] - want[i]), at = i;
    printf("blendshapes vs golden: max |diff| %.3g (%s: %.7g vs %.7g)\n", worst,
           ft_face_blendshape_name(at), got[at], want[at]);
    assert_true(worst <= 1e-3);

    /* Aspect matters (the model normalises translation and scale only):
     * the same landmarks read as a square image score differently. */
    float square[FT_FACE_BLENDSHAPES];
    assert_int_equal(ft_face_blendshapes_compute(b, (const float(*)[3])landmarks, 478, 1024, 1024, square),
                     FT_OK);
    double moved = 0;
    for (int i = 0; i < FT_FACE_BLENDSHAPES; i++)
        moved = fmax(moved, fabs(square[i] - got[i]));
    printf("same landmarks at 1024x1024: max change %.3g\n", moved);
    assert_true(moved > 1e-3);
    /* Scale invariance: twice the image size, same scores. */
    float twice[FT_FACE_BLENDSHAPES];
    assert_int_equal(ft_face_blendshapes_compute(b, (const float(*)[3])landmarks, 478, 1640, 2048, twice),
                     FT_OK);
    for (int i = 0; i < FT_FACE_BLENDSHAPES; i++)
        assert_float_equal(twice[i], got[i], 1e-4f);
    ft_face_blendshaper_free(b);
    free(out);
}

static void bad_inputs(void **state)
{
    (void)state;
    ft_face_blendshaper *b = open_model();
    float scores[FT_FACE_BLENDSHAPES];
    assert_int_equal(ft_face_blendshapes_compute(b, (const float(*)[3])landmarks, 468, 820, 1024, scores),
                     FT_ERR_INVALID_ARG);
    const char *e = ft_face_blendshaper_error(b);
    printf("%s\n", e);
    assert_non_null(strstr(e, "468"));
    assert_null(strchr(e, '\n'));
    assert_int_equal(ft_face_blendshapes_compute(b, (const float(*)[3])landmarks, 478, 0, 1024, scores),
                     FT_ERR_INVALID_ARG);
    assert_int_equal(ft_face_blendshapes_compute(b, NULL, 478, 820, 1024, scores), FT_ERR_INVALID_ARG);
    /* The error clears on the next good call. */
    assert_int_equal(ft_face_blendshapes_compute(b, (const float(*)[3])landmarks, 478, 820, 1024, scores),
                     FT_OK);
    assert_string_equal(ft_face_blendshaper_error(b), "");
    ft_face_blendshaper_free(b);
}

static void errors_name_the_model(void **state)
{
    (void)state;
    ft_face_blendshaper *b = NULL;
    char err[512] = "";
    assert_int_not_equal(ft_face_blendshaper_create("/nonexistent/bs.tflite", 1, &b, err, sizeof err),
                         FT_OK);
    assert_null(b);
    assert_non_null(strstr(err, "/nonexistent/bs.tflite"));
    /* The landmark model is not a blendshapes model. */
    char spec[2100];
    snprintf(spec, sizeof spec, "%s", model_spec);
    strcpy(strrchr(spec, ':') + 1, "face_landmarks_detector.tflite");
    assert_int_equal(ft_face_blendshaper_create(spec, 1, &b, err, sizeof err), FT_ERR_FORMAT);
    printf("%s\n", err);
    assert_null(b);
    assert_non_null(strstr(err, "face_landmarks_detector.tflite"));
    assert_non_null(strstr(err, "[1,146,2]"));
    assert_null(strchr(err, '\n'));
}

/* The golden input landmarks, for every test. */
static int load_landmarks(void **state)
{
    (void)state;
    char *in = pbtxt_load(in_path);
    const int n = in ? pbtxt_landmarks(in, landmarks, 478) : -1;
    free(in);
    if (n != 478)
        printf("%s: expected 478 landmarks, read %d\n", in_path, n);
    return n == 478 ? 0 : -1;
}

int main(void)
{
    const char *task = ft_test_shared_path("models/face_landmarker_v2_with_blendshapes.task");
    snprintf(model_spec, sizeof model_spec, "%s:face_blendshapes.tflite", task);
    if (!ft_test_have(task))
        return 77;
    snprintf(in_path, sizeof in_path, "%s", ft_test_shared_path(GOLDEN "face_blendshapes_in_landmarks.prototxt"));
    snprintf(out_path, sizeof out_path, "%s", ft_test_shared_path(GOLDEN "face_blendshapes_out.prototxt"));
    if (!ft_test_have(in_path) || !ft_test_have(out_path))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_landmarks),
        cmocka_unit_test(bad_inputs),
        cmocka_unit_test(errors_name_the_model),
    };
    return cmocka_run_group_tests(tests, load_landmarks, NULL);
}
