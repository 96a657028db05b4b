/* ffmpeg 5.1's constant-frame-rate sync (see frame_rate_sync.h), as its
 * do_video_out() computes it; lrint() rounds halves to even as its
 * lrintf() does. */
#include "scenes/frame_rate_sync.h"

#include <math.h>

void ft_rate_sync_init(ft_rate_sync *s, double output_rate, double input_rate)
{
    s->rate = output_rate;
    s->frame_span = input_rate > 0 && output_rate / input_rate < 1 ? output_rate / input_rate : 1;
    s->next = 0;
}

void ft_rate_sync_push(ft_rate_sync *s, double time, double duration, int *previous, int *current)
{
    /* ffmpeg nudges timestamps up by 2^-17 frame before comparing */
    const double at = time * s->rate + 1.0 / (1 << 17);
    const long whole = lrint(duration * s->rate);
    const double span = whole > 0 ? (double)whole : s->frame_span;
    double drift = at - (double)s->next;
    const double reach = drift + span;
    if (drift < 0 && reach > 0)
        drift = 0; /* late, but still within its own duration */
    long shown = 1, repeats = 0;
    if (reach < -1.1) {
        shown = 0; /* too late: dropped */
    } else if (reach > 1.1) {
        shown = lrint(reach);
        if (drift > 1.1)
            repeats = lrint(drift - 0.6); /* a gap: the frame before fills it */
    }
    if (repeats > shown)
        repeats = shown;
    *previous = (int)repeats;
    *current = (int)(shown - repeats);
    s->next += shown;
}
