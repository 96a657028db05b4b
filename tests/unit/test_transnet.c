/* TransNetV2 against PyTorch: tests/fixtures/transnetv2/make_reference.py
 * ran networks with weights made by formula (transnet_weights.c makes the
 * same) over synthetic frames, through the original's windowing, and kept
 * their float64 logits; ours must match within float32 rounding. Both the
 * small network and the full-size one (the original's sizes), from memory
 * and from a .pth file. Also: malformed weights, and the histogram. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/pth_file.h"
#include "transnet_weights.h"
#include "scenes/transnet_detector.h"
#include "scenes/transnet_model.h"

#define FRAME_BYTES (FT_TRANSNET_WIDTH * FT_TRANSNET_HEIGHT * 3)

/* make_reference.py's synthetic_frames(): shots of 23 frames. */
static void synthetic_frame(int t, uint8_t *rgb)
{
    const int shot = t / 23;
    for (int y = 0; y < FT_TRANSNET_HEIGHT; y++)
        for (int x = 0; x < FT_TRANSNET_WIDTH; x++)
            for (int c = 0; c < 3; c++) {
                const int v = x * (3 + shot % 5) + y * (7 - shot % 3) + t * 2 + c * 85 + shot * 41 +
                              (x * y + t * 13 + c * 7) % 17;
                rgb[(y * FT_TRANSNET_WIDTH + x) * 3 + c] = (uint8_t)(v % 256);
            }
}

static int json_int(json_object *root, const char *key)
{
    json_object *v;
    assert_true(json_object_object_get_ex(root, key, &v));
    return json_object_get_int(v);
}

/* Runs the network of reference NAME.json, its weights from memory or
 * (FROM_FILE) from a .pth; its logits must match. */
static void check_fixture(const char *name, ft_nn_backend backend, int from_file)
{
    char ref[1024], err[512];
    snprintf(ref, sizeof ref, "%s/%s.json", FT_FIXTURES, name);
    json_object *root = json_object_from_file(ref);
    assert_non_null(root);
    json_object *logits_j;
    assert_true(json_object_object_get_ex(root, "logits", &logits_j));
    const int frames = json_int(root, "frames"), F = json_int(root, "F"), D = json_int(root, "D");
    assert_int_equal(json_object_array_length(logits_j), frames);

    ft_nn_graph graph;
    ft_status st;
    if (from_file) {
        char pth[] = "/tmp/ft_transnet_XXXXXX";
        const int fd = mkstemp(pth);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(transnet_weights_write(F, D, pth), 0);
        st = ft_transnet_load(pth, &graph, err, sizeof err);
        unlink(pth);
    } else {
        ft_pth_state weights;
        assert_int_equal(transnet_weights_state(F, D, &weights), FT_OK);
        st = ft_transnet_build(&weights, name, &graph, err, sizeof err);
        ft_pth_free(&weights);
    }
    if (st != FT_OK)
        fail_msg("%s", err);
    ft_transnet_detector *d;
    st = ft_transnet_detector_create(&graph, backend, 0, -1, &d, err, sizeof err);
    if (st != FT_OK)
        fail_msg("%s", err);
    uint8_t rgb[FRAME_BYTES];
    for (int t = 0; t < frames; t++) {
        synthetic_frame(t, rgb);
        assert_int_equal(ft_transnet_detector_push(d, rgb), FT_OK);
    }
    const float *logits;
    int64_t count;
    assert_int_equal(ft_transnet_detector_finish(d, &logits, &count), FT_OK);
    assert_int_equal(count, frames);
    double worst = 0, lo = INFINITY, hi = -INFINITY;
    for (int t = 0; t < frames; t++) {
        const double want = json_object_get_double(json_object_array_get_idx(logits_j, (size_t)t));
        lo = fmin(lo, want);
        hi = fmax(hi, want);
        worst = fmax(worst, fabs(logits[t] - want) / fmax(1.0, fabs(want)));
    }
    printf("%s (%s backend%s): %d frames, logits %.3f..%.3f, largest relative difference %.2e\n",
           name, ft_nn_backend_name(backend), from_file ? ", from a .pth" : "", frames, lo, hi,
           worst);
    assert_true(worst < 1e-4);
    ft_transnet_detector_free(d);
    ft_nn_graph_free(&graph);
    json_object_put(root);
}

static void test_tiny_fast(void **state)
{
    (void)state;
    check_fixture("tiny", FT_NN_BACKEND_FAST, 0);
}

static void test_tiny_reference(void **state)
{
    (void)state;
    check_fixture("tiny", FT_NN_BACKEND_REFERENCE, 0);
}

static void test_tiny_from_file(void **state)
{
    (void)state;
    check_fixture("tiny", FT_NN_BACKEND_FAST, 1);
}

static void test_full_size(void **state)
{
    (void)state;
    check_fixture("full", FT_NN_BACKEND_FAST, 0);
}

/* Fewer frames than one window, and none: every frame gets one logit. */
static void test_short_videos(void **state)
{
    (void)state;
    char err[512];
    ft_pth_state weights;
    assert_int_equal(transnet_weights_state(2, 32, &weights), FT_OK);
    ft_nn_graph graph;
    assert_int_equal(ft_transnet_build(&weights, "tiny", &graph, err, sizeof err), FT_OK);
    ft_pth_free(&weights);
    const int lengths[] = {0, 1, 30, 75, 76};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        ft_transnet_detector *d;
        assert_int_equal(ft_transnet_detector_create(&graph, FT_NN_BACKEND_FAST, 1, -1, &d, err, sizeof err),
                         FT_OK);
        uint8_t rgb[FRAME_BYTES];
        for (int t = 0; t < lengths[i]; t++) {
            synthetic_frame(t, rgb);
            assert_int_equal(ft_transnet_detector_push(d, rgb), FT_OK);
        }
        const float *logits;
        int64_t count;
        assert_int_equal(ft_transnet_detector_finish(d, &logits, &count), FT_OK);
        assert_int_equal(count, lengths[i]);
        for (int64_t t = 0; t < count; t++)
            assert_true(isfinite(logits[t]));
        ft_transnet_detector_free(d);
    }
    ft_nn_graph_free(&graph);
}

static void test_missing_file(void **state)
{
    (void)state;
    char err[512];
    ft_nn_graph graph;
    assert_int_not_equal(ft_transnet_load("/nonexistent/transnetv2-pytorch-weights.pth", &graph, err,
                                          sizeof err),
                         FT_OK);
    assert_non_null(strstr(err, "/nonexistent/transnetv2-pytorch-weights.pth"));
}

/* A state dict that is not TransNetV2's: the message names the weight. */
static void test_wrong_weights(void **state)
{
    (void)state;
    char err[512];
    ft_pth_state weights;
    assert_int_equal(transnet_weights_state(2, 32, &weights), FT_OK);
    ft_nn_tensor *fc1 = NULL;
    for (int i = 0; i < weights.count; i++)
        if (!strcmp(weights.tensors[i].name, "fc1.weight"))
            fc1 = &weights.tensors[i];
    assert_non_null(fc1);

    ft_nn_graph graph;
    fc1->shape[1] -= 1; /* a different network */
    assert_int_equal(ft_transnet_build(&weights, "w.pth", &graph, err, sizeof err), FT_ERR_FORMAT);
    assert_non_null(strstr(err, "w.pth: TransNetV2 weight 'fc1.weight'"));
    fc1->shape[1] += 1;
    fc1->name[0] = 'g'; /* gc1.weight: fc1 is gone */
    assert_int_equal(ft_transnet_build(&weights, "w.pth", &graph, err, sizeof err), FT_ERR_FORMAT);
    assert_non_null(strstr(err, "'fc1.weight' is missing"));
    fc1->name[0] = 'f';
    assert_int_equal(ft_transnet_build(&weights, "w.pth", &graph, err, sizeof err), FT_OK);
    ft_nn_graph_free(&graph);
    ft_pth_free(&weights);
}

static void test_histogram(void **state)
{
    (void)state;
    uint8_t rgb[FRAME_BYTES];
    float hist[FT_TRANSNET_BINS];
    memset(rgb, 0, sizeof rgb);
    for (int i = 0; i < FRAME_BYTES / 2 / 3 * 3; i += 3) { /* half the pixels: R 255 G 40 B 100 */
        rgb[i] = 255;
        rgb[i + 1] = 40;
        rgb[i + 2] = 100;
    }
    ft_transnet_histogram(rgb, hist);
    const int red = 7 << 6 | 1 << 3 | 3;
    assert_float_equal(hist[0], (float)(1 / sqrt(2)), 1e-6);
    assert_float_equal(hist[red], (float)(1 / sqrt(2)), 1e-6);
    double sum = 0;
    for (int i = 0; i < FT_TRANSNET_BINS; i++)
        sum += hist[i];
    assert_float_equal(sum, 2 / sqrt(2), 1e-5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_fast),     cmocka_unit_test(test_tiny_reference),
        cmocka_unit_test(test_tiny_from_file), cmocka_unit_test(test_full_size),
        cmocka_unit_test(test_short_videos),
        cmocka_unit_test(test_missing_file),  cmocka_unit_test(test_wrong_weights),
        cmocka_unit_test(test_histogram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
