/* `facetrack track`'s engine room: videos cut into frame ranges (chunk_plan.h)
 * that a pool of workers, each with its own face engine and decoders,
 * analyses in parallel, several videos side by side; each video's ranges
 * are then written in order, IDs carried across ranges, into its output. */
#ifndef FT_TRACK_BATCH_H
#define FT_TRACK_BATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "track/gpu_plan.h"
#include "track/track_config.h"

typedef struct ft_batch_stats {
    int64_t frames;        /* written */
    int64_t missing;       /* announced by the container but not decodable (written empty) */
    int64_t faces;         /* face objects written */
    double seconds;        /* from the video's start to its output's commit */
    double decode_ms;      /* summed over workers */
    ft_face_timings timings; /* summed over workers */
    int64_t output_bytes;
} ft_batch_stats;

typedef struct ft_batch_callbacks {
    /* Called from worker threads; the batch serialises nothing for them. */
    void (*started)(void *user, size_t video, const char *path, int64_t total_frames);
    void (*progress)(void *user, size_t video, int64_t frames_done, int64_t total_frames);
    /* ST is FT_OK with MESSAGE = the output path, or the failure and its reason. */
    void (*finished)(void *user, size_t video, ft_status st, const char *message,
                     const ft_batch_stats *stats);
    void *user;
} ft_batch_callbacks;

typedef struct ft_batch_options {
    const ft_track_config *config;
    int64_t chunk_frames;  /* target range length: 250 */
    int warmup_frames;     /* overlap of continuing ranges: 10 */
    const char *landmark_model; /* NULL = default (tests pick a model) */
    const atomic_int *stop; /* set (by a signal handler): stop at the next frame */
    ft_gpu_plan gpus;      /* worker i's engine on device first + i % count; none: the CPU */
} ft_batch_options;

/* Processes VIDEOS[0..count), writing each one's output to OUTPUTS[i].
 * Returns FT_OK when the run itself worked (each video's outcome goes to
 * FINISHED), or a failure to start (ERR: one line, e.g. models missing). */
ft_status ft_batch_run(const ft_batch_options *options, const char *const *videos,
                       const char *const *outputs, size_t count, const ft_batch_callbacks *cb,
                       char *err, size_t err_size);

#endif
