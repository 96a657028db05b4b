/* NCHW reference kernels: convolution (plain, grouped, depthwise), pooling
 * and resize with ONNX semantics. Explicit pads only: the loader resolves
 * auto_pad and ceil_mode into pads[] (top, left, bottom, right). */
#include <math.h>
#include <string.h>

#include "nn/ref_kernels_nchw.h"

static float activate(float v, ft_activation act)
{
    switch (act) {
    case FT_ACT_RELU: return v < 0 ? 0 : v;
    case FT_ACT_RELU6: return v < 0 ? 0 : v > 6 ? 6 : v;
    case FT_ACT_RELU_N1_TO_1: return v < -1 ? -1 : v > 1 ? 1 : v;
    case FT_ACT_TANH: return tanhf(v);
    case FT_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    default: return v;
    }
}

int ft_ref_is_nchw_op(const ft_nn_op *op)
{
    if (op->attrs.layout != FT_LAYOUT_NCHW)
        return 0;
    switch (op->type) {
    case FT_OP_CONV2D:
    case FT_OP_DEPTHWISE_CONV2D:
    case FT_OP_MAX_POOL2D:
    case FT_OP_AVERAGE_POOL2D:
    case FT_OP_RESIZE:
    case FT_OP_DEPTH_TO_SPACE:
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ convolution */

/* Plain, grouped and depthwise convolution share one loop: output channel
 * o reads I = w.shape[1] input channels starting at (o / (O / groups)) * I.
 * Each filter tap is added over a whole output row at a time, with the
 * columns that fall in the padding skipped. */
static void conv(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *w = c->in[1], *y = c->out[0];
    const float *X = c->in_data[0], *W = c->in_data[1];
    const float *B = c->op->input_count > 2 && c->in[2] ? c->in_data[2] : NULL;
    float *Y = c->out_data[0];
    const int64_t N = x->shape[0], C = x->shape[1], H = x->shape[2], Wd = x->shape[3];
    const int64_t O = w->shape[0], I = w->shape[1], KH = w->shape[2], KW = w->shape[3];
    const int64_t OH = y->shape[2], OW = y->shape[3];
    const int64_t groups = C / I, og = O / groups;
    const int64_t sy = a->stride[0], sx = a->stride[1], dy = a->dilation[0], dx = a->dilation[1];
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < O; o++) {
            const int64_t ic0 = (o / og) * I;
            const float *wo = W + o * I * KH * KW;
            float *yo = Y + (n * O + o) * OH * OW;
            for (int64_t k = 0; k < OH * OW; k++)
                yo[k] = B ? B[o] : 0.0f;
            for (int64_t i = 0; i < I; i++) {
                const float *xc = X + (n * C + ic0 + i) * H * Wd;
                for (int64_t ky = 0; ky < KH; ky++)
                    for (int64_t kx = 0; kx < KW; kx++) {
                        const float wv = wo[(i * KH + ky) * KW + kx];
                        const int64_t off = kx * dx - a->pads[1];
                        /* ox with 0 <= ox * sx + off < Wd */
                        const int64_t lo = off >= 0 ? 0 : (-off + sx - 1) / sx;
                        int64_t hi = Wd - off <= 0 ? 0 : (Wd - off + sx - 1) / sx;
                        hi = hi < OW ? hi : OW;
                        for (int64_t oy = 0; oy < OH; oy++) {
                            const int64_t iy = oy * sy - a->pads[0] + ky * dy;
                            if (iy < 0 || iy >= H)
                                continue;
                            const float *xr = xc + iy * Wd;
                            float *yr = yo + oy * OW;
                            for (int64_t ox = lo; ox < hi; ox++)
                                yr[ox] += wv * xr[ox * sx + off];
                        }
                    }
            }
            for (int64_t k = 0; k < OH * OW; k++)
                yo[k] = activate(yo[k], a->activation);
        }
}

/* ------------------------------------------------------------------ pools */

/* Padded positions are left out: max ignores them, the average divides by
 * the real pixels in the window (ONNX count_include_pad = 0). */
static void pool(const ft_ref_call *c, int is_max)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *y = c->out[0];
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const int64_t NC = x->shape[0] * x->shape[1], H = x->shape[2], Wd = x->shape[3];
    const int64_t OH = y->shape[2], OW = y->shape[3];
    for (int64_t p = 0; p < NC; p++) {
        const float *xc = X + p * H * Wd;
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                float acc = is_max ? -INFINITY : 0.0f;
                int taken = 0;
                for (int ky = 0; ky < a->kernel[0]; ky++) {
                    const int64_t iy = oy * a->stride[0] - a->pads[0] + ky;
                    if (iy < 0 || iy >= H)
                        continue;
                    for (int kx = 0; kx < a->kernel[1]; kx++) {
                        const int64_t ix = ox * a->stride[1] - a->pads[1] + kx;
                        if (ix < 0 || ix >= Wd)
                            continue;
                        const float v = xc[iy * Wd + ix];
                        acc = is_max ? (v > acc ? v : acc) : acc + v;
                        taken++;
                    }
                }
                if (!is_max)
                    acc = taken ? acc / (float)taken : 0.0f;
                Y[(p * OH + oy) * OW + ox] = activate(acc, a->activation);
            }
    }
}

/* ----------------------------------------------------------------- resize */

/* The input coordinate of output position O along an axis IN -> OUT long. */
static float source_coord(ft_resize_coord mode, int64_t o, int64_t in, int64_t out)
{
    const float scale = (float)out / (float)in;
    switch (mode) {
    case FT_COORD_PYTORCH_HALF_PIXEL:
        return out > 1 ? ((float)o + 0.5f) / scale - 0.5f : 0.0f;
    case FT_COORD_ASYMMETRIC:
        return (float)o / scale;
    case FT_COORD_ALIGN_CORNERS:
        return out > 1 ? (float)o * (float)(in - 1) / (float)(out - 1) : 0.0f;
    default:
        return ((float)o + 0.5f) / scale - 0.5f;
    }
}

static int64_t nearest_index(float v, ft_resize_round mode, int64_t in)
{
    const float f = floorf(v), frac = v - f;
    int64_t i;
    switch (mode) {
    case FT_ROUND_FLOOR: i = (int64_t)f; break;
    case FT_ROUND_CEIL: i = (int64_t)ceilf(v); break;
    case FT_ROUND_PREFER_CEIL: i = (int64_t)(frac >= 0.5f ? f + 1 : f); break;
    default: i = (int64_t)(frac > 0.5f ? f + 1 : f); break;
    }
    return i < 0 ? 0 : i >= in ? in - 1 : i;
}

/* Linear taps of one output position: i0, i1 and the weight of i1. */
static void linear_taps(const ft_op_attrs *a, int64_t o, int64_t in, int64_t out, int64_t *i0,
                        int64_t *i1, float *w1)
{
    float v = source_coord(a->coord, o, in, out);
    v = v < 0 ? 0 : v > (float)(in - 1) ? (float)(in - 1) : v;
    *i0 = (int64_t)v;
    *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
    *w1 = v - (float)*i0;
}

static void resize(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *y = c->out[0];
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const int64_t NC = x->shape[0] * x->shape[1], H = x->shape[2], W = x->shape[3];
    const int64_t OH = y->shape[2], OW = y->shape[3];
    for (int64_t p = 0; p < NC; p++) {
        const float *xc = X + p * H * W;
        float *yc = Y + p * OH * OW;
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                if (a->resize_mode == FT_RESIZE_NEAREST) {
                    const int64_t iy = nearest_index(source_coord(a->coord, oy, H, OH), a->nearest_round, H);
                    const int64_t ix = nearest_index(source_coord(a->coord, ox, W, OW), a->nearest_round, W);
                    yc[oy * OW + ox] = xc[iy * W + ix];
                    continue;
                }
                int64_t y0, y1, x0, x1;
                float dy, dx;
                linear_taps(a, oy, H, OH, &y0, &y1, &dy);
                linear_taps(a, ox, W, OW, &x0, &x1, &dx);
                yc[oy * OW + ox] = (1 - dy) * ((1 - dx) * xc[y0 * W + x0] + dx * xc[y0 * W + x1]) +
                                   dy * ((1 - dx) * xc[y1 * W + x0] + dx * xc[y1 * W + x1]);
            }
    }
}

ft_status ft_ref_run_nchw(const ft_ref_call *c)
{
    switch (c->op->type) {
    case FT_OP_CONV2D:
    case FT_OP_DEPTHWISE_CONV2D: conv(c); return FT_OK;
    case FT_OP_MAX_POOL2D: pool(c, 1); return FT_OK;
    case FT_OP_AVERAGE_POOL2D: pool(c, 0); return FT_OK;
    case FT_OP_RESIZE: resize(c); return FT_OK;
    default: return FT_ERR_UNSUPPORTED;
    }
}

/* ------------------------------------------------------------ shape checks */

static int64_t window_out(int64_t in, int k, int stride, int dil, int pad_total)
{
    return (in + pad_total - (int64_t)(k - 1) * dil - 1) / stride + 1;
}

const char *ft_ref_check_nchw(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    const ft_nn_tensor *w = op->input_count > 1 && op->inputs[1] >= 0 ? &g->tensors[op->inputs[1]] : NULL;
    if (x->rank != 4 || y->rank != 4 || x->shape[0] != y->shape[0])
        return "needs rank-4 NCHW input and output";
    if (x->shape[2] < 1 || x->shape[3] < 1 || y->shape[2] < 1 || y->shape[3] < 1)
        return "empty spatial dimensions";
    if (op->type == FT_OP_RESIZE)
        return x->shape[1] == y->shape[1] ? NULL : "channels change";
    if (op->type == FT_OP_DEPTH_TO_SPACE)
        return "NCHW depth-to-space is not supported";
    for (int i = 0; i < 2; i++)
        if (a->stride[i] < 1 || a->dilation[i] < 1 || a->pads[i] < 0 || a->pads[i + 2] < 0)
            return "bad stride, dilation or padding";
    int kh = a->kernel[0], kw = a->kernel[1], dil[2] = {1, 1};
    int64_t out_c = x->shape[1];
    if (op->type == FT_OP_CONV2D || op->type == FT_OP_DEPTHWISE_CONV2D) {
        if (!w || w->rank != 4 || !w->data || w->dtype != FT_DTYPE_F32)
            return "needs a constant float rank-4 filter";
        if (w->shape[1] <= 0 || x->shape[1] % w->shape[1] ||
            w->shape[0] % (x->shape[1] / w->shape[1]))
            return "filter input channels do not divide the input channels";
        if (op->type == FT_OP_DEPTHWISE_CONV2D && w->shape[1] != 1)
            return "depthwise filter does not match the input channels";
        kh = (int)w->shape[2];
        kw = (int)w->shape[3];
        dil[0] = a->dilation[0];
        dil[1] = a->dilation[1];
        out_c = w->shape[0];
        const ft_nn_tensor *b = op->input_count > 2 && op->inputs[2] >= 0 ? &g->tensors[op->inputs[2]] : NULL;
        if (b && (ft_nn_tensor_elements(b) != out_c || b->dtype != FT_DTYPE_F32))
            return "bias size differs from the output channels";
    }
    if (kh < 1 || kw < 1)
        return "empty window";
    if (y->shape[1] != out_c)
        return "output channels do not match";
    if (window_out(x->shape[2], kh, a->stride[0], dil[0], a->pads[0] + a->pads[2]) != y->shape[2] ||
        window_out(x->shape[3], kw, a->stride[1], dil[1], a->pads[1] + a->pads[3]) != y->shape[3])
        return "output size does not follow from input, window and stride";
    return NULL;
}
