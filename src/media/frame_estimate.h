/* A video's frame count as its container states it, read without decoding
 * anything: for progress that must cover a whole batch before it starts. */
#ifndef FT_MEDIA_FRAME_ESTIMATE_H
#define FT_MEDIA_FRAME_ESTIMATE_H

#include <stdint.h>

/* The best video stream's frame count (its nb_frames, else its duration,
 * else the container's, times its average rate); 0 when the file cannot be
 * opened or states neither. Opens the container and reads its header only
 * (an MP4's moov, a Matroska's segment info): about a millisecond. */
int64_t ft_media_frame_estimate(const char *path);

#endif
