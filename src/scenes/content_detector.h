/* Model-free shot-cut detection ("content"): each frame is reduced to
 * colour histograms and a small luma thumbnail; a cut is a frame that
 * differs from the one before far more than its neighbours differ from
 * theirs (an adaptive threshold, robust to fast motion), and whose change
 * lasts (a flash returns to the frame before it, a cut does not). */
#ifndef FT_SCENES_CONTENT_DETECTOR_H
#define FT_SCENES_CONTENT_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_content_options {
    double min_score;   /* a cut's difference is at least this (0..1): 0.12 */
    double ratio;       /* ... and this many times its neighbours' mean: 3.0 */
    int window;         /* neighbours on each side for that mean: 4 */
    int min_scene_len;  /* frames; closer cuts keep the stronger: 8 */
} ft_content_options;

void ft_content_options_init(ft_content_options *o);

typedef struct ft_content_detector ft_content_detector;

ft_status ft_content_detector_create(const ft_content_options *o, ft_content_detector **out);
void ft_content_detector_free(ft_content_detector *d);

/* The next frame, in order: YUV420P (or GRAY8) planes of any size. */
ft_status ft_content_detector_push(ft_content_detector *d, const ft_frame *frame);

/* After the last frame: the 0-based first frames of new shots, ascending
 * (*CUTS owned by D), and each one's difference score. */
ft_status ft_content_detector_finish(ft_content_detector *d, const int64_t **cuts,
                                     const double **scores, size_t *count);

#endif
