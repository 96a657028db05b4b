/* One live worker: a source's capture thread, a face engine with its
 * tracker (IDs, smoothing) fed through send/receive, the channels of
 * docs/live.md (control, status, per-frame metadata) and the shared-memory
 * preview. One per process: `facetrack live` forks one per source. */
#ifndef FT_LIVE_WORKER_H
#define FT_LIVE_WORKER_H

#include <stdatomic.h>

#include "facetrack.h"
#include "live/capture.h"

typedef enum ft_live_stdout {
    FT_LIVE_STDOUT_NONE = 0,
    FT_LIVE_STDOUT_STATUS, /* status events, one JSON line each */
    FT_LIVE_STDOUT_ALL     /* and every frame's metadata */
} ft_live_stdout;

typedef struct ft_live_worker_options {
    int index;                   /* of the source on the command line, 0-based */
    ft_face_options face;        /* the engine, as `track` makes it */
    ft_live_capture_options capture;
    const char *socket_path;     /* NULL: no socket */
    ft_live_stdout stdout_mode;
    double max_fps;              /* analyse at most this many frames a second; 0 = all */
    int metadata_landmarks;      /* metadata also carries each face's landmarks */
    int preview;                 /* 1: the shared-memory preview */
    int preview_width, preview_height; /* its size: 960 x 540 */
    int preview_bgr;             /* BGR instead of RGB */
    const atomic_int *signal;    /* a caught stop signal (its number) */
} ft_live_worker_options;

/* Runs until a stop command, a signal, the end of a file or a source that
 * failed for good. Returns the exit status: 0, 1 (failed: one line on
 * stderr), or 128 + the signal. */
int ft_live_worker_run(const ft_live_worker_options *options);

#endif
