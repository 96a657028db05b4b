/* The reference row: every op on the plain C kernels, in graph order. It is
 * the oracle of the tests, and the fallback other rows run between their
 * own segments. */
#include <stdio.h>
#include <stdlib.h>

#include "nn/backend.h"
#include "nn/op_profile.h"
#include "nn/ref_kernels.h"

struct ft_nn_plan {
    const ft_nn_graph *graph;
    void *const *buffers; /* the session's array: rebinding changes it in place */
    ft_nn_profile *profile; /* FACETRACK_NN_PROFILE: per-op times */
};

ft_status ft_nn_reference_run_op(const ft_nn_graph *g, int i, void *const *buffers)
{
    const ft_nn_op *op = &g->ops[i];
    ft_ref_call call = {.op = op};
    for (int j = 0; j < op->input_count; j++) {
        int t = op->inputs[j];
        call.in[j] = t >= 0 ? &g->tensors[t] : NULL;
        call.in_data[j] = t >= 0 ? buffers[t] : NULL;
    }
    for (int j = 0; j < op->output_count; j++) {
        call.out[j] = &g->tensors[op->outputs[j]];
        call.out_data[j] = buffers[op->outputs[j]];
    }
    return ft_ref_run_op(&call);
}

static ft_status reference_init(char *err, size_t err_size)
{
    (void)err;
    (void)err_size;
    return FT_OK;
}

static ft_status reference_plan_create(const ft_nn_graph *g, void *const *buffers,
                                       const ft_nn_plan_target *target, ft_nn_plan **out,
                                       char *err, size_t err_size)
{
    (void)target; /* the reference kernels are single-threaded by design */
    ft_nn_plan *p = malloc(sizeof *p);
    if (!p) {
        snprintf(err, err_size, "%s: out of memory", g->name ? g->name : "(model)");
        return FT_ERR_NOMEM;
    }
    *p = (ft_nn_plan){g, buffers, ft_nn_profile_create(g, "reference")};
    *out = p;
    return FT_OK;
}

static ft_status reference_plan_rebind(ft_nn_plan *p, void *const *buffers, char *err,
                                       size_t err_size)
{
    (void)err;
    (void)err_size;
    p->buffers = buffers;
    return FT_OK;
}

static ft_status reference_plan_run(ft_nn_plan *p, char *err, size_t err_size)
{
    const ft_nn_graph *g = p->graph;
    for (int i = 0; i < g->op_count; i++) {
        const uint64_t start = p->profile ? ft_nn_profile_now() : 0;
        ft_status st = ft_nn_reference_run_op(g, i, p->buffers);
        if (p->profile)
            ft_nn_profile_add(p->profile, i, i + 1, 0, ft_nn_profile_now() - start);
        if (st != FT_OK) {
            snprintf(err, err_size, "%s: op %d (%s) failed: %s", g->name ? g->name : "(model)", i,
                     ft_nn_op_label(&g->ops[i]), ft_status_str(st));
            return st;
        }
    }
    ft_nn_profile_run_done(p->profile);
    return FT_OK;
}

static int reference_plan_native_ops(const ft_nn_plan *p)
{
    (void)p;
    return 0; /* all of them are the reference kernels */
}

static void reference_plan_free(ft_nn_plan *p)
{
    if (p)
        ft_nn_profile_finish(p->profile);
    free(p);
}

/* Every op type: what the kernels accept is decided by ft_ref_check_op. */
static const ft_nn_op_support reference_ops[] = {
    {FT_OP_CONV2D, NULL},        {FT_OP_DEPTHWISE_CONV2D, NULL}, {FT_OP_FULLY_CONNECTED, NULL},
    {FT_OP_MATMUL, NULL},        {FT_OP_MAX_POOL2D, NULL},       {FT_OP_AVERAGE_POOL2D, NULL},
    {FT_OP_ADD, NULL},           {FT_OP_SUB, NULL},              {FT_OP_MUL, NULL},
    {FT_OP_DIV, NULL},           {FT_OP_MAXIMUM, NULL},          {FT_OP_MINIMUM, NULL},
    {FT_OP_SQUARED_DIFFERENCE, NULL}, {FT_OP_POW, NULL},         {FT_OP_PRELU, NULL},
    {FT_OP_RELU, NULL},          {FT_OP_RELU6, NULL},            {FT_OP_RELU_N1_TO_1, NULL},
    {FT_OP_CLIP, NULL},          {FT_OP_LEAKY_RELU, NULL},       {FT_OP_SIGMOID, NULL},
    {FT_OP_TANH, NULL},          {FT_OP_HARD_SWISH, NULL},       {FT_OP_HARD_SIGMOID, NULL},
    {FT_OP_EXP, NULL},           {FT_OP_LOG, NULL},              {FT_OP_SQRT, NULL},
    {FT_OP_RSQRT, NULL},         {FT_OP_NEG, NULL},              {FT_OP_ABS, NULL},
    {FT_OP_SOFTMAX, NULL},       {FT_OP_RESHAPE, NULL},          {FT_OP_TRANSPOSE, NULL},
    {FT_OP_CONCAT, NULL},        {FT_OP_SLICE, NULL},            {FT_OP_PAD, NULL},
    {FT_OP_RESIZE, NULL},        {FT_OP_DEPTH_TO_SPACE, NULL},   {FT_OP_GATHER, NULL},
    {FT_OP_CAST, NULL},          {FT_OP_REDUCE_MEAN, NULL},      {FT_OP_REDUCE_SUM, NULL},
    {FT_OP_REDUCE_MAX, NULL},    {FT_OP_CUSTOM, NULL},
};

const ft_nn_backend_def ft_nn_backend_reference = {
    .name = "reference",
    .init = reference_init,
    .op_table = reference_ops,
    .op_table_count = (int)(sizeof reference_ops / sizeof *reference_ops),
    .mark_buffers = NULL, /* every op runs on our buffers */
    .plan_create = reference_plan_create,
    .plan_rebind = reference_plan_rebind,
    .plan_run = reference_plan_run,
    .plan_run_library_only = NULL,
    .plan_native_ops = reference_plan_native_ops,
    .plan_free = reference_plan_free,
};
