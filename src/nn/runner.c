/* The runner: buffers for every activation, made once; a run walks the ops
 * in order through the backend's kernels. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ref_kernels.h"
#include "nn/runner.h"
#include "nn/xnn_backend.h"

#define BUFFER_SLACK 64 /* kernels may read a little past the end */

/* A run is a list of steps: one XNNPACK segment, or one reference op. */
typedef struct step {
    int first, last;          /* ops [first, last) */
    ft_xnn_segment *segment;  /* NULL: reference kernel of op first */
} step;

struct ft_nn_runner {
    const ft_nn_graph *graph;
    ft_nn_backend backend;
    void **data;     /* per tensor: its constant data or its activation buffer */
    char *owned;     /* per tensor: data was allocated here */
    step *steps;
    int step_count;
    int fast_ops;
    pthreadpool_t pool;
    char error[512];
};

const char *ft_nn_backend_name(ft_nn_backend backend)
{
    return backend == FT_NN_BACKEND_FAST ? "xnnpack" : "reference";
}

static ft_status runner_error(char *err, size_t size, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ft_status runner_error(char *err, size_t size, ft_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && size)
        vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return st;
}

static const char *op_label(const ft_nn_op *op)
{
    return op->type == FT_OP_CUSTOM ? op->attrs.custom_name : ft_op_name(op->type);
}

/* Splits the ops into steps: maximal runs of XNNPACK-supported ops become
 * segments when the backend is fast. */
static ft_status plan_steps(ft_nn_runner *r, int threads, char *err, size_t err_size)
{
    const ft_nn_graph *g = r->graph;
    r->steps = calloc((size_t)(g->op_count ? g->op_count : 1), sizeof *r->steps);
    char *outside = calloc((size_t)g->tensor_count, 1);
    if (!r->steps || !outside) {
        free(outside);
        return FT_ERR_NOMEM;
    }
    if (r->backend == FT_NN_BACKEND_FAST && threads != 1)
        r->pool = pthreadpool_create(threads > 0 ? (size_t)threads : 0);
    ft_status st = FT_OK;
    for (int i = 0; i < g->op_count && st == FT_OK;) {
        int end = i;
        while (r->backend == FT_NN_BACKEND_FAST && end < g->op_count &&
               ft_xnn_supports(g, &g->ops[end]))
            end++;
        step *s = &r->steps[r->step_count++];
        if (end == i) {
            *s = (step){i, i + 1, NULL};
            i++;
            continue;
        }
        /* What the segment makes that is read after it or returned. */
        memset(outside, 0, (size_t)g->tensor_count);
        for (int k = end; k < g->op_count; k++)
            for (int j = 0; j < g->ops[k].input_count; j++)
                if (g->ops[k].inputs[j] >= 0)
                    outside[g->ops[k].inputs[j]] = 1;
        for (int k = 0; k < g->output_count; k++)
            outside[g->outputs[k]] = 1;
        *s = (step){i, end, NULL};
        st = ft_xnn_segment_create(g, i, end, r->data, outside, r->pool, &s->segment, err, err_size);
        r->fast_ops += end - i;
        i = end;
    }
    free(outside);
    return st;
}

int ft_nn_runner_fast_ops(const ft_nn_runner *r)
{
    return r ? r->fast_ops : 0;
}

ft_status ft_nn_runner_create(const ft_nn_graph *g, ft_nn_backend backend, int threads,
                              ft_nn_runner **out, char *err, size_t err_size)
{
    *out = NULL;
    if (!g || (backend != FT_NN_BACKEND_REFERENCE && backend != FT_NN_BACKEND_FAST))
        return runner_error(err, err_size, FT_ERR_INVALID_ARG, "(model): unknown backend");
    const char *name = g->name && *g->name ? g->name : "(model)";
    char *ready = calloc((size_t)g->tensor_count, 1);
    if (!ready)
        return FT_ERR_NOMEM;
    for (int i = 0; i < g->input_count; i++)
        ready[g->inputs[i]] = 1;
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *op = &g->ops[i];
        const char *why = NULL;
        for (int j = 0; j < op->input_count && !why; j++) {
            int t = op->inputs[j];
            if (t >= 0 && !ready[t] && !g->tensors[t].data)
                why = "reads a tensor that nothing has made yet";
        }
        if (!why)
            why = ft_ref_check_op(g, op);
        if (why) {
            free(ready);
            return runner_error(err, err_size, FT_ERR_UNSUPPORTED, "%s: op %d (%s, output '%s'): %s",
                                name, i, op_label(op), g->tensors[op->outputs[0]].name, why);
        }
        for (int j = 0; j < op->output_count; j++)
            ready[op->outputs[j]] = 1;
    }
    free(ready);

    ft_nn_runner *r = calloc(1, sizeof *r);
    if (!r || !(r->data = calloc((size_t)g->tensor_count, sizeof *r->data)) ||
        !(r->owned = calloc((size_t)g->tensor_count, 1))) {
        ft_nn_runner_free(r);
        return runner_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", name);
    }
    r->graph = g;
    r->backend = backend;
    for (int t = 0; t < g->tensor_count; t++) {
        const ft_nn_tensor *tensor = &g->tensors[t];
        if (tensor->data) {
            r->data[t] = tensor->data;
            continue;
        }
        int64_t n = ft_nn_tensor_elements(tensor);
        if (n < 0) {
            ft_nn_runner_free(r);
            return runner_error(err, err_size, FT_ERR_UNSUPPORTED,
                                "%s: tensor '%s' has no fixed shape", name, tensor->name);
        }
        r->data[t] = calloc(1, (size_t)n * ft_dtype_size(tensor->dtype) + BUFFER_SLACK);
        r->owned[t] = 1;
        if (!r->data[t]) {
            ft_nn_runner_free(r);
            return runner_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", name);
        }
    }
    ft_status st = plan_steps(r, threads, err, err_size);
    if (st != FT_OK) {
        ft_nn_runner_free(r);
        return st == FT_ERR_NOMEM ? runner_error(err, err_size, st, "%s: out of memory", name) : st;
    }
    *out = r;
    return FT_OK;
}

void ft_nn_runner_free(ft_nn_runner *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->step_count; i++)
        ft_xnn_segment_free(r->steps[i].segment);
    free(r->steps);
    if (r->pool)
        pthreadpool_destroy(r->pool);
    if (r->data && r->owned)
        for (int t = 0; t < r->graph->tensor_count; t++)
            if (r->owned[t])
                free(r->data[t]);
    free(r->data);
    free(r->owned);
    free(r);
}

void *ft_nn_runner_input(ft_nn_runner *r, int i)
{
    return r && i >= 0 && i < r->graph->input_count ? r->data[r->graph->inputs[i]] : NULL;
}

const void *ft_nn_runner_output(const ft_nn_runner *r, int i)
{
    return r && i >= 0 && i < r->graph->output_count ? r->data[r->graph->outputs[i]] : NULL;
}

const char *ft_nn_runner_error(const ft_nn_runner *r)
{
    return r ? r->error : "";
}

static ft_status run_reference_op(ft_nn_runner *r, int i)
{
    const ft_nn_graph *g = r->graph;
    const ft_nn_op *op = &g->ops[i];
    ft_ref_call call = {.op = op};
    for (int j = 0; j < op->input_count; j++) {
        int t = op->inputs[j];
        call.in[j] = t >= 0 ? &g->tensors[t] : NULL;
        call.in_data[j] = t >= 0 ? r->data[t] : NULL;
    }
    for (int j = 0; j < op->output_count; j++) {
        call.out[j] = &g->tensors[op->outputs[j]];
        call.out_data[j] = r->data[op->outputs[j]];
    }
    return ft_ref_run_op(&call);
}

ft_status ft_nn_runner_run(ft_nn_runner *r)
{
    if (!r)
        return FT_ERR_INVALID_ARG;
    const ft_nn_graph *g = r->graph;
    for (int i = 0; i < r->step_count; i++) {
        const step *s = &r->steps[i];
        ft_status st = s->segment ? ft_xnn_segment_run(s->segment) : run_reference_op(r, s->first);
        if (st != FT_OK)
            return runner_error(r->error, sizeof r->error, st, "%s: op %d (%s) failed: %s",
                                g->name ? g->name : "(model)", s->first,
                                op_label(&g->ops[s->first]), ft_status_str(st));
    }
    return FT_OK;
}

ft_status ft_nn_runner_run_library_only(ft_nn_runner *r)
{
    if (!r)
        return FT_ERR_INVALID_ARG;
    for (int i = 0; i < r->step_count; i++)
        if (r->steps[i].segment && ft_xnn_segment_run(r->steps[i].segment) != FT_OK)
            return FT_ERR_INTERNAL;
    return FT_OK;
}
