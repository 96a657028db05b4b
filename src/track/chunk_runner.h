/* Analyses one frame range of a video with one face engine: seek, decode,
 * signal shot cuts, record every frame's faces. */
#ifndef FT_TRACK_CHUNK_RUNNER_H
#define FT_TRACK_CHUNK_RUNNER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "track/chunk_plan.h"
#include "track/chunk_result.h"

typedef struct ft_chunk_context {
    const int64_t *cuts;   /* ascending 0-based first frames of shots */
    size_t cut_count;
    int keep_landmarks;
    int profiling;         /* [PROFILING] lines every 20 frames on stderr */
    int gpu_device;        /* the engine's GPU, whose memory the lines give; -1: none */
    const atomic_int *stop; /* set: give up at the next frame */
    void (*on_frame)(void *user); /* after each frame the range writes */
    void *user;
    /* COCO objects: NULL for none. Run on the frames where the engine found
     * no face, or on every frame; tracked as the original did, their local
     * IDs odd and the faces' even (2 * the engine's ID) so both share the
     * range's ID space. */
    ft_object_detector *objects;
    int objects_every_frame;
    float object_distance;  /* the tracker's match radius, pixels */
    int64_t objects_from;   /* the detector runs from this frame (0-based) on */
    /* Frames decoded ahead on a thread of their own, in this many slots
     * (track/frame_prefetch.h), while the engine works; below 2: none. For
     * an engine that waits for a GPU. */
    int decode_ahead;
} ft_chunk_context;

/* Runs CHUNK of VIDEO (opened RGB24) through ENGINE, reset first. Frames the
 * decoder cannot deliver before CHUNK->end are recorded empty and counted
 * in OUT->missing. ERR names the video and the reason; FT_ERR_INTERNAL with
 * "<path>: interrupted" when STOP is set. */
ft_status ft_chunk_run(ft_video *video, ft_face_engine *engine, const ft_chunk *chunk,
                       const ft_chunk_context *ctx, ft_chunk_result *out, char *err,
                       size_t err_size);

#endif
