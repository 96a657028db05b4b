/* The ONNX loader on models built here with protobuf-c: the graph it makes,
 * its numbers against a convolution computed in the test, input shapes
 * given by the caller, and one-line errors naming the file for broken,
 * unknown and absurd models. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "nn/model.h"
#include "nn/onnx.h"
#include "nn/runner.h"
#include "onnx_builder.h"
#include "test_seed.h"

static const char *const name = "crafted.onnx";

/* Loads a model that must fail; returns its error after checking it is one
 * line naming the file. */
static const char *load_fails(const uint8_t *data, size_t size, char *err, size_t err_size)
{
    ft_nn_graph g;
    ft_status st = ft_onnx_load(data, size, name, &g, err, err_size);
    if (st == FT_OK) {
        ft_nn_graph_free(&g);
        fail_msg("loaded a model that should fail");
    }
    printf("error: %s\n", err);
    assert_null(strchr(err, '\n'));
    assert_memory_equal(err, "crafted.onnx: ", 14);
    return err;
}

static void tiny_model_loads_and_computes(void **state)
{
    (void)state;
    onnx_tiny o = {0};
    size_t size;
    uint8_t *data = onnx_tiny_model(&o, &size);
    ft_nn_graph g;
    char err[512];
    if (ft_onnx_load(data, size, name, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    free(data);
    assert_int_equal(g.op_count, 3);
    assert_int_equal(g.ops[0].type, FT_OP_CONV2D);
    assert_int_equal(g.ops[0].attrs.layout, FT_LAYOUT_NCHW);
    assert_int_equal(g.ops[1].type, FT_OP_RELU);
    assert_int_equal(g.ops[2].type, FT_OP_ADD);
    const ft_nn_tensor *y = &g.tensors[g.outputs[0]];
    assert_int_equal(y->rank, 4);
    assert_int_equal(y->shape[3], 4);

    /* the same weights as the builder, convolved here */
    float w[2 * 2 * 9], x[2 * 16], want[2 * 16];
    for (int i = 0; i < 2 * 2 * 9; i++)
        w[i] = (float)((i * 7) % 11 - 5) / 10.0f;
    for (int i = 0; i < 32; i++)
        x[i] = (float)((i * 5) % 13) / 7.0f - 0.8f;
    const float b[2] = {0.5f, -0.25f};
    for (int oc = 0; oc < 2; oc++)
        for (int oy = 0; oy < 4; oy++)
            for (int ox = 0; ox < 4; ox++) {
                float acc = b[oc];
                for (int ic = 0; ic < 2; ic++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy + ky - 1, ix = ox + kx - 1;
                            if (iy >= 0 && iy < 4 && ix >= 0 && ix < 4)
                                acc += x[ic * 16 + iy * 4 + ix] * w[((oc * 2 + ic) * 3 + ky) * 3 + kx];
                        }
                want[oc * 16 + oy * 4 + ox] = (acc > 0 ? acc : 0) + x[oc * 16 + oy * 4 + ox];
            }
    for (int backend = 0; backend < 2; backend++) {
        ft_nn_runner *r;
        if (ft_nn_runner_create(&g, backend ? FT_NN_BACKEND_FAST : FT_NN_BACKEND_REFERENCE, 1, &r,
                                err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        memcpy(ft_nn_runner_input(r, 0), x, sizeof x);
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        const float *got = ft_nn_runner_output(r, 0);
        for (int i = 0; i < 32; i++)
            assert_float_equal(got[i], want[i], 1e-5);
        ft_nn_runner_free(r);
    }
    ft_nn_graph_free(&g);
}

static void input_shape_option_applies(void **state)
{
    (void)state;
    onnx_tiny o = {0};
    size_t size;
    uint8_t *data = onnx_tiny_model(&o, &size);
    ft_onnx_input_shape shape = {"x", 4, {1, 2, 9, 7}};
    ft_onnx_options opts = {.inputs = &shape, .input_count = 1};
    ft_nn_graph g;
    char err[512];
    if (ft_onnx_load_with(data, size, name, &opts, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    const ft_nn_tensor *y = &g.tensors[g.outputs[0]];
    assert_int_equal(y->shape[2], 9);
    assert_int_equal(y->shape[3], 7);
    ft_nn_graph_free(&g);
    shape.rank = 3; /* a wrong rank is an error */
    assert_int_not_equal(ft_onnx_load_with(data, size, name, &opts, &g, err, sizeof err), FT_OK);
    printf("error: %s\n", err);
    assert_non_null(strstr(err, "crafted.onnx: input 'x' has rank 4, the shape given has 3"));
    free(data);
}

static void unknown_operator_is_named(void **state)
{
    (void)state;
    onnx_tiny o = {.op2 = "FancyOp", .op2_domain = "com.example"};
    size_t size;
    uint8_t *data = onnx_tiny_model(&o, &size);
    char err[512];
    load_fails(data, size, err, sizeof err);
    assert_non_null(strstr(err, "unsupported ONNX operator 'FancyOp' (domain 'com.example')"));
    free(data);
    onnx_tiny std = {.op2 = "Hardmax"};
    data = onnx_tiny_model(&std, &size);
    load_fails(data, size, err, sizeof err);
    assert_non_null(strstr(err, "'Hardmax' (domain 'ai.onnx')"));
    free(data);
}

static void broken_models_fail_cleanly(void **state)
{
    (void)state;
    onnx_tiny o = {0};
    size_t size;
    uint8_t *data = onnx_tiny_model(&o, &size);
    char err[512];
    /* every truncation fails (or, at a field boundary, loads less) without harm */
    for (size_t cut = 0; cut < size; cut += 7) {
        ft_nn_graph g;
        if (ft_onnx_load(data, cut, name, &g, err, sizeof err) == FT_OK)
            ft_nn_graph_free(&g);
        else
            assert_null(strchr(err, '\n'));
    }
    load_fails(data, size / 2, err, sizeof err);
    free(data);

    printf("random bytes: ");
    unsigned seed = ft_test_seed();
    srand(seed);
    uint8_t noise[512];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)rand();
    ft_nn_graph g;
    if (ft_onnx_load(noise, sizeof noise, name, &g, err, sizeof err) == FT_OK)
        ft_nn_graph_free(&g); /* possible in principle: an empty-ish model */
    else
        assert_null(strchr(err, '\n'));
    load_fails(NULL, 0, err, sizeof err);
    assert_non_null(strstr(err, "not an ONNX model"));
}

static void absurd_models_are_refused(void **state)
{
    (void)state;
    onnx_tiny huge = {.dim = (int64_t)1 << 40};
    size_t size;
    uint8_t *data = onnx_tiny_model(&huge, &size);
    char err[512];
    load_fails(data, size, err, sizeof err);
    assert_non_null(strstr(err, "absurd"));
    free(data);
    onnx_tiny mismatch = {.weight_in = 3};
    data = onnx_tiny_model(&mismatch, &size);
    load_fails(data, size, err, sizeof err);
    assert_non_null(strstr(err, "do not fit"));
    free(data);
    onnx_tiny tiny_input = {.dim = 1}; /* a 3x3 window with pads 1 still fits 1x1 */
    data = onnx_tiny_model(&tiny_input, &size);
    ft_nn_graph g;
    if (ft_onnx_load(data, size, name, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    ft_nn_graph_free(&g);
    free(data);
}

static void model_load_recognises_onnx(void **state)
{
    (void)state;
    char path[] = "/tmp/ft_onnx_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    onnx_tiny o = {0};
    size_t size;
    uint8_t *data = onnx_tiny_model(&o, &size);
    assert_int_equal(write(fd, data, size), (ssize_t)size);
    close(fd);
    free(data);
    ft_nn_graph g;
    ft_nn_format format = FT_NN_FORMAT_TFLITE;
    char err[512];
    const ft_onnx_options as_written = {.keep_nchw = 1};
    if (ft_nn_model_load_with(path, &as_written, &g, &format, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(format, FT_NN_FORMAT_ONNX);
    assert_int_equal(g.op_count, 3);
    ft_nn_graph_free(&g);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("hello, this is text\n", f);
    fclose(f);
    assert_int_not_equal(ft_nn_model_load(path, &g, err, sizeof err), FT_OK);
    printf("error: %s\n", err);
    assert_non_null(strstr(err, "not a model format facetrack reads (expected TFLite, ONNX or a TF.js model.json)"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_model_loads_and_computes),
        cmocka_unit_test(input_shape_option_applies),
        cmocka_unit_test(unknown_operator_is_named),
        cmocka_unit_test(broken_models_fail_cleanly),
        cmocka_unit_test(absurd_models_are_refused),
        cmocka_unit_test(model_load_recognises_onnx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
