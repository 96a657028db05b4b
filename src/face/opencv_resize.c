/* cv::resize(INTER_LINEAR_EXACT) of 8-bit gray images as OpenCV 4.6
 * computes it (see opencv_resize.h). interpolationLinear::getCoeffs: with
 * scale = 1 / (dst / src), the source position of destination d is
 * f = scale * (d + 0.5) - 0.5 in double; i = floor(f); when 0 <= i <
 * size - 1 the pair (i, i + 1) gets weights (256 - c, c), c = round(256 *
 * (f - i)); before it the first pixel, past it the last one. Horizontal:
 * w0 * p0 + w1 * p1 in 8.8; vertical: (w0 * r0 + w1 * r1 + 2^15) >> 16;
 * rows taken whole from the source edge: (r + 128) >> 8. */
#include "face/opencv_resize.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define ONE 256 /* ufixedpoint16's 1.0 */

typedef struct axis {
    int *ofs;        /* per destination index: left source index */
    uint16_t *coef;  /* 2 per destination index */
    int min, max;    /* [min, max): interpolated; before: first, from max: last */
} axis;

static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

size_t ft_opencv_resize_scratch_size(int dw, int dh)
{
    return align16((size_t)dw * sizeof(int)) + align16((size_t)dw * 2 * sizeof(uint16_t)) +
           align16((size_t)dh * sizeof(int)) + align16((size_t)dh * 2 * sizeof(uint16_t)) +
           align16((size_t)dw * 2 * sizeof(uint16_t)) + 16;
}

static void plan_axis(axis *a, int src, int dst)
{
    const double inv = (double)dst / src;
    const double scale = 1. / inv;
    a->min = 0;
    a->max = dst;
    for (int d = 0; d < dst; d++) {
        const double f = scale * ((double)d + 0.5) - 0.5;
        const int i = (int)floor(f);
        a->ofs[d] = 0;
        a->coef[2 * d] = ONE;
        a->coef[2 * d + 1] = 0;
        if (i >= 0 && src > 1) {
            if (i < src - 1) {
                const uint16_t c = (uint16_t)lrint((f - i) * ONE);
                a->ofs[d] = i;
                a->coef[2 * d + 1] = c;
                a->coef[2 * d] = (uint16_t)(ONE - c);
            } else {
                a->ofs[d] = src - 1;
                if (d < a->max)
                    a->max = d;
            }
        } else if (d + 1 > a->min) {
            a->min = d + 1;
        }
    }
}

/* One source row into 8.8 fixed point at the destination's columns. */
static void horizontal(const uint8_t *s, const axis *x, int dw, uint16_t *out)
{
    int d = 0;
    for (; d < x->min && d < dw; d++)
        out[d] = (uint16_t)(s[0] << 8);
    for (; d < x->max; d++) {
        const uint8_t *p = s + x->ofs[d];
        out[d] = (uint16_t)(x->coef[2 * d] * p[0] + x->coef[2 * d + 1] * p[1]);
    }
    const uint16_t last = (uint16_t)(s[x->ofs[dw - 1]] << 8);
    for (; d < dw; d++)
        out[d] = last;
}

/* The 2x2 box average of INTER_AREA's fast path, (a + b + c + d + 2) >> 2. */
static void area_half(const uint8_t *src, int sstride, uint8_t *dst, int dw, int dh, int dstride)
{
    for (int y = 0; y < dh; y++) {
        const uint8_t *s0 = src + (size_t)(2 * y) * sstride, *s1 = s0 + sstride;
        uint8_t *d = dst + (size_t)y * dstride;
        for (int x = 0; x < dw; x++)
            d[x] = (uint8_t)((s0[2 * x] + s0[2 * x + 1] + s1[2 * x] + s1[2 * x + 1] + 2) >> 2);
    }
}

static void edge_row(const uint16_t *line, uint8_t *d, int dw)
{
    for (int x = 0; x < dw; x++)
        d[x] = (uint8_t)((line[x] + 128) >> 8);
}

void ft_opencv_resize_u8(const uint8_t *src, int sw, int sh, int sstride, uint8_t *dst, int dw,
                         int dh, int dstride, void *scratch)
{
    if (sw == dw && sh == dh) {
        for (int y = 0; y < dh; y++)
            memcpy(dst + (size_t)y * dstride, src + (size_t)y * sstride, (size_t)dw);
        return;
    }
    const double scale_x = 1. / ((double)dw / sw), scale_y = 1. / ((double)dh / sh);
    const int iscale_x = (int)lrint(scale_x), iscale_y = (int)lrint(scale_y);
    if (iscale_x == 2 && iscale_y == 2 && fabs(scale_x - iscale_x) < DBL_EPSILON &&
        fabs(scale_y - iscale_y) < DBL_EPSILON) {
        area_half(src, sstride, dst, dw, dh, dstride);
        return;
    }
    char *p = scratch;
    axis ax, ay;
    ax.ofs = (int *)(void *)p;
    p += align16((size_t)dw * sizeof(int));
    ax.coef = (uint16_t *)(void *)p;
    p += align16((size_t)dw * 2 * sizeof(uint16_t));
    ay.ofs = (int *)(void *)p;
    p += align16((size_t)dh * sizeof(int));
    ay.coef = (uint16_t *)(void *)p;
    p += align16((size_t)dh * 2 * sizeof(uint16_t));
    uint16_t *line[2] = {(uint16_t *)(void *)p, (uint16_t *)(void *)p + dw};
    plan_axis(&ax, sw, dw);
    plan_axis(&ay, sh, dh);
    int have[2] = {-1, -1}; /* the source row each line holds */
    for (int dy = 0; dy < dh; dy++) {
        uint8_t *d = dst + (size_t)dy * dstride;
        if (dy < ay.min || dy >= ay.max) { /* a whole edge row */
            const int row = dy < ay.min ? 0 : sh - 1;
            const int slot = have[0] == row ? 0 : have[1] == row ? 1 : 0;
            if (have[slot] != row) {
                horizontal(src + (size_t)row * sstride, &ax, dw, line[slot]);
                have[slot] = row;
            }
            edge_row(line[slot], d, dw);
            continue;
        }
        const int want[2] = {ay.ofs[dy], ay.ofs[dy] + 1};
        int slot[2];
        for (int k = 0; k < 2; k++) {
            slot[k] = have[0] == want[k] ? 0 : have[1] == want[k] ? 1 : -1;
            if (slot[k] >= 0)
                continue;
            /* the line the other row does not need */
            const int s = k == 1 ? 1 - slot[0] : (have[0] == want[1] ? 1 : 0);
            horizontal(src + (size_t)want[k] * sstride, &ax, dw, line[s]);
            have[s] = want[k];
            slot[k] = s;
        }
        const uint32_t w0 = ay.coef[2 * dy], w1 = ay.coef[2 * dy + 1];
        const uint16_t *r0 = line[slot[0]], *r1 = line[slot[1]];
        for (int x = 0; x < dw; x++) {
            const uint32_t v = (w0 * r0[x] + w1 * r1[x] + (1u << 15)) >> 16;
            d[x] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
}
