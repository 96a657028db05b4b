/* CPU-only build: there is no GPU to report. */
#include "gpu/device_info.h"

int ft_gpu_built(void)
{
    return 0;
}

int ft_gpu_device_count(void)
{
    return 0;
}

int ft_gpu_device_name(int device, char *buf, size_t size)
{
    (void)device;
    if (buf && size)
        buf[0] = '\0';
    return -1;
}

int ft_gpu_driver_version(void)
{
    return 0;
}

int ft_gpu_runtime_version(void)
{
    return 0;
}

void ft_gpu_count_error(char *buf, size_t size)
{
    if (buf && size)
        buf[0] = '\0';
}

const char *ft_gpu_archs(void)
{
    return "";
}

int ft_gpu_device_props(int device, ft_gpu_props *out)
{
    (void)device;
    (void)out;
    return -1;
}

int ft_gpu_device_memory(int device, long long *free_bytes, long long *total_bytes)
{
    (void)device;
    (void)free_bytes;
    (void)total_bytes;
    return -1;
}

int ft_gpu_device_kernels(int device, char *why, size_t why_size)
{
    (void)device;
    if (why && why_size)
        why[0] = '\0';
    return -1;
}

int ft_gpu_select(int device)
{
    (void)device;
    return -1;
}

int ft_gpu_cublas_version(int *major, int *minor, int *patch)
{
    (void)major;
    (void)minor;
    (void)patch;
    return -1;
}

int ft_gpu_cublas_path(char *buf, size_t size)
{
    if (buf && size)
        buf[0] = '\0';
    return -1;
}
