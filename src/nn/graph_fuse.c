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
/* Drops the ops marked in DEAD, keeping the others' order. */
static void remove_ops(ft_nn_graph *g, const char *dead)
{
    int kept = 0;
    for (int i = 0; i < g->op_count; i++)
        if (!dead[i])
            g->ops[kept++] = g->ops[i];
    g->op_count = kept;
}

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
    remove_ops(g, dead);
    free(readers);
    free(dead);
    return fused;
}

/* A new float constant of SHAPE (rank 4 or 1) in G, zeroed; -1 when out of
 * memory. The tensor array may move. */
static int new_constant(ft_nn_graph *g, const char *base, const char *suffix, int rank,
                        const int64_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= shape[d];
    ft_nn_tensor *grown = realloc(g->tensors, sizeof *grown * (size_t)(g->tensor_count + 1));
    if (!grown)
        return -1;
    g->tensors = grown;
    const size_t len = strlen(base) + strlen(suffix) + 1;
    ft_nn_tensor t = {.name = malloc(len), .dtype = FT_DTYPE_F32, .rank = rank,
                      .data = calloc((size_t)n, sizeof(float)), .nbytes = (size_t)n * sizeof(float)};
    if (!t.name || !t.data) {
        free(t.name);
        free(t.data);
        return -1;
    }
    memcpy(t.name, base, strlen(base));
    memcpy(t.name + strlen(base), suffix, strlen(suffix) + 1);
    memcpy(t.shape, shape, sizeof(int64_t) * (size_t)rank);
    g->tensors[g->tensor_count] = t;
    return g->tensor_count++;
}

/* The constant float tensor at input J of OP, or NULL. */
static const ft_nn_tensor *constant_input(const ft_nn_graph *g, const ft_nn_op *op, int j)
{
    const int t = j < op->input_count ? op->inputs[j] : -1;
    return t >= 0 && g->tensors[t].data && g->tensors[t].dtype == FT_DTYPE_F32 ? &g->tensors[t]
                                                                              : NULL;
}

/* 1 when P is a plain 1x1 convolution (in channel groups or not). */
static int is_pointwise(const ft_nn_graph *g, const ft_nn_op *p)
{
    const ft_op_attrs *a = &p->attrs;
    const ft_nn_tensor *w = constant_input(g, p, 1), *x = &g->tensors[p->inputs[0]];
    return p->type == FT_OP_CONV2D && a->layout == FT_LAYOUT_NHWC && w && w->rank == 4 &&
           w->shape[1] == 1 && w->shape[2] == 1 && x->rank == 4 && w->shape[3] > 0 &&
           x->shape[3] % w->shape[3] == 0 && w->shape[0] % (x->shape[3] / w->shape[3]) == 0 &&
           a->stride[0] == 1 && a->stride[1] == 1 && !a->pads[0] && !a->pads[1] && !a->pads[2] &&
           !a->pads[3] && (p->input_count < 3 || p->inputs[2] < 0 || constant_input(g, p, 2));
}

/* Folds depthwise op D into the 1x1 op P; 1 when done, 0 when it does not
 * pay, -1 when out of memory. */
static int fold_pair(ft_nn_graph *g, int d, int p)
{
    const ft_nn_op *dw = &g->ops[d];
    const ft_nn_tensor *dwt = constant_input(g, dw, 1), *x = &g->tensors[dw->inputs[0]];
    if (!dwt || dwt->rank != 4 || dwt->shape[0] != 1 || x->rank != 4 || x->shape[3] <= 0 ||
        dwt->shape[3] % x->shape[3] || dw->attrs.layout != FT_LAYOUT_NHWC)
        return 0;
    const int64_t C = x->shape[3], M = dwt->shape[3] / C, KH = dwt->shape[1], KW = dwt->shape[2];
    /* P's groups: output o reads channels [group(o) * IG, + IG) of D's */
    const int64_t O = g->tensors[g->ops[p].inputs[1]].shape[0];
    const int64_t IG = g->tensors[g->ops[p].inputs[1]].shape[3], OG = O / (C * M / IG);
    if (O * C * KH * KW > C * M * KH * KW + O * C * M)
        return 0;
    const int has_dw_bias = dw->input_count > 2 && dw->inputs[2] >= 0;
    const int has_bias = g->ops[p].input_count > 2 && g->ops[p].inputs[2] >= 0;
    if (has_dw_bias && !constant_input(g, dw, 2))
        return 0;
    const char *base = g->tensors[g->ops[p].outputs[0]].name;
    const int w = new_constant(g, base ? base : "", "/folded_weights", 4, (int64_t[]){O, KH, KW, C});
    const int b = w < 0 ? -1 : new_constant(g, base ? base : "", "/folded_bias", 1, (int64_t[]){O});
    if (b < 0)
        return -1;
    /* pointers only now: new_constant may have moved the tensors */
    dw = &g->ops[d];
    ft_nn_op *pw = &g->ops[p];
    const float *D = g->tensors[dw->inputs[1]].data, *P = g->tensors[pw->inputs[1]].data;
    const float *DB = has_dw_bias ? g->tensors[dw->inputs[2]].data : NULL;
    const float *PB = has_bias ? g->tensors[pw->inputs[2]].data : NULL;
    float *W = g->tensors[w].data, *B = g->tensors[b].data;
    for (int64_t o = 0; o < O; o++) {
        const int64_t from = o / OG * IG; /* D's first channel that o reads */
        double bias = PB ? PB[o] : 0.0;
        for (int64_t j = from; DB && j < from + IG; j++)
            bias += (double)P[o * IG + j - from] * DB[j];
        B[o] = (float)bias;
        for (int64_t k = 0; k < KH * KW; k++)
            for (int64_t c = 0; c < C; c++) {
                double sum = 0;
                for (int64_t j = c * M; j < (c + 1) * M; j++)
                    if (j >= from && j < from + IG)
                        sum += (double)P[o * IG + j - from] * D[k * C * M + j];
                W[(o * KH * KW + k) * C + c] = (float)sum;
            }
    }
    /* P becomes the whole convolution: D's window, P's activation. */
    const ft_activation act = pw->attrs.activation;
    const int y = pw->outputs[0];
    ft_op_attrs attrs = dw->attrs;
    attrs.activation = act;
    attrs.depth_multiplier = 0;
    attrs.groups = 1;
    *pw = (ft_nn_op){.type = FT_OP_CONV2D, .input_count = 3, .output_count = 1, .attrs = attrs};
    pw->inputs[0] = dw->inputs[0];
    pw->inputs[1] = w;
    pw->inputs[2] = b;
    pw->outputs[0] = y;
    return 1;
}

int ft_nn_fold_depthwise_into_pointwise(ft_nn_graph *g)
{
    int *readers = count_readers(g);
    char *dead = calloc((size_t)g->op_count + 1, 1);
    int folded = 0;
    for (int d = 0; readers && dead && d < g->op_count; d++) {
        const ft_nn_op *dw = &g->ops[d];
        if (dw->type != FT_OP_DEPTHWISE_CONV2D || dw->attrs.activation != FT_ACT_NONE ||
            dw->output_count != 1 || dw->input_count < 2)
            continue;
        const int p = only_reader(g, readers, dw->outputs[0]);
        if (p < 0 || g->ops[p].inputs[0] != dw->outputs[0] || !is_pointwise(g, &g->ops[p]))
            continue;
        const int done = fold_pair(g, d, p);
        if (done < 0)
            break;
        if (done) {
            /* the constants stay (unread); the depthwise goes */
            dead[d] = 1;
            folded++;
        }
    }
    if (dead)
        remove_ops(g, dead);
    free(readers);
    free(dead);
    return folded;
}

/* The activation OP computes, when a convolution can take it instead. */
static ft_activation activation_of(const ft_nn_op *op)
{
    if (op->input_count != 1 || op->output_count != 1 || op->attrs.activation != FT_ACT_NONE)
        return FT_ACT_NONE;
    if (op->type == FT_OP_RELU)
        return FT_ACT_RELU;
    if (op->type == FT_OP_RELU6)
        return FT_ACT_RELU6;
    if (op->type == FT_OP_CLIP && op->attrs.min == 0.0f && op->attrs.max == 6.0f)
        return FT_ACT_RELU6;
    if (op->type == FT_OP_CLIP && op->attrs.min == 0.0f && isinf(op->attrs.max) && op->attrs.max > 0)
        return FT_ACT_RELU;
    return FT_ACT_NONE;
}

int ft_nn_fuse_activations(ft_nn_graph *g)
{
    int *readers = count_readers(g);
    int *producer = malloc(sizeof *producer * ((size_t)g->tensor_count + 1));
    char *dead = calloc((size_t)g->op_count + 1, 1);
    int fused = 0;
    if (!readers || !producer || !dead)
        goto done;
    for (int t = 0; t < g->tensor_count; t++)
        producer[t] = -1;
    for (int i = 0; i < g->op_count; i++)
        for (int j = 0; j < g->ops[i].output_count; j++)
            producer[g->ops[i].outputs[j]] = i;
    for (int i = 0; i < g->op_count; i++) {
        const ft_nn_op *act = &g->ops[i];
        const ft_activation a = activation_of(act);
        if (a == FT_ACT_NONE || act->inputs[0] < 0)
            continue;
        const int t = act->inputs[0], p = producer[t];
        if (p < 0 || only_reader(g, readers, t) != i)
            continue;
        ft_nn_op *conv = &g->ops[p];
        if ((conv->type != FT_OP_CONV2D && conv->type != FT_OP_DEPTHWISE_CONV2D) ||
            conv->output_count != 1 || conv->attrs.activation != FT_ACT_NONE)
            continue;
        conv->attrs.activation = a;
        conv->outputs[0] = act->outputs[0];
        producer[act->outputs[0]] = p;
        dead[i] = 1;
        fused++;
    }
    remove_ops(g, dead);
done:
    free(readers);
    free(producer);
    free(dead);
    return fused;
}

/* Convolution B reads what convolution A reads through the same window
 * (NHWC, constant weights, one group, the same attributes). */
static int same_window(const ft_nn_graph *g, const ft_nn_op *a, const ft_nn_op *b)
{
    if (a->type != FT_OP_CONV2D || b->type != FT_OP_CONV2D || a->input_count < 2 ||
        b->input_count < 2 || a->output_count != 1 || b->output_count != 1 ||
        a->inputs[0] < 0 || a->inputs[0] != b->inputs[0] || a->inputs[1] < 0 || b->inputs[1] < 0)
        return 0;
    const ft_nn_tensor *x = &g->tensors[a->inputs[0]];
    const ft_nn_tensor *wa = &g->tensors[a->inputs[1]], *wb = &g->tensors[b->inputs[1]];
    const ft_op_attrs *p = &a->attrs, *q = &b->attrs;
    return !x->data && x->rank == 4 && wa->data && wb->data && wa->rank == 4 && wb->rank == 4 &&
           wa->shape[1] == wb->shape[1] && wa->shape[2] == wb->shape[2] &&
           wa->shape[3] == x->shape[3] && wb->shape[3] == x->shape[3] &&
           p->layout == FT_LAYOUT_NHWC && q->layout == FT_LAYOUT_NHWC &&
           p->activation == q->activation && p->same_padding == q->same_padding &&
           memcmp(p->pads, q->pads, sizeof p->pads) == 0 &&
           memcmp(p->stride, q->stride, sizeof p->stride) == 0 &&
           memcmp(p->dilation, q->dilation, sizeof p->dilation) == 0;
}

/* Every input of OP is a constant, a graph input or made by an op before
 * op FIRST. */
static int ready_before(const ft_nn_graph *g, const ft_nn_op *op, int first)
{
    for (int j = 0; j < op->input_count; j++) {
        const int t = op->inputs[j];
        if (t < 0 || g->tensors[t].data)
            continue;
        int ready = 0;
        for (int k = 0; k < g->input_count && !ready; k++)
            ready = g->inputs[k] == t;
        for (int i = 0; i < first && !ready; i++)
            for (int o = 0; o < g->ops[i].output_count && !ready; o++)
                ready = g->ops[i].outputs[o] == t;
        if (!ready)
            return 0;
    }
    return 1;
}

int ft_nn_group_sibling_convolutions(ft_nn_graph *g)
{
    int moved = 0;
    for (int i = 0; i < g->op_count; i++) {
        int end = i + 1; /* the group: ops [i, end) */
        while (end < g->op_count && same_window(g, &g->ops[i], &g->ops[end]))
            end++;
        for (int j = end; j < g->op_count; j++) {
            if (!same_window(g, &g->ops[i], &g->ops[j]) || !ready_before(g, &g->ops[j], i))
                continue;
            const ft_nn_op sibling = g->ops[j];
            memmove(&g->ops[end + 1], &g->ops[end], sizeof *g->ops * (size_t)(j - end));
            g->ops[end++] = sibling;
            moved++;
        }
        i = end - 1;
    }
    return moved;
}

/* The op that makes T, or -1. */
static int producer(const ft_nn_graph *g, int t)
{
    for (int i = 0; t >= 0 && i < g->op_count; i++)
        for (int o = 0; o < g->ops[i].output_count; o++)
            if (g->ops[i].outputs[o] == t)
                return i;
    return -1;
}

/* Op I exists, is of TYPE with one input and one output, no activation. */
static int plain_unary(const ft_nn_graph *g, int i, ft_op_type type)
{
    return i >= 0 && g->ops[i].type == type && g->ops[i].input_count == 1 &&
           g->ops[i].output_count == 1 && g->ops[i].attrs.activation == FT_ACT_NONE;
}

/* Add op I as relu(x) + c * relu(-x): op indices of the four others and x
 * and c in P (relu, product, second relu, negation, x, c); 0 when not. */
static int prelu_parts(const ft_nn_graph *g, const int *readers, int i, int side, int *p)
{
    const ft_nn_op *add = &g->ops[i];
    const int relu = producer(g, add->inputs[side]), mul = producer(g, add->inputs[1 - side]);
    if (!plain_unary(g, relu, FT_OP_RELU) || mul < 0 || g->ops[mul].type != FT_OP_MUL ||
        g->ops[mul].input_count != 2 || g->ops[mul].output_count != 1 ||
        g->ops[mul].attrs.activation != FT_ACT_NONE ||
        only_reader(g, readers, g->ops[relu].outputs[0]) != i ||
        only_reader(g, readers, g->ops[mul].outputs[0]) != i)
        return 0;
    const int x = g->ops[relu].inputs[0];
    const ft_nn_op *m = &g->ops[mul];
    const int cj = constant_input(g, m, 0) ? 0 : 1;
    const ft_nn_tensor *c = constant_input(g, m, cj), *xt = &g->tensors[x];
    const int second = producer(g, m->inputs[1 - cj]);
    if (!c || xt->data || xt->rank < 1 || xt->dtype != FT_DTYPE_F32 ||
        !plain_unary(g, second, FT_OP_RELU) || only_reader(g, readers, m->inputs[1 - cj]) != mul)
        return 0;
    const int neg = producer(g, g->ops[second].inputs[0]);
    if (!plain_unary(g, neg, FT_OP_NEG) || g->ops[neg].inputs[0] != x ||
        only_reader(g, readers, g->ops[neg].outputs[0]) != second)
        return 0;
    /* one slope per channel (the last axis), as PRelu kernels take it */
    const int64_t channels = xt->shape[xt->rank - 1];
    if (c->rank < 1 || ft_nn_tensor_elements(c) != channels || c->shape[c->rank - 1] != channels)
        return 0;
    p[0] = relu, p[1] = mul, p[2] = second, p[3] = neg, p[4] = x, p[5] = m->inputs[cj];
    return 1;
}

int ft_nn_fuse_prelu(ft_nn_graph *g)
{
    int *readers = count_readers(g);
    char *dead = calloc((size_t)g->op_count + 1, 1);
    int fused = 0;
    for (int i = 0; readers && dead && i < g->op_count; i++) {
        const ft_nn_op *add = &g->ops[i];
        int p[6];
        if (dead[i] || add->type != FT_OP_ADD || add->input_count != 2 || add->output_count != 1 ||
            add->attrs.activation != FT_ACT_NONE ||
            !(prelu_parts(g, readers, i, 0, p) || prelu_parts(g, readers, i, 1, p)))
            continue;
        const ft_nn_tensor *c = &g->tensors[p[5]];
        const int64_t shape[FT_NN_MAX_RANK] = {c->shape[0], c->shape[1], c->shape[2],
                                               c->shape[3], c->shape[4], c->shape[5]};
        const int slope = new_constant(g, c->name ? c->name : "", "_prelu_slope", c->rank, shape);
        if (slope < 0)
            break;
        /* relu(x) + c * relu(-x) is x where x > 0, else (-c) * x: the same
         * products (negation is exact), and the sum with 0 changes nothing */
        const float *from = g->tensors[p[5]].data;
        float *to = g->tensors[slope].data;
        for (int64_t k = 0; k < ft_nn_tensor_elements(&g->tensors[slope]); k++)
            to[k] = -from[k];
        ft_nn_op *out = &g->ops[i];
        const int y = out->outputs[0];
        const ft_layout layout = out->attrs.layout;
        memset(&out->attrs, 0, sizeof out->attrs);
        out->attrs.layout = layout;
        out->type = FT_OP_PRELU;
        out->inputs[0] = p[4];
        out->inputs[1] = slope;
        out->input_count = 2;
        out->outputs[0] = y;
        readers[p[4]]--; /* x: read by the relu and the negation, now the PRelu */
        dead[p[0]] = dead[p[1]] = dead[p[2]] = dead[p[3]] = 1;
        fused++;
    }
    if (dead)
        remove_ops(g, dead);
    free(readers);
    free(dead);
    return fused;
}
