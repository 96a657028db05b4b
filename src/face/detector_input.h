/* Frames made into the NCHW float input of OpenCV-style detectors (YuNet,
 * SCRFD): a bilinear resize as cv::resize's INTER_LINEAR (pixel centres
 * aligned), and the planar blob of cv::dnn::blobFromImage, the image at the
 * top left of a zero-filled input. */
#ifndef FT_FACE_DETECTOR_INPUT_H
#define FT_FACE_DETECTOR_INPUT_H

#include <stdint.h>

#include "face/face_types.h"
#include "facetrack.h"

/* SRC (3 or 4 channels) resized to DST_W x DST_H packed RGB into DST
 * (3 * dst_w * dst_h bytes); sample (x + 0.5) * sx - 0.5 clamped to the
 * image, rounded to the nearest level. */
void ft_resize_bilinear(const ft_face_image *src, int dst_w, int dst_h, uint8_t *dst);

/* How pixel levels become input values: (level - mean) * scale, channels
 * in BGR order when bgr (OpenCV's frames) else RGB. */
typedef struct ft_blob_format {
    int bgr;
    float mean, scale;
} ft_blob_format;

/* IMAGE at the top left of the 3 x OUT_H x OUT_W planar tensor OUT; the
 * rest is level 0 through FORMAT. FT_ERR_INVALID_ARG when it does not fit. */
ft_status ft_blob_from_image(const ft_face_image *image, const ft_blob_format *format, int out_w,
                             int out_h, float *out);

#endif
