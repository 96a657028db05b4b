/* Runs the queued jobs of a store, at most MAX_JOBS at once. Each step of a
 * job is one child process, `facetrack scenes|track --progress json` over
 * the job's videos, in a process group of its own that dies with the
 * server; its JSON events become the videos' progress, its other output
 * the job's log (<data-dir>/jobs/<id>.log). Videos whose step is complete
 * are left out, so a resumed job does not redo them, and the temporary
 * files of a killed step are removed. */
#ifndef FT_SERVE_JOB_RUNNER_H
#define FT_SERVE_JOB_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"
#include "serve/job_store.h"

typedef struct ft_job_runner ft_job_runner;

/* Recovers the jobs a crash left running (they become interrupted, their
 * temporary files removed), then starts taking queued jobs. */
ft_status ft_job_runner_start(ft_job_store *store, const char *data_dir, int max_jobs,
                              ft_job_runner **out, char *err, size_t err_size);
/* Where the steps run: child processes on this machine (the default), or,
 * with SLURM set, Slurm job arrays through `facetrack cluster run` given
 * CLUSTER_OPTIONS (its submit options, one word each: "--tasks=4",
 * "--partition=gpu"), which relays the tasks' progress events and logs as
 * a local step writes them, and cancels the array on SIGTERM. The arrays'
 * state goes under DATA-DIR/cluster: the data folder, like the media
 * roots, must then be on a file system the nodes share. */
typedef struct ft_job_executor {
    int slurm;
    const char *const *cluster_options;
    size_t cluster_option_count;
} ft_job_executor;

/* ft_job_runner_start with the steps run by EXECUTOR (NULL: locally). */
ft_status ft_job_runner_start_on(const ft_job_executor *executor, ft_job_store *store,
                                 const char *data_dir, int max_jobs, ft_job_runner **out,
                                 char *err, size_t err_size);
/* A job was queued. */
void ft_job_runner_wake(ft_job_runner *r);
/* Cancels a queued or running job: a running one's process group gets
 * SIGTERM, then SIGKILL if it has not ended within a few seconds.
 * FT_ERR_NOT_FOUND: no such job; FT_ERR_INVALID_ARG: it has ended. */
ft_status ft_job_runner_cancel(ft_job_runner *r, int64_t id);
/* The log file of job ID (a buffer of SIZE bytes). */
void ft_job_log_path(const ft_job_runner *r, int64_t id, char *out, size_t size);
/* Stops the running jobs (they become interrupted) and the runner. */
void ft_job_runner_stop(ft_job_runner *r);

#endif
