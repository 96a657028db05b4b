/* One frame range through the face engine (see chunk_runner.h). */
#include "track/chunk_runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The range's frames from SRC, positioned at its first (AT_END: the video
 * has none left), through the engine. */
static ft_status run_frames(const frame_source *src, ft_face_engine *engine, const ft_chunk *chunk,
                            const ft_chunk_context *ctx, int at_end, ft_chunk_result *out,
                            char *err, size_t err_size)
{
    ft_video *video = src->video;
    ft_object_tracker tracker;
    ft_object_tracker_init(&tracker, ctx->object_distance, 7);
    double t0 = ft_now_ms();
    for (int64_t index = chunk->start; index < chunk->end; index++) {
        if (ctx->stop && atomic_load(ctx->stop)) {
            snprintf(err, err_size, "%s: interrupted", ft_video_path(video));
            return FT_ERR_INTERNAL;
        }
        ft_frame frame;
        ft_status st = at_end ? FT_EOF : next_frame(src, &frame, err, err_size);
        if (st != FT_OK && st != FT_EOF)
            return st;
        out->decode_ms += ft_now_ms() - t0;
        if (st == FT_EOF) { /* shorter than its index said: keep the frames dense */
            at_end = 1;
            out->missing++;
            if ((st = ft_chunk_result_add_frame(out, NULL, 0, 0)) != FT_OK)
                return st;
        } else {
            if (is_cut(ctx, index) && index > chunk->start) {
                ft_face_engine_signal_cut(engine);
                ft_object_tracker_clear(&tracker);
            }
            const ft_image image = {frame.data[0], frame.width, frame.height, frame.linesize[0],
                                    FT_PIXFMT_RGB24};
            const ft_face *faces;
            int count = 0;
            ft_face_timings before;
            ft_face_engine_timings(engine, &before);
            st = ft_face_engine_process(engine, &image, (int64_t)(frame.time * 1e6), &faces, &count);
            if (st != FT_OK) {
                snprintf(err, err_size, "%s: frame %lld: %s", ft_video_path(video),
                         (long long)index + 1, ft_face_engine_error(engine));
                return st;
            }
            if ((st = ft_chunk_result_add_frame(out, faces, count, ctx->keep_landmarks)) != FT_OK)
                return st;
            if (ctx->objects && (st = add_objects(ctx, &tracker, &image, count, video, index, out,
                                                  err, err_size)) != FT_OK)
                return st;
            if (ctx->profiling && (index + 1) % 20 == 0) {
                ft_face_timings after;
                ft_face_engine_timings(engine, &after);
                profile_line(index, &before, &after, ctx->gpu_device);
            }
        }
        if (index >= chunk->out_first && ctx->on_frame)
            ctx->on_frame(ctx->user);
        t0 = ft_now_ms();
    }
    return FT_OK;
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
    st = run_frames(&src, engine, chunk, ctx, at_end, out, err, err_size);
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
