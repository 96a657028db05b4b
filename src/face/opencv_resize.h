/* OpenCV 4.6's cv::resize(INTER_LINEAR_EXACT) of an 8-bit single-channel
 * image, bit for bit (imgproc/src/resize.cpp, resize_bitExact with
 * interpolationLinear and fixedpoint.inl.hpp's ufixedpoint16): the
 * cascade detector resizes its pyramid with it. Source positions in double,
 * coefficients of 8 fractional bits rounded to nearest even, an exact
 * horizontal pass into 8.8 fixed point, and a vertical pass rounded from
 * 16 fractional bits; destination rows and columns that fall outside the
 * source take its edge row or column. An exact 2x reduction is a 2x2 box
 * average, as OpenCV switches to INTER_AREA then. The detector needs
 * OpenCV's very pixels: a level of difference moves windows across stage
 * thresholds. */
#ifndef FT_FACE_OPENCV_RESIZE_H
#define FT_FACE_OPENCV_RESIZE_H

#include <stddef.h>
#include <stdint.h>

/* Scratch for ft_opencv_resize_u8 to DW x DH. */
size_t ft_opencv_resize_scratch_size(int dw, int dh);

/* SRC (SW x SH, SSTRIDE bytes a row) into DST (DW x DH, DSTRIDE). SCRATCH:
 * ft_opencv_resize_scratch_size(DW, DH) bytes, 16-byte aligned. */
void ft_opencv_resize_u8(const uint8_t *src, int sw, int sh, int sstride, uint8_t *dst, int dw,
                         int dh, int dstride, void *scratch);

#endif
