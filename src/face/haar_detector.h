/* cv::CascadeClassifier::detectMultiScale of OpenCV 4.6 (objdetect/src/
 * cascadedetect.cpp) on a gray image, following its CPU path step by step,
 * so that it finds the same boxes:
 *  - scales 1, f, f^2, ... (f = scale_factor, multiplied in double, kept
 *    as float) whose window round(24 * s) fits the image and the maximum
 *    size, skipping those under the minimum size;
 *  - per scale, the image resized to round(W / s) x round(H / s) with
 *    OpenCV's INTER_LINEAR (face/opencv_resize.h), its integral images;
 *  - windows every 2 pixels below scale 2, every pixel from 2 on, the next
 *    window skipped when the first stage rejects one; a window whose
 *    normalised standard deviation is too low (area / sqrt(area * sqsum -
 *    sum^2) >= 0.1) is rejected before any stage;
 *  - stages of stumps or trees, feature values in float times the window's
 *    1 / sqrt(area * sqsum - sum^2) over the window less its 1-pixel border,
 *    stage sums in double against the stage threshold;
 *  - hits as (round(x * s), round(y * s), round(24 * s)...), grouped by
 *    groupRectangles (face/rect_grouping.h, eps 0.2), clipped to the image.
 * The scales may run on several threads; results do not depend on it. */
#ifndef FT_FACE_HAAR_DETECTOR_H
#define FT_FACE_HAAR_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

#include "face/haar_cascade.h"
#include "face/rect_grouping.h"

typedef struct ft_haar_params {
    double scale_factor; /* > 1: 1.1 */
    int min_neighbors;   /* groupRectangles' threshold: 3 in OpenCV, 5 in the original */
    int min_width, min_height; /* 0: none */
    int max_width, max_height; /* 0: the image */
} ft_haar_params;

typedef struct ft_haar_detector ft_haar_detector;

/* Takes CASCADE over (it is left empty). POOL (may be NULL) runs the
 * scales side by side. */
ft_status ft_haar_detector_create(ft_cascade *cascade, pthreadpool_t pool,
                                  ft_haar_detector **out, char *err, size_t err_size);
void ft_haar_detector_free(ft_haar_detector *d);
const ft_cascade *ft_haar_detector_cascade(const ft_haar_detector *d);

/* The objects of GRAY (W x H, STRIDE bytes a row) in OpenCV's order; at
 * most CAPACITY into OUT, their total in *FOUND (may exceed CAPACITY).
 * With min_neighbors 0 the raw window hits, ungrouped. */
ft_status ft_haar_detect(ft_haar_detector *d, const uint8_t *gray, int w, int h, int stride,
                         const ft_haar_params *params, ft_rect *out, int capacity, int *found);

/* OpenCV's BGR2GRAY (and RGB) of 8-bit pixels in fixed point:
 * (R * 4899 + G * 9617 + B * 1868 + 8192) >> 14. RGB: channels in R, G, B
 * order (CHANNELS 3 or 4; the 4th is ignored); 1 copies. */
void ft_haar_gray(const uint8_t *rgb, int w, int h, int stride, int channels, uint8_t *gray);

/* One window of a prepared scale, for tests: the cascade's verdict at
 * (X, Y) of the integral images SUM / SQSUM / TILTED (STRIDE entries a
 * row), as OpenCV's runAt: 1 accepted, -1 rejected by the variance test,
 * else minus the rejecting stage. */
int ft_haar_classify_window(const ft_cascade *cascade, const int32_t *sum, const uint32_t *sqsum,
                            const int32_t *tilted, int stride, int x, int y);

#endif
