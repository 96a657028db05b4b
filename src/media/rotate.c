/* Lossless rotation of image planes by multiples of 90 degrees, after an
 * optional left-right mirror (the order a display matrix implies). Rotation
 * is rare (phone videos) and memory-bound, so plain loops are enough. */
#include <math.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/display.h>

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

void ft_stream_rotation(const AVStream *st, int *degrees, int *mirror)
{
    *degrees = 0;
    *mirror = 0;
    const int32_t *m = (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!m)
        return;
    int32_t unflipped[9];
    memcpy(unflipped, m, sizeof unflipped);
    /* A negative determinant means a mirror; undo it on the x axis so that
     * what remains is a pure rotation. */
    if ((double)m[0] * m[4] - (double)m[1] * m[3] < 0) {
        *mirror = 1;
        unflipped[0] = -unflipped[0];
        unflipped[3] = -unflipped[3];
    }
    double ccw = av_display_rotation_get(unflipped);
    if (isnan(ccw))
        return;
    long cw = lround(-ccw);
    cw = ((cw % 360) + 360) % 360;
    *degrees = (int)(((cw + 45) / 90 % 4) * 90); /* nearest multiple of 90 */
}
