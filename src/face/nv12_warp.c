/* The host side of the NV12 warp (see nv12_warp.h). */
#include "face/nv12_warp.h"

#include <math.h>

/* Luma weights (Kr, Kb) of the colour spaces libav names, by AVColorSpace
 * number: 1 BT.709, 4 FCC, 5 BT.470BG and 6 SMPTE 170M (BT.601), 7 SMPTE
 * 240M, 9 and 10 BT.2020. */
static void luma_weights(int colorspace, double *kr, double *kb)
{
    switch (colorspace) {
    case 1: *kr = 0.2126, *kb = 0.0722; return;
    case 4: *kr = 0.30, *kb = 0.11; return;
    case 7: *kr = 0.212, *kb = 0.087; return;
    case 9:
    case 10: *kr = 0.2627, *kb = 0.0593; return;
    default: *kr = 0.299, *kb = 0.114; return;
    }
}

ft_yuv_coeffs ft_yuv_coeffs_for(int colorspace, int full_range)
{
    double kr, kb;
    luma_weights(colorspace, &kr, &kb);
    const double kg = 1.0 - kr - kb;
    const double one = 65536.0;
    /* Limited range: luma 16..235 and chroma 16..240 stretch to 0..255. */
    const double y_scale = full_range ? 1.0 : 255.0 / 219.0;
    const double c_scale = (full_range ? 1.0 : 255.0 / 224.0) / 8.0; /* chroma comes times 8 */
    ft_yuv_coeffs k;
    k.ymul = (int32_t)lround(y_scale * one);
    k.yoff = full_range ? 0 : 16;
    k.rv = (int32_t)lround(2.0 * (1.0 - kr) * c_scale * one);
    k.bu = (int32_t)lround(2.0 * (1.0 - kb) * c_scale * one);
    k.gu = (int32_t)lround(2.0 * kb * (1.0 - kb) / kg * c_scale * one);
    k.gv = (int32_t)lround(2.0 * kr * (1.0 - kr) / kg * c_scale * one);
    return k;
}

void ft_nv12_to_tensor(const ft_nv12_view *frame, const ft_warp_geometry *g, float *out,
                       uint8_t *codes)
{
    for (int y = 0; y < g->height; y++)
        for (int x = 0; x < g->width; x++) {
            const size_t at = 3 * ((size_t)y * (size_t)g->width + (size_t)x);
            ft_nv12_warp_pixel(frame, g, x, y, out ? out + at : NULL, codes ? codes + at : NULL);
        }
}

void ft_nv12_to_rgb(const ft_nv12_view *f, uint8_t *rgb, size_t stride)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            ft_nv12_rgb(f, x, y, rgb + (size_t)y * stride + 3 * (size_t)x);
}
