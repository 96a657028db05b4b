/* Detector inputs (see detector_input.h). */
#include "face/detector_input.h"

#include <math.h>
#include <stddef.h>

/* Source index and weight of the next one for destination column/row D. */
static void tap(int d, double scale, int size, int *i0, float *w1)
{
    double f = ((double)d + 0.5) * scale - 0.5;
    int i = (int)floor(f);
    double w = f - i;
    if (i < 0) {
        i = 0;
        w = 0.0;
    }
    if (i >= size - 1) {
        i = size - 1;
        w = 0.0;
    }
    *i0 = i;
    *w1 = (float)w;
}

void ft_resize_bilinear(const ft_face_image *src, int dst_w, int dst_h, uint8_t *dst)
{
    const double sx = (double)src->width / dst_w, sy = (double)src->height / dst_h;
    const int ch = src->channels;
    for (int y = 0; y < dst_h; y++) {
        int y0;
        float wy;
        tap(y, sy, src->height, &y0, &wy);
        const int y1 = y0 + 1 < src->height ? y0 + 1 : y0;
        const uint8_t *r0 = src->data + (size_t)y0 * (size_t)src->stride;
        const uint8_t *r1 = src->data + (size_t)y1 * (size_t)src->stride;
        uint8_t *o = dst + (size_t)y * (size_t)dst_w * 3;
        for (int x = 0; x < dst_w; x++) {
            int x0;
            float wx;
            tap(x, sx, src->width, &x0, &wx);
            const int x1 = x0 + 1 < src->width ? x0 + 1 : x0;
            for (int c = 0; c < 3; c++) {
                const float top = r0[x0 * ch + c] + wx * (float)(r0[x1 * ch + c] - r0[x0 * ch + c]);
                const float bot = r1[x0 * ch + c] + wx * (float)(r1[x1 * ch + c] - r1[x0 * ch + c]);
                const float v = top + wy * (bot - top);
                o[3 * x + c] = (uint8_t)lrintf(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
            }
        }
    }
}

ft_status ft_blob_from_image(const ft_face_image *image, const ft_blob_format *f, int out_w,
                             int out_h, float *out)
{
    if (!image || !image->data || image->width > out_w || image->height > out_h ||
        (image->channels != 3 && image->channels != 4))
        return FT_ERR_INVALID_ARG;
    const size_t plane = (size_t)out_w * (size_t)out_h;
    const float fill = (0.0f - f->mean) * f->scale;
    for (int c = 0; c < 3; c++) {
        const int from = f->bgr ? 2 - c : c; /* frames are RGB */
        float *p = out + (size_t)c * plane;
        for (int y = 0; y < out_h; y++) {
            float *row = p + (size_t)y * (size_t)out_w;
            int x = 0;
            if (y < image->height) {
                const uint8_t *in = image->data + (size_t)y * (size_t)image->stride + from;
                for (; x < image->width; x++)
                    row[x] = ((float)in[(size_t)x * (size_t)image->channels] - f->mean) * f->scale;
            }
            for (; x < out_w; x++)
                row[x] = fill;
        }
    }
    return FT_OK;
}
