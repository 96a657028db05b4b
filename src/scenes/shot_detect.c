/* One video's shot cuts (see shot_detect.h). */
#include "scenes/shot_detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ft_shots_free(ft_shots *s)
{
    free(s->times);
    free(s->cuts);
    free(s->info);
    memset(s, 0, sizeof *s);
}

static ft_status keep_time(ft_shots *s, size_t *cap, double t)
{
    if ((size_t)s->frame_count == *cap) {
        const size_t n = *cap ? 2 * *cap : 1024;
        double *p = realloc(s->times, n * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        s->times = p;
        *cap = n;
    }
    s->times[s->frame_count++] = t;
    return FT_OK;
}

ft_status ft_shots_detect(const char *path, const ft_shot_options *o, ft_shots *out, char *err,
                          size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (err_size)
        err[0] = '\0';
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.pixfmt = FT_PIXFMT_YUV420P; /* the detector reads planes: no RGB conversion */
    vo.decode_threads = o->decode_threads;
    ft_video *v = NULL;
    ft_status st = ft_video_open(path, &vo, &v, err, err_size);
    if (st != FT_OK)
        return st;
    ft_content_detector *d = NULL;
    if ((st = ft_content_detector_create(&o->content, &d)) != FT_OK) {
        snprintf(err, err_size, "%s: invalid content detector options", path);
        ft_video_close(v);
        return st;
    }
    size_t cap = 0;
    ft_frame f;
    double first = 0;
    while ((st = ft_video_read(v, &f)) == FT_OK) {
        if (o->stop && atomic_load(o->stop)) {
            snprintf(err, err_size, "%s: interrupted", path);
            st = FT_ERR_INTERNAL;
            break;
        }
        if (out->frame_count == 0)
            first = f.time;
        if ((st = keep_time(out, &cap, f.time - first)) != FT_OK ||
            (st = ft_content_detector_push(d, &f)) != FT_OK) {
            snprintf(err, err_size, "%s: out of memory", path);
            break;
        }
        if (o->on_frames && out->frame_count % 100 == 0)
            o->on_frames(o->user, out->frame_count);
    }
    if (st == FT_EOF)
        st = FT_OK;
    else if (st != FT_OK && !err[0])
        snprintf(err, err_size, "%s", ft_video_error(v));
    const int64_t *cuts;
    const ft_cut_info *info;
    size_t n = 0;
    if (st == FT_OK && (st = ft_content_detector_finish(d, &cuts, &info, &n)) == FT_OK) {
        out->cuts = malloc((n + 1) * sizeof *out->cuts);
        out->info = malloc((n + 1) * sizeof *out->info);
        if (!out->cuts || !out->info) {
            st = FT_ERR_NOMEM;
            snprintf(err, err_size, "%s: out of memory", path);
        } else {
            memcpy(out->cuts, cuts, n * sizeof *cuts);
            memcpy(out->info, info, n * sizeof *info);
            out->cut_count = n;
        }
    }
    ft_content_detector_free(d);
    ft_video_close(v);
    if (st != FT_OK)
        ft_shots_free(out);
    return st;
}
