/* The frames ffmpeg's `-r RATE` output option keeps: the original STEP3
 * decoded with `ffmpeg -i VIDEO ... -r 25`, so its frame numbers and
 * timecodes count a 25 fps sequence made by ffmpeg's constant-frame-rate
 * sync (5.1): each input frame is shown 0, 1 or more times, by how far its
 * timestamp has drifted from the output clock. Matches ffmpeg's choice
 * frame for frame on constant-rate videos (25, 29.97, 30, 35 and 10 fps
 * checked); --transnet-compat uses it to number frames as the original. */
#ifndef FT_SCENES_FRAME_RATE_SYNC_H
#define FT_SCENES_FRAME_RATE_SYNC_H

#include <stdint.h>

typedef struct ft_rate_sync {
    double rate;          /* output frames per second */
    double frame_span;    /* an input frame in output frames, at most 1 */
    int64_t next;         /* output frames made so far */
} ft_rate_sync;

/* OUTPUT_RATE, and the input's nominal rate (0: unknown). */
void ft_rate_sync_init(ft_rate_sync *s, double output_rate, double input_rate);

/* For the next input frame, at TIME seconds since the start and lasting
 * DURATION seconds (0: unknown): how many output frames repeat the input
 * frame before it (*PREVIOUS), then how many show this one (*CURRENT). */
void ft_rate_sync_push(ft_rate_sync *s, double time, double duration, int *previous, int *current);

#endif
