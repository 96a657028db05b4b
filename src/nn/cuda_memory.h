/* What the cuda row holds on each device, process-wide: every allocation
 * goes through here, so a cap (STEP5_GPU_MAX_VRAM_MB) holds whatever number
 * of sessions and workers share the device, and the weights of a model are
 * on each device once, shared by all the plans and sessions that run it. */
#ifndef FT_NN_CUDA_MEMORY_H
#define FT_NN_CUDA_MEMORY_H

#include <stddef.h>

#include "facetrack.h"

/* Device memory the cuda row may hold on each device; 0: no cap. */
void ft_cuda_memory_set_limit(size_t bytes);
size_t ft_cuda_memory_limit(void);
/* Bytes the cuda row holds on DEVICE now, and the most it ever held. */
size_t ft_cuda_memory_in_use(int device);
size_t ft_cuda_memory_peak(int device);

/* BYTES on DEVICE (the calling thread's current device). FT_ERR_NOMEM with
 * one line in WHY when the cap or the device refuses. */
ft_status ft_cuda_memory_alloc(int device, size_t bytes, void **out, char *why, size_t why_size);
void ft_cuda_memory_free(int device, void *pointer, size_t bytes);

/* Writes a constant's device layout (BYTES of it) from its host data. */
typedef void (*ft_cuda_layout_fn)(const void *host, void *out, const void *context);

/* The device copy of the constant at HOST (BYTES) on DEVICE, in the layout
 * that LAYOUT writes (NULL: as it is), uploaded the first time it is asked
 * for; LAYOUT_ID tells layouts of the same data apart. Each acquire is
 * matched by one release. */
ft_status ft_cuda_weights_acquire(int device, const void *host, size_t bytes, int layout_id,
                                  ft_cuda_layout_fn layout, const void *context, void **out,
                                  char *why, size_t why_size);
void ft_cuda_weights_release(int device, const void *device_copy);

#endif
