/* Slurm's commands as child processes (see slurm_command.h). */
#define _GNU_SOURCE
#include "cluster/slurm_command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static int append(buffer *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Reads both pipes until they close or the deadline passes: 0, or -1 on
 * timeout. Both are read together so that a command filling one pipe
 * never blocks while we wait on the other. */
static int drain(int out_fd, int err_fd, buffer *out, buffer *err, double deadline)
{
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    buffer *bufs[2] = {out, err};
    int open_count = 2;
    while (open_count > 0) {
        const double left = deadline - now_s();
        if (left <= 0)
            return -1;
        const int n = poll(fds, 2, (int)(left * 1000) + 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[4096];
            const ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got > 0) {
                if (append(bufs[i], chunk, (size_t)got) != 0)
                    return -1;
            } else if (got == 0 || errno != EINTR) {
                fds[i].fd = -1;
                open_count--;
            }
        }
    }
    return 0;
}

int ft_slurm_run(char *const argv[], int timeout_s, ft_slurm_result *result, char *why,
                 size_t why_size)
{
    memset(result, 0, sizeof *result);
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        snprintf(why, why_size, "%s: cannot make a pipe: %s", argv[0], strerror(errno));
        if (out_pipe[0] >= 0) {
            close(out_pipe[0]);
            close(out_pipe[1]);
        }
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    /* A process group of its own: a signal meant for ours (the terminal's
     * ^C, or a job runner stopping us) must not kill the scancel that the
     * signal makes us run. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid;
    const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        if (rc == ENOENT)
            snprintf(why, why_size,
                     "%s not found on PATH (is this a Slurm submit host? Debian's slurm-client "
                     "package has it)",
                     argv[0]);
        else
            snprintf(why, why_size, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    buffer out = {0}, err = {0};
    const int drained = drain(out_pipe[0], err_pipe[0], &out, &err, now_s() + timeout_s);
    close(out_pipe[0]);
    close(err_pipe[0]);
    if (drained != 0)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (drained != 0) {
        free(out.data);
        free(err.data);
        snprintf(why, why_size, "%s did not answer within %d s (is slurmctld reachable?)", argv[0],
                 timeout_s);
        return -1;
    }
    result->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result->out = out.data ? out.data : strdup("");
    result->err = err.data ? err.data : strdup("");
    if (!result->out || !result->err) {
        ft_slurm_result_free(result);
        snprintf(why, why_size, "%s: out of memory", argv[0]);
        return -1;
    }
    return 0;
}

void ft_slurm_result_free(ft_slurm_result *result)
{
    free(result->out);
    free(result->err);
    result->out = result->err = NULL;
}

void ft_slurm_message(const char *command, const ft_slurm_result *result, char *out,
                      size_t out_size)
{
    const char *text = result->err && *result->err ? result->err : result->out ? result->out : "";
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: error: ", command);
    size_t len = 0;
    out[0] = '\0';
    for (const char *line = text; *line && len + 1 < out_size;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const char *start = line;
        if (strncmp(start, prefix, strlen(prefix)) == 0) {
            start += strlen(prefix);
            n -= strlen(prefix);
        }
        while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\r'))
            n--;
        if (n > 0)
            len += (size_t)snprintf(out + len, out_size - len, "%s%.*s", len ? "; " : "", (int)n,
                                    start);
        if (len >= out_size)
            len = out_size - 1;
        line = end ? end + 1 : line + strlen(line);
    }
    for (char *p = out; *p; p++) /* one line, whatever the command wrote */
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    if (!out[0])
        snprintf(out, out_size, "exit status %d", result->exit_code);
}
