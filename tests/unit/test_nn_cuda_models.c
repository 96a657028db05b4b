/* The cuda row runs every MediaPipe model the engines use (the npm face
 * detectors and attention landmark model, and the three members of
 * face_landmarker_v2_with_blendshapes.task) with the reference's outputs
 * within 1e-4 of each output's scale, at batch 1 and batch 8; ops outside
 * its table run on the host between device segments. Without a CUDA build,
 * driver or device, or without the models, it skips (77), saying why.
 * Also prints, per model, how many ops ran on the device and the largest
 * relative difference seen (docs/nn_runtime.md quotes them).
 * First, the model warps from pictures on the GPU (gpu/frame_warp.h) against
 * the host's ft_nv12_to_tensor, to the bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/nv12_warp.h"
#include "gpu/frame_warp.h"
#include "nn/backend.h"
#include "nn/graph.h"
#include "nn/model.h"
#include "nn/session.h"

#define SKIP 77
#define REL_TOL 1e-4
/* fp16 storage through a whole network: measured, printed, and held to
 * this (docs/nn_runtime.md quotes the figures), but for the v2 landmark
 * model's face presence: a sigmoid of a 512-term sum with a bias of 48,
 * where fp16's rounding of the terms moves the logit by tenths (measured
 * 0.107 on an H100; the 1434 landmarks stay within 2e-3). */
#define REL_TOL_FP16 1e-2
#define REL_TOL_FP16_PRESENCE 0.15

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* Runs SPEC at BATCH on the reference and on ROW with the same random
 * inputs; 0 when every output agrees. */
static int compare(const char *spec, const ft_nn_backend_def *row, int batch, int half)
{
    char err[512];
    ft_nn_graph g;
    if (ft_nn_model_load(spec, &g, err, sizeof err) != FT_OK) {
        printf("FAIL %s: %s\n", spec, err);
        return 1;
    }
    ft_nn_session *ref = NULL, *dev = NULL;
    const ft_nn_session_options whole = {.batch_mode = FT_NN_BATCH_WHOLE};
    const ft_nn_session_options device = {.batch_mode = FT_NN_BATCH_WHOLE, .half = half};
    const int v2_landmarks = strstr(spec, "face_landmarks_detector") != NULL;
    int failed = 0;
    if (ft_nn_session_create(&g, &ft_nn_backend_reference, &whole, &ref, err, sizeof err) != FT_OK ||
        ft_nn_session_create(&g, row, &device, &dev, err, sizeof err) != FT_OK) {
        printf("FAIL %s: %s\n", spec, err);
        failed = 1;
        goto done;
    }
    if (ft_nn_session_reshape(ref, batch, NULL) != FT_OK ||
        ft_nn_session_reshape(dev, batch, NULL) != FT_OK) {
        printf("FAIL %s batch %d: %s%s\n", spec, batch, ft_nn_session_error(ref),
               ft_nn_session_error(dev));
        failed = 1;
        goto done;
    }
    unsigned state = 12345u + (unsigned)batch;
    for (int i = 0; i < g.input_count; i++) {
        const ft_nn_tensor *t = &g.tensors[g.inputs[i]];
        const int64_t n = ft_nn_tensor_elements(t) * batch;
        float *a = ft_nn_session_input(ref, i), *b = ft_nn_session_input(dev, i);
        for (int64_t k = 0; k < n; k++)
            a[k] = b[k] = (float)(next_random(&state) % 65536u) / 65536.0f;
    }
    if (ft_nn_session_run(ref) != FT_OK || ft_nn_session_run(dev) != FT_OK) {
        printf("FAIL %s batch %d: %s%s\n", spec, batch, ft_nn_session_error(ref),
               ft_nn_session_error(dev));
        failed = 1;
        goto done;
    }
    double worst = 0;
    for (int o = 0; o < g.output_count; o++) {
        int64_t shape[FT_NN_MAX_RANK], n = 1;
        const int rank = ft_nn_session_output_shape(ref, o, shape);
        for (int d = 0; d < rank; d++)
            n *= shape[d];
        const float *want = ft_nn_session_output(ref, o), *got = ft_nn_session_output(dev, o);
        double scale = 0, diff = 0;
        for (int64_t k = 0; k < n; k++) {
            scale = fmax(scale, fabs(want[k]));
            diff = fmax(diff, fabs((double)want[k] - got[k]));
            if (isnan(got[k]) != isnan(want[k]))
                diff = INFINITY;
        }
        const double rel = scale > 0 ? diff / scale : diff;
        worst = fmax(worst, rel);
        const double tolerance = !half ? REL_TOL
                                 : v2_landmarks && n <= batch ? REL_TOL_FP16_PRESENCE
                                                              : REL_TOL_FP16;
        printf("   output %d: max relative difference %.3g\n", o, rel);
        if (!(rel <= tolerance)) {
            printf("FAIL %s batch %d%s output %d: max |cuda - reference| = %g at scale %g\n", spec,
                   batch, half ? " fp16" : "", o, diff, scale);
            failed = 1;
        }
    }
    printf("%s %s batch %d %s: %d of %d ops on %s, max relative difference %.3g\n",
           failed ? "FAIL" : "ok", spec, batch, half ? "fp16" : "fp32",
           ft_nn_session_native_ops(dev), g.op_count, row->name, worst);
done:
    ft_nn_session_free(dev);
    ft_nn_session_free(ref);
    ft_nn_graph_free(&g);
    return failed;
}

static float uniform(unsigned *state, float lo, float hi)
{
    return lo + (hi - lo) * (float)(next_random(state) & 0xffff) / 65535.0f;
}

/* Random pictures (1080p and odd sizes) put on device 0 and warped there in
 * batches of random ROIs, floats and bytes: 0 when every tensor equals the
 * host's. */
static int warps_match(void)
{
    unsigned r = 20261208u;
    int failed = 0;
    for (int trial = 0; trial < 24 && !failed; trial++) {
        const int w = trial < 2 ? 1920 : 1 + (int)(next_random(&r) % 700);
        const int h = trial < 2 ? 1080 : 1 + (int)(next_random(&r) % 500);
        const size_t y_pitch = (size_t)w + 32, uv_pitch = 2 * (size_t)((w + 1) / 2) + 64;
        const int ch = (h + 1) / 2;
        uint8_t *y = malloc(y_pitch * h), *uv = malloc(uv_pitch * ch);
        void *dy = ft_gpu_picture_alloc(0, y_pitch * h), *duv = ft_gpu_picture_alloc(0, uv_pitch * ch);
        const int count = 1 + (int)(next_random(&r) % 20);
        ft_warp_geometry g[20];
        const int tw = 1 + (int)(next_random(&r) % 256), th = 1 + (int)(next_random(&r) % 256);
        const size_t n = (size_t)count * tw * th * 3;
        float *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
        uint8_t *want_codes = malloc(n), *got_codes = malloc(n);
        if (!y || !uv || !dy || !duv || !want || !got || !want_codes || !got_codes) {
            printf("FAILED: out of host or device memory for the warp check\n");
            return 1;
        }
        for (size_t i = 0; i < y_pitch * h; i++)
            y[i] = (uint8_t)next_random(&r);
        for (size_t i = 0; i < uv_pitch * ch; i++)
            uv[i] = (uint8_t)next_random(&r);
        failed |= ft_gpu_picture_copy(0, dy, y_pitch, y, y_pitch, y_pitch, h) != FT_OK;
        failed |= ft_gpu_picture_copy(0, duv, uv_pitch, uv, uv_pitch, uv_pitch, ch) != FT_OK;
        const ft_yuv_coeffs k = ft_yuv_coeffs_for(trial % 2 ? 1 : 5, trial % 3 == 0);
        const ft_nv12_view host = {y, uv, y_pitch, uv_pitch, w, h, k};
        const ft_gpu_picture device = {0, {dy, duv, y_pitch, uv_pitch, w, h, k}};
        for (int i = 0; i < count; i++) {
            const ft_norm_rect roi = {uniform(&r, -0.4f, 1.4f), uniform(&r, -0.4f, 1.4f),
                                      uniform(&r, 0.02f, 1.8f), uniform(&r, 0.02f, 1.8f),
                                      uniform(&r, -3.3f, 3.3f)};
            const ft_tensor_spec spec = {tw, th, next_random(&r) % 2 ? 0.0f : -1.0f, 1.0f,
                                         (int)(next_random(&r) % 2),
                                         next_random(&r) % 2 ? FT_BORDER_ZERO : FT_BORDER_REPLICATE};
            failed |= ft_warp_geometry_make(w, h, &roi, &spec, &g[i], NULL, NULL) != FT_OK;
            ft_nv12_to_tensor(&host, &g[i], want + (size_t)i * tw * th * 3, NULL);
            ft_nv12_to_tensor(&host, &g[i], NULL, want_codes + (size_t)i * tw * th * 3);
        }
        char err[256] = "";
        if (ft_gpu_warp_nv12(&device, g, count, got, NULL, err, sizeof err) != FT_OK ||
            ft_gpu_warp_nv12(&device, g, count, NULL, got_codes, err, sizeof err) != FT_OK) {
            printf("FAILED: warp on the GPU: %s\n", err);
            failed = 1;
        } else if (memcmp(want, got, n * sizeof *got) != 0 || memcmp(want_codes, got_codes, n) != 0) {
            printf("FAILED: trial %d: %dx%d picture, %d tensors of %dx%d: the GPU warp differs from the host's\n",
                   trial, w, h, count, tw, th);
            failed = 1;
        }
        ft_gpu_picture_free(0, dy);
        ft_gpu_picture_free(0, duv);
        free(y);
        free(uv);
        free(want);
        free(got);
        free(want_codes);
        free(got_codes);
    }
    printf("%s: the GPU warps from NV12 pictures\n", failed ? "FAILED" : "PASSED");
    return failed;
}

int main(void)
{
    const ft_nn_backend_def *row = ft_nn_backend_find("cuda");
    char why[256];
    if (!row) {
        printf("SKIP: this build has no cuda row (built without the CUDA part)\n");
        return SKIP;
    }
    if (row->init(why, sizeof why) != FT_OK) {
        printf("SKIP: %s\n", why);
        return SKIP;
    }
    const int warps_failed = warps_match();
    const char *npm = getenv("FT_NPM_MODELS_DIR"), *shared = getenv("FT_SHARED_DIR");
    static const char *const npm_models[] = {"face_detection_short_range.tflite",
                                             "face_detection_full_range.tflite",
                                             "face_landmark_with_attention.tflite"};
    static const char *const task_members[] = {"face_detector.tflite",
                                               "face_landmarks_detector.tflite",
                                               "face_blendshapes.tflite"};
    char specs[6][1024];
    int count = 0;
    for (int i = 0; npm && i < 3; i++)
        snprintf(specs[count++], sizeof specs[0], "%s/%s", npm, npm_models[i]);
    for (int i = 0; shared && i < 3; i++)
        snprintf(specs[count++], sizeof specs[0],
                 "%s/models/face_landmarker_v2_with_blendshapes.task:%s", shared, task_members[i]);
    int failed = 0, ran = 0;
    for (int i = 0; i < count; i++) {
        const char *path_end = strchr(specs[i], ':');
        char path[1024];
        snprintf(path, sizeof path, "%.*s", path_end ? (int)(path_end - specs[i]) : 1023, specs[i]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            printf("missing %s: not compared\n", path);
            continue;
        }
        fclose(f);
        ran++;
        failed |= compare(specs[i], row, 1, 0);
        failed |= compare(specs[i], row, 8, 0);
        failed |= compare(specs[i], row, 8, 1);
    }
    if (ran == 0 && !warps_failed) {
        printf("SKIP: no MediaPipe model found (FT_NPM_MODELS_DIR, FT_SHARED_DIR)\n");
        return SKIP;
    }
    failed |= warps_failed;
    if (ran < count)
        failed = 1; /* a GPU run must compare them all */
    printf("%s: %d models compared\n", failed ? "FAILED" : "PASSED", ran);
    return failed;
}
