/* The live sources of `facetrack serve` (--live-source): each is run, on
 * request, by a `facetrack live` worker process, whose status events the
 * service follows on its standard output; its snapshot, and each part of
 * its MJPEG stream, is the worker's shared-memory preview
 * (src/live/shm_layout.h) read without ever making the worker wait,
 * encoded as JPEG, with the same frame's faces.
 * Thread-safe: the HTTP threads share one. */
#ifndef FT_SERVE_LIVE_VIEW_H
#define FT_SERVE_LIVE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "base/json_writer.h"
#include "facetrack.h"

#define FT_LIVE_VIEW_MAX_SOURCES 16

typedef struct ft_live_view ft_live_view;

/* SOURCES[0..count) as `facetrack live` takes them; the workers' sockets
 * and logs go to DATA_DIR/live/. */
ft_status ft_live_view_create(const char *const *sources, int count, const char *data_dir,
                              ft_live_view **out, char *err, size_t err_size);
/* Stops every worker and frees everything. */
void ft_live_view_free(ft_live_view *view);

int ft_live_view_count(const ft_live_view *view);

/* Starts source INDEX's worker: FT_ERR_INVALID_ARG when it already runs. */
ft_status ft_live_view_start(ft_live_view *view, int index, char *err, size_t err_size);
/* Stops it (SIGTERM, then waits for it); FT_ERR_INVALID_ARG when it does not run. */
ft_status ft_live_view_stop(ft_live_view *view, int index);

/* {"index", "source", "running", "state", "pid", "exit_code", "heartbeat"
 * (the last one, as the worker sent it, or null), "message" (the last
 * error, warning or reconnecting reason, or null)} of source INDEX. */
void ft_live_view_write_source(ft_live_view *view, int index, ft_json *json);

/* The last analysed frame of source INDEX: {"index", "frame", "capture":
 * [w, h], "preview": [w, h], "scale": [x, y], "latency_ms", "faces": [{"id",
 * "confidence", "box" [x, y, w, h], "landmarks" [[x, y], ...]}] (capture
 * pixels), "image": "data:image/jpeg;base64,..." (the preview)}.
 * FT_EAGAIN when the worker has no frame yet; FT_ERR_INVALID_ARG when it
 * does not run. */
ft_status ft_live_view_write_snapshot(ft_live_view *view, int index, ft_json *json, char *err,
                                      size_t err_size);

/* The MJPEG stream (GET /api/live/N/stream): the number of source INDEX's
 * current run, which changes at every start (0: it does not run). */
unsigned ft_live_view_run(ft_live_view *view, int index);

/* Waits up to TIMEOUT_MS for a frame of run RUN newer than *FRAME (-1:
 * any) and gives the newest as one part of a multipart/x-mixed-replace
 * body: "--BOUNDARY", the headers Content-Type (image/jpeg),
 * Content-Length, X-Frame-Id and X-Live-Frame (the frame's results as one
 * line of JSON: the snapshot's object without "image"), a blank line, the
 * JPEG, CRLF. The picture and the results come from one consistent copy of
 * the shared memory. Each frame is encoded once, whatever the number of
 * clients; frames a client had no time for are skipped, never queued.
 * FT_OK: *PART (malloc'ed, *PART_SIZE bytes) and *FRAME set; FT_EAGAIN:
 * no newer frame yet; FT_EOF: that run is over (stopped, ended, restarted). */
ft_status ft_live_view_next_part(ft_live_view *view, int index, unsigned run, const char *boundary,
                                 int64_t *frame, uint8_t **part, size_t *part_size, int timeout_ms);

#endif
