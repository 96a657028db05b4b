/* Shot lists as the original's CSV, or as JSON (see scene_writer.h). */
#include "scenes/scene_writer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/atomic_file.h"
#include "base/format_error.h"
#include "base/json_writer.h"

void ft_timecode(double seconds, char out[16])
{
    long long ms = llround(seconds * 1000.0);
    if (ms < 0)
        ms = 0;
    snprintf(out, 16, "%02lld:%02lld:%02lld.%03lld", ms / 3600000 % 100, ms / 60000 % 60,
             ms / 1000 % 60, ms % 1000);
}

/* Scene I (0-based): frames [*first, *last], 0-based, and their timecodes. */
static void scene_at(const ft_shot_list *l, size_t i, int64_t *first, int64_t *last,
                     char in[16], char out[16])
{
    *first = i == 0 ? 0 : l->cuts[i - 1];
    *last = (i < l->cut_count ? l->cuts[i] : l->frame_count) - 1;
    ft_timecode(l->times[*first], in);
    ft_timecode(l->times[*last], out);
}

static size_t scene_count(const ft_shot_list *l)
{
    return l->frame_count > 0 ? l->cut_count + 1 : 0;
}

/* Puts F in place when all was WRITTEN; else removes it, since a list is
 * whole or absent. ERRNUM: the errno of the failed write (0: unknown). */
static ft_status keep_if_written(ft_atomic_file *f, int written, int errnum, const char *path,
                                 char *err, size_t err_size)
{
    if (written && fflush(f->fp) != 0)
        written = 0, errnum = errno;
    if (written)
        return ft_atomic_file_commit(f, err, err_size);
    ft_atomic_file_abort(f);
    char why[256];
    snprintf(why, sizeof why, "%s", strerror(errnum ? errnum : EIO));
    why[0] = (char)tolower((unsigned char)why[0]);
    return ft_format_error(err, err_size, FT_ERR_IO, "%s: cannot write: %s", path, why);
}

ft_status ft_shot_list_write_csv(const ft_shot_list *l, const char *path, char *err,
                                 size_t err_size)
{
    ft_atomic_file f;
    ft_status st = ft_atomic_file_open(&f, path, err, err_size);
    if (st != FT_OK)
        return st;
    int errnum = 0;
    if (fputs("No,Timecode In,Timecode Out,Frame In,Frame Out\n", f.fp) < 0)
        errnum = errno;
    for (size_t i = 0; !errnum && i < scene_count(l); i++) {
        int64_t first, last;
        char in[16], out[16];
        scene_at(l, i, &first, &last, in, out);
        if (fprintf(f.fp, "%zu,%s,%s,%lld,%lld\n", i + 1, in, out, (long long)first + 1,
                    (long long)last + 1) < 0)
            errnum = errno;
    }
    return keep_if_written(&f, !errnum && !ferror(f.fp), errnum, path, err, err_size);
}

ft_status ft_shot_list_write_json(const ft_shot_list *l, const char *path, char *err,
                                  size_t err_size)
{
    ft_atomic_file f;
    ft_status st = ft_atomic_file_open(&f, path, err, err_size);
    if (st != FT_OK)
        return st;
    ft_json j;
    ft_json_init(&j, f.fp, 1);
    ft_json_object_begin(&j);
    ft_json_kv_string(&j, "video", l->video);
    ft_json_kv_string(&j, "detector", l->detector);
    ft_json_kv_int(&j, "frames", l->frame_count);
    ft_json_key(&j, "scenes");
    ft_json_array_begin(&j);
    for (size_t i = 0; i < scene_count(l); i++) {
        int64_t first, last;
        char in[16], out[16];
        scene_at(l, i, &first, &last, in, out);
        ft_json_object_begin(&j);
        ft_json_kv_int(&j, "no", (int64_t)i + 1);
        ft_json_kv_string(&j, "timecode_in", in);
        ft_json_kv_string(&j, "timecode_out", out);
        ft_json_kv_int(&j, "frame_in", first + 1);
        ft_json_kv_int(&j, "frame_out", last + 1);
        ft_json_object_end(&j);
    }
    ft_json_array_end(&j);
    ft_json_key(&j, "cuts");
    ft_json_array_begin(&j);
    for (size_t i = 0; i < l->cut_count; i++) {
        ft_json_object_begin(&j);
        ft_json_kv_int(&j, "frame", l->cuts[i] + 1);
        ft_json_key(&j, "time");
        ft_json_double_places(&j, l->times[l->cuts[i]], 3);
        const ft_cut_info *c = &l->info[i];
        ft_json_kv_string(&j, "type", ft_cut_kind_name(c->kind));
        if (c->kind != FT_CUT_HARD) { /* 1-based, like "frame" */
            ft_json_kv_int(&j, "from", c->from + 1);
            ft_json_kv_int(&j, "to", c->to + 1);
        }
        ft_json_key(&j, "score");
        ft_json_double_places(&j, c->score, 3);
        ft_json_object_end(&j);
    }
    ft_json_array_end(&j);
    ft_json_object_end(&j);
    return keep_if_written(&f, ft_json_finish(&j) == FT_OK, j.errnum, path, err, err_size);
}
