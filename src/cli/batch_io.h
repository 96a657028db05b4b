/* What the batch commands (track, scenes) share: the video list from the
 * command line, output folders and stopping on SIGINT/SIGTERM (their JSON
 * progress events are track/progress_events.h). */
#ifndef FT_CLI_BATCH_IO_H
#define FT_CLI_BATCH_IO_H

#include <stdatomic.h>

#include "track/video_list.h"

/* Files and folders INPUTS[0..n), then the --videos-json file (or NULL),
 * then the K-th of N slices (N = 0: all). Errors go to stderr as
 * "facetrack CMD: ..."; returns an exit code. */
int ft_cli_collect_videos(const char *cmd, char *const *inputs, int n, const char *videos_json,
                          int shard_k, int shard_n, ft_video_list *list);

/* mkdir -p DIR; -1 with errno set on failure. */
int ft_cli_make_dirs(const char *dir);

/* The file name of PATH. */
const char *ft_cli_base_name(const char *path);

/* SIGINT and SIGTERM set ft_cli_stop_signal (lock-free, so safe from the
 * handler and for worker threads to poll) instead of killing the process. */
extern atomic_int ft_cli_stop_signal;
void ft_cli_catch_stop_signals(void);

#endif
