/* YuNet's outputs to faces, as OpenCV's cv::FaceDetectorYN (objdetect,
 * face_detect.cpp, OpenCV 4.8+) decodes them: anchor-free, one prior per
 * cell of the stride-8, 16 and 32 grids of the input padded to a multiple of
 * 32, score sqrt(cls * obj) of the clamped outputs, then dnn::NMSBoxes. */
#ifndef FT_FACE_YUNET_DECODE_H
#define FT_FACE_YUNET_DECODE_H

#include <stddef.h>

#include "face/kps_face.h"
#include "face/nms.h"

#define FT_YUNET_STRIDES 3

/* The model's twelve outputs, per stride 8, 16, 32: (pad_h / s) x (pad_w /
 * s) cells, row-major, of 1 (cls, obj), 4 (bbox) or 10 (kps) floats. */
typedef struct ft_yunet_outputs {
    const float *cls[FT_YUNET_STRIDES];
    const float *obj[FT_YUNET_STRIDES];
    const float *bbox[FT_YUNET_STRIDES];
    const float *kps[FT_YUNET_STRIDES];
} ft_yunet_outputs;

/* Side of the padded input OpenCV runs the network on: SIDE rounded up to
 * a multiple of 32. */
int ft_yunet_padded(int side);

/* Cells of all strides for a PAD_W x PAD_H input: the most faces decode
 * can give. */
int ft_yunet_cell_count(int pad_w, int pad_h);

/* The faces scoring >= SCORE_THRESHOLD, in pixels of the padded input, in
 * OpenCV's order (stride, then row, then column). Box centre (col + dx,
 * row + dy) x stride, size exp(dw), exp(dh) x stride; keypoints (col + kx,
 * row + ky) x stride. Writes at most CAPACITY; returns how many. */
int ft_yunet_decode(const ft_yunet_outputs *outputs, int pad_w, int pad_h, float score_threshold,
                    ft_kps_face *out, int capacity);

/* OpenCV's NMSBoxes on IN[0..n) as FaceDetectorYN calls it: IN as it is
 * when n <= 1; else the faces scoring > SCORE_THRESHOLD in decreasing score
 * (ties in input order), the first TOP_K (> 0) of them, each kept when its
 * IoU with every kept one is <= NMS_THRESHOLD, IoU taken on the boxes cut
 * to integers (x, y, width, height truncated, as Rect2i). Writes the kept
 * faces to OUT in that order; returns how many. SCRATCH: n entries. */
int ft_yunet_nms(const ft_kps_face *in, int n, float score_threshold, float nms_threshold,
                 int top_k, ft_nms_entry *scratch, ft_kps_face *out);

/* Which of a graph's outputs (by NAMES[0..count)) is cls_8 ... kps_32:
 * INDEX[4 * s + kind] for kind cls, obj, bbox, kps and stride s. 0, or -1
 * with the missing name in WHY. */
int ft_yunet_map_outputs(const char *const *names, int count, int index[4 * FT_YUNET_STRIDES],
                         char *why, size_t why_size);

#endif
