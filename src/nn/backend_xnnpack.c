/* The xnnpack row: maximal runs of ops in XNNPACK's op table become one
 * XNNPACK runtime each (nn/xnn_backend.c); the ops between run on our fast
 * kernels where there is one (nn/fast_kernels.c), else on the reference
 * kernels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/fast_kernels.h"
#include "nn/op_profile.h"
#include "nn/xnn_backend.h"

/* One XNNPACK segment, or one op on a kernel of ours. */
typedef struct step {
    int first, last;         /* ops [first, last) */
    ft_xnn_segment *segment; /* NULL: op first on a kernel of ours */
    int fast;                /* that kernel: 1 a fast one, 0 the reference */
} step;

struct ft_nn_plan {
    const ft_nn_graph *graph;
    void *const *buffers;
    step *steps;
    int step_count;
    int native_ops;
    ft_nn_profile *profile; /* FACETRACK_NN_PROFILE: per-step times */
};

static const char *model_name(const ft_nn_graph *g)
{
    return g->name && *g->name ? g->name : "(model)";
}

static ft_status xnnpack_init(char *err, size_t err_size)
{
    ft_status st = ft_xnn_init();
    if (st != FT_OK)
        snprintf(err, err_size, "xnnpack: XNNPACK cannot run on this CPU");
    return st;
}

/* The end of the run of XNNPACK ops that starts at op FIRST (FIRST itself
 * when op FIRST falls back). Plans and buffer marking split alike. A
 * profiled plan gives every op a runtime of its own, to time it alone. */
static int run_end(const ft_nn_graph *g, int first)
{
    const int most = ft_nn_profile_split_ops() ? first + 1 : g->op_count;
    int end = first;
    while (end < most && ft_nn_backend_supports(&ft_nn_backend_xnnpack, g, &g->ops[end]))
        end++;
    return end;
}

/* A segment's values stay inside its runtime unless another step reads
 * them or they are the graph's; reference ops use our buffers for all. */
static void xnnpack_mark_buffers(const ft_nn_graph *g, char *needed)
{
    int *step_of = malloc(sizeof *step_of * (size_t)(g->tensor_count + 1));
    if (!step_of) { /* cannot tell: give every activation a buffer */
        memset(needed, 1, (size_t)g->tensor_count);
        return;
    }
    for (int t = 0; t < g->tensor_count; t++)
        step_of[t] = -1; /* made by no op: a graph input or a constant */
    memset(needed, 0, (size_t)g->tensor_count);
    for (int i = 0, step_index = 0; i < g->op_count; step_index++) {
        const int end = run_end(g, i), last = end > i ? end : i + 1;
        for (int k = i; k < last; k++) {
            const ft_nn_op *op = &g->ops[k];
            for (int j = 0; j < op->input_count; j++) {
                const int t = op->inputs[j];
                if (t >= 0 && (end == i || step_of[t] != step_index))
                    needed[t] = 1;
            }
            for (int j = 0; j < op->output_count; j++) {
                step_of[op->outputs[j]] = step_index;
                if (end == i)
                    needed[op->outputs[j]] = 1;
            }
        }
        i = last;
    }
    for (int k = 0; k < g->input_count; k++)
        needed[g->inputs[k]] = 1;
    for (int k = 0; k < g->output_count; k++)
        needed[g->outputs[k]] = 1;
    free(step_of);
}

static void xnnpack_plan_free(ft_nn_plan *p)
{
    if (!p)
        return;
    ft_nn_profile_finish(p->profile);
    for (int i = 0; i < p->step_count; i++)
        ft_xnn_segment_free(p->steps[i].segment);
    free(p->steps);
    free(p);
}

static ft_status xnnpack_plan_create(const ft_nn_graph *g, void *const *buffers,
                                     const ft_nn_plan_target *target, ft_nn_plan **out, char *err,
                                     size_t err_size)
{
    *out = NULL;
    ft_status st = xnnpack_init(err, err_size);
    if (st != FT_OK)
        return st;
    ft_nn_plan *p = calloc(1, sizeof *p);
    char *outside = calloc((size_t)g->tensor_count + 1, 1);
    if (p)
        p->steps = calloc((size_t)(g->op_count ? g->op_count : 1), sizeof *p->steps);
    if (!p || !outside || !p->steps) {
        free(outside);
        xnnpack_plan_free(p);
        snprintf(err, err_size, "%s: out of memory", model_name(g));
        return FT_ERR_NOMEM;
    }
    p->graph = g;
    p->buffers = buffers;
    for (int i = 0; i < g->op_count && st == FT_OK;) {
        const int end = run_end(g, i);
        step *s = &p->steps[p->step_count++];
        if (end == i) {
            *s = (step){i, i + 1, NULL, ft_fast_kernel_accepts(g, &g->ops[i])};
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
        *s = (step){i, end, NULL, 0};
        st = ft_xnn_segment_create(g, i, end, buffers, outside, target->pool, &s->segment, err, err_size);
        p->native_ops += end - i;
        i = end;
    }
    free(outside);
    if (st != FT_OK) {
        xnnpack_plan_free(p);
        return st;
    }
    p->profile = ft_nn_profile_create(g, "xnnpack");
    *out = p;
    return FT_OK;
}

static ft_status xnnpack_plan_rebind(ft_nn_plan *p, void *const *buffers, char *err,
                                     size_t err_size)
{
    p->buffers = buffers;
    for (int i = 0; i < p->step_count; i++)
        if (p->steps[i].segment && ft_xnn_segment_rebind(p->steps[i].segment, buffers) != FT_OK) {
            snprintf(err, err_size, "%s: XNNPACK cannot bind ops %d-%d to new buffers",
                     model_name(p->graph), p->steps[i].first, p->steps[i].last - 1);
            return FT_ERR_INTERNAL;
        }
    return FT_OK;
}

static ft_status xnnpack_plan_run(ft_nn_plan *p, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    for (int i = 0; i < p->step_count; i++) {
        const step *s = &p->steps[i];
        const uint64_t start = p->profile ? ft_nn_profile_now() : 0;
        ft_status st = s->segment ? ft_xnn_segment_run(s->segment)
                       : s->fast  ? ft_fast_kernel_run(g, s->first, p->buffers)
                                  : ft_nn_reference_run_op(g, s->first, p->buffers);
        if (p->profile)
            ft_nn_profile_add(p->profile, s->first, s->last, s->segment ? 1 : s->fast ? 2 : 0,
                              ft_nn_profile_now() - start);
        if (st != FT_OK) {
            snprintf(err, err_size, "%s: op %d (%s) failed: %s", model_name(g), s->first,
                     ft_nn_op_label(&g->ops[s->first]), ft_status_str(st));
            return st;
        }
    }
    ft_nn_profile_run_done(p->profile);
    return FT_OK;
}

static ft_status xnnpack_plan_run_library_only(ft_nn_plan *p)
{
    for (int i = 0; i < p->step_count; i++)
        if (p->steps[i].segment && ft_xnn_segment_run(p->steps[i].segment) != FT_OK)
            return FT_ERR_INTERNAL;
    return FT_OK;
}

static int xnnpack_plan_native_ops(const ft_nn_plan *p)
{
    return p->native_ops;
}

const ft_nn_backend_def ft_nn_backend_xnnpack = {
    .name = "xnnpack",
    .init = xnnpack_init,
    .op_table = ft_xnn_op_table,
    .op_table_count = FT_XNN_OP_TABLE_COUNT,
    .mark_buffers = xnnpack_mark_buffers,
    .plan_create = xnnpack_plan_create,
    .plan_rebind = xnnpack_plan_rebind,
    .plan_run = xnnpack_plan_run,
    .plan_run_library_only = xnnpack_plan_run_library_only,
    .plan_native_ops = xnnpack_plan_native_ops,
    .plan_free = xnnpack_plan_free,
};
