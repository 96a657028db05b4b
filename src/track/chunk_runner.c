/* One frame range through the face engine (see chunk_runner.h). */
#include "track/chunk_runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "media/decode_errors.h"
#include "nn/backend.h"
#include "objects/object_tracker.h"
#include "track/frame_prefetch.h"

static int compare_i64(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int is_cut(const ft_chunk_context *ctx, int64_t index)
{
    return ctx->cut_count > 0 &&
           bsearch(&index, ctx->cuts, ctx->cut_count, sizeof index, compare_i64) != NULL;
}

/* The original's per-20-frames line: this frame's cost by stage, and on a
 * GPU the device memory the process's models hold there. */
static void profile_line(int64_t index, const ft_face_timings *before, const ft_face_timings *now,
                         int gpu_device)
{
    char vram[64] = "";
    const ft_nn_backend_def *cuda = gpu_device >= 0 ? ft_nn_backend_find("cuda") : NULL;
    if (cuda)
        snprintf(vram, sizeof vram, ", VRAM=%.0fMB",
                 (double)cuda->memory_in_use(gpu_device) / (1024.0 * 1024.0));
    fprintf(stderr, "[PROFILING] Frame %lld: detection=%.1fms, landmarks=%.1fms, blendshapes=%.1fms, total=%.1fms%s\n",
            (long long)(index + 1), now->detection_ms - before->detection_ms,
            now->landmarks_ms - before->landmarks_ms,
            now->blendshapes_ms - before->blendshapes_ms, now->total_ms - before->total_ms, vram);
}

/* The last recorded frame's objects: face IDs made even, then the detector's
 * objects (when it runs on this frame) with odd IDs from the tracker. */
static ft_status add_objects(const ft_chunk_context *ctx, ft_object_tracker *tracker,
                             const ft_image *image, int face_count, ft_video *video,
                             int64_t index, ft_chunk_result *out, char *err, size_t err_size)
{
    for (size_t i = out->offsets[out->frame_count - 1]; i < out->face_count; i++)
        out->faces[i].local_id *= 2;
    const ft_object *objects = NULL;
    int n = 0;
    if ((ctx->objects_every_frame || face_count == 0) && index >= ctx->objects_from) {
        ft_status st = ft_object_detector_detect(ctx->objects, image, &objects, &n);
        if (st != FT_OK) {
            snprintf(err, err_size, "%s: frame %lld: %s", ft_video_path(video),
                     (long long)index + 1, ft_object_detector_error(ctx->objects));
            return st;
        }
    }
    float centroids[FT_OBJECT_MAX_TRACKS][2];
    int ids[FT_OBJECT_MAX_TRACKS];
    if (n > FT_OBJECT_MAX_TRACKS)
        n = FT_OBJECT_MAX_TRACKS;
    for (int i = 0; i < n; i++) { /* the centroid the output will carry */
        const long x = lround(objects[i].box[0]), w = lround(objects[i].box[2]);
        const long y = lround(objects[i].box[1]), h = lround(objects[i].box[3]);
        centroids[i][0] = (float)(x + w / 2);
        centroids[i][1] = (float)(y + h / 2);
    }
    ft_object_tracker_update(tracker, (const float(*)[2])centroids, n, ids);
    for (int i = 0; i < n; i++)
        ids[i] = 2 * ids[i] + 1;
    return ft_chunk_result_add_objects(out, objects, n, ids);
}

static void subtract(ft_face_timings *a, const ft_face_timings *b)
{
    a->frames -= b->frames;
    a->detection_ms -= b->detection_ms;
    a->landmarks_ms -= b->landmarks_ms;
    a->blendshapes_ms -= b->blendshapes_ms;
    a->geometry_ms -= b->geometry_ms;
    a->total_ms -= b->total_ms;
}

/* Where a range's frames come from: the reader itself, or frames it
 * decoded ahead on a thread of its own. */
typedef struct frame_source {
    ft_video *video;
    ft_frame_prefetch *ahead; /* NULL: read in place */
} frame_source;

static ft_status next_frame(const frame_source *src, ft_frame *frame, char *err, size_t err_size)
{
    if (src->ahead)
        return ft_frame_prefetch_next(src->ahead, frame, err, err_size);
    const ft_status st = ft_video_read(src->video, frame);
    if (st != FT_OK && st != FT_EOF)
        snprintf(err, err_size, "%s", ft_video_error(src->video));
    return st;
}

/* The frames sent to the engine whose faces have not come out yet, oldest
 * first: an engine that finishes a frame alongside the next one hands it
 * back one send later. */
#define MOST_IN_ENGINE 4
#define MOST_FACES 64 /* the most num_faces an engine takes */

typedef struct in_engine {
    int64_t index[MOST_IN_ENGINE];
    int count;
} in_engine;

/* One range's frames through the engine, and what is written of them. */
typedef struct range_run {
    const frame_source *src;
    ft_face_engine *engine;
    const ft_chunk *chunk;
    const ft_chunk_context *ctx;
    ft_chunk_result *out;
    ft_object_tracker tracker;
    ft_face *faces; /* num_faces, for receive */
    int capacity;
    in_engine sent;
    ft_face_timings last; /* at the last frame that came out, for profiling */
    char *err;
    size_t err_size;
} range_run;

static ft_status engine_failed(range_run *r, int64_t index, ft_status st)
{
    snprintf(r->err, r->err_size, "%s: frame %lld: %s", ft_video_path(r->src->video),
             (long long)index + 1, ft_face_engine_error(r->engine));
    return st;
}

/* Frame INDEX's faces into the range's result. IMAGE (NULL once the frame
 * is gone) is what the object detector needs. */
static ft_status record_frame(range_run *r, int64_t index, const ft_face *faces, int count,
                              const ft_image *image)
{
    const ft_chunk_context *ctx = r->ctx;
    ft_status st = ft_chunk_result_add_frame(r->out, faces, count, ctx->keep_landmarks);
    if (st == FT_OK && ctx->objects && image)
        st = add_objects(ctx, &r->tracker, image, count, r->src->video, index, r->out, r->err,
                         r->err_size);
    if (st != FT_OK)
        return st;
    if (ctx->profiling && (index + 1) % 20 == 0) {
        ft_face_timings now;
        ft_face_engine_timings(r->engine, &now);
        profile_line(index, &r->last, &now, ctx->gpu_device);
    }
    if (ctx->profiling)
        ft_face_engine_timings(r->engine, &r->last);
    if (index >= r->chunk->out_first && ctx->on_frame)
        ctx->on_frame(ctx->user);
    return FT_OK;
}

/* Whatever the engine has finished, in order. */
static ft_status receive_ready(range_run *r)
{
    for (;;) {
        int count = 0;
        ft_status st = ft_face_engine_receive(r->engine, r->faces, r->capacity, &count, NULL);
        if (st == FT_EAGAIN || st == FT_EOF)
            return FT_OK;
        const int64_t index = r->sent.count > 0 ? r->sent.index[0] : -1;
        if (st != FT_OK)
            return engine_failed(r, index, st);
        if (r->sent.count == 0) {
            snprintf(r->err, r->err_size, "%s: the engine gave a frame it was not sent",
                     ft_video_path(r->src->video));
            return FT_ERR_INTERNAL;
        }
        memmove(r->sent.index, r->sent.index + 1, (size_t)--r->sent.count * sizeof *r->sent.index);
        if ((st = record_frame(r, index, r->faces, count, NULL)) != FT_OK)
            return st;
    }
}

/* Frame INDEX to the engine; the frames it has finished come out. With the
 * object detector the engine gives each frame back at once, since the
 * detector reads the frame's pixels, which last only until the next read. */
static ft_status send_frame(range_run *r, int64_t index, const ft_frame *frame, int64_t ts_us)
{
    if (r->ctx->objects) { /* never given frames on a GPU: the detector reads the host's */
        const ft_image image = {frame->data[0], frame->width, frame->height, frame->linesize[0],
                                frame->format};
        const ft_face *faces;
        int count = 0;
        ft_status st = ft_face_engine_process(r->engine, &image, ts_us, &faces, &count);
        return st != FT_OK ? engine_failed(r, index, st) : record_frame(r, index, faces, count, &image);
    }
    ft_status st;
    while ((st = ft_face_engine_send_frame(r->engine, frame, ts_us)) == FT_EAGAIN) {
        const int before = r->sent.count;
        if ((st = receive_ready(r)) != FT_OK)
            return st;
        if (r->sent.count == before) {
            snprintf(r->err, r->err_size, "%s: the engine wants its results taken but has none",
                     ft_video_path(r->src->video));
            return FT_ERR_INTERNAL;
        }
    }
    if (st != FT_OK)
        return engine_failed(r, index, st);
    if (r->sent.count == MOST_IN_ENGINE) {
        snprintf(r->err, r->err_size, "%s: the engine holds more than %d frames",
                 ft_video_path(r->src->video), MOST_IN_ENGINE);
        return FT_ERR_INTERNAL;
    }
    r->sent.index[r->sent.count++] = index;
    return receive_ready(r);
}

/* The frames the engine still holds, once no more will come. */
static ft_status drain(range_run *r)
{
    if (r->sent.count == 0)
        return FT_OK;
    ft_status st = ft_face_engine_send(r->engine, NULL, 0);
    if (st != FT_OK && st != FT_EOF)
        return engine_failed(r, r->sent.index[0], st);
    if ((st = receive_ready(r)) != FT_OK)
        return st;
    if (r->sent.count > 0) {
        snprintf(r->err, r->err_size, "%s: frame %lld: the engine lost it",
                 ft_video_path(r->src->video), (long long)r->sent.index[0] + 1);
        return FT_ERR_INTERNAL;
    }
    return FT_OK;
}

/* The range's frames from SRC, positioned at its first (AT_END: the video
 * has none left), through the engine. */
static ft_status run_frames(range_run *r, int at_end)
{
    const ft_chunk *chunk = r->chunk;
    const ft_chunk_context *ctx = r->ctx;
    ft_video *video = r->src->video;
    ft_object_tracker_init(&r->tracker, ctx->object_distance, 7);
    ft_face_engine_timings(r->engine, &r->last);
    double t0 = ft_now_ms();
    for (int64_t index = chunk->start; index < chunk->end; index++) {
        if (ctx->stop && atomic_load(ctx->stop)) {
            snprintf(r->err, r->err_size, "%s: interrupted", ft_video_path(video));
            return FT_ERR_INTERNAL;
        }
        ft_frame frame;
        ft_status st = at_end ? FT_EOF : next_frame(r->src, &frame, r->err, r->err_size);
        if (st != FT_OK && st != FT_EOF)
            return st;
        r->out->decode_ms += ft_now_ms() - t0;
        if (st == FT_EOF) { /* shorter than its index said: keep the frames dense */
            if (!at_end && (st = drain(r)) != FT_OK)
                return st;
            at_end = 1;
            r->out->missing++;
            if ((st = ft_chunk_result_add_frame(r->out, NULL, 0, 0)) != FT_OK)
                return st;
            if (index >= chunk->out_first && ctx->on_frame)
                ctx->on_frame(ctx->user);
        } else {
            if (is_cut(ctx, index) && index > chunk->start) {
                ft_face_engine_signal_cut(r->engine);
                ft_object_tracker_clear(&r->tracker);
            }
            if ((st = send_frame(r, index, &frame, (int64_t)(frame.time * 1e6))) != FT_OK)
                return st;
        }
        t0 = ft_now_ms();
    }
    return drain(r);
}

ft_status ft_chunk_run(ft_video *video, ft_face_engine *engine, const ft_chunk *chunk,
                       const ft_chunk_context *ctx, ft_chunk_result *out, char *err,
                       size_t err_size)
{
    ft_chunk_result_init(out, chunk->start);
    ft_face_engine_reset(engine);
    ft_face_timings start_times;
    ft_face_engine_timings(engine, &start_times);
    ft_status st = chunk->start < chunk->end ? ft_video_seek(video, chunk->start) : FT_OK;
    if (st != FT_OK && st != FT_EOF) {
        snprintf(err, err_size, "%s", ft_video_error(video));
        return st;
    }
    const int at_end = st == FT_EOF;
    const int errors_before = ft_video_decode_errors(video);
    frame_source src = {video, NULL};
    if (ctx->decode_ahead >= 2 && !at_end &&
        (st = ft_frame_prefetch_start(video, chunk->end - chunk->start, ctx->decode_ahead,
                                      &src.ahead)) != FT_OK) {
        snprintf(err, err_size, "%s: cannot decode ahead: %s", ft_video_path(video),
                 ft_status_str(st));
        return st;
    }
    range_run r = {.src = &src, .engine = engine, .chunk = chunk, .ctx = ctx, .out = out,
                   .faces = calloc(MOST_FACES, sizeof *r.faces), .capacity = MOST_FACES,
                   .err = err, .err_size = err_size};
    st = r.faces ? run_frames(&r, at_end) : FT_ERR_NOMEM;
    if (!r.faces)
        snprintf(err, err_size, "%s: out of memory", ft_video_path(video));
    free(r.faces);
    ft_frame_prefetch_stop(src.ahead); /* the reader is ours again */
    if (st != FT_OK)
        return st;
    /* Damage fails the video whichever worker decodes it, as it does a
     * reader going through the whole file. */
    const int errors = ft_video_decode_errors(video) - errors_before;
    if (errors > 0) {
        snprintf(err, err_size, "%s: corrupt video data: %d packet%s failed to decode in frames %lld-%lld",
                 ft_video_path(video), errors, errors == 1 ? "" : "s",
                 (long long)chunk->start + 1, (long long)chunk->end);
        return FT_ERR_FORMAT;
    }
    ft_face_engine_timings(engine, &out->timings);
    subtract(&out->timings, &start_times);
    return FT_OK;
}
