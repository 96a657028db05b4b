/* ImageToTensor straight from an NV12 picture (what NVDEC decodes into), so
 * that a frame decoded on a GPU is warped there without ever being
 * converted whole or copied to the host.
 *
 * Each tap of the warp is converted to RGB where it is read, in integer
 * arithmetic (chroma upsampled bilinearly with MPEG-2 siting: co-sited
 * horizontally, centred between two luma rows), and the warp itself is
 * image_to_tensor.c's, step for step: the same positions rounded to 1/32 px,
 * the same 15-bit blend, the same range mapping. The per-pixel functions
 * below are compiled both for the host and, by nvcc, for the device, with
 * every double and float operation rounded separately on both (no fused
 * multiply-add), so the CUDA kernel and the host function give the same
 * bits; and the host function gives the same bits as ft_image_to_tensor of
 * the picture converted with ft_nv12_rgb, which the tests check. The
 * conversion is not swscale's (the CPU decoder's path): pixels differ from
 * it by a level or two, mostly at colour edges. */
#ifndef FT_FACE_NV12_WARP_H
#define FT_FACE_NV12_WARP_H

#include <stddef.h>
#include <stdint.h>

#include "face/face_types.h"
#include "face/image_to_tensor.h"

#ifdef __CUDACC__
#define FT_HD __host__ __device__
#else
#define FT_HD
#endif

/* Where the warp of one tensor samples: tensor pixel (x, y) reads source
 * position (p1x + mxx x + mxy y, p1y + myx x + myy y), as image_to_tensor.c
 * computes it (row start first, then the column). */
typedef struct ft_warp_geometry {
    double p1x, p1y;
    double mxx, myx; /* per tensor column */
    double mxy, myy; /* per tensor row */
    int width, height; /* of the tensor */
    int zero_border;   /* FT_BORDER_ZERO, else replicate */
    float scale, offset; /* a blended byte v becomes v * scale + offset */
} ft_warp_geometry;

/* The geometry of warping ROI of an IMAGE_WIDTH x IMAGE_HEIGHT image into
 * SPEC's tensor; PADDING and MATRIX as ft_image_to_tensor gives them (either
 * may be NULL). */
ft_status ft_warp_geometry_make(int image_width, int image_height, const ft_norm_rect *roi,
                                const ft_tensor_spec *spec, ft_warp_geometry *out,
                                float padding[4], float matrix[16]);

/* Y'CbCr to RGB in 16-bit fixed point: R = (ymul (Y - yoff) + rv Cr8 +
 * 2^15) >> 16, with Cr8 and Cb8 the chroma upsampled to eight times its
 * value less 8 x 128. */
typedef struct ft_yuv_coeffs {
    int32_t ymul, yoff;
    int32_t rv, gu, gv, bu;
} ft_yuv_coeffs;

/* The coefficients of libav's colour space COLORSPACE (AVColorSpace: BT.709,
 * BT.601 in its forms, FCC, SMPTE 240M, BT.2020; anything else BT.601, as
 * swscale defaults), limited or FULL_RANGE. */
ft_yuv_coeffs ft_yuv_coeffs_for(int colorspace, int full_range);

/* An NV12 picture: a luma plane and an interleaved Cb Cr plane of half its
 * width and height (rounded up), wherever they are. */
typedef struct ft_nv12_view {
    const uint8_t *y, *uv;
    size_t y_pitch, uv_pitch;
    int width, height;
    ft_yuv_coeffs k;
} ft_nv12_view;

#ifdef __CUDA_ARCH__
#define FT_DMUL(a, b) __dmul_rn(a, b)
#define FT_DADD(a, b) __dadd_rn(a, b)
#define FT_FMUL(a, b) __fmul_rn(a, b)
#define FT_FADD(a, b) __fadd_rn(a, b)
#else
#define FT_DMUL(a, b) ((a) * (b))
#define FT_DADD(a, b) ((a) + (b))
#define FT_FMUL(a, b) ((a) * (b))
#define FT_FADD(a, b) ((a) + (b))
#endif

static FT_HD inline int ft_nv12_clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The RGB of picture pixel (X, Y), inside it. */
static FT_HD inline void ft_nv12_rgb(const ft_nv12_view *f, int x, int y, uint8_t rgb[3])
{
    /* Chroma times 8: chroma row j sits between luma rows 2j and 2j + 1
     * (3/4 of the nearer row, 1/4 of the farther), and column i on luma
     * column 2i (odd columns average two). */
    const int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    const int j = y >> 1, far_row = ft_nv12_clamp((y & 1) ? j + 1 : j - 1, 0, ch - 1);
    const int i = x >> 1, i_next = (x & 1) ? ft_nv12_clamp(i + 1, 0, cw - 1) : i;
    const uint8_t *near_p = f->uv + (size_t)j * f->uv_pitch;
    const uint8_t *far_p = f->uv + (size_t)far_row * f->uv_pitch;
    const int32_t cb = 3 * (near_p[2 * i] + near_p[2 * i_next]) + far_p[2 * i] + far_p[2 * i_next] - 8 * 128;
    const int32_t cr = 3 * (near_p[2 * i + 1] + near_p[2 * i_next + 1]) + far_p[2 * i + 1] +
                       far_p[2 * i_next + 1] - 8 * 128;
    const ft_yuv_coeffs *k = &f->k;
    const int32_t luma = k->ymul * ((int32_t)f->y[(size_t)y * f->y_pitch + (size_t)x] - k->yoff);
    const int32_t half = 1 << 15;
    /* >> of a negative sum floors; the clamp takes it to 0 either way. */
    rgb[0] = (uint8_t)ft_nv12_clamp((luma + k->rv * cr + half) >> 16, 0, 255);
    rgb[1] = (uint8_t)ft_nv12_clamp((luma - k->gu * cb - k->gv * cr + half) >> 16, 0, 255);
    rgb[2] = (uint8_t)ft_nv12_clamp((luma + k->bu * cb + half) >> 16, 0, 255);
}

/* cvRound of a 1/32-px position (a double) clamped to int: round half to
 * even. On the host, adding and subtracting 1.5 * 2^52 rounds exactly that
 * way in the default rounding mode, without lrint's call into libm (which
 * costs more than the rest of the per-pixel work). */
static FT_HD inline int ft_warp_round(double v)
{
    if (!(v > -2147483648.0))
        return (int)(-2147483647 - 1);
    if (v >= 2147483647.0)
        return 2147483647;
#ifdef __CUDA_ARCH__
    return __double2int_rn(v);
#else
    const double shifted = v + 0x1.8p52; /* C forbids re-associating this */
    return (int)(shifted - 0x1.8p52);
#endif
}

/* Integer part (floor) of a 1/32-px position, saturated to int16 as OpenCV
 * stores it. */
static FT_HD inline int ft_warp_cell(int fixed)
{
    const int i = (fixed - (fixed & 31)) / 32;
    return i < -32768 ? -32768 : i > 32767 ? 32767 : i;
}

/* Tensor pixel (X, Y) of geometry G from picture F: three floats into OUT,
 * else three bytes into CODES. */
static FT_HD inline void ft_nv12_warp_pixel(const ft_nv12_view *f, const ft_warp_geometry *g,
                                            int x, int y, float *out, uint8_t *codes)
{
    const double row_x = FT_DADD(FT_DMUL(g->mxy, (double)y), g->p1x);
    const double row_y = FT_DADD(FT_DMUL(g->myy, (double)y), g->p1y);
    const int fxp = ft_warp_round(FT_DMUL(FT_DADD(FT_DMUL(g->mxx, (double)x), row_x), 32.0));
    const int fyp = ft_warp_round(FT_DMUL(FT_DADD(FT_DMUL(g->myx, (double)x), row_y), 32.0));
    const int ax = fxp & 31, ay = fyp & 31;
    const int w00 = (32 - ax) * (32 - ay), w01 = ax * (32 - ay);
    const int w10 = (32 - ax) * ay, w11 = ax * ay;
    const int iw = f->width, ih = f->height;
    int sx = fxp >> 5, sy = fyp >> 5;
    uint8_t t[4][3];
    int inside[4] = {1, 1, 1, 1};
    int xs[2], ys[2];
    if ((unsigned)sx < (unsigned)(iw - 1) && (unsigned)sy < (unsigned)(ih - 1)) {
        xs[0] = sx, xs[1] = sx + 1, ys[0] = sy, ys[1] = sy + 1;
    } else {
        sx = ft_warp_cell(fxp);
        sy = ft_warp_cell(fyp);
        xs[0] = sx, xs[1] = sx + 1, ys[0] = sy, ys[1] = sy + 1;
        if (g->zero_border) {
            const int all_out = sx >= iw || sx + 1 < 0 || sy >= ih || sy + 1 < 0;
            for (int n = 0; n < 4; n++) {
                const int tx = xs[n & 1], ty = ys[n >> 1];
                inside[n] = !all_out && tx >= 0 && tx < iw && ty >= 0 && ty < ih;
            }
        } else {
            for (int n = 0; n < 2; n++) {
                xs[n] = ft_nv12_clamp(xs[n], 0, iw - 1);
                ys[n] = ft_nv12_clamp(ys[n], 0, ih - 1);
            }
        }
    }
    for (int n = 0; n < 4; n++) {
        if (inside[n]) {
            ft_nv12_rgb(f, xs[n & 1], ys[n >> 1], t[n]);
        } else {
            t[n][0] = t[n][1] = t[n][2] = 0;
        }
    }
    for (int c = 0; c < 3; c++) {
        const int sum = (t[0][c] * w00 + t[1][c] * w01 + t[2][c] * w10 + t[3][c] * w11 + 512) >> 10;
        const uint8_t v = (uint8_t)(sum > 255 ? 255 : sum);
        if (out)
            out[c] = FT_FADD(FT_FMUL((float)v, g->scale), g->offset);
        else
            codes[c] = v;
    }
}

/* The whole tensor on the host, one pixel at a time: OUT (height x width x
 * 3 floats), else CODES (bytes). What the CUDA kernel is tested against. */
void ft_nv12_to_tensor(const ft_nv12_view *frame, const ft_warp_geometry *g, float *out,
                       uint8_t *codes);

/* Picture F converted to RGB24 (ROWS of WIDTH x 3 bytes, STRIDE apart) with
 * ft_nv12_rgb: what the warp above reads, for tests and comparisons. */
void ft_nv12_to_rgb(const ft_nv12_view *f, uint8_t *rgb, size_t stride);

#endif
