/* Glue between libav* and the media layer; not part of the public API. */
#ifndef FT_MEDIA_INTERNAL_H
#define FT_MEDIA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libavutil/frame.h>

#include "facetrack.h"

/* Routes libav* messages into our logger (once per process). */
void ft_av_init(void);
/* The last error-level message libav* printed on this thread; "" if none. */
const char *ft_av_last_message(void);
void ft_av_clear_message(void);
/* A short reason for a libav error code, preferring the message libav logged. */
void ft_av_reason(int averror, char *buf, size_t size);

/* ---- rotation of one plane (element = 1, 3 or 4 bytes) ---- */
struct AVStream;

/* Clockwise degrees (the nearest multiple of 90) and whether a mirror comes
 * first, from ST's display matrix; 0 and 0 without one. */
void ft_stream_rotation(const struct AVStream *st, int *degrees, int *mirror);

/* Mirrors SRC (w x h) left-right when MIRROR, then rotates it clockwise by
 * DEGREES (0, 90, 180, 270); DST must hold the rotated size. */
void ft_rotate_plane(const uint8_t *src, int src_stride, int w, int h,
                     int elem, uint8_t *dst, int dst_stride, int degrees,
                     int mirror);

/* ---- pixel conversion (swscale) ---- */
typedef struct ft_converter ft_converter;

/* Converts decoded frames of any size/format into W x H frames of FORMAT,
 * reusing its buffers; nothing is allocated per frame once sizes settle. */
ft_status ft_converter_create(ft_pixfmt format, int w, int h, ft_converter **out);
void ft_converter_free(ft_converter *conv);
/* Converts SRC; on success DATA/LINESIZE point at the converter's planes (or
 * straight into SRC when no conversion is needed). */
ft_status ft_converter_run(ft_converter *conv, const AVFrame *src,
                           uint8_t *data[3], int linesize[3]);

/* Allocates the planes of a W x H frame of FORMAT: rows 64-byte aligned, and
 * slack after each plane so SIMD kernels may over-read. Unused planes are
 * left alone; free each with free(). */
ft_status ft_planes_alloc(ft_pixfmt format, int w, int h, uint8_t *planes[3], int linesize[3]);

/* Plane geometry of FORMAT at W x H: count, bytes per element, sizes. */
int ft_pixfmt_planes(ft_pixfmt format, int w, int h, int elem[3], int pw[3],
                     int ph[3]);

/* ---- packet index: what a demux-only pass over a file learns ---- */
typedef struct ft_packet_entry {
    int64_t pts, dts;   /* AV_NOPTS_VALUE when absent */
    int key;
} ft_packet_entry;

typedef struct ft_packet_index {
    ft_packet_entry *packets;  /* decode order, non-discarded packets only */
    int64_t packet_count;
    int64_t *frame_pts;        /* presentation order: frame i has frame_pts[i] */
    int64_t frame_count;
    int pts_usable;            /* every packet has a unique PTS and the first is a key */
} ft_packet_index;

/* Demuxes PATH's stream STREAM_INDEX without decoding. */
ft_status ft_packet_index_build(const char *path, int stream_index,
                                ft_packet_index *index, char *err, size_t err_size);
void ft_packet_index_free(ft_packet_index *index);
/* The frame index with presentation timestamp PTS; -1 when absent. */
int64_t ft_packet_index_find_pts(const ft_packet_index *index, int64_t pts);
/* The last key packet in decode order whose PTS <= PTS; -1 when none. */
int64_t ft_packet_index_key_before(const ft_packet_index *index, int64_t pts);
/* Presentation indices of the frames a seek can start decoding at, ascending
 * (*OUT is malloc'ed; none when timestamps are unusable). */
ft_status ft_packet_index_key_frames(const ft_packet_index *index, int64_t **out, int64_t *count);

/* The packet index of VIDEO, built by the first call (demux only) and kept
 * for its seeks. */
ft_status ft_video_packet_index(ft_video *video, const ft_packet_index **out);

#endif
