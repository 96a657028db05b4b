/* Parallel tracking of a list of videos (see batch.h). */
#include "track/batch.h"

#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "media/media_internal.h"
#include "scenes/shot_detect.h"
#include "track/audio_track.h"
#include "track/chunk_plan.h"
#include "track/chunk_result.h"
#include "track/chunk_runner.h"
#include "track/id_map.h"
#include "track/scene_list.h"
#include "track/tracking_writer.h"
#include "track/video_list.h"

enum job_state { JOB_WAITING, JOB_PLANNING, JOB_RUNNING, JOB_DONE };

typedef struct video_job {
    const char *path, *output;
    enum job_state state;
    int failed;
    char error[2048];
    ft_chunk_plan plan;
    int64_t *cuts;
    size_t cut_count;
    ft_scene_list scenes;
    int have_scenes;
    ft_audio_track audio;
    int have_audio;
    ft_tracking_writer *writer;
    ft_chunk_result **results; /* per chunk, NULL until analysed */
    size_t next_assign, next_write, running;
    int writing;               /* a worker is writing this video's ranges */
    ft_chunk_result *prev;     /* the last written range, for ID inheritance */
    ft_id_map prev_map;
    int next_id;
    int64_t total_frames, frames_done;
    double started;
    ft_batch_stats stats;
} video_job;

typedef struct batch {
    const ft_batch_options *opt;
    const ft_batch_callbacks *cb;
    video_job *jobs;
    size_t count;
    size_t max_ahead; /* analysed ranges a video may hold before they are written */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} batch;

typedef struct worker {
    batch *b;
    ft_face_engine *engine;
    ft_video *video;       /* the reader of the video this worker last served */
    const char *video_path;
    pthread_t thread;
} worker;

/* Handed to the range runner's per-frame callback. */
typedef struct frame_tick {
    batch *b;
    size_t job;
    int64_t since_report;
} frame_tick;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int stopping(const batch *b)
{
    return b->opt->stop && atomic_load(b->opt->stop);
}

/* ---------------------------------------------------------------- inputs */

/* "<dir of VIDEO>/<stem><SUFFIX>": the original's sibling files. */
static void sibling(const char *video, const char *suffix, char *out, size_t n)
{
    if (ft_output_path(video, NULL, suffix, out, n) != FT_OK)
        out[0] = '\0';
}

/* Shot cuts found in the video itself (--scenes without a shot list). */
static void detect_cuts(video_job *j, const atomic_int *stop)
{
    ft_shot_options o = {.decode_threads = 1, .stop = stop};
    ft_content_options_init(&o.content);
    ft_shots shots;
    char err[1024];
    if (ft_shots_detect(j->path, &o, &shots, err, sizeof err) != FT_OK) {
        ft_log(FT_LOG_WARN, "%s (no shot cuts)", err);
        return;
    }
    j->cuts = shots.cuts; /* 0-based first frames of shots, as the plan wants */
    j->cut_count = shots.cut_count;
    shots.cuts = NULL;
    ft_shots_free(&shots);
}

static void load_siblings(video_job *j)
{
    char path[4096], err[1024];
    sibling(j->path, ".csv", path, sizeof path);
    ft_status st = ft_scene_list_load(path, &j->scenes, err, sizeof err);
    j->have_scenes = st == FT_OK;
    if (st != FT_OK && st != FT_ERR_NOT_FOUND)
        ft_log(FT_LOG_WARN, "%s (shots ignored)", err);
    sibling(j->path, "_audio.json", path, sizeof path);
    st = ft_audio_track_load(path, &j->audio, err, sizeof err);
    j->have_audio = st == FT_OK;
    if (st != FT_OK && st != FT_ERR_NOT_FOUND)
        ft_log(FT_LOG_WARN, "%s (speaking from the video only)", err);
    if (!j->have_scenes)
        return;
    j->cuts = malloc((j->scenes.count + 1) * sizeof *j->cuts);
    j->cut_count = 0;
    for (size_t i = 0; j->cuts && i < j->scenes.count; i++)
        if (j->scenes.scenes[i].first > 1)
            j->cuts[j->cut_count++] = j->scenes.scenes[i].first - 1;
}

static void absolute_path(const char *path, char *out, size_t n)
{
    char *real = realpath(path, NULL);
    snprintf(out, n, "%s", real ? real : path);
    free(real);
}

/* Opens the video for this worker, plans its ranges and opens its output. */
static ft_status plan_video(worker *w, video_job *j)
{
    const ft_batch_options *o = w->b->opt;
    ft_video_options vopt;
    ft_video_options_init(&vopt);
    vopt.decode_threads = 1; /* workers are the parallelism */
    ft_video_close(w->video);
    w->video = NULL;
    w->video_path = NULL;
    ft_status st = ft_video_open(j->path, &vopt, &w->video, j->error, sizeof j->error);
    if (st != FT_OK)
        return st;
    w->video_path = j->path;
    const ft_packet_index *index;
    if ((st = ft_video_packet_index(w->video, &index)) != FT_OK) {
        snprintf(j->error, sizeof j->error, "%s", ft_video_error(w->video));
        return st;
    }
    j->total_frames = index->frame_count;
    load_siblings(j);
    if (!j->have_scenes && o->config->detect_scenes)
        detect_cuts(j, o->stop);
    int64_t *keys = NULL, key_count = 0;
    /* Short ranges get a shorter warm-up: most of a range is its own. */
    const int warmup = o->warmup_frames < o->chunk_frames / 4 ? o->warmup_frames
                                                                : (int)(o->chunk_frames / 4);
    if ((st = ft_packet_index_key_frames(index, &keys, &key_count)) == FT_OK)
        st = ft_chunk_plan_make(j->total_frames, keys, (size_t)key_count, j->cuts, j->cut_count,
                                o->chunk_frames, warmup, &j->plan);
    free(keys);
    if (st == FT_OK && !(j->results = calloc(j->plan.count, sizeof *j->results)))
        st = FT_ERR_NOMEM;
    if (st != FT_OK) {
        snprintf(j->error, sizeof j->error, "%s: cannot plan its analysis: %s", j->path,
                 ft_status_str(st));
        return st;
    }
    const ft_video_info *info = ft_video_get_info(w->video);
    const ft_engine_info *engine = ft_face_engine_info(w->engine);
    char abs[4096];
    absolute_path(j->path, abs, sizeof abs);
    const ft_writer_options wopt = {
        .format = o->config->format,
        .pretty = o->config->pretty,
        .verbose_fields = o->config->verbose_fields,
        .config = o->config,
        .video_path = abs,
        .engine = o->config->engine,
        .source = engine->source,
        .label = engine->label,
        .total_frames = j->total_frames,
        .fps = info->fps_average > 0 ? info->fps_average : info->fps_nominal,
        .width = info->width,
        .height = info->height,
        .audio = j->have_audio ? &j->audio : NULL,
        .scenes = j->have_scenes ? &j->scenes : NULL,
    };
    return ft_tracking_writer_open(j->output, &wopt, &j->writer, j->error, sizeof j->error);
}

/* --------------------------------------------------------------- writing */

static int by_x(const void *a, const void *b)
{
    const ft_tracked_face *fa = *(const ft_tracked_face *const *)a;
    const ft_tracked_face *fb = *(const ft_tracked_face *const *)b;
    return (fa->cx > fb->cx) - (fa->cx < fb->cx);
}

/* Writes range K's own frames, with per-video IDs; ERR says why it failed. */
static ft_status write_range(video_job *j, size_t k, char *err, size_t err_size)
{
    const ft_chunk *c = &j->plan.chunks[k];
    ft_chunk_result *r = j->results[k];
    ft_id_map map = {0};
    ft_status st = FT_OK;
    if (c->continues && j->prev)
        st = ft_id_map_inherit(&map, r, &j->prev_map, j->prev, c->start, c->out_first);
    ft_output_face faces[64];
    const ft_tracked_face *sorted[64];
    for (int64_t f = c->out_first; st == FT_OK && f < c->end; f++) {
        const ft_tracked_face *list;
        size_t n = ft_chunk_result_frame(r, f, &list);
        if (n > 64)
            n = 64;
        for (size_t i = 0; i < n; i++)
            sorted[i] = &list[i];
        /* New faces are numbered left to right, as they are written. */
        qsort(sorted, n, sizeof *sorted, by_x);
        for (size_t i = 0; i < n; i++)
            faces[i] = (ft_output_face){ft_id_map_get(&map, sorted[i]->local_id, &j->next_id),
                                        sorted[i]};
        j->stats.faces += (int64_t)n;
        st = ft_tracking_writer_frame(j->writer, f + 1, faces, n);
    }
    j->stats.frames += c->end - c->out_first;
    j->stats.missing += r->missing;
    j->stats.decode_ms += r->decode_ms;
    ft_face_timings *t = &j->stats.timings;
    t->frames += r->timings.frames;
    t->detection_ms += r->timings.detection_ms;
    t->landmarks_ms += r->timings.landmarks_ms;
    t->blendshapes_ms += r->timings.blendshapes_ms;
    t->geometry_ms += r->timings.geometry_ms;
    t->total_ms += r->timings.total_ms;
    if (j->prev) {
        ft_chunk_result_free(j->prev);
        free(j->prev);
    }
    ft_id_map_free(&j->prev_map);
    j->prev = r;
    j->prev_map = map;
    j->results[k] = NULL;
    if (st != FT_OK)
        snprintf(err, err_size, "%s: cannot write: %s", j->output, ft_status_str(st));
    return st;
}

static void release_job(video_job *j)
{
    for (size_t k = 0; j->results && k < j->plan.count; k++)
        if (j->results[k]) {
            ft_chunk_result_free(j->results[k]);
            free(j->results[k]);
        }
    free(j->results);
    j->results = NULL;
    if (j->prev) {
        ft_chunk_result_free(j->prev);
        free(j->prev);
        j->prev = NULL;
    }
    ft_id_map_free(&j->prev_map);
    ft_chunk_plan_free(&j->plan);
    free(j->cuts);
    j->cuts = NULL;
    if (j->have_scenes)
        ft_scene_list_free(&j->scenes);
    if (j->have_audio)
        ft_audio_track_free(&j->audio);
    j->have_scenes = j->have_audio = 0;
}

/* Ends a video: its output committed, or dropped on failure. Lock held. */
static void finish_job(batch *b, size_t i)
{
    video_job *j = &b->jobs[i];
    ft_status st = FT_OK;
    if (j->failed) {
        ft_tracking_writer_abort(j->writer);
        st = FT_ERR_INTERNAL;
    } else {
        st = ft_tracking_writer_commit(j->writer, j->error, sizeof j->error);
        j->failed = st != FT_OK;
    }
    j->writer = NULL;
    j->state = JOB_DONE;
    j->stats.seconds = now_s() - j->started;
    struct stat sb;
    if (!j->failed && stat(j->output, &sb) == 0)
        j->stats.output_bytes = (int64_t)sb.st_size;
    release_job(j);
    if (b->cb->finished)
        b->cb->finished(b->cb->user, i, j->failed ? (st != FT_OK ? st : FT_ERR_INTERNAL) : FT_OK,
                        j->failed ? j->error : j->output, &j->stats);
    pthread_cond_broadcast(&b->changed);
}

/* Writes every analysed range that is next in line. Lock held on entry and
 * exit; released while writing. */
static void drain(batch *b, size_t i)
{
    video_job *j = &b->jobs[i];
    if (j->writing)
        return;
    j->writing = 1;
    while (!j->failed && j->next_write < j->plan.count && j->results[j->next_write]) {
        const size_t k = j->next_write;
        char err[1024] = "";
        pthread_mutex_unlock(&b->lock);
        ft_status st = write_range(j, k, err, sizeof err);
        pthread_mutex_lock(&b->lock);
        if (st != FT_OK && !j->failed)
            snprintf(j->error, sizeof j->error, "%s", err);
        if (st != FT_OK)
            j->failed = 1;
        j->next_write++;
        pthread_cond_broadcast(&b->changed);
    }
    j->writing = 0;
    if (j->state == JOB_RUNNING && j->running == 0 &&
        (j->failed || j->next_write == j->plan.count))
        finish_job(b, i);
}

/* ------------------------------------------------------------- analysing */

static void on_frame(void *user)
{
    frame_tick *t = user;
    if (++t->since_report < 10)
        return;
    batch *b = t->b;
    pthread_mutex_lock(&b->lock);
    video_job *j = &b->jobs[t->job];
    j->frames_done += t->since_report;
    const int64_t done = j->frames_done, total = j->total_frames;
    pthread_mutex_unlock(&b->lock);
    t->since_report = 0;
    if (b->cb->progress)
        b->cb->progress(b->cb->user, t->job, done, total);
}

static void run_range(worker *w, size_t i, size_t k)
{
    batch *b = w->b;
    video_job *j = &b->jobs[i];
    ft_status st = FT_OK;
    char err[1024] = "";
    if (w->video_path != j->path) { /* another worker planned it: open our own reader */
        ft_video_options vopt;
        ft_video_options_init(&vopt);
        vopt.decode_threads = 1;
        ft_video_close(w->video);
        w->video = NULL;
        w->video_path = NULL;
        st = ft_video_open(j->path, &vopt, &w->video, err, sizeof err);
        if (st == FT_OK)
            w->video_path = j->path;
    }
    ft_chunk_result *r = calloc(1, sizeof *r);
    if (st == FT_OK && !r)
        st = FT_ERR_NOMEM;
    frame_tick tick = {b, i, 0};
    if (st == FT_OK) {
        const ft_chunk_context ctx = {
            .cuts = j->cuts, .cut_count = j->cut_count,
            .keep_landmarks = b->opt->config->verbose_fields && b->opt->config->format == FT_TRACK_FORMAT_RAW,
            .profiling = b->opt->config->profiling,
            .stop = b->opt->stop, .on_frame = on_frame, .user = &tick,
        };
        st = ft_chunk_run(w->video, w->engine, &j->plan.chunks[k], &ctx, r, err, sizeof err);
    }
    pthread_mutex_lock(&b->lock);
    j->frames_done += tick.since_report;
    j->running--;
    if (st != FT_OK) {
        if (!j->failed && err[0]) /* the reader's and the runner's messages name the file */
            snprintf(j->error, sizeof j->error, "%s", err);
        else if (!j->failed)
            snprintf(j->error, sizeof j->error, "%s: %s", j->path, ft_status_str(st));
        j->failed = 1;
        if (r) {
            ft_chunk_result_free(r);
            free(r);
        }
    } else {
        j->results[k] = r;
    }
    const int64_t done = j->frames_done, total = j->total_frames;
    drain(b, i);
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    if (st == FT_OK && b->cb->progress)
        b->cb->progress(b->cb->user, i, done, total);
}

/* Picks the next thing to do, lock held: plan a video (returns 1, *I), or
 * analyse range *K of video *I (returns 2); 0 when all is done. */
static int next_task(batch *b, size_t *i, size_t *k)
{
    for (;;) {
        int pending = 0;
        for (size_t v = 0; v < b->count; v++) {
            video_job *j = &b->jobs[v];
            if (j->state == JOB_DONE)
                continue;
            pending = 1;
            if (j->state == JOB_WAITING) {
                *i = v;
                return 1;
            }
            if (j->state == JOB_RUNNING && !j->failed && j->next_assign < j->plan.count &&
                j->next_assign < j->next_write + b->max_ahead && !stopping(b)) {
                *i = v;
                *k = j->next_assign++;
                j->running++;
                return 2;
            }
            if (j->state == JOB_RUNNING && (j->failed || stopping(b)) && j->running == 0 &&
                !j->writing) {
                j->failed = 1;
                if (!j->error[0])
                    snprintf(j->error, sizeof j->error, "%s: interrupted", j->path);
                finish_job(b, v);
            }
        }
        if (!pending)
            return 0;
        pthread_cond_wait(&b->changed, &b->lock);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    batch *b = w->b;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        size_t i = 0, k = 0;
        const int task = next_task(b, &i, &k);
        if (task == 0)
            break;
        video_job *j = &b->jobs[i];
        if (task == 1) {
            j->state = JOB_PLANNING;
            j->started = now_s();
            pthread_mutex_unlock(&b->lock);
            ft_status st = stopping(b) ? FT_ERR_INTERNAL : plan_video(w, j);
            if (st != FT_OK && !j->error[0])
                snprintf(j->error, sizeof j->error, "%s: interrupted", j->path);
            if (st == FT_OK && b->cb->started)
                b->cb->started(b->cb->user, i, j->path, j->total_frames);
            pthread_mutex_lock(&b->lock);
            j->state = JOB_RUNNING;
            j->failed = st != FT_OK;
            if (j->failed || j->plan.count == 0)
                drain(b, i);
            else if (j->plan.chunks[0].start == j->plan.chunks[0].end && j->plan.count == 1) {
                /* an empty video: nothing to analyse, one empty range to write */
                j->results[0] = calloc(1, sizeof *j->results[0]);
                j->next_assign = 1;
                if (!j->results[0])
                    j->failed = 1;
                drain(b, i);
            }
            pthread_cond_broadcast(&b->changed);
            continue;
        }
        pthread_mutex_unlock(&b->lock);
        run_range(w, i, k);
        pthread_mutex_lock(&b->lock);
    }
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

/* ------------------------------------------------------------------ run */

static ft_status make_engine(const ft_batch_options *o, ft_face_engine **out, char *err, size_t n)
{
    const ft_track_config *c = o->config;
    ft_face_options fo;
    ft_face_options_init(&fo);
    fo.engine = c->engine;
    fo.landmark_model = o->landmark_model;
    fo.num_faces = c->max_faces;
    fo.min_detection_confidence = c->min_detection_confidence;
    fo.min_presence_confidence = c->min_presence_confidence;
    fo.min_tracking_confidence = c->min_tracking_confidence;
    fo.detect_interval = c->detect_every;
    fo.blendshape_interval = c->blendshapes_every;
    if (c->blendshape_profile == FT_BLENDSHAPES_NONE)
        fo.blendshape_model = ""; /* not exported: not computed */
    return ft_face_engine_create(&fo, out, err, n);
}

ft_status ft_batch_run(const ft_batch_options *options, const char *const *videos,
                       const char *const *outputs, size_t count, const ft_batch_callbacks *cb,
                       char *err, size_t err_size)
{
    const int nw = options->config->workers > 0 ? options->config->workers : 1;
    batch b = {.opt = options, .cb = cb, .count = count, .max_ahead = (size_t)nw + 2};
    b.jobs = calloc(count ? count : 1, sizeof *b.jobs);
    worker *workers = calloc((size_t)nw, sizeof *workers);
    if (!b.jobs || !workers) {
        free(b.jobs);
        free(workers);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++)
        b.jobs[i] = (video_job){.path = videos[i], .output = outputs[i], .next_id = 1};
    ft_status st = FT_OK;
    int made = 0;
    for (; made < nw && st == FT_OK; made++) {
        workers[made].b = &b;
        st = make_engine(options, &workers[made].engine, err, err_size);
    }
    if (st == FT_OK) {
        pthread_mutex_init(&b.lock, NULL);
        pthread_cond_init(&b.changed, NULL);
        int started = 0;
        for (; started < nw; started++)
            if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]) != 0)
                break;
        if (started == 0) {
            snprintf(err, err_size, "cannot start worker threads");
            st = FT_ERR_INTERNAL;
        }
        for (int i = 0; i < started; i++)
            pthread_join(workers[i].thread, NULL);
        pthread_cond_destroy(&b.changed);
        pthread_mutex_destroy(&b.lock);
    }
    for (int i = 0; i < nw; i++) {
        ft_face_engine_free(workers[i].engine);
        ft_video_close(workers[i].video);
    }
    free(workers);
    free(b.jobs);
    return st;
}
