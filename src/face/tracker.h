/* Face identities across frames: which landmark ROIs to run, which
 * detections are new faces, which tracks are duplicates of one face, and
 * which lost face a newly found one is. Pure geometry on image-normalised
 * boxes; the engine runs the models. */
#ifndef FT_FACE_TRACKER_H
#define FT_FACE_TRACKER_H

#include "face/face_types.h"
#include "face/landmarks.h"
#include "face/one_euro.h"
#include "facetrack.h"

typedef enum ft_track_state { FT_TRACK_FREE = 0, FT_TRACK_ACTIVE, FT_TRACK_LOST } ft_track_state;

/* Axis-aligned box, image-normalised corners. */
typedef struct ft_box {
    float x0, y0, x1, y1;
} ft_box;

typedef struct ft_track {
    ft_track_state state;
    int id;
    int lost_frames;        /* frames since last seen (LOST) */
    float detection_score;  /* of the detection that last confirmed it */
    ft_norm_rect next_roi;  /* landmark ROI for the next frame (ACTIVE) */
    ft_box box;             /* landmarks' bounds when last seen */
    float velocity[2];      /* box centre motion per frame, damped */
    int filters_ready;      /* smoothing state holds this face */
    int blendshapes_age;    /* frames since they were computed; -1 = none yet */
    float blendshapes[FT_FACE_BLENDSHAPE_COUNT];
    ft_one_euro filters[FT_FACE_MESH_MAX * 3];
} ft_track;

float ft_box_iou(const ft_box *a, const ft_box *b);
/* Axis-aligned bounds of a rotated ROI, image-normalised. */
ft_box ft_box_of_roi(const ft_norm_rect *roi, int image_width, int image_height);
/* Bounds of N points (x, y first; any one unit). */
ft_box ft_box_of_points(const float (*norm)[3], int n);

/* Where a LOST track is expected now: its last box moved by its velocity
 * for the frames it has been lost. */
ft_box ft_track_predicted_box(const ft_track *t);

/* The LOST track among TRACKS[0..n) that BOX most plausibly continues
 * (IoU with the predicted box > 0.3, or centres closer than half the box
 * size), or -1. */
int ft_track_reidentify(const ft_track *tracks, int n, const ft_box *box);

/* Moves a seen track to BOX, updating its damped velocity. */
void ft_track_observe(ft_track *t, const ft_box *box);

/* Of two tracks that now cover the same face, the one that moved less
 * relative to its size keeps it: returns 0 to keep A, 1 to keep B. A face
 * crossing in front of another then does not take the other's ID. */
int ft_track_pick_survivor(const ft_track *a, const ft_box *a_now, const ft_track *b,
                           const ft_box *b_now);

#endif
