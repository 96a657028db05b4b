/* What the CUDA part of the build can see. Always safe to call: without a
 * CUDA build, a driver or a device, it reports none. */
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

#ifdef __cplusplus
}
#endif
#endif
