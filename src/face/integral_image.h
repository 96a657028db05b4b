/* Integral images of an 8-bit image as cv::integral(src, sum, sqsum,
 * tilted, CV_32S, CV_32S) makes them (OpenCV 4.6, imgproc/src/sumpixels):
 * (W + 1) x (H + 1) tables with a zero first row and column.
 *   sum(X, Y)    = sum of I(x, y) for x < X, y < Y
 *   sqsum(X, Y)  = the same of I(x, y)^2, modulo 2^32 as OpenCV's int32
 *                  table wraps on large images (window differences stay exact)
 *   tilted(X, Y) = sum of I(x, y) for y < Y and |x - X + 1| <= Y - y - 1,
 *                  the 45-degree table of Lienhart's tilted Haar features. */
#ifndef FT_FACE_INTEGRAL_IMAGE_H
#define FT_FACE_INTEGRAL_IMAGE_H

#include <stdint.h>

/* SRC: W x H, SSTRIDE bytes a row. The tables have STRIDE entries a row
 * (>= W + 1). SQSUM or TILTED may be NULL. TILTED needs ROLL: 2 * (W + 2)
 * int32 of scratch. */
void ft_integral_image(const uint8_t *src, int w, int h, int sstride, int32_t *sum,
                       uint32_t *sqsum, int32_t *tilted, int stride, int32_t *roll);

#endif
