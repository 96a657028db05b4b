/* MediaPipe's NonMaxSuppressionCalculator, algorithm WEIGHTED with
 * INTERSECTION_OVER_UNION overlap (spec §1.4). Works on normalised boxes;
 * allocation-free given scratch space of 2 n entries. */
#ifndef FT_FACE_NMS_H
#define FT_FACE_NMS_H

#define FT_FACE_KEYPOINTS 6

/* A detection in normalised coordinates (of the tensor or of the image). */
typedef struct ft_face_box {
    float score;
    float xmin, ymin, width, height;
    float keypoints[FT_FACE_KEYPOINTS][2];
} ft_face_box;

typedef struct ft_nms_entry {
    float score;
    int index;
} ft_nms_entry;

/* IoU as MediaPipe computes it: 0 when the boxes do not touch. */
float ft_face_box_iou(const ft_face_box *a, const ft_face_box *b);

/* Weighted NMS of IN[0..n): seeds in decreasing score; every remaining box
 * with IoU > THRESHOLD (the seed included) is merged into the seed by
 * score-weighted averaging of corners and keypoints; the seed keeps its
 * score. SCRATCH holds 2 n entries. Writes at most MAX_OUT boxes to OUT and
 * returns how many. */
int ft_face_weighted_nms(const ft_face_box *in, int n, float threshold, ft_nms_entry *scratch,
                         ft_face_box *out, int max_out);

#endif
