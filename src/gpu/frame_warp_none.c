/* CPU-only build: no pictures on a GPU. */
#include <stdio.h>

#include "gpu/frame_warp.h"

ft_status ft_gpu_warp_nv12(const ft_gpu_picture *picture, const ft_warp_geometry *g, int count,
                           float *out, uint8_t *codes, char *err, size_t err_size)
{
    (void)picture, (void)g, (void)count, (void)out, (void)codes;
    if (err && err_size)
        snprintf(err, err_size, "built without CUDA");
    return FT_ERR_UNSUPPORTED;
}

void *ft_gpu_picture_alloc(int device, size_t bytes)
{
    (void)device, (void)bytes;
    return NULL;
}

void ft_gpu_picture_free(int device, void *p)
{
    (void)device, (void)p;
}

ft_status ft_gpu_picture_copy(int device, void *dst, size_t dst_pitch, const void *src,
                              size_t src_pitch, size_t width, size_t rows)
{
    (void)device, (void)dst, (void)dst_pitch, (void)src, (void)src_pitch, (void)width, (void)rows;
    return FT_ERR_UNSUPPORTED;
}
