/* The capture thread (see capture.h). */
#include "live/capture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/clock.h"

struct ft_live_capture {
    ft_live_capture_options opt;
    ft_live_capture_events ev;
    char *source;
    atomic_int stop;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a frame was published, taken, or the state changed */
    ft_live_frame fill, ready; /* fill: the thread's; ready: the newest not yet taken */
    int ready_full, ended;
    ft_live_capture_counts counts;
    int64_t next_id, last_time_us;
};

static int64_t wall_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int stopping(ft_live_capture *c)
{
    return atomic_load(&c->stop);
}

/* Waits SECONDS unless stopped first. */
static void pause_for(ft_live_capture *c, double seconds)
{
    const double until = ft_now_s() + seconds;
    pthread_mutex_lock(&c->lock);
    while (!stopping(c)) {
        const double left = until - ft_now_s();
        if (left <= 0)
            break;
        struct timespec t = ft_deadline_after_ms((long)(left * 1000) + 1);
        pthread_cond_timedwait(&c->changed, &c->lock, &t);
    }
    pthread_mutex_unlock(&c->lock);
}

/* Copies P into the fill buffer and makes it the newest frame. */
static ft_status publish(ft_live_capture *c, const ft_live_picture *p, int64_t time_us,
                         double mono_ms, double decode_ms, int discontinuity)
{
    ft_live_frame *f = &c->fill;
    const size_t row = (size_t)p->width * 3, need = row * (size_t)p->height;
    if (f->capacity < need) {
        uint8_t *rgb = realloc(f->rgb, need);
        if (!rgb)
            return FT_ERR_NOMEM;
        f->rgb = rgb;
        f->capacity = need;
    }
    for (int y = 0; y < p->height; y++)
        memcpy(f->rgb + row * (size_t)y, p->rgb + (size_t)p->stride * (size_t)y, row);
    f->width = p->width;
    f->height = p->height;
    f->stride = (int)row;
    f->time_us = time_us;
    f->wall_us = wall_now_us();
    f->mono_ms = mono_ms;
    f->decode_ms = decode_ms;
    f->discontinuity = discontinuity;
    pthread_mutex_lock(&c->lock);
    while (c->opt.every_frame && c->ready_full && !stopping(c))
        pthread_cond_wait(&c->changed, &c->lock);
    if (c->ready_full)
        c->counts.dropped++;
    f->id = c->next_id++;
    ft_live_frame t = c->ready;
    c->ready = c->fill;
    c->fill = t;
    c->ready_full = 1;
    c->counts.captured++;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    return FT_OK;
}

/* The engine's clock: strictly increasing whatever the source's
 * timestamps do. */
static int64_t monotonic_time(ft_live_capture *c, int64_t t)
{
    if (c->next_id > 0 && t <= c->last_time_us)
        t = c->last_time_us + 1;
    c->last_time_us = t;
    return t;
}

typedef enum { STREAM_LOST, STREAM_ENDED, STREAM_FAILED, STREAM_STOPPED } stream_end;

/* Reads one connection until it ends; *FRAMES counts what it delivered. */
static stream_end stream(ft_live_capture *c, ft_live_source *src, ft_live_source_kind kind,
                         int64_t *frames, char *why, size_t why_size)
{
    /* Files: media time 0 of this pass plays at ORIGIN on the monotonic
     * clock; a loop continues the media time where the last pass ended. */
    double origin = ft_now_s();
    int64_t pass_offset_us = c->next_id > 0 ? c->last_time_us + 1 : 0, pass_end_us = 0;
    int discontinuity = 1;
    for (;;) {
        if (stopping(c))
            return STREAM_STOPPED;
        const double t0 = ft_now_ms();
        ft_live_picture p;
        ft_status st = ft_live_source_read(src, &p, why, why_size);
        if (stopping(c))
            return STREAM_STOPPED;
        if (st == FT_EOF && kind == FT_LIVE_FILE && c->opt.loop && *frames > 0) {
            if (ft_live_source_rewind(src, why, why_size) != FT_OK)
                return STREAM_FAILED;
            pass_offset_us = pass_offset_us + pass_end_us;
            origin += (double)pass_end_us * 1e-6;
            pass_end_us = 0;
            discontinuity = 1;
            continue;
        }
        if (st == FT_EOF) {
            snprintf(why, why_size, "%s: end of stream", c->source);
            return kind == FT_LIVE_FILE ? STREAM_ENDED : STREAM_LOST;
        }
        if (st != FT_OK)
            return kind == FT_LIVE_FILE ? STREAM_FAILED : STREAM_LOST;
        const double decoded = ft_now_ms();
        if (*frames == 0 && c->ev.connected)
            c->ev.connected(c->ev.user, ft_live_source_codec(src), p.width, p.height,
                            ft_live_source_fps(src));
        int64_t t;
        if (kind == FT_LIVE_FILE && p.time_us >= 0) {
            const double fps = ft_live_source_fps(src);
            const int64_t step = p.duration_us > 0 ? p.duration_us
                                 : fps > 0         ? (int64_t)(1e6 / fps)
                                                   : 40000;
            if (p.time_us + step > pass_end_us)
                pass_end_us = p.time_us + step;
            t = pass_offset_us + p.time_us;
            if (!c->opt.every_frame) { /* a camera delivers the frame at its time */
                const double due = origin + (double)p.time_us * 1e-6, wait = due - ft_now_s();
                if (wait > 1.0 || wait < -1.0) /* a jump in the file's clock: follow it */
                    origin -= wait;
                else if (wait > 0)
                    pause_for(c, wait);
                if (stopping(c))
                    return STREAM_STOPPED;
            }
        } else {
            t = (int64_t)(ft_now_ms() * 1000.0);
        }
        if (publish(c, &p, monotonic_time(c, t), decoded, decoded - t0, discontinuity) != FT_OK) {
            snprintf(why, why_size, "%s: out of memory", c->source);
            return STREAM_FAILED;
        }
        discontinuity = 0;
        (*frames)++;
    }
}

static void set_connected(ft_live_capture *c, int connected, int attempts)
{
    pthread_mutex_lock(&c->lock);
    c->counts.connected = connected;
    c->counts.reconnects += attempts;
    pthread_mutex_unlock(&c->lock);
}

static void end_capture(ft_live_capture *c, int failed, const char *why)
{
    if (c->ev.ended && !stopping(c))
        c->ev.ended(c->ev.user, failed, why);
    pthread_mutex_lock(&c->lock);
    c->ended = 1;
    c->counts.connected = 0;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static void *capture_main(void *arg)
{
    ft_live_capture *c = arg;
    const ft_live_source_kind kind = ft_live_source_classify(c->source);
    ft_live_source_options so = c->opt.source_options;
    so.stop = &c->stop;
    double delay = c->opt.backoff_initial_s;
    int attempt = 0;
    char why[1024];
    while (!stopping(c)) {
        ft_live_source *src = NULL;
        int64_t frames = 0;
        stream_end end = STREAM_LOST;
        if (ft_live_source_open(c->source, &so, &src, why, sizeof why) != FT_OK)
            end = kind == FT_LIVE_FILE ? STREAM_FAILED : STREAM_LOST;
        else {
            set_connected(c, 1, 0);
            end = stream(c, src, kind, &frames, why, sizeof why);
            set_connected(c, 0, 0);
        }
        ft_live_source_close(src);
        if (stopping(c) || end == STREAM_STOPPED)
            break;
        if (end != STREAM_LOST) {
            end_capture(c, end == STREAM_FAILED, why);
            return NULL;
        }
        if (frames > 0) { /* it worked for a while: start the backoff again */
            delay = c->opt.backoff_initial_s;
            attempt = 0;
        }
        if (c->opt.max_retries > 0 && attempt >= c->opt.max_retries) {
            char last[1100];
            snprintf(last, sizeof last, "%s (gave up after %d attempt%s)", why, attempt,
                     attempt == 1 ? "" : "s");
            end_capture(c, 1, last);
            return NULL;
        }
        attempt++;
        set_connected(c, 0, 1);
        if (c->ev.reconnecting)
            c->ev.reconnecting(c->ev.user, attempt, delay, why);
        pause_for(c, delay);
        delay = delay * 2 > c->opt.backoff_max_s ? c->opt.backoff_max_s : delay * 2;
    }
    end_capture(c, 0, "stopped");
    return NULL;
}

ft_status ft_live_capture_start(const ft_live_capture_options *options,
                                const ft_live_capture_events *events, ft_live_capture **out)
{
    *out = NULL;
    ft_live_capture *c = calloc(1, sizeof *c);
    if (!c || !(c->source = strdup(options->source))) {
        free(c);
        return FT_ERR_NOMEM;
    }
    c->opt = *options;
    c->opt.source = c->source;
    if (c->opt.backoff_initial_s <= 0)
        c->opt.backoff_initial_s = 1;
    if (c->opt.backoff_max_s < c->opt.backoff_initial_s)
        c->opt.backoff_max_s = c->opt.backoff_initial_s;
    if (events)
        c->ev = *events;
    atomic_init(&c->stop, 0);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    if (pthread_create(&c->thread, NULL, capture_main, c) != 0) {
        pthread_cond_destroy(&c->changed);
        pthread_mutex_destroy(&c->lock);
        free(c->source);
        free(c);
        return FT_ERR_INTERNAL;
    }
    *out = c;
    return FT_OK;
}

void ft_live_capture_stop(ft_live_capture *c)
{
    atomic_store(&c->stop, 1);
    pthread_mutex_lock(&c->lock);
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

void ft_live_capture_free(ft_live_capture *c)
{
    if (!c)
        return;
    ft_live_capture_stop(c);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
    free(c->fill.rgb);
    free(c->ready.rgb);
    free(c->source);
    free(c);
}

ft_status ft_live_capture_take(ft_live_capture *c, ft_live_frame *frame, int timeout_ms)
{
    struct timespec until = ft_deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&c->lock);
    while (!c->ready_full && !c->ended && !stopping(c))
        if (pthread_cond_timedwait(&c->changed, &c->lock, &until) != 0)
            break;
    ft_status st = FT_EAGAIN;
    if (c->ready_full) {
        ft_live_frame t = *frame;
        *frame = c->ready;
        c->ready = t;
        c->ready_full = 0;
        pthread_cond_broadcast(&c->changed); /* an every-frame capture waits for this */
        st = FT_OK;
    } else if (c->ended || stopping(c)) {
        st = FT_EOF;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

void ft_live_capture_counts_get(ft_live_capture *c, ft_live_capture_counts *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->counts;
    pthread_mutex_unlock(&c->lock);
}
