/* Decoded frames (any libav pixel format and size) into the layout a
 * consumer asked for. Conversion is swscale with the frame's own colour
 * matrix and range, bicubic like the ffmpeg command line, so our pixels match
 * what `ffmpeg -pix_fmt rgb24` writes. */
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "media/media_internal.h"

#define FT_ALIGN 64
/* Rows end on 64-byte boundaries and planes carry slack, so SIMD kernels
 * may read a little past the last pixel. */
#define FT_PAD 64

struct ft_converter {
    ft_pixfmt format;
    int w, h;
    struct SwsContext *sws;
    uint8_t *planes[3];
    int linesize[3];
};

static enum AVPixelFormat av_format_of(ft_pixfmt format)
{
    switch (format) {
    case FT_PIXFMT_RGB24: return AV_PIX_FMT_RGB24;
    case FT_PIXFMT_BGR24: return AV_PIX_FMT_BGR24;
    case FT_PIXFMT_RGBA: return AV_PIX_FMT_RGBA;
    case FT_PIXFMT_GRAY8: return AV_PIX_FMT_GRAY8;
    case FT_PIXFMT_YUV420P: return AV_PIX_FMT_YUV420P;
    default: return AV_PIX_FMT_NONE;
    }
}

int ft_pixfmt_planes(ft_pixfmt format, int w, int h, int elem[3], int pw[3], int ph[3])
{
    if (format == FT_PIXFMT_YUV420P) {
        for (int i = 0; i < 3; i++) {
            elem[i] = 1;
            pw[i] = i ? (w + 1) / 2 : w;
            ph[i] = i ? (h + 1) / 2 : h;
        }
        return 3;
    }
    elem[0] = ft_pixfmt_bytes_per_pixel(format);
    pw[0] = w;
    ph[0] = h;
    return 1;
}

ft_status ft_converter_create(ft_pixfmt format, int w, int h, ft_converter **out)
{
    *out = NULL;
    if (av_format_of(format) == AV_PIX_FMT_NONE || w <= 0 || h <= 0)
        return FT_ERR_INVALID_ARG;
    ft_converter *c = calloc(1, sizeof *c);
    if (!c)
        return FT_ERR_NOMEM;
    c->format = format;
    c->w = w;
    c->h = h;
    if (ft_planes_alloc(format, w, h, c->planes, c->linesize) != FT_OK) {
        ft_converter_free(c);
        return FT_ERR_NOMEM;
    }
    *out = c;
    return FT_OK;
}

ft_status ft_planes_alloc(ft_pixfmt format, int w, int h, uint8_t *planes[3], int linesize[3])
{
    int elem[3], pw[3], ph[3];
    int n = ft_pixfmt_planes(format, w, h, elem, pw, ph);
    for (int i = 0; i < n; i++) {
        linesize[i] = (pw[i] * elem[i] + FT_ALIGN - 1) / FT_ALIGN * FT_ALIGN;
        planes[i] = aligned_alloc(FT_ALIGN, (size_t)linesize[i] * ph[i] + FT_PAD);
        if (!planes[i])
            return FT_ERR_NOMEM;
    }
    return FT_OK;
}

void ft_converter_free(ft_converter *c)
{
    if (!c)
        return;
    sws_freeContext(c->sws);
    for (int i = 0; i < 3; i++)
        free(c->planes[i]);
    free(c);
}

static int is_yuv(enum AVPixelFormat f)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);
    return d && !(d->flags & AV_PIX_FMT_FLAG_RGB) && d->nb_components >= 3;
}

ft_status ft_converter_run(ft_converter *c, const AVFrame *src, uint8_t *data[3], int linesize[3])
{
    enum AVPixelFormat in = (enum AVPixelFormat)src->format;
    enum AVPixelFormat want = av_format_of(c->format);
    if (in == want && src->width == c->w && src->height == c->h &&
        src->color_range != AVCOL_RANGE_JPEG) {
        for (int i = 0; i < 3; i++) {
            data[i] = src->data[i];
            linesize[i] = src->linesize[i];
        }
        return FT_OK;
    }
    c->sws = sws_getCachedContext(c->sws, src->width, src->height, in, c->w, c->h, want,
                                  SWS_BICUBIC, NULL, NULL, NULL);
    if (!c->sws)
        return FT_ERR_UNSUPPORTED;
    if (is_yuv(in)) {
        int in_full = src->color_range == AVCOL_RANGE_JPEG || in == AV_PIX_FMT_YUVJ420P ||
                      in == AV_PIX_FMT_YUVJ422P || in == AV_PIX_FMT_YUVJ444P;
        int out_full = want != AV_PIX_FMT_YUV420P;
        const int *table = sws_getCoefficients(src->colorspace);
        sws_setColorspaceDetails(c->sws, table, in_full, table, out_full, 0, 1 << 16, 1 << 16);
    }
    int h = sws_scale(c->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                      c->planes, c->linesize);
    if (h != c->h)
        return FT_ERR_INTERNAL;
    for (int i = 0; i < 3; i++) {
        data[i] = c->planes[i];
        linesize[i] = c->linesize[i];
    }
    return FT_OK;
}

int ft_pixfmt_bytes_per_pixel(ft_pixfmt format)
{
    switch (format) {
    case FT_PIXFMT_RGB24:
    case FT_PIXFMT_BGR24: return 3;
    case FT_PIXFMT_RGBA: return 4;
    default: return 1;
    }
}

static const char *const pixfmt_names[FT_PIXFMT_COUNT] = {"rgb24", "bgr24", "rgba", "gray",
                                                          "yuv420p"};

const char *ft_pixfmt_name(ft_pixfmt format)
{
    if (format == FT_PIXFMT_CUDA_NV12)
        return "cuda_nv12";
    return (unsigned)format < FT_PIXFMT_COUNT ? pixfmt_names[format] : NULL;
}

ft_status ft_pixfmt_parse(const char *name, ft_pixfmt *out)
{
    for (int i = 0; name && i < FT_PIXFMT_COUNT; i++) {
        if (strcmp(name, pixfmt_names[i]) == 0) {
            *out = (ft_pixfmt)i;
            return FT_OK;
        }
    }
    return FT_ERR_INVALID_ARG;
}
