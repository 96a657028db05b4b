/* How many packets the decoder refused since the reader opened or went
 * back to the start: a range reader compares it before and after its
 * frames, so that a corrupt video fails whichever worker decodes the
 * damage (the end-of-stream check alone sees only a reader that started
 * at the first packet). */
#ifndef FT_MEDIA_DECODE_ERRORS_H
#define FT_MEDIA_DECODE_ERRORS_H

#include "facetrack.h"

int ft_video_decode_errors(const ft_video *video);

#endif
