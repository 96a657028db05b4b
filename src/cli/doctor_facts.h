/* What facetrack doctor finds on this machine, gathered once: the build,
 * the NVIDIA driver and libraries, each GPU, the default models and the
 * inference check. cmd_doctor.c judges and prints them. */
#ifndef FT_CLI_DOCTOR_FACTS_H
#define FT_CLI_DOCTOR_FACTS_H

#include <limits.h>

#include "cli/doctor_inference.h"
#include "gpu/device_info.h"
#include "gpu/driver_libs.h"
#include "gpu/nvml_probe.h"
#include "models/model_check.h"

#define FT_DOCTOR_MAX_GPUS 16
#define FT_DOCTOR_ROLES 5

typedef struct ft_doctor_gpu {
    int index;
    int props_ok;
    ft_gpu_props props;
    int memory_ok;
    long long free_bytes, total_bytes;
    int kernels; /* 1 yes, 0 none for its architecture, -1 unknown */
    char kernels_detail[160];
    int nvml_ok;
    ft_nvml_stats nvml;
    ft_gpu_nvdec nvdec;
    /* 1080p H.264 decoders open at once, counted up to
     * FT_DOCTOR_NVDEC_SESSIONS; -1: not counted (WHY) */
    int nvdec_sessions;
    char nvdec_sessions_why[160];
    ft_doctor_run inference; /* backend NULL when not run */
} ft_doctor_gpu;

#define FT_DOCTOR_NVDEC_SESSIONS 64

typedef struct ft_doctor_model {
    const char *role;  /* "detector", ..., "inference check" */
    const char *needs; /* what facetrack does with it */
    int required;      /* tracking needs it */
    const char *get;   /* the command that installs it */
    const ft_model_info *info; /* NULL when missing */
    char spec[PATH_MAX + 64];  /* the model as loaded (bundle:member) */
    ft_model_found found;
} ft_doctor_model;

typedef struct ft_doctor_facts {
    int cuda_built;
    int runtime_version, driver_version; /* CUDA's encoding; 0 none */
    char summary[1024];                  /* the --version line */
    int libcuda;
    int kernel_driver_found;
    char kernel_driver[96];
    const char *kernel_driver_source;
    int device_count;
    char count_error[256];
    int requested_device; /* --device N, or -1 */
    int cublas_ok, cublas[3];
    char cublas_path[512];
    ft_gpu_library cudnn;
    ft_gpu_nvdec nvdec; /* the library alone, when no GPU is examined */
    int nvml;
    int gpu_count; /* examined */
    ft_doctor_gpu gpus[FT_DOCTOR_MAX_GPUS];
    ft_doctor_model models[FT_DOCTOR_ROLES];
    /* The inference check on the CPU rows. */
    char inference_spec[PATH_MAX + 64]; /* "" when no model */
    char inference_error[512];
    ft_doctor_run reference, xnnpack;
} ft_doctor_facts;

/* Fills FACTS; DEVICE >= 0 examines that GPU alone (it must exist). */
void ft_doctor_gather(ft_doctor_facts *facts, int device);

#endif
