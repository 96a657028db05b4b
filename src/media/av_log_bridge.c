/* libav* writes its own lines to stderr by default; we route them into our
 * logger at debug level, and keep the last error so that the one-line
 * message we print for a bad file can say what libav found. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "media/media_internal.h"

static pthread_once_t av_once = PTHREAD_ONCE_INIT;
static _Thread_local char last_message[256];

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '.'))
        s[--n] = '\0';
}

static void av_log_to_ft(void *avcl, int level, const char *fmt, va_list args)
{
    (void)avcl;
    char line[512];
    vsnprintf(line, sizeof line, fmt, args);
    trim(line);
    if (!line[0])
        return;
    if (level <= AV_LOG_ERROR)
        snprintf(last_message, sizeof last_message, "%.255s", line);
    ft_log_level ours = level <= AV_LOG_WARNING ? FT_LOG_DEBUG : FT_LOG_TRACE;
    ft_log(ours, "libav: %s", line);
}

static void install(void)
{
    av_log_set_callback(av_log_to_ft);
}

void ft_av_init(void)
{
    pthread_once(&av_once, install);
}

const char *ft_av_last_message(void)
{
    return last_message;
}

void ft_av_clear_message(void)
{
    last_message[0] = '\0';
}

void ft_av_reason(int averror, char *buf, size_t size)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(averror, text, sizeof text);
    if (last_message[0] && strcmp(last_message, text) != 0)
        snprintf(buf, size, "%s (%s)", text, last_message);
    else
        snprintf(buf, size, "%s", text);
}
