/* Turning the COCO detectors' raw outputs into boxes, and the overlap
 * suppression after them. Pure functions on caller-owned buffers. */
#ifndef FT_OBJECTS_OBJECT_DECODE_H
#define FT_OBJECTS_OBJECT_DECODE_H

/* A candidate in the model input's pixels. */
typedef struct ft_object_box {
    float x1, y1, x2, y2;
    float score;
    int class_id;
} ft_object_box;

/* CenterNet (MB3-CenterNet as converted for TF.js): HEAT is the sigmoid
 * heatmap [H, W, C] (NHWC), WH the box sides [H, W, 4] as distances
 * (left, top, right, bottom) in input pixels from the cell's point
 * (STRIDE * x, STRIDE * y). A candidate is a cell and class whose heat is
 * the maximum of its 3x3 neighbourhood (the model's own max-pool peak test)
 * and at least MIN_SCORE. Writes at most MAX_OUT candidates, the highest
 * first, and returns how many. */
int ft_centernet_decode(const float *heat, const float *wh, int h, int w, int classes, int stride,
                        float min_score, ft_object_box *out, int max_out);

/* NanoDet (generalised focal loss head) at one stride: SCORES [N, C]
 * (sigmoid), REG [N, 4 * BINS] (per side a distribution over 0..BINS-1
 * strides), N = GRID * GRID cells row by row, the cell's point at
 * ((col + 0.5) * STRIDE, (row + 0.5) * STRIDE). Each cell gives its best
 * class when at least MIN_SCORE. Appends to OUT from index *COUNT, up to
 * MAX_OUT. */
void ft_nanodet_decode(const float *scores, const float *reg, int grid, int classes, int bins,
                       int stride, float min_score, ft_object_box *out, int *count, int max_out);

/* The general form: cell i's scores at SCORES + i * SCORE_PITCH, its
 * distributions at REG + i * REG_PITCH, over a GRID_W x GRID_H grid; the
 * cell's point at ((col + OFFSET) * STRIDE, (row + OFFSET) * STRIDE).
 * NanoDet-Plus's ONNX export has one output of [N, 80 + 4 * 8] rows (both
 * pitches 112) over strides 8, 16, 32, 64, with offset 0. */
void ft_gfl_decode(const float *scores, int score_pitch, const float *reg, int reg_pitch,
                   int grid_w, int grid_h, int classes, int bins, int stride, float offset,
                   float min_score, ft_object_box *out, int *count, int max_out);

/* YOLOv8 / YOLO11 as ultralytics exports them to ONNX: PRED [4 + C, N],
 * channel-major: box centre x, y, width, height in input pixels, then the C
 * class scores (already sigmoid). Each anchor gives its best class when at
 * least MIN_SCORE. Appends to OUT from index *COUNT, up to MAX_OUT. */
void ft_yolo_decode(const float *pred, int n, int classes, float min_score, ft_object_box *out,
                    int *count, int max_out);

/* Intersection over union; 0 for empty boxes. */
float ft_object_iou(const ft_object_box *a, const ft_object_box *b);

/* Class-agnostic hard suppression, as tf.image.nonMaxSuppression: sorts
 * BOXES by decreasing score and keeps each box whose IoU with every kept
 * one is at most IOU, up to MAX_KEEP; the kept boxes move to the front.
 * Returns how many. */
int ft_object_nms(ft_object_box *boxes, int n, float iou, int max_keep);

#endif
