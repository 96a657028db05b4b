/* Model-free shot-cut detection ("content"): each frame is reduced to
 * colour histograms and a small luma thumbnail.
 *
 * A hard cut is a frame that differs from the one before far more than its
 * neighbours differ from theirs (an adaptive threshold, robust to fast
 * motion), and whose change lasts: a flash of up to 4 frames (white, black,
 * fading, on part of the picture, strobes) returns to the picture before
 * it, a cut does not.
 *
 * A gradual transition (a dissolve, or a fade to or from a uniform colour)
 * is a window of frames whose ends differ while every frame between is a
 * mix of the two: the thumbnails lie on the line from the first to the
 * last, in order, the middle one half-way and with the contrast of the
 * ends' mean, and the shots hold still on both sides of the change. A pan
 * or a zoom changes the picture steadily too, but its frames are no mix of
 * its ends (or keep their contrast), and it goes on through the window.
 * Windows of 4, 8, 16 and 32 frames on each side are tried, for transitions
 * of a few frames to about 60. A transition is one cut: the new shot starts
 * at its middle frame. A fade-out, uniform frames and a fade-in are one
 * cut, where the new picture appears (the fade-in's first frame); a fade
 * next to a hard cut through uniform frames (a cut to black, then a fade-in)
 * is part of that cut, and one that opens or closes the video is none. Hard
 * cuts within a transition are not cuts (a fade of flat colours moves whole
 * histogram bins at once).
 *
 * A wipe (a slide, an iris, a clock, a slice...) changes the picture place
 * by place: each place of the thumbnail that differs between a window's
 * ends turns once from the first to the last, places at different frames,
 * none back; the camera is still enough around it and no shift of the
 * picture undoes the change (a pan, a whip pan). A slide (a push) moves
 * both pictures: each frame is its ends joined, shifted further along one
 * side, which a pan over one scene is not. The new shot starts at the
 * transition's middle. */
#ifndef FT_SCENES_CONTENT_DETECTOR_H
#define FT_SCENES_CONTENT_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_content_options {
    double min_score;   /* a cut's difference is at least this (0..1): 0.12 */
    double ratio;       /* ... and this many times its neighbours' mean: 3.0 */
    int window;         /* neighbours on each side for that mean: 4 */
    int min_scene_len;  /* frames; closer cuts keep the stronger (a hard cut
                         * over a gradual one): 8 */
    int gradual;        /* also dissolves and fades: 1 */
    double gradual_score; /* a transition's ends differ at least this much (0..1): 0.2 */
    double mix_error;   /* the middle frame's distance from the mean of the
                         * ends, relative to theirs (L1), at most: 0.25; every
                         * frame's from the line between them (L2), twice that */
    double uniform;     /* a frame whose thumbnail's standard deviation is at
                         * most this many levels is uniform (a fade's end): 6 */
} ft_content_options;

void ft_content_options_init(ft_content_options *o);

typedef enum ft_cut_kind { FT_CUT_HARD, FT_CUT_DISSOLVE, FT_CUT_FADE, FT_CUT_WIPE } ft_cut_kind;

/* How a shot begins. FROM and TO are the first and the last mixed frame
 * of a gradual transition (where the ramp of the mix, fitted through 25%
 * and 75%, meets 0 and 1: within a frame or two); a hard cut's are its own
 * frame. */
typedef struct ft_cut_info {
    ft_cut_kind kind;
    double score; /* difference across the cut (a transition's ends), 0..1 */
    int64_t from, to;
} ft_cut_info;

/* "cut", "dissolve", "fade" or "wipe". */
const char *ft_cut_kind_name(ft_cut_kind kind);

typedef struct ft_content_detector ft_content_detector;

ft_status ft_content_detector_create(const ft_content_options *o, ft_content_detector **out);
void ft_content_detector_free(ft_content_detector *d);

/* The next frame, in order: YUV420P (or GRAY8) planes of any size. */
ft_status ft_content_detector_push(ft_content_detector *d, const ft_frame *frame);

/* After the last frame: the 0-based first frames of new shots, ascending
 * (*CUTS owned by D), and how each one begins. */
ft_status ft_content_detector_finish(ft_content_detector *d, const int64_t **cuts,
                                     const ft_cut_info **info, size_t *count);

#endif
