/* Process-wide logger: a level and a sink, both safe to read from any thread. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "facetrack.h"

static atomic_int log_level = FT_LOG_WARN;
static ft_log_fn log_sink;
static void *log_user;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static const char *const level_names[] = {"quiet", "error", "warn", "info", "debug", "trace"};

static void read_environment(void)
{
    const char *env = getenv("FACETRACK_LOG_LEVEL");
    ft_log_level level;
    if (env && *env && ft_log_parse_level(env, &level) == FT_OK)
        atomic_store(&log_level, (int)level);
}

ft_status ft_log_parse_level(const char *text, ft_log_level *out)
{
    if (!text || !out)
        return FT_ERR_INVALID_ARG;
    for (int i = 0; i <= FT_LOG_TRACE; i++) {
        if (strcasecmp(text, level_names[i]) == 0 || (text[0] == '0' + i && text[1] == '\0')) {
            *out = (ft_log_level)i;
            return FT_OK;
        }
    }
    if (strcasecmp(text, "warning") == 0) {
        *out = FT_LOG_WARN;
        return FT_OK;
    }
    return FT_ERR_INVALID_ARG;
}

void ft_log_set_level(ft_log_level level)
{
    pthread_once(&log_once, read_environment);
    if (level < FT_LOG_QUIET)
        level = FT_LOG_QUIET;
    if (level > FT_LOG_TRACE)
        level = FT_LOG_TRACE;
    atomic_store(&log_level, (int)level);
}

ft_log_level ft_log_get_level(void)
{
    pthread_once(&log_once, read_environment);
    return (ft_log_level)atomic_load(&log_level);
}

void ft_log_set_sink(ft_log_fn sink, void *user)
{
    log_sink = sink;
    log_user = user;
}

void ft_log(ft_log_level level, const char *fmt, ...)
{
    if (level <= FT_LOG_QUIET || level > ft_log_get_level())
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One message is one line, whatever the caller passed in. */
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (log_sink) {
        log_sink(level, line, log_user);
        return;
    }
    fprintf(stderr, "facetrack: %s: %s\n", level_names[level], line);
}
