/* One video's shot cuts (see shot_detect.h). */
#include "scenes/shot_detect.h"

#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/format_error.h"
#include "scenes/frame_rate_sync.h"
#include "scenes/transnet_model.h"

#define RGB_BYTES (FT_TRANSNET_WIDTH * FT_TRANSNET_HEIGHT * 3)

void ft_shots_free(ft_shots *s)
{
    free(s->times);
    free(s->cuts);
    free(s->info);
    memset(s, 0, sizeof *s);
}

static ft_status keep_time(ft_shots *s, size_t *cap, double t)
{
    if ((size_t)s->frame_count == *cap) {
        const size_t n = *cap ? 2 * *cap : 1024;
        double *p = realloc(s->times, n * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        s->times = p;
        *cap = n;
    }
    s->times[s->frame_count++] = t;
    return FT_OK;
}

/* Whichever detector the options chose, fed frame by frame. */
typedef struct detector {
    ft_content_detector *content;
    ft_transnet_detector *transnet;
    struct SwsContext *scaler; /* to TransNetV2's 48x27 RGB */
    uint8_t rgb[RGB_BYTES];
    /* --transnet-compat: the original's 25 fps sequence */
    int resample;
    ft_rate_sync sync;
    uint8_t previous[RGB_BYTES];
} detector;

#define ORIGINAL_RATE 25.0

static ft_status detector_open(detector *d, const ft_shot_options *o, const ft_video_info *info,
                               const char *path, char *err, size_t err_size)
{
    memset(d, 0, sizeof *d);
    if (o->transnet && o->transnet_options.compat) {
        d->resample = 1;
        ft_rate_sync_init(&d->sync, ORIGINAL_RATE, info->fps_nominal);
    }
    if (!o->transnet) {
        ft_status st = ft_content_detector_create(&o->content, &d->content);
        if (st != FT_OK)
            snprintf(err, err_size, "%s: invalid content detector options", path);
        return st;
    }
    char why[512];
    ft_status st = ft_transnet_detector_create(o->transnet, FT_NN_BACKEND_FAST, o->nn_threads,
                                               o->gpu ? o->gpu_device : -1,
                                               &d->transnet, why, sizeof why);
    if (st != FT_OK)
        snprintf(err, err_size, "%s: TransNetV2: %s", path, why);
    return st;
}

static void detector_close(detector *d)
{
    ft_content_detector_free(d->content);
    ft_transnet_detector_free(d->transnet);
    sws_freeContext(d->scaler);
}

/* TransNetV2 sees what the original's `ffmpeg -s 48x27 -pix_fmt rgb24`
 * gave it: a bicubic scale of the whole frame. */
static ft_status scale_frame(detector *d, const ft_frame *f)
{
    const enum AVPixelFormat from = f->format == FT_PIXFMT_GRAY8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_YUV420P;
    d->scaler = sws_getCachedContext(d->scaler, f->width, f->height, from, FT_TRANSNET_WIDTH,
                                     FT_TRANSNET_HEIGHT, AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL,
                                     NULL);
    if (!d->scaler)
        return FT_ERR_INTERNAL;
    uint8_t *dst[1] = {d->rgb};
    const int dst_stride[1] = {FT_TRANSNET_WIDTH * 3};
    const uint8_t *const src[3] = {f->data[0], f->data[1], f->data[2]};
    sws_scale(d->scaler, src, f->linesize, 0, f->height, dst, dst_stride);
    return FT_OK;
}

/* The frame, once per frame of the list (OUT's times, since FIRST);
 * resampled, it may be shown several times or not at all, and a gap
 * repeats the one before. */
static ft_status detector_push(detector *d, const ft_frame *f, double first,
                               const ft_video_info *info, ft_shots *out, size_t *cap)
{
    ft_status st;
    int previous = 0, current = 1;
    if (d->resample) {
        const double duration = info->time_base_den > 0
                                    ? (double)f->duration * info->time_base_num / info->time_base_den
                                    : 0;
        ft_rate_sync_push(&d->sync, f->time, duration, &previous, &current);
    }
    if (d->content) {
        st = keep_time(out, cap, f->time - first);
        return st != FT_OK ? st : ft_content_detector_push(d->content, f);
    }
    if ((st = scale_frame(d, f)) != FT_OK)
        return st;
    /* Nothing comes before the first frame: it fills a gap itself, as in ffmpeg. */
    if (out->frame_count == 0)
        memcpy(d->previous, d->rgb, RGB_BYTES);
    for (int k = 0; k < previous + current && st == FT_OK; k++) {
        const double t = d->resample ? (double)out->frame_count / ORIGINAL_RATE : f->time - first;
        if ((st = keep_time(out, cap, t)) == FT_OK)
            st = ft_transnet_detector_push(d->transnet, k < previous ? d->previous : d->rgb);
    }
    memcpy(d->previous, d->rgb, RGB_BYTES);
    return st;
}

/* The cuts into OUT (which owns them). */
static ft_status detector_finish(detector *d, const ft_shot_options *o, ft_shots *out)
{
    if (d->transnet) {
        const float *logits;
        int64_t count;
        ft_status st = ft_transnet_detector_finish(d->transnet, &logits, &count);
        return st != FT_OK ? st
                           : ft_transnet_cuts(logits, count, &o->transnet_options, &out->cuts,
                                              &out->info, &out->cut_count);
    }
    const int64_t *cuts;
    const ft_cut_info *info;
    size_t n = 0;
    ft_status st = ft_content_detector_finish(d->content, &cuts, &info, &n);
    if (st != FT_OK)
        return st;
    out->cuts = malloc((n + 1) * sizeof *out->cuts);
    out->info = malloc((n + 1) * sizeof *out->info);
    if (!out->cuts || !out->info)
        return FT_ERR_NOMEM;
    memcpy(out->cuts, cuts, n * sizeof *cuts);
    memcpy(out->info, info, n * sizeof *info);
    out->cut_count = n;
    return FT_OK;
}

static void describe_failure(ft_status st, const detector *d, const char *path, char *err,
                             size_t err_size)
{
    if (st == FT_ERR_NOMEM)
        snprintf(err, err_size, "%s: out of memory", path);
    else if (d->transnet)
        snprintf(err, err_size, "%s: TransNetV2: %s", path, ft_transnet_detector_error(d->transnet));
    else
        snprintf(err, err_size, "%s: shot detection failed (%s)", path, ft_status_str(st));
}

ft_status ft_shots_detect(const char *path, const ft_shot_options *o, ft_shots *out, char *err,
                          size_t err_size)
{
    memset(out, 0, sizeof *out);
    ft_clear_error(err, err_size);
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.pixfmt = FT_PIXFMT_YUV420P; /* the detectors read planes: no RGB conversion */
    vo.decode_threads = o->decode_threads;
    vo.nvdec = o->gpu && !o->cpu_decode;
    vo.nvdec_device = o->gpu_device;
    ft_video *v = NULL;
    ft_status st = ft_video_open(path, &vo, &v, err, err_size);
    if (st != FT_OK)
        return st;
    const ft_video_info *info = ft_video_get_info(v);
    detector d;
    if ((st = detector_open(&d, o, info, path, err, err_size)) != FT_OK) {
        detector_close(&d);
        ft_video_close(v);
        return st;
    }
    size_t cap = 0;
    ft_frame f;
    int64_t read = 0;
    double first = 0;
    while ((st = ft_video_read(v, &f)) == FT_OK) {
        if (o->stop && atomic_load(o->stop)) {
            snprintf(err, err_size, "%s: interrupted", path);
            st = FT_ERR_INTERNAL;
            break;
        }
        if (read == 0)
            first = f.time;
        if ((st = detector_push(&d, &f, first, info, out, &cap)) != FT_OK) {
            describe_failure(st, &d, path, err, err_size);
            break;
        }
        if (o->on_frames && ++read % 100 == 0)
            o->on_frames(o->user, read, info->frame_count_hint);
    }
    if (st == FT_EOF)
        st = FT_OK;
    else if (st != FT_OK && !err[0])
        snprintf(err, err_size, "%s", ft_video_error(v));
    if (st == FT_OK && (st = detector_finish(&d, o, out)) != FT_OK)
        describe_failure(st, &d, path, err, err_size);
    detector_close(&d);
    ft_video_close(v);
    if (st != FT_OK)
        ft_shots_free(out);
    return st;
}
