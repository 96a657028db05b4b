// CUDA build: device queries through the runtime API. Without a driver or a
// device the runtime returns an error, which we report as zero devices.
#include <cstdio>

#include <cuda_runtime.h>

#include "gpu/device_info.h"

extern "C" int ft_gpu_built(void)
{
    return 1;
}

extern "C" int ft_gpu_device_count(void)
{
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        cudaGetLastError(); // clear the sticky error for later callers
        return 0;
    }
    return count;
}

extern "C" int ft_gpu_device_name(int device, char *buf, size_t size)
{
    cudaDeviceProp prop;
    if (!buf || size == 0 || cudaGetDeviceProperties(&prop, device) != cudaSuccess)
        return -1;
    std::snprintf(buf, size, "%s, %zu MiB, sm_%d%d", prop.name,
                  prop.totalGlobalMem >> 20, prop.major, prop.minor);
    return 0;
}
