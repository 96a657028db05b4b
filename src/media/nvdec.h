/* NVDEC decoding for the video reader (FFmpeg's CUDA hwaccel). */
#ifndef FT_MEDIA_NVDEC_H
#define FT_MEDIA_NVDEC_H

#include <stddef.h>

#include <libavcodec/avcodec.h>

#include "facetrack.h"

/* Makes DEC (not yet opened, of CODEC) decode on GPU DEVICE. FT_ERR_UNSUPPORTED
 * when this FFmpeg has no NVDEC path for the codec, FT_ERR_NO_DEVICE when the
 * GPU cannot be opened; WHY says which, and DEC is then left for the CPU. */
ft_status ft_nvdec_attach(AVCodecContext *dec, const AVCodec *codec, int device, char *why,
                          size_t why_size);

/* Whether FRAME's pictures are in device memory. */
int ft_nvdec_is_device_frame(const AVFrame *frame);

/* Whether DEVICE_FRAME can be handed on where it is: FT_OK for 8-bit NV12,
 * once the decoder's copies into it are complete (its CUDA stream
 * synchronised, so that any other stream may read it); FT_ERR_UNSUPPORTED
 * for other formats; an error with WHY when the GPU fails. */
ft_status ft_nvdec_picture_ready(const AVFrame *device_frame, char *why, size_t why_size);

/* Downloads DEVICE_FRAME into STAGING and, for semi-planar formats, lays it
 * out in PLANAR as the CPU decoder's planar format; *OUT is the frame to
 * convert (STAGING or PLANAR, both reused from call to call). */
ft_status ft_nvdec_download(const AVFrame *device_frame, AVFrame *staging, AVFrame *planar,
                            const AVFrame **out, char *why, size_t why_size);

/* How many 1080p H.264 decoders GPU DEVICE holds open at once, counted by
 * opening them (up to LIMIT, and while more than 1 GiB of its memory is
 * free) and closing them again: the videos it can decode at the same time.
 * -1 with WHY when the GPU or the decoder library cannot be reached; WHY
 * also says why the count stopped short of LIMIT. */
int ft_nvdec_count_sessions(int device, int limit, char *why, size_t why_size);

#endif
