/* The reference backend on real models: MediaPipe's own tensors for the
 * 478-landmark model (golden/mediapipe/face_landmarks_v2_tensors, tolerance
 * from its MANIFEST: 1.5 px of 256 on x, y, z and 0.05 on the presence
 * logit), and finite outputs of every bundled model on random input. */
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
#include "nn/model.h"
#include "nn/runner.h"

static char shared[1024];

static void load_with(const char *member, ft_nn_backend backend, ft_nn_graph *g, ft_nn_runner **r)
{
    char spec[1400], err[512];
    snprintf(spec, sizeof spec, "%s/models/face_landmarker_v2_with_blendshapes.task:%s", shared,
             member);
    if (ft_nn_model_load(spec, g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    if (ft_nn_runner_create(g, backend, 1, r, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
}

static void load(const char *member, ft_nn_graph *g, ft_nn_runner **r)
{
    load_with(member, FT_NN_BACKEND_REFERENCE, g, r);
}

static void landmarks_v2_match_mediapipe(void **state)
{
    const ft_nn_backend backend = *(const ft_nn_backend *)*state;
    ft_nn_graph g;
    ft_nn_runner *r;
    load_with("face_landmarks_detector.tflite", backend, &g, &r);
    float *in = ft_nn_runner_input(r, 0);
    float want[1434], logit, tongue;
    if (read_golden_tensor(shared, "face_landmark_tflite_input_tensor0.bin", in, 256 * 256 * 3) ||
        read_golden_tensor(shared, "face_landmark_tflite_mldrift_opengl_output_tensor0.bin", want, 1434) ||
        read_golden_tensor(shared, "face_landmark_tflite_mldrift_opengl_output_tensor1.bin", &logit, 1) ||
        read_golden_tensor(shared, "face_landmark_tflite_mldrift_opengl_output_tensor2.bin", &tongue, 1))
        fail_msg("golden tensors missing under %s/golden", shared);
    assert_int_equal(ft_nn_runner_run(r), FT_OK);
    const float *mesh = ft_nn_runner_output(r, 0);
    const float *presence = ft_nn_runner_output(r, 1);
    const float *tongue_out = ft_nn_runner_output(r, 2);
    double worst = 0;
    for (int i = 0; i < 1434; i++)
        worst = fmax(worst, fabs((double)mesh[i] - want[i]));
    printf("%s landmarks: max |diff| %.3f px; presence logit %.4f (golden %.4f); tongue %.4f (%.4f)\n",
           ft_nn_backend_name(backend), worst, presence[0], logit, tongue_out[0], tongue);
    assert_true(worst <= 1.5);
    assert_true(fabs(presence[0] - logit) <= 0.05);
    assert_true(fabs(tongue_out[0] - tongue) <= 0.05);
    ft_nn_runner_free(r);
    ft_nn_graph_free(&g);
}

static void bundled_models_give_finite_outputs(void **state)
{
    (void)state;
    const char *members[] = {"face_detector.tflite", "face_blendshapes.tflite"};
    srand(3);
    for (size_t m = 0; m < sizeof members / sizeof members[0]; m++) {
        ft_nn_graph g;
        ft_nn_runner *r;
        load(members[m], &g, &r);
        float *in = ft_nn_runner_input(r, 0);
        int64_t n = ft_nn_tensor_elements(&g.tensors[g.inputs[0]]);
        for (int64_t i = 0; i < n; i++)
            in[i] = (float)rand() / RAND_MAX * 2.0f - 1.0f;
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        for (int o = 0; o < g.output_count; o++) {
            const float *y = ft_nn_runner_output(r, o);
            int64_t k = ft_nn_tensor_elements(&g.tensors[g.outputs[o]]);
            for (int64_t i = 0; i < k; i++)
                if (!isfinite(y[i]))
                    fail_msg("%s: output %d element %lld is not finite", members[m], o, (long long)i);
        }
        ft_nn_runner_free(r);
        ft_nn_graph_free(&g);
    }
}

/* The fast backend against the reference on random inputs: the largest
 * difference is at most 1e-5 of the output's largest magnitude. It is
 * measured relative to that scale, not per element, because the backends sum
 * convolutions in different orders and an element near zero can carry the
 * rounding of much larger partial sums (measured: at most 4e-6). */
static void fast_matches_reference(void **state)
{
    (void)state;
    const char *members[] = {"face_detector.tflite", "face_landmarks_detector.tflite",
                             "face_blendshapes.tflite"};
    srand(17);
    for (size_t m = 0; m < sizeof members / sizeof members[0]; m++) {
        ft_nn_graph g;
        ft_nn_runner *ref, *fast;
        char err[512];
        load(members[m], &g, &ref);
        if (ft_nn_runner_create(&g, FT_NN_BACKEND_FAST, 1, &fast, err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        int64_t n = ft_nn_tensor_elements(&g.tensors[g.inputs[0]]);
        float *a = ft_nn_runner_input(ref, 0), *b = ft_nn_runner_input(fast, 0);
        for (int64_t i = 0; i < n; i++)
            a[i] = b[i] = (float)rand() / RAND_MAX;
        assert_int_equal(ft_nn_runner_run(ref), FT_OK);
        assert_int_equal(ft_nn_runner_run(fast), FT_OK);
        for (int o = 0; o < g.output_count; o++) {
            const float *x = ft_nn_runner_output(ref, o), *y = ft_nn_runner_output(fast, o);
            int64_t k = ft_nn_tensor_elements(&g.tensors[g.outputs[o]]);
            double diff = 0, scale = 1e-30;
            for (int64_t i = 0; i < k; i++) {
                diff = fmax(diff, fabs((double)x[i] - y[i]));
                scale = fmax(scale, fabs((double)x[i]));
            }
            printf("%s output %d: %d of %d ops fast, max |diff| %.3g of max |y| %.3g (%.2g)\n",
                   members[m], o, ft_nn_runner_fast_ops(fast), g.op_count, diff, scale, diff / scale);
            assert_true(diff / scale <= 1e-5);
        }
        ft_nn_runner_free(ref);
        ft_nn_runner_free(fast);
        ft_nn_graph_free(&g);
    }
}

int main(void)
{
    const char *dir = getenv("FT_SHARED_DIR");
    snprintf(shared, sizeof shared, "%s", dir ? dir : "../shared");
    char probe[1400];
    snprintf(probe, sizeof probe, "%s/models/face_landmarker_v2_with_blendshapes.task", shared);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("SKIP: %s not found (the shared test models)\n", probe);
        return 77;
    }
    fclose(f);
    static ft_nn_backend reference = FT_NN_BACKEND_REFERENCE, fast = FT_NN_BACKEND_FAST;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(landmarks_v2_match_mediapipe, &reference),
        cmocka_unit_test_prestate(landmarks_v2_match_mediapipe, &fast),
        cmocka_unit_test(bundled_models_give_finite_outputs),
        cmocka_unit_test(fast_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
