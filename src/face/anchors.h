/* SSD anchors as MediaPipe's SsdAnchorsCalculator makes them for BlazeFace
 * (spec §1.2). With fixed_anchor_size every anchor is 1 x 1, so only the
 * centres matter. */
#ifndef FT_FACE_ANCHORS_H
#define FT_FACE_ANCHORS_H

#include "facetrack.h"

#define FT_ANCHORS_MAX_LAYERS 8

typedef struct ft_anchor_options {
    int input_width, input_height;
    int num_layers;
    int strides[FT_ANCHORS_MAX_LAYERS];
    float offset_x, offset_y;
    int aspect_ratio_count;           /* of aspect ratios per layer (1 for BlazeFace) */
    float interpolated_aspect_ratio;  /* > 0 adds one anchor per layer */
} ft_anchor_options;

typedef struct ft_anchor {
    float x_center, y_center; /* tensor-normalised; w = h = 1 */
} ft_anchor;

/* The options of the short-range (128 px) and full-range (192 px) models. */
void ft_anchor_options_short_range(ft_anchor_options *o);
void ft_anchor_options_full_range(ft_anchor_options *o);

/* Number of anchors OPTIONS makes (896 short range, 2304 full range). */
int ft_anchor_count(const ft_anchor_options *o);

/* Writes ft_anchor_count() anchors into OUT. */
ft_status ft_anchors_generate(const ft_anchor_options *o, ft_anchor *out, int capacity);

#endif
