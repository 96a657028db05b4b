/* Parallel tracking of a list of videos (see batch.h): the scheduling.
 * Workers take the next task (prepare a video, or analyse one of its
 * ranges) and write whatever ranges are next in line; video_job.c prepares
 * a video and range_writer.c writes its ranges. */
#include "track/batch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "track/chunk_runner.h"
#include "track/video_job.h"

typedef struct batch {
    const ft_batch_options *opt;
    const ft_batch_callbacks *cb;
    ft_video_job *jobs;
    size_t count;
    size_t max_ahead; /* analysed ranges a video may hold before they are written */
    double t0;        /* when the run began: the debug timeline's zero */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} batch;

typedef struct worker {
    batch *b;
    ft_face_engine *engine;
    ft_object_detector *objects; /* NULL unless objects are asked for, or switched on */
    int objects_failed;    /* switched on, the detector could not be made */
    int64_t objects_from;  /* the assigned range's first frame with objects; -1: none */
    ft_video *video;       /* the reader of the video this worker last served */
    const char *video_path;
    int video_device_frames; /* it leaves NVDEC's frames on the GPU */
    pthread_t thread;
    int index;             /* 0 ..: which GPU its engine is on, when on one */
} worker;

/* Handed to the range runner's per-frame callback. */
typedef struct frame_tick {
    batch *b;
    size_t job;
    int64_t since_report;
} frame_tick;

static ft_status make_object_detector(const ft_batch_options *o, int switched_on,
                                      ft_object_detector **out, char *err, size_t n);

static int stopping(const batch *b)
{
    return b->opt->stop && atomic_load(b->opt->stop);
}

/* --------------------------------------------------------------- writing */

/* Ends a video: its output committed, or dropped on failure. Lock held. */
static void finish_job(batch *b, size_t i)
{
    ft_video_job *j = &b->jobs[i];
    ft_status st = FT_OK;
    if (j->failed) {
        ft_tracking_writer_abort(j->writer);
        st = FT_ERR_INTERNAL;
    } else {
        st = ft_tracking_writer_commit(j->writer, j->error, sizeof j->error);
        j->failed = st != FT_OK;
    }
    j->writer = NULL;
    j->state = FT_JOB_DONE;
    j->stats.seconds = ft_now_s() - j->started;
    struct stat sb;
    if (!j->failed && stat(j->output, &sb) == 0)
        j->stats.output_bytes = (int64_t)sb.st_size;
    ft_video_job_release(j);
    if (b->cb->finished)
        b->cb->finished(b->cb->user, i, j->failed ? (st != FT_OK ? st : FT_ERR_INTERNAL) : FT_OK,
                        j->failed ? j->error : j->output, &j->stats);
    pthread_cond_broadcast(&b->changed);
}

/* The original's auto-enabled objects, checked on range K's written frames
 * in the video's order before it is written: after every 50th frame, fewer
 * than 10 % of the frames so far with a face switches the detector on for
 * the frames after it. The ranges it reaches are analysed again with
 * objects from that frame on (those still running come back stale and are
 * dropped), so the output is the same for every worker count. Returns 1
 * when range K itself must be analysed again. Lock held. */
static int check_auto_objects(ft_video_job *j, size_t k)
{
    if (!j->auto_objects || j->objects_from >= 0)
        return 0;
    const ft_chunk *c = &j->plan.chunks[k];
    for (int64_t index = c->out_first; index < c->end; index++) {
        const ft_tracked_face *faces;
        const size_t n = ft_chunk_result_frame(j->results[k], index, &faces);
        size_t f = 0;
        while (f < n && faces[f].is_object)
            f++;
        j->face_frames += f < n;
        const int64_t seen = index + 1;
        if (seen % 50 || j->face_frames * 10 >= seen)
            continue;
        if (seen >= j->plan.chunks[j->plan.count - 1].end)
            return 0; /* no frame after it */
        j->objects_from = seen;
        ft_log(FT_LOG_WARN, "%s: %lld of the first %lld frames have a face (under 10 %%): object "
               "detection switched on from frame %lld, as the original did "
               "(STEP5_AUTO_OBJECT_DETECTION=0 or --no-auto-objects leaves it off)",
               j->path, (long long)j->face_frames, (long long)seen, (long long)seen + 1);
        const size_t first = seen < c->end ? k : k + 1;
        for (size_t r = first; r < j->plan.count; r++)
            if (j->results[r]) {
                j->frames_done -= j->plan.chunks[r].end - j->plan.chunks[r].out_first;
                ft_chunk_result_free(j->results[r]);
                free(j->results[r]);
                j->results[r] = NULL;
            }
        if (j->next_assign > first)
            j->next_assign = first;
        return first == k;
    }
    return 0;
}

/* Writes every analysed range that is next in line. Lock held on entry and
 * exit; released while writing. */
static void drain(batch *b, size_t i)
{
    ft_video_job *j = &b->jobs[i];
    if (j->writing)
        return;
    j->writing = 1;
    while (!j->failed && j->next_write < j->plan.count && j->results[j->next_write]) {
        const size_t k = j->next_write;
        if (check_auto_objects(j, k)) {
            pthread_cond_broadcast(&b->changed);
            break;
        }
        char err[1024] = "";
        pthread_mutex_unlock(&b->lock);
        const double t = ft_now_s();
        ft_status st = ft_video_job_write_range(j, k, err, sizeof err);
        ft_log(FT_LOG_DEBUG, "%.2f s: %s: range %zu written in %.2f s", ft_now_s() - b->t0,
               j->path, k + 1, ft_now_s() - t);
        pthread_mutex_lock(&b->lock);
        if (st != FT_OK && !j->failed)
            snprintf(j->error, sizeof j->error, "%s", err);
        if (st != FT_OK)
            j->failed = 1;
        j->next_write++;
        pthread_cond_broadcast(&b->changed);
    }
    j->writing = 0;
    if (j->state == FT_JOB_RUNNING && j->running == 0 &&
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
    ft_video_job *j = &b->jobs[t->job];
    j->frames_done += t->since_report;
    const int64_t done = j->frames_done, total = j->total_frames;
    pthread_mutex_unlock(&b->lock);
    t->since_report = 0;
    if (b->cb->progress)
        b->cb->progress(b->cb->user, t->job, done, total);
}

/* The GPU a worker runs on; -1 for the CPU. */
static int worker_device(const batch *b, const worker *w)
{
    return b->opt->gpus.count > 0 ? b->opt->gpus.first + w->index % b->opt->gpus.count : -1;
}

/* Slots of frames a worker decodes ahead (track/frame_prefetch.h): on a
 * GPU its engine mostly waits, and the decoding fills that time; on the
 * CPU every core already works. FACETRACK_DECODE_AHEAD=N sets them (0:
 * none), for comparison. */
static int worker_decode_ahead(const batch *b, const worker *w)
{
    const char *env = getenv("FACETRACK_DECODE_AHEAD");
    if (env && *env)
        return atoi(env);
    return worker_device(b, w) >= 0 ? 3 : 0;
}

/* Whether a worker's frames may stay on its GPU (ft_video_options.
 * device_frames): its engine reads them there and no object detector reads
 * this range's pixels. FACETRACK_GPU_FRAMES=1 turns it on. */
static int worker_device_frames(const worker *w, int64_t objects_from)
{
    const char *env = getenv("FACETRACK_GPU_FRAMES");
    return env && strcmp(env, "1") == 0 && objects_from < 0 &&
           ft_face_engine_takes_device_frames(w->engine);
}

/* How a worker reads: one decoding thread (workers are the parallelism), on
 * its GPU's NVDEC when it has a GPU, unless asked otherwise. */
static void worker_video_options(const batch *b, const worker *w, int device_frames,
                                 ft_video_options *vopt)
{
    ft_video_options_init(vopt);
    vopt->decode_threads = 1;
    const int device = worker_device(b, w);
    if (device >= 0 && !b->opt->config->cpu_decode) {
        vopt->nvdec = 1;
        vopt->nvdec_device = device;
        vopt->device_frames = device_frames;
    }
}

static void run_range(worker *w, size_t i, size_t k)
{
    batch *b = w->b;
    ft_video_job *j = &b->jobs[i];
    ft_status st = FT_OK;
    char err[1024] = "";
    /* objects from this frame on (-1: none), as the video's state was when
     * the range was assigned */
    const int64_t objects_from = w->objects_from;
    if (j->auto_objects && objects_from >= 0 && !w->objects && !w->objects_failed) {
        /* switched on: the detector is loaded now */
        char why[1024] = "";
        if (make_object_detector(b->opt, 1, &w->objects, why, sizeof why) != FT_OK) {
            w->objects_failed = 1;
            ft_log(FT_LOG_WARN, "%s: objects stay off: %s", j->path, why);
        }
    }
    const int device_frames = worker_device_frames(w, objects_from);
    if (w->video_path != j->path || w->video_device_frames != device_frames) {
        /* another worker planned it (or objects now read its pixels): our own reader */
        ft_video_options vopt;
        worker_video_options(b, w, device_frames, &vopt);
        w->video_device_frames = device_frames;
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
            .profiling = b->opt->config->profiling || b->opt->config->gpu_profiling,
            .gpu_device = worker_device(b, w),
            .stop = b->opt->stop, .on_frame = on_frame, .user = &tick,
            .objects = objects_from >= 0 ? w->objects : NULL,
            .objects_every_frame = b->opt->config->objects_every_frame,
            .object_distance = b->opt->config->object_distance,
            .objects_from = objects_from > 0 ? objects_from : 0,
            .decode_ahead = worker_decode_ahead(b, w),
        };
        const double t = ft_now_s(), cpu = ft_thread_cpu_s();
        st = ft_chunk_run(w->video, w->engine, &j->plan.chunks[k], &ctx, r, err, sizeof err);
        ft_log(FT_LOG_DEBUG, "%.2f s: worker %d: %s: range %zu (frames %lld-%lld) in %.2f s, "
               "%.2f s of CPU", ft_now_s() - b->t0, w->index, j->path, k + 1,
               (long long)j->plan.chunks[k].start + 1, (long long)j->plan.chunks[k].end,
               ft_now_s() - t, ft_thread_cpu_s() - cpu);
    }
    pthread_mutex_lock(&b->lock);
    j->frames_done += tick.since_report;
    j->running--;
    if (st == FT_OK && objects_from != j->objects_from) { /* objects were switched on meanwhile */
        const ft_chunk *c = &j->plan.chunks[k];
        j->frames_done -= c->end - c->out_first;
        ft_chunk_result_free(r);
        free(r);
    } else if (st != FT_OK) {
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
            ft_video_job *j = &b->jobs[v];
            if (j->state == FT_JOB_DONE)
                continue;
            pending = 1;
            if (j->state == FT_JOB_WAITING) {
                *i = v;
                return 1;
            }
            if (j->state == FT_JOB_RUNNING && !j->failed && j->next_assign < j->plan.count &&
                j->next_assign < j->next_write + b->max_ahead && !stopping(b)) {
                *i = v;
                *k = j->next_assign++;
                j->running++;
                return 2;
            }
            if (j->state == FT_JOB_RUNNING && (j->failed || stopping(b)) && j->running == 0 &&
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
        ft_video_job *j = &b->jobs[i];
        if (task == 1) {
            j->state = FT_JOB_PLANNING;
            j->started = ft_now_s();
            pthread_mutex_unlock(&b->lock);
            ft_status st = FT_ERR_INTERNAL;
            if (!stopping(b)) {
                w->video_path = NULL;
                ft_video_options vopt;
                w->video_device_frames = worker_device_frames(w, j->objects_from);
                worker_video_options(b, w, w->video_device_frames, &vopt);
                st = ft_video_job_prepare(j, b->opt, ft_face_engine_info(w->engine), &vopt,
                                          &w->video);
                if (st == FT_OK)
                    w->video_path = j->path;
            }
            if (st != FT_OK && !j->error[0])
                snprintf(j->error, sizeof j->error, "%s: interrupted", j->path);
            ft_log(FT_LOG_DEBUG, "%.2f s: worker %d: %s: prepared in %.2f s", ft_now_s() - b->t0,
                   w->index, j->path, ft_now_s() - j->started);
            if (st == FT_OK && b->cb->started)
                b->cb->started(b->cb->user, i, j->path, j->total_frames);
            pthread_mutex_lock(&b->lock);
            j->state = FT_JOB_RUNNING;
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
        w->objects_from = j->objects_from;
        pthread_mutex_unlock(&b->lock);
        run_range(w, i, k);
        pthread_mutex_lock(&b->lock);
    }
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

/* ------------------------------------------------------------------ run */

/* Worker INDEX's engine, on the CPU or on its GPU (workers go round-robin
 * over the devices, so the videos they take are spread over them). */
static ft_status make_engine(const ft_batch_options *o, int index, ft_face_engine **out, char *err,
                             size_t n)
{
    const ft_track_config *c = o->config;
    ft_face_options fo;
    ft_track_config_face_options(c, &fo);
    if (o->landmark_model)
        fo.landmark_model = o->landmark_model;
    if (o->gpus.count > 0) {
        fo.gpu_device = o->gpus.first + index % o->gpus.count;
        fo.gpu_fp16 = c->gpu_fp16;
    }
    return ft_face_engine_create(&fo, out, err, n);
}

/* Worker's object detector when objects are asked for, or SWITCHED_ON by
 * the original's rule (the model is loaded once per process); the
 * original's score threshold was 0.4 for CPU jobs, 0.5 for GPU ones. */
static ft_status make_object_detector(const ft_batch_options *o, int switched_on,
                                      ft_object_detector **out, char *err, size_t n)
{
    const ft_track_config *c = o->config;
    *out = NULL;
    if (!c->enable_objects && !c->objects_every_frame && !switched_on)
        return FT_OK;
    ft_object_options oo;
    ft_object_options_init(&oo);
    oo.model = c->object_model_path[0] ? c->object_model_path
               : c->object_model[0]    ? c->object_model
                                       : NULL;
    oo.min_score = c->object_threshold >= 0 ? c->object_threshold : o->gpus.count > 0 ? 0.5f : 0.4f;
    oo.max_results = c->object_max_results;
    return ft_object_detector_create(&oo, out, err, n);
}

ft_status ft_batch_run(const ft_batch_options *options, const char *const *videos,
                       const char *const *outputs, size_t count, const ft_batch_callbacks *cb,
                       char *err, size_t err_size)
{
    const int nw = options->config->workers > 0 ? options->config->workers : 1;
    batch b = {.opt = options, .cb = cb, .count = count, .max_ahead = (size_t)nw + 2,
               .t0 = ft_now_s()};
    b.jobs = calloc(count ? count : 1, sizeof *b.jobs);
    worker *workers = calloc((size_t)nw, sizeof *workers);
    if (!b.jobs || !workers) {
        free(b.jobs);
        free(workers);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++)
        b.jobs[i] = (ft_video_job){.path = videos[i], .output = outputs[i], .next_id = 1};
    ft_status st = FT_OK;
    int made = 0;
    for (; made < nw && st == FT_OK; made++) {
        workers[made].b = &b;
        workers[made].index = made;
        st = make_engine(options, made, &workers[made].engine, err, err_size);
        if (st == FT_OK)
            st = make_object_detector(options, 0, &workers[made].objects, err, err_size);
    }
    /* the original's rule lived in its MediaPipe path, and only mattered
     * where objects were not asked for */
    ft_log(FT_LOG_DEBUG, "%.2f s: %d engine%s made", ft_now_s() - b.t0, made, made == 1 ? "" : "s");
    const ft_track_config *c = options->config;
    const int auto_objects = st == FT_OK && c->auto_objects && !c->no_auto_objects &&
                             !c->enable_objects && !c->objects_every_frame &&
                             !strcmp(ft_face_engine_info(workers[0].engine)->name,
                                     "mediapipe_landmarker");
    for (size_t i = 0; i < count; i++) {
        b.jobs[i].auto_objects = auto_objects;
        b.jobs[i].objects_from = auto_objects ? -1 : 0;
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
        ft_object_detector_free(workers[i].objects);
        ft_video_close(workers[i].video);
    }
    free(workers);
    free(b.jobs);
    return st;
}
