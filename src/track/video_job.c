/* Preparing one video of a batch (see video_job.h): its reader, the shot
 * cuts and audio beside it, the plan of its ranges, its output. */
#include "track/video_job.h"

#include <stdio.h>
#include <stdlib.h>

#include "scenes/shot_detect.h"
#include "track/outputs.h"

/* "<dir of VIDEO>/<stem><SUFFIX>": the original's sibling files. */
static void sibling(const char *video, const char *suffix, char *out, size_t n)
{
    if (ft_output_path(video, NULL, suffix, out, n) != FT_OK)
        out[0] = '\0';
}

/* Shot cuts found in the video itself (--scenes without a shot list). */
static void detect_cuts(ft_video_job *j, const atomic_int *stop)
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

static void load_siblings(ft_video_job *j)
{
    char path[4096], err[1024];
    sibling(j->path, ft_output_suffix(FT_OUTPUT_SCENES_CSV), path, sizeof path);
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
ft_status ft_video_job_prepare(ft_video_job *j, const ft_batch_options *o,
                               const ft_engine_info *engine, const ft_video_options *reading,
                               ft_video **reader)
{
    ft_video_close(*reader);
    *reader = NULL;
    ft_status st = ft_video_open(j->path, reading, reader, j->error, sizeof j->error);
    if (st != FT_OK)
        return st;
    int64_t *keys = NULL, key_count = 0;
    if ((st = ft_video_key_frames(*reader, &keys, &key_count, &j->total_frames)) != FT_OK) {
        snprintf(j->error, sizeof j->error, "%s", ft_video_error(*reader));
        return st;
    }
    /* A container that promises frames none of which can be read (a broken
     * sample table) is a failure, as probe and scenes say, not an empty
     * output that later runs would take as complete. */
    const int64_t promised = ft_video_get_info(*reader)->frame_count_hint;
    if (j->total_frames == 0 && promised > 0) {
        ft_free(keys);
        snprintf(j->error, sizeof j->error, "%s: truncated file: 0 of %lld video packets present",
                 j->path, (long long)promised);
        return FT_ERR_TRUNCATED;
    }
    load_siblings(j);
    if (!j->have_scenes && o->config->detect_scenes)
        detect_cuts(j, o->stop);
    /* Short ranges get a shorter warm-up: most of a range is its own. */
    const int warmup = o->warmup_frames < o->chunk_frames / 4 ? o->warmup_frames
                                                                : (int)(o->chunk_frames / 4);
    st = ft_chunk_plan_make(j->total_frames, keys, (size_t)key_count, j->cuts, j->cut_count,
                            o->chunk_frames, warmup, &j->plan);
    ft_free(keys);
    if (st == FT_OK && !(j->results = calloc(j->plan.count, sizeof *j->results)))
        st = FT_ERR_NOMEM;
    if (st != FT_OK) {
        snprintf(j->error, sizeof j->error, "%s: cannot plan its analysis: %s", j->path,
                 ft_status_str(st));
        return st;
    }
    const ft_video_info *info = ft_video_get_info(*reader);
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
