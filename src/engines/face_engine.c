/* ft_face_engine: an instance of an engine class from the registry. The
 * checks every engine needs (options, image formats) and the one-frame
 * ft_face_engine_process() live here, once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/format_error.h"
#include "engines/engine_class.h"
#include "gpu/frame_warp.h"

#define DEFAULT_ENGINE "mediapipe_landmarker"

struct ft_face_engine {
    const ft_engine_class *cls;
    void *priv;
    ft_face_options opt;
    ft_face *faces;  /* process()'s results, num_faces */
    uint8_t *rgb;    /* converted input when it is not RGB or RGBA */
    size_t rgb_size;
    ft_gpu_picture picture; /* the frame being sent, when it is on a GPU */
    char error[768];
};

void ft_face_options_init(ft_face_options *o)
{
    *o = (ft_face_options){
        .num_faces = 5,
        .min_detection_confidence = 0.5f,
        .min_presence_confidence = 0.5f,
        .min_tracking_confidence = 0.5f,
        .video = 1,
        .detect_interval = 10,
        .max_tile_px = 1088,
        .smoothing = -1,
        .smoothing_min_cutoff = 0.05f,
        .smoothing_beta = 80.0f,
        .smoothing_derivate_cutoff = 1.0f,
        .max_lost_frames = 25,
        .blendshape_interval = 1,
        .threads = 1,
        .gpu_device = -1,
        .finish_ahead = -1,
        .whole_frame_pass = 1,
        .detect_every_n = 1,
    };
}

static ft_status check_options(const ft_face_options *o, char *err, size_t n)
{
    if (o->num_faces < 1 || o->num_faces > 64)
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "num_faces must be between 1 and 64");
    if (o->detect_interval < 1 || o->blendshape_interval < 1)
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s",
                    "detect_interval and blendshape_interval must be at least 1");
    if (o->finish_ahead < -1 || o->finish_ahead > 1)
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "finish_ahead is -1, 0 or 1");
    if (o->max_lost_frames < 0 || o->threads < 0)
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "max_lost_frames and threads cannot be negative");
    if (!(o->min_detection_confidence >= 0 && o->min_detection_confidence <= 1) ||
        !(o->min_presence_confidence >= 0 && o->min_presence_confidence <= 1) ||
        !(o->min_tracking_confidence >= 0 && o->min_tracking_confidence <= 1))
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "confidence thresholds must be between 0 and 1");
    if (!(o->smoothing_min_cutoff > 0) || !(o->smoothing_beta >= 0) ||
        !(o->smoothing_derivate_cutoff > 0))
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "smoothing cutoffs must be positive, beta >= 0");
    if (o->gpu_device < -1)
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "gpu_device is -1 (the CPU) or a device number");
    if (o->detect_every_n < 0 || o->max_width < 0)
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s", "detect_every_n and max_width cannot be negative");
    if (o->detector_size != 0 && (o->detector_size < 64 || o->detector_size > 4096 || o->detector_size % 32))
        return ft_format_error(err, n, FT_ERR_INVALID_ARG, "%s",
                               "detector_size must be a multiple of 32 from 64 to 4096 (or 0)");
    return FT_OK;
}

ft_status ft_face_engine_create(const ft_face_options *options, ft_face_engine **out, char *err,
                                size_t err_size)
{
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    ft_face_options opt;
    if (options)
        opt = *options;
    else
        ft_face_options_init(&opt);
    ft_status st = check_options(&opt, err, err_size);
    if (st != FT_OK)
        return st;
    const char *name = opt.engine ? opt.engine : DEFAULT_ENGINE;
    const ft_engine_info *info = ft_engine_find(name);
    char why[256];
    if (!info) {
        if (err && err_size)
            snprintf(err, err_size, "unknown engine '%s' (see `facetrack engines`)", name);
        return FT_ERR_NOT_FOUND;
    }
    const ft_engine_class *cls = ft_engine_class_of(info);
    /* a model file named in the options is checked when the engine opens it */
    const int model_given = cls->available_with_model &&
                            ((opt.detector_model && *opt.detector_model) ||
                             (opt.eos_models_dir && *opt.eos_models_dir) ||
                             (opt.eos_shape_model && *opt.eos_shape_model));
    if (!model_given && !ft_engine_available(info, why, sizeof why)) {
        if (err && err_size)
            snprintf(err, err_size, "engine '%s' is not available: %s", info->name, why);
        return FT_ERR_UNSUPPORTED;
    }
    ft_face_engine *e = calloc(1, sizeof *e);
    if (!e)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s", "out of memory");
    e->cls = ft_engine_class_of(info);
    e->opt = opt;
    e->opt.engine = info->name; /* the caller's string need not outlive us */
    e->priv = calloc(1, e->cls->priv_size ? e->cls->priv_size : 1);
    e->faces = calloc((size_t)opt.num_faces, sizeof *e->faces);
    if (!e->priv || !e->faces) {
        free(e->priv);
        free(e->faces);
        free(e);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s", "out of memory");
    }
    st = e->cls->create(e->priv, &e->opt, err, err_size);
    if (st != FT_OK) {
        ft_face_engine_free(e);
        return st;
    }
    *out = e;
    return FT_OK;
}

void ft_face_engine_free(ft_face_engine *e)
{
    if (!e)
        return;
    if (e->cls->free)
        e->cls->free(e->priv);
    free(e->priv);
    free(e->faces);
    free(e->rgb);
    free(e);
}

const char *ft_face_engine_error(const ft_face_engine *e)
{
    return e ? e->error : "";
}

const ft_engine_info *ft_face_engine_info(const ft_face_engine *e)
{
    return e ? &e->cls->info : NULL;
}

void ft_face_engine_timings(const ft_face_engine *e, ft_face_timings *out)
{
    if (!out)
        return;
    *out = (ft_face_timings){0};
    if (e && e->cls->timings)
        e->cls->timings(e->priv, out);
}

void ft_face_engine_reset(ft_face_engine *e)
{
    if (e && e->cls->reset)
        e->cls->reset(e->priv);
}

void ft_face_engine_signal_cut(ft_face_engine *e)
{
    if (e && e->cls->signal_cut)
        e->cls->signal_cut(e->priv);
}

/* The class's message after a failure, else the status's. */
static ft_status failed(ft_face_engine *e, ft_status st)
{
    const char *why = e->cls->error ? e->cls->error(e->priv) : "";
    snprintf(e->error, sizeof e->error, "%s", why && *why ? why : ft_status_str(st));
    return st;
}

/* IMAGE as RGB or RGBA pixels the engines read, converting BGR and gray. */
static ft_status as_rgb(ft_face_engine *e, const ft_image *im, ft_face_image *view)
{
    if (!im->data || im->width <= 0 || im->height <= 0) {
        snprintf(e->error, sizeof e->error, "invalid image: no pixels or size %dx%d", im->width,
                 im->height);
        return FT_ERR_INVALID_ARG;
    }
    const int bpp = im->format == FT_PIXFMT_RGBA ? 4 : im->format == FT_PIXFMT_GRAY8 ? 1 : 3;
    if ((im->format != FT_PIXFMT_RGB24 && im->format != FT_PIXFMT_BGR24 &&
         im->format != FT_PIXFMT_RGBA && im->format != FT_PIXFMT_GRAY8) ||
        im->stride < im->width * bpp) {
        snprintf(e->error, sizeof e->error,
                 "invalid image: format must be rgb24, bgr24, rgba or gray with stride >= width x pixel size");
        return FT_ERR_INVALID_ARG;
    }
    *view = (ft_face_image){im->data, im->width, im->height, im->stride, bpp, NULL};
    if (im->format == FT_PIXFMT_RGB24 || im->format == FT_PIXFMT_RGBA)
        return FT_OK;
    const size_t need = (size_t)im->width * (size_t)im->height * 3;
    if (need > e->rgb_size) {
        uint8_t *p = realloc(e->rgb, need);
        if (!p) {
            snprintf(e->error, sizeof e->error, "out of memory converting a %dx%d image",
                     im->width, im->height);
            return FT_ERR_NOMEM;
        }
        e->rgb = p;
        e->rgb_size = need;
    }
    for (int y = 0; y < im->height; y++) {
        const uint8_t *s = im->data + (size_t)y * (size_t)im->stride;
        uint8_t *d = e->rgb + (size_t)y * (size_t)im->width * 3;
        for (int x = 0; x < im->width; x++, d += 3) {
            if (bpp == 1) {
                d[0] = d[1] = d[2] = s[x];
            } else {
                d[0] = s[3 * x + 2];
                d[1] = s[3 * x + 1];
                d[2] = s[3 * x];
            }
        }
    }
    *view = (ft_face_image){e->rgb, im->width, im->height, im->width * 3, 3, NULL};
    return FT_OK;
}

/* IMAGE (NULL: drain) to the class. */
static ft_status send_view(ft_face_engine *e, const ft_face_image *img, int64_t timestamp_us)
{
    ft_status st = e->cls->send(e->priv, img, timestamp_us);
    return st == FT_OK || st == FT_EAGAIN || st == FT_EOF ? st : failed(e, st);
}

ft_status ft_face_engine_send(ft_face_engine *e, const ft_image *image, int64_t timestamp_us)
{
    if (!e)
        return FT_ERR_INVALID_ARG;
    e->error[0] = '\0';
    ft_face_image view, *img = NULL;
    if (image) {
        ft_status st = as_rgb(e, image, &view);
        if (st != FT_OK)
            return st;
        img = &view;
    }
    return send_view(e, img, timestamp_us);
}

int ft_face_engine_takes_device_frames(const ft_face_engine *e)
{
    return e && e->cls->takes_device_frames;
}

ft_status ft_face_engine_send_frame(ft_face_engine *e, const ft_frame *frame, int64_t timestamp_us)
{
    if (!e)
        return FT_ERR_INVALID_ARG;
    if (!frame)
        return ft_face_engine_send(e, NULL, timestamp_us);
    if (frame->format != FT_PIXFMT_CUDA_NV12) {
        const ft_image image = {frame->data[0], frame->width, frame->height, frame->linesize[0],
                                frame->format};
        return ft_face_engine_send(e, &image, timestamp_us);
    }
    e->error[0] = '\0';
    if (!e->cls->takes_device_frames) {
        snprintf(e->error, sizeof e->error, "engine '%s' reads frames on the host only",
                 e->cls->info.name);
        return FT_ERR_UNSUPPORTED;
    }
    if (!frame->data[0] || !frame->data[1] || frame->width <= 0 || frame->height <= 0 ||
        frame->linesize[0] < frame->width || frame->linesize[1] < (frame->width + 1) / 2 * 2) {
        snprintf(e->error, sizeof e->error, "invalid frame on GPU %d: no planes or size %dx%d",
                 frame->device, frame->width, frame->height);
        return FT_ERR_INVALID_ARG;
    }
    e->picture = (ft_gpu_picture){
        .device = frame->device,
        .view = {frame->data[0], frame->data[1], (size_t)frame->linesize[0],
                 (size_t)frame->linesize[1], frame->width, frame->height,
                 ft_yuv_coeffs_for(frame->colorspace, frame->full_range)}};
    const ft_face_image view = {NULL, frame->width, frame->height, 0, 3, &e->picture};
    return send_view(e, &view, timestamp_us);
}

ft_status ft_face_engine_receive(ft_face_engine *e, ft_face *faces, int capacity, int *count,
                                 int64_t *timestamp_us)
{
    if (!e || !faces || !count)
        return FT_ERR_INVALID_ARG;
    *count = 0;
    e->error[0] = '\0';
    if (capacity < e->opt.num_faces) {
        snprintf(e->error, sizeof e->error, "receive: capacity %d is below num_faces %d", capacity,
                 e->opt.num_faces);
        return FT_ERR_INVALID_ARG;
    }
    ft_status st = e->cls->receive(e->priv, faces, capacity, count, timestamp_us);
    return st == FT_OK || st == FT_EAGAIN || st == FT_EOF ? st : failed(e, st);
}

ft_status ft_face_engine_process(ft_face_engine *e, const ft_image *image, int64_t timestamp_us,
                                 const ft_face **faces, int *count)
{
    if (!e || !image || !faces || !count)
        return FT_ERR_INVALID_ARG;
    *faces = e->faces;
    *count = 0;
    ft_status st = ft_face_engine_send(e, image, timestamp_us);
    if (st == FT_EAGAIN) {
        snprintf(e->error, sizeof e->error,
                 "engine '%s' holds results: receive them before processing another frame",
                 e->cls->info.name);
        return FT_ERR_INVALID_ARG;
    }
    if (st != FT_OK)
        return st;
    st = ft_face_engine_receive(e, e->faces, e->opt.num_faces, count, NULL);
    if (st == FT_EAGAIN && e->cls->flush) { /* it finishes frames ahead: this one now */
        if ((st = e->cls->flush(e->priv)) != FT_OK)
            return failed(e, st);
        st = ft_face_engine_receive(e, e->faces, e->opt.num_faces, count, NULL);
    }
    if (st == FT_EAGAIN || st == FT_EOF) {
        /* An engine that batches frames: one frame in means one frame out. */
        snprintf(e->error, sizeof e->error,
                 "engine '%s' queues frames: use ft_face_engine_send and _receive",
                 e->cls->info.name);
        return FT_ERR_UNSUPPORTED;
    }
    return st;
}
