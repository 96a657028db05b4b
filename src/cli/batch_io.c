/* Shared parts of the batch commands (see batch_io.h). */
#include "cli/batch_io.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void print_rejected(const void *user, const char *message)
{
    fprintf(stderr, "facetrack %s: %s\n", (const char *)user, message);
}

int ft_cli_collect_videos(const char *cmd, char *const *inputs, int n, const char *videos_json,
                          int shard_k, int shard_n, ft_video_list *list, size_t *rejected)
{
    char err[1536];
    *rejected = 0;
    list->on_reject = print_rejected;
    list->reject_user = cmd;
    for (int i = 0; i < n; i++) {
        const ft_status st = ft_video_list_add(list, inputs[i], err, sizeof err);
        if (st == FT_OK)
            continue;
        fprintf(stderr, "facetrack %s: %s\n", cmd, err);
        if (st == FT_ERR_NOMEM)
            return 1;
        (*rejected)++; /* a missing or unusable path: the others still run */
    }
    if (videos_json && ft_video_list_add_json(list, videos_json, err, sizeof err) != FT_OK) {
        fprintf(stderr, "facetrack %s: %s\n", cmd, err);
        return 1;
    }
    *rejected += list->rejected;
    if (shard_n > 0)
        ft_video_list_shard(list, shard_k, shard_n);
    return 0;
}

int ft_cli_make_dirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1;; p++) {
        const char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = c;
        if (c == '\0')
            return 0;
    }
}

const char *ft_cli_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler needs a lock-free int");
atomic_int ft_cli_stop_signal = 0;

static void on_signal(int sig)
{
    const int saved = errno;
    atomic_store(&ft_cli_stop_signal, sig);
    errno = saved;
}

const int ft_cli_stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE,
                                   SIGALRM, SIGUSR1, SIGUSR2, 0};

static void catch(const int *signals)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (const int *s = signals; *s; s++) {
        /* nohup's promise: a hang-up ignored from the start stays ignored. */
        if (*s == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(*s, &sa, NULL);
    }
}

void ft_cli_catch_stop_signals(void)
{
    static const int service[] = {SIGINT, SIGTERM, 0};
    catch(service);
}

void ft_cli_catch_batch_signals(void)
{
    catch(ft_cli_stop_signals);
}
