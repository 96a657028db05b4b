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

typedef struct ft_job_video {
    int root;            /* media root number, as the client named it */
    char *path;          /* relative to that root */
    char *file;          /* absolute, resolved when the job was made */
    char state[12];      /* pending, running, done, skipped, failed */
    int step;            /* the step it is in, 0 when none */
    int done_steps;      /* ft_job_step bits completed (or skipped) */
    int skipped_steps;   /* ... of which were skipped: output already there */
    int64_t frames_done, frames;
    double fps;
    char *error;
} ft_job_video;

typedef struct ft_job {
    int64_t id;
    char state[16];      /* queued, running, succeeded, failed, cancelled, interrupted */
    int steps;           /* ft_job_step bits */
    int step;            /* the step running now, 0 when none */
    char *options;       /* a JSON object, as validated when the job was made */
    char created_at[24], started_at[24], finished_at[24]; /* UTC ISO 8601; "" when not yet */
    char *error;
    int64_t seq;
    ft_job_video *videos;
    size_t video_count;
} ft_job;

typedef struct ft_job_store ft_job_store;

/* Opens or creates DIR/jobs.db; ERR names the file and the reason. */
ft_status ft_job_store_open(const char *dir, ft_job_store **out, char *err, size_t err_size);
void ft_job_store_close(ft_job_store *s);

/* After a crash: running jobs become interrupted, and their running videos
 * pending again. Returns how many jobs it changed. */
int ft_job_store_recover(ft_job_store *s);

/* A new queued job of JOB's steps, options and videos (their root, path,
 * file); sets JOB->id. */
ft_status ft_job_store_create(ft_job_store *s, ft_job *job);
/* The job, or NULL when there is none of that number. Free with ft_job_free. */
ft_job *ft_job_store_load(ft_job_store *s, int64_t id);
void ft_job_free(ft_job *job);
/* Job numbers, newest first: all of them, or those changed after SEQ. */
size_t ft_job_store_ids(ft_job_store *s, int64_t after_seq, int64_t *ids, size_t max);

/* Takes the oldest queued job: it becomes running. 0 when none is queued. */
int64_t ft_job_store_claim_next(ft_job_store *s);
/* Sets a job's state and error; an ended state sets finished_at, another
 * (queued again) clears it. FROM, when not NULL, is a comma-separated list
 * of the states it may change from: FT_ERR_INVALID_ARG otherwise,
 * FT_ERR_NOT_FOUND when there is no such job. */
ft_status ft_job_store_set_state(ft_job_store *s, int64_t id, const char *from, const char *state,
                                 const char *error);
ft_status ft_job_store_set_step(ft_job_store *s, int64_t id, int step);
/* Writes back one video's progress (everything but root, path and file). */
ft_status ft_job_store_update_video(ft_job_store *s, int64_t id, size_t index,
                                    const ft_job_video *v);

/* The newest sequence number; and a wait until it passes LAST or TIMEOUT_MS
 * pass. Returns the newest number. */
int64_t ft_job_store_seq(ft_job_store *s);
int64_t ft_job_store_wait(ft_job_store *s, int64_t last, int timeout_ms);
/* Wakes every waiter (the server is stopping). */
void ft_job_store_wake_all(ft_job_store *s);

/* The job as the API shows it. */
void ft_job_write_json(const ft_job *job, ft_json *j);

#endif
