/* The log files of a batch run (`track --log-dir DIR`), in the original
 * STEP5 manager's layout: DIR/manager_tracking_YYYYmmdd_HHMMSS.log for the
 * run (its settings' warnings, the videos, each outcome, the summary) and
 * DIR/worker_CPU_<stem>_<pid>.log (worker_GPU_... on the GPU) per video
 * (its start, progress every 50 frames as the original's [Progression]
 * lines, its outcome). Lines are timestamped like Python's logging
 * ("2026-01-02 11:05:17,123 - [MANAGER] - ..."); each file is rotated at
 * MAX_BYTES with BACKUPS old copies. Thread-safe. */
#ifndef FT_CLI_RUN_LOGS_H
#define FT_CLI_RUN_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "facetrack.h"

typedef struct ft_run_logs ft_run_logs;

/* Creates DIR (and its parents) and the manager log, named PREFIX_TIME.log.
 * While open, facetrack's log messages (info and above) also go into it;
 * stderr still gets those of the level asked for. ERR: one line. */
ft_status ft_run_logs_open(const char *dir, const char *prefix, int64_t max_bytes, int backups,
                           ft_run_logs **out, char *err, size_t err_size);
/* A line of the manager log. */
void ft_run_logs_manager(ft_run_logs *logs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* VIDEO (number I of the run) begins: its own log. */
void ft_run_logs_worker_open(ft_run_logs *logs, size_t i, const char *video, int gpu);
void ft_run_logs_worker(ft_run_logs *logs, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ft_run_logs_worker_close(ft_run_logs *logs, size_t i);
/* Closes every file and gives facetrack's log messages back to stderr. */
void ft_run_logs_close(ft_run_logs *logs);

#endif
