/* What the CUDA part of the build can see. Always safe to call: without a
 * CUDA build, a driver or a device, it reports none. Only
 * ft_gpu_device_memory, ft_gpu_device_kernels and ft_gpu_select create a
 * device's context (memory held on the GPU for the process' life); the rest
 * only ask the driver. */
#ifndef FT_GPU_DEVICE_INFO_H
#define FT_GPU_DEVICE_INFO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this library was built with its CUDA part. */
int ft_gpu_built(void);
/* Number of usable CUDA devices; 0 when none or no driver. */
int ft_gpu_device_count(void);
/* "NVIDIA H100 80GB HBM3, 79 GiB, sm_90" into BUF; 0 on success. */
int ft_gpu_device_name(int device, char *buf, size_t size);

/* CUDA versions as the runtime encodes them (1000 * major + 10 * minor):
 * the newest the installed driver supports (0: no driver), and the
 * runtime this build links (0: built without CUDA). */
int ft_gpu_driver_version(void);
int ft_gpu_runtime_version(void);
/* Why ft_gpu_device_count is 0, in the runtime's words, into BUF ("" when
 * there are devices or without CUDA). */
void ft_gpu_count_error(char *buf, size_t size);
/* The GPU architectures this build has kernels for, "80,90" (machine code
 * for each, and PTX that newer chips compile); "" without CUDA. */
const char *ft_gpu_archs(void);

typedef struct ft_gpu_props {
    char name[256];
    char pci_bus_id[32]; /* "0000:41:00.0": how NVML names the same device */
    int cc_major, cc_minor;
    long long total_bytes;
} ft_gpu_props;

/* DEVICE's properties; 0 on success, -1 for no such device. */
int ft_gpu_device_props(int device, ft_gpu_props *out);
/* Free and total device memory; 0 on success. Creates the context. */
int ft_gpu_device_memory(int device, long long *free_bytes, long long *total_bytes);
/* 1 when this build's kernels load on DEVICE, 0 when none fits its
 * architecture, -1 when it cannot tell; WHY (may be NULL) says which image
 * (machine code or PTX) or why not. Creates the context. */
int ft_gpu_device_kernels(int device, char *why, size_t why_size);
/* Makes DEVICE current for the calling thread: the cuda inference row runs
 * on the current device. 0 on success. */
int ft_gpu_select(int device);
/* The cuBLAS library loaded (the cuda row's products); 0 on success, -1
 * without CUDA. */
int ft_gpu_cublas_version(int *major, int *minor, int *patch);
/* The file cuBLAS was loaded from into BUF; 0 on success. */
int ft_gpu_cublas_path(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
