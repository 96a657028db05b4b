/* What the analysis of one frame range found: per frame, the faces with the
 * fields the tracking outputs carry. IDs are the range's own engine IDs;
 * the writer maps them to per-video IDs. */
#ifndef FT_TRACK_CHUNK_RESULT_H
#define FT_TRACK_CHUNK_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_tracked_face {
    int local_id;
    float x0, y0, x1, y1; /* landmarks' bounds, pixels of the upright frame */
    float cx, cy;         /* the mesh's mean (MediaPipe), else the box centre */
    float confidence;     /* face presence this frame (detection-only engines: the score) */
    float detection_score;
    int is_object;        /* from the object detector: source "object_detector" */
    int class_id;         /* its COCO category (label), when is_object */
    int has_pose;
    float yaw, pitch, roll;
    int has_blendshapes;
    float blendshapes[FT_FACE_BLENDSHAPE_COUNT];
    int landmark_count;   /* landmarks != NULL only when kept */
    float (*landmarks)[3];
    /* eos: the shape then the expression coefficients, kept with the
     * landmarks (NULL otherwise) */
    int shape_count, expression_count;
    float *coeffs;
} ft_tracked_face;

typedef struct ft_chunk_result {
    int64_t first;        /* frame index of the first frame recorded */
    int64_t frame_count;  /* frames recorded */
    size_t *offsets;      /* faces of frame first + i: faces[offsets[i], offsets[i + 1]) */
    size_t offset_cap;
    ft_tracked_face *faces;
    size_t face_count, face_cap;
    int64_t missing;      /* frames the decoder could not deliver (recorded empty) */
    double decode_ms;     /* decoding and pixel conversion */
    ft_face_timings timings;
} ft_chunk_result;

void ft_chunk_result_init(ft_chunk_result *r, int64_t first);
/* Records frame first + frame_count with FACES[0..n). KEEP_LANDMARKS copies
 * them, and eos's coefficients. */
ft_status ft_chunk_result_add_frame(ft_chunk_result *r, const ft_face *faces, int n,
                                    int keep_landmarks);
/* The faces of frame INDEX (absolute); 0 faces outside the recorded frames. */
size_t ft_chunk_result_frame(const ft_chunk_result *r, int64_t index, const ft_tracked_face **faces);
/* Appends N objects of the object detector to the last recorded frame, with
 * local IDs LOCAL_IDS[i]. Boxes are rounded to whole pixels and the
 * centroid is (x + w // 2, y + h // 2), as the original computed it. */
ft_status ft_chunk_result_add_objects(ft_chunk_result *r, const ft_object *objects, int n,
                                      const int *local_ids);
void ft_chunk_result_free(ft_chunk_result *r);

#endif
