/* One line saying what the CUDA part can use now, the same wherever
 * facetrack reports it (--version, /api/version, /api/system, doctor). */
#ifndef FT_GPU_GPU_SUMMARY_H
#define FT_GPU_GPU_SUMMARY_H

#include <stddef.h>

/* Into BUF, one of:
 *   "not built"
 *   "built, no GPU found (no NVIDIA driver)"
 *   "built, no GPU found (driver supports CUDA 12.2, this build needs 13.0)"
 *   "built, no GPU found"
 *   "1 GPU (NVIDIA H100 80GB HBM3, 79 GiB free)"
 *   "2 GPUs (NVIDIA A100-SXM4-80GB, 80 GiB; Tesla T4, 15 GiB, no kernels for sm_75)"
 * Free memory comes from NVML, else, when ALLOW_CONTEXT, from the CUDA
 * runtime (which holds a context on each GPU for the process' life: not
 * for long-running services); else the total is given. Returns the number
 * of GPUs this build has kernels for. */
int ft_gpu_summary(char *buf, size_t size, int allow_context);

/* 1 when this build has kernels for compute capability MAJOR.MINOR: machine
 * code for its family or PTX of an older architecture. */
int ft_gpu_cc_has_kernels(int major, int minor);

#endif
