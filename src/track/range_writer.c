/* Writing a video's analysed ranges in order (see video_job.h): each range's
 * faces get the video's IDs (inherited across the ranges' overlap) and are
 * numbered left to right as they first appear. */
#include <stdio.h>
#include <stdlib.h>

#include "track/video_job.h"

static int by_x(const void *a, const void *b)
{
    const ft_tracked_face *fa = *(const ft_tracked_face *const *)a;
    const ft_tracked_face *fb = *(const ft_tracked_face *const *)b;
    return (fa->cx > fb->cx) - (fa->cx < fb->cx);
}

ft_status ft_video_job_write_range(ft_video_job *j, size_t k, char *err, size_t err_size)
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
    if (st == FT_ERR_IO)
        ft_tracking_writer_error(j->writer, err, err_size);
    else if (st != FT_OK)
        snprintf(err, err_size, "%s: cannot write: %s", j->output, ft_status_str(st));
    return st;
}

void ft_video_job_release(ft_video_job *j)
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
