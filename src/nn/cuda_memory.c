#include "nn/cuda_memory.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime.h>

#define MAX_DEVICES 64
#define MIB (1024.0 * 1024.0)

typedef struct weight_copy {
    int device, layout_id;
    const void *host;
    size_t bytes;
    void *copy;
    int refs;
} weight_copy;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t limit_bytes;
static size_t in_use[MAX_DEVICES], peak[MAX_DEVICES];
static weight_copy *weights;
static int weight_count, weight_capacity;

static int valid_device(int device)
{
    return device >= 0 && device < MAX_DEVICES;
}

void ft_cuda_memory_set_limit(size_t bytes)
{
    pthread_mutex_lock(&lock);
    limit_bytes = bytes;
    pthread_mutex_unlock(&lock);
}

size_t ft_cuda_memory_limit(void)
{
    pthread_mutex_lock(&lock);
    const size_t v = limit_bytes;
    pthread_mutex_unlock(&lock);
    return v;
}

size_t ft_cuda_memory_in_use(int device)
{
    if (!valid_device(device))
        return 0;
    pthread_mutex_lock(&lock);
    const size_t v = in_use[device];
    pthread_mutex_unlock(&lock);
    return v;
}

size_t ft_cuda_memory_peak(int device)
{
    if (!valid_device(device))
        return 0;
    pthread_mutex_lock(&lock);
    const size_t v = peak[device];
    pthread_mutex_unlock(&lock);
    return v;
}

ft_status ft_cuda_memory_alloc(int device, size_t bytes, void **out, char *why, size_t why_size)
{
    *out = NULL;
    if (!valid_device(device)) {
        snprintf(why, why_size, "no CUDA device %d", device);
        return FT_ERR_INVALID_ARG;
    }
    if (bytes == 0)
        bytes = 1;
    /* Counted before the allocation, so that two threads cannot both pass
     * the cap with the last megabytes. */
    pthread_mutex_lock(&lock);
    const size_t held = in_use[device];
    const int over = limit_bytes && held + bytes > limit_bytes;
    if (!over)
        in_use[device] += bytes;
    pthread_mutex_unlock(&lock);
    if (over) {
        snprintf(why, why_size,
                 "GPU memory cap of %.0f MiB reached on device %d (%.1f MiB in use, %.1f MiB "
                 "more needed): raise STEP5_GPU_MAX_VRAM_MB or run fewer videos at once",
                 (double)limit_bytes / MIB, device, (double)held / MIB, (double)bytes / MIB);
        return FT_ERR_NOMEM;
    }
    const cudaError_t e = cudaMalloc(out, bytes);
    pthread_mutex_lock(&lock);
    if (e != cudaSuccess)
        in_use[device] -= bytes;
    else if (in_use[device] > peak[device])
        peak[device] = in_use[device];
    pthread_mutex_unlock(&lock);
    if (e != cudaSuccess) {
        cudaGetLastError(); /* not sticky for the next call */
        *out = NULL;
        snprintf(why, why_size, "device %d cannot give %.1f MiB: %s", device,
                 (double)bytes / MIB, cudaGetErrorString(e));
        return e == cudaErrorMemoryAllocation ? FT_ERR_NOMEM : FT_ERR_INTERNAL;
    }
    return FT_OK;
}

void ft_cuda_memory_free(int device, void *pointer, size_t bytes)
{
    if (!pointer || !valid_device(device))
        return;
    cudaFree(pointer);
    pthread_mutex_lock(&lock);
    in_use[device] -= bytes ? bytes : 1;
    pthread_mutex_unlock(&lock);
}

static weight_copy *find_copy(int device, const void *host, int layout_id)
{
    for (int i = 0; i < weight_count; i++)
        if (weights[i].device == device && weights[i].host == host &&
            weights[i].layout_id == layout_id)
            return &weights[i];
    return NULL;
}

static int grow_weights(void)
{
    if (weight_count < weight_capacity)
        return 0;
    const int capacity = weight_capacity ? 2 * weight_capacity : 64;
    weight_copy *grown = realloc(weights, sizeof *grown * (size_t)capacity);
    if (!grown)
        return -1;
    weights = grown;
    weight_capacity = capacity;
    return 0;
}

/* The upload runs outside the lock (it takes milliseconds); two sessions
 * that open at once may both upload, and the second copy is dropped.
 * Uploads happen when plans are made, never per frame. */
ft_status ft_cuda_weights_acquire(int device, const void *host, size_t bytes, int layout_id,
                                  ft_cuda_layout_fn layout, const void *context, void **out,
                                  char *why, size_t why_size)
{
    *out = NULL;
    pthread_mutex_lock(&lock);
    weight_copy *w = find_copy(device, host, layout_id);
    if (w) {
        w->refs++;
        *out = w->copy;
    }
    pthread_mutex_unlock(&lock);
    if (*out)
        return FT_OK;

    void *staging = NULL;
    if (layout && !(staging = malloc(bytes ? bytes : 1))) {
        snprintf(why, why_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    if (layout)
        layout(host, staging, context);
    void *copy = NULL;
    ft_status st = ft_cuda_memory_alloc(device, bytes, &copy, why, why_size);
    if (st == FT_OK) {
        const cudaError_t e = cudaMemcpy(copy, staging ? staging : host, bytes,
                                         cudaMemcpyHostToDevice);
        if (e != cudaSuccess) {
            snprintf(why, why_size, "upload to device %d: %s", device, cudaGetErrorString(e));
            st = FT_ERR_INTERNAL;
        }
    }
    free(staging);

    void *dropped = st == FT_OK ? NULL : copy;
    pthread_mutex_lock(&lock);
    if (st == FT_OK && (w = find_copy(device, host, layout_id))) {
        w->refs++; /* another thread's upload won */
        dropped = copy;
        *out = w->copy;
    } else if (st == FT_OK && grow_weights() != 0) {
        snprintf(why, why_size, "out of memory");
        dropped = copy;
        st = FT_ERR_NOMEM;
    } else if (st == FT_OK) {
        weights[weight_count++] = (weight_copy){device, layout_id, host, bytes, copy, 1};
        *out = copy;
    }
    pthread_mutex_unlock(&lock);
    ft_cuda_memory_free(device, dropped, bytes);
    return st;
}

void ft_cuda_weights_release(int device, const void *device_copy)
{
    if (!device_copy)
        return;
    void *freed = NULL;
    size_t bytes = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < weight_count; i++) {
        weight_copy *w = &weights[i];
        if (w->device != device || w->copy != device_copy)
            continue;
        if (--w->refs == 0) {
            freed = w->copy;
            bytes = w->bytes;
            weights[i] = weights[--weight_count];
        }
        break;
    }
    pthread_mutex_unlock(&lock);
    if (freed)
        ft_cuda_memory_free(device, freed, bytes);
}
