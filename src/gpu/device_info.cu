// CUDA build: device queries through the runtime API. Without a driver or a
// device the runtime returns an error, which we report as zero devices.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <dlfcn.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "gpu/device_info.h"

// nvcc lists the architectures it compiles this file for (the whole target
// shares cmake's CUDA_ARCHITECTURES), e.g. 800,900.
#define FT_STR2(...) #__VA_ARGS__
#define FT_STR(...) FT_STR2(__VA_ARGS__)
#ifdef __CUDA_ARCH_LIST__
static const char arch_list[] = FT_STR(__CUDA_ARCH_LIST__);
#else
static const char arch_list[] = "";
#endif

// Loading this kernel's attributes tells whether the build has an image
// the device can run (machine code for its architecture, or PTX it JITs).
__global__ void ft_gpu_probe_kernel(int *out)
{
    if (out)
        *out = 1;
}

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

extern "C" void ft_gpu_count_error(char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        cudaGetLastError();
        std::snprintf(buf, size, "%s", cudaGetErrorString(e));
    } else {
        std::snprintf(buf, size, "%s", count ? "" : "the driver lists no device");
    }
}

extern "C" int ft_gpu_device_name(int device, char *buf, size_t size)
{
    cudaDeviceProp prop;
    if (!buf || size == 0 || cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    std::snprintf(buf, size, "%s, %zu MiB, sm_%d%d", prop.name,
                  prop.totalGlobalMem >> 20, prop.major, prop.minor);
    return 0;
}

extern "C" int ft_gpu_driver_version(void)
{
    int v = 0;
    if (cudaDriverGetVersion(&v) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return v;
}

extern "C" int ft_gpu_runtime_version(void)
{
    int v = 0;
    if (cudaRuntimeGetVersion(&v) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return v;
}

extern "C" const char *ft_gpu_archs(void)
{
    // "800,900" -> "80,90", once (thread-safe static initialisation).
    static char archs[128];
    static const bool done = [] {
        size_t used = 0;
        for (const char *p = arch_list; *p && used + 8 < sizeof archs;) {
            const int arch = std::atoi(p);
            used += (size_t)std::snprintf(archs + used, sizeof archs - used, "%s%d",
                                          used ? "," : "", arch / 10);
            p += std::strcspn(p, ",");
            p += *p == ',';
        }
        return true;
    }();
    (void)done;
    return archs;
}

extern "C" int ft_gpu_device_props(int device, ft_gpu_props *out)
{
    cudaDeviceProp prop;
    if (!out || device < 0 || cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    std::memset(out, 0, sizeof *out);
    std::snprintf(out->name, sizeof out->name, "%s", prop.name);
    std::snprintf(out->pci_bus_id, sizeof out->pci_bus_id, "%04x:%02x:%02x.0",
                  (unsigned)prop.pciDomainID, (unsigned)prop.pciBusID, (unsigned)prop.pciDeviceID);
    out->cc_major = prop.major;
    out->cc_minor = prop.minor;
    out->total_bytes = (long long)prop.totalGlobalMem;
    return 0;
}

extern "C" int ft_gpu_select(int device)
{
    if (cudaSetDevice(device) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    return 0;
}

extern "C" int ft_gpu_device_memory(int device, long long *free_bytes, long long *total_bytes)
{
    int previous = 0;
    size_t f = 0, t = 0;
    if (cudaGetDevice(&previous) != cudaSuccess || cudaSetDevice(device) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    const cudaError_t e = cudaMemGetInfo(&f, &t);
    cudaSetDevice(previous);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    if (free_bytes)
        *free_bytes = (long long)f;
    if (total_bytes)
        *total_bytes = (long long)t;
    return 0;
}

extern "C" int ft_gpu_device_kernels(int device, char *why, size_t why_size)
{
    char none[1];
    if (!why || why_size == 0) {
        why = none;
        why_size = sizeof none;
    }
    int previous = 0;
    if (cudaGetDevice(&previous) != cudaSuccess || cudaSetDevice(device) != cudaSuccess) {
        cudaGetLastError();
        std::snprintf(why, why_size, "no device %d", device);
        return -1;
    }
    cudaFuncAttributes attr;
    const cudaError_t e = cudaFuncGetAttributes(&attr, ft_gpu_probe_kernel);
    cudaSetDevice(previous);
    if (e == cudaErrorNoKernelImageForDevice || e == cudaErrorInvalidDeviceFunction) {
        cudaGetLastError();
        std::snprintf(why, why_size, "no kernel image for this GPU (%s)", cudaGetErrorString(e));
        return 0;
    }
    if (e != cudaSuccess) {
        cudaGetLastError();
        std::snprintf(why, why_size, "cannot load the kernels: %s", cudaGetErrorString(e));
        return -1;
    }
    // binaryVersion: the architecture of the machine code that runs. When
    // the build has none for this chip's family the driver compiles our PTX
    // for it, and the version is the chip's own, absent from the list.
    char built[16];
    std::snprintf(built, sizeof built, "%d", attr.binaryVersion);
    int native = 0;
    for (const char *p = ft_gpu_archs(); *p;) {
        const size_t n = std::strcspn(p, ",");
        native |= n == std::strlen(built) && std::strncmp(p, built, n) == 0;
        p += n + (p[n] == ',');
    }
    if (native)
        std::snprintf(why, why_size, "machine code for sm_%d", attr.binaryVersion);
    else
        std::snprintf(why, why_size, "PTX of compute_%d compiled by the driver", attr.ptxVersion);
    return 1;
}

extern "C" int ft_gpu_cublas_version(int *major, int *minor, int *patch)
{
    int v[3] = {0, 0, 0};
    if (cublasGetProperty(MAJOR_VERSION, &v[0]) != CUBLAS_STATUS_SUCCESS ||
        cublasGetProperty(MINOR_VERSION, &v[1]) != CUBLAS_STATUS_SUCCESS ||
        cublasGetProperty(PATCH_LEVEL, &v[2]) != CUBLAS_STATUS_SUCCESS)
        return -1;
    if (major)
        *major = v[0];
    if (minor)
        *minor = v[1];
    if (patch)
        *patch = v[2];
    return 0;
}

extern "C" int ft_gpu_cublas_path(char *buf, size_t size)
{
    // The loader chose it (LD_LIBRARY_PATH, RUNPATH, the cache): say which.
    Dl_info info;
    if (!buf || size == 0 || !dladdr((void *)&cublasGetProperty, &info) || !info.dli_fname)
        return -1;
    std::snprintf(buf, size, "%s", info.dli_fname);
    return 0;
}
