/* NVIDIA's management library (libnvidia-ml.so.1, part of the driver),
 * opened with dlopen when first needed: the driver's version, and each
 * GPU's utilisation and memory without creating a CUDA context. Absent
 * library or driver: every call says so, nothing fails harder. */
#ifndef FT_GPU_NVML_PROBE_H
#define FT_GPU_NVML_PROBE_H

#include <stddef.h>

/* 1 when libnvidia-ml.so.1 loaded and initialised. Thread-safe. */
int ft_nvml_available(void);
/* "580.159.04" into BUF; 0 on success. */
int ft_nvml_driver_version(char *buf, size_t size);

typedef struct ft_nvml_stats {
    int utilization_known;
    int gpu_percent;    /* kernels running, over the last sample period */
    int memory_percent; /* memory read or written, over the same period */
    int memory_known;
    long long total_bytes, used_bytes, free_bytes;
} ft_nvml_stats;

/* The GPU at PCI address BUS_ID ("0000:41:00.0", as CUDA names it: CUDA
 * and NVML may number devices differently); 0 when NVML knows it. Fields
 * it cannot read are left unknown. */
int ft_nvml_device_stats(const char *bus_id, ft_nvml_stats *out);

#endif
