/* ImageToTensor on the CPU (spec §1.1, §8.1). MediaPipe builds a perspective
 * transform from the ROI's corners (cv::boxPoints) to the tensor's corners
 * and calls cv::warpPerspective(INTER_LINEAR); the corners are affine, so we
 * map tensor pixel (x, y) straight to the source with the same float corners,
 * then round the source position to 1/32 px and blend in 15-bit fixed point,
 * exactly as OpenCV 4 does for 8-bit images. */
#include "face/image_to_tensor.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#define WARP_BITS 5 /* OpenCV INTER_BITS: source positions in 1/32 px */
#define WARP_TAB (1 << WARP_BITS)

ft_status ft_roi_to_pixels(const ft_norm_rect *roi, int image_width, int image_height,
                           const ft_tensor_spec *spec, ft_rotated_rect *out, float padding[4])
{
    if (image_width <= 0 || image_height <= 0 || !spec || spec->width <= 0 || spec->height <= 0)
        return FT_ERR_INVALID_ARG;
    /* GetRoi: float products, as MediaPipe. */
    ft_rotated_rect r;
    if (roi) {
        r.center_x = roi->x_center * (float)image_width;
        r.center_y = roi->y_center * (float)image_height;
        r.width = roi->width * (float)image_width;
        r.height = roi->height * (float)image_height;
        r.rotation = roi->rotation;
    } else {
        r.center_x = 0.5f * (float)image_width;
        r.center_y = 0.5f * (float)image_height;
        r.width = (float)image_width;
        r.height = (float)image_height;
        r.rotation = 0.0f;
    }
    if (isnan(r.center_x) || isnan(r.center_y) || isnan(r.width) || isnan(r.height) ||
        isnan(r.rotation) || !(r.width > 0) || !(r.height > 0))
        return FT_ERR_INVALID_ARG;
    /* PadRoi: the ROI grows to the tensor's aspect ratio and stays centred. */
    float pad_h = 0.0f, pad_v = 0.0f;
    if (spec->keep_aspect_ratio) {
        const float tensor_aspect = (float)spec->height / (float)spec->width;
        const float roi_aspect = r.height / r.width;
        if (tensor_aspect > roi_aspect) {
            r.height = r.width * tensor_aspect;
            pad_v = (1.0f - roi_aspect / tensor_aspect) / 2.0f;
        } else {
            r.width = r.height / tensor_aspect;
            pad_h = (1.0f - tensor_aspect / roi_aspect) / 2.0f;
        }
    }
    if (padding) {
        padding[0] = padding[2] = pad_h;
        padding[1] = padding[3] = pad_v;
    }
    *out = r;
    return FT_OK;
}

void ft_roi_matrix(const ft_rotated_rect *roi, int image_width, int image_height, float matrix[16])
{
    const float a = roi->width, b = roi->height;
    const float c = cosf(roi->rotation), d = sinf(roi->rotation);
    const float e = roi->center_x, f = roi->center_y;
    const float g = 1.0f / (float)image_width, h = 1.0f / (float)image_height;
    const float m[16] = {
        a * c * g, -b * d * g, 0.0f, (-0.5f * a * c + 0.5f * b * d + e) * g,
        a * d * h, b * c * h,  0.0f, (-0.5f * b * c - 0.5f * a * d + f) * h,
        0.0f,      0.0f,       a * g, 0.0f,
        0.0f,      0.0f,       0.0f,  1.0f,
    };
    for (int i = 0; i < 16; i++)
        matrix[i] = m[i];
}

void ft_matrix_apply(const float matrix[16], float u, float v, float *x, float *y)
{
    *x = matrix[0] * u + matrix[1] * v + matrix[3];
    *y = matrix[4] * u + matrix[5] * v + matrix[7];
}

/* cvRound of a double clamped to int: round half to even. Adding and
 * subtracting 1.5 * 2^52 rounds exactly that way in the default rounding
 * mode, without lrint's call into libm (which costs more than the rest of
 * the per-pixel work). */
static int round_to_int(double v)
{
    if (!(v > (double)INT_MIN))
        return INT_MIN;
    if (v >= (double)INT_MAX)
        return INT_MAX;
    const double shifted = v + 0x1.8p52; /* C forbids re-associating this */
    return (int)(shifted - 0x1.8p52);
}

/* Integer part (floor) of a 1/32-px position, saturated to int16 as OpenCV
 * stores it. */
static int cell(int fixed)
{
    int i = (fixed - (fixed & (WARP_TAB - 1))) / WARP_TAB;
    return i < SHRT_MIN ? SHRT_MIN : i > SHRT_MAX ? SHRT_MAX : i;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The warp into floats (OUT) or into its bytes before the range mapping
 * (CODES); one of the two is NULL. */
static ft_status warp(const ft_face_image *image, const ft_norm_rect *roi,
                      const ft_tensor_spec *spec, float *out, uint8_t *codes, float padding[4],
                      float matrix[16])
{
    if (!image || !image->data || (!out && !codes) || !spec || (image->channels != 3 && image->channels != 4) ||
        image->stride < image->width * image->channels || !(spec->range_min < spec->range_max))
        return FT_ERR_INVALID_ARG;
    ft_rotated_rect r;
    ft_status st = ft_roi_to_pixels(roi, image->width, image->height, spec, &r, padding);
    if (st != FT_OK)
        return st;
    if (matrix)
        ft_roi_matrix(&r, image->width, image->height, matrix);

    /* cv::RotatedRect takes degrees as float; boxPoints works in float. */
    const float angle = (float)((double)(r.rotation * 180.0f) / M_PI);
    const double rad = (double)angle * M_PI / 180.0;
    const float bh = (float)cos(rad) * 0.5f, ah = (float)sin(rad) * 0.5f;
    const float p0x = r.center_x - ah * r.height - bh * r.width; /* bottom-left */
    const float p0y = r.center_y + bh * r.height - ah * r.width;
    const float p1x = r.center_x + ah * r.height - bh * r.width; /* top-left */
    const float p1y = r.center_y - bh * r.height - ah * r.width;
    const float p2x = 2.0f * r.center_x - p0x; /* top-right */
    const float p2y = 2.0f * r.center_y - p0y;
    /* Tensor (0,0) -> p1, (W,0) -> p2, (0,H) -> p0; integer tensor
     * coordinates are pixel centres, hence x/W and not (x+0.5)/W. */
    const int W = spec->width, H = spec->height;
    const double mxx = ((double)p2x - p1x) / W, mxy = ((double)p0x - p1x) / H;
    const double myx = ((double)p2y - p1y) / W, myy = ((double)p0y - p1y) / H;

    /* GetValueRangeTransformation from 0..255, in float. */
    const float scale = (spec->range_max - spec->range_min) / 255.0f;
    const float offset = spec->range_min;
    const int iw = image->width, ih = image->height, cn = image->channels;
    const int zero = spec->border == FT_BORDER_ZERO;
    static const uint8_t black[4]; /* taps outside the image, zero border */

    for (int y = 0; y < H; y++) {
        const double row_x = mxy * y + p1x, row_y = myy * y + p1y;
        float *o = out ? out + (size_t)y * W * 3 : NULL;
        uint8_t *b = codes ? codes + (size_t)y * W * 3 : NULL;
        for (int x = 0; x < W; x++) {
            const int fxp = round_to_int((mxx * x + row_x) * WARP_TAB);
            const int fyp = round_to_int((myx * x + row_y) * WARP_TAB);
            /* floor(fixed / 32) by an arithmetic shift (GCC and Clang
             * define >> of negatives so); saturated only off the fast path. */
            int sx = fxp >> WARP_BITS, sy = fyp >> WARP_BITS;
            const int ax = fxp & (WARP_TAB - 1), ay = fyp & (WARP_TAB - 1);
            /* OpenCV's weights are these times 32 over 2^15; same result. */
            const int w00 = (WARP_TAB - ax) * (WARP_TAB - ay), w01 = ax * (WARP_TAB - ay);
            const int w10 = (WARP_TAB - ax) * ay, w11 = ax * ay;
            const uint8_t *t00, *t01, *t10, *t11;
            if ((unsigned)sx < (unsigned)(iw - 1) && (unsigned)sy < (unsigned)(ih - 1)) {
                t00 = image->data + (size_t)sy * image->stride + (size_t)sx * cn;
                t01 = t00 + cn;
                t10 = t00 + image->stride;
                t11 = t10 + cn;
            } else {
                sx = cell(fxp);
                sy = cell(fyp);
                if (zero && (sx >= iw || sx + 1 < 0 || sy >= ih || sy + 1 < 0)) {
                    t00 = t01 = t10 = t11 = black;
                } else {
                    int x0 = sx, x1 = sx + 1, y0 = sy, y1 = sy + 1;
                    if (!zero) {
                        x0 = clampi(x0, 0, iw - 1);
                        x1 = clampi(x1, 0, iw - 1);
                        y0 = clampi(y0, 0, ih - 1);
                        y1 = clampi(y1, 0, ih - 1);
                    }
                    const int in_x0 = x0 >= 0 && x0 < iw, in_x1 = x1 >= 0 && x1 < iw;
                    const int in_y0 = y0 >= 0 && y0 < ih, in_y1 = y1 >= 0 && y1 < ih;
                    const uint8_t *r0 = image->data + (size_t)(in_y0 ? y0 : 0) * image->stride;
                    const uint8_t *r1 = image->data + (size_t)(in_y1 ? y1 : 0) * image->stride;
                    t00 = in_x0 && in_y0 ? r0 + (size_t)x0 * cn : black;
                    t01 = in_x1 && in_y0 ? r0 + (size_t)x1 * cn : black;
                    t10 = in_x0 && in_y1 ? r1 + (size_t)x0 * cn : black;
                    t11 = in_x1 && in_y1 ? r1 + (size_t)x1 * cn : black;
                }
            }
            uint8_t v[3];
            for (int c = 0; c < 3; c++) {
                const int sum = (t00[c] * w00 + t01[c] * w01 + t10[c] * w10 + t11[c] * w11 +
                                 (1 << (2 * WARP_BITS - 1))) >> (2 * WARP_BITS);
                v[c] = (uint8_t)(sum > 255 ? 255 : sum);
            }
            if (o) {
                for (int c = 0; c < 3; c++)
                    o[c] = (float)v[c] * scale + offset;
                o += 3;
            } else {
                memcpy(b, v, 3);
                b += 3;
            }
        }
    }
    return FT_OK;
}

ft_status ft_image_to_tensor(const ft_face_image *image, const ft_norm_rect *roi,
                             const ft_tensor_spec *spec, float *out, float padding[4],
                             float matrix[16])
{
    return warp(image, roi, spec, out, NULL, padding, matrix);
}

ft_status ft_image_to_codes(const ft_face_image *image, const ft_norm_rect *roi,
                            const ft_tensor_spec *spec, uint8_t *out, float padding[4],
                            float matrix[16])
{
    return warp(image, roi, spec, NULL, out, padding, matrix);
}
