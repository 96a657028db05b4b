/* Batched inference equals batch-1 inference item by item, for every model
 * the project has (the shared test models and MediaPipe's npm models), on
 * every backend, at batch 3 on fresh random inputs (the seed is printed;
 * FT_TEST_SEED replays it). A model that cannot batch is reported with the
 * reason; MediaPipe's detector, landmark and blendshape models must batch.
 * Tolerance: 1e-5 of each output's largest magnitude (batching changes
 * only how the kernels tile their loops). Also: the graph cache hands out
 * one graph per spec and counts its users; and runs merged across threads
 * (nn/merged_runs.h) give each thread its own items' results, those of
 * the same items run alone, whatever shared their runs, with requests
 * larger than a run takes in several turns; and an input filled with
 * bytes to map (ft_nn_input_codes) gives what its floats give, on every
 * backend, alone and merged. The model cases skip without the model
 * files, saying so; the others need none. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn_case.h"
#include "nn/backend.h"
#include "nn/graph_cache.h"
#include "nn/session.h"
#include "test_seed.h"

#define BATCH 3
#define REL_TOL 1e-5

static char shared[1024], npm[1024];
static char missing_model[2300]; /* a model file not found: the tests of models skip */

static void skip_without_models(void)
{
    if (missing_model[0]) {
        printf("SKIP: %s not found (FT_SHARED_DIR, FT_NPM_MODELS_DIR)\n", missing_model);
        skip();
    }
}

typedef struct model_case {
    const char *dir;    /* "shared" or "npm" */
    const char *spec;   /* under the models directory */
    int must_batch;     /* MediaPipe's face models */
} model_case;

static const model_case cases[] = {
    {"shared", "face_landmarker_v2_with_blendshapes.task:face_detector.tflite", 1},
    {"shared", "face_landmarker_v2_with_blendshapes.task:face_landmarks_detector.tflite", 1},
    {"shared", "face_landmarker_v2_with_blendshapes.task:face_blendshapes.tflite", 1},
    {"shared", "face_blendshapes.onnx", 0},
    {"shared", "face_detection_yunet_2023mar.onnx", 0},
    {"shared", "facemesh_face_landmark.onnx", 0},
    {"shared", "openseeface_mnv3_detection_opt.onnx", 0},
    {"shared", "openseeface_lm_model0_opt.onnx", 0},
    {"shared", "scrfd_500m_kps_640.onnx", 0},
    {"shared", "scrfd_2.5g_kps_640.onnx", 0},
    {"npm", "face_detection_short_range.tflite", 1},
    {"npm", "face_detection_full_range.tflite", 1},
    {"npm", "face_mesh_solution_packed_assets.data:face_landmark_with_attention.tflite", 1},
    {"npm", "face_mesh_solution_packed_assets.data:face_landmark.tflite", 1},
};

#define CASE_COUNT (sizeof cases / sizeof *cases)

static void model_path(const model_case *c, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", strcmp(c->dir, "npm") == 0 ? npm : shared, c->spec);
}

/* Item ITEM's random input I: floats in [0, 1), or a crop box for int32. */
static void fill_input(const ft_nn_tensor *t, void *buffer, unsigned item_seed)
{
    unsigned s = item_seed;
    const int64_t n = ft_nn_tensor_elements(t);
    if (t->dtype == FT_DTYPE_I32) {
        for (int64_t k = 0; k < n; k++)
            ((int32_t *)buffer)[k] = 100 + (int32_t)(rand_r(&s) % 100);
        return;
    }
    for (int64_t k = 0; k < n; k++)
        ((float *)buffer)[k] = (float)rand_r(&s) / (float)RAND_MAX;
}

static double value_at(const ft_nn_tensor *t, const void *p, int64_t k)
{
    switch (t->dtype) {
    case FT_DTYPE_F32: return ((const float *)p)[k];
    case FT_DTYPE_I32: return ((const int32_t *)p)[k];
    case FT_DTYPE_I64: return (double)((const int64_t *)p)[k];
    default: return ((const uint8_t *)p)[k];
    }
}

/* Batch 3 against three batch-1 runs of the same session. 0: it batches;
 * 1: it cannot (reported). */
static int check_model(const model_case *c, const ft_nn_graph *g, const ft_nn_backend_def *b,
                       ft_nn_batch_mode mode)
{
    char err[512];
    ft_nn_session *s;
    const ft_nn_session_options opt = {.batch_mode = mode};
    if (ft_nn_session_create(g, b, &opt, &s, err, sizeof err) != FT_OK)
        fail_msg("%s on %s: %s", c->spec, b->name, err);
    /* batch-1 outputs of each item, kept for the comparison */
    size_t item_bytes[FT_NN_MAX_IO];
    void *want[BATCH][FT_NN_MAX_IO];
    for (int o = 0; o < g->output_count; o++) {
        const ft_nn_tensor *t = &g->tensors[g->outputs[o]];
        item_bytes[o] = (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(t->dtype);
        for (int item = 0; item < BATCH; item++)
            assert_non_null(want[item][o] = malloc(item_bytes[o]));
    }
    for (int item = 0; item < BATCH; item++) {
        assert_int_equal(ft_nn_session_reshape(s, 1, NULL), FT_OK);
        for (int i = 0; i < g->input_count; i++)
            fill_input(&g->tensors[g->inputs[i]], ft_nn_session_input(s, i),
                       first_seed + 1000u * (unsigned)item + (unsigned)i);
        if (ft_nn_session_run(s) != FT_OK)
            fail_msg("%s on %s: %s", c->spec, b->name, ft_nn_session_error(s));
        for (int o = 0; o < g->output_count; o++)
            memcpy(want[item][o], ft_nn_session_output(s, o), item_bytes[o]);
    }
    size_t workspace = 0;
    ft_status st = ft_nn_session_reshape(s, BATCH, &workspace);
    int refused = 0;
    if (st == FT_ERR_UNSUPPORTED) {
        printf("  %s on %s: cannot batch: %s\n", c->spec, b->name, ft_nn_session_error(s));
        if (c->must_batch)
            fail_msg("%s must batch: %s", c->spec, ft_nn_session_error(s));
        refused = 1;
    } else if (st != FT_OK) {
        fail_msg("%s on %s: batch %d: %s", c->spec, b->name, BATCH, ft_nn_session_error(s));
    }
    double worst = 0;
    for (int i = 0; i < g->input_count && !refused; i++) {
        const ft_nn_tensor *t = &g->tensors[g->inputs[i]];
        const size_t bytes = (size_t)ft_nn_tensor_elements(t) * ft_dtype_size(t->dtype);
        for (int item = 0; item < BATCH; item++)
            fill_input(t, (char *)ft_nn_session_input(s, i) + (size_t)item * bytes,
                       first_seed + 1000u * (unsigned)item + (unsigned)i);
    }
    if (!refused && ft_nn_session_run(s) != FT_OK)
        fail_msg("%s on %s at batch %d: %s", c->spec, b->name, BATCH, ft_nn_session_error(s));
    for (int o = 0; o < g->output_count && !refused; o++) {
        const ft_nn_tensor *t = &g->tensors[g->outputs[o]];
        int64_t shape[FT_NN_MAX_RANK];
        const int rank = ft_nn_session_output_shape(s, o, shape);
        int64_t elements = 1;
        for (int d = 0; d < rank; d++)
            elements *= shape[d];
        assert_int_equal(elements, BATCH * ft_nn_tensor_elements(t));
        const int64_t n = ft_nn_tensor_elements(t);
        const void *got = ft_nn_session_output(s, o);
        double scale = 0, diff = 0;
        for (int item = 0; item < BATCH; item++)
            for (int64_t k = 0; k < n; k++) {
                const double w = value_at(t, want[item][o], k), v = value_at(t, got, item * n + k);
                scale = fmax(scale, fabs(w));
                diff = fmax(diff, fabs(w - v));
                if (isnan(w) != isnan(v))
                    fail_msg("%s on %s: output %d item %d: NaN at %lld", c->spec, b->name, o,
                             item, (long long)k);
            }
        /* integer outputs (pixel coordinates) may round one step apart */
        const double allowed = t->dtype == FT_DTYPE_F32 ? REL_TOL * fmax(scale, 1e-30) : 1.0;
        if (diff > allowed)
            fail_msg("%s on %s: output '%s': max |batch %d - batch 1| = %g at scale %g (seed %u)",
                     c->spec, b->name, t->name, BATCH, diff, scale, first_seed);
        worst = fmax(worst, scale > 0 ? diff / scale : diff);
    }
    if (!refused)
        printf("  %s on %s%s: batch %d equals batch 1 (worst relative difference %.3g, %zu KiB "
               "of activations)\n",
               c->spec, b->name, ft_nn_session_item_by_item(s) ? ", item by item" : "", BATCH,
               worst, workspace / 1024);
    if (!refused)
        assert_int_equal(ft_nn_session_item_by_item(s), mode == FT_NN_BATCH_ITEMS);
    for (int o = 0; o < g->output_count; o++)
        for (int item = 0; item < BATCH; item++)
            free(want[item][o]);
    ft_nn_session_free(s);
    return refused;
}

static void every_model_batches_like_batch_one(void **state)
{
    (void)state;
    skip_without_models();
    int checked = 0, refused = 0;
    for (size_t m = 0; m < CASE_COUNT; m++) {
        char path[2200], err[512];
        model_path(&cases[m], path, sizeof path);
        const ft_nn_graph *g;
        if (ft_nn_graph_acquire(path, NULL, &g, err, sizeof err) != FT_OK) {
            if (cases[m].must_batch)
                fail_msg("%s", err);
            printf("  %s: does not load, not checked: %s\n", cases[m].spec, err);
            continue;
        }
        /* every backend on the whole batch; the plans that run it item by
         * item (bound to slices of the same buffers) on the fast ones */
        for (int b = 0; b < ft_nn_backend_count(); b++) {
            const ft_nn_backend_def *backend = ft_nn_backend_at(b);
            if (backend->init(err, sizeof err) != FT_OK)
                continue; /* no device for this row here: reported above */
            refused += check_model(&cases[m], g, backend, FT_NN_BATCH_WHOLE);
            checked++;
            if (backend != &ft_nn_backend_reference) {
                refused += check_model(&cases[m], g, backend, FT_NN_BATCH_ITEMS);
                checked++;
            }
        }
        ft_nn_graph_release(g);
    }
    printf("nn batch: %d model/backend/mode runs, %d cannot batch (seed %u)\n", checked, refused,
           first_seed);
}

static void graph_cache_shares_one_graph(void **state)
{
    (void)state;
    skip_without_models();
    char path[2200], err[512];
    model_path(&cases[2], path, sizeof path);
    const int before = ft_nn_graph_cache_size();
    const ft_nn_graph *a, *b;
    assert_int_equal(ft_nn_graph_acquire(path, NULL, &a, err, sizeof err), FT_OK);
    assert_int_equal(ft_nn_graph_acquire(path, NULL, &b, err, sizeof err), FT_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(ft_nn_graph_cache_size(), before + 1);
    ft_nn_graph_release(a);
    assert_int_equal(ft_nn_graph_cache_size(), before + 1);
    ft_nn_graph_release(b);
    assert_int_equal(ft_nn_graph_cache_size(), before);
    assert_int_equal(ft_nn_graph_acquire("/nonexistent/model.tflite", NULL, &a, err, sizeof err) !=
                         FT_OK,
                     1);
    assert_non_null(strstr(err, "/nonexistent/model.tflite"));
}

/* Alternating batch sizes reuses the plans: the cached sizes come back
 * without a rebuild, and an evicted one is rebuilt correctly. */
static void alternating_batches_reuse_plans(void **state)
{
    (void)state;
    skip_without_models();
    char path[2200], err[512];
    model_path(&cases[2], path, sizeof path);
    const ft_nn_graph *g;
    assert_int_equal(ft_nn_graph_acquire(path, NULL, &g, err, sizeof err), FT_OK);
    ft_nn_session *s;
    assert_int_equal(ft_nn_session_create(g, ft_nn_backend_find("xnnpack"), NULL, &s, err,
                                          sizeof err),
                     FT_OK);
    const int sizes[] = {1, 3, 1, 3, 2, 5, 7, 1, 3};
    const void *first_batch3_input = NULL;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        assert_int_equal(ft_nn_session_reshape(s, sizes[i], NULL), FT_OK);
        /* the cached plan comes back with its buffers: not rebuilt */
        if (i == 1)
            first_batch3_input = ft_nn_session_input(s, 0);
        if (i == 3)
            assert_ptr_equal(ft_nn_session_input(s, 0), first_batch3_input);
        assert_int_equal(ft_nn_session_batch(s), sizes[i]);
        int64_t shape[FT_NN_MAX_RANK];
        const int rank = ft_nn_session_output_shape(s, 0, shape);
        assert_int_equal(rank, 1);
        assert_int_equal(shape[0], 52 * sizes[i]);
        assert_int_equal(ft_nn_session_run(s), FT_OK);
    }
    /* A caller's buffers bound to the plan, then dropped by a reshape. */
    static float in[3 * 146 * 2 + 16], out[3 * 52 + 16];
    assert_int_equal(ft_nn_session_reshape(s, 3, NULL), FT_OK);
    void *inputs[1] = {in}, *outputs[1] = {out};
    assert_int_equal(ft_nn_session_setup(s, inputs, outputs), FT_OK);
    assert_ptr_equal(ft_nn_session_input(s, 0), in);
    assert_ptr_equal(ft_nn_session_output(s, 0), out);
    assert_int_equal(ft_nn_session_run(s), FT_OK);
    assert_int_equal(ft_nn_session_reshape(s, 1, NULL), FT_OK);
    assert_int_equal(ft_nn_session_reshape(s, 3, NULL), FT_OK);
    assert_ptr_not_equal(ft_nn_session_input(s, 0), in);
    ft_nn_session_free(s);
    ft_nn_graph_release(g);
}

/* Graphs where batching would mix items are refused at reshape, naming
 * the op; batch 1 still runs. */
static void graphs_that_mix_items_are_refused(void **state)
{
    (void)state;
    static const char *const expected[] = {"Concat", "Softmax", "Add", "Transpose"};
    for (int k = 0; k < 4; k++) {
        case_graph c;
        graph_begin(&c);
        int x = input(&c, 2, (int64_t[]){1, 8});
        ft_nn_op *o = NULL;
        if (k == 0) {
            o = op(&c, FT_OP_CONCAT, 2, (int64_t[]){2, 8}, 2, x, x);
            o->attrs.axis = 0;
        } else if (k == 1) {
            o = op(&c, FT_OP_SOFTMAX, 2, (int64_t[]){1, 8}, 1, x);
            o->attrs.axis = 0;
            o->attrs.beta = 1.0f;
        } else if (k == 2) {
            int y = input(&c, 1, (int64_t[]){1});
            c.g.inputs[1] = y;
            o = op(&c, FT_OP_ADD, 2, (int64_t[]){1, 8}, 2, x, y);
        } else {
            o = op(&c, FT_OP_TRANSPOSE, 2, (int64_t[]){8, 1}, 1, x);
            o->attrs.perm[0] = 1;
            o->attrs.perm[1] = 0;
        }
        graph_output(&c, o->outputs[0]);
        char err[512];
        ft_nn_session *s;
        if (ft_nn_session_create(&c.g, &ft_nn_backend_reference, NULL, &s, err, sizeof err) !=
            FT_OK)
            fail_msg("%s: %s", expected[k], err);
        assert_int_equal(ft_nn_session_reshape(s, 3, NULL), FT_ERR_UNSUPPORTED);
        printf("  refused: %s\n", ft_nn_session_error(s));
        assert_non_null(strstr(ft_nn_session_error(s), expected[k]));
        assert_int_equal(ft_nn_session_reshape(s, 1, NULL), FT_OK);
        assert_int_equal(ft_nn_session_run(s), FT_OK);
        ft_nn_session_free(s);
        ft_nn_graph_free(&c.g);
    }
}

static void backend_table_names_its_rows(void **state)
{
    (void)state;
    assert_true(ft_nn_backend_count() >= 2);
    assert_ptr_equal(ft_nn_backend_at(0), ft_nn_backend_find("reference"));
    assert_non_null(ft_nn_backend_find("xnnpack"));
    assert_null(ft_nn_backend_find("nonesuch"));
    for (int i = 0; i < ft_nn_backend_count(); i++) {
        char err[256] = "";
        const ft_nn_backend_def *b = ft_nn_backend_at(i);
        const ft_status st = b->init(err, sizeof err);
        printf("  backend %s: %s%s%s\n", b->name, ft_status_str(st), *err ? ", " : "", err);
        assert_true(b->op_table_count > 0);
    }
}

/* ------------------------------------------------ runs merged across threads */

#define THREADS 6
#define RUNS 30
#define MERGE 8
#define MAX_ITEMS 12 /* more than MERGE: some requests take two turns */
#define H 6
#define C_IN 4
#define C_OUT 8
#define IN_ITEM (H * H * C_IN)
#define OUT_ITEM (H * H * C_OUT)

typedef struct worker {
    const ft_nn_graph *graph;
    const ft_nn_backend_def *backend;
    int merged;
    float input[RUNS][MAX_ITEMS * IN_ITEM];
    int items[RUNS];
    float output[RUNS][MAX_ITEMS * OUT_ITEM];
    ft_status status;
    char error[256];
} worker;

/* A 3x3 convolution of an HxHxC_IN input into C_OUT channels, ACTIVATION
 * fused: the graph of the tests of runs across threads and of codes. */
static void conv_graph(case_graph *c, ft_activation activation)
{
    graph_begin(c);
    int x = input(c, 4, (int64_t[]){1, H, H, C_IN});
    int k = constant(c, 4, (int64_t[]){C_OUT, 3, 3, C_IN});
    ft_nn_op *o = op(c, FT_OP_CONV2D, 4, (int64_t[]){1, H, H, C_OUT}, 2, x, k);
    o->attrs.stride[0] = o->attrs.stride[1] = 1;
    o->attrs.dilation[0] = o->attrs.dilation[1] = 1;
    o->attrs.same_padding = 1;
    o->attrs.activation = activation;
    graph_output(c, o->outputs[0]);
}

static void *work(void *arg)
{
    worker *w = arg;
    ft_nn_session *s = NULL;
    w->status = ft_nn_session_create(w->graph, w->backend, NULL, &s, w->error, sizeof w->error);
    if (w->status == FT_OK && w->merged)
        w->status = ft_nn_session_merge_runs(s, MERGE);
    for (int r = 0; r < RUNS && w->status == FT_OK; r++) {
        if ((w->status = ft_nn_session_reshape(s, w->items[r], NULL)) != FT_OK)
            break;
        memcpy(ft_nn_session_input(s, 0), w->input[r], sizeof(float) * (size_t)w->items[r] * IN_ITEM);
        if ((w->status = ft_nn_session_run(s)) != FT_OK)
            break;
        memcpy(w->output[r], ft_nn_session_output(s, 0),
               sizeof(float) * (size_t)w->items[r] * OUT_ITEM);
    }
    if (w->status != FT_OK && s)
        snprintf(w->error, sizeof w->error, "%s", ft_nn_session_error(s));
    ft_nn_session_free(s);
    return NULL;
}

static void run_all(worker *workers, int merged)
{
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t].merged = merged;
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        if (workers[t].status != FT_OK)
            fail_msg("worker %d: %s", t, workers[t].error);
    }
}

static void merged_runs_give_each_thread_its_own_results(void **state)
{
    (void)state;
    case_graph c;
    conv_graph(&c, FT_ACT_RELU);
    static worker alone[THREADS], merged[THREADS];
    for (int b = 0; b < ft_nn_backend_count(); b++) {
        const ft_nn_backend_def *backend = ft_nn_backend_at(b);
        char err[256];
        if (backend->init(err, sizeof err) != FT_OK) {
            printf("%s: not here (%s)\n", backend->name, err);
            continue;
        }
        for (int t = 0; t < THREADS; t++) {
            alone[t].graph = &c.g;
            alone[t].backend = backend;
            for (int r = 0; r < RUNS; r++) {
                alone[t].items[r] = 1 + rand() % MAX_ITEMS;
                fill_random(alone[t].input[r], (int64_t)alone[t].items[r] * IN_ITEM, -1.0f, 1.0f);
            }
            merged[t] = alone[t];
        }
        run_all(alone, 0);
        run_all(merged, 1);
        /* Each thread's items, wherever they sat in whichever runs:
         * its own results, within the kernels' tolerance of the runs
         * alone (a run's size may move the last bits). */
        double worst = 0;
        for (int t = 0; t < THREADS; t++)
            for (int r = 0; r < RUNS; r++)
                for (int j = 0; j < merged[t].items[r] * OUT_ITEM; j++) {
                    const double d = fabs((double)merged[t].output[r][j] - alone[t].output[r][j]);
                    worst = d > worst ? d : worst;
                }
        printf("%s: %d threads x %d runs, merged against alone: max |diff| %g\n", backend->name,
               THREADS, RUNS, worst);
        assert_true(worst <= 1e-4);
    }
    ft_nn_graph_free(&c.g);
}

/* ------------------------------------------------------------ input codes */

/* An input filled with bytes (ft_nn_input_codes) gives, on every backend,
 * exactly what the floats code * scale + offset give, alone and merged. */
static void input_codes_are_the_floats_they_stand_for(void **state)
{
    (void)state;
    case_graph c;
    conv_graph(&c, FT_ACT_NONE);
    enum { ITEMS = 5 };
    const ft_nn_input_codes codes[1] = {{.on = 1, .scale = 2.0f / 255.0f, .offset = -1.0f}};
    static uint8_t bytes[ITEMS * IN_ITEM];
    static float floats[ITEMS * IN_ITEM], want[ITEMS * OUT_ITEM];
    for (int i = 0; i < ITEMS * IN_ITEM; i++) {
        bytes[i] = (uint8_t)(rand() % 256);
        const float scaled = (float)bytes[i] * codes[0].scale;
        floats[i] = scaled + codes[0].offset;
    }
    for (int b = 0; b < ft_nn_backend_count(); b++) {
        const ft_nn_backend_def *backend = ft_nn_backend_at(b);
        char err[256];
        if (backend->init(err, sizeof err) != FT_OK) {
            printf("%s: not here (%s)\n", backend->name, err);
            continue;
        }
        ft_nn_session *plain, *coded;
        const ft_nn_session_options with_codes = {.input_codes = codes};
        assert_int_equal(ft_nn_session_create(&c.g, backend, NULL, &plain, err, sizeof err), FT_OK);
        assert_int_equal(ft_nn_session_create(&c.g, backend, &with_codes, &coded, err, sizeof err),
                         FT_OK);
        assert_false(ft_nn_session_input_is_codes(plain, 0));
        assert_true(ft_nn_session_input_is_codes(coded, 0));
        assert_int_equal(ft_nn_session_reshape(plain, ITEMS, NULL), FT_OK);
        memcpy(ft_nn_session_input(plain, 0), floats, sizeof floats);
        assert_int_equal(ft_nn_session_run(plain), FT_OK);
        memcpy(want, ft_nn_session_output(plain, 0), sizeof want);
        for (int merged = 0; merged <= 1; merged++) {
            if (merged)
                assert_int_equal(ft_nn_session_merge_runs(coded, 4), FT_OK);
            assert_int_equal(ft_nn_session_reshape(coded, ITEMS, NULL), FT_OK);
            memcpy(ft_nn_session_input(coded, 0), bytes, sizeof bytes);
            assert_int_equal(ft_nn_session_run(coded), FT_OK);
            const float *got = ft_nn_session_output(coded, 0);
            double worst = 0;
            for (int i = 0; i < ITEMS * OUT_ITEM; i++)
                worst = fmax(worst, fabs((double)got[i] - want[i]));
            printf("%s%s: codes against their floats: max |diff| %g\n", backend->name,
                   merged ? ", merged" : "", worst);
            if (merged)
                assert_true(worst <= 1e-5); /* runs of another size */
            else if (memcmp(got, want, sizeof want) != 0)
                fail_msg("%s: the codes' outputs differ from their floats'", backend->name);
        }
        ft_nn_session_free(plain);
        ft_nn_session_free(coded);
    }
    ft_nn_graph_free(&c.g);
}

int main(void)
{
    const char *sdir = getenv("FT_SHARED_DIR"), *ndir = getenv("FT_NPM_MODELS_DIR");
    snprintf(shared, sizeof shared, "%s/models", sdir ? sdir : "../shared");
    snprintf(npm, sizeof npm, "%s", ndir ? ndir : "build/models");
    for (size_t m = 0; m < CASE_COUNT; m++) {
        char path[2200];
        model_path(&cases[m], path, sizeof path);
        char *member = strchr(path + strlen(strcmp(cases[m].dir, "npm") == 0 ? npm : shared), ':');
        if (member)
            *member = '\0'; /* the bundle file itself */
        FILE *f = fopen(path, "rb");
        if (!f) {
            snprintf(missing_model, sizeof missing_model, "%s", path);
            break;
        }
        fclose(f);
    }
    seed = first_seed = ft_test_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backend_table_names_its_rows),
        cmocka_unit_test(graph_cache_shares_one_graph),
        cmocka_unit_test(graphs_that_mix_items_are_refused),
        cmocka_unit_test(alternating_batches_reuse_plans),
        cmocka_unit_test(merged_runs_give_each_thread_its_own_results),
        cmocka_unit_test(input_codes_are_the_floats_they_stand_for),
        cmocka_unit_test(every_model_batches_like_batch_one),
    };
    /* FT_TEST_FILTER=PATTERN: only the matching cases (cmocka's wildcards),
     * say the code test alone on a GPU machine. */
    const char *only = getenv("FT_TEST_FILTER");
    if (only && *only)
        cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
