/* TransNetV2 over a whole video, as the original ran it: every 50 frames a
 * 100-frame window (25 frames of context before, 25 after, clamped to the
 * first and last frame), of which the middle 50 predictions are kept.
 * Frames are pushed one by one; only the last window's frames are kept. */
#ifndef FT_SCENES_TRANSNET_DETECTOR_H
#define FT_SCENES_TRANSNET_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "nn/runner.h"
#include "scenes/content_detector.h"

typedef struct ft_transnet_detector ft_transnet_detector;

/* GRAPH from ft_transnet_load(), shared and outliving the detector;
 * THREADS for the fast backend (0: one per CPU). GPU_DEVICE >= 0: on that
 * GPU instead (BACKEND unused; THREADS for the ops it runs on the host). */
ft_status ft_transnet_detector_create(const ft_nn_graph *graph, ft_nn_backend backend, int threads,
                                      int gpu_device, ft_transnet_detector **out, char *err,
                                      size_t err_size);
void ft_transnet_detector_free(ft_transnet_detector *d);

/* The next frame: 48x27 RGB24, rows packed. */
ft_status ft_transnet_detector_push(ft_transnet_detector *d, const uint8_t *rgb);

/* After the last frame: each frame's logit of being a shot's last frame
 * (owned by D), COUNT of them. */
ft_status ft_transnet_detector_finish(ft_transnet_detector *d, const float **logits,
                                      int64_t *count);

/* The network's runner error after a failure. */
const char *ft_transnet_detector_error(const ft_transnet_detector *d);

typedef struct ft_transnet_options {
    double threshold;  /* a frame ends a shot when its probability is above: 0.5 */
    int min_scene_len; /* frames; of two closer boundaries the likelier stays: 8 */
    int compat;        /* the original's lists: every frame above the threshold
                          ends a shot, so transitions give 1-frame scenes */
} ft_transnet_options;

void ft_transnet_options_init(ft_transnet_options *o);

/* Shot boundaries from per-frame LOGITS: the 0-based first frames of new
 * shots, ascending, and how each begins (malloc'd, one spare element
 * each; the score is the probability). Frames above the threshold in a row
 * are one transition, whose new shot starts after its likeliest frame; 3
 * or more are a gradual one (FT_CUT_DISSOLVE, from its first frame to the
 * one after its last). With compat, each such frame ends a shot. */
ft_status ft_transnet_cuts(const float *logits, int64_t count, const ft_transnet_options *o,
                           int64_t **cuts, ft_cut_info **info, size_t *cut_count);

#endif
