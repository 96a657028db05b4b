/* TFLite loader: the MediaPipe models load with the operator counts of
 * mediapipe_spec.md §0.1, and malformed files (wrong magic, truncated,
 * corrupted bytes, unknown operators, bad bundles) fail with a clear error
 * and never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn/flatbuffer.h"
#include "nn/model.h"
#include "nn/model_file.h"
#include "nn/tflite.h"

static char bundle[1024];

static void read_member(const char *member, ft_model_bytes *bytes)
{
    char spec[1200], err[512];
    snprintf(spec, sizeof spec, "%s:%s", bundle, member);
    if (ft_model_bytes_read(spec, bytes, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
}

static int count_ops(const ft_nn_graph *g, ft_op_type type)
{
    int n = 0;
    for (int i = 0; i < g->op_count; i++)
        n += g->ops[i].type == type;
    return n;
}

typedef struct expected_ops {
    ft_op_type type;
    int count;
} expected_ops;

static void check_model(const char *member, const expected_ops *want, int op_total,
                        int64_t parameters, const int64_t *input_shape, int input_rank)
{
    ft_nn_graph g;
    char spec[1200], err[512];
    snprintf(spec, sizeof spec, "%s:%s", bundle, member);
    if (ft_nn_model_load(spec, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(g.op_count, op_total);
    for (const expected_ops *e = want; e->count; e++)
        if (count_ops(&g, e->type) != e->count)
            fail_msg("%s: %d %s, expected %d", member, count_ops(&g, e->type), ft_op_name(e->type),
                     e->count);
    assert_int_equal(ft_nn_graph_parameters(&g), parameters);
    const ft_nn_tensor *in = &g.tensors[g.inputs[0]];
    assert_int_equal(in->rank, input_rank);
    for (int d = 0; d < input_rank; d++)
        assert_int_equal(in->shape[d], input_shape[d]);
    /* Every op input is either produced before it, a constant or a graph input. */
    char *ready = calloc((size_t)g.tensor_count, 1);
    assert_non_null(ready);
    for (int i = 0; i < g.input_count; i++)
        ready[g.inputs[i]] = 1;
    for (int i = 0; i < g.op_count; i++) {
        for (int j = 0; j < g.ops[i].input_count; j++) {
            int t = g.ops[i].inputs[j];
            assert_true(t == -1 || ready[t] || g.tensors[t].data != NULL);
        }
        for (int j = 0; j < g.ops[i].output_count; j++)
            ready[g.ops[i].outputs[j]] = 1;
    }
    free(ready);
    ft_nn_graph_free(&g);
}

/* Counts from mediapipe_spec.md §0.1; DEQUANTIZE is folded at load, and
 * parameters are the float16 weights' element counts (bytes / 2). */
static void loads_face_detector(void **state)
{
    (void)state;
    const expected_ops want[] = {{FT_OP_CONV2D, 21}, {FT_OP_RELU, 17}, {FT_OP_DEPTHWISE_CONV2D, 16},
                                 {FT_OP_ADD, 16}, {FT_OP_PAD, 11}, {FT_OP_RESHAPE, 4},
                                 {FT_OP_MAX_POOL2D, 3}, {FT_OP_CONCAT, 2}, {0, 0}};
    check_model("face_detector.tflite", want, 90, 202780 / 2, (int64_t[]){1, 128, 128, 3}, 4);
}

static void loads_landmarks_v2(void **state)
{
    (void)state;
    const expected_ops want[] = {{FT_OP_CONV2D, 72}, {FT_OP_PRELU, 69}, {FT_OP_DEPTHWISE_CONV2D, 34},
                                 {FT_OP_ADD, 34}, {FT_OP_MAX_POOL2D, 6}, {FT_OP_PAD, 3},
                                 {FT_OP_SIGMOID, 1}, {FT_OP_RESHAPE, 1}, {0, 0}};
    check_model("face_landmarks_detector.tflite", want, 220, 2398632 / 2,
                (int64_t[]){1, 256, 256, 3}, 4);
}

static void loads_blendshapes(void **state)
{
    (void)state;
    const expected_ops want[] = {{FT_OP_MUL, 26}, {FT_OP_ADD, 24}, {FT_OP_CONV2D, 19},
                                 {FT_OP_REDUCE_MEAN, 18}, {FT_OP_TRANSPOSE, 10}, {FT_OP_NEG, 8},
                                 {FT_OP_SQUARED_DIFFERENCE, 8}, {FT_OP_RSQRT, 8}, {FT_OP_SLICE, 4},
                                 {FT_OP_RESHAPE, 2}, {FT_OP_SUB, 1}, {FT_OP_REDUCE_SUM, 1},
                                 {FT_OP_SQRT, 1}, {FT_OP_DIV, 1}, {FT_OP_CONCAT, 1},
                                 {FT_OP_SIGMOID, 1}, {0, 0}};
    check_model("face_blendshapes.tflite", want, 133, 901044 / 2, (int64_t[]){1, 146, 2}, 3);
}

static void expect_failure(const uint8_t *data, size_t size, ft_status want, const char *text)
{
    ft_nn_graph g;
    char err[512];
    ft_status st = ft_tflite_load(data, size, "test.tflite", &g, err, sizeof err);
    if (want != FT_OK && st != want)
        fail_msg("status %d (%s), expected %d", st, err, want);
    if (st != FT_OK) {
        assert_non_null(strstr(err, "test.tflite: "));
        assert_null(strchr(err, '\n'));
        if (text && !strstr(err, text))
            fail_msg("'%s' lacks '%s'", err, text);
    } else {
        ft_nn_graph_free(&g);
    }
}

static void refuses_wrong_magic_and_truncation(void **state)
{
    (void)state;
    ft_model_bytes b;
    read_member("face_detector.tflite", &b);
    uint8_t *copy = malloc(b.size);
    assert_non_null(copy);
    memcpy(copy, b.data, b.size);
    memcpy(copy + 4, "ONNX", 4);
    expect_failure(copy, b.size, FT_ERR_FORMAT, "not a TFLite model");
    expect_failure(b.data, 3, FT_ERR_FORMAT, "not a TFLite model");
    /* Cut anywhere: never a crash, always an error (the tensor data and the
     * tables are spread over the whole file). */
    srand(5);
    for (int i = 0; i < 60; i++) {
        size_t cut = 8 + (size_t)rand() % (b.size - 8);
        ft_nn_graph g;
        char err[512];
        ft_status st = ft_tflite_load(b.data, cut, "test.tflite", &g, err, sizeof err);
        assert_int_not_equal(st, FT_OK);
        assert_null(strchr(err, '\n'));
    }
    free(copy);
    ft_model_bytes_free(&b);
}

static void survives_corrupted_bytes(void **state)
{
    (void)state;
    ft_model_bytes b;
    read_member("face_detector.tflite", &b);
    uint8_t *copy = malloc(b.size);
    assert_non_null(copy);
    srand(9);
    int failures = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(copy, b.data, b.size);
        /* Damage the tables, not just weights: most of them sit past the
         * weight buffers at the start... and the end of the file. */
        for (int k = 0; k < 8; k++) {
            size_t pos = k % 2 ? (size_t)rand() % b.size : b.size - 1 - (size_t)rand() % 8192;
            copy[pos] = (uint8_t)rand();
        }
        ft_nn_graph g;
        char err[512] = "";
        if (ft_tflite_load(copy, b.size, "test.tflite", &g, err, sizeof err) == FT_OK)
            ft_nn_graph_free(&g);
        else
            failures++;
    }
    assert_true(failures > 0); /* the damage was seen at least sometimes */
    free(copy);
    ft_model_bytes_free(&b);
}

static void names_an_unknown_operator(void **state)
{
    (void)state;
    ft_model_bytes b;
    read_member("face_detector.tflite", &b);
    ft_fb fb = {b.data, b.size, 0};
    size_t model = ft_fb_root(&fb);
    ft_fb_vec codes = ft_fb_vector(&fb, model, 1, 4);
    assert_true(codes.count > 0);
    /* Every operator code says 201 (no such builtin). */
    for (uint32_t i = 0; i < codes.count; i++) {
        size_t oc = ft_fb_vec_table(&fb, codes, i);
        size_t pos = ft_fb_field(&fb, oc, 3);
        size_t dep = ft_fb_field(&fb, oc, 0);
        if (pos)
            memcpy(b.data + pos, (int32_t[]){201}, 4);
        if (dep)
            b.data[dep] = 127;
    }
    assert_false(fb.bad);
    expect_failure(b.data, b.size, FT_ERR_UNSUPPORTED, "unsupported TFLite operator");
    ft_model_bytes_free(&b);
}

static void reports_bundle_errors(void **state)
{
    (void)state;
    ft_model_bytes b;
    char spec[1200], err[512];
    snprintf(spec, sizeof spec, "%s:no_such_member.tflite", bundle);
    assert_int_equal(ft_model_bytes_read(spec, &b, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "no_such_member.tflite"));
    assert_int_equal(ft_model_bytes_read("/nonexistent/model.tflite", &b, err, sizeof err),
                     FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "/nonexistent/model.tflite"));
    ft_nn_graph g;
    assert_int_equal(ft_nn_model_load(bundle, &g, err, sizeof err), FT_ERR_FORMAT);
    assert_non_null(strstr(err, "not a model format"));
}

int main(void)
{
    const char *shared = getenv("FT_SHARED_DIR");
    snprintf(bundle, sizeof bundle, "%s/models/face_landmarker_v2_with_blendshapes.task",
             shared ? shared : "../shared");
    FILE *f = fopen(bundle, "rb");
    if (!f) {
        printf("SKIP: %s not found (the shared test models)\n", bundle);
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_face_detector),
        cmocka_unit_test(loads_landmarks_v2),
        cmocka_unit_test(loads_blendshapes),
        cmocka_unit_test(refuses_wrong_magic_and_truncation),
        cmocka_unit_test(survives_corrupted_bytes),
        cmocka_unit_test(names_an_unknown_operator),
        cmocka_unit_test(reports_bundle_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
