// The cuda row's kernels, NHWC, with fp32 or fp16 storage and fp32
// arithmetic. One thread per output element with the channel fastest, so
// that a warp's stores and its weight loads are contiguous and its input
// loads are one broadcast (the same pixel for neighbouring channels).
// Index arithmetic is 32-bit whenever a tensor has fewer than 2^31
// elements: a 64-bit division costs tens of instructions per element. The
// semantics are those of the reference kernels (nn/ref_kernels.c), which
// the tests compare with.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "nn/cuda_kernels.h"
#include "nn/graph.h"

namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t count)
{
    int64_t b = (count + kThreads - 1) / kThreads;
    return (unsigned)(b < 1 ? 1 : b > 0x7fffffff ? 0x7fffffff : b);
}

__device__ __forceinline__ float load(const float *p, int64_t i) { return p[i]; }
__device__ __forceinline__ float load(const __half *p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void store(float *p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store(__half *p, int64_t i, float v) { p[i] = __float2half(v); }

__device__ __forceinline__ float activate(float v, int act)
{
    switch (act) {
    case FT_ACT_RELU: return v < 0.0f ? 0.0f : v;
    case FT_ACT_RELU6: return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v;
    case FT_ACT_RELU_N1_TO_1: return v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
    case FT_ACT_TANH: return tanhf(v);
    case FT_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    default: return v;
    }
}

// A fused PRelu after the activation (SLOPE NULL: none).
__device__ __forceinline__ float finish(float v, int act, const float *__restrict__ slope, int c)
{
    v = activate(v, act);
    return slope && v < 0.0f ? v * slope[c] : v;
}

template <typename T, typename I>
__global__ void conv2d_kernel(ft_cuda_window w, const T *__restrict__ x,
                              const T *__restrict__ filter, const float *__restrict__ bias,
                              const float *__restrict__ slope, T *__restrict__ y)
{
    const I total = (I)w.batch * w.out_h * w.out_w * w.out_c;
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int o = (int)(idx % w.out_c);
        I rest = idx / w.out_c;
        const int ox = (int)(rest % w.out_w);
        rest /= w.out_w;
        const int oy = (int)(rest % w.out_h);
        const I n = rest / w.out_h;
        float acc = bias ? bias[o] : 0.0f;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h)
                continue;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix < 0 || ix >= w.in_w)
                    continue;
                const T *xp =
                    x + ((n * w.in_h + iy) * w.in_w + ix) * w.in_c + (o / w.group_out) * w.group_in;
                const T *fp = filter + ((I)(ky * w.kernel_w + kx) * w.group_in) * w.out_c + o;
                for (int i = 0; i < w.group_in; i++)
                    acc = fmaf(load(xp, i), load(fp, (I)i * w.out_c), acc);
            }
        }
        store(y, idx, finish(acc, w.activation, slope, o));
    }
}

template <typename T, typename I>
__global__ void depthwise_kernel(ft_cuda_window w, const T *__restrict__ x,
                                 const T *__restrict__ filter, const float *__restrict__ bias,
                                 const float *__restrict__ slope, T *__restrict__ y)
{
    const I total = (I)w.batch * w.out_h * w.out_w * w.out_c;
    const int multiplier = w.out_c / w.in_c;
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int o = (int)(idx % w.out_c);
        I rest = idx / w.out_c;
        const int ox = (int)(rest % w.out_w);
        rest /= w.out_w;
        const int oy = (int)(rest % w.out_h);
        const I n = rest / w.out_h;
        const int ic = o / multiplier;
        float acc = bias ? bias[o] : 0.0f;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h)
                continue;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix >= 0 && ix < w.in_w)
                    acc = fmaf(load(x, ((n * w.in_h + iy) * w.in_w + ix) * w.in_c + ic),
                               load(filter, (ky * w.kernel_w + kx) * w.out_c + o), acc);
            }
        }
        store(y, idx, finish(acc, w.activation, slope, o));
    }
}

template <typename T, typename I>
__global__ void bias_activation_kernel(T *y, const float *__restrict__ bias,
                                       const float *__restrict__ slope, I total, int cols,
                                       int act)
{
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int c = (int)(idx % cols);
        store(y, idx, finish(load(y, idx) + (bias ? bias[c] : 0.0f), act, slope, c));
    }
}

template <typename T, typename I>
__global__ void pool_kernel(ft_cuda_window w, int is_max, const T *__restrict__ x,
                            T *__restrict__ y)
{
    const I total = (I)w.batch * w.out_h * w.out_w * w.out_c;
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int c = (int)(idx % w.out_c);
        I rest = idx / w.out_c;
        const int ox = (int)(rest % w.out_w);
        rest /= w.out_w;
        const int oy = (int)(rest % w.out_h);
        const I n = rest / w.out_h;
        float acc = is_max ? -INFINITY : 0.0f;
        int taken = 0;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx;
                if (iy < 0 || iy >= w.in_h || ix < 0 || ix >= w.in_w)
                    continue;
                const float v = load(x, ((n * w.in_h + iy) * w.in_w + ix) * w.in_c + c);
                acc = is_max ? fmaxf(acc, v) : acc + v;
                taken++;
            }
        }
        if (!is_max)
            acc = taken ? acc / (float)taken : 0.0f;
        store(y, idx, activate(acc, w.activation));
    }
}

__device__ __forceinline__ float binary_op(int type, float a, float b)
{
    switch (type) {
    case FT_OP_ADD: return a + b;
    case FT_OP_SUB: return a - b;
    case FT_OP_MUL: return a * b;
    case FT_OP_DIV: return a / b;
    case FT_OP_MAXIMUM: return a > b ? a : b;
    case FT_OP_MINIMUM: return a < b ? a : b;
    case FT_OP_SQUARED_DIFFERENCE: return (a - b) * (a - b);
    case FT_OP_PRELU: return a >= 0.0f ? a : a * b;
    default: return __int_as_float(0x7fc00000);
    }
}

// Same shapes on both sides: no index arithmetic.
template <typename T, typename I>
__global__ void binary_same_kernel(int type, int act, I total, int channels,
                                   const T *__restrict__ a, const T *__restrict__ b,
                                   const float *__restrict__ slope, T *__restrict__ y)
{
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x)
        store(y, idx,
              finish(binary_op(type, load(a, idx), load(b, idx)), act, slope,
                     slope ? (int)(idx % channels) : 0));
}

// B repeats along the last axis only (a per-channel bias, scale or slope).
template <typename T, typename I>
__global__ void binary_channel_kernel(int type, int act, I total, int channels,
                                      const T *__restrict__ a, const T *__restrict__ b,
                                      const float *__restrict__ slope, T *__restrict__ y)
{
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int c = (int)(idx % channels);
        store(y, idx, finish(binary_op(type, load(a, idx), load(b, c)), act, slope, c));
    }
}

template <typename T>
__global__ void binary_broadcast_kernel(int type, int act, ft_cuda_broadcast s, int64_t total,
                                        const T *__restrict__ a, const T *__restrict__ b,
                                        const float *__restrict__ slope, T *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t rest = idx, ia = 0, ib = 0;
        for (int d = s.rank - 1; d >= 0; d--) {
            const int64_t i = rest % s.out_dims[d];
            rest /= s.out_dims[d];
            ia += i * s.a_strides[d];
            ib += i * s.b_strides[d];
        }
        store(y, idx,
              finish(binary_op(type, load(a, ia), load(b, ib)), act, slope,
                     (int)(idx % s.out_dims[s.rank - 1])));
    }
}

template <typename T, typename I>
__global__ void unary_kernel(ft_cuda_unary u, I total, const T *__restrict__ x,
                             T *__restrict__ y)
{
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const float v = load(x, idx);
        float r;
        switch (u.op_type) {
        case FT_OP_RELU: r = v < 0.0f ? 0.0f : v; break;
        case FT_OP_RELU6: r = v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; break;
        case FT_OP_RELU_N1_TO_1: r = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v; break;
        case FT_OP_CLIP: r = v < u.min ? u.min : v > u.max ? u.max : v; break;
        case FT_OP_LEAKY_RELU: r = v < 0.0f ? v * u.alpha : v; break;
        case FT_OP_SIGMOID: r = 1.0f / (1.0f + expf(-v)); break;
        case FT_OP_TANH: r = tanhf(v); break;
        case FT_OP_HARD_SWISH: r = v * fminf(fmaxf(v + 3.0f, 0.0f), 6.0f) / 6.0f; break;
        case FT_OP_EXP: r = expf(v); break;
        case FT_OP_SQRT: r = sqrtf(v); break;
        case FT_OP_RSQRT: r = 1.0f / sqrtf(v); break;
        case FT_OP_NEG: r = -v; break;
        case FT_OP_ABS: r = fabsf(v); break;
        default: r = __int_as_float(0x7fc00000); break;
        }
        store(y, idx, r);
    }
}

template <typename T>
__global__ void pad_kernel(ft_cuda_pad p, int64_t total, const T *__restrict__ x,
                           T *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t rest = idx, src = 0, stride = 1;
        bool inside = true;
        for (int d = p.rank - 1; d >= 0; d--) {
            const int64_t s = rest % p.out_dims[d] - p.before[d];
            rest /= p.out_dims[d];
            inside = inside && s >= 0 && s < p.in_dims[d];
            src += s * stride;
            stride *= p.in_dims[d];
        }
        store(y, idx, inside ? load(x, src) : p.value);
    }
}

template <typename T>
__global__ void strided_copy_kernel(ft_cuda_strided s, int64_t total, const T *__restrict__ x,
                                    T *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t rest = idx, src = s.offset;
        for (int d = s.rank - 1; d >= 0; d--) {
            src += rest % s.out_dims[d] * s.in_strides[d];
            rest /= s.out_dims[d];
        }
        y[idx] = x[src];
    }
}

template <typename T>
__global__ void reduce_kernel(ft_cuda_reduce r, int64_t total, int64_t per_output,
                              const T *__restrict__ x, T *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t rest = idx, base = 0;
        for (int d = r.rank - 1; d >= 0; d--) {
            base += rest % r.out_dims[d] * r.out_in_strides[d];
            rest /= r.out_dims[d];
        }
        float acc = r.mode == 2 ? -INFINITY : 0.0f;
        for (int64_t j = 0; j < per_output; j++) {
            int64_t jr = j, src = base;
            for (int d = r.reduced_rank - 1; d >= 0; d--) {
                src += jr % r.red_dims[d] * r.red_strides[d];
                jr /= r.red_dims[d];
            }
            const float v = load(x, src);
            acc = r.mode == 2 ? fmaxf(acc, v) : acc + v;
        }
        store(y, idx, r.mode == 1 ? acc / (float)per_output : acc);
    }
}

// One output pixel's V consecutive output channels per thread, over the
// whole window, with the filter in shared memory as [K][O] fp32 (K = KH x KW
// x in_c): each input value is loaded once for V outputs, and the filter is
// read from shared memory. For the convolutions whose filter is small: the
// first layer of an image network (3 input channels) and the pointwise
// ones with few channels, where a library product is mostly overhead.
template <typename T, typename I, int V>
__global__ void conv_pixel_kernel(ft_cuda_window w, const T *__restrict__ x,
                                  const float *__restrict__ filter_ko,
                                  const float *__restrict__ bias,
                                  const float *__restrict__ slope, T *__restrict__ y)
{
    extern __shared__ float weights[];
    const int depth = w.kernel_h * w.kernel_w * w.in_c, outs = w.out_c;
    for (int i = threadIdx.x; i < depth * outs; i += blockDim.x)
        weights[i] = filter_ko[i];
    __syncthreads();
    const int groups = outs / V;
    const I total = (I)w.batch * w.out_h * w.out_w * groups;
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int group = (int)(idx % groups);
        const I pixel = idx / groups;
        const int ox = (int)(pixel % w.out_w);
        const int oy = (int)((pixel / w.out_w) % w.out_h);
        const I n = pixel / ((I)w.out_w * w.out_h);
        const int first = group * V;
        float acc[V];
#pragma unroll
        for (int v = 0; v < V; v++)
            acc[v] = bias ? bias[first + v] : 0.0f;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h)
                continue;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix < 0 || ix >= w.in_w)
                    continue;
                const T *xp = x + ((n * w.in_h + iy) * w.in_w + ix) * w.in_c;
                const float *wp = weights + (ky * w.kernel_w + kx) * w.in_c * outs + first;
                for (int c = 0; c < w.in_c; c++, wp += outs) {
                    const float value = load(xp, c);
#pragma unroll
                    for (int v = 0; v < V; v++)
                        acc[v] = fmaf(value, wp[v], acc[v]);
                }
            }
        }
        T *yp = y + pixel * outs + first;
#pragma unroll
        for (int v = 0; v < V; v++)
            store(yp, v, finish(acc[v], w.activation, slope, first + v));
    }
}

// Depthwise (multiplier 1) with V neighbouring channels per thread: the
// index arithmetic is paid once for V outputs.
template <typename T, typename I, int V>
__global__ void depthwise_vector_kernel(ft_cuda_window w, const T *__restrict__ x,
                                        const T *__restrict__ filter,
                                        const float *__restrict__ bias,
                                        const float *__restrict__ slope, T *__restrict__ y)
{
    const int channels = w.out_c, groups = channels / V;
    const I total = (I)w.batch * w.out_h * w.out_w * groups;
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int first = (int)(idx % groups) * V;
        const I pixel = idx / groups;
        const int ox = (int)(pixel % w.out_w);
        const int oy = (int)((pixel / w.out_w) % w.out_h);
        const I n = pixel / ((I)w.out_w * w.out_h);
        float acc[V];
#pragma unroll
        for (int v = 0; v < V; v++)
            acc[v] = bias ? bias[first + v] : 0.0f;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h)
                continue;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix < 0 || ix >= w.in_w)
                    continue;
                const T *xp = x + ((n * w.in_h + iy) * w.in_w + ix) * channels + first;
                const T *fp = filter + (ky * w.kernel_w + kx) * channels + first;
#pragma unroll
                for (int v = 0; v < V; v++)
                    acc[v] = fmaf(load(xp, v), load(fp, v), acc[v]);
            }
        }
        T *yp = y + pixel * channels + first;
#pragma unroll
        for (int v = 0; v < V; v++)
            store(yp, v, finish(acc[v], w.activation, slope, first + v));
    }
}

template <typename T, typename I>
__global__ void im2col_kernel(ft_cuda_window w, const T *__restrict__ x, T *__restrict__ columns)
{
    const int depth = w.kernel_h * w.kernel_w * w.in_c;
    const I total = (I)w.batch * w.out_h * w.out_w * depth;
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int k = (int)(idx % depth);
        const I row = idx / depth;
        const int c = k % w.in_c, kx = (k / w.in_c) % w.kernel_w, ky = k / (w.in_c * w.kernel_w);
        const int ox = (int)(row % w.out_w);
        const int oy = (int)((row / w.out_w) % w.out_h);
        const I n = row / ((I)w.out_w * w.out_h);
        const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
        const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
        const bool inside = iy >= 0 && iy < w.in_h && ix >= 0 && ix < w.in_w;
        columns[idx] = inside ? x[((n * w.in_h + iy) * w.in_w + ix) * w.in_c + c] : T(0.0f);
    }
}

template <typename From, typename To>
__global__ void convert_kernel(int64_t total, const From *__restrict__ x, To *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x)
        store(y, idx, load(x, idx));
}

/* code * scale + offset with two roundings, never fused into one: the
 * host's warp maps its bytes so, and the inputs stay equal to the bit. */
template <typename To>
__global__ void codes_kernel(int64_t total, const uint8_t *__restrict__ x, To *__restrict__ y,
                             float scale, float offset)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x)
        store(y, idx, __fadd_rn(__fmul_rn((float)x[idx], scale), offset));
}

__device__ __forceinline__ float resize_scale(int in, int out, int align_corners)
{
    return (align_corners && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
}

// The reference kernel's coordinates and weights, one output value per
// thread.
template <typename T, typename I>
__global__ void resize_kernel(ft_cuda_resize r, const T *__restrict__ x, T *__restrict__ y)
{
    const I total = (I)r.batch * r.out_h * r.out_w * r.channels;
    const float sh = resize_scale(r.in_h, r.out_h, r.align_corners);
    const float sw = resize_scale(r.in_w, r.out_w, r.align_corners);
    for (I idx = (I)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (I)gridDim.x * blockDim.x) {
        const int c = (int)(idx % r.channels);
        I rest = idx / r.channels;
        const int ox = (int)(rest % r.out_w);
        rest /= r.out_w;
        const int oy = (int)(rest % r.out_h);
        const I n = rest / r.out_h;
        const T *plane = x + n * r.in_h * r.in_w * r.channels + c;
        if (!r.bilinear) {
            const float off = r.half_pixel_centers ? 0.5f : 0.0f;
            const float fy = ((float)oy + off) * sh, fx = ((float)ox + off) * sw;
            int iy = (int)(r.align_corners ? roundf(fy) : floorf(fy));
            int ix = (int)(r.align_corners ? roundf(fx) : floorf(fx));
            iy = iy < 0 ? 0 : iy > r.in_h - 1 ? r.in_h - 1 : iy;
            ix = ix < 0 ? 0 : ix > r.in_w - 1 ? r.in_w - 1 : ix;
            y[idx] = plane[((I)iy * r.in_w + ix) * r.channels];
            continue;
        }
        const float fy = r.half_pixel_centers ? ((float)oy + 0.5f) * sh - 0.5f : (float)oy * sh;
        const float fx = r.half_pixel_centers ? ((float)ox + 0.5f) * sw - 0.5f : (float)ox * sw;
        int y0 = (int)floorf(fy), x0 = (int)floorf(fx);
        int y1 = (int)ceilf(fy), x1 = (int)ceilf(fx);
        y0 = y0 < 0 ? 0 : y0;
        x0 = x0 < 0 ? 0 : x0;
        y1 = y1 > r.in_h - 1 ? r.in_h - 1 : y1;
        x1 = x1 > r.in_w - 1 ? r.in_w - 1 : x1;
        const float dy = fy - (float)y0, dx = fx - (float)x0;
        const float p00 = load(plane, ((I)y0 * r.in_w + x0) * r.channels);
        const float p01 = load(plane, ((I)y0 * r.in_w + x1) * r.channels);
        const float p10 = load(plane, ((I)y1 * r.in_w + x0) * r.channels);
        const float p11 = load(plane, ((I)y1 * r.in_w + x1) * r.channels);
        store(y, idx,
              p00 * (1 - dy) * (1 - dx) + p10 * dy * (1 - dx) + p01 * (1 - dy) * dx +
                  p11 * dy * dx);
    }
}

// Eight neighbouring values as fp32, in one or two 16-byte accesses (the
// address a multiple of eight values).
__device__ __forceinline__ void load8(const float *p, float v[8])
{
    const float4 a = reinterpret_cast<const float4 *>(p)[0];
    const float4 b = reinterpret_cast<const float4 *>(p)[1];
    v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w;
    v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
}
__device__ __forceinline__ void load8(const __half *p, float v[8])
{
    const uint4 raw = *reinterpret_cast<const uint4 *>(p);
    const __half2 *h = reinterpret_cast<const __half2 *>(&raw);
#pragma unroll
    for (int k = 0; k < 4; k++) {
        const float2 f = __half22float2(h[k]);
        v[2 * k] = f.x, v[2 * k + 1] = f.y;
    }
}
__device__ __forceinline__ void store8(float *p, const float v[8])
{
    reinterpret_cast<float4 *>(p)[0] = make_float4(v[0], v[1], v[2], v[3]);
    reinterpret_cast<float4 *>(p)[1] = make_float4(v[4], v[5], v[6], v[7]);
}
__device__ __forceinline__ void store8(__half *p, const float v[8])
{
    uint4 raw;
    __half2 *h = reinterpret_cast<__half2 *>(&raw);
#pragma unroll
    for (int k = 0; k < 4; k++)
        h[k] = __floats2half2_rn(v[2 * k], v[2 * k + 1]);
    *reinterpret_cast<uint4 *>(p) = raw;
}

// Shared memory of a pointwise block: the filter, the depthwise filter,
// then TILE pixels' inputs, each row one value longer than the channels so
// that neighbouring pixels' rows start in different banks.
constexpr int kPointwiseSharedFloats = 12288; // 48 KiB, the default limit
constexpr int kPointwiseTileMax = 512;

int pointwise_depthwise_floats(const ft_cuda_pointwise *p)
{
    return p->dw_filter ? p->dw.kernel_h * p->dw.kernel_w * p->in_c : 0;
}

// The most pixels a block's shared memory holds at a time.
int pointwise_tile(int in_c, int out_c, int depthwise_floats)
{
    const int tile = (kPointwiseSharedFloats - in_c * out_c - depthwise_floats) / (in_c + 1);
    return tile > kPointwiseTileMax ? kPointwiseTileMax : tile;
}

// The depthwise result of eight channels at one output pixel, from the
// filter in shared memory ([KH][KW][in_c] fp32). K: the window's size when
// it is known at compile time (its loops unrolled, the loads issued
// together), 0 otherwise.
template <int K, typename T>
__device__ __forceinline__ void depthwise8(const ft_cuda_window &w, const T *__restrict__ x,
                                           const float *__restrict__ filter,
                                           const float *__restrict__ bias, int in_c, int pixel,
                                           int c, float v[8])
{
    const int kh = K ? K : w.kernel_h, kw = K ? K : w.kernel_w;
    const int ox = pixel % w.out_w, oy = (pixel / w.out_w) % w.out_h;
    const int n = pixel / (w.out_w * w.out_h);
#pragma unroll
    for (int j = 0; j < 8; j++)
        v[j] = bias ? bias[c + j] : 0.0f;
#pragma unroll
    for (int ky = 0; ky < kh; ky++) {
        const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
#pragma unroll
        for (int kx = 0; kx < kw; kx++) {
            const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
            if (iy < 0 || iy >= w.in_h || ix < 0 || ix >= w.in_w)
                continue;
            float xv[8];
            load8(x + (((int64_t)n * w.in_h + iy) * w.in_w + ix) * in_c + c, xv);
            const float *f = filter + (ky * kw + kx) * in_c + c;
#pragma unroll
            for (int j = 0; j < 8; j++)
                v[j] = fmaf(xv[j], f[j], v[j]);
        }
    }
}

// A block takes TILE pixels at a time: first their inputs (the depthwise
// results, or the input itself) go into shared memory, eight channels per
// thread with vector loads; then each thread makes eight output channels of
// one pixel from them, adds the residual and stores with vector stores.
// Neighbouring threads take neighbouring channels, then pixels, so every
// global access of a warp is contiguous.
template <typename T, int K>
__global__ void pointwise_kernel(ft_cuda_pointwise p, int tile, const T *__restrict__ x,
                                 T *__restrict__ y)
{
    extern __shared__ float shared[];
    const int in_c = p.in_c, out_c = p.out_c, row = in_c + 1;
    const int in_groups = in_c / 8, out_groups = out_c / 8;
    const T *dw_source = static_cast<const T *>(p.dw_filter);
    const int dw_count = dw_source ? p.dw.kernel_h * p.dw.kernel_w * in_c : 0;
    float *filter = shared, *dw_filter = shared + in_c * out_c, *inputs = dw_filter + dw_count;
    for (int i = threadIdx.x; i < in_c * out_c; i += blockDim.x)
        filter[i] = p.filter_ko[i];
    for (int i = threadIdx.x; i < dw_count; i += blockDim.x)
        dw_filter[i] = load(dw_source, i);
    const T *residual = static_cast<const T *>(p.residual);
    const int pixels = (int)p.pixels;
    for (int first = blockIdx.x * tile; first < pixels; first += gridDim.x * tile) {
        const int count = min(tile, pixels - first);
        __syncthreads(); // the filters are in; the last tile's inputs are used
        for (int k = threadIdx.x; k < count * in_groups; k += blockDim.x) {
            const int at = k / in_groups, c = (k % in_groups) * 8, pixel = first + at;
            float v[8];
            if (!dw_source) {
                load8(x + (int64_t)pixel * in_c + c, v);
            } else {
                depthwise8<K>(p.dw, x, dw_filter, p.dw_bias, in_c, pixel, c, v);
#pragma unroll
                for (int j = 0; j < 8; j++)
                    v[j] = finish(v[j], p.dw.activation, p.dw_slope, c + j);
            }
            float *to = inputs + at * row + c;
#pragma unroll
            for (int j = 0; j < 8; j++)
                to[j] = v[j];
        }
        __syncthreads();
        for (int k = threadIdx.x; k < count * out_groups; k += blockDim.x) {
            const int at = k / out_groups, o = (k % out_groups) * 8, pixel = first + at;
            float acc[8];
#pragma unroll
            for (int j = 0; j < 8; j++)
                acc[j] = p.bias ? p.bias[o + j] : 0.0f;
            const float *in = inputs + at * row, *f = filter + o;
            for (int c = 0; c < in_c; c++, f += out_c) {
                const float v = in[c];
                const float4 a = reinterpret_cast<const float4 *>(f)[0];
                const float4 b = reinterpret_cast<const float4 *>(f)[1];
                acc[0] = fmaf(v, a.x, acc[0]), acc[1] = fmaf(v, a.y, acc[1]);
                acc[2] = fmaf(v, a.z, acc[2]), acc[3] = fmaf(v, a.w, acc[3]);
                acc[4] = fmaf(v, b.x, acc[4]), acc[5] = fmaf(v, b.y, acc[5]);
                acc[6] = fmaf(v, b.z, acc[6]), acc[7] = fmaf(v, b.w, acc[7]);
            }
#pragma unroll
            for (int j = 0; j < 8; j++)
                acc[j] = finish(acc[j], p.activation, p.slope, o + j);
            if (residual) {
                float r[8];
                load8(residual + (int64_t)pixel * out_c + o, r);
#pragma unroll
                for (int j = 0; j < 8; j++)
                    acc[j] = finish(acc[j] + r[j], p.residual_activation, p.residual_slope, o + j);
            }
            store8(y + (int64_t)pixel * out_c + o, acc);
        }
    }
}

int64_t window_outputs(const ft_cuda_window *w)
{
    return (int64_t)w->batch * w->out_h * w->out_w * w->out_c;
}

// Calls F with a value of the storage type and one of the index type: the
// kernels are instantiated for fp32 and fp16 storage, each with 32-bit
// indices (fewer than 2^31 elements) and 64-bit ones.
template <typename F> void dispatch(int half, int64_t count, F &&f)
{
    const bool small = count < ((int64_t)1 << 31);
    if (half && small)
        f(__half(), int32_t());
    else if (half)
        f(__half(), int64_t());
    else if (small)
        f(float(), int32_t());
    else
        f(float(), int64_t());
}

} // namespace

extern "C" int ft_cuda_conv2d(int half, const ft_cuda_window *w, const void *x,
                              const void *filter_hwio, const float *bias, const float *slope,
                              void *y, void *stream)
{
    const int64_t n = window_outputs(w);
    dispatch(half, n, [&](auto t, auto i) {
        using T = decltype(t);
        conv2d_kernel<T, decltype(i)><<<blocks_for(n), kThreads, 0, (cudaStream_t)stream>>>(
            *w, (const T *)x, (const T *)filter_hwio, bias, slope, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_depthwise(int half, const ft_cuda_window *w, const void *x,
                                 const void *filter, const float *bias, const float *slope,
                                 void *y, void *stream)
{
    const int64_t n = window_outputs(w);
    if (w->out_c == w->in_c && w->out_c % FT_CUDA_VECTOR == 0) {
        const int64_t threads = n / FT_CUDA_VECTOR;
        dispatch(half, n, [&](auto t, auto i) {
            using T = decltype(t);
            depthwise_vector_kernel<T, decltype(i), FT_CUDA_VECTOR>
                <<<blocks_for(threads), kThreads, 0, (cudaStream_t)stream>>>(
                    *w, (const T *)x, (const T *)filter, bias, slope, (T *)y);
        });
        return (int)cudaGetLastError();
    }
    dispatch(half, n, [&](auto t, auto i) {
        using T = decltype(t);
        depthwise_kernel<T, decltype(i)><<<blocks_for(n), kThreads, 0, (cudaStream_t)stream>>>(
            *w, (const T *)x, (const T *)filter, bias, slope, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_bias_activation(int half, void *y, const float *bias, const float *slope,
                                       int64_t rows, int cols, int activation, void *stream)
{
    const int64_t n = rows * cols;
    dispatch(half, n, [&](auto t, auto i) {
        using T = decltype(t);
        using I = decltype(i);
        bias_activation_kernel<T, I><<<blocks_for(n), kThreads, 0, (cudaStream_t)stream>>>(
            (T *)y, bias, slope, (I)n, cols, activation);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_pool(int half, const ft_cuda_window *w, int is_max, const void *x, void *y,
                            void *stream)
{
    const int64_t n = window_outputs(w);
    dispatch(half, n, [&](auto t, auto i) {
        using T = decltype(t);
        pool_kernel<T, decltype(i)><<<blocks_for(n), kThreads, 0, (cudaStream_t)stream>>>(
            *w, is_max, (const T *)x, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_binary(int half, int op_type, int activation, const ft_cuda_broadcast *s,
                              const void *a, const void *b, const float *slope, void *y,
                              void *stream)
{
    int64_t total = 1;
    int a_dense = 1, b_dense = 1, b_channel = s->rank > 0 && s->b_strides[s->rank - 1] == 1;
    for (int d = s->rank - 1; d >= 0; d--) {
        if (s->out_dims[d] != 1) {
            a_dense &= s->a_strides[d] == total;
            b_dense &= s->b_strides[d] == total;
            if (d < s->rank - 1)
                b_channel &= s->b_strides[d] == 0;
        }
        total *= s->out_dims[d];
    }
    cudaStream_t st = (cudaStream_t)stream;
    const int channels = s->rank > 0 ? (int)s->out_dims[s->rank - 1] : 1;
    dispatch(half, total, [&](auto t, auto i) {
        using T = decltype(t);
        using I = decltype(i);
        const unsigned blocks = blocks_for(total);
        if (a_dense && b_dense)
            binary_same_kernel<T, I><<<blocks, kThreads, 0, st>>>(
                op_type, activation, (I)total, channels, (const T *)a, (const T *)b, slope, (T *)y);
        else if (a_dense && b_channel)
            binary_channel_kernel<T, I><<<blocks, kThreads, 0, st>>>(
                op_type, activation, (I)total, channels, (const T *)a, (const T *)b, slope, (T *)y);
        else
            binary_broadcast_kernel<T><<<blocks, kThreads, 0, st>>>(
                op_type, activation, *s, total, (const T *)a, (const T *)b, slope, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_unary_map(int half, const ft_cuda_unary *u, const void *x, void *y,
                                 int64_t count, void *stream)
{
    dispatch(half, count, [&](auto t, auto i) {
        using T = decltype(t);
        using I = decltype(i);
        unary_kernel<T, I><<<blocks_for(count), kThreads, 0, (cudaStream_t)stream>>>(
            *u, (I)count, (const T *)x, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_pad_constant(int half, const ft_cuda_pad *p, const void *x, void *y,
                                    void *stream)
{
    int64_t total = 1;
    for (int d = 0; d < p->rank; d++)
        total *= p->out_dims[d];
    dispatch(half, total, [&](auto t, auto) {
        using T = decltype(t);
        pad_kernel<T><<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(
            *p, total, (const T *)x, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_strided_copy(int half, const ft_cuda_strided *st, const void *x, void *y,
                                    void *stream)
{
    int64_t total = 1;
    for (int d = 0; d < st->rank; d++)
        total *= st->out_dims[d];
    dispatch(half, total, [&](auto t, auto) {
        using T = decltype(t);
        strided_copy_kernel<T><<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(
            *st, total, (const T *)x, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_reduce_run(int half, const ft_cuda_reduce *r, const void *x, void *y,
                                  void *stream)
{
    int64_t total = 1, per_output = 1;
    for (int d = 0; d < r->rank; d++)
        total *= r->out_dims[d];
    for (int d = 0; d < r->reduced_rank; d++)
        per_output *= r->red_dims[d];
    dispatch(half, total, [&](auto t, auto) {
        using T = decltype(t);
        reduce_kernel<T><<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(
            *r, total, per_output, (const T *)x, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_conv_pixel(int half, const ft_cuda_window *w, const void *x,
                                  const float *filter_ko, const float *bias, const float *slope,
                                  void *y, void *stream)
{
    const int64_t n = window_outputs(w);
    const size_t shared = sizeof(float) * (size_t)w->kernel_h * w->kernel_w * w->in_c * w->out_c;
    dispatch(half, n, [&](auto t, auto i) {
        using T = decltype(t);
        conv_pixel_kernel<T, decltype(i), FT_CUDA_VECTOR>
            <<<blocks_for(n / FT_CUDA_VECTOR), kThreads, shared, (cudaStream_t)stream>>>(
                *w, (const T *)x, filter_ko, bias, slope, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_resize_run(int half, const ft_cuda_resize *r, const void *x, void *y,
                                  void *stream)
{
    const int64_t n = (int64_t)r->batch * r->out_h * r->out_w * r->channels;
    const int64_t in = (int64_t)r->batch * r->in_h * r->in_w * r->channels;
    dispatch(half, n > in ? n : in, [&](auto t, auto i) {
        using T = decltype(t);
        resize_kernel<T, decltype(i)><<<blocks_for(n), kThreads, 0, (cudaStream_t)stream>>>(
            *r, (const T *)x, (T *)y);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_pointwise_fits(int in_c, int out_c, int depthwise_window)
{
    return in_c > 0 && out_c > 0 && in_c % 8 == 0 && out_c % 8 == 0 &&
           in_c * out_c < kPointwiseSharedFloats &&
           pointwise_tile(in_c, out_c, depthwise_window * in_c) >= 8;
}

extern "C" int ft_cuda_pointwise_run(int half, const ft_cuda_pointwise *p, const void *x, void *y,
                                     void *stream)
{
    const int widest = p->in_c > p->out_c ? p->in_c : p->out_c;
    const int dw_floats = pointwise_depthwise_floats(p);
    int tile = pointwise_tile(p->in_c, p->out_c, dw_floats);
    if (!ft_cuda_pointwise_fits(p->in_c, p->out_c, dw_floats / (p->in_c ? p->in_c : 1)) ||
        p->pixels * widest >= ((int64_t)1 << 31))
        return (int)cudaErrorInvalidValue;
    // Enough blocks to fill the device when the pixels are few (a batch of
    // one), whole tiles when they are many.
    const int64_t spread = p->pixels / 1024 > 8 ? p->pixels / 1024 : 8;
    if (tile > spread)
        tile = (int)spread;
    const size_t shared =
        sizeof(float) * ((size_t)p->in_c * p->out_c + dw_floats + (size_t)tile * (p->in_c + 1));
    int64_t blocks = (p->pixels + tile - 1) / tile;
    blocks = blocks > 0x7fffffff ? 0x7fffffff : blocks;
    const bool three = p->dw_filter && p->dw.kernel_h == 3 && p->dw.kernel_w == 3;
    cudaStream_t s = (cudaStream_t)stream;
    if (half && three)
        pointwise_kernel<__half, 3><<<(unsigned)blocks, kThreads, shared, s>>>(
            *p, tile, (const __half *)x, (__half *)y);
    else if (half)
        pointwise_kernel<__half, 0><<<(unsigned)blocks, kThreads, shared, s>>>(
            *p, tile, (const __half *)x, (__half *)y);
    else if (three)
        pointwise_kernel<float, 3><<<(unsigned)blocks, kThreads, shared, s>>>(
            *p, tile, (const float *)x, (float *)y);
    else
        pointwise_kernel<float, 0><<<(unsigned)blocks, kThreads, shared, s>>>(
            *p, tile, (const float *)x, (float *)y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_im2col(int half, const ft_cuda_window *w, const void *x, void *columns,
                              void *stream)
{
    const int64_t n = (int64_t)w->batch * w->out_h * w->out_w * w->kernel_h * w->kernel_w * w->in_c;
    dispatch(half, n, [&](auto t, auto i) {
        using T = decltype(t);
        im2col_kernel<T, decltype(i)><<<blocks_for(n), kThreads, 0, (cudaStream_t)stream>>>(
            *w, (const T *)x, (T *)columns);
    });
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_convert(int to_half, const void *x, void *y, int64_t count, void *stream)
{
    cudaStream_t st = (cudaStream_t)stream;
    if (to_half)
        convert_kernel<float, __half><<<blocks_for(count), kThreads, 0, st>>>(
            count, (const float *)x, (__half *)y);
    else
        convert_kernel<__half, float><<<blocks_for(count), kThreads, 0, st>>>(
            count, (const __half *)x, (float *)y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_map_codes(int half, const void *codes, void *y, int64_t count, float scale,
                                 float offset, void *stream)
{
    cudaStream_t st = (cudaStream_t)stream;
    if (half)
        codes_kernel<__half><<<blocks_for(count), kThreads, 0, st>>>(
            count, (const uint8_t *)codes, (__half *)y, scale, offset);
    else
        codes_kernel<float><<<blocks_for(count), kThreads, 0, st>>>(
            count, (const uint8_t *)codes, (float *)y, scale, offset);
    return (int)cudaGetLastError();
}
