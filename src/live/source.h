/* One connection to a live source: a V4L2 camera (/dev/videoN, through
 * libavdevice), a network stream (rtsp://, http://, udp://, srt://, ...,
 * through libavformat) or a video file played as a camera. It opens the
 * demuxer and the decoder with low-latency settings and hands out decoded
 * frames converted to RGB24 at the resolution the frames really have.
 * Every blocking call is bounded: a deadline and a stop flag interrupt it. */
#ifndef FT_LIVE_SOURCE_H
#define FT_LIVE_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef enum ft_live_source_kind {
    FT_LIVE_FILE = 0, /* a video file, paced at its own rate */
    FT_LIVE_DEVICE,   /* /dev/videoN */
    FT_LIVE_NETWORK   /* a URL libavformat's protocols read */
} ft_live_source_kind;

/* What SOURCE names: "/dev/..." a device, "SCHEME://..." (not file://) a
 * network stream, anything else a file. */
ft_live_source_kind ft_live_source_classify(const char *source);
const char *ft_live_source_kind_name(ft_live_source_kind kind);

typedef struct ft_live_source_options {
    double open_timeout_s; /* opening and probing: 10 */
    double read_timeout_s; /* no packet for this long is a loss: 5 */
    double device_fps;     /* V4L2 frame rate to ask for; 0 = the device's */
    const char *video_size;   /* V4L2 "WxH" to ask for; NULL = the device's */
    const char *input_format; /* V4L2 mjpeg, yuyv422, h264...; NULL = the device's */
    const atomic_int *stop;   /* interrupts any wait when set */
} ft_live_source_options;

/* A decoded frame: RGB24 pixels owned by the source, valid until the next
 * read; TIME_US is the stream's timestamp relative to its first frame
 * (-1 when the stream has none). */
typedef struct ft_live_picture {
    const uint8_t *rgb;
    int width, height, stride;
    int64_t time_us;
    int64_t duration_us; /* 0 when unknown */
} ft_live_picture;

typedef struct ft_live_source ft_live_source;

/* Opens SOURCE. On failure ERR gets one line naming SOURCE and the reason. */
ft_status ft_live_source_open(const char *source, const ft_live_source_options *options,
                              ft_live_source **out, char *err, size_t err_size);
void ft_live_source_close(ft_live_source *source);

/* The codec's name ("h264", "mjpeg", "rawvideo"). */
const char *ft_live_source_codec(const ft_live_source *source);
/* The stream's nominal frame rate; 0 when unknown. */
double ft_live_source_fps(const ft_live_source *source);

/* The next frame: FT_OK, FT_EOF at the end of the stream, or an error (ERR
 * says why: a stall past read_timeout_s, a read or decode failure). */
ft_status ft_live_source_read(ft_live_source *source, ft_live_picture *picture, char *err,
                              size_t err_size);

/* Back to the first frame (files); FT_ERR_UNSUPPORTED when it cannot seek. */
ft_status ft_live_source_rewind(ft_live_source *source, char *err, size_t err_size);

#endif
