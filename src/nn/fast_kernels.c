#include "nn/fast_kernels.h"

#include <math.h>
#include <string.h>

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

/* ---------------------------------------------------------------- dispatch */

int ft_fast_kernel_accepts(const ft_nn_graph *g, const ft_nn_op *op)
{
    if (op->input_count < 1 || op->inputs[0] < 0 || op->output_count != 1)
        return 0;
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    if (x->dtype != y->dtype || x->data)
        return 0;
    switch (op->type) {
    case FT_OP_RESIZE: return x->dtype == FT_DTYPE_F32 && resize_accepts(g, op);
    case FT_OP_TRANSPOSE: return transpose_accepts(g, op);
    default: return 0;
    }
}

ft_status ft_fast_kernel_run(const ft_nn_graph *g, int i, void *const *buffers)
{
    const ft_nn_op *op = &g->ops[i];
    switch (op->type) {
    case FT_OP_RESIZE: resize(g, op, buffers); return FT_OK;
    case FT_OP_TRANSPOSE: transpose(g, op, buffers); return FT_OK;
    default: return FT_ERR_UNSUPPORTED;
    }
}
