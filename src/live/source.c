/* A live source through libavformat/libavdevice (see source.h). */
#include "live/source.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#if FT_HAVE_AVDEVICE
#include <libavdevice/avdevice.h>
#endif

#include "base/clock.h"
#include "media/media_internal.h"

struct ft_live_source {
    char *name;
    ft_live_source_options opt;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *stream;
    AVPacket *pkt;
    AVFrame *frame;
    ft_converter *conv;
    int conv_w, conv_h;
    double deadline; /* monotonic seconds; the interrupt callback's limit */
    int demux_eof, flushed;
    int64_t first_pts;
    int rotation, mirror; /* the display matrix's: frames come out upright, as track's */
    uint8_t *upright;
    size_t upright_size;
};

ft_live_source_kind ft_live_source_classify(const char *source)
{
    if (strncmp(source, "/dev/", 5) == 0)
        return FT_LIVE_DEVICE;
    const char *sep = strstr(source, "://");
    if (sep && sep > source && strncmp(source, "file://", 7) != 0) {
        for (const char *c = source; c < sep; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                  *c == '+' || *c == '-' || *c == '.'))
                return FT_LIVE_FILE;
        return FT_LIVE_NETWORK;
    }
    return FT_LIVE_FILE;
}

const char *ft_live_source_kind_name(ft_live_source_kind kind)
{
    switch (kind) {
    case FT_LIVE_DEVICE: return "device";
    case FT_LIVE_NETWORK: return "network";
    default: return "file";
    }
}

/* libavformat polls this during every blocking call: 1 stops the call. */
static int interrupted(void *opaque)
{
    const ft_live_source *s = opaque;
    if (s->opt.stop && atomic_load(s->opt.stop))
        return 1;
    return s->deadline > 0 && ft_now_s() > s->deadline;
}

static void arm(ft_live_source *s, double seconds)
{
    s->deadline = ft_now_s() + seconds;
}

static void register_devices(void)
{
#if FT_HAVE_AVDEVICE
    avdevice_register_all();
#endif
}

static ft_status fail(char *err, size_t n, const char *name, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static ft_status fail(char *err, size_t n, const char *name, ft_status st, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(err, n, "%s: %s", name, reason);
    return st;
}

/* The reason of a failed call, saying "timed out" when our deadline (not
 * the stream) ended it. */
static void reason_of(const ft_live_source *s, int ret, char *out, size_t n)
{
    if (ret == AVERROR_EXIT && !(s->opt.stop && atomic_load(s->opt.stop)))
        snprintf(out, n, "timed out");
    else
        ft_av_reason(ret, out, n);
}

static ft_status open_input(ft_live_source *s, ft_live_source_kind kind, char *err, size_t n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_devices);
    const AVInputFormat *ifmt = NULL;
    AVDictionary *o = NULL;
    if (kind == FT_LIVE_DEVICE) {
#if FT_HAVE_AVDEVICE
        ifmt = av_find_input_format("video4linux2");
#endif
        if (!ifmt)
            return fail(err, n, s->name, FT_ERR_UNSUPPORTED,
                        "this build has no V4L2 input (libavdevice)");
        if (s->opt.device_fps > 0) {
            char rate[32];
            snprintf(rate, sizeof rate, "%g", s->opt.device_fps);
            av_dict_set(&o, "framerate", rate, 0);
        }
        if (s->opt.video_size)
            av_dict_set(&o, "video_size", s->opt.video_size, 0);
        if (s->opt.input_format)
            av_dict_set(&o, "input_format", s->opt.input_format, 0);
    }
    if (kind != FT_LIVE_FILE) {
        /* No buffering in the demuxer and a short probe: the newest frame
         * matters, not a smooth start. */
        av_dict_set(&o, "fflags", "nobuffer", 0);
        av_dict_set(&o, "probesize", "1000000", 0);
        av_dict_set(&o, "analyzeduration", "1000000", 0);
    }
    if (kind == FT_LIVE_NETWORK) {
        char us[32];
        snprintf(us, sizeof us, "%lld", (long long)(s->opt.read_timeout_s * 1e6));
        av_dict_set(&o, "rw_timeout", us, 0);
        av_dict_set(&o, "overrun_nonfatal", "1", 0); /* udp: a full buffer drops, not fails */
        av_dict_set(&o, "reconnect", "0", 0);        /* http: we reconnect ourselves */
    }
    s->fmt = avformat_alloc_context();
    if (!s->fmt) {
        av_dict_free(&o);
        return fail(err, n, s->name, FT_ERR_NOMEM, "out of memory");
    }
    s->fmt->interrupt_callback = (AVIOInterruptCB){interrupted, s};
    arm(s, s->opt.open_timeout_s);
    ft_av_clear_message();
    int ret = avformat_open_input(&s->fmt, s->name, ifmt, &o);
    av_dict_free(&o);
    char reason[300];
    if (ret < 0) {
        reason_of(s, ret, reason, sizeof reason);
        return fail(err, n, s->name, ret == AVERROR(ENOENT) ? FT_ERR_NOT_FOUND : FT_ERR_IO,
                    "cannot open: %s", reason);
    }
    if ((ret = avformat_find_stream_info(s->fmt, NULL)) < 0) {
        reason_of(s, ret, reason, sizeof reason);
        return fail(err, n, s->name, FT_ERR_FORMAT, "cannot read stream information: %s", reason);
    }
    return FT_OK;
}

static ft_status open_decoder(ft_live_source *s, char *err, size_t n)
{
    const AVCodec *codec = NULL;
    int si = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (si < 0 || !codec)
        return fail(err, n, s->name, FT_ERR_FORMAT,
                    si == AVERROR_STREAM_NOT_FOUND ? "no video stream" : "no decoder for its video");
    s->stream = s->fmt->streams[si];
    ft_stream_rotation(s->stream, &s->rotation, &s->mirror);
    for (unsigned i = 0; i < s->fmt->nb_streams; i++)
        if ((int)i != si)
            s->fmt->streams[i]->discard = AVDISCARD_ALL;
    s->dec = avcodec_alloc_context3(codec);
    if (!s->dec || avcodec_parameters_to_context(s->dec, s->stream->codecpar) < 0)
        return fail(err, n, s->name, FT_ERR_NOMEM, "cannot configure the %s decoder", codec->name);
    s->dec->pkt_timebase = s->stream->time_base;
    /* Slice threads only: frame threads hold back one frame per thread. */
    s->dec->thread_count = 0;
    s->dec->thread_type = FF_THREAD_SLICE;
    s->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
    int ret = avcodec_open2(s->dec, codec, NULL);
    if (ret < 0) {
        char reason[300];
        ft_av_reason(ret, reason, sizeof reason);
        return fail(err, n, s->name, FT_ERR_UNSUPPORTED, "cannot open the %s decoder: %s",
                    codec->name, reason);
    }
    s->pkt = av_packet_alloc();
    s->frame = av_frame_alloc();
    if (!s->pkt || !s->frame)
        return fail(err, n, s->name, FT_ERR_NOMEM, "out of memory");
    return FT_OK;
}

ft_status ft_live_source_open(const char *source, const ft_live_source_options *options,
                              ft_live_source **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_av_init();
    ft_live_source *s = calloc(1, sizeof *s);
    if (!s || !(s->name = strdup(source))) {
        free(s);
        snprintf(err, err_size, "%s: out of memory", source);
        return FT_ERR_NOMEM;
    }
    s->opt = *options;
    s->first_pts = AV_NOPTS_VALUE;
    ft_live_source_kind kind = ft_live_source_classify(source);
    ft_status st = open_input(s, kind, err, err_size);
    if (st == FT_OK)
        st = open_decoder(s, err, err_size);
    if (st != FT_OK) {
        ft_live_source_close(s);
        return st;
    }
    *out = s;
    return FT_OK;
}

void ft_live_source_close(ft_live_source *s)
{
    if (!s)
        return;
    ft_converter_free(s->conv);
    free(s->upright);
    av_frame_free(&s->frame);
    av_packet_free(&s->pkt);
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->fmt);
    free(s->name);
    free(s);
}

const char *ft_live_source_codec(const ft_live_source *s)
{
    return avcodec_get_name(s->stream->codecpar->codec_id);
}

double ft_live_source_fps(const ft_live_source *s)
{
    AVRational r = s->stream->avg_frame_rate.num > 0 ? s->stream->avg_frame_rate
                                                      : s->stream->r_frame_rate;
    return r.num > 0 && r.den > 0 ? av_q2d(r) : 0;
}

/* The decoded frame in RGB24, at its own size (a stream may change size:
 * the converter follows it). */
static ft_status convert(ft_live_source *s, ft_live_picture *p, char *err, size_t n)
{
    const AVFrame *f = s->frame;
    if (f->width <= 0 || f->height <= 0)
        return fail(err, n, s->name, FT_ERR_FORMAT, "a frame without a size");
    if (!s->conv || s->conv_w != f->width || s->conv_h != f->height) {
        ft_converter_free(s->conv);
        s->conv = NULL;
        if (ft_converter_create(FT_PIXFMT_RGB24, f->width, f->height, &s->conv) != FT_OK)
            return fail(err, n, s->name, FT_ERR_NOMEM, "out of memory");
        s->conv_w = f->width;
        s->conv_h = f->height;
    }
    uint8_t *data[3];
    int linesize[3];
    if (ft_converter_run(s->conv, f, data, linesize) != FT_OK)
        return fail(err, n, s->name, FT_ERR_UNSUPPORTED, "cannot convert %s frames to RGB",
                    av_get_pix_fmt_name((enum AVPixelFormat)f->format));
    int width = f->width, height = f->height;
    if (s->rotation || s->mirror) {
        const size_t need = (size_t)width * (size_t)height * 3;
        if (s->upright_size < need) {
            uint8_t *grown = realloc(s->upright, need);
            if (!grown)
                return fail(err, n, s->name, FT_ERR_NOMEM, "out of memory");
            s->upright = grown;
            s->upright_size = need;
        }
        if (s->rotation == 90 || s->rotation == 270) {
            width = f->height;
            height = f->width;
        }
        ft_rotate_plane(data[0], linesize[0], f->width, f->height, 3, s->upright, width * 3,
                        s->rotation, s->mirror);
        data[0] = s->upright;
        linesize[0] = width * 3;
    }
    const AVRational tb = s->stream->time_base;
    int64_t pts = f->best_effort_timestamp;
    if (pts != AV_NOPTS_VALUE && s->first_pts == AV_NOPTS_VALUE)
        s->first_pts = pts;
    *p = (ft_live_picture){
        .rgb = data[0], .width = width, .height = height, .stride = linesize[0],
        .time_us = pts == AV_NOPTS_VALUE ? -1 : av_rescale_q(pts - s->first_pts, tb, AV_TIME_BASE_Q),
        .duration_us = f->pkt_duration > 0 ? av_rescale_q(f->pkt_duration, tb, AV_TIME_BASE_Q) : 0};
    return FT_OK;
}

ft_status ft_live_source_read(ft_live_source *s, ft_live_picture *p, char *err, size_t n)
{
    char reason[300];
    for (;;) {
        int ret = avcodec_receive_frame(s->dec, s->frame);
        if (ret == 0)
            return convert(s, p, err, n);
        if (ret == AVERROR_EOF)
            return FT_EOF;
        if (ret != AVERROR(EAGAIN)) {
            ft_av_reason(ret, reason, sizeof reason);
            return fail(err, n, s->name, FT_ERR_FORMAT, "cannot decode: %s", reason);
        }
        if (s->demux_eof) { /* drain what the decoder holds */
            if (s->flushed)
                return FT_EOF;
            avcodec_send_packet(s->dec, NULL);
            s->flushed = 1;
            continue;
        }
        arm(s, s->opt.read_timeout_s);
        ft_av_clear_message(); /* a failure's reason is this read's, not an older decoder message */
        ret = av_read_frame(s->fmt, s->pkt);
        if (ret == AVERROR_EOF) {
            s->demux_eof = 1;
            continue;
        }
        if (ret < 0) {
            if (s->opt.stop && atomic_load(s->opt.stop))
                return FT_EOF;
            reason_of(s, ret, reason, sizeof reason);
            return fail(err, n, s->name, FT_ERR_IO, "read failed: %s", reason);
        }
        if (s->pkt->stream_index == s->stream->index) {
            ret = avcodec_send_packet(s->dec, s->pkt);
            /* A damaged packet of a live stream is skipped: the next key
             * frame repairs the picture. */
            if (ret < 0 && ret != AVERROR(EAGAIN))
                ft_log(FT_LOG_DEBUG, "%s: a packet failed to decode", s->name);
        }
        av_packet_unref(s->pkt);
    }
}

ft_status ft_live_source_rewind(ft_live_source *s, char *err, size_t n)
{
    arm(s, s->opt.open_timeout_s);
    int64_t start = s->stream->start_time != AV_NOPTS_VALUE ? s->stream->start_time : 0;
    int ret = avformat_seek_file(s->fmt, s->stream->index, INT64_MIN, start, start, 0);
    if (ret < 0)
        ret = av_seek_frame(s->fmt, s->stream->index, start, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        char reason[300];
        ft_av_reason(ret, reason, sizeof reason);
        return fail(err, n, s->name, FT_ERR_UNSUPPORTED, "cannot rewind: %s", reason);
    }
    avcodec_flush_buffers(s->dec);
    s->demux_eof = s->flushed = 0;
    s->first_pts = AV_NOPTS_VALUE;
    return FT_OK;
}
