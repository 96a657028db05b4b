/* What `facetrack track` tells its caller while it works: a bar on a
 * terminal, JSON events (one per line, for the web service), the original
 * manager's French lines, or nothing; then a summary. Thread-safe: the
 * batch's workers report through it. */
#ifndef FT_CLI_TRACK_PROGRESS_H
#define FT_CLI_TRACK_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/run_logs.h"
#include "track/batch.h"
#include "track/track_config.h"

typedef struct ft_progress ft_progress;

/* NAMES[0..count): the videos to process, in order. LOGS (may be NULL):
 * the run's log files, which get the manager's and each video's lines
 * (GPU: the videos run on the GPU, for the workers' log names). */
ft_progress *ft_progress_create(ft_progress_mode mode, const char *const *names, size_t count,
                                int profiling, ft_run_logs *logs, int gpu);
/* A video not processed because its output is complete. */
void ft_progress_skipped(ft_progress *p, const char *video, const char *output);
/* Callbacks for ft_batch_run, their user being P. */
ft_batch_callbacks ft_progress_callbacks(ft_progress *p);
/* Prints the summary (failures with their reasons); returns the number of
 * videos that failed. Frees P. */
size_t ft_progress_finish(ft_progress *p, int interrupted);

#endif
