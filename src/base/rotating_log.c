/* Log files rotated by size (see rotating_log.h). */
#include "base/rotating_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ft_rotating_log {
    pthread_mutex_t lock;
    int fd;
    int64_t size, max_bytes;
    int backups;
    char path[];
};

static int open_fresh(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

ft_status ft_rotating_log_open(const char *path, int64_t max_bytes, int backups,
                               ft_rotating_log **out, char *err, size_t err_size)
{
    *out = NULL;
    const size_t len = strlen(path);
    ft_rotating_log *log = calloc(1, sizeof *log + len + 1);
    if (!log)
        return FT_ERR_NOMEM;
    memcpy(log->path, path, len + 1);
    log->fd = open_fresh(path);
    if (log->fd < 0) {
        if (err && err_size)
            snprintf(err, err_size, "%s: cannot create the log file: %s", path, strerror(errno));
        free(log);
        return FT_ERR_IO;
    }
    log->max_bytes = max_bytes;
    log->backups = backups < 0 ? 0 : backups;
    pthread_mutex_init(&log->lock, NULL);
    *out = log;
    return FT_OK;
}

/* NAME.k -> NAME.k+1 down to NAME -> NAME.1, the oldest dropped; then a
 * new NAME. Without backups the file starts again empty. */
static void rotate(ft_rotating_log *log)
{
    const size_t size = strlen(log->path) + 16;
    char *from = malloc(size), *to = malloc(size);
    if (from && to) {
        for (int k = log->backups - 1; k >= 1; k--) {
            snprintf(from, size, "%s.%d", log->path, k);
            snprintf(to, size, "%s.%d", log->path, k + 1);
            rename(from, to); /* a missing NAME.k is fine */
        }
        if (log->backups > 0) {
            snprintf(to, size, "%s.1", log->path);
            rename(log->path, to);
        }
    }
    free(from);
    free(to);
    const int fd = open_fresh(log->path);
    if (fd >= 0) {
        close(log->fd);
        log->fd = fd;
        log->size = 0;
    }
}

void ft_rotating_log_line(ft_rotating_log *log, const char *line)
{
    if (!log)
        return;
    const size_t len = strlen(line);
    char *text = malloc(len + 2);
    if (!text)
        return;
    memcpy(text, line, len);
    text[len] = '\n';
    pthread_mutex_lock(&log->lock);
    if (log->max_bytes > 0 && log->size > 0 && log->size + (int64_t)len + 1 > log->max_bytes)
        rotate(log);
    const ssize_t n = write(log->fd, text, len + 1);
    if (n > 0)
        log->size += n;
    pthread_mutex_unlock(&log->lock);
    free(text);
}

void ft_rotating_log_close(ft_rotating_log *log)
{
    if (!log)
        return;
    close(log->fd);
    pthread_mutex_destroy(&log->lock);
    free(log);
}
