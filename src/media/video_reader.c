/* ft_video: one video stream of one file, decoded frame-exactly.
 *
 * Frames are numbered in presentation order over the frames the decoder
 * outputs, which is what `ffprobe -count_frames` counts. Seeking maps a frame
 * index to a timestamp through a demux-only packet index, starts decoding at
 * a key frame at or before it and drops frames until the target, so a seek
 * gives the same pixels as reading from the start. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "base/format_error.h"
#include "media/decode_errors.h"
#include "media/media_internal.h"
#include "media/nvdec.h"

#define SEEK_RETRIES 4
#define MAX_DRAIN_ERRORS 64

/* AVFrame.duration replaced pkt_duration in libavutil 57.30. */
static int64_t frame_duration(const AVFrame *frame)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 30, 100)
    return frame->duration > 0 ? frame->duration : 0;
#else
    return frame->pkt_duration > 0 ? frame->pkt_duration : 0;
#endif
}

struct ft_video {
    char *path;
    ft_video_options options;
    ft_video_info info;
    char error[512];

    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *stream;
    AVPacket *pkt;
    AVFrame *frame;
    int pkt_pending;          /* pkt holds a packet not yet sent */

    ft_converter *conv;
    uint8_t *rotated[3];
    int rotated_linesize[3];

    int64_t next_index;       /* index of the next frame read() returns */
    int64_t last_pts, last_duration;
    int demux_eof, flush_sent, drain_errors;
    int from_start;           /* this pass began at the first packet */
    int64_t packets_read;     /* of our stream in this pass */
    int64_t frames_decoded;   /* by the decoder in this pass */
    int corrupt_packets, decode_errors;
    ft_status deferred;       /* reported after the decoder is drained */

    int64_t skip_before_pts;  /* after a seek: drop frames before this PTS */
    int64_t skip_frames;      /* after a seek without usable PTS: drop N */

    ft_packet_index index;
    int have_index;

    /* NVDEC: attached to the decoder now; refused once (then the CPU for
     * good, said once); the first frame has shown where decoding happens. */
    int nvdec_attached, nvdec_refused, nvdec_checked;
    AVFrame *nvdec_staging, *nvdec_planar; /* the download, then planar */
};

static ft_status fail(ft_video *v, ft_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ft_status fail(ft_video *v, ft_status st, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(v->error, sizeof v->error, "%s: %s", v->path, reason);
    return st;
}

void ft_video_options_init(ft_video_options *o)
{
    memset(o, 0, sizeof *o);
    o->pixfmt = FT_PIXFMT_RGB24;
    o->apply_rotation = 1;
}

/* Fails early, with a plain reason, on what libavformat would report badly. */
static ft_status check_file(ft_video *v)
{
    struct stat sb;
    if (stat(v->path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return fail(v, FT_ERR_NOT_FOUND, "no such file");
        return fail(v, FT_ERR_IO, "cannot access: %s", strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return fail(v, FT_ERR_IO, "is a directory, not a video file");
    if (!S_ISREG(sb.st_mode))
        return fail(v, FT_ERR_IO, "not a regular file");
    if (access(v->path, R_OK) != 0)
        return fail(v, FT_ERR_IO, "cannot read: %s", strerror(errno));
    if (sb.st_size == 0)
        return fail(v, FT_ERR_FORMAT, "empty file (0 bytes)");
    return FT_OK;
}

static void fill_info(ft_video *v)
{
    ft_video_info *in = &v->info;
    const AVStream *st = v->stream;
    const AVCodecParameters *par = st->codecpar;
    memset(in, 0, sizeof *in);
    snprintf(in->container, sizeof in->container, "%s", v->fmt->iformat->name);
    snprintf(in->codec, sizeof in->codec, "%s", avcodec_get_name(par->codec_id));
    const char *pix = av_get_pix_fmt_name((enum AVPixelFormat)par->format);
    snprintf(in->source_pixfmt, sizeof in->source_pixfmt, "%s", pix ? pix : "unknown");
    in->coded_width = par->width;
    in->coded_height = par->height;
    if (v->options.apply_rotation)
        ft_stream_rotation(st, &in->rotation, &in->mirrored);
    int swap = in->rotation == 90 || in->rotation == 270;
    in->width = swap ? par->height : par->width;
    in->height = swap ? par->width : par->height;
    in->fps_nominal = st->r_frame_rate.den ? av_q2d(st->r_frame_rate) : 0;
    in->fps_average = st->avg_frame_rate.den ? av_q2d(st->avg_frame_rate) : 0;
    in->frame_count_hint = st->nb_frames > 0 ? st->nb_frames : -1;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        in->duration_hint = (double)st->duration * av_q2d(st->time_base);
    else if (v->fmt->duration != AV_NOPTS_VALUE && v->fmt->duration > 0)
        in->duration_hint = (double)v->fmt->duration / AV_TIME_BASE;
    else
        in->duration_hint = -1;
    in->bit_rate = par->bit_rate > 0 ? par->bit_rate : v->fmt->bit_rate;
    in->time_base_num = st->time_base.num;
    in->time_base_den = st->time_base.den;
    in->start_pts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    in->start_time = (double)in->start_pts * av_q2d(st->time_base);
    in->stream_index = st->index;
    in->stream_count = (int)v->fmt->nb_streams;
}

static void close_decoder(ft_video *v)
{
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    v->stream = NULL;
}

/* Opens demuxer and decoder and resets the read state to the first frame. */
static ft_status open_decoder(ft_video *v)
{
    char reason[300];
    int ret;
    ft_av_clear_message();
    if ((ret = avformat_open_input(&v->fmt, v->path, NULL, NULL)) < 0) {
        ft_av_reason(ret, reason, sizeof reason);
        return fail(v, FT_ERR_FORMAT, "not a readable media file: %s", reason);
    }
    if ((ret = avformat_find_stream_info(v->fmt, NULL)) < 0) {
        ft_av_reason(ret, reason, sizeof reason);
        return fail(v, FT_ERR_FORMAT, "cannot read stream information: %s", reason);
    }
    const AVCodec *codec = NULL;
    int si = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (si == AVERROR_STREAM_NOT_FOUND)
        return fail(v, FT_ERR_FORMAT, "no video stream (%u other stream%s)", v->fmt->nb_streams,
                    v->fmt->nb_streams == 1 ? "" : "s");
    if (si < 0 || !codec) {
        int id = -1;
        for (unsigned i = 0; i < v->fmt->nb_streams; i++)
            if (v->fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
                id = (int)v->fmt->streams[i]->codecpar->codec_id;
        return fail(v, FT_ERR_UNSUPPORTED, "no decoder for video codec %s",
                    id >= 0 ? avcodec_get_name((enum AVCodecID)id) : "(unknown)");
    }
    v->stream = v->fmt->streams[si];
    if (v->stream->disposition & AV_DISPOSITION_ATTACHED_PIC)
        return fail(v, FT_ERR_FORMAT, "no video stream, only a cover picture");
    if (v->stream->codecpar->width <= 0 || v->stream->codecpar->height <= 0)
        return fail(v, FT_ERR_FORMAT, "video stream has no frame size");
    for (unsigned i = 0; i < v->fmt->nb_streams; i++)
        if ((int)i != si)
            v->fmt->streams[i]->discard = AVDISCARD_ALL;

    v->dec = avcodec_alloc_context3(codec);
    if (!v->dec)
        return fail(v, FT_ERR_NOMEM, "out of memory");
    if (avcodec_parameters_to_context(v->dec, v->stream->codecpar) < 0)
        return fail(v, FT_ERR_INTERNAL, "cannot configure the %s decoder", codec->name);
    v->dec->pkt_timebase = v->stream->time_base;
    v->dec->thread_count = v->options.decode_threads > 0 ? v->options.decode_threads : 0;
    v->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    v->nvdec_attached = 0;
    if (v->options.nvdec && !v->nvdec_refused) {
        char why[200];
        if (ft_nvdec_attach(v->dec, codec, v->options.nvdec_device, why, sizeof why) == FT_OK) {
            v->nvdec_attached = 1;
        } else {
            v->nvdec_refused = 1;
            ft_log(FT_LOG_INFO, "%s: decoding on the CPU: %s", v->path, why);
        }
    }
    if ((ret = avcodec_open2(v->dec, codec, NULL)) < 0) {
        ft_av_reason(ret, reason, sizeof reason);
        return fail(v, FT_ERR_UNSUPPORTED, "cannot open the %s decoder: %s", codec->name, reason);
    }
    v->next_index = 0;
    v->last_pts = AV_NOPTS_VALUE;
    v->last_duration = 0;
    v->demux_eof = v->flush_sent = v->drain_errors = v->pkt_pending = 0;
    v->from_start = 1;
    v->packets_read = v->frames_decoded = 0;
    v->corrupt_packets = v->decode_errors = 0;
    v->deferred = FT_OK;
    v->skip_before_pts = AV_NOPTS_VALUE;
    v->skip_frames = 0;
    return FT_OK;
}

static ft_status alloc_buffers(ft_video *v)
{
    const ft_video_info *in = &v->info;
    ft_status st = ft_converter_create(v->options.pixfmt, in->coded_width, in->coded_height, &v->conv);
    if (st != FT_OK || (in->rotation == 0 && !in->mirrored))
        return st;
    return ft_planes_alloc(v->options.pixfmt, in->width, in->height, v->rotated,
                           v->rotated_linesize);
}

ft_status ft_video_open(const char *path, const ft_video_options *options, ft_video **out,
                        char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!out)
        return FT_ERR_INVALID_ARG;
    *out = NULL;
    if (!path) {
        if (err && err_size)
            snprintf(err, err_size, "(null): no file name given");
        return FT_ERR_INVALID_ARG;
    }
    ft_av_init();
    ft_video *v = calloc(1, sizeof *v);
    if (!v || !(v->path = strdup(path)) || !(v->pkt = av_packet_alloc()) ||
        !(v->frame = av_frame_alloc()) || !(v->nvdec_staging = av_frame_alloc()) ||
        !(v->nvdec_planar = av_frame_alloc())) {
        ft_video_close(v);
        if (err && err_size)
            snprintf(err, err_size, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    if (options)
        v->options = *options;
    else
        ft_video_options_init(&v->options);
    ft_status st = FT_OK;
    if ((unsigned)v->options.pixfmt >= FT_PIXFMT_COUNT)
        st = fail(v, FT_ERR_INVALID_ARG, "unknown pixel format %d", (int)v->options.pixfmt);
    if (st == FT_OK)
        st = check_file(v);
    if (st == FT_OK)
        st = open_decoder(v);
    if (st == FT_OK) {
        fill_info(v);
        v->info.nvdec = v->nvdec_attached;
        if ((st = alloc_buffers(v)) != FT_OK)
            fail(v, st, "cannot allocate frame buffers");
    }
    if (st != FT_OK) {
        if (err && err_size)
            snprintf(err, err_size, "%s", v->error);
        ft_video_close(v);
        return st;
    }
    *out = v;
    return FT_OK;
}

void ft_video_close(ft_video *v)
{
    if (!v)
        return;
    close_decoder(v);
    av_packet_free(&v->pkt);
    av_frame_free(&v->frame);
    av_frame_free(&v->nvdec_staging);
    av_frame_free(&v->nvdec_planar);
    ft_converter_free(v->conv);
    for (int i = 0; i < 3; i++)
        free(v->rotated[i]);
    ft_packet_index_free(&v->index);
    free(v->path);
    free(v);
}

const ft_video_info *ft_video_get_info(const ft_video *v)
{
    return v ? &v->info : NULL;
}

const char *ft_video_path(const ft_video *v)
{
    return v ? v->path : "";
}

const char *ft_video_error(const ft_video *v)
{
    return v ? v->error : "";
}

int ft_video_decode_errors(const ft_video *v)
{
    return v ? v->decode_errors : 0;
}

/* Called when the demuxer has no more packets: was anything missing? */
static void check_complete(ft_video *v)
{
    if (v->deferred != FT_OK || !v->from_start)
        return;
    if (v->corrupt_packets > 0)
        v->deferred = fail(v, FT_ERR_TRUNCATED, "truncated file: %d incomplete packet%s",
                           v->corrupt_packets, v->corrupt_packets == 1 ? "" : "s");
    else if (v->info.frame_count_hint > 0 && v->packets_read < v->info.frame_count_hint)
        v->deferred = fail(v, FT_ERR_TRUNCATED,
                           "truncated file: %lld of %lld video packets present",
                           (long long)v->packets_read, (long long)v->info.frame_count_hint);
}

/* Feeds the decoder one packet of our stream, or the end-of-stream flush. */
static ft_status feed_decoder(ft_video *v)
{
    if (v->demux_eof) {
        if (!v->flush_sent) {
            avcodec_send_packet(v->dec, NULL);
            v->flush_sent = 1;
        }
        return FT_OK;
    }
    if (!v->pkt_pending) {
        int ret = av_read_frame(v->fmt, v->pkt);
        if (ret == AVERROR_EOF || (ret < 0 && avio_feof(v->fmt->pb))) {
            v->demux_eof = 1;
            check_complete(v);
            return FT_OK;
        }
        if (ret < 0) {
            char reason[300];
            ft_av_reason(ret, reason, sizeof reason);
            if (v->deferred == FT_OK)
                v->deferred = fail(v, ret == AVERROR_INVALIDDATA ? FT_ERR_TRUNCATED : FT_ERR_IO,
                                   "read error after %lld frames: %s", (long long)v->next_index,
                                   reason);
            v->demux_eof = 1;
            return FT_OK;
        }
        if (v->pkt->stream_index != v->stream->index) {
            av_packet_unref(v->pkt);
            return FT_OK;
        }
        v->packets_read++;
        if (v->pkt->flags & AV_PKT_FLAG_CORRUPT)
            v->corrupt_packets++;
    }
    int ret = avcodec_send_packet(v->dec, v->pkt);
    if (ret == AVERROR(EAGAIN)) {
        v->pkt_pending = 1; /* the decoder wants its output read first */
        return FT_OK;
    }
    v->pkt_pending = 0;
    av_packet_unref(v->pkt);
    if (ret < 0 && ret != AVERROR_EOF) {
        /* Like ffprobe: a damaged packet costs its frame, not the video. */
        v->decode_errors++;
        ft_log(FT_LOG_DEBUG, "%s: decode error near frame %lld", v->path, (long long)v->next_index);
    }
    return FT_OK;
}

/* The next decoded frame in v->frame, whatever seeking asks to drop. */
static ft_status decode_next(ft_video *v)
{
    for (;;) {
        int ret = avcodec_receive_frame(v->dec, v->frame);
        if (ret == 0) {
            v->frames_decoded++;
            return FT_OK;
        }
        if (ret == AVERROR_EOF) {
            if (v->deferred != FT_OK)
                return v->deferred;
            if (v->from_start && v->decode_errors > 0)
                return fail(v, FT_ERR_FORMAT,
                            "corrupt video data: %d of %lld packets failed to decode",
                            v->decode_errors, (long long)v->packets_read);
            return FT_EOF;
        }
        if (ret != AVERROR(EAGAIN))
            v->decode_errors++;
        /* Once flushed, a decoder owes only frames, errors for its last
         * frames, then EOF; anything else would loop here for ever. */
        if (v->flush_sent && (ret == AVERROR(EAGAIN) || ++v->drain_errors > MAX_DRAIN_ERRORS))
            return fail(v, FT_ERR_FORMAT, "decoder failed at the end of the stream");
        ft_status st = feed_decoder(v);
        if (st != FT_OK)
            return st;
    }
}

static int64_t frame_pts(ft_video *v)
{
    int64_t pts = v->frame->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE)
        pts = v->frame->pts;
    if (pts == AV_NOPTS_VALUE && v->last_pts != AV_NOPTS_VALUE)
        pts = v->last_pts + (v->last_duration > 0 ? v->last_duration : 1);
    if (pts == AV_NOPTS_VALUE)
        pts = v->info.start_pts;
    return pts;
}

/* Decodes until the next frame that is not dropped by a pending seek. */
static ft_status next_wanted_frame(ft_video *v, int64_t *pts)
{
    for (;;) {
        ft_status st = decode_next(v);
        if (st != FT_OK)
            return st;
        *pts = frame_pts(v);
        v->last_pts = *pts;
        v->last_duration = frame_duration(v->frame);
        if (v->skip_frames > 0) {
            v->skip_frames--;
            av_frame_unref(v->frame);
            continue;
        }
        if (v->skip_before_pts != AV_NOPTS_VALUE) {
            if (*pts < v->skip_before_pts) {
                av_frame_unref(v->frame);
                continue;
            }
            v->skip_before_pts = AV_NOPTS_VALUE;
        }
        return FT_OK;
    }
}

/* A frame NVDEC decoded comes to the host as the CPU decoder's planar
 * layout; the first frame tells whether NVDEC took the stream at all (it
 * hands a stream it cannot decode back to the CPU decoder). */
static ft_status download_if_on_device(ft_video *v, const AVFrame **picture)
{
    if (!v->nvdec_attached)
        return FT_OK;
    if (!ft_nvdec_is_device_frame(v->frame)) {
        if (!v->nvdec_checked)
            ft_log(FT_LOG_INFO, "%s: NVDEC cannot decode this %s stream (%s, %dx%d): decoding on the CPU",
                   v->path, v->info.codec, v->info.source_pixfmt, v->info.coded_width,
                   v->info.coded_height);
        v->nvdec_checked = 1;
        v->info.nvdec = 0;
        return FT_OK;
    }
    v->nvdec_checked = 1;
    char why[200];
    ft_status st = ft_nvdec_download(v->frame, v->nvdec_staging, v->nvdec_planar, picture, why,
                                     sizeof why);
    if (st != FT_OK) {
        av_frame_unref(v->frame);
        return fail(v, st, "%s", why);
    }
    return FT_OK;
}

/* The frame as NVDEC left it on the GPU (ft_video_options.device_frames);
 * its pictures stay valid until the next call, as the host's. */
static ft_status hand_on_device(ft_video *v, ft_frame *f, int64_t pts)
{
    if (!v->nvdec_checked)
        ft_log(FT_LOG_DEBUG, "%s: frames stay on GPU %d", v->path, v->options.nvdec_device);
    v->nvdec_checked = 1;
    const AVFrame *d = v->frame;
    memset(f, 0, sizeof *f);
    f->data[0] = d->data[0];
    f->data[1] = d->data[1];
    f->linesize[0] = d->linesize[0];
    f->linesize[1] = d->linesize[1];
    f->device = v->options.nvdec_device;
    f->colorspace = d->colorspace;
    f->full_range = d->color_range == AVCOL_RANGE_JPEG;
    f->index = v->next_index++;
    f->pts = pts;
    f->time = (double)(pts - v->info.start_pts) * av_q2d(v->stream->time_base);
    f->duration = frame_duration(v->frame);
    f->width = d->width;
    f->height = d->height;
    f->format = FT_PIXFMT_CUDA_NV12;
    f->key_frame = d->key_frame || d->pict_type == AV_PICTURE_TYPE_I;
    return FT_OK;
}

ft_status ft_video_read(ft_video *v, ft_frame *f)
{
    if (!v || !f)
        return FT_ERR_INVALID_ARG;
    if (!v->dec)
        return fail(v, FT_ERR_INVALID_ARG, "reader is not open");
    int64_t pts;
    ft_status st = next_wanted_frame(v, &pts);
    if (st != FT_OK)
        return st;
    if (v->options.device_frames && v->nvdec_attached && !v->info.rotation && !v->info.mirrored &&
        ft_nvdec_is_device_frame(v->frame)) {
        char why[200];
        st = ft_nvdec_picture_ready(v->frame, why, sizeof why);
        if (st == FT_OK)
            return hand_on_device(v, f, pts);
        if (st != FT_ERR_UNSUPPORTED) {
            av_frame_unref(v->frame);
            return fail(v, st, "%s", why);
        }
    }
    const AVFrame *picture = v->frame;
    if ((st = download_if_on_device(v, &picture)) != FT_OK)
        return st;
    uint8_t *data[3] = {0};
    int linesize[3] = {0};
    st = ft_converter_run(v->conv, picture, data, linesize);
    if (st != FT_OK) {
        av_frame_unref(v->frame);
        return fail(v, st, "cannot convert %s frames to %s",
                    av_get_pix_fmt_name((enum AVPixelFormat)picture->format),
                    ft_pixfmt_name(v->options.pixfmt));
    }
    const ft_video_info *in = &v->info;
    memset(f, 0, sizeof *f);
    if (in->rotation || in->mirrored) {
        int elem[3], pw[3], ph[3];
        int n = ft_pixfmt_planes(v->options.pixfmt, in->coded_width, in->coded_height, elem, pw, ph);
        for (int i = 0; i < n; i++) {
            ft_rotate_plane(data[i], linesize[i], pw[i], ph[i], elem[i], v->rotated[i],
                            v->rotated_linesize[i], in->rotation, in->mirrored);
            data[i] = v->rotated[i];
            linesize[i] = v->rotated_linesize[i];
        }
    }
    for (int i = 0; i < 3; i++) {
        f->data[i] = data[i];
        f->linesize[i] = linesize[i];
    }
    f->index = v->next_index++;
    f->pts = pts;
    f->time = (double)(pts - in->start_pts) * av_q2d(v->stream->time_base);
    f->duration = frame_duration(v->frame);
    f->width = in->width;
    f->height = in->height;
    f->format = v->options.pixfmt;
    f->key_frame = v->frame->key_frame || v->frame->pict_type == AV_PICTURE_TYPE_I;
    /* The pixels may point into the decoded frame: keep its reference until
     * the next call, which unrefs it inside avcodec_receive_frame. */
    return FT_OK;
}

/* Back to the first frame: a fresh demuxer and decoder are the one state we
 * know to be identical to a first open. */
static ft_status rewind_to_start(ft_video *v)
{
    close_decoder(v);
    return open_decoder(v);
}

static ft_status ensure_index(ft_video *v)
{
    if (v->have_index)
        return FT_OK;
    char err[512] = "";
    ft_status st = ft_packet_index_build(v->path, v->info.stream_index, &v->index, err, sizeof err);
    if (st != FT_OK) {
        snprintf(v->error, sizeof v->error, "%s", err[0] ? err : ft_status_str(st));
        return st;
    }
    v->have_index = 1;
    return FT_OK;
}

ft_status ft_video_packet_index(ft_video *v, const ft_packet_index **out)
{
    *out = NULL;
    if (!v)
        return FT_ERR_INVALID_ARG;
    ft_status st = ensure_index(v);
    if (st == FT_OK)
        *out = &v->index;
    return st;
}

ft_status ft_video_key_frames(ft_video *v, int64_t **positions, int64_t *count,
                              int64_t *frame_count)
{
    if (!positions || !count)
        return FT_ERR_INVALID_ARG;
    *positions = NULL;
    *count = 0;
    if (frame_count)
        *frame_count = 0;
    const ft_packet_index *index;
    ft_status st = ft_video_packet_index(v, &index);
    if (st != FT_OK)
        return st;
    if ((st = ft_packet_index_key_frames(index, positions, count)) != FT_OK)
        return fail(v, st, "cannot list the key frames: %s", ft_status_str(st));
    if (frame_count)
        *frame_count = index->frame_count;
    return FT_OK;
}

/* Seeks the demuxer so that decoding starts at or before key packet KEY.
 * Returns 0 when the first packet read is not after it. */
static int seek_to_key(ft_video *v, const ft_packet_entry *key)
{
    int64_t ts = key->dts != AV_NOPTS_VALUE ? key->dts : key->pts;
    int64_t step = (int64_t)(av_q2d(av_inv_q(v->stream->time_base)) + 1); /* ~1 s */
    for (int attempt = 0; attempt < SEEK_RETRIES; attempt++, ts -= step, step *= 4) {
        if (avformat_seek_file(v->fmt, v->stream->index, INT64_MIN, ts, ts, 0) < 0)
            continue;
        avcodec_flush_buffers(v->dec);
        v->demux_eof = v->flush_sent = v->drain_errors = 0;
        v->pkt_pending = 0;
        int ret;
        while ((ret = av_read_frame(v->fmt, v->pkt)) >= 0 && v->pkt->stream_index != v->stream->index)
            av_packet_unref(v->pkt);
        if (ret < 0)
            continue;
        const int64_t got = v->pkt->dts != AV_NOPTS_VALUE && key->dts != AV_NOPTS_VALUE
                                ? v->pkt->dts - key->dts
                                : v->pkt->pts - key->pts;
        if (got <= 0 && (v->pkt->flags & AV_PKT_FLAG_KEY)) {
            v->pkt_pending = 1;
            return 0;
        }
        av_packet_unref(v->pkt);
    }
    return -1;
}

ft_status ft_video_seek(ft_video *v, int64_t index)
{
    if (!v || index < 0)
        return FT_ERR_INVALID_ARG;
    if (!v->dec)
        return fail(v, FT_ERR_INVALID_ARG, "reader is not open");
    if (index == v->next_index && v->skip_frames == 0 && v->skip_before_pts == AV_NOPTS_VALUE)
        return FT_OK;
    ft_status st = ensure_index(v);
    if (st != FT_OK)
        return st;
    if (!v->index.pts_usable) {
        /* No trustworthy timestamps: decode from the start and drop. */
        if ((st = rewind_to_start(v)) != FT_OK)
            return st;
        v->skip_frames = index;
        v->next_index = index;
        return FT_OK;
    }
    if (index >= v->index.frame_count)
        return fail(v, FT_EOF, "frame %lld is past the last frame (%lld)", (long long)index,
                    (long long)v->index.frame_count);
    const int64_t target = v->index.frame_pts[index];
    const int64_t key = ft_packet_index_key_before(&v->index, target);
    /* Reading forward is cheaper when no key frame lies between here and the
     * target. */
    int forward = key >= 0 && index > v->next_index && v->next_index < v->index.frame_count &&
                  v->index.packets[key].pts <= v->index.frame_pts[v->next_index];
    if (!forward) {
        int seeked = key > 0 && seek_to_key(v, &v->index.packets[key]) == 0;
        if (!seeked && (st = rewind_to_start(v)) != FT_OK)
            return st;
        v->from_start = !seeked;
        v->deferred = FT_OK;
    }
    v->skip_before_pts = target;
    v->skip_frames = 0;
    v->next_index = index;
    return FT_OK;
}

ft_status ft_video_count_frames(ft_video *v, int64_t *count, double *duration)
{
    if (!v || !count)
        return FT_ERR_INVALID_ARG;
    ft_status st = rewind_to_start(v);
    if (st != FT_OK)
        return st;
    int64_t n = 0, pts, first = AV_NOPTS_VALUE, end = AV_NOPTS_VALUE;
    while ((st = next_wanted_frame(v, &pts)) == FT_OK) {
        if (first == AV_NOPTS_VALUE || pts < first)
            first = pts;
        int64_t frame_end = pts + (frame_duration(v->frame));
        if (end == AV_NOPTS_VALUE || frame_end > end)
            end = frame_end;
        av_frame_unref(v->frame);
        n++;
    }
    v->next_index = n;
    if (st != FT_EOF)
        return st;
    *count = n;
    if (duration)
        *duration = n ? (double)(end - first) * av_q2d(v->stream->time_base) : 0.0;
    return FT_OK;
}
