/* Detection at an effective resolution that finds small faces: the
 * detector runs on square tiles of the frame instead of one letterboxed
 * whole (a 1920 x 1080 frame wastes 44 % of a square input on padding and
 * shrinks a 150 px face to 15 px), and the tiles' detections are merged by
 * weighted NMS in image coordinates. */
#ifndef FT_FACE_DETECT_TILES_H
#define FT_FACE_DETECT_TILES_H

#include "face/detector.h"

#define FT_DETECT_MAX_TILES 16
#define FT_DETECT_MAX_PER_TILE 32

typedef struct ft_detect_plan {
    int count;
    ft_norm_rect tiles[FT_DETECT_MAX_TILES]; /* image-normalised, rotation 0 */
} ft_detect_plan;

/* Squares of side min(width, height, MAX_TILE_PX) covering the image with
 * at least 1/8 overlap, row by row; MAX_TILE_PX <= 0 or a square image: the
 * whole image as one tile. At most FT_DETECT_MAX_TILES (the side grows
 * when more would be needed). */
void ft_detect_plan_tiles(int width, int height, int max_tile_px, ft_detect_plan *plan);

/* Scratch for merging: sized for the plan's worst case. */
typedef struct ft_detect_scratch {
    ft_face_detection found[FT_DETECT_MAX_TILES * FT_DETECT_MAX_PER_TILE];
    ft_face_box boxes[FT_DETECT_MAX_TILES * FT_DETECT_MAX_PER_TILE];
    ft_face_box merged[FT_DETECT_MAX_TILES * FT_DETECT_MAX_PER_TILE];
    ft_nms_entry order[2 * FT_DETECT_MAX_TILES * FT_DETECT_MAX_PER_TILE];
} ft_detect_scratch;

/* Runs DET on every tile of PLAN and merges (IoU > NMS_THRESHOLD) into at
 * most MAX detections, best first. */
ft_status ft_face_detect_tiled(ft_face_detector *det, const ft_face_image *image,
                               const ft_detect_plan *plan, float nms_threshold,
                               ft_detect_scratch *scratch, ft_face_detection *out, int max,
                               int *count);

/* Adds to OUT[0..*COUNT) (at most MAX) the detections EXTRA[0..N) of
 * another pass (EXTRA is sorted by score here), best first, each unless it
 * overlaps one already there (IoU > NMS_THRESHOLD); OUT stays in order of
 * score, earlier ones first on ties. Where tiles found a face, their
 * detection stands: a whole-frame pass shows a small face at a fraction of
 * a tile's resolution, and averaging its coarser box and keypoints into the
 * tiles' (as weighted NMS would) turns the landmark ROI off the face. */
void ft_face_detect_add_unseen(ft_face_detection *extra, int n, float nms_threshold,
                               ft_face_detection *out, int max, int *count);

#endif
