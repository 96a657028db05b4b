/* The service's jobs, kept in SQLite (<data-dir>/jobs.db) so that they
 * outlive the server. Every change to a job gives it the next number of a
 * sequence that only grows; event streams use it to send what changed since
 * a client's last event. Thread-safe. */
#ifndef FT_SERVE_JOB_STORE_H
#define FT_SERVE_JOB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/json_writer.h"
#include "facetrack.h"

/* The steps a job runs, in this order. */
typedef enum { FT_STEP_SCENES = 1, FT_STEP_TRACK = 2 } ft_job_step;
#define FT_STEP_COUNT 2
const char *ft_job_step_name(int step); /* "scenes", "track"; NULL for 0 */

/* Where a job is. Names ("queued", ...) are for the database and the API
 * only; the code works with the enum. */
typedef enum ft_job_state {
    FT_JOB_QUEUED,
    FT_JOB_RUNNING,
    FT_JOB_SUCCEEDED,
    FT_JOB_FAILED,
    FT_JOB_CANCELLED,
    FT_JOB_INTERRUPTED,
    FT_JOB_STATE_COUNT
} ft_job_state;
/* A set of job states, for ft_job_store_set_state's FROM. */
#define FT_JOB_STATE_BIT(state) (1u << (state))

/* Where one video of a job is. */
typedef enum ft_video_state {
    FT_VIDEO_PENDING,
    FT_VIDEO_RUNNING,
    FT_VIDEO_DONE,
    FT_VIDEO_SKIPPED,
    FT_VIDEO_FAILED,
    FT_VIDEO_STATE_COUNT
} ft_video_state;

/* "queued", "running", ...; NULL out of range. */
const char *ft_job_state_name(ft_job_state state);
/* The state called NAME into *OUT; FT_ERR_INVALID_ARG when none is. */
ft_status ft_job_state_parse(const char *name, ft_job_state *out);
/* 1 for the states a job ends in: succeeded, failed, cancelled, interrupted. */
int ft_job_state_ended(ft_job_state state);
/* "pending", "running", ...; NULL out of range. */
const char *ft_video_state_name(ft_video_state state);
ft_status ft_video_state_parse(const char *name, ft_video_state *out);

typedef struct ft_job_video {
    int root;            /* media root number, as the client named it */
    char *path;          /* relative to that root */
    char *file;          /* absolute, resolved when the job was made */
    ft_video_state state;
    int step;            /* the step it is in, 0 when none */
    int done_steps;      /* ft_job_step bits completed (or skipped) */
    int skipped_steps;   /* ... of which were skipped: output already there */
    int64_t frames_done, frames;
    double fps;
    char *error;
} ft_job_video;

/* What the running step's child says of its whole run (track only): the
 * percentage of all its videos' frames, the frames done and to do, its
 * frame rate, seconds elapsed and still needed (-1: not known yet). Kept
 * in memory while the step runs, never stored. */
typedef struct ft_job_run_progress {
    int step;
    int64_t percent, frames_done, frames;
    double fps, elapsed, eta;
} ft_job_run_progress;

typedef struct ft_job {
    int64_t id;
    ft_job_state state;
    int steps;           /* ft_job_step bits */
    int step;            /* the step running now, 0 when none */
    char *options;       /* a JSON object, as validated when the job was made;
                          * NULL when the stored one is not (shown as null) */
    char created_at[24], started_at[24], finished_at[24]; /* UTC ISO 8601; "" when not yet */
    char *error;
    int64_t seq;
    ft_job_video *videos;
    size_t video_count;  /* in VIDEOS: all of them, or the first of a summary */
    /* Over all the job's videos, whether VIDEOS holds them all or not. */
    size_t total_videos;
    size_t videos_in_state[FT_VIDEO_STATE_COUNT];
    double progress;     /* percent */
    int has_run;         /* RUN holds the running step's own account */
    ft_job_run_progress run;
} ft_job;

typedef struct ft_job_store ft_job_store;

/* Opens or creates DIR/jobs.db, checked for corruption first. A corrupt
 * one is refused (FT_ERR_FORMAT), or with RESET_CORRUPT moved aside to
 * jobs.db.corrupt-TIME and begun anew (said on stderr). ERR names the file
 * and the reason, in one line. */
ft_status ft_job_store_open(const char *dir, int reset_corrupt, ft_job_store **out, char *err,
                            size_t err_size);
void ft_job_store_close(ft_job_store *s);

/* After a crash: running jobs become interrupted, and their running videos
 * pending again. Returns how many jobs it changed. */
int ft_job_store_recover(ft_job_store *s);

/* A new queued job of JOB's steps, options and videos (their root, path,
 * file); sets JOB->id. */
ft_status ft_job_store_create(ft_job_store *s, ft_job *job);
/* The job, or NULL when there is none of that number. Free with ft_job_free. */
ft_job *ft_job_store_load(ft_job_store *s, int64_t id);
/* How many videos a job summary lists (in /api/jobs and the event stream
 * of every job). */
#define FT_JOB_SUMMARY_VIDEOS 100
/* The job with only its first MAX_VIDEOS videos; the counts and progress
 * still cover them all. For lists, where a job of 10,000 videos must not
 * weigh megabytes. */
ft_job *ft_job_store_load_summary(ft_job_store *s, int64_t id, size_t max_videos);
void ft_job_free(ft_job *job);
/* Job numbers, newest first: all of them, or those changed after SEQ. */
size_t ft_job_store_ids(ft_job_store *s, int64_t after_seq, int64_t *ids, size_t max);
/* Job numbers below BEFORE (0: any), newest first, at most MAX. */
size_t ft_job_store_page(ft_job_store *s, int64_t before, int64_t *ids, size_t max);

/* Takes the oldest queued job: it becomes running. 0 when none is queued. */
int64_t ft_job_store_claim_next(ft_job_store *s);
/* Sets a job's state and error; an ended state sets finished_at, another
 * (queued again) clears it. FROM, when not 0, is the set of states
 * (FT_JOB_STATE_BIT) it may change from: FT_ERR_INVALID_ARG otherwise,
 * FT_ERR_NOT_FOUND when there is no such job. */
ft_status ft_job_store_set_state(ft_job_store *s, int64_t id, unsigned from, ft_job_state state,
                                 const char *error);
ft_status ft_job_store_set_step(ft_job_store *s, int64_t id, int step);
/* Every video of job ID that has not done all of STEPS becomes pending
 * again, its progress and error cleared: one write, however many videos. */
ft_status ft_job_store_reset_unfinished(ft_job_store *s, int64_t id, int steps);
/* Writes back one video's progress (everything but root, path and file). */
ft_status ft_job_store_update_video(ft_job_store *s, int64_t id, size_t index,
                                    const ft_job_video *v);

/* Sets (P) or forgets (P NULL) the running step's account of job ID. */
void ft_job_store_set_run_progress(ft_job_store *s, int64_t id, const ft_job_run_progress *p);

/* The newest sequence number; and a wait until it passes LAST or TIMEOUT_MS
 * pass. Returns the newest number. */
int64_t ft_job_store_seq(ft_job_store *s);
int64_t ft_job_store_wait(ft_job_store *s, int64_t last, int timeout_ms);
/* Wakes every waiter (the server is stopping). */
void ft_job_store_wake_all(ft_job_store *s);

/* The job as the API shows it: "video_count" and "videos_by_state" count
 * all its videos, "videos" lists those loaded. */
void ft_job_write_json(const ft_job *job, ft_json *j);

#endif
