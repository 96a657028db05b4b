/* The ONNX models of ../shared/models: each loads with concrete shapes and
 * plausible op counts, runs on both backends with the same, finite
 * outputs; face_blendshapes.onnx agrees with the TFLite model it was
 * converted from; YuNet and SCRFD find the face in a real photograph. */
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
#include "test_seed.h"

static char shared[1024];

typedef struct expect {
    const char *file;
    int min_ops;
    const char *must_have; /* an IR op the model needs */
    double tolerance;      /* fast vs reference, of the output's scale */
} expect;

/* 1e-5 of the output's scale, like single ops: the fast kernels sum in
 * another order, nothing else differs. OpenSeeFace's landmark model chains
 * 44 convolutions with hard-swish (x * clip(x + 3) / 6) between them, which
 * amplifies those last-bit differences: measured up to 3.4e-5 over twenty
 * seeds, so it gets 1e-4; its detection model has the same chains and a
 * small heatmap output (largest about 0.03), measured up to 1.01e-5
 * (seed 1796638793), so it gets 1e-4 as well. SCRFD-500M's first score output is a sigmoid of
 * small logits (largest about 0.04), where the same last bits weigh more:
 * measured up to 1.2e-5 (seed 1795451421), so it gets 3e-5. */

static const expect models[] = {
    {"face_detection_yunet_2023mar.onnx", 100, "DepthwiseConv2D", 1e-5},
    {"scrfd_2.5g_kps_640.onnx", 130, "AveragePool2D", 1e-5},
    {"scrfd_500m_kps_640.onnx", 120, "Resize", 3e-5},
    {"facemesh_face_landmark.onnx", 200, "Pad", 1e-5},
    {"face_blendshapes.onnx", 150, "ReduceMean", 1e-5},
    {"openseeface_mnv3_detection_opt.onnx", 200, "MaxPool2D", 1e-4},
    {"openseeface_lm_model0_opt.onnx", 150, "Clip", 1e-4},
};

/* As the runtime loads it (NHWC inside), or as written (NCHW). */
static void load_model_as(const char *file, ft_nn_graph *g, int keep_nchw)
{
    char spec[1400], err[512];
    snprintf(spec, sizeof spec, "%s/models/%s", shared, file);
    const ft_onnx_options options = {.keep_nchw = keep_nchw};
    if (ft_nn_model_load_with(spec, &options, g, NULL, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
}

static void load_model(const char *file, ft_nn_graph *g)
{
    load_model_as(file, g, 0);
}

static int count_ops(const ft_nn_graph *g, const char *op)
{
    int n = 0;
    for (int i = 0; i < g->op_count; i++)
        n += strcmp(ft_op_name(g->ops[i].type), op) == 0;
    return n;
}

/* Random floats in [lo, hi), or a crop box for int32 inputs. */
static void fill_inputs(const ft_nn_graph *g, ft_nn_runner *r, unsigned seed)
{
    srand(seed);
    for (int i = 0; i < g->input_count; i++) {
        const ft_nn_tensor *t = &g->tensors[g->inputs[i]];
        int64_t n = ft_nn_tensor_elements(t);
        if (t->dtype == FT_DTYPE_I32) {
            int32_t *v = ft_nn_runner_input(r, i);
            for (int64_t k = 0; k < n; k++)
                v[k] = 100 + rand() % 100;
            continue;
        }
        float *v = ft_nn_runner_input(r, i);
        for (int64_t k = 0; k < n; k++)
            v[k] = (float)rand() / RAND_MAX;
    }
}

static void print_ops(const char *file, const ft_nn_graph *g)
{
    printf("%s: %d ops:", file, g->op_count);
    for (int i = 0; i < g->op_count; i++) {
        const char *name = ft_op_name(g->ops[i].type);
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = g->ops[j].type != g->ops[i].type;
        if (first)
            printf(" %s %d", name, count_ops(g, name));
    }
    printf("\n");
}

/* Both backends on the same random input. The fast backend runs the NCHW
 * ops with the reference kernels and the element-wise ones with XNNPACK,
 * whose sigmoid and division are not bit-exact: differences up to 1e-5 of
 * the output's largest magnitude are accepted. */
static void models_load_and_run(void **state)
{
    (void)state;
    const unsigned seed = ft_test_seed();
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        /* The reference runs the graph as written, the fast backend the
         * NHWC rewrite: this checks the kernels and the rewrite at once. */
        ft_nn_graph g, written;
        load_model(models[m].file, &g);
        load_model_as(models[m].file, &written, 1);
        print_ops(models[m].file, &written);
        assert_true(written.op_count >= models[m].min_ops);
        assert_true(count_ops(&written, models[m].must_have) > 0);
        for (int t = 0; t < g.tensor_count; t++)
            assert_true(ft_nn_tensor_elements(&g.tensors[t]) >= 0);
        ft_nn_runner *ref, *fast;
        char err[512];
        if (ft_nn_runner_create(&written, FT_NN_BACKEND_REFERENCE, 1, &ref, err, sizeof err) != FT_OK ||
            ft_nn_runner_create(&g, FT_NN_BACKEND_FAST, 1, &fast, err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        fill_inputs(&written, ref, seed);
        fill_inputs(&g, fast, seed);
        assert_int_equal(ft_nn_runner_run(ref), FT_OK);
        assert_int_equal(ft_nn_runner_run(fast), FT_OK);
        for (int o = 0; o < g.output_count; o++) {
            const ft_nn_tensor *t = &g.tensors[g.outputs[o]];
            const int64_t n = ft_nn_tensor_elements(t);
            double diff = 0, scale = 1e-30;
            for (int64_t i = 0; i < n; i++) {
                double a, b;
                if (t->dtype == FT_DTYPE_I32) {
                    a = ((const int32_t *)ft_nn_runner_output(ref, o))[i];
                    b = ((const int32_t *)ft_nn_runner_output(fast, o))[i];
                } else {
                    a = ((const float *)ft_nn_runner_output(ref, o))[i];
                    b = ((const float *)ft_nn_runner_output(fast, o))[i];
                }
                if (!isfinite(a) || !isfinite(b))
                    fail_msg("%s: output %s element %lld is not finite", models[m].file, t->name,
                             (long long)i);
                diff = fmax(diff, fabs(a - b));
                scale = fmax(scale, fabs(a));
            }
            printf("  %s: %d of %d ops fast, max |diff| %.3g of max |y| %.3g\n", t->name,
                   ft_nn_runner_fast_ops(fast), g.op_count, diff, scale);
            /* int32 outputs are rounded pixel positions: one step either way */
            assert_true(t->dtype == FT_DTYPE_I32 ? diff <= 1 : diff / scale <= models[m].tolerance);
        }
        ft_nn_runner_free(ref);
        ft_nn_runner_free(fast);
        ft_nn_graph_free(&g);
        ft_nn_graph_free(&written);
    }
}

/* face_blendshapes.onnx is a conversion of the TFLite model in the bundle.
 * The TFLite file stores float16 weights (widened at load), the ONNX file
 * float32 ones; the conversion kept the float16 values, and both graphs sum
 * in the same order, so on random inputs the 52 outputs (sigmoids in
 * [0, 1]) measured bit-identical. 1e-4 is the bound: far below any
 * visible blendshape change, and above what float32 summation in another
 * order or float16-rounded weights (relative error 5e-4 per weight, mostly
 * cancelling over hundreds of terms) would give. */
static void blendshapes_match_tflite(void **state)
{
    (void)state;
    ft_nn_graph go, gt;
    load_model("face_blendshapes.onnx", &go);
    char spec[1400], err[512];
    snprintf(spec, sizeof spec, "%s/models/face_landmarker_v2_with_blendshapes.task:face_blendshapes.tflite",
             shared);
    if (ft_nn_model_load(spec, &gt, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(ft_nn_tensor_elements(&go.tensors[go.inputs[0]]), 146 * 2);
    assert_int_equal(ft_nn_tensor_elements(&gt.tensors[gt.inputs[0]]), 146 * 2);
    ft_nn_runner *ro, *rt;
    if (ft_nn_runner_create(&go, FT_NN_BACKEND_REFERENCE, 1, &ro, err, sizeof err) != FT_OK ||
        ft_nn_runner_create(&gt, FT_NN_BACKEND_REFERENCE, 1, &rt, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    const unsigned seed = ft_test_seed() ^ 0x5eed;
    srand(seed);
    float *a = ft_nn_runner_input(ro, 0), *b = ft_nn_runner_input(rt, 0);
    for (int i = 0; i < 146 * 2; i++) /* landmark coordinates in a 256-pixel crop */
        a[i] = b[i] = 20.0f + 216.0f * (float)rand() / RAND_MAX;
    assert_int_equal(ft_nn_runner_run(ro), FT_OK);
    assert_int_equal(ft_nn_runner_run(rt), FT_OK);
    const float *x = ft_nn_runner_output(ro, 0), *y = ft_nn_runner_output(rt, 0);
    double worst = 0, spread = 0;
    for (int i = 0; i < 52; i++) {
        worst = fmax(worst, fabs((double)x[i] - y[i]));
        spread = fmax(spread, fabs((double)x[i] - x[0]));
    }
    printf("blendshapes ONNX vs TFLite: max |diff| %.3g over 52 outputs (outputs spread %.3g)\n",
           worst, spread);
    assert_true(spread > 1e-3); /* not a constant output */
    assert_true(worst <= 1e-4);
    ft_nn_runner_free(ro);
    ft_nn_runner_free(rt);
    ft_nn_graph_free(&go);
    ft_nn_graph_free(&gt);
}

/* sergey.png (600x600, face box centre at about (0.49, 0.57) by MediaPipe's
 * golden detection) scaled to SIZE x SIZE in the middle of a 640x640 grey
 * canvas, as interleaved BGR bytes. */
static uint8_t *photo_bgr(int size)
{
    char cmd[2600];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -v error -i '%s/golden/mediapipe/legacy_face_detection_sergey/sergey.png' "
             "-vf scale=%d:%d,pad=640:640:%d:%d:gray -f rawvideo -pix_fmt bgr24 - 2>/dev/null",
             shared, size, size, (640 - size) / 2, (640 - size) / 2);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    uint8_t *img = malloc(640 * 640 * 3);
    size_t got = img ? fread(img, 1, 640 * 640 * 3, p) : 0;
    pclose(p);
    if (got != 640 * 640 * 3) {
        free(img);
        return NULL;
    }
    return img;
}

typedef struct best {
    double score, cx, cy; /* centre in pixels of the 640x640 input */
} best;

/* Whether B is the face of photo_bgr(SIZE): within a tenth of the photo. */
static int at_face(best b, int size)
{
    const double x0 = (640 - size) / 2.0;
    return fabs((b.cx - x0) / size - 0.49) < 0.1 && fabs((b.cy - x0) / size - 0.57) < 0.1;
}

static void yunet_finds_the_face(void **state)
{
    (void)state;
    uint8_t *img = photo_bgr(640);
    if (!img)
        skip(); /* ffmpeg missing */
    ft_nn_graph g;
    ft_nn_runner *r;
    char err[512];
    load_model("face_detection_yunet_2023mar.onnx", &g);
    if (ft_nn_runner_create(&g, FT_NN_BACKEND_FAST, 0, &r, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    float *in = ft_nn_runner_input(r, 0); /* 1x3x640x640 BGR 0..255 */
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 640 * 640; i++)
            in[c * 640 * 640 + i] = img[i * 3 + c];
    free(img);
    assert_int_equal(ft_nn_runner_run(r), FT_OK);
    best b = {0, 0, 0};
    static const int strides[3] = {8, 16, 32};
    for (int s = 0; s < 3; s++) { /* outputs: cls, obj, bbox per stride, in that order */
        const float *cls = ft_nn_runner_output(r, s), *obj = ft_nn_runner_output(r, 3 + s);
        const float *box = ft_nn_runner_output(r, 6 + s);
        const int cols = 640 / strides[s];
        for (int i = 0; i < cols * cols; i++) {
            double score = sqrt(fmax(0, cls[i]) * fmax(0, obj[i]));
            if (score > b.score)
                b = (best){score, (i % cols + box[4 * i]) * strides[s],
                           (i / cols + box[4 * i + 1]) * strides[s]};
        }
    }
    printf("YuNet: best score %.3f at (%.0f, %.0f) of 640x640\n", b.score, b.cx, b.cy);
    assert_true(b.score > 0.5);
    assert_true(at_face(b, 640));
    ft_nn_runner_free(r);
    ft_nn_graph_free(&g);
}

static void scrfd_finds_the_face(void **state)
{
    (void)state;
    /* The photo at half size: filling the frame, the face is beyond SCRFD's
     * largest anchors (measured: 0.47 for the 500m model at 640, 0.88 at 320). */
    const int size = 320;
    uint8_t *img = photo_bgr(size);
    if (!img)
        skip();
    const char *files[] = {"scrfd_500m_kps_640.onnx", "scrfd_2.5g_kps_640.onnx"};
    for (int f = 0; f < 2; f++) {
        ft_nn_graph g;
        ft_nn_runner *r;
        char err[512];
        load_model(files[f], &g);
        if (ft_nn_runner_create(&g, FT_NN_BACKEND_FAST, 0, &r, err, sizeof err) != FT_OK)
            fail_msg("%s", err);
        float *in = ft_nn_runner_input(r, 0); /* 1x3x640x640 RGB, (v - 127.5) / 128 */
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 640 * 640; i++)
                in[c * 640 * 640 + i] = ((float)img[i * 3 + 2 - c] - 127.5f) / 128.0f;
        assert_int_equal(ft_nn_runner_run(r), FT_OK);
        best b = {0, 0, 0};
        static const int strides[3] = {8, 16, 32};
        for (int s = 0; s < 3; s++) { /* score, bbox per stride; two anchors per cell */
            const float *score = ft_nn_runner_output(r, s), *box = ft_nn_runner_output(r, 3 + s);
            const int cols = 640 / strides[s];
            for (int i = 0; i < cols * cols * 2; i++) {
                if (score[i] <= b.score)
                    continue;
                const double ax = (i / 2 % cols) * strides[s], ay = (i / 2 / cols) * strides[s];
                const float *d = box + 4 * i; /* distances left, top, right, bottom in strides */
                b = (best){score[i], ax + (d[2] - d[0]) * strides[s] / 2,
                           ay + (d[3] - d[1]) * strides[s] / 2};
            }
        }
        printf("%s: best score %.3f at (%.0f, %.0f) of 640x640\n", files[f], b.score, b.cx, b.cy);
        assert_true(b.score > 0.5);
        assert_true(at_face(b, size));
        ft_nn_runner_free(r);
        ft_nn_graph_free(&g);
    }
    free(img);
}

int main(void)
{
    const char *dir = getenv("FT_SHARED_DIR");
    snprintf(shared, sizeof shared, "%s", dir ? dir : "../shared");
    char probe[1400];
    snprintf(probe, sizeof probe, "%s/models/face_detection_yunet_2023mar.onnx", shared);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("SKIP: %s not found (the shared test models)\n", probe);
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(models_load_and_run),
        cmocka_unit_test(blendshapes_match_tflite),
        cmocka_unit_test(yunet_finds_the_face),
        cmocka_unit_test(scrfd_finds_the_face),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
