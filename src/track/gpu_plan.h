/* Whether `track` runs its engines on GPUs, and on which: the original
 * STEP5's rules (STEP5_ENABLE_GPU, STEP5_GPU_ENGINES, TRACKING_DISABLE_GPU,
 * STEP5_GPU_FALLBACK_AUTO) for every engine, where the original allowed
 * only InsightFace. */
#ifndef FT_TRACK_GPU_PLAN_H
#define FT_TRACK_GPU_PLAN_H

#include <stddef.h>

#include "track/track_config.h"

typedef struct ft_gpu_plan {
    int first, count; /* workers go round-robin over devices first .. first + count - 1;
                         count 0: every worker on the CPU */
} ft_gpu_plan;

typedef enum ft_gpu_decision {
    FT_GPU_NOT_ASKED,  /* CPU, nothing to say */
    FT_GPU_GRANTED,    /* PLAN names the devices */
    FT_GPU_NOT_LISTED, /* CPU: the engine is not in STEP5_GPU_ENGINES */
    FT_GPU_FALLBACK,   /* CPU: no usable GPU, and STEP5_GPU_FALLBACK_AUTO=1 */
    FT_GPU_REFUSED     /* no usable GPU, and STEP5_GPU_FALLBACK_AUTO=0 */
} ft_gpu_decision;

/* Decides for CONFIG's engine; WHY gets the reason a GPU cannot be used
 * (FALLBACK, REFUSED). The device memory cap of STEP5_GPU_MAX_VRAM_MB is set
 * when granted. */
ft_gpu_decision ft_gpu_plan_decide(const ft_track_config *config, ft_gpu_plan *plan, char *why,
                                   size_t why_size);

/* The same decision, made in a child process: CUDA does not survive a
 * fork, so a process that forks workers afterwards must not have touched
 * it. A probe that cannot run counts as no usable GPU. */
ft_gpu_decision ft_gpu_plan_decide_apart(const ft_track_config *config, ft_gpu_plan *plan,
                                         char *why, size_t why_size);

#endif
