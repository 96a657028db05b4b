/* The xnnpack row: maximal runs of ops in XNNPACK's op table become one
 * XNNPACK runtime each (nn/xnn_backend.c); the ops between run on our fast
 * kernels where there is one (nn/fast_kernels.c), else on the reference
 * kernels. Convolutions of one input with few outputs each run as one
 * XNNPACK convolution (nn/xnn_siblings.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/arena_plan.h"
#include "nn/backend.h"
#include "nn/fast_kernels.h"
#include "nn/op_profile.h"
#include "nn/xnn_backend.h"
#include "nn/xnn_siblings.h"

/* One XNNPACK segment, ops that one step of ours runs together, or one op
 * on a kernel of ours. */
typedef struct step {
    int first, last;           /* ops [first, last) */
    ft_xnn_segment *segment;   /* NULL: a kernel of ours */
    ft_xnn_siblings *siblings; /* convolutions as one XNNPACK convolution */
    int fast;                  /* 1 a fast kernel, 0 the reference */
    int fused;                 /* ops [first, last) on one fast kernel */
} step;

struct ft_nn_plan {
    const ft_nn_graph *graph;
    /* per tensor: the session's buffer, or one in ARENA for a value that
     * passes between our kernels and XNNPACK's runtimes (the session gives
     * buffers only to the graph's inputs and outputs and to what the
     * reference kernels touch; values whose lives do not overlap share
     * memory here, as inside an XNNPACK runtime, which keeps them in cache) */
    void **buffers;
    void *arena;
    void *scratch; /* the fused kernels' rows (nn/fast_rows.h), one step at a time */
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

/* How many ops from FIRST one step of ours runs together, 0 when none: a
 * fused kernel of ours (*SIBLINGS 0), or convolutions of one input that run
 * faster as one XNNPACK convolution (*SIBLINGS 1). */
static int joint_ops(const ft_nn_graph *g, int first, int *siblings)
{
    int n = ft_fast_fused_count(g, first);
    *siblings = 0;
    if (n > 0 || !ft_fast_kernels_on())
        return n;
    n = ft_xnn_siblings_count(g, first);
    for (int k = first; k < first + n; k++)
        if (!ft_nn_backend_supports(&ft_nn_backend_xnnpack, g, &g->ops[k]))
            return 0;
    *siblings = n > 0;
    return n;
}

/* The end of the run of XNNPACK ops that starts at op FIRST (FIRST itself
 * when op FIRST runs on a kernel of ours: one XNNPACK lacks, or one where
 * ours is faster). Plans and buffer marking split alike. A profiled plan
 * gives every op a runtime of its own, to time it alone. */
static int run_end(const ft_nn_graph *g, int first)
{
    const int most = ft_nn_profile_split_ops() ? first + 1 : g->op_count;
    int end = first, siblings;
    while (end < most && ft_nn_backend_supports(&ft_nn_backend_xnnpack, g, &g->ops[end]) &&
           !ft_fast_kernel_preferred(g, &g->ops[end]) && !joint_ops(g, end, &siblings))
        end++;
    return end;
}

/* The session's buffers: the graph's inputs and outputs and what the
 * reference kernels touch. A segment's values stay inside its runtime
 * unless another step reads them; those and our fast kernels' values live
 * in the plan's arena. */
static void xnnpack_mark_buffers(const ft_nn_graph *g, char *needed)
{
    memset(needed, 0, (size_t)g->tensor_count);
    for (int i = 0; i < g->op_count;) {
        int siblings;
        const int joint = joint_ops(g, i, &siblings);
        const int end = joint ? i + joint : run_end(g, i), last = end > i ? end : i + 1;
        const int reference = end == i && !ft_fast_kernel_accepts(g, &g->ops[i]);
        for (int k = i; k < last && reference; k++) {
            const ft_nn_op *op = &g->ops[k];
            for (int j = 0; j < op->input_count; j++)
                if (op->inputs[j] >= 0)
                    needed[op->inputs[j]] = 1;
            for (int j = 0; j < op->output_count; j++)
                needed[op->outputs[j]] = 1;
        }
        i = last;
    }
    for (int k = 0; k < g->input_count; k++)
        needed[g->inputs[k]] = 1;
    for (int k = 0; k < g->output_count; k++)
        needed[g->outputs[k]] = 1;
}

static void xnnpack_plan_free(ft_nn_plan *p)
{
    if (!p)
        return;
    ft_nn_profile_finish(p->profile);
    for (int i = 0; i < p->step_count; i++) {
        ft_xnn_segment_free(p->steps[i].segment);
        ft_xnn_siblings_free(p->steps[i].siblings);
    }
    free(p->steps);
    free(p->buffers);
    free(p->arena);
    free(p->scratch);
    free(p);
}

/* Tensor T is an output of the last op of step S. */
static int written_last(const ft_nn_graph *g, const step *s, int t)
{
    const ft_nn_op *op = &g->ops[s->last - 1];
    for (int o = 0; o < op->output_count; o++)
        if (op->outputs[o] == t)
            return 1;
    return 0;
}

/* Buffers in P's arena for every activation without one of the session's
 * that passes from one step to another; a value lives from the step that
 * makes it to the last that reads it. 1 when done, 0 when out of memory. */
static int place_values(ft_nn_plan *p, void *const *session_buffers)
{
    const ft_nn_graph *g = p->graph;
    const int n = g->tensor_count;
    int *first = malloc(sizeof *first * (size_t)(n + 1)), *last = malloc(sizeof *last * (size_t)(n + 1));
    ft_arena_block *blocks = malloc(sizeof *blocks * (size_t)(n + 1));
    int *block_of = malloc(sizeof *block_of * (size_t)(n + 1));
    int ok = first && last && blocks && block_of, count = 0;
    for (int t = 0; ok && t < n; t++)
        first[t] = last[t] = block_of[t] = -1;
    for (int s = 0; ok && s < p->step_count; s++)
        for (int k = p->steps[s].first; k < p->steps[s].last; k++) {
            const ft_nn_op *op = &g->ops[k];
            for (int j = 0; j < op->input_count + op->output_count; j++) {
                const int t = j < op->input_count ? op->inputs[j] : op->outputs[j - op->input_count];
                if (t < 0 || g->tensors[t].data || session_buffers[t])
                    continue;
                if (first[t] < 0)
                    first[t] = s;
                last[t] = s;
            }
        }
    for (int t = 0; ok && t < n; t++) {
        /* inside one runtime: XNNPACK's own memory; between the ops of a
         * fused kernel: none (what it writes last needs memory, read or not) */
        if (first[t] < 0 ||
            (first[t] == last[t] &&
             (p->steps[first[t]].segment ||
              (p->steps[first[t]].fused && !written_last(g, &p->steps[first[t]], t)))))
            continue;
        block_of[t] = count;
        blocks[count++] = (ft_arena_block){
            .bytes = (size_t)ft_nn_tensor_elements(&g->tensors[t]) * ft_dtype_size(g->tensors[t].dtype) + 64,
            .first = first[t], .last = last[t]};
    }
    size_t size = ok && count ? ft_arena_plan(blocks, count, 64) : 0;
    ok = ok && size != (size_t)-1;
    if (ok && count) {
        p->arena = calloc(1, size); /* runs must not depend on old memory */
        ok = p->arena != NULL;
    }
    for (int t = 0; ok && t < n; t++)
        if (block_of[t] >= 0)
            p->buffers[t] = (char *)p->arena + blocks[block_of[t]].offset;
    free(first);
    free(last);
    free(blocks);
    free(block_of);
    return ok;
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
    p->buffers = malloc(sizeof *p->buffers * (size_t)(g->tensor_count + 1));
    if (!p->buffers) {
        free(outside);
        xnnpack_plan_free(p);
        snprintf(err, err_size, "%s: out of memory", model_name(g));
        return FT_ERR_NOMEM;
    }
    memcpy(p->buffers, buffers, sizeof *p->buffers * (size_t)g->tensor_count);
    /* the steps first, then their values' memory, then the runtimes */
    for (int i = 0; i < g->op_count;) {
        int siblings;
        const int joint = joint_ops(g, i, &siblings);
        step *s = &p->steps[p->step_count++];
        if (joint) {
            /* the siblings' convolution is made with the runtimes, below */
            *s = (step){i, i + joint, NULL, NULL, !siblings, !siblings};
            i += joint;
            continue;
        }
        const int end = run_end(g, i);
        *s = end == i ? (step){i, i + 1, NULL, NULL, ft_fast_kernel_accepts(g, &g->ops[i]), 0}
                      : (step){i, end, NULL, NULL, 0, 0};
        i = end == i ? i + 1 : end;
    }
    size_t scratch = 0;
    for (int si = 0; si < p->step_count; si++)
        if (p->steps[si].fused) {
            const size_t bytes = ft_fast_fused_scratch(g, p->steps[si].first);
            scratch = bytes > scratch ? bytes : scratch;
        }
    if (scratch && posix_memalign(&p->scratch, 64, scratch) != 0)
        p->scratch = NULL;
    if ((scratch && !p->scratch) || !place_values(p, buffers)) {
        free(outside);
        xnnpack_plan_free(p);
        snprintf(err, err_size, "%s: out of memory", model_name(g));
        return FT_ERR_NOMEM;
    }
    for (int si = 0; si < p->step_count && st == FT_OK; si++) {
        step *s = &p->steps[si];
        const int i = s->first, end = s->last;
        if (!s->fast && end == i + 1 && run_end(g, i) == i)
            continue; /* a reference op */
        p->native_ops += end - i;
        if (s->fast)
            continue;
        int siblings;
        if (joint_ops(g, i, &siblings) && siblings) {
            st = ft_xnn_siblings_create(g, i, end, target->pool, &s->siblings, err, err_size);
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
        st = ft_xnn_segment_create(g, i, end, p->buffers, outside, target->pool, &s->segment, err,
                                   err_size);
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
    /* the session's buffers change; the arena's stay */
    for (int t = 0; t < p->graph->tensor_count; t++)
        if (buffers[t])
            p->buffers[t] = buffers[t];
    for (int i = 0; i < p->step_count; i++)
        if (p->steps[i].segment && ft_xnn_segment_rebind(p->steps[i].segment, p->buffers) != FT_OK) {
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
        ft_status st = s->segment  ? ft_xnn_segment_run(s->segment)
                       : s->siblings ? ft_xnn_siblings_run(s->siblings, p->buffers)
                       : s->fused    ? ft_fast_fused_run(g, s->first, p->buffers, p->scratch)
                       : s->fast     ? ft_fast_kernel_run(g, s->first, p->buffers)
                                     : ft_nn_reference_run_op(g, s->first, p->buffers);
        if (p->profile)
            ft_nn_profile_add(p->profile, s->first, s->last,
                              s->segment || s->siblings ? 1 : s->fast ? 2 : 0,
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
        if ((p->steps[i].segment && ft_xnn_segment_run(p->steps[i].segment) != FT_OK) ||
            (p->steps[i].siblings &&
             ft_xnn_siblings_run(p->steps[i].siblings, p->buffers) != FT_OK))
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
