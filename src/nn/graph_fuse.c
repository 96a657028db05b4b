#include "nn/graph_fuse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How many op inputs read T, plus one if it is a graph output. */
static int *count_readers(const ft_nn_graph *g)
{
    int *readers = calloc((size_t)g->tensor_count + 1, sizeof *readers);
    if (!readers)
        return NULL;
    for (int i = 0; i < g->op_count; i++)
        for (int j = 0; j < g->ops[i].input_count; j++)
            if (g->ops[i].inputs[j] >= 0)
                readers[g->ops[i].inputs[j]]++;
    for (int k = 0; k < g->output_count; k++)
        readers[g->outputs[k]]++;
    return readers;
}

/* 1 when T is a float constant holding one value, in *V. */
static int scalar(const ft_nn_graph *g, int t, float *v)
{
    const ft_nn_tensor *x = t >= 0 ? &g->tensors[t] : NULL;
    if (!x || !x->data || x->dtype != FT_DTYPE_F32 || ft_nn_tensor_elements(x) != 1)
        return 0;
    memcpy(v, x->data, sizeof *v);
    return 1;
}

static int near(float v, float want)
{
    return fabsf(v - want) <= 1e-6f * fabsf(want);
}

/* The operand of a two-input op that is not the scalar WANT, or -1. */
static int other_than_scalar(const ft_nn_graph *g, const ft_nn_op *op, float want)
{
    float v;
    if (op->input_count != 2 || op->attrs.activation != FT_ACT_NONE)
        return -1;
    if (scalar(g, op->inputs[1], &v) && near(v, want))
        return op->inputs[0];
    if (scalar(g, op->inputs[0], &v) && near(v, want) && op->type != FT_OP_DIV)
        return op->inputs[1];
    return -1;
}

static int is_clip_0_6(const ft_nn_op *op)
{
    return op->attrs.activation == FT_ACT_NONE && op->input_count == 1 &&
           (op->type == FT_OP_RELU6 ||
            (op->type == FT_OP_CLIP && op->attrs.min == 0.0f && op->attrs.max == 6.0f));
}

/* OP divides IN by 6 (or multiplies it by 1/6). */
static int divides_by_6(const ft_nn_graph *g, const ft_nn_op *op, int in)
{
    return (op->type == FT_OP_DIV && other_than_scalar(g, op, 6.0f) == in) ||
           (op->type == FT_OP_MUL && other_than_scalar(g, op, 1.0f / 6.0f) == in);
}

/* OP multiplies IN by X (either order). */
static int multiplies(const ft_nn_op *op, int in, int x)
{
    return op->type == FT_OP_MUL && op->input_count == 2 &&
           op->attrs.activation == FT_ACT_NONE &&
           ((op->inputs[0] == in && op->inputs[1] == x) ||
            (op->inputs[0] == x && op->inputs[1] == in));
}

/* The op reading T, when T has exactly one reader and that is an op. */
static int only_reader(const ft_nn_graph *g, const int *readers, int t)
{
    if (readers[t] != 1)
        return -1;
    for (int k = 0; k < g->output_count; k++)
        if (g->outputs[k] == t)
            return -1;
    for (int i = 0; i < g->op_count; i++)
        for (int j = 0; j < g->ops[i].input_count; j++)
            if (g->ops[i].inputs[j] == t)
                return i;
    return -1;
}

int ft_nn_fuse_hard_swish(ft_nn_graph *g)
{
    int *readers = count_readers(g);
    char *dead = calloc((size_t)g->op_count + 1, 1);
    if (!readers || !dead) {
        free(readers);
        free(dead);
        return 0;
    }
    int fused = 0;
    for (int a = 0; a < g->op_count; a++) {
        const ft_nn_op *add = &g->ops[a];
        if (dead[a] || add->type != FT_OP_ADD || add->output_count != 1)
            continue;
        const int x = other_than_scalar(g, add, 3.0f);
        if (x < 0 || g->tensors[x].data)
            continue;
        const int b = only_reader(g, readers, add->outputs[0]);
        if (b < 0 || !is_clip_0_6(&g->ops[b]))
            continue;
        const int clipped = g->ops[b].outputs[0];
        const int c = only_reader(g, readers, clipped);
        if (c < 0)
            continue;
        const int middle = g->ops[c].outputs[0];
        const int d = only_reader(g, readers, middle);
        if (d < 0)
            continue;
        /* x * (relu6(x + 3) / 6), or (x * relu6(x + 3)) / 6 */
        const int ok = (divides_by_6(g, &g->ops[c], clipped) && multiplies(&g->ops[d], middle, x)) ||
                       (multiplies(&g->ops[c], clipped, x) && divides_by_6(g, &g->ops[d], middle));
        if (!ok || g->ops[d].output_count != 1)
            continue;
        ft_nn_op *out = &g->ops[d];
        const int y = out->outputs[0];
        memset(&out->attrs, 0, sizeof out->attrs);
        out->attrs.layout = add->attrs.layout;
        out->type = FT_OP_HARD_SWISH;
        out->inputs[0] = x;
        out->input_count = 1;
        out->outputs[0] = y;
        /* The chain's constants keep their readers' counts; x gains one
         * reader (the HardSwish) and loses the add and the product's. */
        readers[x]--;
        dead[a] = dead[b] = dead[c] = 1;
        fused++;
    }
    int kept = 0;
    for (int i = 0; i < g->op_count; i++)
        if (!dead[i])
            g->ops[kept++] = g->ops[i];
    g->op_count = kept;
    free(readers);
    free(dead);
    return fused;
}
