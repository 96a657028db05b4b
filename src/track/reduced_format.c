/* The shared parts of STEP6's reduced files (see reduced_format.h). */
#include "track/reduced_format.h"

#include <inttypes.h>
#include <math.h>

void ft_reduced_json_init(ft_json *j, FILE *out, int pretty)
{
    ft_json_init(j, out, pretty);
    j->final_newline = 0;
}

void ft_reduced_write_timing(ft_json *j, const ft_reduced_timing *t)
{
    if (t->has_fps) {
        ft_json_key(j, "fps");
        ft_json_double_repr(j, t->fps);
    }
    if (t->has_total_frames)
        ft_json_kv_int(j, "total_frames", t->total_frames);
}

static void write_optional_int(ft_json *j, const char *key, int has, int64_t v)
{
    ft_json_key(j, key);
    if (has)
        ft_json_int(j, v);
    else
        ft_json_null(j);
}

static void write_optional_float(ft_json *j, const char *key, int has, double v)
{
    ft_json_key(j, key);
    if (has)
        ft_json_double_repr(j, v);
    else
        ft_json_null(j);
}

void ft_reduced_write_alignment(ft_json *j, const ft_reduced_timing *video,
                                const ft_reduced_timing *audio)
{
    if (!audio || (!video->has_total_frames && !audio->has_total_frames && !video->has_fps &&
                   !audio->has_fps))
        return;
    ft_json_key(j, "temporal_alignment");
    ft_json_object_begin(j);
    write_optional_int(j, "video_total_frames", video->has_total_frames, video->total_frames);
    write_optional_int(j, "audio_total_frames", audio->has_total_frames, audio->total_frames);
    write_optional_float(j, "video_fps", video->has_fps, video->fps);
    write_optional_float(j, "audio_fps", audio->has_fps, audio->fps);
    ft_json_key(j, "warnings");
    ft_json_array_begin(j);
    char text[160];
    if (video->has_total_frames && audio->has_total_frames) {
        /* The original divides by max(audio, 1): an empty audio analysis
         * against a video with frames is a mismatch too. */
        const double base = audio->total_frames > 1 ? (double)audio->total_frames : 1.0;
        if (fabs((double)video->total_frames - (double)audio->total_frames) / base > 0.05) {
            snprintf(text, sizeof text, "frame_count_mismatch video=%" PRId64 " audio=%" PRId64,
                     video->total_frames, audio->total_frames);
            ft_json_string(j, text);
        }
    }
    if (video->has_fps && audio->has_fps && fabs(video->fps - audio->fps) > 0.5) {
        char v[40], a[40];
        ft_format_double_repr(v, sizeof v, video->fps);
        ft_format_double_repr(a, sizeof a, audio->fps);
        snprintf(text, sizeof text, "fps_mismatch video=%s audio=%s", v, a);
        ft_json_string(j, text);
    }
    ft_json_array_end(j);
    ft_json_object_end(j);
}
