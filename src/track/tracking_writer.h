/* Streams one video's tracking output, frame after frame, into a temporary
 * file renamed into place on commit: the original STEP5 raw `<stem>.json`
 * or the STEP6 reduced `<stem>_tracking.json` (schemas/ describes both).
 * Objects of a frame are written sorted by centroid_x, as the original did;
 * speaking fields come from the audio analysis and shot list when given. */
#ifndef FT_TRACK_TRACKING_WRITER_H
#define FT_TRACK_TRACKING_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "track/audio_track.h"
#include "track/chunk_result.h"
#include "track/scene_list.h"
#include "track/track_config.h"

typedef struct ft_writer_options {
    ft_track_format format;
    int pretty;
    int verbose_fields;        /* landmarks of every face (raw format) */
    const ft_track_config *config; /* blendshape profile, jawOpen scale */
    const char *video_path;    /* absolute */
    const char *engine;        /* metadata.tracking_engine */
    const char *source, *label; /* of every object: the engine's (ft_engine_info) */
    int64_t total_frames;
    double fps;
    int width, height;         /* of the upright frame: clamps the boxes */
    const ft_audio_track *audio;   /* NULL when there is no <stem>_audio.json */
    const ft_scene_list *scenes;   /* NULL when there is no <stem>.csv */
} ft_writer_options;

/* A face and its per-video ID, as handed to the writer. */
typedef struct ft_output_face {
    int id;
    const ft_tracked_face *face;
} ft_output_face;

typedef struct ft_tracking_writer ft_tracking_writer;

ft_status ft_tracking_writer_open(const char *path, const ft_writer_options *options,
                                  ft_tracking_writer **out, char *err, size_t err_size);
/* The next frame (1-based numbers, in order, each once). FACES is reordered. */
ft_status ft_tracking_writer_frame(ft_tracking_writer *w, int64_t frame, ft_output_face *faces,
                                   size_t n);
/* Ends the document and renames it into place; frees W in all cases. */
ft_status ft_tracking_writer_commit(ft_tracking_writer *w, char *err, size_t err_size);
/* Drops the temporary file; frees W. NULL is fine. */
void ft_tracking_writer_abort(ft_tracking_writer *w);
/* "<output>: cannot write: <reason>" for the first write that failed (e.g.
 * "no space left on device"): frames are written as they come, so a full
 * disk is found at its first failed write, not at the end. */
void ft_tracking_writer_error(const ft_tracking_writer *w, char *err, size_t err_size);

#endif
