// The cuda row's kernels: fp32 storage and accumulation, NHWC. One thread
// per output element with the channel fastest, so that a warp's stores and
// its weight loads are contiguous and its input loads are one broadcast
// (the same pixel for neighbouring channels). The semantics are those of
// the reference kernels (nn/ref_kernels.c), which the tests compare with.
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

__global__ void conv2d_kernel(ft_cuda_window w, const float *__restrict__ x,
                              const float *__restrict__ filter, const float *__restrict__ bias,
                              const float *__restrict__ slope, float *__restrict__ y)
{
    const int64_t total = (int64_t)w.batch * w.out_h * w.out_w * w.out_c;
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const int o = (int)(idx % w.out_c);
        int64_t rest = idx / w.out_c;
        const int ox = (int)(rest % w.out_w);
        rest /= w.out_w;
        const int oy = (int)(rest % w.out_h);
        const int64_t n = rest / w.out_h;
        float acc = bias ? bias[o] : 0.0f;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h)
                continue;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix < 0 || ix >= w.in_w)
                    continue;
                const float *xp =
                    x + ((n * w.in_h + iy) * w.in_w + ix) * w.in_c + (o / w.group_out) * w.group_in;
                const float *fp =
                    filter + ((int64_t)(ky * w.kernel_w + kx) * w.group_in) * w.out_c + o;
                for (int i = 0; i < w.group_in; i++)
                    acc = fmaf(xp[i], fp[(int64_t)i * w.out_c], acc);
            }
        }
        y[idx] = finish(acc, w.activation, slope, o);
    }
}

__global__ void depthwise_kernel(ft_cuda_window w, const float *__restrict__ x,
                                 const float *__restrict__ filter, const float *__restrict__ bias,
                                 const float *__restrict__ slope, float *__restrict__ y)
{
    const int64_t total = (int64_t)w.batch * w.out_h * w.out_w * w.out_c;
    const int multiplier = w.out_c / w.in_c;
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const int o = (int)(idx % w.out_c);
        int64_t rest = idx / w.out_c;
        const int ox = (int)(rest % w.out_w);
        rest /= w.out_w;
        const int oy = (int)(rest % w.out_h);
        const int64_t n = rest / w.out_h;
        const int ic = o / multiplier;
        float acc = bias ? bias[o] : 0.0f;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            if (iy < 0 || iy >= w.in_h)
                continue;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (ix >= 0 && ix < w.in_w)
                    acc = fmaf(x[((n * w.in_h + iy) * w.in_w + ix) * w.in_c + ic],
                               filter[(ky * w.kernel_w + kx) * w.out_c + o], acc);
            }
        }
        y[idx] = finish(acc, w.activation, slope, o);
    }
}

__global__ void bias_activation_kernel(float *y, const float *__restrict__ bias,
                                       const float *__restrict__ slope, int64_t total, int cols,
                                       int act)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const int c = (int)(idx % cols);
        y[idx] = finish(y[idx] + (bias ? bias[c] : 0.0f), act, slope, c);
    }
}

__global__ void pool_kernel(ft_cuda_window w, int is_max, const float *__restrict__ x,
                            float *__restrict__ y)
{
    const int64_t total = (int64_t)w.batch * w.out_h * w.out_w * w.out_c;
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const int c = (int)(idx % w.out_c);
        int64_t rest = idx / w.out_c;
        const int ox = (int)(rest % w.out_w);
        rest /= w.out_w;
        const int oy = (int)(rest % w.out_h);
        const int64_t n = rest / w.out_h;
        float acc = is_max ? -INFINITY : 0.0f;
        int taken = 0;
        for (int ky = 0; ky < w.kernel_h; ky++) {
            const int iy = oy * w.stride_h - w.pad_top + ky;
            for (int kx = 0; kx < w.kernel_w; kx++) {
                const int ix = ox * w.stride_w - w.pad_left + kx;
                if (iy < 0 || iy >= w.in_h || ix < 0 || ix >= w.in_w)
                    continue;
                const float v = x[((n * w.in_h + iy) * w.in_w + ix) * w.in_c + c];
                acc = is_max ? fmaxf(acc, v) : acc + v;
                taken++;
            }
        }
        if (!is_max)
            acc = taken ? acc / (float)taken : 0.0f;
        y[idx] = activate(acc, w.activation);
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
__global__ void binary_same_kernel(int type, int act, int64_t total, int channels,
                                   const float *__restrict__ a, const float *__restrict__ b,
                                   const float *__restrict__ slope, float *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x)
        y[idx] = finish(binary_op(type, a[idx], b[idx]), act, slope, (int)(idx % channels));
}

// B repeats along the last axis only (a per-channel bias, scale or slope).
__global__ void binary_channel_kernel(int type, int act, int64_t total, int channels,
                                      const float *__restrict__ a, const float *__restrict__ b,
                                      const float *__restrict__ slope, float *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const int c = (int)(idx % channels);
        y[idx] = finish(binary_op(type, a[idx], b[c]), act, slope, c);
    }
}

__global__ void binary_broadcast_kernel(int type, int act, ft_cuda_broadcast s, int64_t total,
                                        const float *__restrict__ a, const float *__restrict__ b,
                                        const float *__restrict__ slope, float *__restrict__ y)
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
        y[idx] = finish(binary_op(type, a[ia], b[ib]), act, slope,
                        (int)(idx % s.out_dims[s.rank - 1]));
    }
}

__global__ void unary_kernel(ft_cuda_unary u, int64_t total, const float *__restrict__ x,
                             float *__restrict__ y)
{
    for (int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (int64_t)gridDim.x * blockDim.x) {
        const float v = x[idx];
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
        y[idx] = r;
    }
}

__global__ void pad_kernel(ft_cuda_pad p, int64_t total, const float *__restrict__ x,
                           float *__restrict__ y)
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
        y[idx] = inside ? x[src] : p.value;
    }
}

int64_t window_outputs(const ft_cuda_window *w)
{
    return (int64_t)w->batch * w->out_h * w->out_w * w->out_c;
}

} // namespace

extern "C" int ft_cuda_conv2d(const ft_cuda_window *w, const float *x, const float *filter_hwio,
                              const float *bias, const float *slope, float *y, void *stream)
{
    conv2d_kernel<<<blocks_for(window_outputs(w)), kThreads, 0, (cudaStream_t)stream>>>(
        *w, x, filter_hwio, bias, slope, y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_depthwise(const ft_cuda_window *w, const float *x, const float *filter,
                                 const float *bias, const float *slope, float *y, void *stream)
{
    depthwise_kernel<<<blocks_for(window_outputs(w)), kThreads, 0, (cudaStream_t)stream>>>(
        *w, x, filter, bias, slope, y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_bias_activation(float *y, const float *bias, const float *slope,
                                       int64_t rows, int cols, int activation, void *stream)
{
    const int64_t total = rows * cols;
    bias_activation_kernel<<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(
        y, bias, slope, total, cols, activation);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_pool(const ft_cuda_window *w, int is_max, const float *x, float *y,
                            void *stream)
{
    pool_kernel<<<blocks_for(window_outputs(w)), kThreads, 0, (cudaStream_t)stream>>>(*w, is_max,
                                                                                      x, y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_binary(int op_type, int activation, const ft_cuda_broadcast *s,
                              const float *a, const float *b, const float *slope, float *y,
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
    if (a_dense && b_dense)
        binary_same_kernel<<<blocks_for(total), kThreads, 0, st>>>(op_type, activation, total,
                                                                   channels, a, b, slope, y);
    else if (a_dense && b_channel)
        binary_channel_kernel<<<blocks_for(total), kThreads, 0, st>>>(
            op_type, activation, total, channels, a, b, slope, y);
    else
        binary_broadcast_kernel<<<blocks_for(total), kThreads, 0, st>>>(op_type, activation, *s,
                                                                        total, a, b, slope, y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_unary_map(const ft_cuda_unary *u, const float *x, float *y, int64_t count,
                                 void *stream)
{
    unary_kernel<<<blocks_for(count), kThreads, 0, (cudaStream_t)stream>>>(*u, count, x, y);
    return (int)cudaGetLastError();
}

extern "C" int ft_cuda_pad_constant(const ft_cuda_pad *p, const float *x, float *y, void *stream)
{
    int64_t total = 1;
    for (int d = 0; d < p->rank; d++)
        total *= p->out_dims[d];
    pad_kernel<<<blocks_for(total), kThreads, 0, (cudaStream_t)stream>>>(*p, total, x, y);
    return (int)cudaGetLastError();
}
