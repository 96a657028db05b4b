/* One video of a batch: what is known of it (frames, key frames, shot cuts,
 * audio, the plan of its ranges), its analysed ranges waiting to be
 * written, and its output. The scheduler (batch.c) decides who works on it;
 * this prepares it, and range_writer.c writes it. */
#ifndef FT_TRACK_VIDEO_JOB_H
#define FT_TRACK_VIDEO_JOB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "track/audio_track.h"
#include "track/batch.h"
#include "track/chunk_plan.h"
#include "track/chunk_result.h"
#include "track/id_map.h"
#include "track/scene_list.h"
#include "track/tracking_writer.h"

typedef enum ft_job_state {
    FT_JOB_WAITING,
    FT_JOB_PLANNING,
    FT_JOB_RUNNING,
    FT_JOB_DONE
} ft_job_state;

typedef struct ft_video_job {
    const char *path, *output;
    ft_job_state state;
    int failed;
    char error[2048];
    ft_chunk_plan plan;
    int64_t *cuts; /* 0-based first frames of shots */
    size_t cut_count;
    ft_scene_list scenes;
    int have_scenes;
    ft_audio_track audio;
    int have_audio;
    ft_tracking_writer *writer;
    ft_chunk_result **results; /* per chunk, NULL until analysed */
    size_t next_assign, next_write, running;
    int writing;               /* a worker is writing this video's ranges */
    ft_chunk_result *prev;     /* the last written range, for ID inheritance */
    ft_id_map prev_map;
    int next_id;
    int64_t total_frames, frames_done;
    double started;
    ft_batch_stats stats;
    /* The original's auto-enabled objects: whether the rule applies, the
     * first frame (0-based) objects are detected from once it fired (-1
     * before), and the written frames with a face so far. */
    int auto_objects;
    int64_t objects_from;
    int64_t face_frames;
} ft_video_job;

/* Opens J's video into *READER (closing what it held), reads its shot list
 * and audio analysis beside it (or finds the cuts when asked), plans its
 * ranges and opens its output, whose objects carry ENGINE's source and
 * label; *READER is opened with READING. J->error says why on failure. */
ft_status ft_video_job_prepare(ft_video_job *j, const ft_batch_options *options,
                               const ft_engine_info *engine, const ft_video_options *reading,
                               ft_video **reader);

/* Writes range K's own frames, with per-video IDs, and releases the range;
 * ERR says why it failed. Ranges are written in order. */
ft_status ft_video_job_write_range(ft_video_job *j, size_t k, char *err, size_t err_size);

/* Everything J holds but its output and statistics. */
void ft_video_job_release(ft_video_job *j);

#endif
