#include "nn/fast_kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "nn/fast_rows.h"
#include "nn/fast_vector.h"

/* -O2 vectorizes only loops whose length is a multiple of the vector's:
 * these ask for the full vectorizer, one clone per vector width. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDE_CLONES                                                                            \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),              \
                   optimize("tree-vectorize", "vect-cost-model=dynamic")))
#elif defined(__GNUC__) && !defined(__clang__)
#define WIDE_CLONES __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define WIDE_CLONES
#endif

/* The largest side a resize here precomputes its columns for. */
#define MOST_COLUMNS 4096

/* ------------------------------------------------------------------ resize */

/* As the reference kernel (TFLite's semantics): the source position, its two
 * neighbours clamped to the picture, and the fraction. */
typedef struct tap {
    int64_t lo, hi;
    float frac;
} tap;

static float resize_scale(int64_t in, int64_t out, int align_corners)
{
    return (align_corners && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
}

static tap tap_at(int64_t o, float scale, int half_pixel, int64_t in)
{
    const float f = half_pixel ? ((float)o + 0.5f) * scale - 0.5f : (float)o * scale;
    int64_t lo = (int64_t)floorf(f), hi = (int64_t)ceilf(f);
    lo = lo < 0 ? 0 : lo;
    hi = hi > in - 1 ? in - 1 : hi;
    return (tap){lo, hi, f - (float)lo};
}

/* One output row: the same products as the reference, in its order. */
WIDE_CLONES
static void resize_row(const float *top, const float *bottom, const tap *cols, int64_t ow,
                       int64_t channels, float dy, float *out)
{
    for (int64_t ox = 0; ox < ow; ox++) {
        const float dx = cols[ox].frac;
        const float *restrict p00 = top + cols[ox].lo * channels;
        const float *restrict p01 = top + cols[ox].hi * channels;
        const float *restrict p10 = bottom + cols[ox].lo * channels;
        const float *restrict p11 = bottom + cols[ox].hi * channels;
        float *restrict y = out + ox * channels;
        for (int64_t ch = 0; ch < channels; ch++)
            y[ch] = p00[ch] * (1 - dy) * (1 - dx) + p10[ch] * dy * (1 - dx) +
                    p01[ch] * (1 - dy) * dx + p11[ch] * dy * dx;
    }
}

static int resize_accepts(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    return op->attrs.layout == FT_LAYOUT_NHWC && op->attrs.resize_mode == FT_RESIZE_BILINEAR &&
           op->attrs.activation == FT_ACT_NONE && x->rank == 4 && y->rank == 4 &&
           y->shape[0] == x->shape[0] && y->shape[3] == x->shape[3] && y->shape[2] >= 1 &&
           y->shape[2] <= MOST_COLUMNS;
}

static void resize(const ft_nn_graph *g, const ft_nn_op *op, void *const *buffers)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    const int64_t N = x->shape[0], H = x->shape[1], W = x->shape[2], C = x->shape[3];
    const int64_t OH = y->shape[1], OW = y->shape[2];
    const float sh = resize_scale(H, OH, a->align_corners), sw = resize_scale(W, OW, a->align_corners);
    tap cols[MOST_COLUMNS];
    for (int64_t ox = 0; ox < OW; ox++)
        cols[ox] = tap_at(ox, sw, a->half_pixel_centers, W);
    const float *X = buffers[op->inputs[0]];
    float *Y = buffers[op->outputs[0]];
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < OH; oy++) {
            const tap row = tap_at(oy, sh, a->half_pixel_centers, H);
            resize_row(X + (n * H + row.lo) * W * C, X + (n * H + row.hi) * W * C, cols, OW, C,
                       row.frac, Y + (n * OH + oy) * OW * C);
        }
}

/* --------------------------------------------------------------- transpose */

static const int nchw_to_nhwc[4] = {0, 2, 3, 1};

/* The pixels of one image: C planes of PIXELS values into PIXELS x C. */
WIDE_CLONES
static void interleave_planes(const float *restrict x, int64_t pixels, int64_t channels,
                              float *restrict y)
{
    if (channels == 3) { /* a picture: the common case, unrolled */
        const float *r = x, *g = x + pixels, *b = x + 2 * pixels;
        for (int64_t p = 0; p < pixels; p++) {
            y[3 * p] = r[p];
            y[3 * p + 1] = g[p];
            y[3 * p + 2] = b[p];
        }
        return;
    }
    for (int64_t p = 0; p < pixels; p++)
        for (int64_t c = 0; c < channels; c++)
            y[p * channels + c] = x[c * pixels + p];
}

static int transpose_accepts(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]];
    if (x->rank != 4 || ft_dtype_size(x->dtype) != sizeof(float) || x->shape[1] > 16)
        return 0; /* many channels: the reference kernel's rows are long enough */
    return memcmp(op->attrs.perm, nchw_to_nhwc, sizeof nchw_to_nhwc) == 0;
}

static void transpose(const ft_nn_graph *g, const ft_nn_op *op, void *const *buffers)
{
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]];
    const int64_t N = x->shape[0], C = x->shape[1], pixels = x->shape[2] * x->shape[3];
    /* float32 or any other 4-byte type: the bits are copied, never computed */
    const float *X = buffers[op->inputs[0]];
    float *Y = buffers[op->outputs[0]];
    for (int64_t n = 0; n < N; n++)
        interleave_planes(X + n * C * pixels, pixels, C, Y + n * C * pixels);
}

/* --------------------------------------------------------------- depthwise */

#define DEPTHWISE_MOST_CHANNELS 64
#define DEPTHWISE_LEAST_PIXELS (128 * 128)

typedef struct dw_window {
    const float *w, *bias; /* weights [9][C]; bias or NULL */
    int h, w_in, c, oh, ow, stride;
    float lo, hi;          /* the fused activation as a clamp */
} dw_window;

/* Every output value is XNNPACK's bit for bit: the bias, then one fused
 * multiply-add per tap in XNNPACK's order (column by column of the window,
 * top to bottom in each), then the clamp; a tap outside the picture adds
 * XNNPACK's zero, which changes nothing. So swapping kernels leaves every
 * result of a model as it was (in optimized builds: GCC fuses "acc += a * b"
 * into one multiply-add only when optimizing). */

/* Output pixel (oy, ox), channels [c0, c0 + 16), checking every tap
 * (inlined into each clone of the row, so at its vector width). */
static inline __attribute__((always_inline)) void dw_edge_pixel(const dw_window *k, const float *x,
                                                                float *y, int oy, int ox, int c0)
{
    v16 acc = {0}, a, b;
    if (k->bias)
        LOAD(acc, k->bias + c0);
    for (int kx = 0; kx < 3; kx++) {
        const int ix = ox * k->stride + kx - 1;
        if (ix < 0 || ix >= k->w_in)
            continue;
        for (int ky = 0; ky < 3; ky++) {
            const int iy = oy * k->stride + ky - 1;
            if (iy < 0 || iy >= k->h)
                continue;
            LOAD(a, x + ((size_t)iy * (size_t)k->w_in + (size_t)ix) * (size_t)k->c + (size_t)c0);
            LOAD(b, k->w + (ky * 3 + kx) * k->c + c0);
            acc += a * b;
        }
    }
    clamp_store(y + ((size_t)oy * (size_t)k->ow + (size_t)ox) * (size_t)k->c + (size_t)c0, &acc,
                k->lo, k->hi);
}

/* ACC plus the window whose top-left input vector is at P (rows ROW apart,
 * pixels C apart), XNNPACK's order; W: the nine weight vectors, row-major. */
#define DW_WINDOW(acc, p, row, C, w)                                                            \
    do {                                                                                        \
        v16 in_;                                                                                \
        for (int kx_ = 0; kx_ < 3; kx_++)                                                       \
            for (int ky_ = 0; ky_ < 3; ky_++) {                                                 \
                LOAD(in_, (p) + (size_t)ky_ * (row) + (size_t)kx_ * (size_t)(C));               \
                (acc) += in_ * (w)[3 * ky_ + kx_];                                              \
            }                                                                                   \
    } while (0)

/* One output row, channels [c0, c0 + 16): inside the picture, four output
 * pixels at a time (their windows overlap, so the loads are shared). Each
 * "acc += in * w" becomes one fused multiply-add where the CPU has them, as
 * in XNNPACK's kernels for that CPU. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"),
               optimize("fp-contract=fast")))
#endif
static void dw_row(const dw_window *k, const float *x, float *y, int oy, int c0)
{
    const int s = k->stride, C = k->c, iy = oy * s - 1;
    if (iy < 0 || iy + 2 >= k->h) { /* touches the top or bottom edge */
        for (int ox = 0; ox < k->ow; ox++)
            dw_edge_pixel(k, x, y, oy, ox, c0);
        return;
    }
    v16 w[9], bias = {0};
    for (int i = 0; i < 9; i++)
        LOAD(w[i], k->w + i * C + c0);
    if (k->bias)
        LOAD(bias, k->bias + c0);
    const size_t row = (size_t)k->w_in * (size_t)C;
    const float *top = x + (size_t)iy * row + (size_t)c0;
    float *out = y + (size_t)oy * (size_t)k->ow * (size_t)C + (size_t)c0;
    dw_edge_pixel(k, x, y, oy, 0, c0);
    int ox = 1;
    if (s == 1)
        for (; ox + 4 <= k->ow && ox + 4 < k->w_in; ox += 4) {
            v16 a0 = bias, a1 = bias, a2 = bias, a3 = bias;
            const float *p = top + (size_t)(ox - 1) * (size_t)C;
            DW_WINDOW(a0, p, row, C, w);
            DW_WINDOW(a1, p + C, row, C, w);
            DW_WINDOW(a2, p + 2 * C, row, C, w);
            DW_WINDOW(a3, p + 3 * C, row, C, w);
            float *q = out + (size_t)ox * (size_t)C;
            clamp_store(q, &a0, k->lo, k->hi);
            clamp_store(q + C, &a1, k->lo, k->hi);
            clamp_store(q + 2 * C, &a2, k->lo, k->hi);
            clamp_store(q + 3 * C, &a3, k->lo, k->hi);
        }
    for (; ox < k->ow; ox++) {
        if (ox * s + 1 >= k->w_in) { /* the right edge */
            dw_edge_pixel(k, x, y, oy, ox, c0);
            continue;
        }
        v16 acc = bias;
        DW_WINDOW(acc, top + (size_t)(ox * s - 1) * (size_t)C, row, C, w);
        clamp_store(out + (size_t)ox * (size_t)C, &acc, k->lo, k->hi);
    }
}

/* The padding before the first row or column: explicit, or TFLite's SAME
 * (the total split with the extra pixel after). */
static int64_t pad_before(const ft_op_attrs *a, int axis, int64_t in, int64_t out)
{
    if (!a->same_padding)
        return a->pads[axis];
    const int64_t total = (out - 1) * a->stride[axis] + 3 - in;
    return total > 0 ? total / 2 : 0;
}

static int depthwise_accepts(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    float lo, hi;
    if (a->layout != FT_LAYOUT_NHWC || op->input_count < 2 || op->inputs[1] < 0 ||
        !ft_activation_clamp(a->activation, &lo, &hi))
        return 0;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *w = &g->tensors[op->inputs[1]];
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    const ft_nn_tensor *b = op->input_count > 2 && op->inputs[2] >= 0 ? &g->tensors[op->inputs[2]] : NULL;
    if (x->dtype != FT_DTYPE_F32 || w->dtype != FT_DTYPE_F32 || x->rank != 4 || y->rank != 4 ||
        w->rank != 4 || !w->data)
        return 0;
    const int64_t C = x->shape[3];
    if (C < LANES || C > DEPTHWISE_MOST_CHANNELS || C % LANES || w->shape[0] != 1 ||
        w->shape[1] != 3 || w->shape[2] != 3 || w->shape[3] != C || y->shape[3] != C ||
        y->shape[0] != x->shape[0])
        return 0;
    if (b && (!b->data || b->dtype != FT_DTYPE_F32 || ft_nn_tensor_elements(b) != C))
        return 0;
    if (a->stride[0] != a->stride[1] || (a->stride[0] != 1 && a->stride[0] != 2) ||
        a->dilation[0] != 1 || a->dilation[1] != 1)
        return 0;
    /* one pixel of padding before; after, at most one (edge pixels check
     * every tap) */
    for (int axis = 0; axis < 2; axis++) {
        const int64_t in = x->shape[1 + axis], out = y->shape[1 + axis];
        if (out < 1 || pad_before(a, axis, in, out) != 1 || (out - 1) * a->stride[axis] + 1 > in)
            return 0;
    }
    return 1;
}

static ft_status depthwise(const ft_nn_graph *g, const ft_nn_op *op, void *const *buffers)
{
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    const int has_bias = op->input_count > 2 && op->inputs[2] >= 0;
    dw_window k = {
        .w = buffers[op->inputs[1]],
        .bias = has_bias ? buffers[op->inputs[2]] : NULL,
        .h = (int)x->shape[1], .w_in = (int)x->shape[2], .c = (int)x->shape[3],
        .oh = (int)y->shape[1], .ow = (int)y->shape[2], .stride = op->attrs.stride[0],
    };
    if (!ft_activation_clamp(op->attrs.activation, &k.lo, &k.hi))
        return FT_ERR_UNSUPPORTED;
    const size_t in_image = (size_t)k.h * (size_t)k.w_in * (size_t)k.c;
    const size_t out_image = (size_t)k.oh * (size_t)k.ow * (size_t)k.c;
    for (int64_t n = 0; n < x->shape[0]; n++) {
        const float *xn = (const float *)buffers[op->inputs[0]] + (size_t)n * in_image;
        float *yn = (float *)buffers[op->outputs[0]] + (size_t)n * out_image;
        for (int oy = 0; oy < k.oh; oy++)
            for (int c0 = 0; c0 < k.c; c0 += LANES)
                dw_row(&k, xn, yn, oy, c0);
    }
    return FT_OK;
}

/* ---------------------------------------------------------------- dispatch */

static int kernels_off;
static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;

/* FACETRACK_NN_FAST=0: none of these kernels, for comparison */
static void read_switch(void)
{
    const char *v = getenv("FACETRACK_NN_FAST");
    kernels_off = v && strcmp(v, "0") == 0;
}

int ft_fast_kernels_on(void)
{
    pthread_once(&kernels_once, read_switch);
    return !kernels_off;
}

int ft_fast_kernel_accepts(const ft_nn_graph *g, const ft_nn_op *op)
{
    pthread_once(&kernels_once, read_switch);
    if (kernels_off || op->input_count < 1 || op->inputs[0] < 0 || op->output_count != 1)
        return 0;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    if (x->dtype != y->dtype || x->data)
        return 0;
    switch (op->type) {
    case FT_OP_RESIZE: return x->dtype == FT_DTYPE_F32 && resize_accepts(g, op);
    case FT_OP_TRANSPOSE: return transpose_accepts(g, op);
    case FT_OP_DEPTHWISE_CONV2D: return depthwise_accepts(g, op);
    default: return 0;
    }
}

int ft_fast_kernel_preferred(const ft_nn_graph *g, const ft_nn_op *op)
{
    /* On small pictures XNNPACK's per-pixel cost matters less than the
     * runtimes a split adds (FaceMesh's 96 x 96 and below lost 5 %). */
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    return op->type == FT_OP_DEPTHWISE_CONV2D && ft_fast_kernel_accepts(g, op) &&
           y->shape[1] * y->shape[2] >= DEPTHWISE_LEAST_PIXELS;
}

ft_status ft_fast_kernel_run(const ft_nn_graph *g, int i, void *const *buffers)
{
    const ft_nn_op *op = &g->ops[i];
    switch (op->type) {
    case FT_OP_RESIZE: resize(g, op, buffers); return FT_OK;
    case FT_OP_TRANSPOSE: transpose(g, op, buffers); return FT_OK;
    case FT_OP_DEPTHWISE_CONV2D: return depthwise(g, op, buffers);
    default: return FT_ERR_UNSUPPORTED;
    }
}

int ft_fast_fused_count(const ft_nn_graph *g, int first)
{
    return ft_fast_kernels_on() ? ft_fast_rows_ops(g, first) : 0;
}

size_t ft_fast_fused_scratch(const ft_nn_graph *g, int first)
{
    return ft_fast_rows_scratch(g, first);
}

ft_status ft_fast_fused_run(const ft_nn_graph *g, int first, void *const *buffers, void *scratch)
{
    return ft_fast_rows_run(g, first, buffers, scratch);
}
