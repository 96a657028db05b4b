/* Landmark-model ROIs (spec §2): DetectionsToRects (centre and size of a
 * box, rotation from two keypoints) followed by RectTransformation (shift,
 * optional square_long, scale). */
#ifndef FT_FACE_ROI_H
#define FT_FACE_ROI_H

#include "face/face_types.h"
#include "face/nms.h"

typedef struct ft_rect_transform {
    float scale_x, scale_y;
    float shift_x, shift_y; /* fractions of the rect's size, along its axes */
    int square_long;        /* make it square in pixels on its long side */
} ft_rect_transform;

/* Tasks' detection -> landmark ROI: scale 1.5, no square_long, no shift
 * (spec §2.1; the legacy graph adds square_long). */
void ft_rect_transform_from_detection(ft_rect_transform *t);
/* Landmarks -> next-frame ROI: scale 1.5, square_long (spec §2.2). */
void ft_rect_transform_from_landmarks(ft_rect_transform *t);

/* a - 2 pi floor((a + pi) / (2 pi)), in [-pi, pi). */
float ft_normalize_radians(float a);

/* MediaPipe's rotation: target 0 minus the angle of the vector from point
 * 0 to point 1, measured in pixels with y up. Points are image-normalised. */
float ft_rect_rotation(float x0, float y0, float x1, float y1, int image_width, int image_height);

/* RectTransformationCalculator on a normalised rect. */
void ft_rect_apply_transform(ft_norm_rect *r, int image_width, int image_height,
                             const ft_rect_transform *t);

/* Detection (image-normalised) -> rotated ROI; rotation from keypoint 0
 * (right eye) to keypoint 1 (left eye). */
ft_norm_rect ft_roi_from_detection(const ft_face_box *det, int image_width, int image_height,
                                   const ft_rect_transform *t);

/* Image-normalised landmarks POINTS[n][3] -> ROI: their bounding box, the
 * rotation from landmark START to END (33 -> 263 for the face mesh). */
ft_norm_rect ft_roi_from_points(const float (*points)[3], int n, int start, int end,
                                int image_width, int image_height, const ft_rect_transform *t);

#endif
