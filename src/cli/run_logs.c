/* The log files of a batch run (see run_logs.h). */
#include "cli/run_logs.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/rotating_log.h"
#include "cli/batch_io.h"

#define MAX_WORKER_LOGS 4096 /* a longer run keeps logging into its manager log only */

struct ft_run_logs {
    char dir[4096];
    int64_t max_bytes;
    int backups;
    ft_rotating_log *manager;
    pthread_mutex_t lock;
    ft_rotating_log **workers; /* by video number */
    size_t worker_cap;
    ft_log_level stderr_level; /* what stderr showed before */
};

static const char *const level_names[] = {"quiet", "error", "warn", "info", "debug", "trace"};

/* "2026-01-02 11:05:17,123" (local time, as Python's logging writes it). */
static void timestamp(char *buf, size_t size)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, size, "%s,%03d", day, (int)(tv.tv_usec / 1000));
}

static void write_line(ft_rotating_log *log, const char *who, const char *text)
{
    char when[64], line[1400];
    timestamp(when, sizeof when);
    snprintf(line, sizeof line, "%s - [%s] - %s", when, who, text);
    ft_rotating_log_line(log, line);
}

/* facetrack's messages: into the manager log, and on stderr as before. */
static void sink(ft_log_level level, const char *message, void *user)
{
    ft_run_logs *logs = user;
    char text[1200];
    snprintf(text, sizeof text, "%s: %s", level_names[level], message);
    write_line(logs->manager, "MANAGER", text);
    if (level <= logs->stderr_level)
        fprintf(stderr, "facetrack: %s: %s\n", level_names[level], message);
}

/* mkdir -p DIR; 0 on success. */
static int make_dirs(const char *dir)
{
    return ft_cli_make_dirs(dir);
}

ft_status ft_run_logs_open(const char *dir, const char *prefix, int64_t max_bytes, int backups,
                           ft_run_logs **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_run_logs *logs = calloc(1, sizeof *logs);
    if (!logs)
        return FT_ERR_NOMEM;
    if (strlen(dir) >= sizeof logs->dir - 300 || make_dirs(dir) != 0) {
        if (err && err_size)
            snprintf(err, err_size, "%s: cannot create the log folder: %s", dir,
                     strlen(dir) >= sizeof logs->dir - 300 ? "name too long" : strerror(errno));
        free(logs);
        return FT_ERR_IO;
    }
    snprintf(logs->dir, sizeof logs->dir, "%s", dir);
    logs->max_bytes = max_bytes;
    logs->backups = backups;
    char path[4400], day[32];
    const time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d_%H%M%S", &tm);
    snprintf(path, sizeof path, "%s/%s_%s.log", dir, prefix, day);
    if (access(path, F_OK) == 0) /* another run began the same second: keep its log */
        snprintf(path, sizeof path, "%s/%s_%s_%ld.log", dir, prefix, day, (long)getpid());
    ft_status st = ft_rotating_log_open(path, max_bytes, backups, &logs->manager, err, err_size);
    if (st != FT_OK) {
        free(logs);
        return st;
    }
    pthread_mutex_init(&logs->lock, NULL);
    logs->stderr_level = ft_log_get_level();
    if (logs->stderr_level < FT_LOG_INFO)
        ft_log_set_level(FT_LOG_INFO); /* the log file gets info lines too */
    ft_log_set_sink(sink, logs);
    *out = logs;
    return FT_OK;
}

void ft_run_logs_manager(ft_run_logs *logs, const char *fmt, ...)
{
    if (!logs)
        return;
    char text[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    write_line(logs->manager, "MANAGER", text);
}

/* The file-name part of the video's stem: no folder, no extension. */
static void stem_of(const char *video, char *out, size_t size)
{
    snprintf(out, size, "%s", ft_cli_base_name(video));
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

void ft_run_logs_worker_open(ft_run_logs *logs, size_t i, const char *video, int gpu)
{
    if (!logs || i >= MAX_WORKER_LOGS)
        return;
    pthread_mutex_lock(&logs->lock);
    if (i >= logs->worker_cap) {
        size_t cap = logs->worker_cap ? logs->worker_cap : 16;
        while (cap <= i)
            cap *= 2;
        ft_rotating_log **w = realloc(logs->workers, cap * sizeof *w);
        if (w) {
            memset(w + logs->worker_cap, 0, (cap - logs->worker_cap) * sizeof *w);
            logs->workers = w;
            logs->worker_cap = cap;
        }
    }
    if (i < logs->worker_cap && !logs->workers[i]) {
        char stem[256], path[4800], err[512];
        stem_of(video, stem, sizeof stem);
        snprintf(path, sizeof path, "%s/worker_%s_%s_%ld.log", logs->dir, gpu ? "GPU" : "CPU", stem,
                 (long)getpid());
        if (ft_rotating_log_open(path, logs->max_bytes, logs->backups, &logs->workers[i], err,
                                 sizeof err) != FT_OK)
            write_line(logs->manager, "MANAGER", err);
    }
    pthread_mutex_unlock(&logs->lock);
}

void ft_run_logs_worker(ft_run_logs *logs, size_t i, const char *fmt, ...)
{
    if (!logs)
        return;
    pthread_mutex_lock(&logs->lock);
    ft_rotating_log *w = i < logs->worker_cap ? logs->workers[i] : NULL;
    pthread_mutex_unlock(&logs->lock);
    if (!w)
        return;
    char text[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    write_line(w, "WORKER", text);
}

void ft_run_logs_worker_close(ft_run_logs *logs, size_t i)
{
    if (!logs)
        return;
    pthread_mutex_lock(&logs->lock);
    if (i < logs->worker_cap) {
        ft_rotating_log_close(logs->workers[i]);
        logs->workers[i] = NULL;
    }
    pthread_mutex_unlock(&logs->lock);
}

void ft_run_logs_close(ft_run_logs *logs)
{
    if (!logs)
        return;
    ft_log_set_sink(NULL, NULL);
    ft_log_set_level(logs->stderr_level);
    for (size_t i = 0; i < logs->worker_cap; i++)
        ft_rotating_log_close(logs->workers[i]);
    free(logs->workers);
    ft_rotating_log_close(logs->manager);
    pthread_mutex_destroy(&logs->lock);
    free(logs);
}
