/* A live worker (see worker.h): the analysis loop on the main thread, the
 * capture on its own thread, the channels on theirs. */
#include "live/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/clock.h"
#include "live/channel.h"
#include "live/json_line.h"
#include "live/preview_shm.h"

/* Frames sent to the engine whose faces have not come back yet: an engine
 * may hold a few (batching); their capture facts wait here. */
#define IN_FLIGHT 16

typedef struct frame_facts {
    int64_t id, time_us, wall_us;
    double mono_ms, decode_ms, sent_ms;
    int width, height;
} frame_facts;

/* Counters since the start or the last reset_stats. */
typedef struct counters {
    double since_s;
    int64_t frames, faces, paused, regulated;
    double latency_sum_ms, latency_max_ms;
    ft_face_timings timings_base;
    ft_live_capture_counts capture_base;
    long long meta_dropped_base;
} counters;

typedef struct worker {
    const ft_live_worker_options *opt;
    const char *source;
    ft_face_engine *engine;
    ft_live_capture *capture;
    ft_live_channel *channel;
    ft_live_shm *shm; /* NULL: no preview */
    atomic_int stop_cmd, paused;
    pthread_mutex_t lock; /* everything below */
    counters total;
    int64_t tick_frames, all_frames;
    double tick_latency_sum_ms, tick_s;
    int64_t tick_captured;
    int reconnecting, connected, width, height;
    char end_reason[1200];
    int end_failed, ended;
    ft_face_timings engine_timings; /* the engine's, after its last frame: the
                                       channel thread reads these, never the engine */
    frame_facts flight[IN_FLIGHT];
    int flight_count;
    double next_due_ms; /* --fps: when the next frame is due; 0 = now */
} worker;

/* --------------------------------------------------------------- events */

static void send_status(worker *w, char *line)
{
    if (line) {
        ft_live_channel_status(w->channel, line);
        free(line);
    }
}

static void event_simple(worker *w, const char *type, const char *message)
{
    ft_live_line l;
    if (ft_live_line_begin(&l, type, w->opt->index) != 0)
        return;
    if (message)
        ft_json_kv_string(&l.json, "message", message);
    send_status(w, ft_live_line_end(&l));
}

static void on_connected(void *user, const char *codec, int width, int height, double fps)
{
    worker *w = user;
    pthread_mutex_lock(&w->lock);
    w->reconnecting = 0;
    w->connected = 1;
    pthread_mutex_unlock(&w->lock);
    ft_live_line l;
    if (ft_live_line_begin(&l, "connected", w->opt->index) != 0)
        return;
    ft_json_kv_string(&l.json, "codec", codec);
    ft_json_kv_int(&l.json, "width", width);
    ft_json_kv_int(&l.json, "height", height);
    ft_json_key(&l.json, "fps");
    ft_json_double_places(&l.json, fps, 3);
    send_status(w, ft_live_line_end(&l));
}

static void on_reconnecting(void *user, int attempt, double delay_s, const char *reason)
{
    worker *w = user;
    pthread_mutex_lock(&w->lock);
    w->reconnecting = 1;
    w->connected = 0;
    pthread_mutex_unlock(&w->lock);
    ft_log(FT_LOG_WARN, "%s; reconnecting in %g s (attempt %d)", reason, delay_s, attempt);
    ft_live_line l;
    if (ft_live_line_begin(&l, "reconnecting", w->opt->index) != 0)
        return;
    ft_json_kv_int(&l.json, "attempt", attempt);
    ft_json_key(&l.json, "delay_s");
    ft_json_double_places(&l.json, delay_s, 3);
    ft_json_kv_string(&l.json, "reason", reason);
    send_status(w, ft_live_line_end(&l));
}

static void on_ended(void *user, int failed, const char *reason)
{
    worker *w = user;
    pthread_mutex_lock(&w->lock);
    w->ended = 1;
    w->end_failed = failed;
    snprintf(w->end_reason, sizeof w->end_reason, "%s", reason);
    pthread_mutex_unlock(&w->lock);
    if (failed)
        event_simple(w, "error", reason);
}

/* --------------------------------------------------------------- stats */

static void write_timings(ft_json *j, const ft_face_timings *t, int64_t frames)
{
    const double n = frames > 0 ? (double)frames : 1;
    ft_json_key(j, "detection");
    ft_json_double_places(j, t->detection_ms / n, 3);
    ft_json_key(j, "landmarks");
    ft_json_double_places(j, t->landmarks_ms / n, 3);
    ft_json_key(j, "blendshapes");
    ft_json_double_places(j, t->blendshapes_ms / n, 3);
    ft_json_key(j, "geometry");
    ft_json_double_places(j, t->geometry_ms / n, 3);
    ft_json_key(j, "engine");
    ft_json_double_places(j, t->total_ms / n, 3);
}

static void timings_since(const worker *w, const ft_face_timings *base, ft_face_timings *out)
{
    *out = w->engine_timings;
    out->detection_ms -= base->detection_ms;
    out->landmarks_ms -= base->landmarks_ms;
    out->blendshapes_ms -= base->blendshapes_ms;
    out->geometry_ms -= base->geometry_ms;
    out->total_ms -= base->total_ms;
    out->frames -= base->frames;
}

/* The capture, once started (the channel answers before it is). */
static ft_live_capture *capture_of(worker *w)
{
    pthread_mutex_lock(&w->lock);
    ft_live_capture *c = w->capture;
    pthread_mutex_unlock(&w->lock);
    return c;
}

static const char *state_of(const worker *w)
{
    if (atomic_load(&w->paused))
        return "paused";
    if (w->reconnecting)
        return "reconnecting";
    return w->connected ? "running" : "connecting";
}

/* {"type":"stats", ...}: the counters since the start or the last reset. */
static char *stats_line(worker *w, json_object *request)
{
    ft_live_capture_counts cc;
    ft_live_capture_counts_get(capture_of(w), &cc);
    const long long md = ft_live_channel_metadata_dropped(w->channel);
    ft_live_line l;
    if (ft_live_line_begin(&l, "stats", w->opt->index) != 0)
        return NULL;
    ft_json *j = &l.json;
    json_object *id = NULL;
    if (request && json_object_object_get_ex(request, "id", &id)) {
        ft_json_key(j, "id");
        ft_json_raw(j, json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
    }
    pthread_mutex_lock(&w->lock);
    const counters *c = &w->total;
    const double span = ft_now_s() - c->since_s;
    ft_json_kv_string(j, "state", state_of(w));
    ft_json_key(j, "seconds");
    ft_json_double_places(j, span, 3);
    ft_json_kv_int(j, "frames", c->frames);
    ft_json_kv_int(j, "faces", c->faces);
    ft_json_kv_int(j, "captured", cc.captured - c->capture_base.captured);
    ft_json_kv_int(j, "dropped", cc.dropped - c->capture_base.dropped);
    ft_json_kv_int(j, "skipped_paused", c->paused);
    ft_json_kv_int(j, "skipped_fps", c->regulated);
    ft_json_kv_int(j, "reconnects", cc.reconnects - c->capture_base.reconnects);
    ft_json_kv_int(j, "metadata_dropped", md - c->meta_dropped_base);
    ft_json_key(j, "fps");
    ft_json_double_places(j, span > 0 ? (double)c->frames / span : 0, 3);
    ft_json_key(j, "latency_ms");
    ft_json_object_begin(j);
    ft_json_key(j, "mean");
    ft_json_double_places(j, c->frames ? c->latency_sum_ms / (double)c->frames : 0, 3);
    ft_json_key(j, "max");
    ft_json_double_places(j, c->latency_max_ms, 3);
    ft_json_object_end(j);
    ft_face_timings t;
    timings_since(w, &c->timings_base, &t);
    ft_json_key(j, "mean_timings_ms");
    ft_json_object_begin(j);
    write_timings(j, &t, t.frames);
    ft_json_object_end(j);
    pthread_mutex_unlock(&w->lock);
    return ft_live_line_end(&l);
}

static void reset_counters(worker *w)
{
    ft_live_capture_counts cc;
    ft_live_capture_counts_get(capture_of(w), &cc);
    const long long md = ft_live_channel_metadata_dropped(w->channel);
    pthread_mutex_lock(&w->lock);
    w->total = (counters){.since_s = ft_now_s(), .capture_base = cc, .meta_dropped_base = md,
                          .timings_base = w->engine_timings};
    pthread_mutex_unlock(&w->lock);
}

/* The 1 Hz heartbeat, from the channel thread. */
static void on_tick(void *user)
{
    worker *w = user;
    ft_live_capture *capture = capture_of(w);
    if (!capture)
        return;
    ft_live_capture_counts cc;
    ft_live_capture_counts_get(capture, &cc);
    ft_live_line l;
    if (ft_live_line_begin(&l, "heartbeat", w->opt->index) != 0)
        return;
    ft_json *j = &l.json;
    pthread_mutex_lock(&w->lock);
    const double now = ft_now_s(), dt = now - w->tick_s;
    const int64_t frames = w->all_frames - w->tick_frames;
    ft_json_kv_string(j, "state", state_of(w));
    ft_json_key(j, "fps");
    ft_json_double_places(j, dt > 0 ? (double)frames / dt : 0, 2);
    ft_json_key(j, "capture_fps");
    ft_json_double_places(j, dt > 0 ? (double)(cc.captured - w->tick_captured) / dt : 0, 2);
    ft_json_key(j, "latency_ms");
    if (frames > 0)
        ft_json_double_places(j, w->tick_latency_sum_ms / (double)frames, 2);
    else
        ft_json_null(j);
    ft_json_kv_int(j, "frames", w->all_frames);
    ft_json_kv_int(j, "dropped", cc.dropped);
    ft_json_kv_int(j, "width", w->width);
    ft_json_kv_int(j, "height", w->height);
    w->tick_s = now;
    w->tick_frames = w->all_frames;
    w->tick_captured = cc.captured;
    w->tick_latency_sum_ms = 0;
    pthread_mutex_unlock(&w->lock);
    send_status(w, ft_live_line_end(&l));
}

/* ------------------------------------------------------------- control */

/* A reply of TYPE to REQUEST, with its "id" when it had one. */
static char *reply(worker *w, const char *type, const char *cmd, json_object *request)
{
    ft_live_line l;
    if (ft_live_line_begin(&l, type, w->opt->index) != 0)
        return NULL;
    if (cmd)
        ft_json_kv_string(&l.json, "cmd", cmd);
    json_object *id = NULL;
    if (request && json_object_object_get_ex(request, "id", &id)) {
        ft_json_key(&l.json, "id");
        ft_json_raw(&l.json, json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
    }
    if (strcmp(type, "ok") == 0) {
        pthread_mutex_lock(&w->lock);
        ft_json_kv_string(&l.json, "state", state_of(w));
        pthread_mutex_unlock(&w->lock);
    }
    return ft_live_line_end(&l);
}

static char *on_command(void *user, const char *cmd, json_object *request)
{
    worker *w = user;
    if (strcmp(cmd, "ping") == 0)
        return reply(w, "pong", NULL, request);
    if (strcmp(cmd, "stop") == 0) {
        atomic_store(&w->stop_cmd, 1);
        ft_live_capture *capture = capture_of(w);
        if (capture)
            ft_live_capture_stop(capture);
        return reply(w, "ok", cmd, request);
    }
    if (!capture_of(w)) {
        ft_live_line l;
        if (ft_live_line_begin(&l, "error", w->opt->index) != 0)
            return NULL;
        ft_json_kv_string(&l.json, "message", "not ready yet: the engine is loading");
        return ft_live_line_end(&l);
    }
    if (strcmp(cmd, "get_stats") == 0)
        return stats_line(w, request);
    if (strcmp(cmd, "reset_stats") == 0) {
        reset_counters(w);
        return reply(w, "ok", cmd, request);
    }
    if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
        atomic_store(&w->paused, strcmp(cmd, "pause") == 0);
        return reply(w, "ok", cmd, request);
    }
    ft_live_line l;
    if (ft_live_line_begin(&l, "error", w->opt->index) != 0)
        return NULL;
    char msg[160];
    snprintf(msg, sizeof msg, "unknown command '%.60s' (stop, pause, resume, ping, get_stats, reset_stats, metadata)",
             cmd);
    ft_json_kv_string(&l.json, "message", msg);
    return ft_live_line_end(&l);
}

/* ------------------------------------------------------------ analysis */

static double metadata_line(worker *w, const frame_facts *f, const ft_face *faces, int count,
                            const ft_face_timings *stage, const ft_face_timings *engine_now,
                            double engine_ms)
{
    const double now = ft_now_ms(), latency = now - f->mono_ms;
    pthread_mutex_lock(&w->lock);
    w->engine_timings = *engine_now;
    w->total.frames++;
    w->all_frames++;
    w->total.faces += count;
    w->total.latency_sum_ms += latency;
    if (latency > w->total.latency_max_ms)
        w->total.latency_max_ms = latency;
    w->tick_latency_sum_ms += latency;
    pthread_mutex_unlock(&w->lock);
    ft_live_line l;
    if (ft_live_line_begin(&l, "frame", w->opt->index) != 0)
        return latency;
    ft_json *j = &l.json;
    ft_json_kv_int(j, "frame", f->id);
    ft_json_kv_int(j, "capture_time_us", f->wall_us);
    ft_json_kv_int(j, "media_time_us", f->time_us);
    ft_json_kv_int(j, "width", f->width);
    ft_json_kv_int(j, "height", f->height);
    ft_json_key(j, "timings_ms");
    ft_json_object_begin(j);
    ft_json_key(j, "decode");
    ft_json_double_places(j, f->decode_ms, 3);
    ft_json_key(j, "wait");
    ft_json_double_places(j, f->sent_ms - f->mono_ms, 3);
    write_timings(j, stage, 1);
    ft_json_key(j, "result"); /* sent to the engine -> its faces back */
    ft_json_double_places(j, engine_ms, 3);
    ft_json_object_end(j);
    ft_json_key(j, "latency_ms");
    ft_json_double_places(j, latency, 3);
    ft_live_write_faces(j, faces, count, w->opt->metadata_landmarks);
    char *line = ft_live_line_end(&l);
    if (line) {
        ft_live_channel_metadata(w->channel, line);
        free(line);
    }
    return latency;
}

/* Faces of the frames the engine has finished; those of FR, the frame
 * whose pixels are at hand, also go to the preview with them. */
static ft_status collect(worker *w, const ft_live_frame *fr, ft_face *faces, int capacity,
                         const ft_face_timings *before)
{
    for (;;) {
        int count = 0;
        int64_t ts = 0;
        ft_status st = ft_face_engine_receive(w->engine, faces, capacity, &count, &ts);
        if (st == FT_EAGAIN || st == FT_EOF)
            return FT_OK;
        if (st != FT_OK)
            return st;
        int k = 0;
        while (k < w->flight_count && w->flight[k].time_us != ts)
            k++;
        if (k == w->flight_count)
            continue; /* not ours: cannot happen with a well-behaved engine */
        const frame_facts f = w->flight[k];
        memmove(&w->flight[k], &w->flight[k + 1], (size_t)(w->flight_count - k - 1) * sizeof *w->flight);
        w->flight_count--;
        ft_face_timings now;
        ft_face_engine_timings(w->engine, &now);
        ft_face_timings stage = {.detection_ms = now.detection_ms - before->detection_ms,
                                 .landmarks_ms = now.landmarks_ms - before->landmarks_ms,
                                 .blendshapes_ms = now.blendshapes_ms - before->blendshapes_ms,
                                 .geometry_ms = now.geometry_ms - before->geometry_ms,
                                 .total_ms = now.total_ms - before->total_ms};
        const double latency =
            metadata_line(w, &f, faces, count, &stage, &now, ft_now_ms() - f.sent_ms);
        if (w->shm && f.id == fr->id)
            ft_live_shm_write(w->shm, fr, faces, count, latency);
    }
}

/* One captured frame through the engine. */
static ft_status analyse(worker *w, const ft_live_frame *fr, ft_face *faces, int capacity)
{
    if (fr->discontinuity && w->all_frames > 0)
        ft_face_engine_signal_cut(w->engine); /* a loop or a reconnection: new shot */
    pthread_mutex_lock(&w->lock);
    if ((w->width || w->height) && (fr->width != w->width || fr->height != w->height)) {
        pthread_mutex_unlock(&w->lock);
        char msg[160];
        snprintf(msg, sizeof msg, "resolution changed from %dx%d to %dx%d", w->width, w->height,
                 fr->width, fr->height);
        event_simple(w, "warning", msg);
        ft_face_engine_signal_cut(w->engine);
        pthread_mutex_lock(&w->lock);
    }
    w->width = fr->width;
    w->height = fr->height;
    pthread_mutex_unlock(&w->lock);
    const ft_image image = {fr->rgb, fr->width, fr->height, fr->stride, FT_PIXFMT_RGB24};
    ft_face_timings before;
    ft_face_engine_timings(w->engine, &before);
    if (w->flight_count == IN_FLIGHT)
        return FT_ERR_INTERNAL;
    w->flight[w->flight_count++] = (frame_facts){
        .id = fr->id, .time_us = fr->time_us, .wall_us = fr->wall_us, .mono_ms = fr->mono_ms,
        .decode_ms = fr->decode_ms, .sent_ms = ft_now_ms(), .width = fr->width, .height = fr->height};
    ft_status st;
    while ((st = ft_face_engine_send(w->engine, &image, fr->time_us)) == FT_EAGAIN)
        if ((st = collect(w, fr, faces, capacity, &before)) != FT_OK)
            return st;
    if (st != FT_OK)
        return st;
    return collect(w, fr, faces, capacity, &before);
}

static void emit_ready(worker *w)
{
    ft_live_line l;
    if (ft_live_line_begin(&l, "ready", w->opt->index) != 0)
        return;
    ft_json *j = &l.json;
    ft_json_kv_string(j, "source_url", w->source);
    ft_json_kv_string(j, "kind", ft_live_source_kind_name(ft_live_source_classify(w->source)));
    ft_json_kv_int(j, "pid", (int64_t)getpid());
    ft_json_kv_string(j, "engine", ft_face_engine_info(w->engine)->name);
    ft_json_kv_int(j, "gpu_device", w->opt->face.gpu_device);
    ft_json_kv_string(j, "socket", w->opt->socket_path);
    ft_json_key(j, "shm");
    if (w->shm) {
        ft_json_object_begin(j);
        ft_json_kv_string(j, "name", ft_live_shm_name(w->shm));
        ft_json_kv_int(j, "size", (int64_t)ft_live_shm_size(w->shm));
        ft_json_kv_int(j, "version", 1);
        ft_json_kv_int(j, "preview_width", w->opt->preview_width);
        ft_json_kv_int(j, "preview_height", w->opt->preview_height);
        ft_json_kv_string(j, "pixel_format", w->opt->preview_bgr ? "bgr24" : "rgb24");
        ft_json_kv_string(j, "coordinates", "capture");
        ft_json_object_end(j);
    } else {
        ft_json_null(j);
    }
    send_status(w, ft_live_line_end(&l));
}

static void emit_stopped(worker *w, const char *reason, int code)
{
    ft_live_line l;
    if (ft_live_line_begin(&l, "stopped", w->opt->index) != 0)
        return;
    ft_json_kv_string(&l.json, "reason", reason);
    ft_json_kv_int(&l.json, "exit_code", code);
    pthread_mutex_lock(&w->lock);
    ft_json_kv_int(&l.json, "frames", w->all_frames);
    pthread_mutex_unlock(&w->lock);
    send_status(w, ft_live_line_end(&l));
}

static int run_loop(worker *w)
{
    const int capacity = w->opt->face.num_faces > 0 ? w->opt->face.num_faces : 1;
    ft_face *faces = calloc((size_t)capacity, sizeof *faces);
    ft_live_frame frame = {0};
    if (!faces)
        return 1;
    int code = 0;
    char reason[1300] = "";
    for (;;) {
        const int sig = w->opt->signal ? atomic_load(w->opt->signal) : 0;
        if (sig) {
            snprintf(reason, sizeof reason, "signal %d", sig);
            code = 128 + sig;
            break;
        }
        if (atomic_load(&w->stop_cmd)) {
            snprintf(reason, sizeof reason, "stop command");
            break;
        }
        ft_status st = ft_live_capture_take(w->capture, &frame, 100);
        if (st == FT_EAGAIN)
            continue;
        if (st == FT_EOF) {
            if (atomic_load(&w->stop_cmd))
                continue; /* reported as the stop command above */
            pthread_mutex_lock(&w->lock);
            snprintf(reason, sizeof reason, "%s", w->end_reason[0] ? w->end_reason : "end of stream");
            code = w->end_failed;
            pthread_mutex_unlock(&w->lock);
            if (code)
                fprintf(stderr, "facetrack live: %s\n", reason);
            break;
        }
        if (atomic_load(&w->paused)) {
            pthread_mutex_lock(&w->lock);
            w->total.paused++;
            pthread_mutex_unlock(&w->lock);
            continue;
        }
        /* --fps: frames are due on a fixed schedule, one every 1/fps s; a
         * frame more than a tenth of that before its due time waits for
         * the next (the tenth absorbs capture jitter, and the schedule, not
         * the last frame's time, keeps the mean rate at fps). */
        if (w->opt->max_fps > 0) {
            const double period = 1000.0 / w->opt->max_fps;
            if (w->next_due_ms > 0 && frame.mono_ms < w->next_due_ms - period / 10) {
                pthread_mutex_lock(&w->lock);
                w->total.regulated++;
                pthread_mutex_unlock(&w->lock);
                continue;
            }
            w->next_due_ms += period;
            if (w->next_due_ms < frame.mono_ms - period) /* late (a slow frame, a pause): start again */
                w->next_due_ms = frame.mono_ms + period;
        }
        if ((st = analyse(w, &frame, faces, capacity)) != FT_OK) {
            snprintf(reason, sizeof reason, "%s: frame %lld: %s", w->source, (long long)frame.id,
                     ft_face_engine_error(w->engine)[0] ? ft_face_engine_error(w->engine)
                                                        : ft_status_str(st));
            event_simple(w, "error", reason);
            fprintf(stderr, "facetrack live: %s\n", reason);
            code = 1;
            break;
        }
    }
    ft_live_capture_stop(w->capture);
    free(frame.rgb);
    free(faces);
    emit_stopped(w, reason, code);
    return code;
}

int ft_live_worker_run(const ft_live_worker_options *o)
{
    worker w = {.opt = o, .source = o->capture.source};
    atomic_init(&w.stop_cmd, 0);
    atomic_init(&w.paused, 0);
    pthread_mutex_init(&w.lock, NULL);
    w.tick_s = ft_now_s();
    signal(SIGPIPE, SIG_IGN); /* a reader that goes away is a closed client, not a death */
    char err[1024];
    int code = 1;
    if (ft_live_channel_open(o->socket_path, on_command, on_tick, &w, &w.channel, err, sizeof err) !=
        FT_OK) {
        fprintf(stderr, "facetrack live: %s\n", err);
        goto done;
    }
    ft_live_channel_metadata_lossless(w.channel, o->capture.every_frame);
    if (o->stdout_mode != FT_LIVE_STDOUT_NONE)
        ft_live_channel_attach_fd(w.channel, STDOUT_FILENO, o->stdout_mode == FT_LIVE_STDOUT_ALL);
    if (ft_face_engine_create(&o->face, &w.engine, err, sizeof err) != FT_OK) {
        event_simple(&w, "error", err);
        fprintf(stderr, "facetrack live: %s\n", err);
        emit_stopped(&w, err, 1);
        goto done;
    }
    if (o->preview) {
        const int removed = ft_live_shm_remove_stale();
        if (removed > 0)
            ft_log(FT_LOG_INFO, "removed %d shared-memory segment%s of dead live workers", removed,
                   removed == 1 ? "" : "s");
        if (ft_live_shm_create(o->index, o->preview_width, o->preview_height, o->preview_bgr,
                               o->face.num_faces > 0 ? o->face.num_faces : 1, &w.shm, err,
                               sizeof err) != FT_OK) {
            event_simple(&w, "error", err);
            fprintf(stderr, "facetrack live: %s\n", err);
            emit_stopped(&w, err, 1);
            goto done;
        }
    }
    w.total.since_s = ft_now_s();
    ft_face_engine_timings(w.engine, &w.engine_timings);
    w.total.timings_base = w.engine_timings;
    /* The capture's events wait for this lock: "ready" comes first. */
    pthread_mutex_lock(&w.lock);
    const ft_live_capture_events ev = {on_connected, on_reconnecting, on_ended, &w};
    if (ft_live_capture_start(&o->capture, &ev, &w.capture) != FT_OK) {
        pthread_mutex_unlock(&w.lock);
        fprintf(stderr, "facetrack live: %s: cannot start the capture thread\n", w.source);
        emit_stopped(&w, "cannot start the capture thread", 1);
        goto done;
    }
    emit_ready(&w);
    pthread_mutex_unlock(&w.lock);
    code = run_loop(&w);
done:
    ft_live_channel_close(w.channel, 2.0); /* the last lines (stopped) reach the clients */
    ft_live_capture_free(w.capture);
    ft_live_shm_free(w.shm);
    ft_face_engine_free(w.engine);
    pthread_mutex_destroy(&w.lock);
    return code;
}
