/* The tracking policy every face engine shares: which ROIs to run each
 * frame (tracked faces, new detections), de-duplication, IDs (adoption of
 * lost faces, survival through short losses, new IDs after a cut), One-Euro
 * smoothing and the blendshape interval. An engine supplies its models as
 * stages (a detector and a landmarker, or a detector alone whose boxes and
 * keypoints are the faces); the tracker decides when each runs. */
#ifndef FT_FACE_FACE_TRACKER_H
#define FT_FACE_FACE_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "face/face_types.h"
#include "face/landmarks.h"
#include "face/tracker.h"
#include "facetrack.h"

#define FT_DETECTION_MAX_POINTS 106 /* InsightFace's 2d106det */

/* A detection as the landmark ROI it leads to. */
typedef struct ft_roi_detection {
    ft_norm_rect roi;
    float score;
    /* With detections_are_faces: the face itself, image-normalised: its
     * box and keypoints (ROI unused). */
    ft_box box;
    float points[FT_DETECTION_MAX_POINTS][2];
    int point_count;
} ft_roi_detection;

typedef struct ft_face_stages {
    void *ctx;
    /* The frame's detections, at most CAPACITY (max_detections). TRACKED:
     * how many faces are already being followed. FRAME: frames since the
     * last reset, for stages with their own schedule. */
    ft_status (*detect)(void *ctx, const ft_face_image *image, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found);
    int max_detections;
    /* Landmarks of N ROIs, one per OUT, with their presence. */
    ft_status (*landmarks)(void *ctx, const ft_face_image *image, const ft_norm_rect *rois, int n,
                           ft_face_landmarks *out);
    /* Where a face is expected in the next frame, from its landmarks. */
    ft_norm_rect (*next_roi)(void *ctx, const ft_face_landmarks *landmarks, int image_width,
                             int image_height);
    /* Per-face outputs from the smoothed landmarks of FACES[0..n): the
     * blendshapes of those with BLENDSHAPES_DUE[i] (setting has_blendshapes),
     * the matrix and pose of all. Adds its time to TIMINGS. May be NULL. */
    ft_status (*finish)(void *ctx, ft_face *faces, const int *blendshapes_due, int n,
                        int image_width, int image_height, ft_face_timings *timings);
    void (*reset)(void *ctx); /* between videos; may be NULL */
    const char *(*error)(const void *ctx);
    ft_landmark_scheme scheme; /* of the landmarks stage's points */
    int blendshapes;           /* finish can compute blendshapes */
    /* 1: the detector's boxes and keypoints are the faces (YuNet, SCRFD):
     * no landmarks or next_roi stage. Detection runs every detect_every_n
     * frames, its faces repeated in between; IDs follow box overlap (IoU >
     * min_tracking_confidence) and survive short losses; box and keypoints
     * are smoothed. */
    int detections_are_faces;
    /* 1: faces the finish stage leaves without a pose get one fitted from
     * their landmarks (face/pose_from_points.h; a face mesh by MediaPipe's
     * geometry pipeline), with the canonical face of the geometry_model
     * option or the default one; without it, no pose. */
    int pose_from_landmarks;
    /* 1: in video, frame N's finish runs on a thread of the tracker's own
     * while the caller's thread detects and runs the landmarks of frame
     * N+1, so a frame's faces come out of receive one send later (drain or
     * ft_face_tracker_flush for the last). Only for a finish that touches
     * none of the detect and landmarks stages' state. */
    int finish_ahead;
    /* 1: where detection runs and faces are tracked, the detector runs on a
     * thread of the tracker's own while the caller's thread runs the tracked
     * faces' landmarks; the new faces get theirs after (the same results, a
     * candidate's landmarks not depending on the others in its run). Only
     * for detect and landmarks stages that share no state. */
    int detect_beside;
} ft_face_stages;

typedef struct ft_face_tracker ft_face_tracker;

/* OPTIONS are the engine's (checked); STAGES is copied. */
ft_status ft_face_tracker_create(const ft_face_options *options, const ft_face_stages *stages,
                                 ft_face_tracker **out, char *err, size_t err_size);
void ft_face_tracker_free(ft_face_tracker *tracker);

/* An engine class's send and receive: each frame finished as it is sent
 * (one result held at a time), or with finish_ahead one send later. */
ft_status ft_face_tracker_send(ft_face_tracker *tracker, const ft_face_image *image,
                               int64_t timestamp_us);
ft_status ft_face_tracker_receive(ft_face_tracker *tracker, ft_face *faces, int capacity,
                                  int *count, int64_t *timestamp_us);
/* Finishes the frame under way, if any, so that receive has it (the engine
 * class's flush): what one frame in, its faces out needs. */
ft_status ft_face_tracker_flush(ft_face_tracker *tracker);
void ft_face_tracker_signal_cut(ft_face_tracker *tracker);
void ft_face_tracker_reset(ft_face_tracker *tracker);
void ft_face_tracker_timings(const ft_face_tracker *tracker, ft_face_timings *out);
const char *ft_face_tracker_error(const ft_face_tracker *tracker);

#endif
