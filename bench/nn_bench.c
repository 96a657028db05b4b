/* nn_bench MODEL BACKEND BATCH [RUNS] [THREADS]: items per second of one
 * model on one backend row at one batch size, on random inputs in [0, 1).
 * Needs only the nn runtime (no FFmpeg at run time), so that the device
 * bundle (scripts/device_bundle.sh) carries it with few libraries. THREADS
 * (default 0: all cores) is the pool of CPU rows. Prints one JSON line:
 * median and p10/p90 milliseconds of a whole run (inputs uploaded, outputs
 * downloaded) and items/s at the median, and the same for the kernels
 * alone where the row can run them so (a device row: no host copies).
 * NN_BENCH_FP16=1: fp16 storage on a device row; FACETRACK_CUDA_PROFILE=1:
 * the cuda row prints the costliest ops of the kernels-only runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "base/clock.h"
#include "nn/backend.h"
#include "nn/graph.h"
#include "nn/model.h"
#include "nn/session.h"

static int compare_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nn_bench MODEL BACKEND BATCH [RUNS] [THREADS]\n");
        return 2;
    }
    const char *spec = argv[1];
    const int batch = atoi(argv[3]);
    const int runs = argc > 4 ? atoi(argv[4]) : 50;
    const int threads = argc > 5 ? atoi(argv[5]) : 0;
    const ft_nn_backend_def *row = ft_nn_backend_find(argv[2]);
    char err[512];
    if (!row || batch < 1 || runs < 1) {
        fprintf(stderr, "nn_bench: no backend '%s' in this build, or a bad batch/runs\n", argv[2]);
        return 2;
    }
    if (row->init(err, sizeof err) != FT_OK) {
        fprintf(stderr, "nn_bench: %s\n", err);
        return 77;
    }
    ft_nn_graph g;
    if (ft_nn_model_load(spec, &g, err, sizeof err) != FT_OK) {
        fprintf(stderr, "nn_bench: %s\n", err);
        return 1;
    }
    pthreadpool_t pool = threads == 1 ? NULL : pthreadpool_create((size_t)(threads > 0 ? threads : 0));
    /* NN_BENCH_ITEMS=1: CPU rows run a batch item by item (often faster
     * there, nn/session.h); the default is one plan over the whole batch. */
    const char *items = getenv("NN_BENCH_ITEMS");
    /* NN_BENCH_FP16=1: a device row stores activations and weights as fp16. */
    const char *fp16 = getenv("NN_BENCH_FP16");
    const int half = fp16 && strcmp(fp16, "1") == 0;
    const ft_nn_session_options opt = {
        .pool = pool,
        .batch_mode = items && strcmp(items, "1") == 0 ? FT_NN_BATCH_ITEMS : FT_NN_BATCH_WHOLE,
        .half = half};
    ft_nn_session *s = NULL;
    size_t workspace = 0;
    double *ms = malloc(sizeof *ms * (size_t)runs);
    if (!ms || ft_nn_session_create(&g, row, &opt, &s, err, sizeof err) != FT_OK ||
        ft_nn_session_reshape(s, batch, &workspace) != FT_OK) {
        fprintf(stderr, "nn_bench: %s\n", s ? ft_nn_session_error(s) : ms ? err : "out of memory");
        return 1;
    }
    unsigned state = 1;
    for (int i = 0; i < g.input_count; i++) {
        float *in = ft_nn_session_input(s, i);
        for (int64_t k = 0, n = ft_nn_tensor_elements(&g.tensors[g.inputs[i]]) * batch; k < n; k++) {
            state = state * 1103515245u + 12345u;
            in[k] = (float)((state >> 8) % 65536u) / 65536.0f;
        }
    }
    ft_status st = FT_OK;
    for (int i = 0; i < 5 && st == FT_OK; i++) /* warm-up: first-touch, clocks */
        st = ft_nn_session_run(s);
    for (int i = 0; i < runs && st == FT_OK; i++) {
        const double t0 = ft_now_ms();
        st = ft_nn_session_run(s);
        ms[i] = ft_now_ms() - t0;
    }
    if (st != FT_OK) {
        fprintf(stderr, "nn_bench: %s\n", ft_nn_session_error(s));
        return 1;
    }
    qsort(ms, (size_t)runs, sizeof *ms, compare_double);
    const double median = ms[runs / 2];
    /* The kernels alone, inputs already in place (a device row: no copies
     * to or from the host); -1 where the row has no such run. */
    double kernels_ms = -1;
    if (row->plan_run_library_only) {
        for (int i = 0; i < runs && st == FT_OK; i++) {
            const double t0 = ft_now_ms();
            st = ft_nn_session_run_library_only(s);
            ms[i] = ft_now_ms() - t0;
        }
        if (st == FT_OK) {
            qsort(ms, (size_t)runs, sizeof *ms, compare_double);
            kernels_ms = ms[runs / 2];
        }
    }
    const double device_mib =
        row->memory_peak ? (double)row->memory_peak(0) / (1024.0 * 1024.0) : 0.0;
    printf("{\"model\":\"%s\",\"backend\":\"%s\",\"storage\":\"%s\",\"device_peak_mib\":%.1f,\"batch\":%d,\"threads\":%d,\"runs\":%d,"
           "\"median_ms\":%.4f,\"p10_ms\":%.4f,\"p90_ms\":%.4f,\"items_per_s\":%.1f,"
           "\"ops\":%d,\"native_ops\":%d,\"host_activation_bytes\":%zu,\"item_by_item\":%d,\"kernels_only_median_ms\":%.4f,\"kernels_only_items_per_s\":%.1f}\n",
           spec, row->name, half ? "fp16" : "fp32", device_mib, batch, threads, runs, median, ms[runs / 10], ms[runs * 9 / 10],
           1000.0 * batch / median, g.op_count, ft_nn_session_native_ops(s), workspace, ft_nn_session_item_by_item(s), kernels_ms,
           kernels_ms > 0 ? 1000.0 * batch / kernels_ms : -1.0);
    ft_nn_session_free(s);
    ft_nn_graph_free(&g);
    free(ms);
    if (pool)
        pthreadpool_destroy(pool);
    return 0;
}
