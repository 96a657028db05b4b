/* The progress protocol of the batch commands: `facetrack track|scenes
 * --progress json` write one JSON object a line on standard output, and
 * `facetrack serve`'s job runner reads them into each video's state. This
 * header is the protocol's one definition; both sides go through it.
 *
 * Every line is {"event": NAME, ...}. The events and their members, in the
 * order they are written ("-" marks a member only one command writes):
 *
 *   start          videos                  how many videos will be processed
 *   skipped        video, output, reason   not processed: output complete
 *   video_started  video, index-, frames-  index and frames: track only
 *   progress       video, percent-, frames_done, frames, fps-,
 *                  run_percent-, run_frames_done-, run_frames-,
 *                  elapsed-, eta-
 *   done           video, output, frames-, scenes-, seconds-, fps-, bytes-
 *   failed         video, reason, frames-, seconds-, fps-
 *   summary        videos, succeeded, failed, skipped, interrupted,
 *                  frames-, seconds-, failures- ([{video, reason}])
 *
 * frames is a video's frame count; percent, frames_done and fps its
 * progress; seconds, fps and bytes what its processing took and wrote.
 * start's frames-, and the run_* members, are over the whole run: every
 * queued video's frames, counted up front from the containers and made
 * exact as each video starts; run_percent never goes back. elapsed is the
 * run's seconds so far, eta the seconds still needed at the run's frame
 * rate (absent until it is known). A reader ignores members and events it
 * does not know. */
#ifndef FT_TRACK_PROGRESS_EVENTS_H
#define FT_TRACK_PROGRESS_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "facetrack.h"

typedef enum ft_progress_event_type {
    FT_EVENT_UNKNOWN = 0, /* read only: a name this build does not know */
    FT_EVENT_START,
    FT_EVENT_SKIPPED,
    FT_EVENT_VIDEO_STARTED,
    FT_EVENT_PROGRESS,
    FT_EVENT_DONE,
    FT_EVENT_FAILED,
    FT_EVENT_SUMMARY,
    FT_EVENT_TYPE_COUNT
} ft_progress_event_type;

/* "start", "progress", ...; NULL for FT_EVENT_UNKNOWN or out of range. */
const char *ft_progress_event_name(ft_progress_event_type type);
/* The type called NAME; FT_EVENT_UNKNOWN when none. */
ft_progress_event_type ft_progress_event_type_of(const char *name);

typedef struct ft_progress_failure {
    const char *video;
    const char *reason;
} ft_progress_failure;

/* One event. A member is absent (not written; not on the line read) when
 * its pointer is NULL or its number negative: ft_progress_event_init()
 * makes every member absent. */
typedef struct ft_progress_event {
    ft_progress_event_type type;
    const char *video;
    const char *output;
    const char *reason;
    int64_t index;       /* video_started: the video's place in the run */
    int64_t percent;     /* progress */
    int64_t frames_done; /* progress */
    int64_t frames;      /* a video's frame count; summary: frames processed */
    int64_t scenes;      /* done (scenes) */
    double seconds;
    double fps;
    int64_t bytes;       /* done (track): the output's size */
    /* progress (track): the whole run */
    int64_t run_percent, run_frames_done, run_frames;
    double elapsed, eta;
    /* summary */
    int64_t videos, succeeded, failed, skipped;
    int interrupted;     /* 0 or 1; negative: absent */
    const ft_progress_failure *failures; /* written as "failures" when not NULL */
    size_t failure_count;
    void *parsed;        /* read only: what the strings point into */
} ft_progress_event;

void ft_progress_event_init(ft_progress_event *event, ft_progress_event_type type);

/* Writes EVENT as one line on OUT and flushes it, since the reader acts on
 * lines as they come. Callers serialise writes from several threads. */
ft_status ft_progress_event_write(FILE *out, const ft_progress_event *event);

/* Reads LINE into EVENT. FT_ERR_FORMAT when it is not a JSON object with a
 * string "event"; an event of an unknown name is FT_OK with type
 * FT_EVENT_UNKNOWN. The strings of EVENT live until
 * ft_progress_event_clear(EVENT), which every call needs, whatever it
 * returned. failures is not read. */
ft_status ft_progress_event_parse(const char *line, ft_progress_event *event);
void ft_progress_event_clear(ft_progress_event *event);

#endif
