#include "nn/xnn_siblings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xnnpack.h>

#include "nn/xnn_backend.h"

/* The outputs XNNPACK's convolutions compute per pass over a pixel's window
 * (AVX-512; fewer elsewhere, where joining saves passes all the more). */
#define PASS_OUTPUTS 16

struct ft_xnn_siblings {
    const ft_nn_graph *graph;
    int first, last;
    xnn_operator_t op;
    pthreadpool_t pool;
    float *joined;          /* [pixels][outputs of all] */
    const void *set_up_for; /* the input the operator was last set up on */
    size_t pixels, outputs;
};

static int passes(int64_t outputs)
{
    return (int)((outputs + PASS_OUTPUTS - 1) / PASS_OUTPUTS);
}

/* Op B convolves what op A does, through the same window, each alone. */
static int same_convolution(const ft_nn_graph *g, const ft_nn_op *a, const ft_nn_op *b)
{
    const ft_op_attrs *x = &a->attrs, *y = &b->attrs;
    const ft_nn_tensor *wa = &g->tensors[a->inputs[1]], *wb = &g->tensors[b->inputs[1]];
    return b->type == FT_OP_CONV2D && b->input_count >= 2 && b->output_count == 1 &&
           b->inputs[0] == a->inputs[0] && b->inputs[1] >= 0 && wb->rank == 4 && wb->data &&
           wb->dtype == FT_DTYPE_F32 && wb->shape[1] == wa->shape[1] && wb->shape[2] == wa->shape[2] &&
           wb->shape[3] == wa->shape[3] && x->layout == y->layout && x->activation == y->activation &&
           x->same_padding == y->same_padding && memcmp(x->pads, y->pads, sizeof x->pads) == 0 &&
           memcmp(x->stride, y->stride, sizeof x->stride) == 0 &&
           memcmp(x->dilation, y->dilation, sizeof x->dilation) == 0;
}

static int alone_convolution(const ft_nn_graph *g, const ft_nn_op *op)
{
    if (op->type != FT_OP_CONV2D || op->input_count < 2 || op->output_count != 1 ||
        op->inputs[0] < 0 || op->inputs[1] < 0 || op->attrs.layout != FT_LAYOUT_NHWC)
        return 0;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *w = &g->tensors[op->inputs[1]];
    const ft_nn_tensor *b = op->input_count > 2 && op->inputs[2] >= 0 ? &g->tensors[op->inputs[2]] : NULL;
    return !x->data && x->rank == 4 && w->rank == 4 && w->data && w->dtype == FT_DTYPE_F32 &&
           w->shape[3] == x->shape[3] && (!b || (b->data && ft_nn_tensor_elements(b) == w->shape[0]));
}

int ft_xnn_siblings_count(const ft_nn_graph *g, int first)
{
    if (first >= g->op_count || !alone_convolution(g, &g->ops[first]))
        return 0;
    const ft_nn_op *a = &g->ops[first];
    int last = first + 1, apart = passes(g->tensors[a->inputs[1]].shape[0]);
    int64_t outputs = g->tensors[a->inputs[1]].shape[0];
    while (last < g->op_count && alone_convolution(g, &g->ops[last]) &&
           same_convolution(g, a, &g->ops[last])) {
        const int64_t o = g->tensors[g->ops[last].inputs[1]].shape[0];
        apart += passes(o);
        outputs += o;
        last++;
    }
    return last - first >= 2 && passes(outputs) < apart ? last - first : 0;
}

ft_status ft_xnn_siblings_create(const ft_nn_graph *g, int first, int last, pthreadpool_t pool,
                                 ft_xnn_siblings **out, char *err, size_t err_size)
{
    *out = NULL;
    const char *name = g->name && *g->name ? g->name : "(model)";
    const ft_nn_op *a = &g->ops[first];
    const ft_op_attrs *at = &a->attrs;
    const ft_nn_tensor *x = &g->tensors[a->inputs[0]], *w0 = &g->tensors[a->inputs[1]];
    const ft_nn_tensor *y = &g->tensors[a->outputs[0]];
    const size_t window = (size_t)(w0->shape[1] * w0->shape[2] * w0->shape[3]);
    size_t outputs = 0;
    for (int i = first; i < last; i++)
        outputs += (size_t)g->tensors[g->ops[i].inputs[1]].shape[0];
    ft_xnn_siblings *s = calloc(1, sizeof *s);
    float *weights = malloc(sizeof *weights * outputs * window);
    float *bias = calloc(outputs, sizeof *bias);
    const size_t pixels = (size_t)(y->shape[0] * y->shape[1] * y->shape[2]);
    if (s)
        s->joined = malloc(sizeof *s->joined * (pixels * outputs + 16));
    if (!s || !weights || !bias || !s->joined) {
        free(weights);
        free(bias);
        ft_xnn_siblings_free(s);
        snprintf(err, err_size, "%s: out of memory", name);
        return FT_ERR_NOMEM;
    }
    /* filters [O][KH][KW][I] one after the other: the outputs side by side */
    size_t at_output = 0;
    for (int i = first; i < last; i++) {
        const ft_nn_op *op = &g->ops[i];
        const ft_nn_tensor *w = &g->tensors[op->inputs[1]];
        const size_t o = (size_t)w->shape[0];
        memcpy(weights + at_output * window, w->data, sizeof *weights * o * window);
        if (op->input_count > 2 && op->inputs[2] >= 0)
            memcpy(bias + at_output, g->tensors[op->inputs[2]].data, sizeof *bias * o);
        at_output += o;
    }
    float lo, hi;
    ft_activation_clamp(at->activation, &lo, &hi);
    const uint32_t same = at->same_padding ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
    enum xnn_status st = ft_xnn_init() == FT_OK ? xnn_status_success : xnn_status_unsupported_hardware;
    if (st == xnn_status_success)
        st = xnn_create_convolution2d_nhwc_f32(
            same ? 0 : (uint32_t)at->pads[0], same ? 0 : (uint32_t)at->pads[3],
            same ? 0 : (uint32_t)at->pads[2], same ? 0 : (uint32_t)at->pads[1],
            (uint32_t)w0->shape[1], (uint32_t)w0->shape[2], (uint32_t)at->stride[0],
            (uint32_t)at->stride[1], (uint32_t)at->dilation[0], (uint32_t)at->dilation[1], 1,
            (size_t)x->shape[3], outputs, (size_t)x->shape[3], outputs, weights, bias, lo, hi, same,
            &s->op);
    free(weights); /* packed by XNNPACK */
    free(bias);
    if (st != xnn_status_success) {
        ft_xnn_siblings_free(s);
        snprintf(err, err_size, "%s: XNNPACK refused ops %d-%d as one convolution: status %d", name,
                 first, last - 1, (int)st);
        return FT_ERR_UNSUPPORTED;
    }
    s->graph = g;
    s->first = first;
    s->last = last;
    s->pool = pool;
    s->pixels = pixels;
    s->outputs = outputs;
    *out = s;
    return FT_OK;
}

ft_status ft_xnn_siblings_run(ft_xnn_siblings *s, void *const *buffers)
{
    const ft_nn_graph *g = s->graph;
    const ft_nn_op *a = &g->ops[s->first];
    const ft_nn_tensor *x = &g->tensors[a->inputs[0]];
    const void *in = buffers[a->inputs[0]];
    if (in != s->set_up_for) {
        if (xnn_setup_convolution2d_nhwc_f32(s->op, (size_t)x->shape[0], (size_t)x->shape[1],
                                             (size_t)x->shape[2], in, s->joined,
                                             s->pool) != xnn_status_success)
            return FT_ERR_INTERNAL;
        s->set_up_for = in;
    }
    if (xnn_run_operator(s->op, s->pool) != xnn_status_success)
        return FT_ERR_INTERNAL;
    /* each op's outputs of every pixel into its own tensor */
    size_t at_output = 0;
    for (int i = s->first; i < s->last; i++) {
        const ft_nn_op *op = &g->ops[i];
        const size_t o = (size_t)g->tensors[op->inputs[1]].shape[0];
        const float *from = s->joined + at_output;
        float *to = buffers[op->outputs[0]];
        for (size_t p = 0; p < s->pixels; p++)
            memcpy(to + p * o, from + p * s->outputs, sizeof *to * o);
        at_output += o;
    }
    return FT_OK;
}

void ft_xnn_siblings_free(ft_xnn_siblings *s)
{
    if (!s)
        return;
    if (s->op)
        xnn_delete_operator(s->op);
    free(s->joined);
    free(s);
}
