/* Lossless rotation of image planes by multiples of 90 degrees, after an
 * optional left-right mirror (the order a display matrix implies). Rotation
 * is rare (phone videos) and memory-bound, so plain loops are enough. */
#include <string.h>

#include "media/media_internal.h"

void ft_rotate_plane(const uint8_t *src, int src_stride, int w, int h,
                     int elem, uint8_t *dst, int dst_stride, int degrees,
                     int mirror)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *row = src + (size_t)y * src_stride;
        for (int sx = 0; sx < w; sx++) {
            const int x = mirror ? w - 1 - sx : sx; /* position after the mirror */
            int dx, dy;
            switch (degrees) {
            case 90: dx = h - 1 - y; dy = x; break;
            case 180: dx = w - 1 - x; dy = h - 1 - y; break;
            case 270: dx = y; dy = w - 1 - x; break;
            default: dx = x; dy = y; break;
            }
            memcpy(dst + (size_t)dy * dst_stride + (size_t)dx * elem, row + (size_t)sx * elem,
                   (size_t)elem);
        }
    }
}
