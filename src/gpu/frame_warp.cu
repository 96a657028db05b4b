// The model warps on the GPU, from pictures NVDEC left there (see
// frame_warp.h). The arithmetic is face/nv12_warp.h's, compiled for the
// device: the same bits as ft_nv12_to_tensor on the host.
#include <cstdio>
#include <cstdlib>

#include <pthread.h>

#include <cuda_runtime.h>

#include "gpu/frame_warp.h"

namespace {

const int max_batch = 16; // tensors per launch: their geometries travel as kernel parameters

struct geometries {
    ft_warp_geometry g[max_batch];
};

__global__ void warp_nv12_kernel(ft_nv12_view picture, geometries batch, float *out,
                                 uint8_t *codes)
{
    const ft_warp_geometry *g = &batch.g[blockIdx.z];
    const int x = blockIdx.x * blockDim.x + threadIdx.x;
    const int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= g->width || y >= g->height)
        return;
    const size_t at =
        3 * ((size_t)blockIdx.z * g->height * g->width + (size_t)y * g->width + (size_t)x);
    ft_nv12_warp_pixel(&picture, g, x, y, out ? out + at : nullptr, codes ? codes + at : nullptr);
}

// A thread's stream and scratch tensors on one device.
struct scratch {
    int device;
    cudaStream_t stream;
    void *tensors;
    size_t capacity;
};

pthread_key_t scratch_key;
pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

void scratch_free(void *p)
{
    scratch *s = static_cast<scratch *>(p);
    if (!s)
        return;
    int previous = 0;
    const bool switched = cudaGetDevice(&previous) == cudaSuccess && previous != s->device &&
                          cudaSetDevice(s->device) == cudaSuccess;
    cudaFree(s->tensors);
    cudaStreamDestroy(s->stream);
    if (switched)
        cudaSetDevice(previous);
    cudaGetLastError();
    std::free(s);
}

void make_key()
{
    pthread_key_create(&scratch_key, scratch_free);
}

// The calling thread's scratch on DEVICE, made current, with room for
// BYTES; NULL with ERR.
scratch *scratch_for(int device, size_t bytes, char *err, size_t err_size)
{
    pthread_once(&scratch_once, make_key);
    scratch *s = static_cast<scratch *>(pthread_getspecific(scratch_key));
    if (s && s->device != device) {
        scratch_free(s);
        pthread_setspecific(scratch_key, nullptr);
        s = nullptr;
    }
    cudaError_t e = cudaSetDevice(device);
    if (e == cudaSuccess && !s) {
        s = static_cast<scratch *>(std::calloc(1, sizeof *s));
        if (!s) {
            std::snprintf(err, err_size, "out of memory");
            return nullptr;
        }
        s->device = device;
        e = cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking);
        if (e != cudaSuccess) {
            std::free(s);
            s = nullptr;
        } else {
            pthread_setspecific(scratch_key, s);
        }
    }
    if (e == cudaSuccess && s->capacity < bytes) {
        cudaFree(s->tensors);
        s->tensors = nullptr;
        s->capacity = 0;
        if ((e = cudaMalloc(&s->tensors, bytes)) == cudaSuccess)
            s->capacity = bytes;
    }
    if (e != cudaSuccess) {
        cudaGetLastError();
        std::snprintf(err, err_size, "GPU %d: %s", device, cudaGetErrorString(e));
        return nullptr;
    }
    return s;
}

} // namespace

extern "C" ft_status ft_gpu_warp_nv12(const ft_gpu_picture *picture, const ft_warp_geometry *g,
                                      int count, float *out, uint8_t *codes, char *err,
                                      size_t err_size)
{
    if (!picture || !g || count < 0 || (!out && !codes))
        return FT_ERR_INVALID_ARG;
    if (count == 0)
        return FT_OK;
    const int w = g[0].width, h = g[0].height;
    for (int i = 1; i < count; i++)
        if (g[i].width != w || g[i].height != h)
            return FT_ERR_INVALID_ARG;
    const size_t item = (size_t)w * h * 3 * (out ? sizeof(float) : 1);
    scratch *s = scratch_for(picture->device, item * count, err, err_size);
    if (!s)
        return FT_ERR_NO_DEVICE;
    const dim3 block(32, 8);
    cudaError_t e = cudaSuccess;
    for (int done = 0; done < count && e == cudaSuccess;) {
        const int n = count - done < max_batch ? count - done : max_batch;
        geometries batch;
        for (int i = 0; i < n; i++)
            batch.g[i] = g[done + i];
        const dim3 grid((w + block.x - 1) / block.x, (h + block.y - 1) / block.y, n);
        char *at = static_cast<char *>(s->tensors) + item * done;
        warp_nv12_kernel<<<grid, block, 0, s->stream>>>(
            picture->view, batch, out ? reinterpret_cast<float *>(at) : nullptr,
            out ? nullptr : reinterpret_cast<uint8_t *>(at));
        e = cudaGetLastError();
        done += n;
    }
    if (e == cudaSuccess)
        e = cudaMemcpyAsync(out ? static_cast<void *>(out) : static_cast<void *>(codes), s->tensors,
                            item * count, cudaMemcpyDeviceToHost, s->stream);
    if (e == cudaSuccess)
        e = cudaStreamSynchronize(s->stream);
    if (e != cudaSuccess) {
        cudaGetLastError();
        std::snprintf(err, err_size, "GPU %d: warping a picture: %s", picture->device,
                      cudaGetErrorString(e));
        return FT_ERR_NO_DEVICE;
    }
    return FT_OK;
}

// Pictures come and go with every range a worker decodes ahead: from the
// device's stream-ordered pool, which keeps what is freed for the next
// allocation (cudaFree would wait for the whole device, every worker's
// runs included).
extern "C" void *ft_gpu_picture_alloc(int device, size_t bytes)
{
    char err[160];
    scratch *s = scratch_for(device, 0, err, sizeof err);
    if (!s)
        return nullptr;
    static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
    pthread_once(&pool_once, [] {
        int count = 0;
        cudaGetDeviceCount(&count);
        for (int d = 0; d < count; d++) {
            cudaMemPool_t pool;
            unsigned long long keep = ~0ull; // the threshold is a cuuint64_t
            if (cudaDeviceGetDefaultMemPool(&pool, d) == cudaSuccess)
                cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
        }
        cudaGetLastError();
    });
    void *p = nullptr;
    if (cudaMallocAsync(&p, bytes, s->stream) != cudaSuccess ||
        cudaStreamSynchronize(s->stream) != cudaSuccess) {
        cudaGetLastError();
        return nullptr;
    }
    return p;
}

extern "C" void ft_gpu_picture_free(int device, void *p)
{
    if (!p)
        return;
    char err[160];
    scratch *s = scratch_for(device, 0, err, sizeof err);
    if (s && cudaFreeAsync(p, s->stream) == cudaSuccess)
        cudaStreamSynchronize(s->stream);
    cudaGetLastError();
}

extern "C" ft_status ft_gpu_picture_copy(int device, void *dst, size_t dst_pitch, const void *src,
                                         size_t src_pitch, size_t width, size_t rows)
{
    char err[160];
    scratch *s = scratch_for(device, 0, err, sizeof err);
    if (!s)
        return FT_ERR_NO_DEVICE;
    cudaError_t e = cudaMemcpy2DAsync(dst, dst_pitch, src, src_pitch, width, rows,
                                      cudaMemcpyDefault, s->stream);
    if (e == cudaSuccess)
        e = cudaStreamSynchronize(s->stream);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return FT_ERR_NO_DEVICE;
    }
    return FT_OK;
}
