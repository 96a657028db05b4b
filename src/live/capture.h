/* The capture thread of a live worker: it reads its source as fast as the
 * source gives frames and keeps only the newest one (a frame the worker has
 * not taken yet is replaced, and counted as dropped), so the latency never
 * builds up behind a slow analysis. Files are paced at their own rate
 * (optionally looped), as a camera would deliver them. A lost source is
 * reopened with exponential backoff (initial, doubled each attempt, capped),
 * each attempt reported; a stop request ends every wait at once. */
#ifndef FT_LIVE_CAPTURE_H
#define FT_LIVE_CAPTURE_H

#include <stdint.h>

#include "live/source.h"

/* A captured frame, RGB24 packed (stride = width * 3). */
typedef struct ft_live_frame {
    uint8_t *rgb;
    size_t capacity;      /* bytes allocated at rgb */
    int width, height, stride;
    int64_t id;           /* 0-based over the whole run, in capture order */
    int64_t time_us;      /* strictly increasing: a file's own timestamps
                             (continued over loops), else the capture clock */
    int64_t wall_us;      /* capture time, microseconds since the Unix epoch */
    double mono_ms;       /* capture time on the monotonic clock (ft_now_ms) */
    double decode_ms;     /* read + decode + conversion of this frame */
    int discontinuity;    /* first frame after a (re)connection or a loop */
} ft_live_frame;

typedef struct ft_live_capture_events {
    /* The first frame of a connection arrived: its real size. */
    void (*connected)(void *user, const char *codec, int width, int height, double fps);
    /* The source is lost (or could not be opened): attempt ATTEMPT (1, 2,
     * ...) starts in DELAY_S seconds. */
    void (*reconnecting)(void *user, int attempt, double delay_s, const char *reason);
    /* Capture is over: FAILED 0 at the end of a file, 1 when the source
     * failed for good (a file that cannot be read, --max-retries spent). */
    void (*ended)(void *user, int failed, const char *reason);
    void *user;
} ft_live_capture_events;

typedef struct ft_live_capture_options {
    const char *source;
    ft_live_source_options source_options; /* its stop flag is ignored: the capture's own is used */
    int loop;              /* files: start again at the end */
    int every_frame;       /* never drop: wait for the worker; files unpaced */
    double backoff_initial_s; /* 1 */
    double backoff_max_s;     /* 30 */
    int max_retries;       /* give up after this many failed attempts; 0 = never */
} ft_live_capture_options;

typedef struct ft_live_capture ft_live_capture;

/* Starts the capture thread. */
ft_status ft_live_capture_start(const ft_live_capture_options *options,
                                const ft_live_capture_events *events, ft_live_capture **out);
/* Stops the thread and frees everything. */
void ft_live_capture_free(ft_live_capture *capture);
/* Asks the thread to stop (safe from any thread). */
void ft_live_capture_stop(ft_live_capture *capture);

/* Swaps the newest frame into *FRAME (whose old buffer the capture reuses;
 * zero-initialise it before the first call). FT_OK; FT_EAGAIN when none
 * came within TIMEOUT_MS; FT_EOF when the capture has ended. */
ft_status ft_live_capture_take(ft_live_capture *capture, ft_live_frame *frame, int timeout_ms);

typedef struct ft_live_capture_counts {
    int64_t captured;  /* frames decoded */
    int64_t dropped;   /* replaced before the worker took them */
    int64_t reconnects; /* attempts so far */
    int connected;     /* a connection is delivering frames */
} ft_live_capture_counts;

void ft_live_capture_counts_get(ft_live_capture *capture, ft_live_capture_counts *out);

#endif
