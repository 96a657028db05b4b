/* OpenSeeFace's model outputs to faces and points, as its tracker.py
 * (emilianavt/OpenSeeFace: Tracker.detect_faces, Tracker.landmarks and the
 * crop of Tracker.predict) decodes them. Pure functions over tensors, so
 * the engine's numerics can be checked on hand-made outputs. */
#ifndef FT_FACE_OPENSEEFACE_DECODE_H
#define FT_FACE_OPENSEEFACE_DECODE_H

#define FT_OSF_INPUT 224       /* both models' square input side */
#define FT_OSF_DETECT_GRID 56  /* detection output: 2 x 56 x 56 */
#define FT_OSF_DETECT_STRIDE 4 /* input pixels per detection cell */
#define FT_OSF_POINTS 66
#define FT_OSF_LANDMARK_GRID 28 /* landmark output: 3 x 66 heatmaps of 28 x 28 */
#define FT_OSF_LOGIT_FACTOR 16.0f

/* ImageNet normalisation the models were trained with: an RGB level L
 * becomes (L / 255 - mean[c]) / std[c]. */
extern const float ft_osf_mean[3], ft_osf_std[3];

/* A face box in pixels (top left, size) with the detector's score. */
typedef struct ft_osf_box {
    float x, y, w, h;
    float score;
} ft_osf_box;

/* Detections from the detector's OUTPUT (2 x GRID x GRID: score, radius /
 * 112) and MAXPOOL (its 3x3 max-pooling; channel 0 read): cells where the
 * score equals the pooled score are peaks; the MAX_FACES best peaks in
 * decreasing score (ties: the later cell first), stopping at the first below
 * THRESHOLD. Centre (col, row) x 4, radius r = radius x 112 in input
 * pixels; box (cx - r, cy - r, 2r, 2r) scaled by FRAME_W / 224 and FRAME_H /
 * 224. Writes at most MAX_FACES to OUT; returns how many. */
int ft_osf_decode_detections(const float *output, const float *maxpool, int grid,
                             float threshold, int max_faces, int frame_w, int frame_h,
                             ft_osf_box *out);

/* The landmark model's crop of a face box in a FRAME_W x FRAME_H frame:
 * the box widened by int(10 %) of its width on each side and int(12.5 %) of
 * its height above and below, corners clamped into the frame and cut to
 * integers, the bottom edge one row lower (as OpenSeeFace's clamp_to_im
 * returns y + 1). Scale: crop pixels per model input pixel. */
typedef struct ft_osf_crop {
    int x1, y1, x2, y2;
    float scale_x, scale_y;
} ft_osf_crop;

/* 0 and the crop, or -1 when it is narrower or lower than 4 pixels
 * (OpenSeeFace skips those faces). */
int ft_osf_crop_of_box(const ft_osf_box *box, int frame_w, int frame_h, ft_osf_crop *out);

/* The POINTS points of one landmark output TENSOR (3 x POINTS heatmaps of
 * GRID x GRID, row-major: heatmaps, then y offsets, then x offsets) in
 * frame pixels through CROP. Per point: the heatmap's first maximum m at
 * (row, col), confidence = its value, and
 *   y = y1 + scale_y * (223 * row / 27 + 223 * logit(T[POINTS + p][m]) / 16)
 *   x = x1 + scale_x * (223 * col / 27 + 223 * logit(T[2 POINTS + p][m]) / 16)
 * (223 = input side - 1, 27 = GRID - 1; logit(q) = ln(q / (1 - q)), q
 * clipped to [1e-7, 1 - 1e-7]). A point with a NaN becomes (0, 0, 0).
 * OUT[p] = x, y, confidence. Returns the mean confidence. */
float ft_osf_decode_landmarks(const float *tensor, int points, int grid, const ft_osf_crop *crop,
                              float (*out)[3]);

/* OpenSeeFace's mouth-open feature as the original's jawOpen: |mean y of
 * points 59-61 - mean y of points 63-65| over |mean of the nose-bridge steps
 * y27 - y28, y28 - y29, y29 - y30|, times SCALE, clipped to [0, 1]; 0 when
 * the nose bridge has no height. POINTS: 66 x (x, y, ...) with STRIDE floats
 * per point. */
float ft_osf_jaw_open(const float *points, int stride, float scale);

#endif
