/* A batch run of `facetrack cluster`: what was submitted (the step and its
 * options, the video list, the Slurm resources), where its state lives, and
 * the Slurm jobs that ran it. Kept in the job's state folder as job.json
 * beside videos.json (the list the tasks share), the batch scripts and the
 * tasks' files:
 *
 *   STATE_ROOT/JOBID/job.json          this description
 *   STATE_ROOT/JOBID/videos.json       the videos, absolute paths, in order
 *   STATE_ROOT/JOBID/job.sh            the script first submitted
 *   STATE_ROOT/JOBID/resume-N.sh       the script of the N-th resume
 *   STATE_ROOT/JOBID/task-I.log        array task I's output (Slurm's)
 *   STATE_ROOT/JOBID/task-I.events     its step's JSON progress events
 *   STATE_ROOT/JOBID/task-I.exit       its step's exit status, when it ended
 *
 * JOBID is the first submission's job id. Task I (0-based) runs the step
 * with --shard I+1/N over videos.json: it owns the videos whose place in
 * the list is I modulo N. */
#ifndef FT_CLUSTER_CLUSTER_JOB_H
#define FT_CLUSTER_CLUSTER_JOB_H

#include <stddef.h>

#include "facetrack.h"

#define FT_CLUSTER_PATH 4096
#define FT_CLUSTER_MAX_SUBMISSIONS 64

typedef struct ft_cluster_submission {
    char job_id[32]; /* Slurm's job id of the array */
    char *array;     /* the array's task ids, Slurm's --array form: "0-2", "1,3" */
} ft_cluster_submission;

typedef struct ft_cluster_job {
    char step[16];                    /* "track" or "scenes" */
    char program[FT_CLUSTER_PATH];    /* the facetrack program the tasks run */
    char cwd[FT_CLUSTER_PATH];        /* the tasks' working folder */
    char state_root[FT_CLUSTER_PATH]; /* absolute */
    char dir[FT_CLUSTER_PATH];        /* STATE_ROOT/JOBID once submitted */
    int tasks;                        /* the array's size N */
    char **step_args;                 /* the step's options, without inputs, --force, --shard */
    size_t step_arg_count;
    int force;                        /* --force: on the first submission only */
    char output_dir[FT_CLUSTER_PATH]; /* -o, absolute; "" = beside the videos */
    char format[16];                  /* track: "raw" or "reduced" */
    char **directives;                /* #SBATCH lines' arguments: "--partition=gpu" */
    size_t directive_count;
    char **videos;                    /* absolute paths */
    size_t video_count;
    ft_cluster_submission submissions[FT_CLUSTER_MAX_SUBMISSIONS];
    size_t submission_count;
} ft_cluster_job;

void ft_cluster_job_free(ft_cluster_job *job);

/* Appends a copy of TEXT to the string array *LIST of *COUNT: 0 or -1. */
int ft_cluster_list_add(char ***list, size_t *count, const char *text);

/* Writes job.json and videos.json into DIR (each a temporary file renamed
 * into place). ERR names the file and the reason. */
ft_status ft_cluster_job_save(const ft_cluster_job *job, const char *dir, char *err,
                              size_t err_size);

/* Reads the job JOB_ID kept under STATE_ROOT: the folder STATE_ROOT/JOB_ID,
 * else the job one of whose resubmissions is JOB_ID. ERR says why not. */
ft_status ft_cluster_job_load(const char *state_root, const char *job_id, ft_cluster_job *job,
                              char *err, size_t err_size);

/* The output of video I (what tells it done) into OUT. */
ft_status ft_cluster_video_output(const ft_cluster_job *job, size_t i, char *out, size_t out_size);
/* 1 when video I's output is complete: for track a whole output of this
 * video (as `track` skips it), for scenes an existing shot list. */
int ft_cluster_video_complete(const ft_cluster_job *job, size_t i);

/* The array task that owns video I. */
static inline int ft_cluster_video_task(const ft_cluster_job *job, size_t i)
{
    return (int)(i % (size_t)job->tasks);
}

/* The batch script of a submission of the tasks ARRAY (Slurm's --array
 * form), malloc'ed. FIRST: the job's first submission, whose folder is
 * named after its own job id (%A, $SLURM_ARRAY_JOB_ID) and which passes
 * --force when it was asked; a resume writes into JOB->dir and never
 * redoes a complete output. NULL when out of memory. */
char *ft_cluster_script(const ft_cluster_job *job, const char *array, int first);

/* "OPTION=VALUE" as an #SBATCH line's argument into OUT: VALUE in double
 * quotes when it holds blanks (sbatch reads them so). -1 when VALUE holds a
 * double quote or a line break, which such a line cannot carry, or OUT is
 * too small. VALUE NULL: OPTION alone. */
int ft_cluster_sbatch_arg(const char *option, const char *value, char *out, size_t out_size);

/* TEXT quoted for a POSIX shell: '...' with each ' written '\''. */
char *ft_cluster_shell_quote(const char *text);

#endif
