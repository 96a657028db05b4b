/* What the batch commands (track, scenes) share: the video list from the
 * command line, output folders and stopping on signals (their JSON
 * progress events are track/progress_events.h). */
#ifndef FT_CLI_BATCH_IO_H
#define FT_CLI_BATCH_IO_H

#include <stdatomic.h>

#include "track/video_list.h"

/* Files and folders INPUTS[0..n), then the --videos-json file (or NULL),
 * then the K-th of N slices (N = 0: all). Errors go to stderr as
 * "facetrack CMD: ...". A path (given, or an entry of the list) that is
 * missing or no video file is reported in one line and counted in
 * *REJECTED; the others are listed still. Returns an exit code: 1 when the
 * list file itself is unusable (missing, not a regular file, over 64 MiB,
 * not JSON) or memory runs out. */
int ft_cli_collect_videos(const char *cmd, char *const *inputs, int n, const char *videos_json,
                          int shard_k, int shard_n, ft_video_list *list, size_t *rejected);

/* mkdir -p DIR; -1 with errno set on failure. */
int ft_cli_make_dirs(const char *dir);

/* The file name of PATH. */
const char *ft_cli_base_name(const char *path);

/* The signals that stop a batch run (ft_cli_stop_signals, 0-terminated:
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2) set
 * ft_cli_stop_signal (lock-free, so safe from the handler and for worker
 * threads to poll) instead of killing the process: the run stops, removes
 * its temporary files and exits with 128 + the signal. A write to a closed
 * pipe (SIGPIPE) thus fails with EPIPE and stops the run the same way.
 * SIGHUP ignored when the program starts (nohup) stays ignored; the others
 * are caught even when ignored on entry (as a shell's background job
 * ignores SIGINT and SIGQUIT). ft_cli_catch_batch_signals catches them all; ft_cli_catch_stop_signals,
 * for the service, SIGINT and SIGTERM only. */
extern atomic_int ft_cli_stop_signal;
extern const int ft_cli_stop_signals[];
void ft_cli_catch_batch_signals(void);
void ft_cli_catch_stop_signals(void);

#endif
