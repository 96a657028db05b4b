/* The shared-memory preview of a live worker, version 1 (docs/live.md):
 * POSIX shared memory /facetrack-live-PID-N, little-endian, laid out as
 *
 *   header (256 bytes) | max_faces face records (4096 bytes each) |
 *   preview pixels (pixels_size bytes) | ... | frame_id again (last 8 bytes)
 *
 * One writer (the worker), any number of readers, nobody waits: a seqlock.
 * The writer makes `sequence` odd, writes the frame, then makes it even
 * again (+2 per frame). A reader copies what it needs between two reads of
 * `sequence` and keeps the copy only when both are the same even number.
 *
 * Every position (boxes, landmarks) is in CAPTURE pixels: x to the right in
 * [0, capture_width), y down in [0, capture_height). The preview is the
 * capture frame scaled to preview_width x preview_height (aspect not kept):
 * a point (x, y) of the capture is at (x * scale_x, y * scale_y) in it. */
#ifndef FT_LIVE_SHM_LAYOUT_H
#define FT_LIVE_SHM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define FT_LIVE_SHM_MAGIC 0x564C5446u /* "FTLV" */
#define FT_LIVE_SHM_VERSION 1u
#define FT_LIVE_SHM_HEADER_SIZE 256u
#define FT_LIVE_SHM_FACE_SIZE 4096u
#define FT_LIVE_SHM_MAX_LANDMARKS 478
#define FT_LIVE_SHM_BLENDSHAPES 52

enum { FT_LIVE_SHM_RGB24 = 0, FT_LIVE_SHM_BGR24 = 1 };

typedef struct ft_live_shm_header {
    uint32_t magic;          /* FT_LIVE_SHM_MAGIC */
    uint32_t version;        /* FT_LIVE_SHM_VERSION */
    uint64_t segment_size;   /* bytes of the whole segment */
    uint32_t header_size;    /* where face record 0 starts */
    uint32_t face_size;      /* bytes per face record */
    uint32_t max_faces;
    uint32_t pixels_offset;  /* where the preview pixels start */
    uint32_t pixels_size;    /* bytes reserved for them */
    uint32_t pixel_format;   /* FT_LIVE_SHM_RGB24 or FT_LIVE_SHM_BGR24, packed */
    uint32_t writer_pid;
    uint32_t reserved0;
    uint64_t sequence;       /* seqlock: odd while the writer writes; 0 = no frame yet */
    /* the frame, valid when sequence is even and unchanged around the copy */
    int64_t frame_id;        /* as in the metadata lines */
    int64_t capture_time_us; /* microseconds since the Unix epoch */
    int64_t media_time_us;
    uint32_t capture_width, capture_height; /* the coordinate space of every position */
    uint32_t preview_width, preview_height; /* never swapped: width is x */
    uint32_t preview_stride; /* bytes per preview row */
    float scale_x, scale_y;  /* preview pixels per capture pixel */
    uint32_t face_count;
    double latency_ms;       /* capture to results */
    uint8_t reserved[136];
} ft_live_shm_header;

typedef struct ft_live_shm_face {
    int32_t id;
    float confidence, presence;
    float box[4];            /* x, y, width, height, capture pixels */
    int32_t landmark_count;
    int32_t has_blendshapes;
    int32_t has_pose;
    float yaw, pitch, roll;  /* degrees */
    float blendshapes[FT_LIVE_SHM_BLENDSHAPES]; /* MediaPipe's order */
    float landmarks[FT_LIVE_SHM_MAX_LANDMARKS][2]; /* x, y, capture pixels */
    uint8_t reserved[12];
} ft_live_shm_face;

_Static_assert(sizeof(ft_live_shm_header) == FT_LIVE_SHM_HEADER_SIZE, "header size");
_Static_assert(offsetof(ft_live_shm_header, sequence) == 48, "sequence offset");
_Static_assert(offsetof(ft_live_shm_header, frame_id) == 56, "frame_id offset");
_Static_assert(offsetof(ft_live_shm_header, capture_width) == 80, "capture size offset");
_Static_assert(offsetof(ft_live_shm_header, scale_x) == 100, "scale offset");
_Static_assert(offsetof(ft_live_shm_header, face_count) == 108, "face_count offset");
_Static_assert(offsetof(ft_live_shm_header, latency_ms) == 112, "latency offset");
_Static_assert(sizeof(ft_live_shm_face) == FT_LIVE_SHM_FACE_SIZE, "face record size");
_Static_assert(offsetof(ft_live_shm_face, box) == 12, "box offset");
_Static_assert(offsetof(ft_live_shm_face, blendshapes) == 52, "blendshapes offset");
_Static_assert(offsetof(ft_live_shm_face, landmarks) == 260, "landmarks offset");

#endif
