/* The original workflow's tracker (apply_tracking_and_management), for the
 * objects of one frame range: every track ages a frame; each detection's
 * nearest track (Euclidean, integer centroids) is a candidate; candidates
 * are accepted greedily by increasing distance when within MAX_DISTANCE
 * pixels and neither side is taken (a detection whose nearest track is
 * taken does not try its second nearest, as with the original's k=1
 * KD-tree query); unmatched detections start new tracks in detection
 * order; tracks unseen for more than MAX_UNSEEN frames are forgotten. */
#ifndef FT_OBJECTS_OBJECT_TRACKER_H
#define FT_OBJECTS_OBJECT_TRACKER_H

#define FT_OBJECT_MAX_TRACKS 128

typedef struct ft_object_track {
    int id;
    float cx, cy;
    int unseen;
} ft_object_track;

typedef struct ft_object_tracker {
    ft_object_track tracks[FT_OBJECT_MAX_TRACKS];
    int count;
    int next_id;        /* IDs are 0, 1, 2, ... for the tracker's lifetime */
    float max_distance; /* the original: 70 px (GPU config), 80 (CPU) */
    int max_unseen;     /* the original: 7 */
} ft_object_tracker;

void ft_object_tracker_init(ft_object_tracker *t, float max_distance, int max_unseen);

/* Forgets every track (a shot cut); IDs keep counting. */
void ft_object_tracker_clear(ft_object_tracker *t);

/* One frame with N detections at CENTROIDS (N may be 0: the tracks still
 * age); IDS[i] gets detection i's track ID. */
void ft_object_tracker_update(ft_object_tracker *t, const float (*centroids)[2], int n, int *ids);

#endif
