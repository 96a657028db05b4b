/* The MediaPipe models of the npm packages (installed by scripts/models.sh
 * into FT_NPM_MODELS_DIR): operator counts of docs' spec §0.1, fast against
 * reference backend on random input, the sparse full-range detector against
 * the dense one, and the attention landmark model on MediaPipe's own face
 * crop against the plain landmark model and the v2 golden output. */
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
#include "test_seed.h"

static char models[1024], shared[1024];
static unsigned seed;

typedef struct op_count {
    const char *name; /* ft_op_name, or the custom op's name */
    int count;
} op_count;

typedef struct npm_model {
    const char *file;
    int64_t input[4];
    op_count ops[16];
} npm_model;

/* Spec §0.1, less DEQUANTIZE and DENSIFY (folded into constants at load)
 * and with STRIDED_SLICE under its IR name. */
static const npm_model npm_models[] = {
    {"face_detection_short_range.tflite", {1, 128, 128, 3},
     {{"Conv2D", 21}, {"Relu", 17}, {"DepthwiseConv2D", 16}, {"Add", 16}, {"Pad", 11},
      {"Reshape", 4}, {"MaxPool2D", 3}, {"Concat", 2}}},
    {"face_detection_full_range.tflite", {1, 192, 192, 3},
     {{"Conv2D", 49}, {"Relu", 47}, {"DepthwiseConv2D", 40}, {"Add", 23}, {"Pad", 8},
      {"MaxPool2D", 4}, {"Resize", 3}, {"Reshape", 2}}},
    {"face_detection_full_range_sparse.tflite", {1, 192, 192, 3},
     {{"Conv2D", 49}, {"Pad", 43}, {"DepthwiseConv2D", 42}, {"Add", 19}, {"Resize", 3},
      {"DepthToSpace", 2}, {"Reshape", 2}}},
    {"face_landmark.tflite", {1, 192, 192, 3},
     {{"Conv2D", 25}, {"PRelu", 23}, {"DepthwiseConv2D", 20}, {"Add", 20}, {"MaxPool2D", 6},
      {"Pad", 3}}},
    {"face_landmark_with_attention.tflite", {1, 192, 192, 3},
     {{"Conv2D", 80}, {"PRelu", 73}, {"DepthwiseConv2D", 66}, {"Add", 66}, {"MaxPool2D", 16},
      {"Reshape", 13}, {"Pad", 9}, {"Mul", 6}, {"Slice", 1}, {"Landmarks2TransformMatrix", 3},
      {"TransformTensorBilinear", 3}, {"TransformLandmarks", 5}}},
};
#define MODEL_COUNT (sizeof npm_models / sizeof npm_models[0])

static const char *label(const ft_nn_op *op)
{
    return op->type == FT_OP_CUSTOM ? op->attrs.custom_name : ft_op_name(op->type);
}

static void load(const char *file, ft_nn_graph *g)
{
    char spec[1400], err[512];
    snprintf(spec, sizeof spec, "%s/%s", models, file);
    if (ft_nn_model_load(spec, g, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
}

static ft_nn_runner *runner(const ft_nn_graph *g, ft_nn_backend backend)
{
    ft_nn_runner *r;
    char err[512];
    if (ft_nn_runner_create(g, backend, 1, &r, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    return r;
}


/* MediaPipe's refinement indices (spec §3.2): which mesh points the
 * attention model's lips and eye outputs replace. */
static const int lips_idx[80] = {
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409,
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415,
    76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408,
    62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407};
static const int left_eye_idx[71] = {
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24,
    23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233,
    244, 113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120,
    121, 128, 245, 156, 70, 63, 105, 66, 107, 55, 193};
static const int right_eye_idx[71] = {
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339,
    254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451,
    452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346,
    347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417};

/* Bilinear resize of an HWC float image, pixel centres aligned (the
 * convention of OpenCV's INTER_LINEAR and TFLite's half_pixel_centers). */
static void resize_bilinear(const float *src, int sh, int sw, float *dst, int dh, int dw, int c)
{
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            float fy = ((float)y + 0.5f) * (float)sh / (float)dh - 0.5f;
            float fx = ((float)x + 0.5f) * (float)sw / (float)dw - 0.5f;
            fy = fy < 0 ? 0 : fy;
            fx = fx < 0 ? 0 : fx;
            int y0 = (int)fy, x0 = (int)fx;
            int y1 = y0 + 1 < sh ? y0 + 1 : y0, x1 = x0 + 1 < sw ? x0 + 1 : x0;
            float dy = fy - (float)y0, dx = fx - (float)x0;
            for (int k = 0; k < c; k++)
                dst[(y * dw + x) * c + k] =
                    src[(y0 * sw + x0) * c + k] * (1 - dy) * (1 - dx) + src[(y0 * sw + x1) * c + k] * (1 - dy) * dx +
                    src[(y1 * sw + x0) * c + k] * dy * (1 - dx) + src[(y1 * sw + x1) * c + k] * dy * dx;
        }
}

/* MediaPipe's own 256x256 face crop (v2 landmark input, [0,1]) at 192. */
static float *face_crop_192(void)
{
    float *src = malloc(256 * 256 * 3 * sizeof *src), *dst = malloc(192 * 192 * 3 * sizeof *dst);
    assert_non_null(src);
    assert_non_null(dst);
    if (read_golden_tensor(shared, "face_landmark_tflite_input_tensor0.bin", src, 256 * 256 * 3))
        fail_msg("golden face crop missing under %s/golden", shared);
    resize_bilinear(src, 256, 256, dst, 192, 192, 3);
    free(src);
    return dst;
}

static int output_named(const ft_nn_graph *g, const char *name)
{
    for (int o = 0; o < g->output_count; o++)
        if (strcmp(g->tensors[g->outputs[o]].name, name) == 0)
            return o;
    fail_msg("%s: no output '%s'", g->name, name);
    return -1;
}

typedef struct dist_stats {
    double mean, max;
} dist_stats;

/* xy distances between N points of A (stride sa, indices ia or identity)
 * and of B (stride sb, indices ib), both scaled by SCALE. */
static dist_stats distances(const float *a, int sa, const int *ia, const float *b, int sb,
                            const int *ib, int n, double scale)
{
    dist_stats st = {0, 0};
    for (int i = 0; i < n; i++) {
        const float *p = a + (ia ? ia[i] : i) * sa, *q = b + (ib ? ib[i] : i) * sb;
        double d = hypot((double)p[0] - q[0], (double)p[1] - q[1]) * scale;
        st.mean += d / n;
        st.max = fmax(st.max, d);
    }
    return st;
}

static void op_counts_follow_the_spec(void **state)
{
    (void)state;
    for (size_t m = 0; m < MODEL_COUNT; m++) {
        const npm_model *nm = &npm_models[m];
        ft_nn_graph g;
        load(nm->file, &g);
        int listed = 0;
        for (const op_count *oc = nm->ops; oc->name; oc++) {
            int n = 0;
            for (int i = 0; i < g.op_count; i++)
                n += strcmp(label(&g.ops[i]), oc->name) == 0;
            if (n != oc->count)
                fail_msg("%s: %d %s ops, spec says %d", nm->file, n, oc->name, oc->count);
            listed += n;
        }
        assert_int_equal(listed, g.op_count); /* nothing beyond the spec's list */
        const ft_nn_tensor *in = &g.tensors[g.inputs[0]];
        assert_int_equal(g.input_count, 1);
        assert_int_equal(in->rank, 4);
        for (int d = 0; d < 4; d++)
            assert_int_equal(in->shape[d], nm->input[d]);
        printf("%s: %d ops, %d outputs, as the spec lists\n", nm->file, g.op_count, g.output_count);
        ft_nn_graph_free(&g);
    }
}

/* Fused activations and options the spec states for the sparse detector. */
static void sparse_detector_details(void **state)
{
    (void)state;
    ft_nn_graph g;
    load("face_detection_full_range_sparse.tflite", &g);
    int conv_relu = 0, add_relu = 0, half_pixel = 0, block2 = 0;
    for (int i = 0; i < g.op_count; i++) {
        const ft_nn_op *op = &g.ops[i];
        conv_relu += op->type == FT_OP_CONV2D && op->attrs.activation == FT_ACT_RELU;
        add_relu += op->type == FT_OP_ADD && op->attrs.activation == FT_ACT_RELU;
        half_pixel += op->type == FT_OP_RESIZE && op->attrs.half_pixel_centers && !op->attrs.align_corners;
        block2 += op->type == FT_OP_DEPTH_TO_SPACE && op->attrs.block == 2;
    }
    assert_int_equal(conv_relu, 31);
    assert_int_equal(add_relu, 16);
    assert_int_equal(half_pixel, 3);
    assert_int_equal(block2, 2);
    ft_nn_graph_free(&g);
}

static void fill_random(float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)rand() / (float)RAND_MAX; /* never all zeros */
}

/* Largest |a - b| over the largest |a|, per output. */
static double rel_diff(const float *a, const float *b, int64_t n, double *scale_out)
{
    double diff = 0, scale = 1e-30;
    for (int64_t i = 0; i < n; i++) {
        diff = fmax(diff, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)a[i]));
    }
    if (scale_out)
        *scale_out = scale;
    return diff / scale;
}

/* Tolerance 1e-5 of the output's scale, as for the bundled models: the
 * backends sum in different orders. */
static void fast_matches_reference(void **state)
{
    (void)state;
    srand(seed);
    for (size_t m = 0; m < MODEL_COUNT; m++) {
        ft_nn_graph g;
        load(npm_models[m].file, &g);
        ft_nn_runner *ref = runner(&g, FT_NN_BACKEND_REFERENCE), *fast = runner(&g, FT_NN_BACKEND_FAST);
        const int64_t n = ft_nn_tensor_elements(&g.tensors[g.inputs[0]]);
        float *a = ft_nn_runner_input(ref, 0), *b = ft_nn_runner_input(fast, 0);
        fill_random(a, n);
        memcpy(b, a, (size_t)n * sizeof *a);
        assert_int_equal(ft_nn_runner_run(ref), FT_OK);
        assert_int_equal(ft_nn_runner_run(fast), FT_OK);
        double worst = 0;
        for (int o = 0; o < g.output_count; o++) {
            const int64_t k = ft_nn_tensor_elements(&g.tensors[g.outputs[o]]);
            const float *x = ft_nn_runner_output(ref, o), *y = ft_nn_runner_output(fast, o);
            for (int64_t i = 0; i < k; i++)
                if (!isfinite(x[i]))
                    fail_msg("%s output %d: element %lld not finite", npm_models[m].file, o, (long long)i);
            double r = rel_diff(x, y, k, NULL);
            worst = fmax(worst, r);
            if (r > 1e-5)
                fail_msg("%s output %d: fast differs by %.3g of the output scale", npm_models[m].file, o, r);
        }
        printf("%s: %d of %d ops on XNNPACK, worst output diff %.2g of scale\n", npm_models[m].file,
               ft_nn_runner_fast_ops(fast), g.op_count, worst);
        ft_nn_runner_free(ref);
        ft_nn_runner_free(fast);
        ft_nn_graph_free(&g);
    }
}

/* Measured, not asserted equal: on random input the two full-range models
 * differ by ~0.8% of the box scale and by the whole logit range (10.9 of
 * 11.3), so the sparse one was pruned and retrained rather than re-encoded.
 * DENSIFY itself is checked exactly in test_densify; here the shapes match
 * and the outputs are finite. */
static void sparse_matches_dense_detector(void **state)
{
    (void)state;
    ft_nn_graph dense, sparse;
    load("face_detection_full_range.tflite", &dense);
    load("face_detection_full_range_sparse.tflite", &sparse);
    ft_nn_runner *a = runner(&dense, FT_NN_BACKEND_FAST), *b = runner(&sparse, FT_NN_BACKEND_FAST);
    srand(seed + 1);
    const int64_t n = 192 * 192 * 3;
    float *x = ft_nn_runner_input(a, 0);
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)rand() / (float)RAND_MAX * 2.0f - 1.0f;
    memcpy(ft_nn_runner_input(b, 0), x, (size_t)n * sizeof *x);
    assert_int_equal(ft_nn_runner_run(a), FT_OK);
    assert_int_equal(ft_nn_runner_run(b), FT_OK);
    for (int o = 0; o < 2; o++) {
        const int64_t k = ft_nn_tensor_elements(&dense.tensors[dense.outputs[o]]);
        assert_int_equal(k, ft_nn_tensor_elements(&sparse.tensors[sparse.outputs[o]]));
        double scale, r = rel_diff(ft_nn_runner_output(a, o), ft_nn_runner_output(b, o), k, &scale);
        printf("full range dense vs sparse, output %d: max diff %.3g of scale %.3g\n", o, r, scale);
        assert_true(isfinite(r));
    }
    ft_nn_runner_free(a);
    ft_nn_runner_free(b);
    ft_nn_graph_free(&dense);
    ft_nn_graph_free(&sparse);
}

/* Best-scoring anchor of a full-range detector (48x48 anchors, spec §1.2,
 * §1.3) as (score, xc, yc, w, h) in normalised input coordinates. */
static void best_full_range_box(const ft_nn_graph *g, const float *crop, float *best)
{
    ft_nn_runner *r = runner(g, FT_NN_BACKEND_FAST);
    float *in = ft_nn_runner_input(r, 0);
    for (int i = 0; i < 192 * 192 * 3; i++)
        in[i] = crop[i] * 2.0f - 1.0f; /* detector input range [-1, 1] */
    assert_int_equal(ft_nn_runner_run(r), FT_OK);
    const float *box = ft_nn_runner_output(r, 0), *logit = ft_nn_runner_output(r, 1);
    int k = 0;
    for (int i = 1; i < 2304; i++)
        if (logit[i] > logit[k])
            k = i;
    const float ax = ((float)(k % 48) + 0.5f) / 48, ay = ((float)(k / 48) + 0.5f) / 48;
    best[0] = 1.0f / (1.0f + expf(-logit[k]));
    best[1] = box[k * 16] / 192 + ax;
    best[2] = box[k * 16 + 1] / 192 + ay;
    best[3] = box[k * 16 + 2] / 192;
    best[4] = box[k * 16 + 3] / 192;
    ft_nn_runner_free(r);
}

static double iou(const float *a, const float *b)
{
    double ix = fmin(a[1] + a[3] / 2, b[1] + b[3] / 2) - fmax(a[1] - a[3] / 2, b[1] - b[3] / 2);
    double iy = fmin(a[2] + a[4] / 2, b[2] + b[4] / 2) - fmax(a[2] - a[4] / 2, b[2] - b[4] / 2);
    double inter = ix > 0 && iy > 0 ? ix * iy : 0;
    return inter / ((double)a[3] * a[4] + (double)b[3] * b[4] - inter);
}

/* The sparse model is a separately pruned network, not a re-encoding of
 * the dense one (their raw outputs differ, see above), so on a real face
 * they must agree on the detection, not on every logit. */
static void full_range_detectors_agree_on_a_face(void **state)
{
    (void)state;
    float *crop = face_crop_192();
    ft_nn_graph dense, sparse;
    float a[5], b[5];
    load("face_detection_full_range.tflite", &dense);
    load("face_detection_full_range_sparse.tflite", &sparse);
    best_full_range_box(&dense, crop, a);
    best_full_range_box(&sparse, crop, b);
    printf("face crop: dense score %.3f box (%.3f %.3f %.3f %.3f); sparse score %.3f box (%.3f %.3f %.3f %.3f); IoU %.3f\n",
           a[0], a[1], a[2], a[3], a[4], b[0], b[1], b[2], b[3], b[4], iou(a, b));
    assert_true(a[0] >= 0.6f && b[0] >= 0.6f); /* legacy full-range threshold */
    for (int i = 1; i <= 2; i++) /* the face is central in its crop */
        assert_true(fabsf(a[i] - 0.5f) < 0.15f && fabsf(b[i] - 0.5f) < 0.15f);
    assert_true(iou(a, b) >= 0.8);
    ft_nn_graph_free(&dense);
    ft_nn_graph_free(&sparse);
    free(crop);
}

static void attention_model_on_a_face(void **state)
{
    (void)state;
    float *crop = face_crop_192();
    static float golden[478 * 3];
    if (read_golden_tensor(shared, "face_landmark_tflite_mldrift_opengl_output_tensor0.bin", golden, 478 * 3))
        fail_msg("golden landmarks missing under %s/golden", shared);
    ft_nn_graph plain, att;
    load("face_landmark.tflite", &plain);
    load("face_landmark_with_attention.tflite", &att);
    ft_nn_runner *rp = runner(&plain, FT_NN_BACKEND_REFERENCE), *ra = runner(&att, FT_NN_BACKEND_REFERENCE);
    memcpy(ft_nn_runner_input(rp, 0), crop, 192 * 192 * 3 * sizeof *crop);
    memcpy(ft_nn_runner_input(ra, 0), crop, 192 * 192 * 3 * sizeof *crop);
    assert_int_equal(ft_nn_runner_run(rp), FT_OK);
    assert_int_equal(ft_nn_runner_run(ra), FT_OK);
    const float *mesh_p = ft_nn_runner_output(rp, 0);
    const float *flag_p = ft_nn_runner_output(rp, 1);
    const float *mesh = ft_nn_runner_output(ra, output_named(&att, "output_mesh_identity"));
    const float *lips = ft_nn_runner_output(ra, output_named(&att, "output_lips"));
    const float *leye = ft_nn_runner_output(ra, output_named(&att, "output_left_eye"));
    const float *reye = ft_nn_runner_output(ra, output_named(&att, "output_right_eye"));
    const float *liris = ft_nn_runner_output(ra, output_named(&att, "output_left_iris"));
    const float *riris = ft_nn_runner_output(ra, output_named(&att, "output_right_iris"));
    const float *flag = ft_nn_runner_output(ra, output_named(&att, "conv_faceflag"));
    /* Everything in the golden's 256-px units; model outputs are in 192. */
    static float m256[468 * 3], p256[468 * 3], refined[80 + 71 + 71 + 10][2];
    for (int i = 0; i < 468 * 3; i++) {
        m256[i] = mesh[i] * 256.0f / 192.0f;
        p256[i] = mesh_p[i] * 256.0f / 192.0f;
    }
    int gi[80 + 71 + 71 + 10], n = 0;
    const struct { const float *xy; const int *idx; int count; } parts[] = {
        {lips, lips_idx, 80}, {leye, left_eye_idx, 71}, {reye, right_eye_idx, 71}};
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < parts[p].count; i++, n++) {
            refined[n][0] = parts[p].xy[2 * i] * 256.0f / 192.0f;
            refined[n][1] = parts[p].xy[2 * i + 1] * 256.0f / 192.0f;
            gi[n] = parts[p].idx[i];
        }
    for (int i = 0; i < 10; i++, n++) { /* left iris is 468..472, right 473..477 */
        const float *iris = i < 5 ? liris + 2 * i : riris + 2 * (i - 5);
        refined[n][0] = iris[0] * 256.0f / 192.0f;
        refined[n][1] = iris[1] * 256.0f / 192.0f;
        gi[n] = 468 + i;
    }
    const float *r = &refined[0][0];
    const dist_stats att_plain = distances(m256, 3, NULL, p256, 3, NULL, 468, 1);
    const dist_stats att_gold = distances(m256, 3, NULL, golden, 3, NULL, 468, 1);
    const dist_stats plain_gold = distances(p256, 3, NULL, golden, 3, NULL, 468, 1);
    const dist_stats lips_mesh = distances(r, 2, NULL, m256, 3, gi, 80, 1);
    const dist_stats lips_gold = distances(r, 2, NULL, golden, 3, gi, 80, 1);
    const dist_stats eyes_mesh = distances(r + 2 * 80, 2, NULL, m256, 3, gi + 80, 142, 1);
    const dist_stats eyes_gold = distances(r + 2 * 80, 2, NULL, golden, 3, gi + 80, 142, 1);
    const dist_stats mesh_eyes_gold = distances(m256, 3, gi + 80, golden, 3, gi + 80, 142, 1);
    const dist_stats iris_gold = distances(r + 2 * 222, 2, NULL, golden, 3, gi + 222, 10, 1);
    printf("face flag logits: plain %.2f, attention %.2f\n", flag_p[0], flag[0]);
    printf("mesh, px of 256 (mean/max): attention vs plain %.2f/%.2f; attention vs golden v2 %.2f/%.2f;"
           " plain vs golden %.2f/%.2f\n", att_plain.mean, att_plain.max, att_gold.mean, att_gold.max,
           plain_gold.mean, plain_gold.max);
    printf("refined: eyes vs own mesh %.2f/%.2f, vs golden %.2f/%.2f (the mesh's eye points vs golden %.2f/%.2f);"
           " lips vs own mesh %.2f/%.2f, vs golden %.2f/%.2f; irises vs golden %.2f/%.2f\n",
           eyes_mesh.mean, eyes_mesh.max, eyes_gold.mean, eyes_gold.max, mesh_eyes_gold.mean,
           mesh_eyes_gold.max, lips_mesh.mean, lips_mesh.max, lips_gold.mean, lips_gold.max,
           iris_gold.mean, iris_gold.max);
    assert_true(flag_p[0] > 0 && flag[0] > 0); /* sigmoid > 0.5: a face */
    /* Measured: 4.4/7.3, 4.3/8.9, 3.1/6.6 px; the three are different
     * networks, and the crop was made for the v2 model. */
    assert_true(att_plain.mean < 6 && att_plain.max < 12);
    assert_true(att_gold.mean < 6 && att_gold.max < 12);
    assert_true(plain_gold.mean < 6 && plain_gold.max < 12);
    /* Eyes and irises go through all three custom ops; the v2 golden holds
     * refined eyes and irises too (measured 1.5/3.2 and 1.8/2.7 px). */
    assert_true(eyes_gold.mean < 2 && eyes_gold.max < 5);
    assert_true(iris_gold.mean < 3 && iris_gold.max < 4);
    assert_true(eyes_mesh.mean < 8 && eyes_mesh.max < 14);
    /* The lips head disagrees with the mesh on this crop (measured 10.5/14.3,
     * and 6.2/9 against the golden): near, not equal. */
    assert_true(lips_mesh.mean < 14 && lips_mesh.max < 20);
    assert_true(lips_gold.mean < 9 && lips_gold.max < 14);
    ft_nn_runner_free(rp);
    ft_nn_runner_free(ra);
    ft_nn_graph_free(&plain);
    ft_nn_graph_free(&att);
    free(crop);
}

int main(void)
{
    const char *dir = getenv("FT_NPM_MODELS_DIR");
    const char *sdir = getenv("FT_SHARED_DIR");
    snprintf(models, sizeof models, "%s", dir ? dir : "build/models");
    snprintf(shared, sizeof shared, "%s", sdir ? sdir : "../shared");
    for (size_t m = 0; m < MODEL_COUNT; m++) {
        char probe[1400];
        snprintf(probe, sizeof probe, "%s/%s", models, npm_models[m].file);
        FILE *f = fopen(probe, "rb");
        if (!f) {
            printf("SKIP: %s not found (run scripts/models.sh)\n", probe);
            return 77;
        }
        fclose(f);
    }
    seed = ft_test_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(op_counts_follow_the_spec),
        cmocka_unit_test(sparse_detector_details),
        cmocka_unit_test(fast_matches_reference),
        cmocka_unit_test(sparse_matches_dense_detector),
        cmocka_unit_test(full_range_detectors_agree_on_a_face),
        cmocka_unit_test(attention_model_on_a_face),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
