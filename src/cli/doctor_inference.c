#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "cli/doctor_inference.h"
#include "gpu/device_info.h"
#include "nn/graph.h"
#include "nn/model.h"
#include "nn/session.h"

/* Timed runs after one warm-up (the first run of a GPU plan pays its
 * set-up); the median is reported. */
#define RUNS 5

struct ft_doctor_inference {
    ft_nn_graph graph;
    float **want;      /* the reference's outputs */
    int64_t *want_len; /* their element counts */
};

/* The same input every time: a fixed pseudo-random pattern in [-1, 1),
 * the range the face models' inputs have. */
static void fill_inputs(ft_nn_session *s, const ft_nn_graph *g)
{
    unsigned state = 12345u;
    for (int i = 0; i < g->input_count; i++) {
        const int64_t n = ft_nn_tensor_elements(&g->tensors[g->inputs[i]]);
        float *in = ft_nn_session_input(s, i);
        for (int64_t k = 0; k < n; k++) {
            state = state * 1103515245u + 12345u;
            in[k] = (float)((state >> 8) % 65536u) / 32768.0f - 1.0f;
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs S once to warm up and RUNS times timed; 0 on success. */
static int time_runs(ft_nn_session *s, ft_doctor_run *out)
{
    double ms[RUNS];
    if (ft_nn_session_run(s) != FT_OK) {
        snprintf(out->error, sizeof out->error, "%s", ft_nn_session_error(s));
        return -1;
    }
    for (int r = 0; r < RUNS; r++) {
        const double t0 = ft_now_ms();
        if (ft_nn_session_run(s) != FT_OK) {
            snprintf(out->error, sizeof out->error, "%s", ft_nn_session_error(s));
            return -1;
        }
        ms[r] = ft_now_ms() - t0;
    }
    qsort(ms, RUNS, sizeof ms[0], cmp_double);
    out->median_ms = ms[RUNS / 2];
    return 0;
}

static int64_t output_len(const ft_nn_session *s, int o)
{
    int64_t shape[FT_NN_MAX_RANK], n = 1;
    const int rank = ft_nn_session_output_shape(s, o, shape);
    if (rank < 0)
        return 0;
    for (int d = 0; d < rank; d++)
        n *= shape[d];
    return n;
}

static ft_nn_session *start(const ft_nn_graph *g, const ft_nn_backend_def *row,
                            ft_doctor_run *out)
{
    char err[512];
    ft_nn_session *s = NULL;
    const ft_nn_session_options whole = {.batch_mode = FT_NN_BATCH_WHOLE};
    if (ft_nn_session_create(g, row, &whole, &s, err, sizeof err) != FT_OK) {
        snprintf(out->error, sizeof out->error, "%s", err);
        return NULL;
    }
    fill_inputs(s, g);
    return s;
}

ft_doctor_inference *ft_doctor_inference_open(const char *spec, ft_doctor_run *ref, char *err,
                                              size_t err_size)
{
    memset(ref, 0, sizeof *ref);
    ref->backend = ft_nn_backend_reference.name;
    ref->device = -1;
    ft_doctor_inference *inf = calloc(1, sizeof *inf);
    if (!inf) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (ft_nn_model_load(spec, &inf->graph, err, err_size) != FT_OK) {
        free(inf);
        return NULL;
    }
    const ft_nn_graph *g = &inf->graph;
    inf->want = calloc((size_t)g->output_count, sizeof *inf->want);
    inf->want_len = calloc((size_t)g->output_count, sizeof *inf->want_len);
    ft_nn_session *s = inf->want && inf->want_len ? start(g, &ft_nn_backend_reference, ref) : NULL;
    int ok = s && time_runs(s, ref) == 0;
    for (int o = 0; ok && o < g->output_count; o++) {
        inf->want_len[o] = output_len(s, o);
        inf->want[o] = malloc((size_t)inf->want_len[o] * sizeof(float) + 1);
        ok = inf->want[o] != NULL;
        if (ok)
            memcpy(inf->want[o], ft_nn_session_output(s, o), (size_t)inf->want_len[o] * sizeof(float));
    }
    if (s) {
        ref->native_ops = ft_nn_session_native_ops(s);
        ft_nn_session_free(s);
    }
    ref->op_count = g->op_count;
    if (!ok) {
        snprintf(err, err_size, "%s", ref->error[0] ? ref->error : "out of memory");
        ft_doctor_inference_free(inf);
        return NULL;
    }
    ref->ran = 1;
    ref->within = 1;
    return inf;
}

void ft_doctor_inference_run(ft_doctor_inference *inf, const ft_nn_backend_def *row, int device,
                             ft_doctor_run *out)
{
    memset(out, 0, sizeof *out);
    out->backend = row->name;
    out->device = device;
    out->op_count = inf->graph.op_count;
    char why[256];
    if (row->init && row->init(why, sizeof why) != FT_OK) {
        snprintf(out->error, sizeof out->error, "%s", why);
        return;
    }
    if (device >= 0 && ft_gpu_select(device) != 0) {
        snprintf(out->error, sizeof out->error, "cannot make GPU %d current", device);
        return;
    }
    ft_nn_session *s = start(&inf->graph, row, out);
    if (!s)
        return;
    if (time_runs(s, out) == 0) {
        double worst = 0;
        for (int o = 0; o < inf->graph.output_count; o++) {
            const float *got = ft_nn_session_output(s, o), *want = inf->want[o];
            const int64_t n = output_len(s, o);
            double scale = 0, diff = n == inf->want_len[o] ? 0 : INFINITY;
            for (int64_t k = 0; k < n && k < inf->want_len[o]; k++) {
                scale = fmax(scale, fabs(want[k]));
                diff = fmax(diff, fabs((double)want[k] - got[k]));
                if (isnan(got[k]) != isnan(want[k]))
                    diff = INFINITY;
            }
            worst = fmax(worst, scale > 0 ? diff / scale : diff);
        }
        out->ran = 1;
        out->max_rel_diff = worst;
        out->within = worst <= FT_DOCTOR_REL_TOL;
        out->native_ops = ft_nn_session_native_ops(s);
    }
    ft_nn_session_free(s);
}

void ft_doctor_inference_free(ft_doctor_inference *inf)
{
    if (!inf)
        return;
    for (int o = 0; inf->want && o < inf->graph.output_count; o++)
        free(inf->want[o]);
    free(inf->want);
    free(inf->want_len);
    ft_nn_graph_free(&inf->graph);
    free(inf);
}
