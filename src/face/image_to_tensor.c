/* ImageToTensor on the CPU (spec §1.1, §8.1). MediaPipe builds a perspective
 * transform from the ROI's corners (cv::boxPoints) to the tensor's corners
 * and calls cv::warpPerspective(INTER_LINEAR); the corners are affine, so we
 * map tensor pixel (x, y) straight to the source with the same float corners,
 * then round the source position to 1/32 px and blend in 15-bit fixed point,
 * exactly as OpenCV 4 does for 8-bit images. */
#include "face/image_to_tensor.h"
#include "face/nv12_warp.h"
#include "gpu/frame_warp.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
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

/* One warp's constants: the tensor-to-source mapping of a row, the image,
 * the border and the range mapping. */
typedef struct warp_plan {
    const uint8_t *data;
    size_t stride;
    int iw, ih, cn, zero, W;
    double mxx, myx;   /* source position per tensor column */
    float scale, offset;
} warp_plan;

/* Tensor pixel X of the row starting at source (ROW_X, ROW_Y), as OpenCV's
 * warpPerspective computes it for 8-bit images: the position rounded to
 * 1/32 px (cvRound), a 15-bit fixed-point blend of the four taps, then the
 * range mapping in float (OUT) or the blend's byte (CODES). */
static inline void warp_pixel(const warp_plan *p, double row_x, double row_y, int x, float *o,
                              uint8_t *b)
{
    static const uint8_t black[4]; /* taps outside the image, zero border */
    const int fxp = ft_warp_round((p->mxx * x + row_x) * WARP_TAB);
    const int fyp = ft_warp_round((p->myx * x + row_y) * WARP_TAB);
    /* floor(fixed / 32) by an arithmetic shift (GCC and Clang define >> of
     * negatives so); saturated only off the fast path. */
    int sx = fxp >> WARP_BITS, sy = fyp >> WARP_BITS;
    const int ax = fxp & (WARP_TAB - 1), ay = fyp & (WARP_TAB - 1);
    /* OpenCV's weights are these times 32 over 2^15; same result. */
    const int w00 = (WARP_TAB - ax) * (WARP_TAB - ay), w01 = ax * (WARP_TAB - ay);
    const int w10 = (WARP_TAB - ax) * ay, w11 = ax * ay;
    const int iw = p->iw, ih = p->ih, cn = p->cn;
    const uint8_t *t00, *t01, *t10, *t11;
    if ((unsigned)sx < (unsigned)(iw - 1) && (unsigned)sy < (unsigned)(ih - 1)) {
        t00 = p->data + (size_t)sy * p->stride + (size_t)sx * cn;
        t01 = t00 + cn;
        t10 = t00 + p->stride;
        t11 = t10 + cn;
    } else {
        sx = ft_warp_cell(fxp);
        sy = ft_warp_cell(fyp);
        if (p->zero && (sx >= iw || sx + 1 < 0 || sy >= ih || sy + 1 < 0)) {
            t00 = t01 = t10 = t11 = black;
        } else {
            int x0 = sx, x1 = sx + 1, y0 = sy, y1 = sy + 1;
            if (!p->zero) {
                x0 = ft_nv12_clamp(x0, 0, iw - 1);
                x1 = ft_nv12_clamp(x1, 0, iw - 1);
                y0 = ft_nv12_clamp(y0, 0, ih - 1);
                y1 = ft_nv12_clamp(y1, 0, ih - 1);
            }
            const int in_x0 = x0 >= 0 && x0 < iw, in_x1 = x1 >= 0 && x1 < iw;
            const int in_y0 = y0 >= 0 && y0 < ih, in_y1 = y1 >= 0 && y1 < ih;
            const uint8_t *r0 = p->data + (size_t)(in_y0 ? y0 : 0) * p->stride;
            const uint8_t *r1 = p->data + (size_t)(in_y1 ? y1 : 0) * p->stride;
            t00 = in_x0 && in_y0 ? r0 + (size_t)x0 * cn : black;
            t01 = in_x1 && in_y0 ? r0 + (size_t)x1 * cn : black;
            t10 = in_x0 && in_y1 ? r1 + (size_t)x0 * cn : black;
            t11 = in_x1 && in_y1 ? r1 + (size_t)x1 * cn : black;
        }
    }
    for (int c = 0; c < 3; c++) {
        const int sum = (t00[c] * w00 + t01[c] * w01 + t10[c] * w10 + t11[c] * w11 +
                         (1 << (2 * WARP_BITS - 1))) >> (2 * WARP_BITS);
        const uint8_t v = (uint8_t)(sum > 255 ? 255 : sum);
        if (o)
            o[c] = (float)v * p->scale + p->offset;
        else
            b[c] = v;
    }
}

/* Pixels X0 .. X1-1 of a row, one at a time: the reference every faster
 * row must equal. */
static void warp_span(const warp_plan *p, double row_x, double row_y, int x0, int x1, float *o,
                      uint8_t *b)
{
    for (int x = x0; x < x1; x++)
        warp_pixel(p, row_x, row_y, x, o ? o + 3 * x : NULL, b ? b + 3 * x : NULL);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define WARP_AVX2 1

/* Eight pixels at a time where all eight and their taps lie inside the
 * image: the same positions (the same double arithmetic per lane: a
 * product, a sum, the exact scaling by 32 and the round-half-even of
 * adding and taking away 1.5 * 2^52; AVX2 without FMA fuses none of them),
 * the four taps of each
 * gathered in one 32-bit load per tap pair's row, and the same integer
 * blend; groups that reach the border, and the row's last W % 8 pixels, go
 * one at a time. */
__attribute__((target("avx2"))) static void
warp_row_avx2(const warp_plan *p, double row_x, double row_y, float *o, uint8_t *b)
{
    const int W = p->W, cn = p->cn;
    /* The second tap's 32-bit load reads a byte past that pixel when there
     * are three channels: it stays inside its row if sx + 3 <= width. */
    const __m256i sx_max = _mm256_set1_epi32(p->iw - (cn == 3 ? 3 : 2));
    const __m256i sy_max = _mm256_set1_epi32(p->ih - 2);
    const __m256i zero = _mm256_setzero_si256(), minus_one = _mm256_set1_epi32(-1);
    const __m256i tab = _mm256_set1_epi32(WARP_TAB), low = _mm256_set1_epi32(WARP_TAB - 1);
    const __m256i half = _mm256_set1_epi32(1 << (2 * WARP_BITS - 1)), byte = _mm256_set1_epi32(255);
    const __m256i cn_v = _mm256_set1_epi32(cn), stride_v = _mm256_set1_epi32((int)p->stride);
    const __m256d mxx = _mm256_set1_pd(p->mxx), myx = _mm256_set1_pd(p->myx);
    const __m256d rx = _mm256_set1_pd(row_x), ry = _mm256_set1_pd(row_y);
    const __m256d scale32 = _mm256_set1_pd(WARP_TAB), magic = _mm256_set1_pd(0x1.8p52);
    const __m256 scale = _mm256_set1_ps(p->scale), offset = _mm256_set1_ps(p->offset);
    const int *row0 = (const int *)p->data, *row1 = (const int *)(p->data + p->stride);
    int x = 0;
    for (; x + 8 <= W; x += 8) {
        const __m256d xa = _mm256_setr_pd(x, x + 1, x + 2, x + 3);
        const __m256d xb = _mm256_setr_pd(x + 4, x + 5, x + 6, x + 7);
        /* (m * x + row) * 32, rounded; positions out of the int range come
         * out as INT_MIN and fail the test below */
        const __m256d fxa = _mm256_sub_pd(
            _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(mxx, xa), rx), scale32), magic), magic);
        const __m256d fxb = _mm256_sub_pd(
            _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(mxx, xb), rx), scale32), magic), magic);
        const __m256d fya = _mm256_sub_pd(
            _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(myx, xa), ry), scale32), magic), magic);
        const __m256d fyb = _mm256_sub_pd(
            _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(myx, xb), ry), scale32), magic), magic);
        const __m256i fx = _mm256_setr_m128i(_mm256_cvtpd_epi32(fxa), _mm256_cvtpd_epi32(fxb));
        const __m256i fy = _mm256_setr_m128i(_mm256_cvtpd_epi32(fya), _mm256_cvtpd_epi32(fyb));
        const __m256i sx = _mm256_srai_epi32(fx, WARP_BITS), sy = _mm256_srai_epi32(fy, WARP_BITS);
        /* inside: 0 <= sx <= sx_max and 0 <= sy <= sy_max in every lane */
        const __m256i out = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpgt_epi32(sx, sx_max), _mm256_cmpgt_epi32(zero, sx)),
            _mm256_or_si256(_mm256_cmpgt_epi32(sy, sy_max), _mm256_cmpgt_epi32(zero, sy)));
        if (!_mm256_testz_si256(out, minus_one)) {
            warp_span(p, row_x, row_y, x, x + 8, o, b);
            continue;
        }
        const __m256i ax = _mm256_and_si256(fx, low), ay = _mm256_and_si256(fy, low);
        const __m256i bx = _mm256_sub_epi32(tab, ax), by = _mm256_sub_epi32(tab, ay);
        const __m256i w00 = _mm256_mullo_epi32(bx, by), w01 = _mm256_mullo_epi32(ax, by);
        const __m256i w10 = _mm256_mullo_epi32(bx, ay), w11 = _mm256_mullo_epi32(ax, ay);
        const __m256i at = _mm256_add_epi32(_mm256_mullo_epi32(sy, stride_v), _mm256_mullo_epi32(sx, cn_v));
        const __m256i next = _mm256_add_epi32(at, cn_v);
        const __m256i g00 = _mm256_i32gather_epi32(row0, at, 1);
        const __m256i g01 = _mm256_i32gather_epi32(row0, next, 1);
        const __m256i g10 = _mm256_i32gather_epi32(row1, at, 1);
        const __m256i g11 = _mm256_i32gather_epi32(row1, next, 1);
        int v[3][8];
        for (int c = 0; c < 3; c++) {
            const __m256i t00 = _mm256_and_si256(_mm256_srli_epi32(g00, 8 * c), byte);
            const __m256i t01 = _mm256_and_si256(_mm256_srli_epi32(g01, 8 * c), byte);
            const __m256i t10 = _mm256_and_si256(_mm256_srli_epi32(g10, 8 * c), byte);
            const __m256i t11 = _mm256_and_si256(_mm256_srli_epi32(g11, 8 * c), byte);
            __m256i sum = _mm256_add_epi32(_mm256_mullo_epi32(t00, w00), _mm256_mullo_epi32(t01, w01));
            sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(t10, w10));
            sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(t11, w11));
            sum = _mm256_srai_epi32(_mm256_add_epi32(sum, half), 2 * WARP_BITS);
            sum = _mm256_min_epi32(sum, byte);
            _mm256_storeu_si256((__m256i *)v[c], sum);
        }
        if (o) {
            float f[3][8];
            for (int c = 0; c < 3; c++)
                _mm256_storeu_ps(f[c], _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(
                                                         _mm256_loadu_si256((const __m256i *)v[c])),
                                                     scale),
                                                     offset));
            float *q = o + 3 * x;
            for (int k = 0; k < 8; k++, q += 3) {
                q[0] = f[0][k];
                q[1] = f[1][k];
                q[2] = f[2][k];
            }
        } else {
            uint8_t *q = b + 3 * x;
            for (int k = 0; k < 8; k++, q += 3) {
                q[0] = (uint8_t)v[0][k];
                q[1] = (uint8_t)v[1][k];
                q[2] = (uint8_t)v[2][k];
            }
        }
    }
    warp_span(p, row_x, row_y, x, W, o, b);
}

/* Decided once; workers warp from many threads at a time. */
static int use_avx2(void)
{
    static atomic_int known = -1;
    int v = atomic_load_explicit(&known, memory_order_relaxed);
    if (v < 0) {
        const char *env = getenv("FACETRACK_WARP_SCALAR"); /* the reference, for comparison */
        v = __builtin_cpu_supports("avx2") && !(env && strcmp(env, "1") == 0);
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return v;
}
#endif

ft_status ft_warp_geometry_make(int image_width, int image_height, const ft_norm_rect *roi,
                                const ft_tensor_spec *spec, ft_warp_geometry *out,
                                float padding[4], float matrix[16])
{
    if (!spec || !(spec->range_min < spec->range_max))
        return FT_ERR_INVALID_ARG;
    ft_rotated_rect r;
    ft_status st = ft_roi_to_pixels(roi, image_width, image_height, spec, &r, padding);
    if (st != FT_OK)
        return st;
    if (matrix)
        ft_roi_matrix(&r, image_width, image_height, matrix);
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
    *out = (ft_warp_geometry){.p1x = p1x, .p1y = p1y,
                              .mxx = ((double)p2x - p1x) / W, .myx = ((double)p2y - p1y) / W,
                              .mxy = ((double)p0x - p1x) / H, .myy = ((double)p0y - p1y) / H,
                              .width = W, .height = H,
                              .zero_border = spec->border == FT_BORDER_ZERO,
                              /* GetValueRangeTransformation from 0..255, in float. */
                              .scale = (spec->range_max - spec->range_min) / 255.0f,
                              .offset = spec->range_min};
    return FT_OK;
}

/* The warp into floats (OUT) or into its bytes before the range mapping
 * (CODES); one of the two is NULL. FAST: rows eight pixels at a time where
 * the CPU can (the same values as one at a time). */
static ft_status warp(const ft_face_image *image, const ft_norm_rect *roi,
                      const ft_tensor_spec *spec, float *out, uint8_t *codes, float padding[4],
                      float matrix[16], int fast)
{
    if (!image || !image->data || (!out && !codes) || !spec || (image->channels != 3 && image->channels != 4) ||
        image->stride < image->width * image->channels)
        return FT_ERR_INVALID_ARG;
    ft_warp_geometry g;
    ft_status st = ft_warp_geometry_make(image->width, image->height, roi, spec, &g, padding, matrix);
    if (st != FT_OK)
        return st;
    const int W = g.width, H = g.height;
    const warp_plan p = {.data = image->data, .stride = (size_t)image->stride,
                         .iw = image->width, .ih = image->height, .cn = image->channels,
                         .zero = g.zero_border, .W = W, .mxx = g.mxx, .myx = g.myx,
                         .scale = g.scale, .offset = g.offset};
#ifdef WARP_AVX2
    /* The gathers take 32-bit offsets into the image. */
    fast = fast && use_avx2() && (size_t)image->stride * (size_t)image->height < (size_t)INT_MAX;
#else
    fast = 0;
#endif
    for (int y = 0; y < H; y++) {
        const double row_x = g.mxy * y + g.p1x, row_y = g.myy * y + g.p1y;
        float *o = out ? out + (size_t)y * W * 3 : NULL;
        uint8_t *b = codes ? codes + (size_t)y * W * 3 : NULL;
#ifdef WARP_AVX2
        if (fast) {
            warp_row_avx2(&p, row_x, row_y, o, b);
            continue;
        }
#endif
        warp_span(&p, row_x, row_y, 0, W, o, b);
    }
    return FT_OK;
}

ft_status ft_image_to_tensor(const ft_face_image *image, const ft_norm_rect *roi,
                             const ft_tensor_spec *spec, float *out, float padding[4],
                             float matrix[16])
{
    return warp(image, roi, spec, out, NULL, padding, matrix, 1);
}

ft_status ft_image_to_tensor_naive(const ft_face_image *image, const ft_norm_rect *roi,
                                   const ft_tensor_spec *spec, float *out, uint8_t *codes)
{
    return warp(image, roi, spec, out, codes, NULL, NULL, 0);
}

ft_status ft_image_to_codes(const ft_face_image *image, const ft_norm_rect *roi,
                            const ft_tensor_spec *spec, uint8_t *out, float padding[4],
                            float matrix[16])
{
    return warp(image, roi, spec, NULL, out, padding, matrix, 1);
}

/* The tensors of a picture on a GPU, up to a launch's worth of geometries
 * at a time. */
static ft_status warp_on_gpu(const ft_face_image *image, const ft_norm_rect *rois, int n,
                             const ft_tensor_spec *spec, float *out, uint8_t *codes,
                             float (*matrices)[16], char *err, size_t err_size)
{
    enum { CHUNK = 32 };
    const size_t item = (size_t)spec->width * (size_t)spec->height * 3;
    for (int at = 0; at < n;) {
        ft_warp_geometry g[CHUNK];
        const int k = n - at < CHUNK ? n - at : CHUNK;
        for (int i = 0; i < k; i++) {
            ft_status st = ft_warp_geometry_make(image->width, image->height,
                                                 rois ? &rois[at + i] : NULL, spec, &g[i], NULL,
                                                 matrices ? matrices[at + i] : NULL);
            if (st != FT_OK)
                return st;
        }
        ft_status st = ft_gpu_warp_nv12(image->gpu, g, k, out ? out + item * at : NULL,
                                        codes ? codes + item * at : NULL, err, err_size);
        if (st != FT_OK)
            return st;
        at += k;
    }
    return FT_OK;
}

ft_status ft_image_to_tensors(const ft_face_image *image, const ft_norm_rect *rois, int n,
                              const ft_tensor_spec *spec, float *out, uint8_t *codes,
                              float (*matrices)[16], char *err, size_t err_size)
{
    if (!image || !spec || n < 0 || (!out && !codes))
        return FT_ERR_INVALID_ARG;
    if (image->gpu)
        return warp_on_gpu(image, rois, n, spec, out, codes, matrices, err, err_size);
    const size_t item = (size_t)spec->width * (size_t)spec->height * 3;
    for (int i = 0; i < n; i++) {
        ft_status st = warp(image, rois ? &rois[i] : NULL, spec, out ? out + item * i : NULL,
                            out ? NULL : codes + item * i, NULL, matrices ? matrices[i] : NULL, 1);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}
