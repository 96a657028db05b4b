/* SCRFD's outputs to faces, as InsightFace's model_zoo/scrfd.py decodes the
 * *_kps exports: strides 8, 16 and 32, two anchors per cell centred on
 * (col, row) x stride, boxes and keypoints as distances from the centre in
 * units of the stride, then NMS with InsightFace's +1 pixel areas. */
#ifndef FT_FACE_SCRFD_DECODE_H
#define FT_FACE_SCRFD_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "face/kps_face.h"
#include "face/nms.h"

#define FT_SCRFD_STRIDES 3
#define FT_SCRFD_ANCHORS 2 /* per cell */

/* Per stride 8, 16, 32: (input_h / s) x (input_w / s) x 2 anchors, of 1
 * (score, already a probability), 4 (bbox) and 10 (kps) floats. */
typedef struct ft_scrfd_outputs {
    const float *score[FT_SCRFD_STRIDES];
    const float *bbox[FT_SCRFD_STRIDES];
    const float *kps[FT_SCRFD_STRIDES];
} ft_scrfd_outputs;

/* Anchors of all strides for an INPUT_W x INPUT_H input. */
int ft_scrfd_anchor_count(int input_w, int input_h);

/* Where the letterbox puts a WIDTH x HEIGHT frame in a SIZE x SIZE input:
 * at the top left, scaled to NEW_W x NEW_H keeping the aspect ratio, the
 * longer side SIZE (the other truncated, as int() does); *SCALE = new_h /
 * height, what detect() divides by. */
void ft_scrfd_letterbox(int width, int height, int size, int *new_w, int *new_h, float *scale);

/* The anchors scoring >= THRESHOLD, in pixels of the input, stride by
 * stride in anchor order: box (cx - l, cy - t, cx + r, cy + b) and
 * keypoints (cx + dx, cy + dy), distances times the stride. Writes at most
 * CAPACITY; returns how many. */
int ft_scrfd_decode(const ft_scrfd_outputs *outputs, int input_w, int input_h, float threshold,
                    ft_kps_face *out, int capacity);

/* InsightFace's SCRFD.nms on IN[0..n): decreasing score (ties in input
 * order), a face kept unless its overlap with a kept one is > THRESHOLD,
 * overlap on areas of (x1 - x0 + 1) x (y1 - y0 + 1). Writes the kept faces
 * to OUT in that order; returns how many. SCRATCH: n entries. */
int ft_scrfd_nms(const ft_kps_face *in, int n, float threshold, ft_nms_entry *scratch,
                 ft_kps_face *out);

/* Which graph outputs are the scores, boxes and keypoints of each stride,
 * from their shapes alone (exports name and order them differently): ROWS
 * anchors by COLS values each (1, 4 or 10). INDEX[3 * s + kind], kind 0
 * score, 1 bbox, 2 kps. 0, or -1 with the reason in WHY. */
int ft_scrfd_map_outputs(const int64_t *rows, const int64_t *cols, int count, int input_w,
                         int input_h, int index[3 * FT_SCRFD_STRIDES], char *why,
                         size_t why_size);

#endif
