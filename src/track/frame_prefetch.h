/* Frames decoded ahead of their consumer, on a thread of their own: while a
 * worker's engine waits for the GPU, the next frames are being decoded
 * (and, with NVDEC, downloaded and converted), so a worker's time per frame
 * is the longer of the two rather than their sum. The frames are copied
 * out of the reader into a few slots of the prefetcher's own, because the
 * reader's pixels last only until its next read. */
#ifndef FT_TRACK_FRAME_PREFETCH_H
#define FT_TRACK_FRAME_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_frame_prefetch ft_frame_prefetch;

/* Starts reading COUNT frames from VIDEO's current position into DEPTH
 * slots (at least 2: the one the caller holds and one being filled). The
 * video belongs to the prefetcher until ft_frame_prefetch_stop(). */
ft_status ft_frame_prefetch_start(ft_video *video, int64_t count, int depth,
                                  ft_frame_prefetch **out);

/* The next frame, valid until the next call: FT_OK, FT_EOF once the video
 * or the COUNT frames are over, or the reader's error, whose one-line
 * message ERR then gets (every later call returns the same). */
ft_status ft_frame_prefetch_next(ft_frame_prefetch *p, ft_frame *frame, char *err,
                                 size_t err_size);

/* Stops the thread, which may be ahead, and frees everything; NULL is a
 * no-op. The video is the caller's again, positioned after the last frame
 * read ahead. */
void ft_frame_prefetch_stop(ft_frame_prefetch *p);

#endif
