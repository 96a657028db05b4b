#include "nn/fast_rows.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nn/fast_vector.h"

#define MOST_STAGES 32
#define MOST_CHANNELS 96 /* six vectors */
#define PICTURE_MOST_CHANNELS 4
#define PICTURE_MOST_WINDOW 7
#define PICTURE_MOST_WEIGHTS 4096
#define PICTURE_BLOCK 8
#define POOL_MOST_WINDOW 3
#define CONVOLUTION_MOST_WINDOW 3
/* A chain pays where its first op's input has at least this many pixels
 * (80 x 80) and, unless it begins with the picture (whose transpose it
 * saves), one of its values (over the batch) is at least as large as a
 * core's L2 cache (1 MB here); below, the activations stay in the L2 cache anyway and XNNPACK's
 * runtimes are as fast (FaceMesh's 96 x 96 x 16 residual blocks were 2 %
 * slower as chains). */
#define LEAST_PIXELS 6400
#define LEAST_BYTES (1 << 20)

typedef enum stage_kind {
    PICTURE,
    COPY, /* an activation's rows into a ring, for a first op with a window */
    POINTWISE,
    CONVOLUTION,
    DEPTHWISE,
    MAX_POOL,
    ADD,  /* plus a tensor made before the chain (a residual block's input) */
    CLAMP /* a separate ReLU, ReLU6 or Clip */
} stage_kind;

/* One op of a chain; sizes are one image's. Its output channels C are
 * computed as CP (C rounded up to whole vectors; the extra ones are zero
 * weights' outputs, which the next op's zero weights ignore), the pixel
 * stride of its rows. */
typedef struct stage {
    stage_kind kind;
    int in_h, in_w, in_c, h, w, c, cp;
    int in_stride; /* floats between input pixels */
    int kh, kw, sy, sx, pad_top, pad_left;
    const float *weights, *bias; /* as the graph holds them */
    float lo, hi;                /* the activation as a clamp */
    /* per run */
    float *packed; /* picture [KH][KW][C][CP], pointwise [I][CP], convolution
                      [KH][KW][I][CP], depthwise [9][CP]; then the bias [CP] */
    float *ring;   /* ring_rows rows of w + 2 pixels (the first and last zero) */
    float *tail;   /* the last stage when C < CP: one row, then copied out */
    size_t packed_floats;
    int other;             /* ADD: the tensor added */
    const float *residual; /* ADD: that tensor's image */
    int ring_rows, made;
    float *out; /* the last stage: its tensor's image */
} stage;

typedef struct chain {
    stage s[MOST_STAGES];
    int count, ops;
    const float *in;   /* the first stage's input image: NCHW picture or NHWC */
    float *zero;       /* a zero row as wide as any ring row */
} chain;

/* ------------------------------------------------------------------ kernels */

/* Output pixel OX of a picture convolution's row OY, outputs [v, v + 16),
 * checking every tap. */
static inline __attribute__((always_inline)) void picture_edge_pixel(const stage *k,
                                                                     const float *x, float *y,
                                                                     int oy, int ox, int v)
{
    v16 acc, wt;
    LOAD(acc, k->packed + (size_t)(k->kh * k->kw * k->in_c) * (size_t)k->cp + (size_t)v);
    for (int ky = 0; ky < k->kh; ky++) {
        const int iy = oy * k->sy - k->pad_top + ky;
        if (iy < 0 || iy >= k->in_h)
            continue;
        for (int kx = 0; kx < k->kw; kx++) {
            const int ix = ox * k->sx - k->pad_left + kx;
            if (ix < 0 || ix >= k->in_w)
                continue;
            for (int c = 0; c < k->in_c; c++) {
                LOAD(wt, k->packed + ((size_t)(ky * k->kw + kx) * (size_t)k->in_c + (size_t)c) * (size_t)k->cp + (size_t)v);
                acc += x[((size_t)c * (size_t)k->in_h + (size_t)iy) * (size_t)k->in_w + (size_t)ix] * wt;
            }
        }
    }
    clamp_store(y + (size_t)ox * (size_t)k->cp + (size_t)v, &acc, k->lo, k->hi);
}

/* Eight pixels whose windows lie inside the picture's columns, from input
 * column IX; window rows [KY0, KY1) inside its rows. Inlined with the window,
 * channels and stride as constants where they are the common ones. */
static inline __attribute__((always_inline)) void picture_block(const stage *k, const float *x,
                                                                v16 *acc, int iy, int ix, int ky0,
                                                                int ky1, int v, int KW, int C, int S)
{
    v16 wt;
    for (int ky = ky0; ky < ky1; ky++)
#pragma GCC unroll 3
        for (int kx = 0; kx < KW; kx++)
#pragma GCC unroll 3
            for (int c = 0; c < C; c++) {
                LOAD(wt, k->packed + ((size_t)(ky * KW + kx) * (size_t)C + (size_t)c) * (size_t)k->cp + (size_t)v);
                const float *xp = x + ((size_t)c * (size_t)k->in_h + (size_t)(iy + ky)) * (size_t)k->in_w +
                                  (size_t)(ix + kx);
#pragma GCC unroll 8
                for (int j = 0; j < PICTURE_BLOCK; j++)
                    acc[j] += xp[j * S] * wt;
            }
}

/* Row OY of a convolution of the NCHW picture X into Y (that row's pixels),
 * eight pixels at a time sharing each tap's weight vector. */
FMA_CLONES
static void picture_row(const stage *k, const float *x, float *y, int oy)
{
    const int S = k->sx, iy = oy * k->sy - k->pad_top;
    const int ky0 = iy < 0 ? -iy : 0, ky1 = iy + k->kh > k->in_h ? k->in_h - iy : k->kh;
    /* the columns whose windows lie inside: [inner, inner_end) */
    const int inner = (k->pad_left + S - 1) / S;
    int inner_end = k->in_w - k->kw + k->pad_left >= 0 ? (k->in_w - k->kw + k->pad_left) / S + 1 : 0;
    inner_end = inner_end > k->w ? k->w : inner_end;
    const int common = k->kw == 3 && k->in_c == 3 && S == 2;
    for (int v = 0; v < k->cp; v += LANES) {
        v16 bias;
        LOAD(bias, k->packed + (size_t)(k->kh * k->kw * k->in_c) * (size_t)k->cp + (size_t)v);
        int ox = 0;
        for (; ox < inner && ox < k->w; ox++)
            picture_edge_pixel(k, x, y, oy, ox, v);
        for (; ox + PICTURE_BLOCK <= inner_end; ox += PICTURE_BLOCK) {
            v16 acc[PICTURE_BLOCK];
#pragma GCC unroll 8
            for (int j = 0; j < PICTURE_BLOCK; j++)
                acc[j] = bias;
            if (common)
                picture_block(k, x, acc, iy, ox * S - k->pad_left, ky0, ky1, v, 3, 3, 2);
            else
                picture_block(k, x, acc, iy, ox * S - k->pad_left, ky0, ky1, v, k->kw, k->in_c, S);
            float *q = y + (size_t)ox * (size_t)k->cp + (size_t)v;
#pragma GCC unroll 8
            for (int j = 0; j < PICTURE_BLOCK; j++)
                clamp_store(q + (size_t)j * (size_t)k->cp, &acc[j], k->lo, k->hi);
        }
        for (; ox < k->w; ox++)
            picture_edge_pixel(k, x, y, oy, ox, v);
    }
}

/* P pixels of a 1x1 convolution with NV vectors of outputs: the bias, then
 * one multiply-add per input channel in order (XNNPACK's GEMM order). */
static inline __attribute__((always_inline)) void pointwise_block(const stage *k, const float *x,
                                                                  float *y, int NV, int P)
{
    const size_t cin = (size_t)k->in_c, cout = (size_t)k->cp, stride = (size_t)k->in_stride;
    v16 acc[8][6], wv[6];
#pragma GCC unroll 8
    for (int j = 0; j < P; j++)
#pragma GCC unroll 6
        for (int v = 0; v < NV; v++)
            LOAD(acc[j][v], k->packed + cin * cout + (size_t)(v * LANES));
    for (size_t ci = 0; ci < cin; ci++) {
#pragma GCC unroll 6
        for (int v = 0; v < NV; v++)
            LOAD(wv[v], k->packed + ci * cout + (size_t)(v * LANES));
#pragma GCC unroll 8
        for (int j = 0; j < P; j++) {
            const float xv = x[(size_t)j * stride + ci];
#pragma GCC unroll 6
            for (int v = 0; v < NV; v++)
                acc[j][v] += xv * wv[v];
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < P; j++)
#pragma GCC unroll 6
        for (int v = 0; v < NV; v++)
            clamp_store(y + (size_t)j * cout + (size_t)(v * LANES), &acc[j][v], k->lo, k->hi);
}

/* Pixels [P, W) of a 1x1 convolution's row, NV vectors of outputs, BLOCK
 * pixels at a time (as many accumulators as the registers hold), then one. */
#define POINTWISE_PIXELS(k, x, y, p, NV, BLOCK)                                                 \
    do {                                                                                        \
        for (; (p) + (BLOCK) <= (k)->w; (p) += (BLOCK))                                         \
            pointwise_block(k, (x) + (size_t)(p) * (size_t)(k)->in_stride,                      \
                            (y) + (size_t)(p) * (size_t)(k)->cp, NV, BLOCK);                    \
        for (; (p) < (k)->w; (p)++)                                                             \
            pointwise_block(k, (x) + (size_t)(p) * (size_t)(k)->in_stride,                      \
                            (y) + (size_t)(p) * (size_t)(k)->cp, NV, 1);                        \
    } while (0)

/* One row of a 1x1 convolution: X's pixels (in_stride apart) into Y's (cp
 * apart). */
FMA_CLONES
static void pointwise_row(const stage *k, const float *x, float *y)
{
    int p = 0;
    switch (k->cp / LANES) {
    case 1: POINTWISE_PIXELS(k, x, y, p, 1, 8); break;
    case 2: POINTWISE_PIXELS(k, x, y, p, 2, 8); break;
    case 3: POINTWISE_PIXELS(k, x, y, p, 3, 6); break;
    case 4: POINTWISE_PIXELS(k, x, y, p, 4, 5); break;
    case 5: POINTWISE_PIXELS(k, x, y, p, 5, 4); break;
    default: POINTWISE_PIXELS(k, x, y, p, 6, 4); break;
    }
}

/* P output pixels of a KxK convolution with NV vectors of outputs, the
 * first pixel's window from input column IX of ROWS (KH of them, pixel 0 at
 * each pointer, a zero pixel either side): the bias, then tap by tap of the
 * window (row by row), input channel by channel in each (XNNPACK's
 * indirect GEMM order). */
static inline __attribute__((always_inline)) void convolution_block(const stage *k,
                                                                    const float *const *rows,
                                                                    int ix, float *y, int NV, int P)
{
    const size_t cin = (size_t)k->in_c, cout = (size_t)k->cp, stride = (size_t)k->in_stride;
    const float *bias = k->packed + (size_t)(k->kh * k->kw) * cin * cout;
    v16 acc[8][6], wv[6];
#pragma GCC unroll 8
    for (int j = 0; j < P; j++)
#pragma GCC unroll 6
        for (int v = 0; v < NV; v++)
            LOAD(acc[j][v], bias + (size_t)(v * LANES));
    for (int ky = 0; ky < k->kh; ky++)
        for (int kx = 0; kx < k->kw; kx++) {
            const float *x = rows[ky] + (ptrdiff_t)(ix + kx) * (ptrdiff_t)stride;
            const float *w = k->packed + (size_t)(ky * k->kw + kx) * cin * cout;
            for (size_t ci = 0; ci < cin; ci++) {
#pragma GCC unroll 6
                for (int v = 0; v < NV; v++)
                    LOAD(wv[v], w + ci * cout + (size_t)(v * LANES));
#pragma GCC unroll 8
                for (int j = 0; j < P; j++) {
                    const float xv = x[(size_t)(j * k->sx) * stride + ci];
#pragma GCC unroll 6
                    for (int v = 0; v < NV; v++)
                        acc[j][v] += xv * wv[v];
                }
            }
        }
#pragma GCC unroll 8
    for (int j = 0; j < P; j++)
#pragma GCC unroll 6
        for (int v = 0; v < NV; v++)
            clamp_store(y + (size_t)j * cout + (size_t)(v * LANES), &acc[j][v], k->lo, k->hi);
}

#define CONVOLUTION_PIXELS(k, rows, y, p, NV, BLOCK)                                            \
    do {                                                                                        \
        for (; (p) + (BLOCK) <= (k)->w; (p) += (BLOCK))                                         \
            convolution_block(k, rows, (p) * (k)->sx - (k)->pad_left,                           \
                              (y) + (size_t)(p) * (size_t)(k)->cp, NV, BLOCK);                  \
        for (; (p) < (k)->w; (p)++)                                                             \
            convolution_block(k, rows, (p) * (k)->sx - (k)->pad_left,                           \
                              (y) + (size_t)(p) * (size_t)(k)->cp, NV, 1);                      \
    } while (0)

/* One row of a KxK convolution from its input rows ROWS into Y. */
FMA_CLONES
static void convolution_row(const stage *k, const float *const *rows, float *y)
{
    int p = 0;
    switch (k->cp / LANES) {
    case 1: CONVOLUTION_PIXELS(k, rows, y, p, 1, 8); break;
    case 2: CONVOLUTION_PIXELS(k, rows, y, p, 2, 8); break;
    case 3: CONVOLUTION_PIXELS(k, rows, y, p, 3, 6); break;
    case 4: CONVOLUTION_PIXELS(k, rows, y, p, 4, 5); break;
    case 5: CONVOLUTION_PIXELS(k, rows, y, p, 5, 4); break;
    default: CONVOLUTION_PIXELS(k, rows, y, p, 6, 4); break;
    }
}

/* One row of an activation (C channels a pixel) into a ring row (CP). */
static void copy_row(const stage *k, const float *x, float *y)
{
    if (k->c == k->cp) {
        memcpy(y, x, sizeof *y * (size_t)k->w * (size_t)k->c);
        return;
    }
    for (int p = 0; p < k->w; p++)
        memcpy(y + (size_t)p * (size_t)k->cp, x + (size_t)p * (size_t)k->c, sizeof *y * (size_t)k->c);
}

/* One row of X (CP a pixel) plus row R of the residual (C a pixel), clamped. */
FMA_CLONES
static void add_row(const stage *k, const float *x, const float *residual, float *y)
{
    const size_t cp = (size_t)k->cp, c = (size_t)k->c;
    for (size_t p = 0; p < (size_t)k->w; p++)
        for (size_t ch = 0; ch < c; ch++) {
            float v = x[p * cp + ch] + residual[p * c + ch];
            v = v > k->lo ? v : k->lo;
            y[p * cp + ch] = v < k->hi ? v : k->hi;
        }
}

/* One row clamped, every vector of it. */
FMA_CLONES
static void clamp_row(const stage *k, const float *x, float *y)
{
    for (size_t i = 0; i < (size_t)k->w * (size_t)k->cp; i += LANES) {
        v16 v;
        LOAD(v, x + i);
        clamp_store(y + i, &v, k->lo, k->hi);
    }
}

/* ACC plus one 3x3 window whose top-left input vector is at column offset
 * AT of rows R0, R1, R2 (pixels C apart); XNNPACK's order: column by column,
 * top to bottom in each. */
#define DW_COLUMN(acc, r0, r1, r2, at, w, kx)                                                    \
    do {                                                                                        \
        v16 in_;                                                                                \
        LOAD(in_, (r0) + (at));                                                                 \
        (acc) += in_ * (w)[kx];                                                                 \
        LOAD(in_, (r1) + (at));                                                                 \
        (acc) += in_ * (w)[3 + (kx)];                                                           \
        LOAD(in_, (r2) + (at));                                                                 \
        (acc) += in_ * (w)[6 + (kx)];                                                           \
    } while (0)
#define DW_WINDOW(acc, r0, r1, r2, at, C, w)                                                    \
    do {                                                                                        \
        DW_COLUMN(acc, r0, r1, r2, (at), w, 0);                                                 \
        DW_COLUMN(acc, r0, r1, r2, (at) + (size_t)(C), w, 1);                                   \
        DW_COLUMN(acc, r0, r1, r2, (at) + 2 * (size_t)(C), w, 2);                               \
    } while (0)

/* One row of a 3x3 depthwise convolution from input rows R0, R1, R2 (pixel 0
 * at the pointer, a zero pixel either side) into Y; four pixels at a time at
 * stride 1, their windows sharing loads. */
FMA_CLONES
static void depthwise_row(const stage *k, const float *r0, const float *r1, const float *r2,
                          float *y)
{
    const int C = k->cp, S = k->sx;
    for (int c0 = 0; c0 < C; c0 += LANES) {
        v16 w[9], bias;
        for (int i = 0; i < 9; i++)
            LOAD(w[i], k->packed + i * C + c0);
        LOAD(bias, k->packed + 9 * C + c0);
        const float *a = r0 + c0 - C, *b = r1 + c0 - C, *d = r2 + c0 - C; /* pixel -1 */
        int ox = 0;
        if (S == 1)
            for (; ox + 4 <= k->w; ox += 4) {
                v16 a0 = bias, a1 = bias, a2 = bias, a3 = bias;
                const size_t at = (size_t)ox * (size_t)C;
                DW_WINDOW(a0, a, b, d, at, C, w);
                DW_WINDOW(a1, a, b, d, at + (size_t)C, C, w);
                DW_WINDOW(a2, a, b, d, at + 2 * (size_t)C, C, w);
                DW_WINDOW(a3, a, b, d, at + 3 * (size_t)C, C, w);
                float *q = y + at + (size_t)c0;
                clamp_store(q, &a0, k->lo, k->hi);
                clamp_store(q + C, &a1, k->lo, k->hi);
                clamp_store(q + 2 * C, &a2, k->lo, k->hi);
                clamp_store(q + 3 * C, &a3, k->lo, k->hi);
            }
        for (; ox < k->w; ox++) {
            v16 acc = bias;
            DW_WINDOW(acc, a, b, d, (size_t)(ox * S) * (size_t)C, C, w);
            clamp_store(y + (size_t)ox * (size_t)C + (size_t)c0, &acc, k->lo, k->hi);
        }
    }
}

/* One row of max pooling without padding from the KH input rows ROWS. */
FMA_CLONES
static void max_pool_row(const stage *k, const float *const *rows, float *y)
{
    const int C = k->cp;
    for (int ox = 0; ox < k->w; ox++)
        for (int c0 = 0; c0 < C; c0 += LANES) {
            v16 m, v;
            LOAD(m, rows[0] + (size_t)(ox * k->sx) * (size_t)C + (size_t)c0);
            for (int ky = 0; ky < k->kh; ky++)
                for (int kx = 0; kx < k->kw; kx++) {
                    LOAD(v, rows[ky] + (size_t)(ox * k->sx + kx) * (size_t)C + (size_t)c0);
                    for (int j = 0; j < LANES; j++)
                        m[j] = m[j] > v[j] ? m[j] : v[j];
                }
            clamp_store(y + (size_t)ox * (size_t)C + (size_t)c0, &m, k->lo, k->hi);
        }
}

/* -------------------------------------------------------------- the chain */

static void make_until(chain *ch, int i, int r);

/* Pixels [0, N) of NV vectors copied whole, in order: each copy's floats
 * beyond C land on the next pixel, which the next copy writes. */
#define COPY_WHOLE(to, from, n, c, NV)                                                          \
    for (int x_ = 0; x_ < (n); x_++)                                                            \
        memcpy((to) + (size_t)x_ * (size_t)(c), (from) + (size_t)x_ * (size_t)(NV) * LANES,     \
               sizeof(v16) * (NV))

/* W pixels of C channels from rows of CP into TO (W * C floats, nothing
 * written beyond). */
static void copy_out(float *to, const float *from, int w, int c, int cp)
{
    /* whole copies while they end inside the row and a pixel follows */
    int whole = w * c >= cp ? (w * c - cp) / c + 1 : 0;
    whole = whole > w - 1 ? w - 1 : whole;
    switch (cp / LANES) {
    case 1: COPY_WHOLE(to, from, whole, c, 1); break;
    case 2: COPY_WHOLE(to, from, whole, c, 2); break;
    case 3: COPY_WHOLE(to, from, whole, c, 3); break;
    case 4: COPY_WHOLE(to, from, whole, c, 4); break;
    case 5: COPY_WHOLE(to, from, whole, c, 5); break;
    default: COPY_WHOLE(to, from, whole, c, 6); break;
    }
    for (int x = whole; x < w; x++)
        memcpy(to + (size_t)x * (size_t)c, from + (size_t)x * (size_t)cp, sizeof *to * (size_t)c);
}

/* Row R of stage I's output as stage I + 1 reads it: pixel 0 at the
 * pointer, a zero pixel either side; the zero row outside the picture. */
static const float *row_of(chain *ch, int i, int r)
{
    stage *s = &ch->s[i];
    if (r < 0 || r >= s->h)
        return ch->zero + s->cp;
    make_until(ch, i, r);
    return s->ring + (size_t)(r % s->ring_rows) * (size_t)(s->w + 2) * (size_t)s->cp + (size_t)s->cp;
}

static void make_row(chain *ch, int i, int r)
{
    stage *s = &ch->s[i];
    const int last = i == ch->count - 1;
    float *y = last ? (s->tail ? s->tail : s->out + (size_t)r * (size_t)s->w * (size_t)s->c)
                    : s->ring + (size_t)(r % s->ring_rows) * (size_t)(s->w + 2) * (size_t)s->cp +
                          (size_t)s->cp;
    switch (s->kind) {
    case PICTURE: picture_row(s, ch->in, y, r); break;
    case COPY: copy_row(s, ch->in + (size_t)r * (size_t)s->in_w * (size_t)s->in_c, y); break;
    case ADD:
        add_row(s, row_of(ch, i - 1, r), s->residual + (size_t)r * (size_t)s->w * (size_t)s->c, y);
        break;
    case CLAMP: clamp_row(s, row_of(ch, i - 1, r), y); break;
    case POINTWISE:
        pointwise_row(s, i == 0 ? ch->in + (size_t)r * (size_t)s->in_w * (size_t)s->in_stride : row_of(ch, i - 1, r), y);
        break;
    case CONVOLUTION: {
        const float *rows[CONVOLUTION_MOST_WINDOW];
        for (int ky = 0; ky < s->kh; ky++)
            rows[ky] = row_of(ch, i - 1, r * s->sy - s->pad_top + ky);
        convolution_row(s, rows, y);
        break;
    }
    case DEPTHWISE: {
        const int top = r * s->sy - s->pad_top;
        const float *r0 = row_of(ch, i - 1, top), *r1 = row_of(ch, i - 1, top + 1);
        const float *r2 = row_of(ch, i - 1, top + 2);
        depthwise_row(s, r0, r1, r2, y);
        break;
    }
    case MAX_POOL: {
        const float *rows[POOL_MOST_WINDOW];
        for (int ky = 0; ky < s->kh; ky++)
            rows[ky] = row_of(ch, i - 1, r * s->sy + ky);
        max_pool_row(s, rows, y);
        break;
    }
    }
    if (last && s->tail)
        copy_out(s->out + (size_t)r * (size_t)s->w * (size_t)s->c, s->tail, s->w, s->c, s->cp);
}

static void make_until(chain *ch, int i, int r)
{
    while (ch->s[i].made <= r)
        make_row(ch, i, ch->s[i].made++);
}

/* ---------------------------------------------------------------- accepting */

static const int nchw_to_nhwc[4] = {0, 2, 3, 1};

static int64_t same_pad_before(int64_t in, int64_t out, int64_t window, int stride)
{
    const int64_t total = (out - 1) * stride + window - in;
    return total > 0 ? total / 2 : 0;
}

static const ft_nn_tensor *input_at(const ft_nn_graph *g, const ft_nn_op *op, int i)
{
    return i < op->input_count && op->inputs[i] >= 0 ? &g->tensors[op->inputs[i]] : NULL;
}

/* Tensor T is read by op READER alone and is no graph output. */
static int read_only_by(const ft_nn_graph *g, int t, int reader)
{
    for (int k = 0; k < g->output_count; k++)
        if (g->outputs[k] == t)
            return 0;
    for (int k = 0; k < g->op_count; k++)
        for (int j = 0; k != reader && j < g->ops[k].input_count; j++)
            if (g->ops[k].inputs[j] == t)
                return 0;
    return 1;
}

static int few_channels(int64_t c)
{
    return c >= 1 && c <= MOST_CHANNELS;
}

/* What every op of a chain shares: float32 NHWC in and out of one batch, a
 * clamp for an activation, constant weights and bias. Fills S's sizes. */
static int plain_op(const ft_nn_graph *g, const ft_nn_op *op, stage *s)
{
    const ft_nn_tensor *x = input_at(g, op, 0), *w = input_at(g, op, 1), *b = input_at(g, op, 2);
    if (!x || op->output_count != 1 || op->attrs.layout != FT_LAYOUT_NHWC ||
        !ft_activation_clamp(op->attrs.activation, &s->lo, &s->hi))
        return 0;
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    if (x->dtype != FT_DTYPE_F32 || y->dtype != FT_DTYPE_F32 || x->data || x->rank != 4 ||
        y->rank != 4 || y->shape[0] != x->shape[0] || y->shape[1] < 1 || y->shape[2] < 1)
        return 0;
    if ((w && (!w->data || w->dtype != FT_DTYPE_F32 || w->rank != 4)) ||
        (b && (!b->data || b->dtype != FT_DTYPE_F32 || ft_nn_tensor_elements(b) != y->shape[3])))
        return 0;
    s->in_h = (int)x->shape[1], s->in_w = (int)x->shape[2], s->in_c = (int)x->shape[3];
    s->h = (int)y->shape[1], s->w = (int)y->shape[2], s->c = (int)y->shape[3];
    s->cp = (s->c + LANES - 1) / LANES * LANES;
    s->in_stride = s->in_c;
    s->weights = w ? w->data : NULL;
    s->bias = b ? b->data : NULL;
    s->kh = s->kw = s->sy = s->sx = 1;
    s->pad_top = s->pad_left = 0;
    return 1;
}

static int pointwise_stage(const ft_nn_graph *g, const ft_nn_op *op, stage *s)
{
    const ft_op_attrs *a = &op->attrs;
    if (op->type != FT_OP_CONV2D || !plain_op(g, op, s) || !s->weights)
        return 0;
    const ft_nn_tensor *w = input_at(g, op, 1);
    s->kind = POINTWISE;
    return w->shape[0] == s->c && w->shape[1] == 1 && w->shape[2] == 1 && w->shape[3] == s->in_c &&
           few_channels(s->in_c) && few_channels(s->c) && a->stride[0] == 1 &&
           a->stride[1] == 1 && (a->same_padding || (!a->pads[0] && !a->pads[1] && !a->pads[2] &&
                                                     !a->pads[3])) &&
           s->h == s->in_h && s->w == s->in_w;
}

static int convolution_stage(const ft_nn_graph *g, const ft_nn_op *op, stage *s)
{
    const ft_op_attrs *a = &op->attrs;
    if (op->type != FT_OP_CONV2D || !plain_op(g, op, s) || !s->weights)
        return 0;
    const ft_nn_tensor *w = input_at(g, op, 1);
    s->kind = CONVOLUTION;
    s->kh = (int)w->shape[1];
    s->kw = (int)w->shape[2];
    s->sy = a->stride[0];
    s->sx = a->stride[1];
    s->pad_top = a->same_padding ? (int)same_pad_before(s->in_h, s->h, s->kh, s->sy) : a->pads[0];
    s->pad_left = a->same_padding ? (int)same_pad_before(s->in_w, s->w, s->kw, s->sx) : a->pads[1];
    /* at most one pixel of padding either side: the ring's zero pixels */
    return w->shape[0] == s->c && w->shape[3] == s->in_c && s->kh >= 1 &&
           s->kh <= CONVOLUTION_MOST_WINDOW && s->kw >= 1 && s->kw <= CONVOLUTION_MOST_WINDOW &&
           (s->kh > 1 || s->kw > 1) && few_channels(s->in_c) && few_channels(s->c) &&
           (s->sy == 1 || s->sy == 2) && (s->sx == 1 || s->sx == 2) && a->dilation[0] == 1 &&
           a->dilation[1] == 1 && (s->pad_top == 0 || s->pad_top == 1) &&
           (s->pad_left == 0 || s->pad_left == 1) &&
           (s->h - 1) * s->sy - s->pad_top + s->kh <= s->in_h + 1 &&
           (s->w - 1) * s->sx - s->pad_left + s->kw <= s->in_w + 1;
}

/* Op OP adds what the chain's stage before makes (PREV) and a tensor made
 * before the chain's first op FIRST (or a graph input), of one shape. */
static int add_stage(const ft_nn_graph *g, const ft_nn_op *op, int prev, int first, stage *s)
{
    if (op->type != FT_OP_ADD || op->input_count != 2 || op->output_count != 1 ||
        !ft_activation_clamp(op->attrs.activation, &s->lo, &s->hi))
        return 0;
    const int j = op->inputs[0] == prev ? 1 : op->inputs[1] == prev ? 0 : -1;
    if (j < 0 || op->inputs[j] < 0 || op->inputs[j] == prev)
        return 0;
    const ft_nn_tensor *o = &g->tensors[op->inputs[j]], *x = &g->tensors[prev];
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    if (o->data || o->dtype != FT_DTYPE_F32 || x->dtype != FT_DTYPE_F32 ||
        y->dtype != FT_DTYPE_F32 || o->rank != 4 || x->rank != 4 || y->rank != 4 ||
        memcmp(o->shape, x->shape, sizeof(int64_t) * 4) != 0 ||
        memcmp(o->shape, y->shape, sizeof(int64_t) * 4) != 0)
        return 0;
    int made_before = 0;
    for (int k = 0; k < g->input_count; k++)
        made_before |= g->inputs[k] == op->inputs[j];
    for (int i = 0; i < first && !made_before; i++)
        for (int k = 0; k < g->ops[i].output_count; k++)
            made_before |= g->ops[i].outputs[k] == op->inputs[j];
    s->kind = ADD;
    s->other = op->inputs[j];
    s->in_h = s->h = (int)y->shape[1];
    s->in_w = s->w = (int)y->shape[2];
    s->in_c = s->c = (int)y->shape[3];
    s->cp = (s->c + LANES - 1) / LANES * LANES;
    s->kh = s->kw = s->sy = s->sx = 1;
    s->weights = s->bias = NULL;
    return made_before && few_channels(s->c);
}

/* An element-wise clamp: its layout does not matter, its shapes do. */
static int clamp_stage(const ft_nn_graph *g, const ft_nn_op *op, stage *s)
{
    if (op->input_count != 1 || op->output_count != 1 || op->inputs[0] < 0 ||
        op->attrs.activation != FT_ACT_NONE)
        return 0;
    switch (op->type) {
    case FT_OP_RELU: s->lo = 0.0f, s->hi = INFINITY; break;
    case FT_OP_RELU6: s->lo = 0.0f, s->hi = 6.0f; break;
    case FT_OP_CLIP: s->lo = op->attrs.min, s->hi = op->attrs.max; break;
    default: return 0;
    }
    const ft_nn_tensor *x = &g->tensors[op->inputs[0]], *y = &g->tensors[op->outputs[0]];
    if (x->data || x->dtype != FT_DTYPE_F32 || y->dtype != FT_DTYPE_F32 || x->rank != 4 ||
        y->rank != 4 || memcmp(x->shape, y->shape, sizeof(int64_t) * 4) != 0)
        return 0;
    s->kind = CLAMP;
    s->in_h = s->h = (int)y->shape[1];
    s->in_w = s->w = (int)y->shape[2];
    s->in_c = s->c = (int)y->shape[3];
    s->cp = (s->c + LANES - 1) / LANES * LANES;
    s->kh = s->kw = s->sy = s->sx = 1;
    s->weights = s->bias = NULL;
    return few_channels(s->c);
}

static int depthwise_stage(const ft_nn_graph *g, const ft_nn_op *op, stage *s)
{
    const ft_op_attrs *a = &op->attrs;
    if (op->type != FT_OP_DEPTHWISE_CONV2D || !plain_op(g, op, s) || !s->weights)
        return 0;
    const ft_nn_tensor *w = input_at(g, op, 1);
    s->kind = DEPTHWISE;
    s->kh = s->kw = 3;
    s->sy = a->stride[0];
    s->sx = a->stride[1];
    s->pad_top = a->same_padding ? (int)same_pad_before(s->in_h, s->h, 3, s->sy) : a->pads[0];
    s->pad_left = a->same_padding ? (int)same_pad_before(s->in_w, s->w, 3, s->sx) : a->pads[1];
    /* one pixel of padding before; after, at most one (the ring's zero
     * pixel, the zero row) */
    return w->shape[0] == 1 && w->shape[1] == 3 && w->shape[2] == 3 && w->shape[3] == s->c &&
           s->c == s->in_c && few_channels(s->c) && s->sy == s->sx && (s->sy == 1 || s->sy == 2) &&
           a->dilation[0] == 1 && a->dilation[1] == 1 && s->pad_top == 1 && s->pad_left == 1 &&
           (s->h - 1) * s->sy + 1 <= s->in_h && (s->w - 1) * s->sx + 1 <= s->in_w;
}

static int max_pool_stage(const ft_nn_graph *g, const ft_nn_op *op, stage *s)
{
    const ft_op_attrs *a = &op->attrs;
    if (op->type != FT_OP_MAX_POOL2D || !plain_op(g, op, s) || s->weights)
        return 0;
    s->kind = MAX_POOL;
    s->kh = a->kernel[0];
    s->kw = a->kernel[1];
    s->sy = a->stride[0];
    s->sx = a->stride[1];
    const int pt = a->same_padding ? (int)same_pad_before(s->in_h, s->h, s->kh, s->sy) : a->pads[0];
    const int pl = a->same_padding ? (int)same_pad_before(s->in_w, s->w, s->kw, s->sx) : a->pads[1];
    return s->kh >= 1 && s->kh <= POOL_MOST_WINDOW && s->kw >= 1 && s->kw <= POOL_MOST_WINDOW &&
           s->sy >= 1 && s->sx >= 1 && !pt && !pl && s->c == s->in_c && few_channels(s->c) &&
           (s->h - 1) * s->sy + s->kh <= s->in_h && (s->w - 1) * s->sx + s->kw <= s->in_w;
}

/* Ops I (the transpose) and I + 1 (the convolution). */
static int picture_stage(const ft_nn_graph *g, int i, stage *s)
{
    if (i + 1 >= g->op_count)
        return 0;
    const ft_nn_op *t = &g->ops[i], *op = &g->ops[i + 1];
    const ft_op_attrs *a = &op->attrs;
    if (t->type != FT_OP_TRANSPOSE || t->input_count != 1 || t->output_count != 1 ||
        op->type != FT_OP_CONV2D || op->inputs[0] != t->outputs[0] ||
        memcmp(t->attrs.perm, nchw_to_nhwc, sizeof nchw_to_nhwc) != 0 ||
        !read_only_by(g, t->outputs[0], i + 1) || !plain_op(g, op, s) || !s->weights)
        return 0;
    const ft_nn_tensor *x = &g->tensors[t->inputs[0]], *w = input_at(g, op, 1);
    if (x->rank != 4 || x->dtype != FT_DTYPE_F32 || x->data || x->shape[1] != s->in_c ||
        x->shape[2] != s->in_h || x->shape[3] != s->in_w)
        return 0;
    s->kind = PICTURE;
    s->kh = (int)w->shape[1];
    s->kw = (int)w->shape[2];
    s->sy = a->stride[0];
    s->sx = a->stride[1];
    s->pad_top = a->same_padding ? (int)same_pad_before(s->in_h, s->h, s->kh, s->sy) : a->pads[0];
    s->pad_left = a->same_padding ? (int)same_pad_before(s->in_w, s->w, s->kw, s->sx) : a->pads[1];
    return s->in_c >= 1 && s->in_c <= PICTURE_MOST_CHANNELS && w->shape[0] == s->c &&
           w->shape[3] == s->in_c && s->kh >= 1 && s->kh <= PICTURE_MOST_WINDOW && s->kw >= 1 &&
           s->kw <= PICTURE_MOST_WINDOW && few_channels(s->c) &&
           ft_nn_tensor_elements(w) <= PICTURE_MOST_WEIGHTS && a->dilation[0] == 1 &&
           a->dilation[1] == 1 && s->sy >= 1 && s->sx >= 1 && s->pad_top >= 0 && s->pad_left >= 0;
}

static int64_t batch_of(const ft_nn_graph *g, const ft_nn_op *op)
{
    return g->tensors[op->outputs[0]].shape[0];
}

/* The chain from op FIRST into CH (its stages' sizes); 0 when none. */
static int find_chain(const ft_nn_graph *g, int first, chain *ch)
{
    memset(ch, 0, sizeof *ch);
    int next = first;
    if (picture_stage(g, first, &ch->s[0])) {
        ch->count = 1;
        next = first + 2;
    } else if (first < g->op_count && pointwise_stage(g, &g->ops[first], &ch->s[0])) {
        ch->count = 1;
        next = first + 1;
    } else if (first < g->op_count && (convolution_stage(g, &g->ops[first], &ch->s[1]) ||
                                       depthwise_stage(g, &g->ops[first], &ch->s[1]))) {
        /* a window needs the rows padded: copied into a ring first */
        stage *c = &ch->s[0];
        const stage *w = &ch->s[1];
        *c = (stage){.kind = COPY, .in_h = w->in_h, .in_w = w->in_w, .in_c = w->in_c,
                     .h = w->in_h, .w = w->in_w, .c = w->in_c,
                     .cp = (w->in_c + LANES - 1) / LANES * LANES, .in_stride = w->in_c,
                     .kh = 1, .kw = 1, .sy = 1, .sx = 1, .lo = -INFINITY, .hi = INFINITY};
        ch->s[1].in_stride = c->cp;
        ch->count = 2;
        next = first + 1;
    } else {
        return 0;
    }
    if (ch->s[0].in_h * ch->s[0].in_w < LEAST_PIXELS)
        return 0;
    while (next < g->op_count && ch->count < MOST_STAGES) {
        const ft_nn_op *prev = &g->ops[next - 1], *op = &g->ops[next];
        stage *s = &ch->s[ch->count];
        if ((op->inputs[0] != prev->outputs[0] &&
             !(op->type == FT_OP_ADD && op->input_count == 2 && op->inputs[1] == prev->outputs[0])) ||
            batch_of(g, op) != batch_of(g, prev) ||
            !read_only_by(g, prev->outputs[0], next) ||
            !(pointwise_stage(g, op, s) || convolution_stage(g, op, s) ||
              depthwise_stage(g, op, s) || max_pool_stage(g, op, s) ||
              add_stage(g, op, prev->outputs[0], first, s) || clamp_stage(g, op, s)))
            break;
        s->in_stride = ch->s[ch->count - 1].cp;
        ch->count++;
        next++;
    }
    ch->ops = next - first;
    /* XNNPACK's values hold the whole batch */
    size_t largest = 0;
    for (int i = 0; i < ch->count; i++) {
        const size_t bytes = sizeof(float) * (size_t)batch_of(g, &g->ops[first]) *
                             (size_t)ch->s[i].h * (size_t)ch->s[i].w * (size_t)ch->s[i].c;
        largest = bytes > largest ? bytes : largest;
    }
    if (ch->s[0].kind != PICTURE && largest < LEAST_BYTES)
        return 0;
    return ch->ops >= 2 ? ch->ops : 0;
}

int ft_fast_rows_ops(const ft_nn_graph *g, int first)
{
    chain ch;
    return find_chain(g, first, &ch);
}

/* Floats of scratch from each stage's needs, 16-float (64-byte) aligned. */
static size_t round16(size_t n)
{
    return (n + 15) / 16 * 16;
}

static size_t lay_out(chain *ch, float *scratch)
{
    size_t at = 0, widest = 0;
    for (int i = 0; i < ch->count; i++) {
        stage *s = &ch->s[i];
        const size_t row = (size_t)(s->w + 2) * (size_t)s->cp;
        widest = row > widest ? row : widest;
        const size_t weights = s->kind == PICTURE || s->kind == CONVOLUTION
                                   ? (size_t)(s->kh * s->kw * s->in_c) * (size_t)s->cp
                               : s->kind == POINTWISE ? (size_t)s->in_c * (size_t)s->cp
                               : s->kind == DEPTHWISE ? 9 * (size_t)s->cp
                                                      : 0;
        if (weights) {
            s->packed = scratch ? scratch + at : NULL;
            s->packed_floats = weights + (size_t)s->cp;
            at += round16(s->packed_floats);
        }
        if (i + 1 < ch->count) {
            const stage *next = &ch->s[i + 1];
            s->ring_rows = next->kind == POINTWISE ? 1 : next->kh;
            s->ring = scratch ? scratch + at : NULL;
            at += round16((size_t)s->ring_rows * row);
        } else if (s->c != s->cp) {
            s->tail = scratch ? scratch + at : NULL;
            at += round16((size_t)s->w * (size_t)s->cp);
        }
    }
    ch->zero = scratch ? scratch + at : NULL;
    at += round16(widest);
    return at;
}

size_t ft_fast_rows_scratch(const ft_nn_graph *g, int first)
{
    chain ch;
    return find_chain(g, first, &ch) ? lay_out(&ch, NULL) * sizeof(float) : 0;
}

/* S's weights and bias as its kernel reads them, CP outputs wide (zero
 * beyond C: the scratch was cleared). */
static void pack(stage *s)
{
    const size_t cp = (size_t)s->cp, c = (size_t)s->c;
    size_t n = 0;
    switch (s->kind) {
    case PICTURE:     /* [O][KH][KW][C] -> [KH][KW][C][CP] */
    case CONVOLUTION:
        n = (size_t)(s->kh * s->kw * s->in_c);
        for (size_t o = 0; o < c; o++)
            for (size_t j = 0; j < n; j++)
                s->packed[j * cp + o] = s->weights[o * n + j];
        break;
    case POINTWISE: /* [O][I] -> [I][CP] */
        n = (size_t)s->in_c;
        for (size_t o = 0; o < c; o++)
            for (size_t j = 0; j < n; j++)
                s->packed[j * cp + o] = s->weights[o * n + j];
        break;
    case DEPTHWISE: /* [9][C] -> [9][CP] */
        n = 9;
        for (size_t j = 0; j < n; j++)
            memcpy(s->packed + j * cp, s->weights + j * c, sizeof *s->packed * c);
        break;
    case COPY:
    case MAX_POOL:
    case ADD:
    case CLAMP: return;
    }
    if (s->bias)
        memcpy(s->packed + n * cp, s->bias, sizeof *s->packed * c);
}

ft_status ft_fast_rows_run(const ft_nn_graph *g, int first, void *const *buffers, void *scratch)
{
    chain ch;
    if (!find_chain(g, first, &ch))
        return FT_ERR_UNSUPPORTED;
    float *mem = scratch;
    lay_out(&ch, mem);
    /* zero: the rings' pixels either side of a row, the zero row, the
     * weights of outputs beyond C (the rest is written before it is read) */
    size_t widest = 0;
    for (int i = 0; i < ch.count; i++) {
        stage *s = &ch.s[i];
        const size_t cp = (size_t)s->cp, row = (size_t)(s->w + 2) * cp;
        widest = row > widest ? row : widest;
        if (s->packed)
            memset(s->packed, 0, sizeof *mem * s->packed_floats);
        for (int r = 0; s->ring && r < s->ring_rows; r++) {
            memset(s->ring + (size_t)r * row, 0, sizeof *mem * cp);
            memset(s->ring + (size_t)r * row + row - cp, 0, sizeof *mem * cp);
        }
        pack(s);
    }
    memset(ch.zero, 0, sizeof *mem * widest);
    const ft_nn_op *op0 = &g->ops[first], *last = &g->ops[first + ch.ops - 1];
    const stage *s0 = &ch.s[0], *sl = &ch.s[ch.count - 1];
    const size_t in_image = (size_t)s0->in_h * (size_t)s0->in_w * (size_t)s0->in_c;
    const size_t out_image = (size_t)sl->h * (size_t)sl->w * (size_t)sl->c;
    for (int64_t n = 0; n < batch_of(g, last); n++) {
        ch.in = (const float *)buffers[op0->inputs[0]] + (size_t)n * in_image;
        ch.s[ch.count - 1].out = (float *)buffers[last->outputs[0]] + (size_t)n * out_image;
        for (int i = 0; i < ch.count; i++)
            if (ch.s[i].kind == ADD)
                ch.s[i].residual = (const float *)buffers[ch.s[i].other] +
                                   (size_t)n * (size_t)ch.s[i].h * (size_t)ch.s[i].w * (size_t)ch.s[i].c;
        for (int i = 0; i < ch.count; i++)
            ch.s[i].made = 0;
        make_until(&ch, ch.count - 1, sl->h - 1);
    }
    return FT_OK;
}
