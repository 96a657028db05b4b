/* Pictures that stay on the GPU they were decoded on: the model warps read
 * them there (face/nv12_warp.h's arithmetic, as a CUDA kernel) and only the
 * small tensors come back; and copies of them, for frames decoded ahead.
 * Each calling thread gets a CUDA stream and scratch memory of its own on
 * first use, freed when the thread ends. Without the CUDA part of the
 * build every call fails with FT_ERR_UNSUPPORTED. */
#ifndef FT_GPU_FRAME_WARP_H
#define FT_GPU_FRAME_WARP_H

#include <stddef.h>
#include <stdint.h>

#include "face/nv12_warp.h"
#include "facetrack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A picture in GPU DEVICE's memory: VIEW's planes are device addresses. */
typedef struct ft_gpu_picture {
    int device;
    ft_nv12_view view;
} ft_gpu_picture;

/* COUNT tensors of PICTURE, tensor i by geometry G[i] (all of one width and
 * height), into host memory: floats into OUT, else bytes into CODES,
 * tensor after tensor. Returns when they are there. ERR gets a line on
 * failure. */
ft_status ft_gpu_warp_nv12(const ft_gpu_picture *picture, const ft_warp_geometry *g, int count,
                           float *out, uint8_t *codes, char *err, size_t err_size);

/* Device memory for pictures: BYTES on DEVICE (NULL on failure), freed
 * with ft_gpu_picture_free. */
void *ft_gpu_picture_alloc(int device, size_t bytes);
void ft_gpu_picture_free(int device, void *p);
/* ROWS of WIDTH bytes from SRC (SRC_PITCH apart) to DST (DST_PITCH apart),
 * each in host memory or DEVICE's; returns when done. */
ft_status ft_gpu_picture_copy(int device, void *dst, size_t dst_pitch, const void *src,
                              size_t src_pitch, size_t width, size_t rows);

#ifdef __cplusplus
}
#endif

#endif
