#include <math.h>
#include <string.h>

#include "nn/ref_custom_ops.h"
#include "nn/ref_kernels.h"
#include "nn/ref_kernels_nchw.h"

/* ------------------------------------------------------------ shape help */

typedef struct dims {
    int rank;
    int64_t d[FT_NN_MAX_RANK];
} dims;

static dims dims_of(const ft_nn_tensor *t)
{
    dims s = {t->rank, {0}};
    for (int i = 0; i < t->rank; i++)
        s.d[i] = t->shape[i];
    return s;
}

static int64_t count(const dims *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

/* Row-major strides of S, with 0 on axes of size 1 when broadcasting to OUT. */
static void broadcast_strides(const dims *s, const dims *out, int64_t *strides)
{
    int64_t stride = 1;
    for (int i = out->rank - 1, j = s->rank - 1; i >= 0; i--, j--) {
        int64_t dim = j >= 0 ? s->d[j] : 1;
        strides[i] = dim == 1 ? 0 : stride;
        stride *= dim;
    }
}

/* Advances a coordinate counter over OUT; returns the axis that changed. */
static int next_index(int64_t *idx, const dims *out)
{
    for (int a = out->rank - 1; a >= 0; a--) {
        if (++idx[a] < out->d[a])
            return a;
        idx[a] = 0;
    }
    return -1;
}

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

/* TFLite SAME padding: the total is split with the extra pixel after. */
static int same_pad(int64_t in, int64_t out, int k, int stride, int dilation)
{
    int64_t total = (out - 1) * stride + (int64_t)(k - 1) * dilation + 1 - in;
    return total > 0 ? (int)(total / 2) : 0;
}

/* ------------------------------------------------------------ convolution */

static void conv2d_nhwc(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *w = c->in[1], *y = c->out[0];
    const float *X = c->in_data[0], *W = c->in_data[1];
    const float *B = c->op->input_count > 2 && c->in[2] ? c->in_data[2] : NULL;
    float *Y = c->out_data[0];
    const int64_t N = x->shape[0], H = x->shape[1], Wd = x->shape[2], C = x->shape[3];
    const int64_t O = w->shape[0], KH = w->shape[1], KW = w->shape[2], I = w->shape[3];
    const int64_t OH = y->shape[1], OW = y->shape[2];
    const int64_t groups = C / I, og = O / groups;
    const int pt = a->same_padding ? same_pad(H, OH, (int)KH, a->stride[0], a->dilation[0]) : a->pads[0];
    const int pl = a->same_padding ? same_pad(Wd, OW, (int)KW, a->stride[1], a->dilation[1]) : a->pads[1];
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++)
                for (int64_t o = 0; o < O; o++) {
                    const int64_t g = o / og;
                    float acc = B ? B[o] : 0.0f;
                    for (int64_t ky = 0; ky < KH; ky++) {
                        const int64_t iy = oy * a->stride[0] - pt + ky * a->dilation[0];
                        if (iy < 0 || iy >= H)
                            continue;
                        for (int64_t kx = 0; kx < KW; kx++) {
                            const int64_t ix = ox * a->stride[1] - pl + kx * a->dilation[1];
                            if (ix < 0 || ix >= Wd)
                                continue;
                            const float *xp = X + ((n * H + iy) * Wd + ix) * C + g * I;
                            const float *wp = W + ((o * KH + ky) * KW + kx) * I;
                            for (int64_t i = 0; i < I; i++)
                                acc += xp[i] * wp[i];
                        }
                    }
                    Y[((n * OH + oy) * OW + ox) * O + o] = activate(acc, a->activation);
                }
}

static void depthwise_nhwc(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *w = c->in[1], *y = c->out[0];
    const float *X = c->in_data[0], *W = c->in_data[1];
    const float *B = c->op->input_count > 2 && c->in[2] ? c->in_data[2] : NULL;
    float *Y = c->out_data[0];
    const int64_t N = x->shape[0], H = x->shape[1], Wd = x->shape[2], C = x->shape[3];
    const int64_t KH = w->shape[1], KW = w->shape[2], O = w->shape[3], M = O / C;
    const int64_t OH = y->shape[1], OW = y->shape[2];
    const int pt = a->same_padding ? same_pad(H, OH, (int)KH, a->stride[0], a->dilation[0]) : a->pads[0];
    const int pl = a->same_padding ? same_pad(Wd, OW, (int)KW, a->stride[1], a->dilation[1]) : a->pads[1];
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++)
                for (int64_t o = 0; o < O; o++) {
                    const int64_t ic = o / M;
                    float acc = B ? B[o] : 0.0f;
                    for (int64_t ky = 0; ky < KH; ky++) {
                        const int64_t iy = oy * a->stride[0] - pt + ky * a->dilation[0];
                        if (iy < 0 || iy >= H)
                            continue;
                        for (int64_t kx = 0; kx < KW; kx++) {
                            const int64_t ix = ox * a->stride[1] - pl + kx * a->dilation[1];
                            if (ix >= 0 && ix < Wd)
                                acc += X[((n * H + iy) * Wd + ix) * C + ic] * W[(ky * KW + kx) * O + o];
                        }
                    }
                    Y[((n * OH + oy) * OW + ox) * O + o] = activate(acc, a->activation);
                }
}

/* TFLite pooling: padded positions are left out (the average divides by the
 * number of real pixels in the window). */
static void pool_nhwc(const ft_ref_call *c, int is_max)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *y = c->out[0];
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const int64_t N = x->shape[0], H = x->shape[1], Wd = x->shape[2], C = x->shape[3];
    const int64_t OH = y->shape[1], OW = y->shape[2];
    const int pt = a->same_padding ? same_pad(H, OH, a->kernel[0], a->stride[0], 1) : a->pads[0];
    const int pl = a->same_padding ? same_pad(Wd, OW, a->kernel[1], a->stride[1], 1) : a->pads[1];
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++)
                for (int64_t ch = 0; ch < C; ch++) {
                    float acc = is_max ? -INFINITY : 0.0f;
                    int taken = 0;
                    for (int ky = 0; ky < a->kernel[0]; ky++) {
                        const int64_t iy = oy * a->stride[0] - pt + ky;
                        for (int kx = 0; kx < a->kernel[1]; kx++) {
                            const int64_t ix = ox * a->stride[1] - pl + kx;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= Wd)
                                continue;
                            const float v = X[((n * H + iy) * Wd + ix) * C + ch];
                            acc = is_max ? (v > acc ? v : acc) : acc + v;
                            taken++;
                        }
                    }
                    if (!is_max)
                        acc = taken ? acc / (float)taken : 0.0f;
                    Y[((n * OH + oy) * OW + ox) * C + ch] = activate(acc, a->activation);
                }
}

static void fully_connected(const ft_ref_call *c)
{
    const ft_nn_tensor *w = c->in[1];
    const float *X = c->in_data[0], *W = c->in_data[1];
    const float *B = c->op->input_count > 2 && c->in[2] ? c->in_data[2] : NULL;
    float *Y = c->out_data[0];
    const int64_t O = w->shape[0], I = w->shape[1];
    const int64_t batch = ft_nn_tensor_elements(c->in[0]) / I;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t o = 0; o < O; o++) {
            float acc = B ? B[o] : 0.0f;
            for (int64_t i = 0; i < I; i++)
                acc += X[b * I + i] * W[o * I + i];
            Y[b * O + o] = activate(acc, c->op->attrs.activation);
        }
}

/* ------------------------------------------------------------ element-wise */

static float binary(ft_op_type t, float a, float b)
{
    switch (t) {
    case FT_OP_ADD: return a + b;
    case FT_OP_SUB: return a - b;
    case FT_OP_MUL: return a * b;
    case FT_OP_DIV: return a / b;
    case FT_OP_MAXIMUM: return a > b ? a : b;
    case FT_OP_MINIMUM: return a < b ? a : b;
    case FT_OP_SQUARED_DIFFERENCE: return (a - b) * (a - b);
    case FT_OP_POW: return powf(a, b);
    case FT_OP_PRELU: return a >= 0 ? a : a * b;
    default: return NAN;
    }
}

static void binary_broadcast(const ft_ref_call *c)
{
    const dims out = dims_of(c->out[0]);
    const dims sa = dims_of(c->in[0]), sb = dims_of(c->in[1]);
    int64_t stra[FT_NN_MAX_RANK], strb[FT_NN_MAX_RANK], idx[FT_NN_MAX_RANK] = {0};
    broadcast_strides(&sa, &out, stra);
    broadcast_strides(&sb, &out, strb);
    const float *A = c->in_data[0], *B = c->in_data[1];
    float *Y = c->out_data[0];
    const int64_t n = count(&out);
    for (int64_t i = 0; i < n; i++) {
        int64_t ia = 0, ib = 0;
        for (int d = 0; d < out.rank; d++) {
            ia += idx[d] * stra[d];
            ib += idx[d] * strb[d];
        }
        Y[i] = activate(binary(c->op->type, A[ia], B[ib]), c->op->attrs.activation);
        next_index(idx, &out);
    }
}

static float unary(const ft_op_attrs *a, ft_op_type t, float v)
{
    switch (t) {
    case FT_OP_RELU: return v < 0 ? 0 : v;
    case FT_OP_RELU6: return v < 0 ? 0 : v > 6 ? 6 : v;
    case FT_OP_RELU_N1_TO_1: return v < -1 ? -1 : v > 1 ? 1 : v;
    case FT_OP_CLIP: return v < a->min ? a->min : v > a->max ? a->max : v;
    case FT_OP_LEAKY_RELU: return v < 0 ? v * a->alpha : v;
    case FT_OP_SIGMOID: return 1.0f / (1.0f + expf(-v));
    case FT_OP_TANH: return tanhf(v);
    case FT_OP_HARD_SWISH: return v * fminf(fmaxf(v + 3.0f, 0.0f), 6.0f) / 6.0f;
    case FT_OP_HARD_SIGMOID: return fmaxf(0.0f, fminf(1.0f, a->alpha * v + a->beta));
    case FT_OP_EXP: return expf(v);
    case FT_OP_LOG: return logf(v);
    case FT_OP_SQRT: return sqrtf(v);
    case FT_OP_RSQRT: return 1.0f / sqrtf(v);
    case FT_OP_NEG: return -v;
    case FT_OP_ABS: return fabsf(v);
    default: return NAN;
    }
}

static void unary_map(const ft_ref_call *c)
{
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const int64_t n = ft_nn_tensor_elements(c->out[0]);
    for (int64_t i = 0; i < n; i++)
        Y[i] = unary(&c->op->attrs, c->op->type, X[i]);
}

static void softmax(const ft_ref_call *c)
{
    const ft_nn_tensor *x = c->in[0];
    const int axis = c->op->attrs.axis;
    int64_t outer = 1, inner = 1, len = x->shape[axis];
    for (int d = 0; d < axis; d++)
        outer *= x->shape[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->shape[d];
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const float beta = c->op->attrs.beta;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *xp = X + o * len * inner + i;
            float *yp = Y + o * len * inner + i;
            float mx = -INFINITY, sum = 0;
            for (int64_t k = 0; k < len; k++)
                mx = fmaxf(mx, xp[k * inner]);
            for (int64_t k = 0; k < len; k++)
                sum += yp[k * inner] = expf(beta * (xp[k * inner] - mx));
            for (int64_t k = 0; k < len; k++)
                yp[k * inner] /= sum;
        }
}

/* ------------------------------------------------------------ data movement */

/* Copies N elements of ESIZE bytes read STRIDE elements apart. */
static void gather_row(uint8_t *dst, const uint8_t *src, int64_t n, int64_t stride, size_t esize)
{
    if (esize == 4) {
        uint32_t *d = (uint32_t *)dst;
        const uint32_t *s = (const uint32_t *)src;
        for (int64_t j = 0; j < n; j++)
            d[j] = s[j * stride];
    } else {
        for (int64_t j = 0; j < n; j++)
            memcpy(dst + j * (int64_t)esize, src + j * stride * (int64_t)esize, esize);
    }
}

/* The data-movement kernels walk the output row by row (its last axis);
 * along a row the source advances by a fixed stride. */
/* Copies N elements of ESIZE bytes, written STRIDE elements apart. */
static void scatter_row(uint8_t *dst, const uint8_t *src, int64_t n, int64_t stride, size_t esize)
{
    if (esize == 4) {
        uint32_t *d = (uint32_t *)dst;
        const uint32_t *s = (const uint32_t *)src;
        for (int64_t j = 0; j < n; j++)
            d[j * stride] = s[j];
    } else {
        for (int64_t j = 0; j < n; j++)
            memcpy(dst + j * stride * (int64_t)esize, src + j * (int64_t)esize, esize);
    }
}

/* Walks whichever side has the longer rows: output rows gathered from the
 * input, or input rows scattered into the output (NCHW -> NHWC of an
 * image has output rows of 3). */
static void transpose(const ft_ref_call *c, size_t esize)
{
    const dims in = dims_of(c->in[0]), out = dims_of(c->out[0]);
    const int *perm = c->op->attrs.perm;
    int64_t in_strides[FT_NN_MAX_RANK], out_strides[FT_NN_MAX_RANK], idx[FT_NN_MAX_RANK] = {0};
    int64_t stride = 1;
    for (int d = in.rank - 1; d >= 0; d--) {
        in_strides[d] = stride;
        stride *= in.d[d];
    }
    /* out_strides[a]: the output stride of input axis a */
    stride = 1;
    for (int d = out.rank - 1; d >= 0; d--) {
        out_strides[perm[d]] = stride;
        stride *= out.d[d];
    }
    const int last = out.rank - 1;
    if (last < 0) {
        memcpy(c->out_data[0], c->in_data[0], esize);
        return;
    }
    const uint8_t *X = c->in_data[0];
    uint8_t *Y = c->out_data[0];
    const int64_t n = count(&out);
    const int scatter = in.d[last] > out.d[last];
    const dims *walk = scatter ? &in : &out;
    const int64_t row = walk->d[last];
    for (int64_t i = 0; i < n; i += row) {
        int64_t other = 0;
        for (int d = 0; d < last; d++)
            other += idx[d] * (scatter ? out_strides[d] : in_strides[perm[d]]);
        if (scatter)
            scatter_row(Y + other * (int64_t)esize, X + i * (int64_t)esize, row, out_strides[last], esize);
        else
            gather_row(Y + i * (int64_t)esize, X + other * (int64_t)esize, row, in_strides[perm[last]], esize);
        if (last > 0) {
            idx[last] = row - 1;
            next_index(idx, walk);
        }
    }
}

static void concat(const ft_ref_call *c, size_t esize)
{
    const int axis = c->op->attrs.axis;
    const ft_nn_tensor *y = c->out[0];
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= y->shape[d];
    for (int d = axis + 1; d < y->rank; d++)
        inner *= y->shape[d];
    uint8_t *Y = c->out_data[0];
    const int64_t row = y->shape[axis] * inner * (int64_t)esize;
    int64_t offset = 0;
    for (int i = 0; i < c->op->input_count; i++) {
        const int64_t chunk = c->in[i]->shape[axis] * inner * (int64_t)esize;
        const uint8_t *X = c->in_data[i];
        for (int64_t o = 0; o < outer; o++)
            memcpy(Y + o * row + offset, X + o * chunk, (size_t)chunk);
        offset += chunk;
    }
    const ft_activation act = c->op->attrs.activation;
    if (act != FT_ACT_NONE && c->out[0]->dtype == FT_DTYPE_F32) {
        float *F = c->out_data[0];
        for (int64_t i = 0, n = ft_nn_tensor_elements(y); i < n; i++)
            F[i] = activate(F[i], act);
    }
}

/* Output extent of a strided slice along one axis. */
static int64_t slice_len(int64_t begin, int64_t end, int64_t step)
{
    int64_t n = step > 0 ? (end - begin + step - 1) / step : (begin - end - step - 1) / -step;
    return n > 0 ? n : 0;
}

static void slice(const ft_ref_call *c, size_t esize)
{
    const ft_op_attrs *a = &c->op->attrs;
    const dims in = dims_of(c->in[0]);
    dims out = {in.rank, {0}};
    int64_t in_strides[FT_NN_MAX_RANK], idx[FT_NN_MAX_RANK] = {0}, stride = 1;
    for (int d = in.rank - 1; d >= 0; d--) {
        in_strides[d] = stride;
        stride *= in.d[d];
        out.d[d] = slice_len(a->begin[d], a->end[d], a->step[d]);
    }
    const int last = in.rank - 1;
    const int64_t row = last >= 0 ? out.d[last] : 1;
    const int64_t row_stride = last >= 0 ? a->step[last] : 1;
    const uint8_t *X = c->in_data[0];
    uint8_t *Y = c->out_data[0];
    const int64_t n = count(&out);
    for (int64_t i = 0; i < n; i += row) {
        int64_t src = 0;
        for (int d = 0; d <= last; d++)
            src += (a->begin[d] + (d < last ? idx[d] * a->step[d] : 0)) * in_strides[d];
        gather_row(Y + i * (int64_t)esize, X + src * (int64_t)esize, row, row_stride, esize);
        if (last > 0) {
            idx[last] = row - 1;
            next_index(idx, &out);
        }
    }
}

static void pad(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const dims in = dims_of(c->in[0]), out = dims_of(c->out[0]);
    int64_t in_strides[FT_NN_MAX_RANK], idx[FT_NN_MAX_RANK] = {0}, stride = 1;
    for (int d = in.rank - 1; d >= 0; d--) {
        in_strides[d] = stride;
        stride *= in.d[d];
    }
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const int64_t n = count(&out);
    for (int64_t i = 0; i < n; i++) {
        int64_t src = 0;
        int inside = 1;
        for (int d = 0; d < out.rank; d++) {
            const int64_t s = idx[d] - a->pad_before[d];
            inside &= s >= 0 && s < in.d[d];
            src += s * in_strides[d];
        }
        Y[i] = inside ? X[src] : a->value;
        next_index(idx, &out);
    }
}

/* TFLite's ResizeBilinear / ResizeNearestNeighbor reference semantics. */
static float resize_scale(int64_t in, int64_t out, int align_corners)
{
    return (align_corners && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
}

static void resize_nhwc(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const ft_nn_tensor *x = c->in[0], *y = c->out[0];
    const int64_t N = x->shape[0], H = x->shape[1], W = x->shape[2], C = x->shape[3];
    const int64_t OH = y->shape[1], OW = y->shape[2];
    const float sh = resize_scale(H, OH, a->align_corners), sw = resize_scale(W, OW, a->align_corners);
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                float *yp = Y + ((n * OH + oy) * OW + ox) * C;
                if (a->resize_mode == FT_RESIZE_NEAREST) {
                    const float off = a->half_pixel_centers ? 0.5f : 0.0f;
                    float fy = ((float)oy + off) * sh, fx = ((float)ox + off) * sw;
                    int64_t iy = (int64_t)(a->align_corners ? roundf(fy) : floorf(fy));
                    int64_t ix = (int64_t)(a->align_corners ? roundf(fx) : floorf(fx));
                    iy = iy < 0 ? 0 : iy > H - 1 ? H - 1 : iy;
                    ix = ix < 0 ? 0 : ix > W - 1 ? W - 1 : ix;
                    memcpy(yp, X + ((n * H + iy) * W + ix) * C, (size_t)C * sizeof(float));
                    continue;
                }
                const float fy = a->half_pixel_centers ? ((float)oy + 0.5f) * sh - 0.5f : (float)oy * sh;
                const float fx = a->half_pixel_centers ? ((float)ox + 0.5f) * sw - 0.5f : (float)ox * sw;
                int64_t y0 = (int64_t)floorf(fy), x0 = (int64_t)floorf(fx);
                int64_t y1 = (int64_t)ceilf(fy), x1 = (int64_t)ceilf(fx);
                y0 = y0 < 0 ? 0 : y0;
                x0 = x0 < 0 ? 0 : x0;
                y1 = y1 > H - 1 ? H - 1 : y1;
                x1 = x1 > W - 1 ? W - 1 : x1;
                const float dy = fy - (float)y0, dx = fx - (float)x0;
                const float *p00 = X + ((n * H + y0) * W + x0) * C, *p01 = X + ((n * H + y0) * W + x1) * C;
                const float *p10 = X + ((n * H + y1) * W + x0) * C, *p11 = X + ((n * H + y1) * W + x1) * C;
                for (int64_t ch = 0; ch < C; ch++)
                    yp[ch] = p00[ch] * (1 - dy) * (1 - dx) + p10[ch] * dy * (1 - dx) +
                             p01[ch] * (1 - dy) * dx + p11[ch] * dy * dx;
            }
}

static void depth_to_space_nhwc(const ft_ref_call *c)
{
    const int b = c->op->attrs.block;
    const ft_nn_tensor *x = c->in[0];
    const int64_t N = x->shape[0], H = x->shape[1], W = x->shape[2], C = x->shape[3];
    const int64_t OC = C / (b * b), OW = W * b;
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t w = 0; w < W; w++)
                for (int by = 0; by < b; by++)
                    for (int bx = 0; bx < b; bx++)
                        memcpy(Y + ((n * H * b + h * b + by) * OW + w * b + bx) * OC,
                               X + ((n * H + h) * W + w) * C + (by * b + bx) * OC,
                               (size_t)OC * sizeof(float));
}

static void reduce(const ft_ref_call *c)
{
    const ft_op_attrs *a = &c->op->attrs;
    const dims in = dims_of(c->in[0]);
    dims kept = in; /* the output with reduced axes as size 1 */
    int64_t reduced = 1;
    for (int i = 0; i < a->axis_count; i++) {
        if (kept.d[a->axes[i]] != 1 || in.d[a->axes[i]] == 1) {
            reduced *= in.d[a->axes[i]];
            kept.d[a->axes[i]] = 1;
        }
    }
    int64_t strides[FT_NN_MAX_RANK], idx[FT_NN_MAX_RANK] = {0};
    broadcast_strides(&kept, &in, strides);
    const float *X = c->in_data[0];
    float *Y = c->out_data[0];
    const int64_t n_out = count(&kept), n_in = count(&in);
    const int is_max = c->op->type == FT_OP_REDUCE_MAX;
    for (int64_t i = 0; i < n_out; i++)
        Y[i] = is_max ? -INFINITY : 0.0f;
    /* Row by row along the input's last axis, where the output index
     * advances by that axis's stride (0 when it is reduced). */
    const int last = in.rank - 1;
    const int64_t row = last >= 0 ? in.d[last] : 1, step = last >= 0 ? strides[last] : 0;
    for (int64_t i = 0; i < n_in; i += row) {
        int64_t o = 0;
        for (int d = 0; d < last; d++)
            o += idx[d] * strides[d];
        float *restrict y = Y + o;
        const float *restrict x = X + i;
        if (is_max)
            for (int64_t j = 0; j < row; j++)
                y[j * step] = fmaxf(y[j * step], x[j]);
        else if (step == 0)
            for (int64_t j = 0; j < row; j++)
                y[0] += x[j];
        else
            for (int64_t j = 0; j < row; j++)
                y[j] += x[j];
        if (last > 0) {
            idx[last] = row - 1;
            next_index(idx, &in);
        }
    }
    if (c->op->type == FT_OP_REDUCE_MEAN)
        for (int64_t i = 0; i < n_out; i++)
            Y[i] /= (float)reduced;
}

static int64_t index_at(const ft_nn_tensor *t, const void *data, int64_t i)
{
    return t->dtype == FT_DTYPE_I64 ? ((const int64_t *)data)[i] : ((const int32_t *)data)[i];
}

static ft_status gather(const ft_ref_call *c, size_t esize)
{
    const ft_nn_tensor *x = c->in[0], *ix = c->in[1];
    const int axis = c->op->attrs.axis;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= x->shape[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->shape[d];
    const int64_t len = x->shape[axis], n_idx = ft_nn_tensor_elements(ix);
    const uint8_t *X = c->in_data[0];
    uint8_t *Y = c->out_data[0];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < n_idx; k++) {
            int64_t j = index_at(ix, c->in_data[1], k);
            j = j < 0 ? j + len : j;
            if (j < 0 || j >= len)
                return FT_ERR_INVALID_ARG; /* an index out of range at run time */
            memcpy(Y + ((o * n_idx + k) * inner) * (int64_t)esize,
                   X + ((o * len + j) * inner) * (int64_t)esize, (size_t)(inner * (int64_t)esize));
        }
    return FT_OK;
}

static double load_as_double(ft_dtype t, const void *p, int64_t i)
{
    switch (t) {
    case FT_DTYPE_F32: return ((const float *)p)[i];
    case FT_DTYPE_I32: return ((const int32_t *)p)[i];
    case FT_DTYPE_I64: return (double)((const int64_t *)p)[i];
    case FT_DTYPE_U8: case FT_DTYPE_BOOL: return ((const uint8_t *)p)[i];
    case FT_DTYPE_I8: return ((const int8_t *)p)[i];
    default: return 0;
    }
}

static void cast(const ft_ref_call *c)
{
    const ft_dtype from = c->in[0]->dtype, to = c->out[0]->dtype;
    const int64_t n = ft_nn_tensor_elements(c->out[0]);
    for (int64_t i = 0; i < n; i++) {
        const double v = load_as_double(from, c->in_data[0], i);
        switch (to) {
        case FT_DTYPE_F32: ((float *)c->out_data[0])[i] = (float)v; break;
        case FT_DTYPE_I32: ((int32_t *)c->out_data[0])[i] = (int32_t)v; break;
        case FT_DTYPE_I64: ((int64_t *)c->out_data[0])[i] = (int64_t)v; break;
        case FT_DTYPE_U8: ((uint8_t *)c->out_data[0])[i] = (uint8_t)v; break;
        case FT_DTYPE_BOOL: ((uint8_t *)c->out_data[0])[i] = v != 0; break;
        case FT_DTYPE_I8: ((int8_t *)c->out_data[0])[i] = (int8_t)v; break;
        default: break;
        }
    }
}

static int is_unary(ft_op_type t)
{
    return t == FT_OP_RELU || t == FT_OP_RELU6 || t == FT_OP_RELU_N1_TO_1 || t == FT_OP_CLIP ||
           t == FT_OP_LEAKY_RELU || t == FT_OP_SIGMOID || t == FT_OP_TANH || t == FT_OP_HARD_SWISH ||
           t == FT_OP_HARD_SIGMOID || t == FT_OP_EXP || t == FT_OP_LOG || t == FT_OP_SQRT ||
           t == FT_OP_RSQRT || t == FT_OP_NEG || t == FT_OP_ABS;
}

static int is_binary(ft_op_type t)
{
    return t == FT_OP_ADD || t == FT_OP_SUB || t == FT_OP_MUL || t == FT_OP_DIV ||
           t == FT_OP_MAXIMUM || t == FT_OP_MINIMUM || t == FT_OP_SQUARED_DIFFERENCE ||
           t == FT_OP_POW || t == FT_OP_PRELU;
}

ft_status ft_ref_run_op(const ft_ref_call *c)
{
    const ft_nn_op *op = c->op;
    const size_t esize = ft_dtype_size(c->out[0]->dtype);
    if (is_unary(op->type)) {
        unary_map(c);
        return FT_OK;
    }
    if (is_binary(op->type)) {
        binary_broadcast(c);
        return FT_OK;
    }
    if (ft_ref_is_nchw_op(op))
        return ft_ref_run_nchw(c);
    switch (op->type) {
    case FT_OP_MATMUL: return ft_ref_run_matmul(c);
    case FT_OP_CONV2D: conv2d_nhwc(c); return FT_OK;
    case FT_OP_DEPTHWISE_CONV2D: depthwise_nhwc(c); return FT_OK;
    case FT_OP_MAX_POOL2D: pool_nhwc(c, 1); return FT_OK;
    case FT_OP_AVERAGE_POOL2D: pool_nhwc(c, 0); return FT_OK;
    case FT_OP_FULLY_CONNECTED: fully_connected(c); return FT_OK;
    case FT_OP_SOFTMAX: softmax(c); return FT_OK;
    case FT_OP_RESHAPE:
        memcpy(c->out_data[0], c->in_data[0], (size_t)ft_nn_tensor_elements(c->out[0]) * esize);
        return FT_OK;
    case FT_OP_TRANSPOSE: transpose(c, esize); return FT_OK;
    case FT_OP_CONCAT: concat(c, esize); return FT_OK;
    case FT_OP_SLICE: slice(c, esize); return FT_OK;
    case FT_OP_PAD: pad(c); return FT_OK;
    case FT_OP_RESIZE: resize_nhwc(c); return FT_OK;
    case FT_OP_DEPTH_TO_SPACE: depth_to_space_nhwc(c); return FT_OK;
    case FT_OP_REDUCE_MEAN:
    case FT_OP_REDUCE_SUM:
    case FT_OP_REDUCE_MAX: reduce(c); return FT_OK;
    case FT_OP_GATHER: return gather(c, esize);
    case FT_OP_CAST: cast(c); return FT_OK;
    case FT_OP_CUSTOM: return ft_ref_run_custom(c);
    default: return FT_ERR_UNSUPPORTED;
    }
}

/* ------------------------------------------------------------ shape checks */

static int same_elements(const ft_nn_tensor *a, const ft_nn_tensor *b)
{
    return ft_nn_tensor_elements(a) == ft_nn_tensor_elements(b);
}

/* Whether A broadcasts to OUT (numpy rules). */
static int broadcasts_to(const ft_nn_tensor *a, const ft_nn_tensor *out)
{
    if (a->rank > out->rank)
        return 0;
    for (int i = 1; i <= a->rank; i++) {
        int64_t da = a->shape[a->rank - i], dout = out->shape[out->rank - i];
        if (da != 1 && da != dout)
            return 0;
    }
    return 1;
}

static int64_t conv_out(int64_t in, int k, int stride, int dil, int pad_total, int same)
{
    if (same)
        return (in + stride - 1) / stride;
    return (in + pad_total - (int64_t)(k - 1) * dil - 1) / stride + 1;
}

const char *ft_ref_check_op(const ft_nn_graph *g, const ft_nn_op *op)
{
    const ft_op_attrs *a = &op->attrs;
    const ft_nn_tensor *x = op->input_count > 0 && op->inputs[0] >= 0 ? &g->tensors[op->inputs[0]] : NULL;
    const ft_nn_tensor *w = op->input_count > 1 && op->inputs[1] >= 0 ? &g->tensors[op->inputs[1]] : NULL;
    const ft_nn_tensor *y = &g->tensors[op->outputs[0]];
    if (!x)
        return "no input";
    if (ft_nn_tensor_elements(y) < 0 || ft_nn_tensor_elements(x) < 0)
        return "a shape is not known before run time";
    if (op->type == FT_OP_CUSTOM)
        return ft_ref_check_custom(g, op);
    if (op->type == FT_OP_CAST || op->type == FT_OP_GATHER || op->type == FT_OP_RESHAPE ||
        op->type == FT_OP_TRANSPOSE || op->type == FT_OP_CONCAT || op->type == FT_OP_SLICE) {
        if (op->type != FT_OP_CAST && x->dtype != y->dtype)
            return "input and output types differ";
    } else if (x->dtype != FT_DTYPE_F32 || y->dtype != FT_DTYPE_F32) {
        return "only float32 is supported for this op";
    }
    if (is_unary(op->type) || op->type == FT_OP_SOFTMAX || op->type == FT_OP_RESHAPE ||
        op->type == FT_OP_CAST)
        return same_elements(x, y) ? NULL : "input and output sizes differ";
    if (is_binary(op->type)) {
        if (!w || w->dtype != FT_DTYPE_F32)
            return "needs two float32 inputs";
        return broadcasts_to(x, y) && broadcasts_to(w, y) ? NULL : "shapes do not broadcast";
    }
    if (ft_ref_is_nchw_op(op))
        return ft_ref_check_nchw(g, op);
    const int nhwc = a->layout == FT_LAYOUT_NHWC;
    switch (op->type) {
    case FT_OP_MATMUL: return ft_ref_check_matmul(g, op);
    case FT_OP_CONV2D:
    case FT_OP_DEPTHWISE_CONV2D:
    case FT_OP_MAX_POOL2D:
    case FT_OP_AVERAGE_POOL2D: {
        if (!nhwc)
            return "NCHW layout is not supported by the reference backend yet";
        if (x->rank != 4 || y->rank != 4 || x->shape[0] != y->shape[0])
            return "needs rank-4 NHWC input and output";
        int kh = a->kernel[0], kw = a->kernel[1];
        int64_t out_c = x->shape[3];
        if (op->type == FT_OP_CONV2D || op->type == FT_OP_DEPTHWISE_CONV2D) {
            if (!w || w->rank != 4 || !w->data)
                return "needs a constant rank-4 filter";
            kh = (int)w->shape[1];
            kw = (int)w->shape[2];
            if (op->type == FT_OP_CONV2D) {
                if (w->shape[3] <= 0 || x->shape[3] % w->shape[3] ||
                    w->shape[0] % (x->shape[3] / w->shape[3]))
                    return "filter input channels do not divide the input channels";
                out_c = w->shape[0];
            } else {
                if (w->shape[0] != 1 || w->shape[3] % x->shape[3])
                    return "depthwise filter does not match the input channels";
                out_c = w->shape[3];
            }
            const ft_nn_tensor *b = op->input_count > 2 && op->inputs[2] >= 0 ? &g->tensors[op->inputs[2]] : NULL;
            if (b && ft_nn_tensor_elements(b) != out_c)
                return "bias size differs from the output channels";
        }
        if (y->shape[3] != out_c)
            return "output channels do not match";
        for (int i = 0; i < 2; i++) {
            int k = i ? kw : kh;
            int64_t expect = conv_out(x->shape[1 + i], k, a->stride[i],
                                      op->type == FT_OP_MAX_POOL2D || op->type == FT_OP_AVERAGE_POOL2D ? 1 : a->dilation[i],
                                      a->pads[i] + a->pads[i + 2], a->same_padding);
            if (expect != y->shape[1 + i])
                return "output size does not follow from input, window and stride";
        }
        return NULL;
    }
    case FT_OP_FULLY_CONNECTED:
        if (!w || w->rank != 2 || !w->data || ft_nn_tensor_elements(x) % w->shape[1] ||
            ft_nn_tensor_elements(y) != ft_nn_tensor_elements(x) / w->shape[1] * w->shape[0])
            return "weights do not match input and output";
        return NULL;
    case FT_OP_TRANSPOSE:
        if (x->rank != y->rank)
            return "rank changes";
        for (int d = 0; d < y->rank; d++)
            if (a->perm[d] < 0 || a->perm[d] >= x->rank || y->shape[d] != x->shape[a->perm[d]])
                return "output shape does not follow the permutation";
        return NULL;
    case FT_OP_CONCAT: {
        if (a->axis < 0 || a->axis >= y->rank)
            return "axis out of range";
        int64_t total = 0;
        for (int i = 0; i < op->input_count; i++) {
            const ft_nn_tensor *t = &g->tensors[op->inputs[i]];
            if (t->rank != y->rank || t->dtype != y->dtype)
                return "inputs differ in rank or type";
            for (int d = 0; d < y->rank; d++)
                if (d != a->axis && t->shape[d] != y->shape[d])
                    return "inputs differ off the concatenation axis";
            total += t->shape[a->axis];
        }
        return total == y->shape[a->axis] ? NULL : "output length along the axis differs";
    }
    case FT_OP_SLICE: {
        int64_t n = 1;
        for (int d = 0; d < x->rank; d++) {
            if (a->step[d] == 0)
                return "zero step";
            int64_t len = slice_len(a->begin[d], a->end[d], a->step[d]);
            if (len > 0 && (a->begin[d] < 0 || a->begin[d] >= x->shape[d] ||
                            a->begin[d] + (len - 1) * a->step[d] < 0 ||
                            a->begin[d] + (len - 1) * a->step[d] >= x->shape[d]))
                return "slice bounds outside the input";
            n *= len;
        }
        return n == ft_nn_tensor_elements(y) ? NULL : "output size differs from the slice";
    }
    case FT_OP_PAD:
        if (x->rank != y->rank)
            return "rank changes";
        for (int d = 0; d < x->rank; d++)
            if (x->shape[d] + a->pad_before[d] + a->pad_after[d] != y->shape[d])
                return "output shape does not follow the paddings";
        return NULL;
    case FT_OP_RESIZE:
    case FT_OP_DEPTH_TO_SPACE:
        if (!nhwc || x->rank != 4 || y->rank != 4 || x->shape[0] != y->shape[0])
            return "needs rank-4 NHWC input and output";
        if (op->type == FT_OP_RESIZE)
            return x->shape[3] == y->shape[3] ? NULL : "channels change";
        return y->shape[1] == x->shape[1] * a->block && y->shape[2] == x->shape[2] * a->block &&
                       y->shape[3] * a->block * a->block == x->shape[3]
                   ? NULL
                   : "output shape does not follow the block size";
    case FT_OP_REDUCE_MEAN:
    case FT_OP_REDUCE_SUM:
    case FT_OP_REDUCE_MAX: {
        int64_t n = ft_nn_tensor_elements(x);
        for (int i = 0; i < a->axis_count; i++) {
            if (a->axes[i] < 0 || a->axes[i] >= x->rank)
                return "axis out of range";
            int dup = 0;
            for (int j = 0; j < i; j++)
                dup |= a->axes[j] == a->axes[i];
            if (!dup)
                n /= x->shape[a->axes[i]] ? x->shape[a->axes[i]] : 1;
        }
        return n == ft_nn_tensor_elements(y) ? NULL : "output size does not follow the axes";
    }
    case FT_OP_GATHER: {
        if (!w || (w->dtype != FT_DTYPE_I32 && w->dtype != FT_DTYPE_I64))
            return "needs integer indices";
        if (a->axis < 0 || a->axis >= x->rank)
            return "axis out of range";
        int64_t n = ft_nn_tensor_elements(x) / (x->shape[a->axis] ? x->shape[a->axis] : 1) *
                    ft_nn_tensor_elements(w);
        return n == ft_nn_tensor_elements(y) ? NULL : "output size differs";
    }
    default:
        return "not supported by the reference backend";
    }
}
