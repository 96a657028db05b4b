/* The writer of a live worker's shared-memory preview (layout and reading
 * rules: shm_layout.h, docs/live.md). The segment is removed when the
 * worker ends; the segments of workers that died without ending are
 * removed by the next worker that starts. */
#ifndef FT_LIVE_PREVIEW_SHM_H
#define FT_LIVE_PREVIEW_SHM_H

#include <stddef.h>

#include "facetrack.h"
#include "live/capture.h"

typedef struct ft_live_shm ft_live_shm;

/* Creates /facetrack-live-PID-INDEX for a WIDTH x HEIGHT preview (BGR: 1
 * for BGR24, else RGB24) and MAX_FACES face records. */
ft_status ft_live_shm_create(int index, int width, int height, int bgr, int max_faces,
                             ft_live_shm **out, char *err, size_t err_size);
/* Unmaps and removes the segment. */
void ft_live_shm_free(ft_live_shm *shm);

const char *ft_live_shm_name(const ft_live_shm *shm);
size_t ft_live_shm_size(const ft_live_shm *shm);

/* Publishes FRAME (its preview) with its faces, atomically for readers. */
ft_status ft_live_shm_write(ft_live_shm *shm, const ft_live_frame *frame, const ft_face *faces,
                            int count, double latency_ms);

/* Removes /dev/shm/facetrack-live-PID-* of processes that no longer run;
 * returns how many. */
int ft_live_shm_remove_stale(void);

#endif
